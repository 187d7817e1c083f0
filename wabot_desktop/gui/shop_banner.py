"""What the window shows on a staff PC connected to the shop's server (issue 16).

* :class:`ShopStatus`: the status bar's "Connected to the shop: host/db" (red while the server
  does not answer);
* :class:`ShopBanner`: the banner shown while the connection is down ("no connection, trying
  again in N s; nothing you do is saved meanwhile"), hidden again once the server answers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from wabot_desktop.gui.widgets.status_indicator import GREEN, RED, StatusIndicator


class ShopStatus(StatusIndicator):
    """The status bar's item naming the shop's server this PC works on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("statusShop", parent)

    def show_link(self, label: str, connected: bool) -> None:
        if connected:
            self.set_state(
                GREEN,
                self.tr("Connected to the shop: {where}").format(where=label),
                level="ok",
                tooltip=self.tr(
                    "This PC shows the chats of the shop's server. The bot answers on the server."
                ),
            )
        else:
            self.set_state(
                RED,
                self.tr("No connection to the shop: {where}").format(where=label),
                level="error",
                tooltip=self.tr("WaBot keeps trying to reach the shop's server."),
            )


class ShopBanner(QFrame):
    """Shown while the shop's server does not answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shopBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel(self)
        self.label.setObjectName("shopBannerLabel")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label, 1)
        self.hide()

    def show_down(self, label: str, retry_in: float | None) -> None:
        text = self.tr(
            "No connection to the shop's server ({where}). Taking chats over and sending "
            "messages do not work until it answers again; the bot keeps answering customers on "
            "the server."
        ).format(where=label)
        if retry_in is not None and retry_in >= 1:
            text += " " + self.tr("Trying again in {seconds} s…").format(seconds=round(retry_in))
        else:
            text += " " + self.tr("Trying again…")
        self.label.setText(text)
        self.show()

    def show_up(self) -> None:
        self.hide()
