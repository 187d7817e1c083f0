"""A coloured dot and a short text, for the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

GREEN = QColor("#1fa855")
ORANGE = QColor("#e08a00")
RED = QColor("#d93025")
GREY = QColor("#8a949a")
BLUE = QColor("#2f7fd0")


class StatusIndicator(QWidget):
    """One status-bar item: ● text. ``level`` is kept for tests and styling."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(5)
        self._dot = QLabel(self)
        self._text = QLabel(self)
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self._dot)
        layout.addWidget(self._text)
        self.level = "unknown"
        self.set_state(GREY, "", level="unknown")

    def text(self) -> str:
        return self._text.text()

    def set_state(self, color: QColor, text: str, *, level: str, tooltip: str = "") -> None:
        self.level = level
        side = max(8, self.fontMetrics().height() // 2)
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(int(side * ratio), int(side * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(0, 0, side, side)
        painter.end()
        self._dot.setPixmap(pixmap)
        self._text.setText(text)
        self.setToolTip(tooltip or text)
