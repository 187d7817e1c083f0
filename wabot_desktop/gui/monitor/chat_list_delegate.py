"""Paints one chat-list row like WhatsApp: avatar, name, time, preview, unread badge, mode chip.

Everything the customer controls (name, preview) is drawn with ``QPainter.drawText`` on a plain
string, which never interprets markup.

Rows are rendered once into a pixmap and then copied: a live update moves one chat to the top,
which shifts every visible row, and repainting the list should not lay out every row's texts
again. The pixmap is keyed by everything drawn (the summary, size, state, shown time, fonts,
colours, pixel ratio), so a changed row renders afresh.
"""

from __future__ import annotations

import logging
import math
import time
import zlib
from collections import OrderedDict
from typing import NamedTuple

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
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
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
_PIXMAP_CACHE = 48  # rendered rows kept: a screenful or two, with selected/hover variants


def initials(name: str) -> str:
    """Up to two letters for the avatar ("" when the name has no letters, e.g. a number)."""
    words = [word for word in name.split() if word[:1].isalpha()]
    return "".join(word[0] for word in words[:2]).upper()


def avatar_color(seed: int) -> QColor:
    return QColor(_AVATAR_COLORS[zlib.crc32(str(seed).encode()) % len(_AVATAR_COLORS)])


class _Fonts(NamedTuple):
    name: QFont
    preview: QFont
    chip: QFont
    name_fm: QFontMetrics
    preview_fm: QFontMetrics
    chip_fm: QFontMetrics


def _one_line(text: str) -> str:
    return " ".join(text.split())


class ChatListDelegate(QStyledItemDelegate):
    """Delegate for :class:`ChatListModel` rows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.now = time.time  # replaceable in tests and screenshots
        self._pixmaps: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()
        self._font_sets: dict[str, _Fonts] = {}  # base font key -> derived fonts and metrics

    def clear_cache(self) -> None:
        """Forget the rendered rows."""
        self._pixmaps.clear()

    # -- fonts and metrics ---------------------------------------------------------------------

    def _fonts(self, base: QFont) -> _Fonts:
        key = base.key()
        fonts = self._font_sets.get(key)
        if fonts is None:
            name = QFont(base)
            name.setPointSizeF(base.pointSizeF() * 1.07)
            name.setWeight(QFont.Weight.DemiBold)
            preview = QFont(base)
            chip = QFont(base)
            chip.setPointSizeF(base.pointSizeF() * 0.85)
            chip.setWeight(QFont.Weight.Medium)
            fonts = _Fonts(
                name, preview, chip, QFontMetrics(name), QFontMetrics(preview), QFontMetrics(chip)
            )
            self._font_sets[key] = fonts
        return fonts

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        fonts = self._fonts(option.font)
        height = (
            _PAD
            + fonts.name_fm.height()
            + 3
            + fonts.preview_fm.height()
            + 5
            + fonts.chip_fm.height()
            + 4
            + _PAD
        )
        return QSize(280, max(height, _AVATAR + 2 * _PAD))

    # -- painting ------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        summary = index.data(ChatRole.SUMMARY)
        rect = QRect(option.rect)
        if not isinstance(summary, ConversationSummary):
            painter.save()
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
        if rect.isEmpty():
            return
        colors = chat_colors(option.palette)
        when = texts.list_time(summary.last_message_at, self.now())
        ratio = painter.device().devicePixelRatioF()
        key = (
            summary,
            rect.width(),
            rect.height(),
            bool(option.state & QStyle.StateFlag.State_Selected),
            bool(option.state & QStyle.StateFlag.State_MouseOver),
            when,
            option.font.key(),
            painter.font().key(),
            colors.dark,
            ratio,
        )
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = self._render(painter.font(), option, rect.size(), summary, colors, when, ratio)
            self._pixmaps[key] = pixmap
            while len(self._pixmaps) > _PIXMAP_CACHE:
                self._pixmaps.popitem(last=False)
        else:
            self._pixmaps.move_to_end(key)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def _render(
        self,
        font: QFont,
        option: QStyleOptionViewItem,
        size: QSize,
        summary: ConversationSummary,
        colors: ChatColors,
        when: str,
        ratio: float,
    ) -> QPixmap:
        """One row, drawn at (0, 0) into a transparent pixmap of the device's pixel ratio."""
        pixmap = QPixmap(QSize(math.ceil(size.width() * ratio), math.ceil(size.height() * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setFont(font)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRect(0, 0, size.width(), size.height())
        self._paint_background(painter, option, rect, summary, colors)
        self._paint_avatar(painter, rect, summary)
        self._paint_texts(painter, option, rect, summary, colors, when)
        painter.end()
        return pixmap

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
        when: str,
    ) -> None:
        name_font, preview_font, chip_font, name_fm, preview_fm, chip_fm = self._fonts(option.font)
        left = rect.left() + _PAD + _AVATAR + _GAP
        right = rect.right() - _PAD
        y = rect.top() + _PAD
        unread = summary.unread_count > 0

        # Line 1: name ........ time
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
