"""The main window: the monitor, the global pause switch, tray, notifications and status bar."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from wabot_desktop import APP_NAME
from wabot_desktop.core.dto import HealthSnapshot
from wabot_desktop.gui.actions import async_slot, exec_dialog, run_action
from wabot_desktop.gui.bridge import CoreBridge
from wabot_desktop.gui.main_window_view import MainWindowView
from wabot_desktop.gui.notifications import Notifier
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.settings_dialog import SettingsDialog
from wabot_desktop.gui.tasks import TaskOwner
from wabot_desktop.gui.theme import stylesheet
from wabot_desktop.gui.tray import TrayIcon
from wabot_desktop.gui.widgets.icons import app_icon, make_icon

logger = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The window the shop lives in.

    Closing it keeps the bot running in the tray (when the desktop has one); "Quit" in the tray
    menu emits ``quit_requested``, and whoever runs the app stops the core and exits.

    Signals:
        quit_requested(): the user chose to quit WaBot.
        paused_changed(bool): the global pause switch changed (from any source).
    """

    quit_requested = Signal()
    paused_changed = Signal(bool)

    def __init__(
        self,
        service: MonitorService,
        *,
        bridge: CoreBridge | None = None,
        enable_tray: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setMinimumSize(960, 600)
        self.resize(1280, 760)
        self._service = service
        self._tasks = TaskOwner("main-window")
        self._quitting = False
        self.bridge = bridge if bridge is not None else CoreBridge(service.hub, self)
        self.view = MainWindowView(self, service)
        self.monitor = self.view.monitor
        self.status_bar = self.view.status_bar
        self.tray: TrayIcon | None = TrayIcon(self) if enable_tray else None
        self.notifier = Notifier(service, self, self.tray, self)
        self.notifier.open_conversation = lambda: self.monitor.conversation.conversation_id
        self._paused = False
        self._connect_signals()
        self._apply_style()
        self._show_paused(service.is_paused())

    def _connect_signals(self) -> None:
        # Core events
        self.monitor.connect_bridge(self.bridge)
        self.status_bar.connect_bridge(self.bridge)
        self.bridge.handoff_requested.connect(self.notifier.on_handoff_requested)
        self.bridge.message_received.connect(self.notifier.on_message_received)
        self.bridge.bot_pause_changed.connect(self._show_paused)
        # Toolbar and banner
        self.view.pause_button.clicked.connect(self._on_pause_button_clicked)
        self.view.resume_button.clicked.connect(self._on_resume_button_clicked)
        self.view.settings_action.triggered.connect(self._on_settings_action_triggered)
        # Tray and notifications
        self.notifier.open_requested.connect(self.open_conversation)
        self.monitor.chat_list.counts_changed.connect(self._on_counts_changed)
        self.status_bar.health_changed.connect(self._on_health_changed)
        if self.tray is not None:
            self.tray.open_requested.connect(self.raise_window)
            self.tray.quit_requested.connect(self.request_quit)
            self.tray.pause_toggled.connect(self._on_tray_pause_toggled)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Load everything and start listening to the core."""
        self.monitor.start()
        self.status_bar.start()
        self.bridge.start_delivery()
        if self.tray is not None and self.tray.available():
            self.tray.show()

    def shutdown(self) -> None:
        """Stop timers and background tasks (before the core stops)."""
        self.status_bar.stop()
        self.monitor.close_monitor()
        self.notifier.close()
        self._tasks.close()
        self.bridge.close()
        if self.tray is not None:
            self.tray.hide()

    def request_quit(self) -> None:
        self._quitting = True
        self.quit_requested.emit()

    def raise_window(self) -> None:
        """Show the window in front (tray click, second launch, notification)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def open_conversation(self, conversation_id: int) -> None:
        self.raise_window()
        self.monitor.open_conversation(conversation_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._quitting or self.tray is None or not self.tray.available():
            # Without a tray the window is the only way back, so closing it quits WaBot.
            event.accept()
            if not self._quitting:
                self.request_quit()
            return
        event.ignore()
        self.hide()
        self._tasks.spawn(self._hint_tray_once(), name="tray-hint")

    async def _hint_tray_once(self) -> None:
        if await self._service.get_setting("close_to_tray_hint_shown"):
            return
        assert self.tray is not None
        self.tray.show_message(
            self.tr("WaBot keeps answering"),
            self.tr(
                "The bot keeps answering your customers in the background. To open WaBot again, "
                'click its icon here. To stop the bot, choose "Quit" in the icon\'s menu.'
            ),
        )
        await self._service.set_setting("close_to_tray_hint_shown", True)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_style()
            self._show_paused(self._paused)
        super().changeEvent(event)

    # -- pause ---------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def _show_paused(self, paused: bool) -> None:
        self._paused = paused
        button = self.view.pause_button
        button.blockSignals(True)
        button.setChecked(paused)
        button.blockSignals(False)
        color = self.palette().color(QPalette.ColorRole.WindowText)
        # The button says what a click does; its colour and the banner say the state.
        if paused:
            button.setText(self.tr("Resume bot"))
            button.setIcon(make_icon("play", color))
            button.setToolTip(self.tr("The bot is paused. Click to let it answer customers again."))
        else:
            button.setText(self.tr("Pause bot"))
            button.setIcon(make_icon("pause", color))
            button.setToolTip(self.tr("The bot is answering. Click to pause it in every chat."))
        self.view.pause_banner.setVisible(paused)
        if self.tray is not None:
            self.tray.set_state(paused=paused)
        self.paused_changed.emit(paused)

    async def set_paused(self, paused: bool) -> None:
        """Pause or resume the bot everywhere (the UI follows the core's event)."""
        await run_action(
            [self.view.pause_button, self.view.resume_button],
            self._service.set_global_pause(paused),
            parent=self,
        )
        self._show_paused(self._service.is_paused())

    @async_slot()
    async def _on_pause_button_clicked(self) -> None:
        await self.set_paused(not self._paused)

    @async_slot()
    async def _on_resume_button_clicked(self) -> None:
        await self.set_paused(False)

    @async_slot(bool)
    async def _on_tray_pause_toggled(self, paused: bool) -> None:
        await self.set_paused(paused)

    # -- tray state ----------------------------------------------------------------------------

    def _on_counts_changed(self, unread: int, waiting: int) -> None:
        if self.tray is not None:
            self.tray.set_state(unread=unread, waiting=waiting)
        title = APP_NAME
        if unread:
            title = f"({unread}) {APP_NAME}"
        self.setWindowTitle(title)

    def _on_health_changed(self, health: object) -> None:
        if self.tray is not None and isinstance(health, HealthSnapshot):
            self.tray.set_state(connected=health.graph in ("ok", "sandbox", "unknown"))

    # -- settings ------------------------------------------------------------------------------

    @async_slot()
    async def _on_settings_action_triggered(self) -> None:
        dialog = SettingsDialog(self._service, self)
        dialog.load()
        dialog.labels_changed.connect(self._on_settings_labels_changed)
        dialog.saved.connect(self._on_settings_saved)
        await exec_dialog(dialog)
        dialog.deleteLater()
        await self.monitor.reload_quick_replies()

    @async_slot()
    async def _on_settings_labels_changed(self) -> None:
        await self.monitor.reload_labels()

    def _on_settings_saved(self, name: str, _language: str) -> None:
        self.monitor.set_staff_name(name)

    def _apply_style(self) -> None:
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else self.palette()
        self.setStyleSheet(stylesheet(palette))


def show_fatal(message: str) -> None:
    """A blocking error box before the event loop runs (start-up failures)."""
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, message)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
