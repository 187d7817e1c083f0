"""Paints the phone pane's chat as the customer's WhatsApp shows it.

The customer's own messages are green on the right with ticks (clock while sending, two grey
ticks once WaBot's webhook server took them, blue once the business read them, red if WaBot
refused them); the business's messages are white on the left, with their reply buttons, or the
button that opens a list, underneath. Every text is laid out with ``QTextLayout`` on plain
strings, so markup typed by a "customer" is shown as typed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
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
)

from wabot_desktop.core.simulator import SandboxMessage
from wabot_desktop.gui import texts
from wabot_desktop.gui.simulator.phone_model import PhoneRole, body_text, glyph_for, kind_label
from wabot_desktop.gui.theme import ChatColors, chat_colors
from wabot_desktop.gui.widgets.icons import paint_glyph
from wabot_desktop.gui.widgets.text_layout import text_layout

logger = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex

_SIDE = 10.0  # bubble distance from the view's edge
_PAD_X = 9.0
_PAD_Y = 6.0
_RADIUS = 8.0
_GLYPH = 18.0
_TICKS_W = 18.0
_BUTTON_GAP = 3.0
_MIN_BUTTONS_W = 200.0
_CACHE_LIMIT = 2000


@dataclass(slots=True)
class _Text:
    layout: QTextLayout
    pos: QPointF  # relative to the row's top-left once the bubble is placed
    muted: bool = False


@dataclass(slots=True)
class PhoneButton:
    """A tappable reply button (or the one that opens a list) under a business message."""

    rect: QRectF  # relative to the row's top-left
    button_id: str  # "" for the button that opens a list
    title: str


@dataclass(slots=True)
class PhoneLayout:
    """Geometry of one row, relative to the row's top-left corner."""

    height: float
    outgoing: bool
    bubble: QRectF = field(default_factory=QRectF)
    texts: list[_Text] = field(default_factory=list)
    glyph: tuple[QRectF, str] | None = None
    meta: QRectF = field(default_factory=QRectF)
    meta_text: str = ""
    ticks: QRectF | None = None
    status: str = ""
    buttons: list[PhoneButton] = field(default_factory=list)
    is_list: bool = False


class PhoneBubbleDelegate(QStyledItemDelegate):
    """Delegate for :class:`~wabot_desktop.gui.simulator.phone_model.PhoneChatModel` rows.

    Signals:
        button_tapped(str, str, str): message wamid, button id, button title.
        list_opened(str, QPoint): list message wamid, where to show its rows (global position).
    """

    button_tapped = Signal(str, str, str)
    list_opened = Signal(str, QPoint)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[tuple[object, ...], PhoneLayout] = {}
        self._hover: tuple[str, int] | None = None  # (wamid, button index) under the mouse

    def clear_cache(self) -> None:
        """Forget every layout (font, language or palette changed)."""
        self._cache.clear()

    # -- geometry --------------------------------------------------------------------------

    @staticmethod
    def _view_width(option: QStyleOptionViewItem) -> float:
        widget = option.widget
        if isinstance(widget, QAbstractItemView):
            return float(widget.viewport().width())
        return float(max(option.rect.width(), 300))

    def layout_for(self, option: QStyleOptionViewItem, index: AnyIndex) -> PhoneLayout | None:
        message = index.data(PhoneRole.MESSAGE)
        if not isinstance(message, SandboxMessage):
            return None
        previous = None
        if index.row() > 0:
            previous = index.sibling(index.row() - 1, 0).data(PhoneRole.FROM_CUSTOMER)
        same_sender = previous is not None and bool(previous) == message.from_customer
        width = self._view_width(option)
        key = (message, int(width), same_sender, option.font.key())
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            cached = self._build(message, width, same_sender, option.font)
            self._cache[key] = cached
        return cached

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        layout = self.layout_for(option, index)
        if layout is None:
            return QSize(100, 24)
        return QSize(int(self._view_width(option)), int(layout.height + 0.999))

    def _build(  # noqa: C901 - one pass over the parts of a bubble
        self, message: SandboxMessage, width: float, same_sender: bool, base: QFont
    ) -> PhoneLayout:
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.8)
        bold = QFont(base)
        bold.setWeight(QFont.Weight.DemiBold)
        fm = QFontMetricsF(base)
        small_fm = QFontMetricsF(small)
        outgoing = message.from_customer
        result = PhoneLayout(height=0.0, outgoing=outgoing, status=message.status)
        top = 2.0 if same_sender else 8.0
        inner_max = max(80.0, min(width * 0.8, width - 2 * _SIDE - 36) - 2 * _PAD_X)

        # The bubble's content, top to bottom, in coordinates of its inner top-left.
        y = 0.0
        widest = 0.0
        last_line = 0.0  # width of the last line, to fit the time beside it
        if message.header and not outgoing:
            layout, height, wide = text_layout(message.header, bold, inner_max)
            result.texts.append(_Text(layout, QPointF(0, y)))
            y += height + 2
            widest = max(widest, wide)
        label = kind_label(message)
        if label:
            line_h = max(fm.height(), _GLYPH)
            result.glyph = (
                QRectF(0, y + (line_h - _GLYPH) / 2, _GLYPH, _GLYPH),
                glyph_for(message),
            )
            layout, _height, wide = text_layout(label, base, inner_max - _GLYPH - 6)
            text_top = y + (line_h - fm.height()) / 2
            result.texts.append(_Text(layout, QPointF(_GLYPH + 6, text_top), muted=True))
            y += line_h
            widest = max(widest, _GLYPH + 6 + wide)
            last_line = _GLYPH + 6 + wide
        body = body_text(message)
        if body:
            y += 2 if label else 0
            layout, height, wide = text_layout(body, base, inner_max)
            result.texts.append(_Text(layout, QPointF(0, y)))
            y += height
            widest = max(widest, wide)
            count = layout.lineCount()
            last_line = layout.lineAt(count - 1).naturalTextWidth() if count else 0.0
        if message.footer and not outgoing:
            layout, height, wide = text_layout(message.footer, small, inner_max)
            result.texts.append(_Text(layout, QPointF(0, y + 2), muted=True))
            y += height + 2
            widest = max(widest, wide)
            last_line = wide

        # The time (and the customer's ticks): beside the last line when it fits, else below.
        result.meta_text = texts.clock(message.time)
        time_w = small_fm.horizontalAdvance(result.meta_text)
        meta_w = time_w + (_TICKS_W + 3 if outgoing else 0)
        if y > 0 and last_line + 10 + meta_w <= inner_max:
            inner_w = max(widest, last_line + 10 + meta_w)
            meta_top = y - small_fm.height()
        else:
            inner_w = max(widest, meta_w)
            meta_top = y + 1
            y += small_fm.height() + 1
        choices: list[tuple[str, str]] = [(b.id, b.title) for b in message.buttons]
        if message.list_rows:
            result.is_list = True
            choices = [("", message.list_button or self.tr("See options"))]
        if outgoing:
            choices = []
        if choices:
            inner_w = max(inner_w, min(inner_max, _MIN_BUTTONS_W - 2 * _PAD_X))

        bubble_w = inner_w + 2 * _PAD_X
        left = width - _SIDE - bubble_w if outgoing else _SIDE
        result.bubble = QRectF(left, top, bubble_w, y + 2 * _PAD_Y)
        origin = QPointF(left + _PAD_X, top + _PAD_Y)
        for item in result.texts:
            item.pos = item.pos + origin
        if result.glyph is not None:
            result.glyph = (result.glyph[0].translated(origin), result.glyph[1])
        meta_right = left + bubble_w - _PAD_X
        meta_y = origin.y() + meta_top
        if outgoing:
            result.ticks = QRectF(meta_right - _TICKS_W, meta_y, _TICKS_W, small_fm.height())
            meta_right -= _TICKS_W + 3
        result.meta = QRectF(meta_right - time_w, meta_y, time_w, small_fm.height())

        bottom = result.bubble.bottom()
        button_h = fm.height() + 16
        for button_id, title in choices:
            rect = QRectF(left, bottom + _BUTTON_GAP, bubble_w, button_h)
            result.buttons.append(PhoneButton(rect, button_id, title))
            bottom = rect.bottom()
        result.height = bottom + 2
        return result

    def button_rects(self, view: QAbstractItemView, row: int) -> list[tuple[str, QRect]]:
        """The buttons under row ``row``'s bubble in viewport coordinates (tests, a11y)."""
        model = view.model()
        index = model.index(row, 0)
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.widget = view
        option.font = view.font()
        layout = self.layout_for(option, index)
        if layout is None:
            return []
        top_left = QPointF(view.visualRect(index).topLeft())
        return [(b.button_id, b.rect.translated(top_left).toRect()) for b in layout.buttons]

    # -- painting --------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        layout = self.layout_for(option, index)
        if layout is None:
            return
        colors = chat_colors(option.palette)
        wamid = str(index.data(PhoneRole.WAMID))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(QPointF(option.rect.topLeft()))
        fill = colors.bot_bubble if layout.outgoing else colors.customer_bubble
        self._paint_box(painter, layout.bubble, fill, colors)
        painter.setPen(colors.text)
        for item in layout.texts:
            painter.setPen(colors.muted if item.muted else colors.text)
            item.layout.draw(painter, item.pos)
        if layout.glyph is not None:
            paint_glyph(painter, layout.glyph[0], layout.glyph[1], colors.muted)
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.8)
        painter.setFont(small)
        painter.setPen(colors.muted)
        painter.drawText(layout.meta, int(Qt.AlignmentFlag.AlignRight), layout.meta_text)
        if layout.ticks is not None:
            _paint_ticks(painter, layout.ticks, layout.status, colors)
        painter.setFont(option.font)
        for number, button in enumerate(layout.buttons):
            hovered = self._hover == (wamid, number)
            self._paint_box(painter, button.rect, colors.hover if hovered else fill, colors)
            self._paint_button_text(painter, button, layout.is_list, colors)
        painter.restore()

    @staticmethod
    def _paint_box(painter: QPainter, rect: QRectF, fill: QColor, colors: ChatColors) -> None:
        # A faint shadow under the bubble, as on the phone.
        shadow = QColor(0, 0, 0, 60 if colors.dark else 22)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(shadow)
        painter.drawRoundedRect(rect.translated(0, 1), _RADIUS, _RADIUS)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, _RADIUS, _RADIUS)

    @staticmethod
    def _paint_button_text(
        painter: QPainter, button: PhoneButton, is_list: bool, colors: ChatColors
    ) -> None:
        painter.setPen(colors.link)
        metrics = painter.fontMetrics()
        icon_w = 22.0 if is_list else 0.0
        title = metrics.elidedText(
            button.title, Qt.TextElideMode.ElideRight, int(button.rect.width() - 24 - icon_w)
        )
        text_w = metrics.horizontalAdvance(title)
        start = button.rect.center().x() - (text_w + icon_w) / 2
        if is_list:
            # The list icon: three short lines, as on the phone.
            pen = QPen(colors.link, 1.6)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            mid = button.rect.center().y()
            for dy in (-4.0, 0.0, 4.0):
                painter.drawLine(QPointF(start, mid + dy), QPointF(start + 12, mid + dy))
            painter.setPen(colors.link)
        text_rect = QRectF(start + icon_w, button.rect.top(), text_w + 2, button.rect.height())
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter), title)

    # -- clicks ----------------------------------------------------------------------------

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        if not isinstance(event, QMouseEvent) or event.type() not in (
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseMove,
        ):
            return False
        layout = self.layout_for(option, index)
        if layout is None:
            return False
        point = event.position() - QPointF(option.rect.topLeft())
        hit = next((n for n, b in enumerate(layout.buttons) if b.rect.contains(point)), None)
        wamid = str(index.data(PhoneRole.WAMID))
        view = option.widget
        if event.type() == QEvent.Type.MouseMove:
            hover = (wamid, hit) if hit is not None else None
            if hover != self._hover:
                self._hover = hover
                if isinstance(view, QAbstractItemView):
                    cursor = (
                        Qt.CursorShape.PointingHandCursor
                        if hover is not None
                        else Qt.CursorShape.ArrowCursor
                    )
                    view.viewport().setCursor(cursor)
                    view.viewport().update()
            return False
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            return False
        button = layout.buttons[hit]
        if layout.is_list:
            below = button.rect.bottomLeft() + QPointF(option.rect.topLeft())
            global_pos = (
                view.viewport().mapToGlobal(below.toPoint())
                if isinstance(view, QAbstractItemView)
                else event.globalPosition().toPoint()
            )
            self.list_opened.emit(wamid, global_pos)
        else:
            self.button_tapped.emit(wamid, button.button_id, button.title)
        return True

    def clear_hover(self) -> None:
        """The mouse left the view."""
        self._hover = None


def _paint_ticks(painter: QPainter, rect: QRectF, status: str, colors: ChatColors) -> None:
    """Clock while sending, two ticks once delivered (blue once read), a red mark if refused."""
    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    mid_y = rect.center().y() + 0.5
    if status == "failed":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.failed)
        centre = QPointF(rect.left() + 8, mid_y)
        painter.drawEllipse(centre, 6.0, 6.0)
        pen = QPen(QColor("#ffffff"), 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(centre + QPointF(0, -3), centre + QPointF(0, 0.8))
        painter.drawPoint(centre + QPointF(0, 3))
    elif status == "pending":
        pen = QPen(colors.muted, 1.2)
        painter.setPen(pen)
        centre = QPointF(rect.left() + 8, mid_y)
        painter.drawEllipse(centre, 5.0, 5.0)
        painter.drawLine(centre, centre + QPointF(0, -3))
        painter.drawLine(centre, centre + QPointF(2.5, 0))
    else:
        color = colors.tick_read if status == "read" else colors.tick
        pen = QPen(color, 1.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for dx in (0.0, 5.0):
            path = QPainterPath(QPointF(rect.left() + 1 + dx, mid_y))
            path.lineTo(rect.left() + 4.5 + dx, mid_y + 3.5)
            path.lineTo(rect.left() + 11.5 + dx, mid_y - 4)
            painter.drawPath(path)
    painter.restore()
