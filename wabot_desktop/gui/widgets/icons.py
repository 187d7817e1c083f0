"""Small vector glyphs painted with QPainter (no icon font or theme needed on any OS).

The same drawings serve toolbar icons (:func:`make_icon`) and the media cards the bubble delegate
paints (:func:`paint_glyph`). Each glyph is drawn in a 24x24 box scaled to the target rect.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from wabot_desktop.core import resources


def _pen(color: QColor, width: float = 1.8) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def paint_glyph(painter: QPainter, rect: QRectF, kind: str, color: QColor) -> None:  # noqa: C901
    """Draw glyph ``kind`` inside ``rect`` (square) in ``color``."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(rect.topLeft())
    scale = min(rect.width(), rect.height()) / 24.0
    painter.scale(scale, scale)
    painter.setPen(_pen(color))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if kind == "image":
        painter.drawRoundedRect(QRectF(3, 5, 18, 14), 2, 2)
        painter.drawEllipse(QPointF(8.5, 9.5), 1.6, 1.6)
        painter.drawPolyline(
            QPolygonF(
                [
                    QPointF(4, 17),
                    QPointF(10, 12),
                    QPointF(14, 15.5),
                    QPointF(16.5, 13.5),
                    QPointF(20, 17),
                ]
            )
        )
    elif kind in ("audio", "voice"):
        painter.drawRoundedRect(QRectF(9, 3, 6, 11), 3, 3)
        path = QPainterPath(QPointF(6, 11))
        path.cubicTo(QPointF(6, 19), QPointF(18, 19), QPointF(18, 11))
        painter.drawPath(path)
        painter.drawLine(QPointF(12, 17), QPointF(12, 21))
    elif kind == "video":
        painter.drawRoundedRect(QRectF(3, 6, 13, 12), 2, 2)
        painter.drawPolygon(
            QPolygonF([QPointF(16, 10), QPointF(21, 7), QPointF(21, 17), QPointF(16, 14)])
        )
    elif kind in ("document", "template"):
        path = QPainterPath(QPointF(6, 3))
        path.lineTo(14, 3)
        path.lineTo(19, 8)
        path.lineTo(19, 21)
        path.lineTo(6, 21)
        path.closeSubpath()
        painter.drawPath(path)
        painter.drawPolyline(QPolygonF([QPointF(14, 3), QPointF(14, 8), QPointF(19, 8)]))
        painter.drawLine(QPointF(9, 12), QPointF(16, 12))
        painter.drawLine(QPointF(9, 15.5), QPointF(16, 15.5))
    elif kind == "location":
        path = QPainterPath(QPointF(12, 21))
        path.cubicTo(QPointF(5, 13), QPointF(5, 9), QPointF(6, 7))
        path.cubicTo(QPointF(8, 2), QPointF(16, 2), QPointF(18, 7))
        path.cubicTo(QPointF(19, 9), QPointF(19, 13), QPointF(12, 21))
        painter.drawPath(path)
        painter.drawEllipse(QPointF(12, 9), 2.4, 2.4)
    elif kind in ("sticker", "emoji"):
        painter.drawEllipse(QPointF(12, 12), 8.5, 8.5)
        painter.setBrush(color)
        painter.drawEllipse(QPointF(9, 10), 0.9, 0.9)
        painter.drawEllipse(QPointF(15, 10), 0.9, 0.9)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath(QPointF(8, 14))
        path.cubicTo(QPointF(9.5, 17), QPointF(14.5, 17), QPointF(16, 14))
        painter.drawPath(path)
    elif kind in ("contacts", "person"):
        painter.drawEllipse(QPointF(12, 8.5), 3.8, 3.8)
        path = QPainterPath(QPointF(4.5, 20))
        path.cubicTo(QPointF(5, 14), QPointF(19, 14), QPointF(19.5, 20))
        painter.drawPath(path)
    elif kind == "order":
        painter.drawRoundedRect(QRectF(4.5, 8, 15, 12.5), 1.5, 1.5)
        path = QPainterPath(QPointF(8.5, 10))
        path.lineTo(8.5, 6.5)
        path.cubicTo(QPointF(8.5, 2.5), QPointF(15.5, 2.5), QPointF(15.5, 6.5))
        path.lineTo(15.5, 10)
        painter.drawPath(path)
    elif kind == "send":
        painter.setBrush(color)
        painter.drawPolygon(
            QPolygonF([QPointF(3, 4), QPointF(21, 12), QPointF(3, 20), QPointF(5.5, 12)])
        )
    elif kind == "pause":
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(6, 5, 4, 14), 1, 1)
        painter.drawRoundedRect(QRectF(14, 5, 4, 14), 1, 1)
    elif kind == "play":
        painter.setBrush(color)
        painter.drawPolygon(QPolygonF([QPointF(7, 4.5), QPointF(19, 12), QPointF(7, 19.5)]))
    elif kind == "settings":
        for y, knob in ((6.0, 15.0), (12.0, 8.0), (18.0, 13.0)):
            painter.drawLine(QPointF(4, y), QPointF(20, y))
            painter.setBrush(color)
            painter.drawEllipse(QPointF(knob, y), 2.2, 2.2)
            painter.setBrush(Qt.BrushStyle.NoBrush)
    elif kind == "search":
        painter.drawEllipse(QPointF(10.5, 10.5), 6, 6)
        painter.drawLine(QPointF(15, 15), QPointF(20.5, 20.5))
    elif kind == "reply":
        path = QPainterPath(QPointF(20, 18))
        path.cubicTo(QPointF(19, 12), QPointF(15, 10), QPointF(9, 10))
        painter.drawPath(path)
        painter.drawPolyline(QPolygonF([QPointF(13, 5.5), QPointF(8.5, 10), QPointF(13, 14.5)]))
    elif kind == "close":
        painter.drawLine(QPointF(6, 6), QPointF(18, 18))
        painter.drawLine(QPointF(18, 6), QPointF(6, 18))
    elif kind == "download":
        painter.drawLine(QPointF(12, 4), QPointF(12, 15))
        painter.drawPolyline(QPolygonF([QPointF(7, 10.5), QPointF(12, 15.5), QPointF(17, 10.5)]))
        painter.drawLine(QPointF(5, 20), QPointF(19, 20))
    elif kind == "hand":
        # "take over": a raised hand, simplified to a palm with fingers
        painter.drawRoundedRect(QRectF(7, 10, 11, 10), 4, 4)
        for x in (8.5, 11.5, 14.5):
            painter.drawLine(QPointF(x, 11), QPointF(x, 4.5))
        painter.drawLine(QPointF(17, 13), QPointF(19.5, 9.5))
    elif kind == "bot":
        painter.drawRoundedRect(QRectF(4.5, 8, 15, 11), 3, 3)
        painter.drawLine(QPointF(12, 8), QPointF(12, 4.5))
        painter.setBrush(color)
        painter.drawEllipse(QPointF(12, 4), 1.3, 1.3)
        painter.drawEllipse(QPointF(9, 13), 1.3, 1.3)
        painter.drawEllipse(QPointF(15, 13), 1.3, 1.3)
    else:  # "message" and anything unknown: a speech bubble
        path = QPainterPath()
        path.addRoundedRect(QRectF(3, 4, 18, 13), 3, 3)
        painter.drawPath(path)
        painter.drawPolyline(QPolygonF([QPointF(8, 17), QPointF(7, 21), QPointF(12, 17)]))
    painter.restore()


def make_icon(kind: str, color: QColor, size: int = 24) -> QIcon:
    """A QIcon of glyph ``kind`` with 1x and 2x pixmaps."""
    icon = QIcon()
    for ratio in (1.0, 2.0):
        pixmap = QPixmap(QSize(int(size * ratio), int(size * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        paint_glyph(painter, QRectF(0, 0, size, size), kind, color)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def app_icon() -> QIcon:
    """WaBot's application icon (the bundled ``icons/wabot.svg``)."""
    return QIcon(str(resources.file_path("icons/wabot.svg")))


# Static toolbar and button glyphs use one mid grey that reads on light and dark palettes alike,
# so they need no re-drawing when the system switches scheme.
NEUTRAL = QColor("#7b8a94")

STATUS_OK = QColor("#1fa855")
STATUS_PAUSED = QColor("#f0a500")
STATUS_PROBLEM = QColor("#d93025")


def status_icon(dot: QColor | None) -> QIcon:
    """The app icon with a status dot in its lower-right corner (tray)."""
    base = app_icon()
    icon = QIcon()
    for side in (16, 22, 24, 32, 48, 64):
        pixmap = QPixmap(side, side)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base.paint(painter, 0, 0, side, side)
        if dot is not None:
            radius = side * 0.2
            centre = QPointF(side - radius - 0.5, side - radius - 0.5)
            painter.setPen(QPen(QColor("#ffffff"), max(1.0, side / 16)))
            painter.setBrush(dot)
            painter.drawEllipse(centre, radius, radius)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
