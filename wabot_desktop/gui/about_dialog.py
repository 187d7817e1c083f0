"""The About box: WaBot's version (from the package metadata), license, data and log folders.

The folders are links that open in the file manager, so support can ask "open the log folder"
and the owner finds it in one click.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core.session import AboutInfo
from wabot_desktop.gui.widgets.icons import app_icon


def _link(url: str, text: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'


def _folder_link(path: Path) -> str:
    return _link(QUrl.fromLocalFile(str(path)).toString(), str(path))


class AboutDialog(QDialog):
    """See the module docstring."""

    def __init__(self, info: AboutInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About {app}").format(app=info.name))
        self.info = info
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(QSize(64, 64)))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        head.addWidget(logo)
        titles = QVBoxLayout()
        self.title_label = QLabel(info.name, self)
        self.title_label.setObjectName("aboutTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        titles.addWidget(self.title_label)
        self.version_label = QLabel(self.tr("Version {version}").format(version=info.version), self)
        self.version_label.setObjectName("aboutVersion")
        self.version_label.setTextFormat(Qt.TextFormat.PlainText)
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.version_label)
        blurb = QLabel(
            self.tr(
                "Answers your shop's WhatsApp customers with a free AI that runs on this "
                "computer. Your chats stay on this computer."
            ),
            self,
        )
        blurb.setWordWrap(True)
        blurb.setTextFormat(Qt.TextFormat.PlainText)
        titles.addWidget(blurb)
        head.addLayout(titles, 1)
        layout.addLayout(head)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.license_label = QLabel(info.license, self)
        self.license_label.setObjectName("aboutLicense")
        self.license_label.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(self.tr("License:"), self.license_label)
        self.data_label = self._link_label(_folder_link(info.data_dir), "aboutDataDir")
        form.addRow(self.tr("Data folder:"), self.data_label)
        self.log_label = self._link_label(_folder_link(info.log_dir), "aboutLogDir")
        form.addRow(self.tr("Log folder:"), self.log_label)
        self.homepage_label: QLabel | None = None
        if info.homepage:
            self.homepage_label = self._link_label(
                _link(info.homepage, info.homepage), "aboutHomepage"
            )
            form.addRow(self.tr("Website:"), self.homepage_label)
        layout.addLayout(form)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _link_label(self, rich: str, name: str) -> QLabel:
        label = QLabel(rich, self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.setOpenExternalLinks(False)
        label.linkActivated.connect(self._open)
        return label

    def _open(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))
