"""System tray icon: status at a glance, and the way back to the window or out of the app."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from wabot_desktop.gui.widgets.icons import STATUS_OK, STATUS_PAUSED, STATUS_PROBLEM, status_icon

logger = logging.getLogger(__name__)


class TrayIcon(QObject):
    """Wraps QSystemTrayIcon with WaBot's menu and status.

    Signals:
        open_requested(): show the main window.
        quit_requested(): quit WaBot (the bot stops).
        pause_toggled(bool): the "Pause bot" menu item was toggled.
        message_clicked(): the last notification balloon was clicked.
    """

    open_requested = Signal()
    quit_requested = Signal()
    pause_toggled = Signal(bool)
    message_clicked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(self)
        self.icon.setObjectName("trayIcon")
        self.menu = QMenu()
        self.open_action = QAction(self.tr("Open WaBot"), self.menu)
        self.pause_action = QAction(self.tr("Pause bot"), self.menu)
        self.pause_action.setCheckable(True)
        self.quit_action = QAction(self.tr("Quit WaBot (the bot stops)"), self.menu)
        self.menu.addAction(self.open_action)
        self.menu.addAction(self.pause_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.paused = False
        self.connected = True
        self.unread = 0
        self.waiting = 0
        self._shown_dot: object = None  # the dot the icon was last drawn with
        self.open_action.triggered.connect(self.open_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self.pause_action.toggled.connect(self._on_pause_action_toggled)
        self.icon.activated.connect(self._on_icon_activated)
        self.icon.messageClicked.connect(self.message_clicked)
        self._update()

    @staticmethod
    def available() -> bool:
        """True when the desktop has a system tray (not on some Linux desktops, nor offscreen)."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_state(
        self,
        *,
        paused: bool | None = None,
        connected: bool | None = None,
        unread: int | None = None,
        waiting: int | None = None,
    ) -> None:
        """Update the icon's dot and tooltip."""
        if paused is not None:
            self.paused = paused
        if connected is not None:
            self.connected = connected
        if unread is not None:
            self.unread = unread
        if waiting is not None:
            self.waiting = waiting
        self._update()

    def tooltip(self) -> str:
        return self.icon.toolTip()

    def show_message(self, title: str, body: str) -> None:
        self.icon.showMessage(title, body, self.icon.icon(), 10_000)

    def _update(self) -> None:
        if not self.connected:
            dot = STATUS_PROBLEM
        elif self.paused:
            dot = STATUS_PAUSED
        else:
            dot = STATUS_OK
        if dot != self._shown_dot:  # counts change with every message; the dot rarely does
            self._shown_dot = dot
            self.icon.setIcon(status_icon(dot))
        parts = [
            self.tr("Bot paused") if self.paused else self.tr("Bot answering"),
            self.tr("connected") if self.connected else self.tr("not connected"),
        ]
        if self.unread:
            parts.append(self.tr("%n chat(s) unread", "", self.unread))
        if self.waiting:
            parts.append(self.tr("%n waiting for a person", "", self.waiting))
        tooltip = "WaBot — " + " · ".join(parts)
        if tooltip != self.icon.toolTip():
            self.icon.setToolTip(tooltip)
        self.pause_action.blockSignals(True)
        self.pause_action.setChecked(self.paused)
        self.pause_action.blockSignals(False)

    def _on_pause_action_toggled(self, checked: bool) -> None:
        self.pause_toggled.emit(checked)

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()
