"""The main window: the monitor, the global pause switch, tray, notifications and status bar.

In simulator mode the window also shows the simulator banner and the customer's phone pane. The
window outlives a switch between live and simulator mode: :meth:`MainWindow.detach_core` stops
the parts that talk to the old core and :meth:`MainWindow.attach_core` builds them again for the
new one (whoever runs the app does the switching; see ``gui/app_session.py``).

On a staff PC connected to the shop's server (issue 16, :meth:`MainWindow.set_shop`) the mode
button and the status bar say "Connected to the shop: host/db", the practice/live switch and the
bot's knowledge are the server's business (hidden), and a banner shows while the server does not
answer; when it answers again the lists are read again. The pause switch stays: it is a shop
setting, and the server's bot and every other PC follow it at once (SettingsChanged).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from wabot_desktop import APP_NAME
from wabot_desktop.core import events
from wabot_desktop.core.dto import GraphState, HealthSnapshot
from wabot_desktop.core.session import ShopConnectionChanged
from wabot_desktop.core.simulator import Simulator
from wabot_desktop.gui.actions import async_slot, confirm, exec_dialog, run_action
from wabot_desktop.gui.bridge import CoreBridge
from wabot_desktop.gui.main_window_view import MainWindowView
from wabot_desktop.gui.notifications import Notifier
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.settings.shop_page import ShopControl
from wabot_desktop.gui.settings_dialog import SettingsDialog
from wabot_desktop.gui.shop_banner import ShopBanner, ShopStatus
from wabot_desktop.gui.simulator.style import simulator_stylesheet
from wabot_desktop.gui.tasks import TaskOwner
from wabot_desktop.gui.theme import stylesheet
from wabot_desktop.gui.tray import TrayIcon
from wabot_desktop.gui.widgets.icons import app_icon, make_icon

if TYPE_CHECKING:
    from wabot_desktop.core.setup_flow import SetupFlow, StepId
    from wabot_desktop.gui.prompt_editor import PromptEditorWindow
    from wabot_desktop.gui.settings.service import SettingsService
    from wabot_desktop.gui.wizard import SetupWizard

logger = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The window the shop lives in.

    Closing it keeps the bot running in the tray (when the desktop has one); "Quit" in the tray
    menu emits ``quit_requested``, and whoever runs the app stops the core and exits.

    Signals:
        quit_requested(): the user chose to quit WaBot.
        paused_changed(bool): the global pause switch changed (from any source).
        mode_switch_requested(bool): the user chose simulator (True) or live (False) mode.
        simulator_reset_requested(): the user confirmed deleting the practice data.
        backup_requested(): the user chose "Back up…" in the app menu.
        restore_requested(): the user chose "Restore from a backup…" in the app menu.
        about_requested(): the user chose "About WaBot" in the app menu.
        credentials_changed(): the wizard stored new credentials while live (restart the core).
    """

    quit_requested = Signal()
    paused_changed = Signal(bool)
    mode_switch_requested = Signal(bool)
    simulator_reset_requested = Signal()
    backup_requested = Signal()
    restore_requested = Signal()
    about_requested = Signal()
    credentials_changed = Signal()

    def __init__(
        self,
        service: MonitorService,
        *,
        bridge: CoreBridge | None = None,
        enable_tray: bool = True,
        simulator: Simulator | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setMinimumSize(960, 600)
        self.resize(1280, 760)
        self._tasks = TaskOwner("main-window")
        self._quitting = False
        self._started = False
        self._paused = False
        self._unread = 0
        self._live_available = False
        # Builds the wizard's flow over the live profile (set by whoever runs the app).
        self.setup_flow_factory: Callable[[], Awaitable[SetupFlow]] | None = None
        self.wizard: SetupWizard | None = None
        self._token_offer_shown = False
        # A staff PC (issue 16): the session's shop controls and the server this PC works on.
        self._shop_control: ShopControl | None = None
        self._shop_label: str | None = None
        self._shop_connected = True
        self.tray: TrayIcon | None = TrayIcon(self) if enable_tray else None
        self._install(service, bridge, simulator)
        self._connect_window_signals()
        self._apply_style()

    def _install(
        self, service: MonitorService, bridge: CoreBridge | None, simulator: Simulator | None
    ) -> None:
        """Build the parts that talk to one core: bridge, view, notifier."""
        self._service = service
        self.simulator = simulator is not None
        self.bridge = bridge if bridge is not None else CoreBridge(service.hub, self)
        self.view = MainWindowView(self, service, simulator)
        self.monitor = self.view.monitor
        self.status_bar = self.view.status_bar
        self.phone_pane = self.view.phone_pane
        self.prompt_editor: PromptEditorWindow | None = None
        self.notifier = Notifier(service, self, self.tray, self)
        self.notifier.open_conversation = lambda: self.monitor.conversation.conversation_id
        self.shop_banner = ShopBanner(self.view)
        view_layout = self.view.layout()
        if isinstance(view_layout, QVBoxLayout):
            shop_host = QVBoxLayout()
            shop_host.setContentsMargins(8, 6, 8, 0)
            shop_host.addWidget(self.shop_banner)
            view_layout.insertLayout(0, shop_host)
        self.shop_status = ShopStatus(self.status_bar)
        self.status_bar.addPermanentWidget(self.shop_status)
        # In shop mode the mode menu's one entry: the page that connects and disconnects.
        self.shop_settings_action = QAction(self.tr("Shop server settings…"), self.view.mode_menu)
        self.shop_settings_action.setObjectName("shopSettingsAction")
        self.shop_settings_action.setVisible(False)
        self.view.mode_menu.addAction(self.shop_settings_action)
        self.shop_settings_action.triggered.connect(self._on_shop_settings_triggered)
        self._connect_signals()
        self._show_paused(service.is_paused())
        self._show_mode()

    def _connect_signals(self) -> None:
        # Core events
        self.monitor.connect_bridge(self.bridge)
        self.status_bar.connect_bridge(self.bridge)
        if self.phone_pane is not None:
            self.phone_pane.connect_bridge(self.bridge)
        self.bridge.handoff_requested.connect(self.notifier.on_handoff_requested)
        self.bridge.message_received.connect(self.notifier.on_message_received)
        self.bridge.bot_pause_changed.connect(self._show_paused)
        # Toolbar and banners
        self.view.pause_button.clicked.connect(self._on_pause_button_clicked)
        self.view.resume_button.clicked.connect(self._on_resume_button_clicked)
        self.view.settings_action.triggered.connect(self._on_settings_action_triggered)
        self.view.knowledge_action.triggered.connect(self._on_knowledge_action_triggered)
        self.view.simulator_action.triggered.connect(self._on_simulator_action_triggered)
        self.view.live_action.triggered.connect(self._on_live_action_triggered)
        self.view.live_button.clicked.connect(self._on_live_action_triggered)
        self.view.reset_simulator_action.triggered.connect(
            self._on_reset_simulator_action_triggered
        )
        self.view.backup_action.triggered.connect(self.backup_requested)
        self.view.restore_action.triggered.connect(self.restore_requested)
        self.view.about_action.triggered.connect(self.about_requested)
        self.view.setup_action.triggered.connect(self._on_setup_action_triggered)
        self.bridge.event_received.connect(self._on_core_event)
        # Notifications and the window title
        self.notifier.open_requested.connect(self.open_conversation)
        self.monitor.chat_list.counts_changed.connect(self._on_counts_changed)
        self.status_bar.health_changed.connect(self._on_health_changed)

    def _connect_window_signals(self) -> None:
        # The tray outlives a switch of mode, so it is connected once.
        if self.tray is not None:
            self.tray.open_requested.connect(self.raise_window)
            self.tray.quit_requested.connect(self.request_quit)
            self.tray.pause_toggled.connect(self._on_tray_pause_toggled)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Load everything and start listening to the core."""
        self.monitor.start()
        self.status_bar.start()
        if self.phone_pane is not None:
            self.phone_pane.start()
            # Practice starts by typing as a customer: the cursor waits in the phone's box.
            self.phone_pane.view.edit.setFocus()
        self.bridge.start_delivery()
        self._started = True
        if self.tray is not None and self.tray.available():
            self.tray.show()

    def shutdown(self) -> None:
        """Stop timers and background tasks (before the core stops)."""
        self.detach_core()
        self._tasks.close()
        if self.tray is not None:
            self.tray.hide()

    def detach_core(self) -> None:
        """Stop every part that talks to the core (it is about to stop); the window stays."""
        self.status_bar.stop()
        self.monitor.close_monitor()
        if self.phone_pane is not None:
            self.phone_pane.close_pane()
        self.notifier.close()
        self.bridge.close()
        if self.prompt_editor is not None:  # it edits the old core's knowledge
            self.prompt_editor.close()
            self.prompt_editor.deleteLater()
            self.prompt_editor = None
        self._started = False
        # Greyed out until attach_core: the old chats can be seen but not acted on.
        self.view.setEnabled(False)

    def attach_core(self, service: MonitorService, simulator: Simulator | None) -> None:
        """Rebuild the monitor, phone pane, status bar and notifier for a newly started core."""
        if self._started:
            self.detach_core()
        old_view, old_bridge, old_notifier = self.view, self.bridge, self.notifier
        self.removeToolBar(old_view.toolbar)
        old_view.toolbar.deleteLater()
        # setCentralWidget and setStatusBar delete the old view and status bar.
        self._install(service, None, simulator)
        old_notifier.deleteLater()
        old_bridge.deleteLater()
        self._apply_style()
        self.start()

    def set_setup_flow_factory(self, factory: Callable[[], Awaitable[SetupFlow]] | None) -> None:
        """How to build the wizard's flow over the live profile (enables "Connect WhatsApp")."""
        self.setup_flow_factory = factory
        self._show_mode()

    def set_shop_control(self, control: ShopControl | None) -> None:
        """The session's shop controls (the settings' "Shop server" page uses them)."""
        self._shop_control = control

    def set_shop(self, label: str | None, connected: bool = True) -> None:
        """``host/database`` while this PC works on the shop's server (None: it runs the bot)."""
        self._shop_label = label
        self._shop_connected = connected
        self._show_mode()

    @property
    def shop_label(self) -> str | None:
        return self._shop_label

    @property
    def live_available(self) -> bool:
        """True when live WhatsApp credentials exist (live mode can start)."""
        return self._live_available

    def set_live_available(self, available: bool) -> None:
        """Whether live WhatsApp credentials exist; enables the switch to live mode."""
        self._live_available = available
        self._show_mode()

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
        self._unread = unread
        self._show_title()

    def _show_title(self) -> None:
        title = APP_NAME
        if self.simulator:
            title = self.tr("{app} (practice mode)").format(app=APP_NAME)
        if self._unread:
            title = f"({self._unread}) {title}"
        self.setWindowTitle(title)

    def _on_health_changed(self, health: object) -> None:
        if self.tray is not None and isinstance(health, HealthSnapshot):
            self.tray.set_state(
                connected=health.graph in (GraphState.OK, GraphState.SANDBOX, GraphState.UNKNOWN)
            )
        if not isinstance(health, HealthSnapshot):
            return
        token_rejected = (
            health.graph is GraphState.BLOCKED and health.sending_blocked_reason == "AuthError"
        )
        if token_rejected and not self._token_offer_shown and self.wizard is None:
            self._token_offer_shown = True
            self._tasks.spawn(self._offer_token_step(), name="token-offer")
        elif health.graph is not GraphState.BLOCKED:
            self._token_offer_shown = False

    # -- settings ------------------------------------------------------------------------------

    @async_slot()
    async def _on_settings_action_triggered(self) -> None:
        await self.open_settings()

    @async_slot()
    async def _on_shop_settings_triggered(self) -> None:
        await self.open_settings(shop_page=True)

    async def open_settings(self, *, shop_page: bool = False) -> None:
        """The settings dialog (on its "Shop server" page with ``shop_page``)."""
        dialog = SettingsDialog(self._service, self, shop=self._shop_control)
        if shop_page and dialog.shop_page is not None:
            dialog.tabs.setCurrentWidget(dialog.shop_page)
        dialog.load()
        dialog.labels_changed.connect(self._on_settings_labels_changed)
        dialog.saved.connect(self._on_settings_saved)
        await exec_dialog(dialog)
        dialog.deleteLater()
        await self.monitor.reload_quick_replies()
        if self.phone_pane is not None:
            self.phone_pane.refresh_business_name()

    @async_slot()
    async def _on_knowledge_action_triggered(self) -> None:
        from wabot_desktop.gui.prompt_editor import KnowledgeService, PromptEditorWindow

        if self.prompt_editor is None:
            self.prompt_editor = PromptEditorWindow(cast(KnowledgeService, self._service), self)
            self.prompt_editor.setWindowFlag(Qt.WindowType.Window, True)
            self.prompt_editor.resize(1366, 768)
            await self.prompt_editor.load()
        self.prompt_editor.show()
        self.prompt_editor.raise_()
        self.prompt_editor.activateWindow()

    # -- live and simulator mode ----------------------------------------------------------

    def _show_mode(self) -> None:
        view = self.view
        simulator = self.simulator
        mode_name = self.tr("Practice mode") if simulator else self.tr("Real WhatsApp")
        view.mode_button.setText(mode_name)
        view.mode_button.setProperty("simulator", simulator)
        view.mode_button.style().unpolish(view.mode_button)
        view.mode_button.style().polish(view.mode_button)
        view.simulator_action.setChecked(simulator)
        view.live_action.setChecked(not simulator)
        can_connect = self.setup_flow_factory is not None
        view.live_action.setEnabled(self._live_available or not simulator or can_connect)
        if self._live_available or not simulator:
            view.live_action.setToolTip(self.tr("Answer your real customers on WhatsApp"))
        elif can_connect:
            view.live_action.setToolTip(
                self.tr(
                    "No WhatsApp Business number is connected yet: the setup assistant connects it."
                )
            )
        else:
            view.live_action.setToolTip(
                self.tr(
                    "No WhatsApp Business number is connected to WaBot yet, so only practice "
                    "mode is available."
                )
            )
        view.live_button.setVisible(simulator and self._live_available)
        view.show_live_hint(live_available=self._live_available)
        view.setup_action.setText(
            self.tr("Set up WhatsApp…") if self._live_available else self.tr("Connect WhatsApp…")
        )
        view.simulator_banner.setVisible(simulator)
        self._show_shop()
        self._show_title()

    def _show_shop(self) -> None:
        view = self.view
        label = self._shop_label
        staff_pc = label is not None
        self.shop_status.setVisible(staff_pc)
        for indicator in (self.status_bar.whatsapp, self.status_bar.tunnel, self.status_bar.llm):
            indicator.setVisible(not staff_pc)
        # The server's bot: its knowledge is edited on the server (its pause from any PC).
        view.knowledge_action.setVisible(not staff_pc)
        for action in (view.live_action, view.simulator_action, view.reset_simulator_action):
            action.setVisible(not staff_pc)
        view.setup_action.setVisible(not staff_pc)
        # The shop's data is backed up on the server (pg_dump), not from a staff PC.
        view.backup_action.setVisible(not staff_pc)
        view.restore_action.setVisible(not staff_pc)
        self.shop_settings_action.setVisible(staff_pc)
        if label is None:
            self.shop_banner.show_up()
            return
        view.mode_button.setText(self.tr("Shop: {where}").format(where=label))
        view.mode_button.setToolTip(
            self.tr(
                "This PC is connected to the shop's server. To run the bot on this PC again, "
                "open Settings, “Shop server”."
            )
        )
        self.shop_status.show_link(label, self._shop_connected)
        if self._shop_connected:
            self.shop_banner.show_up()

    def _on_shop_connection_changed(self, event: ShopConnectionChanged) -> None:
        self._shop_connected = event.connected
        if self._shop_label is None:
            return
        self.shop_status.show_link(self._shop_label, event.connected)
        if not event.connected:
            self.shop_banner.show_down(self._shop_label, event.retry_in)
            return
        self.shop_banner.show_up()
        # Back after a drop (or listening again): notifications sent meanwhile were missed, so
        # the lists are read again (a takeover made on another PC meanwhile shows).
        self.monitor.chat_list.model.reload()
        self.monitor.conversation.refresh_summary()
        self.status_bar.refresh()

    @async_slot()
    async def _on_simulator_action_triggered(self) -> None:
        if self.simulator:
            self._show_mode()  # already practising: keep the check mark where it was
            return
        # Only one core runs at a time: while practising, the live bot is stopped.
        accepted = await confirm(
            self,
            title=self.tr("Switch to practice mode?"),
            text=self.tr(
                "While you practise, the bot does not answer your real WhatsApp customers."
            ),
            informative=self.tr(
                "WhatsApp keeps trying to deliver their messages, so the bot answers them after "
                "you switch back to real WhatsApp. Your real chats and settings are not changed."
            ),
            accept_text=self.tr("Practise"),
            cancel_text=self.tr("Cancel"),
        )
        if accepted:
            self.mode_switch_requested.emit(True)
        else:
            self._show_mode()

    def _on_live_action_triggered(self) -> None:
        if not self.simulator:
            self._show_mode()
            return
        if self._live_available:
            self.mode_switch_requested.emit(False)
        else:
            # Nothing connected yet: the wizard connects WhatsApp, then goes live.
            self._show_mode()
            self._tasks.spawn(self.open_setup_wizard(), name="setup-wizard")

    # -- the going-live wizard ----------------------------------------------------------------

    @async_slot()
    async def _on_setup_action_triggered(self) -> None:
        await self.open_setup_wizard()

    async def open_setup_wizard(self, start_at: StepId | None = None) -> bool:
        """Open the wizard (pre-filled); True when it finished and the app goes live.

        In practice mode success emits ``mode_switch_requested(False)``; while live, the steps
        that need the webhook port are skipped and success emits ``credentials_changed``.
        """
        # Imported on first use: the wizard is not needed to start the app.
        from wabot_desktop.core.setup_flow import StepId
        from wabot_desktop.gui.wizard import SetupWizard

        if self.wizard is not None:
            self.wizard.raise_()
            self.wizard.activateWindow()
            return False
        if self.setup_flow_factory is None:
            self.status_bar.showMessage(self.tr("The setup assistant is not available here."), 8000)
            return False
        flow = await run_action(self.view.setup_action, self.setup_flow_factory(), parent=self)
        if flow is None:
            return False
        live = not self.simulator
        skip = (StepId.PUBLIC_ADDRESS, StepId.CONNECT_META) if live else ()
        wizard = SetupWizard(
            flow,
            start_at=start_at or StepId.WELCOME,
            skip=skip,
            service=cast("SettingsService", self._service),  # the voice-model picker's facade
            parent=self,
        )
        self.wizard = wizard
        try:
            await exec_dialog(wizard)
        finally:
            self.wizard = None
            await wizard.wait_closed()
            # Stops the wizard's own server and tunnel before the live core takes the port.
            await flow.aclose()
            wizard.deleteLater()
        if not wizard.went_live:
            return False
        self.set_live_available(True)
        if live:
            self.credentials_changed.emit()
        else:
            self.mode_switch_requested.emit(False)
        return True

    async def _offer_token_step(self) -> None:
        accepted = await confirm(
            self,
            title=self.tr("WhatsApp rejected the access token"),
            text=self.tr(
                "The access token expired or was revoked, so sending has stopped. The waiting "
                "replies are kept and go out once a new token is stored."
            ),
            informative=self.tr("Open the setup assistant at the token step?"),
            accept_text=self.tr("Enter a new token"),
            cancel_text=self.tr("Later"),
        )
        if accepted:
            from wabot_desktop.core.setup_flow import StepId

            await self.open_setup_wizard(StepId.META_APP)

    def _on_core_event(self, event: object) -> None:
        if isinstance(event, ShopConnectionChanged):
            self._on_shop_connection_changed(event)
        elif isinstance(event, events.TokenExpiring):
            when = datetime.fromtimestamp(event.expires_at).strftime("%Y-%m-%d")
            text = self.tr(
                "The WhatsApp access token expires on {date}. Create a new one in the setup "
                "assistant (Real WhatsApp menu) before then, or the bot stops answering."
            ).format(date=when)
            self.status_bar.showMessage(text)
            if self.tray is not None:
                self.tray.show_message(self.tr("The WhatsApp token expires soon"), text)
        elif isinstance(event, events.TokenRefreshed):
            self.status_bar.showMessage(
                self.tr("The WhatsApp access token was renewed with Meta."), 15000
            )

    @async_slot()
    async def _on_reset_simulator_action_triggered(self) -> None:
        accepted = await confirm(
            self,
            title=self.tr("Clear practice data?"),
            text=self.tr("Delete every practice customer, chat and setting?"),
            informative=self.tr(
                "Practice mode starts again as on the first day. Your real WhatsApp chats and "
                "settings are not touched."
            ),
            accept_text=self.tr("Clear practice data"),
            cancel_text=self.tr("Cancel"),
            destructive=True,
        )
        if accepted:
            self.simulator_reset_requested.emit()

    @async_slot()
    async def _on_settings_labels_changed(self) -> None:
        await self.monitor.reload_labels()

    def _on_settings_saved(self, name: str, _language: str) -> None:
        self.monitor.set_staff_name(name)

    def _apply_style(self) -> None:
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else self.palette()
        self.setStyleSheet(stylesheet(palette) + simulator_stylesheet(palette))


def show_fatal(message: str) -> None:
    """A blocking error box before the event loop runs (start-up failures)."""
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, message)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
