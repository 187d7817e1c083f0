"""Paints the conversation's bubbles: customer, bot, staff and system messages.

Bubbles are laid out once per (message, width) and cached; the same layout serves ``sizeHint``,
``paint``, tooltips and clicks on a media card's action. ``QListView`` asks every row's
``sizeHint`` whenever a row is inserted or removed, so heights have their own cache, validated
by the message object's identity (no hashing of the message per call) and read straight from
:class:`ConversationModel` (no QVariant round trips); full layouts, which hold ``QTextLayout``
objects, are kept only for the most recently used bubbles. All customer-controlled text (bodies,
captions, file names, quoted text) goes through ``QTextLayout`` or ``drawText`` on plain strings,
so markup in a message is shown as typed, never interpreted.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from wabot_desktop.core.dto import Author, Direction, MessageStatus, MessageView
from wabot_desktop.gui import texts
from wabot_desktop.gui.monitor.conversation_model import ConversationModel, MessageRole
from wabot_desktop.gui.theme import ChatColors, chat_colors
from wabot_desktop.gui.widgets.icons import paint_glyph
from wabot_desktop.gui.widgets.text_layout import text_layout

logger = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex

MEDIA_TYPES = frozenset(
    {"image", "audio", "video", "document", "sticker", "location", "contacts", "order"}
)
DOWNLOADABLE = frozenset({"image", "audio", "video", "document", "sticker"})
_SIDE = 16.0  # bubble distance from the view's edge
_PAD_X = 10.0
_PAD_Y = 6.0
_GAP = 4.0
_MAX_BUBBLE = 620.0
_CARD_ICON = 38.0
_LAYOUT_CACHE = 400  # full layouts kept (painting needs only the visible ones)
_SIZE_CACHE = 1500  # heights kept: the rows a model holds (600) and some


def _last_line_width(layout: QTextLayout) -> float:
    count = layout.lineCount()
    return layout.lineAt(count - 1).naturalTextWidth() if count else 0.0


@dataclass(slots=True)
class _Text:
    layout: QTextLayout
    pos: QPointF
    color: QColor


@dataclass(slots=True)
class BubbleLayout:
    """Geometry of one row, relative to the row's top-left corner."""

    height: float
    kind: str  # "bubble" or "system"
    bubble: QRectF = field(default_factory=QRectF)
    fill: QColor = field(default_factory=QColor)
    outgoing: bool = False
    day_chip: QRectF | None = None
    day_text: str = ""
    texts: list[_Text] = field(default_factory=list)
    header: tuple[QRectF, str, QColor] | None = None
    quote: QRectF | None = None
    card: QRectF | None = None
    card_icon: QRectF | None = None
    card_glyph: str = ""
    card_title: tuple[QRectF, str] | None = None
    card_subtitle: tuple[QRectF, str] | None = None
    action: QRectF | None = None
    action_kind: str = ""
    action_text: str = ""
    buttons: list[tuple[QRectF, str]] = field(default_factory=list)
    footer: QRectF = field(default_factory=QRectF)
    footer_text: str = ""
    status: MessageStatus | None = None
    path: QPainterPath | None = None  # the bubble's outline, made on first paint


class BubbleDelegate(QStyledItemDelegate):
    """Delegate for :class:`ConversationModel` rows.

    Signals:
        media_action_requested(int, str): message id and action ("open" or "map").
    """

    media_action_requested = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.now = time.time  # replaceable in tests and screenshots
        # (message id, width, day chip, font, dark) -> (message, layout); least recent first
        self._cache: OrderedDict[tuple[object, ...], tuple[MessageView, BubbleLayout]] = (
            OrderedDict()
        )
        # message id -> (message, previous row's time, width, font key, height)
        self._sizes: dict[int, tuple[MessageView, float | None, int, str, int]] = {}

    def clear_cache(self) -> None:
        """Forget every layout (font, language or palette changed)."""
        self._cache.clear()
        self._sizes.clear()

    # -- geometry ------------------------------------------------------------------------------

    @staticmethod
    def _view_width(option: QStyleOptionViewItem) -> float:
        widget = option.widget
        if isinstance(widget, QAbstractItemView):
            return float(widget.viewport().width())
        return float(max(option.rect.width(), 320))

    @staticmethod
    def _bubble(index: AnyIndex) -> tuple[MessageView | None, float | None]:
        """The row's message and the previous row's time."""
        model = index.model()
        if isinstance(model, ConversationModel):
            return model.bubble_at(index.row())
        message = index.data(MessageRole.MESSAGE)
        if not isinstance(message, MessageView):
            return None, None
        return message, index.data(MessageRole.PREVIOUS_CREATED_AT)

    def layout_for(self, option: QStyleOptionViewItem, index: AnyIndex) -> BubbleLayout | None:
        message, previous = self._bubble(index)
        if message is None:
            return None
        return self._layout(option, message, previous, self._view_width(option))

    def _layout(
        self,
        option: QStyleOptionViewItem,
        message: MessageView,
        previous: float | None,
        width: float,
    ) -> BubbleLayout:
        show_day = previous is None or not texts.same_day(previous, message.created_at)
        colors = chat_colors(option.palette)
        key = (message.id, int(width), show_day, option.font.key(), colors.dark)
        cached = self._cache.get(key)
        if cached is not None and (cached[0] is message or cached[0] == message):
            self._cache.move_to_end(key)
            return cached[1]
        layout = self._build(message, width, show_day, option.font, colors)
        self._cache[key] = (message, layout)
        self._cache.move_to_end(key)
        while len(self._cache) > _LAYOUT_CACHE:
            self._cache.popitem(last=False)
        return layout

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        message, previous = self._bubble(index)
        if message is None:
            return QSize(100, 24)
        width = self._view_width(option)
        font = option.font.key()  # heights depend on the font, not on the colours
        known = self._sizes.get(message.id)
        if (
            known is not None
            and known[0] is message
            and known[1] == previous
            and known[2] == int(width)
            and known[3] == font
        ):
            return QSize(known[2], known[4])
        height = int(self._layout(option, message, previous, width).height + 0.999)
        if len(self._sizes) >= _SIZE_CACHE:
            self._forget_sizes(index.model())
        self._sizes[message.id] = (message, previous, int(width), font, height)
        return QSize(int(width), height)

    def _forget_sizes(self, model: object) -> None:
        """Make room: drop the heights of messages the model no longer holds (all of them
        would make the next layout build every bubble again: a visible stall)."""
        if isinstance(model, ConversationModel):
            held = set(model.ids())
            self._sizes = {k: v for k, v in self._sizes.items() if k in held}
        if len(self._sizes) >= _SIZE_CACHE:
            for stale in list(itertools.islice(self._sizes, _SIZE_CACHE // 5)):
                del self._sizes[stale]

    def _build(  # noqa: C901 - one pass over the parts of a bubble
        self, message: MessageView, width: float, show_day: bool, base: QFont, colors: ChatColors
    ) -> BubbleLayout:
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.82)
        bold = QFont(base)
        bold.setWeight(QFont.Weight.DemiBold)
        small_fm = QFontMetricsF(small)
        fm = QFontMetricsF(base)
        y = 2.0
        result = BubbleLayout(height=0.0, kind="bubble", status=message.status)
        if show_day:
            result.day_text = texts.day_header(message.created_at, self.now())
            chip_w = small_fm.horizontalAdvance(result.day_text) + 24
            chip_h = small_fm.height() + 8
            result.day_chip = QRectF((width - chip_w) / 2, y + 8, chip_w, chip_h)
            y += chip_h + 16

        if message.author == Author.SYSTEM:
            inner = min(width - 4 * _SIDE, _MAX_BUBBLE)
            layout, height, widest = text_layout(message.text or "", small, inner)
            bubble = QRectF(
                (width - widest) / 2 - _PAD_X, y + 2, widest + 2 * _PAD_X, height + 2 * _PAD_Y
            )
            result.kind = "system"
            result.bubble = bubble
            result.fill = colors.system_bubble
            result.texts.append(
                _Text(layout, QPointF(bubble.left() + _PAD_X, bubble.top() + _PAD_Y), colors.text)
            )
            result.height = bubble.bottom() + 4
            return result

        outgoing = message.direction == Direction.OUT
        result.outgoing = outgoing
        max_outer = min(width * 0.75, _MAX_BUBBLE)
        inner_max = max(120.0, max_outer - 2 * _PAD_X)
        content_w = 0.0
        pieces: list[tuple[str, Any, float]] = []  # (kind, payload, height) in order

        # Who wrote it: bubbles we sent say whether the bot or a person wrote them.
        if message.author == Author.BOT:
            header = (self.tr("Bot"), colors.bot_name)
        elif message.author == Author.STAFF:
            header = (message.staff_name or self.tr("Staff"), colors.staff_name)
        else:
            header = None
        if message.type == "template":
            label = self.tr("Template")
            header = (
                f"{header[0]} · {label}" if header else label,
                header[1] if header else colors.muted,
            )
        if header is not None:
            text = small_fm.elidedText(header[0], Qt.TextElideMode.ElideRight, inner_max)
            w = small_fm.horizontalAdvance(text)
            pieces.append(("header", (text, header[1]), small_fm.height() + 2))
            content_w = max(content_w, w)
        if message.forwarded or message.frequently_forwarded:
            fwd = (
                self.tr("Forwarded many times")
                if message.frequently_forwarded
                else self.tr("Forwarded")
            )
            pieces.append(("forwarded", fwd, small_fm.height() + 2))
            content_w = max(content_w, small_fm.horizontalAdvance(fwd))

        if message.reply_to_wamid or message.reply_to_preview:
            quoted = message.reply_to_preview or self.tr("Earlier message")
            quoted = " ".join(quoted.split())
            if len(quoted) > 240:
                quoted = quoted[:240] + "…"
            q_layout, q_h, q_w = text_layout(quoted, small, inner_max - 14)
            if q_layout.lineCount() > 3:
                q_layout, q_h, q_w = text_layout(quoted[:120] + "…", small, inner_max - 14)
            pieces.append(("quote", q_layout, q_h + 10))
            content_w = max(content_w, q_w + 14)

        card_height = 0.0
        if message.type in MEDIA_TYPES:
            title = texts.media_kind(message)
            subtitle = self._card_subtitle(message)
            action_kind, action_text = self._card_action(message)
            card_w = min(inner_max, 320.0)
            text_w = card_w - _CARD_ICON - 24
            title = fm.elidedText(title, Qt.TextElideMode.ElideRight, text_w)
            subtitle = small_fm.elidedText(subtitle, Qt.TextElideMode.ElideMiddle, text_w)
            card_height = max(
                _CARD_ICON + 16,
                fm.height() + (small_fm.height() if subtitle else 0) + small_fm.height() + 22,
            )
            pieces.append(("card", (title, subtitle, action_kind, action_text), card_height))
            content_w = max(content_w, card_w)

        body = message.text or ""
        body_color = colors.text
        body_font = base
        if message.type == "audio" and message.transcript:
            # The voice note as heard on this PC, plain text under its card, marked as such.
            label = self.tr("automatic transcript")
            pieces.append(("label", label, small_fm.height() + 2))
            content_w = max(content_w, small_fm.horizontalAdvance(label))
            body = message.transcript
        if message.type in ("unsupported", "unknown") or message.unsupported_type:
            body = texts.unsupported_text(message)
            body_color = colors.muted
            body_font = QFont(base)
            body_font.setItalic(True)
        elif message.type == "reaction":
            body = self.tr("Reacted with {emoji}").format(emoji=message.text or "")
            body_color = colors.muted
        body_layout = None
        if body:
            body_layout, b_h, b_w = text_layout(body, body_font, inner_max)
            pieces.append(("body", (body_layout, body_color), b_h))
            content_w = max(content_w, b_w)

        for title in message.buttons:
            pieces.append(("button", title, fm.height() + 10))
            content_w = max(content_w, fm.horizontalAdvance(title) + 24)

        # Footer: time and ticks; tucked after the last body line when it fits (like WhatsApp).
        footer_text = texts.clock(message.created_at)
        footer_w = small_fm.horizontalAdvance(footer_text) + (22 if outgoing else 0)
        footer_h = small_fm.height()
        inline_footer = (
            body_layout is not None
            and pieces[-1][0] == "body"
            and _last_line_width(body_layout) + footer_w + 12 <= max(content_w, inner_max)
        )
        if inline_footer and body_layout is not None:
            last_w = _last_line_width(body_layout)
            if body_layout.lineCount() == 1:
                content_w = max(content_w, last_w + footer_w + 12)
            elif last_w + footer_w + 12 > content_w:
                inline_footer = False
        if not inline_footer:
            content_w = max(content_w, footer_w)

        bubble_w = min(max(content_w, 40.0), inner_max) + 2 * _PAD_X
        left = width - _SIDE - bubble_w if outgoing else _SIDE
        top = y + 2
        cursor = top + _PAD_Y
        inner_left = left + _PAD_X
        inner_w = bubble_w - 2 * _PAD_X
        for kind, payload, height in pieces:
            if kind == "header":
                text, color = payload
                result.header = (
                    QRectF(inner_left, cursor, inner_w, small_fm.height()),
                    text,
                    color,
                )
            elif kind in ("forwarded", "label"):
                result.texts.append(
                    _Text(
                        text_layout(str(payload), small, inner_w)[0],
                        QPointF(inner_left, cursor),
                        colors.muted,
                    )
                )
            elif kind == "quote":
                result.quote = QRectF(inner_left, cursor + 2, inner_w, height - 4)
                result.texts.append(
                    _Text(
                        payload,
                        QPointF(inner_left + 10, cursor + 5),
                        colors.muted,
                    )
                )
            elif kind == "card":
                title, subtitle, action_kind, action_text = payload
                card = QRectF(inner_left, cursor + 2, inner_w, height - 4)
                result.card = card
                result.card_glyph = "voice" if message.media_voice else message.type
                result.card_icon = QRectF(
                    card.left() + 8,
                    card.top() + (card.height() - _CARD_ICON) / 2,
                    _CARD_ICON,
                    _CARD_ICON,
                )
                tx = result.card_icon.right() + 10
                tw = card.right() - tx - 8
                sub_h = small_fm.height() if subtitle else 0.0
                act_h = small_fm.height() + 4 if action_kind else 0.0
                ty = card.top() + (card.height() - (fm.height() + sub_h + act_h + 2)) / 2
                result.card_title = (QRectF(tx, ty, tw, fm.height()), title)
                if subtitle:
                    result.card_subtitle = (
                        QRectF(tx, ty + fm.height(), tw, small_fm.height()),
                        subtitle,
                    )
                if action_kind:
                    aw = QFontMetricsF(bold).horizontalAdvance(action_text) + 4
                    result.action = QRectF(tx, ty + fm.height() + sub_h + 2, aw, act_h)
                    result.action_kind = action_kind
                    result.action_text = action_text
            elif kind == "body":
                layout, color = payload
                result.texts.append(_Text(layout, QPointF(inner_left, cursor), color))
            elif kind == "button":
                result.buttons.append(
                    (QRectF(inner_left, cursor + 4, inner_w, height - 4), str(payload))
                )
            cursor += height
            if kind in ("quote", "card"):
                cursor += _GAP
        if inline_footer:
            footer_top = cursor - footer_h
        else:
            footer_top = cursor + 1
            cursor += footer_h + 1
        result.footer = QRectF(left + bubble_w - _PAD_X - footer_w, footer_top, footer_w, footer_h)
        result.footer_text = footer_text
        result.bubble = QRectF(left, top, bubble_w, cursor + _PAD_Y - top)
        result.fill = (
            colors.customer_bubble
            if not outgoing
            else colors.staff_bubble
            if message.author == Author.STAFF
            else colors.bot_bubble
        )
        bottom = result.bubble.bottom()
        if message.status == MessageStatus.FAILED:
            reason = texts.failure_reason(message.error_code, message.error_title)
            r_layout, r_h, r_w = text_layout(reason, small, min(inner_max, width - 2 * _SIDE))
            x = result.bubble.right() - r_w if outgoing else result.bubble.left()
            result.texts.append(_Text(r_layout, QPointF(max(_SIDE, x), bottom + 3), colors.failed))
            bottom += r_h + 4
        result.height = bottom + 3
        return result

    def _card_subtitle(self, message: MessageView) -> str:
        if message.type == "location":
            parts = [p for p in (message.location_name, message.location_address) if p]
            if parts:
                return " · ".join(" ".join(p.split()) for p in parts)
            if message.latitude is not None and message.longitude is not None:
                return f"{message.latitude:.5f}, {message.longitude:.5f}"
            return ""
        if message.media_filename:
            return " ".join(message.media_filename.split())
        # No file name: a MIME type ("audio/ogg; codecs=opus") means nothing to a shop owner.
        return ""

    def _card_action(self, message: MessageView) -> tuple[str, str]:
        if message.type == "location" and message.latitude is not None:
            return "map", self.tr("View on map")
        if message.type in DOWNLOADABLE and (message.media_id or message.media_path):
            return "open", self.tr("Open")
        return "", ""

    # -- painting ------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        layout = self.layout_for(option, index)
        if layout is None:
            return
        colors = chat_colors(option.palette)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(QPointF(option.rect.topLeft()))
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.82)
        if layout.day_chip is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colors.customer_bubble)
            painter.drawRoundedRect(layout.day_chip, 7, 7)
            painter.setFont(small)
            painter.setPen(colors.muted)
            painter.drawText(layout.day_chip, Qt.AlignmentFlag.AlignCenter, layout.day_text)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(layout.fill)
        if layout.path is None:
            layout.path = self._bubble_path(layout)
        painter.drawPath(layout.path)
        if layout.header is not None:
            rect, text, color = layout.header
            bold = QFont(small)
            bold.setWeight(QFont.Weight.Bold)
            painter.setFont(bold)
            painter.setPen(color)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        if layout.quote is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colors.quote_background)
            painter.drawRoundedRect(layout.quote, 5, 5)
            painter.setBrush(colors.quote_bar)
            bar = QRectF(layout.quote.left(), layout.quote.top(), 4, layout.quote.height())
            painter.drawRoundedRect(bar, 2, 2)
        if layout.card is not None:
            self._paint_card(painter, layout, option.font, small, colors)
        for part in layout.texts:
            painter.setPen(part.color)
            part.layout.draw(painter, part.pos)
        for rect, title in layout.buttons:
            painter.setPen(QPen(colors.separator, 1))
            painter.drawLine(rect.topLeft(), rect.topRight())
            painter.setFont(option.font)
            painter.setPen(colors.link)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, title)
        if layout.kind == "bubble":
            painter.setFont(small)
            painter.setPen(colors.muted)
            painter.drawText(
                layout.footer,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                layout.footer_text,
            )
            if layout.outgoing:
                tick = QRectF(
                    layout.footer.right() - 18, layout.footer.top(), 18, layout.footer.height()
                )
                paint_ticks(painter, tick, layout.status, colors)
        painter.restore()

    @staticmethod
    def _bubble_path(layout: BubbleLayout) -> QPainterPath:
        path = QPainterPath()
        rect = layout.bubble
        radius = 12.0 if layout.kind == "system" else 8.0
        path.addRoundedRect(rect, radius, radius)
        if layout.kind == "bubble":
            # The little tail at the top corner, toward the sender's side.
            tail = QPainterPath()
            if layout.outgoing:
                tail.moveTo(rect.right() - 10, rect.top())
                tail.lineTo(rect.right() + 7, rect.top())
                tail.lineTo(rect.right(), rect.top() + 10)
            else:
                tail.moveTo(rect.left() + 10, rect.top())
                tail.lineTo(rect.left() - 7, rect.top())
                tail.lineTo(rect.left(), rect.top() + 10)
            tail.closeSubpath()
            path = path.united(tail)
        return path

    def _paint_card(
        self, painter: QPainter, layout: BubbleLayout, base: QFont, small: QFont, colors: ChatColors
    ) -> None:
        assert layout.card is not None and layout.card_icon is not None
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.card_background)
        painter.drawRoundedRect(layout.card, 6, 6)
        icon_fill = QColor(colors.accent)
        icon_fill.setAlpha(48)
        painter.setBrush(icon_fill)
        painter.drawRoundedRect(layout.card_icon, 8, 8)
        paint_glyph(
            painter, layout.card_icon.adjusted(7, 7, -7, -7), layout.card_glyph, colors.bot_name
        )
        bold = QFont(base)
        bold.setWeight(QFont.Weight.DemiBold)
        if layout.card_title is not None:
            painter.setFont(bold)
            painter.setPen(colors.text)
            painter.drawText(
                layout.card_title[0],
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                layout.card_title[1],
            )
        if layout.card_subtitle is not None:
            painter.setFont(small)
            painter.setPen(colors.muted)
            painter.drawText(
                layout.card_subtitle[0],
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                layout.card_subtitle[1],
            )
        if layout.action is not None:
            link = QFont(base)
            link.setWeight(QFont.Weight.DemiBold)
            painter.setFont(link)
            painter.setPen(colors.link)
            painter.drawText(
                layout.action,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                layout.action_text,
            )

    # -- interaction ---------------------------------------------------------------------------

    def editorEvent(
        self, event: QEvent, model: object, option: QStyleOptionViewItem, index: AnyIndex
    ) -> bool:
        if event.type() not in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove):
            return False
        assert isinstance(event, QMouseEvent)
        layout = self.layout_for(option, index)
        if layout is None or layout.action is None:
            self._set_hand(option.widget, False)
            return False
        point = event.position() - QPointF(option.rect.topLeft())
        inside = layout.action.adjusted(-4, -4, 4, 4).contains(point)
        if event.type() == QEvent.Type.MouseMove:
            self._set_hand(option.widget, inside)
            return False
        if inside and event.button() == Qt.MouseButton.LeftButton:
            self.media_action_requested.emit(
                int(index.data(MessageRole.MESSAGE_ID)), layout.action_kind
            )
            return True
        return False

    @staticmethod
    def _set_hand(widget: QWidget | None, on: bool) -> None:
        if isinstance(widget, QAbstractItemView):
            viewport = widget.viewport()
            if on:
                viewport.setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                viewport.unsetCursor()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        layout = self.layout_for(option, index)
        message = index.data(MessageRole.MESSAGE)
        if layout is None or not isinstance(message, MessageView):
            return False
        point = QPointF(event.pos()) - QPointF(option.rect.topLeft())
        if layout.footer.adjusted(-4, -4, 4, 4).contains(point):
            tip = texts.date_time(message.created_at)
            if layout.outgoing:
                tip = texts.status_words(message.status) + " · " + tip
            QToolTip.showText(event.globalPos(), tip, view)
            return True
        if layout.action is not None and layout.action.adjusted(-4, -4, 4, 4).contains(point):
            QToolTip.showText(event.globalPos(), self.tr("Download the file and open it"), view)
            return True
        QToolTip.hideText()
        return False


# Meta accepted these (one tick or more); the customer's phone showed the _SEEN ones (blue ticks).
_ACCEPTED = frozenset(
    {MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED}
)
_SEEN = frozenset({MessageStatus.READ, MessageStatus.PLAYED})


def paint_ticks(
    painter: QPainter, rect: QRectF, status: MessageStatus | None, colors: ChatColors
) -> None:
    """Delivery marks: clock (queued), ✓ sent, ✓✓ delivered, blue ✓✓ read, red ! failed."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    cy = rect.center().y()
    x = rect.left() + 2
    if status == MessageStatus.FAILED:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.failed)
        painter.drawEllipse(QPointF(x + 7, cy), 6, 6)
        painter.setPen(QPen(QColor("#ffffff"), 1.6))
        painter.drawLine(QPointF(x + 7, cy - 3), QPointF(x + 7, cy + 0.8))
        painter.drawPoint(QPointF(x + 7, cy + 3))
    elif status == MessageStatus.QUEUED:
        painter.setPen(QPen(colors.tick, 1.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(x + 7, cy), 5, 5)
        painter.drawLine(QPointF(x + 7, cy), QPointF(x + 7, cy - 3))
        painter.drawLine(QPointF(x + 7, cy), QPointF(x + 9.5, cy))
    elif status in _ACCEPTED:
        color = colors.tick_read if status in _SEEN else colors.tick
        pen = QPen(color, 1.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        offsets = (0.0, 5.0) if status != MessageStatus.SENT else (3.0,)
        for dx in offsets:
            painter.drawPolyline(
                [QPointF(x + dx, cy), QPointF(x + dx + 3, cy + 3), QPointF(x + dx + 9, cy - 3.5)]
            )
    painter.restore()
