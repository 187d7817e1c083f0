"""Paints one chat-list row like WhatsApp: avatar, name, time, preview, unread badge, mode chip.

Everything the customer controls (name, preview) is drawn with ``QPainter.drawText`` on a plain
string, which never interprets markup.
"""

from __future__ import annotations

import logging
import time
import zlib

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from wabot_desktop.core.dto import ConversationMode, ConversationSummary, LabelInfo
from wabot_desktop.gui import texts
from wabot_desktop.gui.monitor.chat_list_model import ChatRole
from wabot_desktop.gui.theme import ChatColors, chat_colors
from wabot_desktop.gui.widgets.icons import paint_glyph

logger = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex

_AVATAR_COLORS = ("#25a36f", "#2f7fd0", "#a05ad0", "#d0663a", "#c9438c", "#3b9aa8", "#7c8c28")
_PAD = 10
_AVATAR = 46
_GAP = 12
_MAX_LABELS = 3


def initials(name: str) -> str:
    """Up to two letters for the avatar ("" when the name has no letters, e.g. a number)."""
    words = [word for word in name.split() if word[:1].isalpha()]
    return "".join(word[0] for word in words[:2]).upper()


def avatar_color(seed: int) -> QColor:
    return QColor(_AVATAR_COLORS[zlib.crc32(str(seed).encode()) % len(_AVATAR_COLORS)])


def _one_line(text: str) -> str:
    return " ".join(text.split())


class ChatListDelegate(QStyledItemDelegate):
    """Delegate for :class:`ChatListModel` rows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.now = time.time  # replaceable in tests and screenshots

    # -- fonts and metrics ---------------------------------------------------------------------

    @staticmethod
    def _fonts(base: QFont) -> tuple[QFont, QFont, QFont]:
        name = QFont(base)
        name.setPointSizeF(base.pointSizeF() * 1.07)
        name.setWeight(QFont.Weight.DemiBold)
        preview = QFont(base)
        chip = QFont(base)
        chip.setPointSizeF(base.pointSizeF() * 0.85)
        chip.setWeight(QFont.Weight.Medium)
        return name, preview, chip

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        name_font, preview_font, chip_font = self._fonts(option.font)
        height = (
            _PAD
            + QFontMetrics(name_font).height()
            + 3
            + QFontMetrics(preview_font).height()
            + 5
            + QFontMetrics(chip_font).height()
            + 4
            + _PAD
        )
        return QSize(280, max(height, _AVATAR + 2 * _PAD))

    # -- painting ------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        summary = index.data(ChatRole.SUMMARY)
        colors = chat_colors(option.palette)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRect(option.rect)
        if not isinstance(summary, ConversationSummary):
            painter.setPen(
                option.palette.color(
                    option.palette.ColorGroup.Disabled, option.palette.ColorRole.Text
                )
            )
            painter.drawText(
                rect.adjusted(_PAD, 0, -_PAD, 0),
                Qt.AlignmentFlag.AlignVCenter,
                self.tr("This chat could not be loaded."),
            )
            painter.restore()
            return
        self._paint_background(painter, option, rect, summary, colors)
        self._paint_avatar(painter, rect, summary)
        self._paint_texts(painter, option, rect, summary, colors)
        painter.restore()

    def _paint_background(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rect: QRect,
        summary: ConversationSummary,
        colors: ChatColors,
    ) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        needs_human = summary.mode == ConversationMode.NEEDS_HUMAN
        if selected:
            painter.fillRect(rect, colors.selection)
        elif needs_human:
            painter.fillRect(rect, colors.needs_human_background)
        elif hovered:
            painter.fillRect(rect, colors.hover)
        if needs_human:
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), colors.needs_human)
        elif selected:
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), colors.accent)
        painter.setPen(QPen(colors.separator, 1))
        left = rect.left() + _PAD + _AVATAR + _GAP
        painter.drawLine(left, rect.bottom(), rect.right(), rect.bottom())

    def _paint_avatar(self, painter: QPainter, rect: QRect, summary: ConversationSummary) -> None:
        top = rect.top() + (rect.height() - _AVATAR) // 2
        circle = QRectF(rect.left() + _PAD, top, _AVATAR, _AVATAR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_color(summary.contact_id))
        painter.drawEllipse(circle)
        letters = initials(texts.chat_title(summary))
        if letters:
            font = QFont(painter.font())
            font.setPointSizeF(max(8.0, font.pointSizeF() * 1.15))
            font.setWeight(QFont.Weight.DemiBold)
            painter.setFont(font)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, letters)
        else:
            inset = circle.adjusted(10, 10, -10, -10)
            paint_glyph(painter, inset, "person", QColor("#ffffff"))

    def _paint_texts(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rect: QRect,
        summary: ConversationSummary,
        colors: ChatColors,
    ) -> None:
        name_font, preview_font, chip_font = self._fonts(option.font)
        name_fm = QFontMetrics(name_font)
        preview_fm = QFontMetrics(preview_font)
        chip_fm = QFontMetrics(chip_font)
        left = rect.left() + _PAD + _AVATAR + _GAP
        right = rect.right() - _PAD
        y = rect.top() + _PAD
        unread = summary.unread_count > 0

        # Line 1: name ........ time
        when = texts.list_time(summary.last_message_at, self.now())
        painter.setFont(preview_font)
        time_width = preview_fm.horizontalAdvance(when)
        painter.setPen(colors.accent if unread else colors.muted)
        line1 = QRect(left, y, right - left, name_fm.height())
        painter.drawText(line1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
        painter.setFont(name_font)
        painter.setPen(colors.text)
        name = name_fm.elidedText(
            _one_line(texts.chat_title(summary)),
            Qt.TextElideMode.ElideRight,
            max(0, line1.width() - time_width - 8),
        )
        painter.drawText(line1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        y += name_fm.height() + 3

        # Line 2: who: preview ......... (unread badge)
        badge_width = 0
        line2 = QRect(left, y, right - left, preview_fm.height())
        if unread:
            count = str(summary.unread_count) if summary.unread_count < 1000 else "999+"
            painter.setFont(chip_font)
            badge_width = max(chip_fm.height() + 4, chip_fm.horizontalAdvance(count) + 12)
            badge = QRectF(
                right - badge_width,
                y + (line2.height() - chip_fm.height() - 4) / 2,
                badge_width,
                chip_fm.height() + 4,
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colors.accent)
            painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
            painter.setPen(colors.badge_text)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, count)
        painter.setFont(preview_font)
        prefix = texts.author_prefix(summary.last_message_author, summary.staff_name)
        preview = prefix + _one_line(summary.last_message_preview)
        if summary.opted_out:
            preview = self.tr("[unsubscribed] ") + preview
        if summary.blocked:
            preview = self.tr("[blocked] ") + preview
        painter.setPen(colors.text if unread else colors.muted)
        preview = preview_fm.elidedText(
            preview, Qt.TextElideMode.ElideRight, max(0, line2.width() - badge_width - 8)
        )
        painter.drawText(line2, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, preview)
        y += preview_fm.height() + 5

        # Line 3: mode chip, labels
        painter.setFont(chip_font)
        x = self._paint_mode_chip(painter, QPointF(left, y), summary, chip_fm, colors)
        for label in summary.labels[:_MAX_LABELS]:
            x = self._paint_label(painter, QPointF(x + 8, y), label, chip_fm, right, colors)
            if x >= right:
                break
        if len(summary.labels) > _MAX_LABELS and x < right - 20:
            painter.setPen(colors.muted)
            painter.drawText(
                QPointF(x + 6, y + chip_fm.ascent() + 2),
                "+" + str(len(summary.labels) - _MAX_LABELS),
            )

    def _paint_mode_chip(
        self,
        painter: QPainter,
        origin: QPointF,
        summary: ConversationSummary,
        fm: QFontMetrics,
        colors: ChatColors,
    ) -> float:
        text = texts.mode_text(summary.mode, summary.staff_name)
        if summary.mode == ConversationMode.NEEDS_HUMAN:
            fill, pen, glyph = colors.needs_human, QColor("#ffffff"), "hand"
        elif summary.mode == ConversationMode.HUMAN:
            fill, pen, glyph = QColor(colors.staff_chip), colors.staff_chip, "person"
            fill.setAlpha(40)
        else:
            fill, pen, glyph = QColor(colors.bot_chip), colors.bot_chip, "bot"
            fill.setAlpha(34)
        height = fm.height() + 4
        icon = fm.height() - 2
        width = fm.horizontalAdvance(text) + icon + 16
        chip = QRectF(origin.x(), origin.y(), width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(chip, height / 2, height / 2)
        paint_glyph(painter, QRectF(chip.left() + 6, chip.top() + 3, icon, icon), glyph, pen)
        painter.setPen(pen)
        painter.drawText(
            chip.adjusted(icon + 9, 0, -4, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
        return chip.right()

    def _paint_label(
        self,
        painter: QPainter,
        origin: QPointF,
        label: LabelInfo,
        fm: QFontMetrics,
        right: int,
        colors: ChatColors,
    ) -> float:
        dot = 8.0
        available = right - origin.x() - dot - 6
        if available < 24:
            return float(right)
        text = fm.elidedText(
            _one_line(label.name), Qt.TextElideMode.ElideRight, int(min(available, 110))
        )
        centre_y = origin.y() + (fm.height() + 4) / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(label.color))
        painter.drawEllipse(QPointF(origin.x() + dot / 2, centre_y), dot / 2, dot / 2)
        painter.setPen(colors.muted)
        text_rect = QRectF(
            origin.x() + dot + 4, origin.y(), fm.horizontalAdvance(text) + 2, fm.height() + 4
        )
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text
        )
        return text_rect.right()
