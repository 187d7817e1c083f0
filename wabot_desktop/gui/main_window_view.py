"""Layout of the main window: toolbar with the pause switch, pause banner, monitor, status bar."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.gui.monitor.monitor import Monitor
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.status_bar import StatusBar
from wabot_desktop.gui.widgets.icons import NEUTRAL, app_icon, make_icon


class MainWindowView(QWidget):
    """Central widget plus the toolbar and status bar it installs on ``window``."""

    def __init__(self, window: QMainWindow, service: MonitorService) -> None:
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
            make_icon("settings", icon_color), self.tr("Settings"), window
        )
        self.settings_action.setObjectName("settingsAction")
        self.toolbar.addAction(self.settings_action)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
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

        self.monitor = Monitor(service, self)
        layout.addWidget(self.monitor, 1)
        window.setCentralWidget(self)

        self.status_bar = StatusBar(service, window)
        window.setStatusBar(self.status_bar)
