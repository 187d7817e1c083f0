"""Layout of the main window: toolbar with the mode menu and the pause switch, the simulator and
pause banners, the monitor (with the customer's phone beside it in simulator mode), status bar."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core.simulator import Simulator
from wabot_desktop.gui.monitor.monitor import Monitor
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.simulator.phone_pane import PhonePane
from wabot_desktop.gui.status_bar import StatusBar
from wabot_desktop.gui.widgets.icons import NEUTRAL, app_icon, make_icon


class MainWindowView(QWidget):
    """Central widget plus the toolbar and status bar it installs on ``window``.

    With a ``simulator`` (practice mode) the simulator banner shows and the customer's phone
    pane sits beside the monitor; in live mode neither exists.
    """

    def __init__(
        self, window: QMainWindow, service: MonitorService, simulator: Simulator | None = None
    ) -> None:
        super().__init__(window)
        self.setObjectName("mainCentral")
        icon_color = NEUTRAL

        self.toolbar = QToolBar(self.tr("Main"), window)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        logo = QLabel(self.toolbar)
        logo.setPixmap(app_icon().pixmap(QSize(26, 26)))
        logo.setContentsMargins(8, 0, 4, 0)
        self.toolbar.addWidget(logo)
        title = QLabel("WaBot", self.toolbar)
        title_font = QFont(title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.2)
        title_font.setWeight(QFont.Weight.DemiBold)
        title.setFont(title_font)
        self.toolbar.addWidget(title)
        spacer = QWidget(self.toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)

        # Live WhatsApp or practice: the button shows the mode, its menu switches.
        self.mode_button = QToolButton(self.toolbar)
        self.mode_button.setObjectName("modeButton")
        self.mode_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.mode_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.mode_button.setToolTip(self.tr("Switch between your real WhatsApp and practice mode"))
        self.mode_menu = QMenu(self.mode_button)
        self.mode_menu.setObjectName("modeMenu")
        self.mode_menu.setToolTipsVisible(True)
        self.live_action = QAction(self.tr("Real WhatsApp"), self.mode_menu)
        self.live_action.setObjectName("liveAction")
        self.live_action.setCheckable(True)
        self.simulator_action = QAction(self.tr("Practice mode"), self.mode_menu)
        self.simulator_action.setObjectName("simulatorAction")
        self.simulator_action.setCheckable(True)
        self.simulator_action.setToolTip(
            self.tr("Try the bot with made-up customers. Nothing is sent to WhatsApp.")
        )
        modes = QActionGroup(self.mode_menu)
        modes.setExclusive(True)
        for action in (self.live_action, self.simulator_action):
            modes.addAction(action)
            self.mode_menu.addAction(action)
        self.mode_menu.addSeparator()
        # The going-live wizard (its text says "Connect" until credentials exist).
        self.setup_action = QAction(self.tr("Connect WhatsApp…"), self.mode_menu)
        self.setup_action.setObjectName("setupAction")
        self.mode_menu.addAction(self.setup_action)
        self.reset_simulator_action = QAction(self.tr("Clear practice data…"), self.mode_menu)
        self.reset_simulator_action.setObjectName("resetSimulatorAction")
        self.reset_simulator_action.setToolTip(
            self.tr("Delete the practice customers and chats. Real chats are not touched.")
        )
        self.mode_menu.addAction(self.reset_simulator_action)
        self.mode_button.setMenu(self.mode_menu)
        self.toolbar.addWidget(self.mode_button)
        mode_gap = QWidget(self.toolbar)
        mode_gap.setFixedWidth(8)
        self.toolbar.addWidget(mode_gap)

        self.pause_button = QToolButton(self.toolbar)
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pause_button.setIconSize(QSize(16, 16))
        self.toolbar.addWidget(self.pause_button)
        gap = QWidget(self.toolbar)
        gap.setFixedWidth(8)
        self.toolbar.addWidget(gap)
        self.settings_action = QAction(
            make_icon("settings", icon_color), self.tr("Settings"), self.toolbar
        )
        self.settings_action.setObjectName("settingsAction")
        self.toolbar.addAction(self.settings_action)
        self.knowledge_action = QAction(self.tr("Bot knowledge…"), self.toolbar)
        self.knowledge_action.setObjectName("knowledgeAction")
        self.toolbar.addAction(self.knowledge_action)
        # The app's menu: backup, restore and About.
        self.app_menu_button = QToolButton(self.toolbar)
        self.app_menu_button.setObjectName("appMenuButton")
        self.app_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.app_menu_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.app_menu_button.setText(self.tr("More"))
        self.app_menu_button.setToolTip(self.tr("Backups and information about WaBot"))
        self.app_menu = QMenu(self.app_menu_button)
        self.app_menu.setObjectName("appMenu")
        self.backup_action = QAction(self.tr("Back up…"), self.app_menu)
        self.backup_action.setObjectName("backupAction")
        self.backup_action.setToolTip(
            self.tr("Save the chats, settings and what the bot knows in one file")
        )
        self.restore_action = QAction(self.tr("Restore from a backup…"), self.app_menu)
        self.restore_action.setObjectName("restoreAction")
        self.about_action = QAction(self.tr("About WaBot"), self.app_menu)
        self.about_action.setObjectName("aboutAction")
        self.app_menu.addAction(self.backup_action)
        self.app_menu.addAction(self.restore_action)
        self.app_menu.addSeparator()
        self.app_menu.addAction(self.about_action)
        self.app_menu_button.setMenu(self.app_menu)
        self.toolbar.addWidget(self.app_menu_button)
        end_gap = QWidget(self.toolbar)
        end_gap.setFixedWidth(8)
        self.toolbar.addWidget(end_gap)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.simulator_banner = QFrame(self)
        self.simulator_banner.setObjectName("simulatorBanner")
        sim_layout = QHBoxLayout(self.simulator_banner)
        sim_layout.setContentsMargins(12, 6, 8, 6)
        sim_texts = QVBoxLayout()
        sim_texts.setSpacing(1)
        self.simulator_title = QLabel(
            self.tr("Practice mode: messages do not go out to WhatsApp"), self.simulator_banner
        )
        self.simulator_title.setObjectName("simulatorTitle")
        self.simulator_title.setWordWrap(True)
        sim_texts.addWidget(self.simulator_title)
        self.simulator_label = QLabel(self.simulator_banner)
        self.simulator_label.setObjectName("simulatorLabel")
        self.simulator_label.setWordWrap(True)
        sim_texts.addWidget(self.simulator_label)
        sim_layout.addLayout(sim_texts, 1)
        # The banner's buttons. The set-up wizard (a later feature) adds its "Connect WhatsApp"
        # button here; until then only "Use real WhatsApp", when credentials exist.
        self.simulator_buttons = QHBoxLayout()
        self.live_button = QPushButton(self.tr("Use real WhatsApp"), self.simulator_banner)
        self.live_button.setObjectName("liveButton")
        self.live_button.hide()
        self.simulator_buttons.addWidget(self.live_button)
        sim_layout.addLayout(self.simulator_buttons)
        self.show_live_hint(live_available=False)
        self.simulator_banner.setVisible(simulator is not None)
        sim_host = QVBoxLayout()
        sim_host.setContentsMargins(8, 6, 8, 0)
        sim_host.addWidget(self.simulator_banner)
        layout.addLayout(sim_host)
        self.pause_banner = QFrame(self)
        self.pause_banner.setObjectName("pauseBanner")
        banner = QHBoxLayout(self.pause_banner)
        banner.setContentsMargins(12, 6, 8, 6)
        self.pause_label = QLabel(
            self.tr(
                "The bot is paused: customers get no automatic answers. You and your team can "
                "still answer from here."
            ),
            self.pause_banner,
        )
        self.pause_label.setWordWrap(True)
        banner.addWidget(self.pause_label, 1)
        self.resume_button = QPushButton(self.tr("Resume bot"), self.pause_banner)
        self.resume_button.setObjectName("resumeButton")
        banner.addWidget(self.resume_button)
        self.pause_banner.hide()
        banner_host = QVBoxLayout()
        banner_host.setContentsMargins(8, 6, 8, 0)
        banner_host.addWidget(self.pause_banner)
        layout.addLayout(banner_host)

        self.content_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.content_splitter.setObjectName("contentSplitter")
        self.content_splitter.setChildrenCollapsible(False)
        self.monitor = Monitor(service, self.content_splitter)
        self.content_splitter.addWidget(self.monitor)
        self.phone_pane: PhonePane | None = None
        if simulator is not None:
            self.phone_pane = PhonePane(service, simulator, self.content_splitter)
            self.phone_pane.setMinimumWidth(300)
            self.content_splitter.addWidget(self.phone_pane)
            self.content_splitter.setStretchFactor(0, 1)
            self.content_splitter.setStretchFactor(1, 0)
            # At 1366 px the open chat's header still needs room for its buttons: the chat
            # list takes its narrowest width while the phone is shown.
            self.content_splitter.setSizes([1020, 340])
            self.monitor.splitter.setSizes([300, 720, 280])
        layout.addWidget(self.content_splitter, 1)
        window.setCentralWidget(self)

        self.status_bar = StatusBar(service, window)
        window.setStatusBar(self.status_bar)

    def show_live_hint(self, *, live_available: bool) -> None:
        """Tell the practising owner where going live starts: the mode menu's wizard, or the
        banner's "Use real WhatsApp" button once a number is connected."""
        if live_available:
            text = self.tr(
                "Your WhatsApp Business number is already connected: press “Use real WhatsApp” "
                "to answer real customers."
            )
        else:
            text = self.tr(
                "To answer real customers, connect your shop's WhatsApp Business number with a "
                "Meta (Facebook) business account: choose “Connect WhatsApp…” in the “Practice "
                "mode” menu above."
            )
        self.simulator_label.setText(text)
