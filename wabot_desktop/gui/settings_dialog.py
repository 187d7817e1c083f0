"""Settings: your name, the language, the model server, voice notes, quick replies, labels,
and the shop's server (a staff PC, issue 16).

The model-server, voice-notes and shop pages live in :mod:`wabot_desktop.gui.settings`. On a
staff PC (connected to the shop's server) the model and voice pages are not shown: the bot and
its model run on the server.
"""

from __future__ import annotations

import logging
from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core.dto import LabelInfo, QuickReply
from wabot_desktop.gui.actions import async_slot, confirm, run_action
from wabot_desktop.gui.i18n import ENGLISH, SPANISH
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.settings import LlmPage, SettingsService, VoicePage
from wabot_desktop.gui.settings.shop_page import ShopControl, ShopPage
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)

LABEL_COLORS = (
    "#25a36f",
    "#2f7fd0",
    "#a05ad0",
    "#d0663a",
    "#c9438c",
    "#e0a800",
    "#7c8c28",
    "#5f6b73",
)
_LABEL_ROLE = Qt.ItemDataRole.UserRole + 1


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(2, 2, 12, 12)
    painter.end()
    return QIcon(pixmap)


class SettingsDialog(QDialog):
    """Settings of the monitor, the model server and voice notes (the bot's texts and knowledge
    live in the prompt editor).

    Signals:
        labels_changed(): labels were created or deleted.
        saved(str, str): staff name and language code ("" follows the system) were saved.
    """

    labels_changed = Signal()
    saved = Signal(str, str)

    def __init__(
        self,
        service: MonitorService,
        parent: QWidget | None = None,
        *,
        shop: ShopControl | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self._staff_pc = shop is not None and shop.shop_label is not None
        self._service = service
        self._tasks = TaskOwner("settings")
        self._initial_language = ""
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumSize(640, 520)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)

        # General
        general = QWidget(self.tabs)
        form = QFormLayout(general)
        self.name_edit = QLineEdit(general)
        self.name_edit.setObjectName("staffNameEdit")
        self.name_edit.setPlaceholderText(self.tr("For example: Ana"))
        form.addRow(self.tr("Your name:"), self.name_edit)
        name_help = QLabel(
            self.tr("Shown next to your messages in this window. Customers do not see it."),
            general,
        )
        name_help.setWordWrap(True)
        form.addRow("", name_help)
        self.language_combo = QComboBox(general)
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem(self.tr("Same as the computer"), "")
        self.language_combo.addItem("Español", SPANISH)
        self.language_combo.addItem("English", ENGLISH)
        form.addRow(self.tr("Language:"), self.language_combo)
        self.language_note = QLabel(
            self.tr("A new language is used the next time WaBot opens."), general
        )
        self.language_note.setWordWrap(True)
        self.language_note.hide()
        form.addRow("", self.language_note)
        self.tabs.addTab(general, self.tr("General"))

        # The bot: model server and voice notes
        settings_service = cast(SettingsService, service)
        self.llm_page = LlmPage(settings_service, self.tabs)
        self.tabs.addTab(self.llm_page, self.tr("AI model"))
        self.voice_page = VoicePage(settings_service, self.tabs)
        self.tabs.addTab(self.voice_page, self.tr("Voice notes"))
        if self._staff_pc:  # the bot and its model run on the shop's server
            for page in (self.llm_page, self.voice_page):
                self.tabs.setTabVisible(self.tabs.indexOf(page), False)
        # The shop's server: this PC as a staff PC (or back to its own bot).
        self.shop_page: ShopPage | None = None
        if shop is not None:
            self.shop_page = ShopPage(shop, self.tabs)
            self.shop_page.switched.connect(self._on_shop_switched)
            self.shop_page.load()
            self.tabs.addTab(self.shop_page, self.tr("Shop server"))

        # Quick replies
        quick = QWidget(self.tabs)
        quick_layout = QVBoxLayout(quick)
        quick_help = QLabel(
            self.tr(
                "Type / and the shortcut in a chat to insert the text. {nombre} is replaced "
                "with the customer's first name."
            ),
            quick,
        )
        quick_help.setWordWrap(True)
        quick_layout.addWidget(quick_help)
        self.quick_table = QTableWidget(0, 2, quick)
        self.quick_table.setObjectName("quickReplyTable")
        self.quick_table.setHorizontalHeaderLabels([self.tr("Shortcut"), self.tr("Text")])
        self.quick_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.quick_table.horizontalHeader().setStretchLastSection(True)
        self.quick_table.verticalHeader().hide()
        self.quick_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        quick_layout.addWidget(self.quick_table, 1)
        quick_buttons = QHBoxLayout()
        self.add_quick_button = QPushButton(self.tr("Add"), quick)
        self.remove_quick_button = QPushButton(self.tr("Remove"), quick)
        quick_buttons.addWidget(self.add_quick_button)
        quick_buttons.addWidget(self.remove_quick_button)
        quick_buttons.addStretch(1)
        quick_layout.addLayout(quick_buttons)
        self.tabs.addTab(quick, self.tr("Quick replies"))

        # Labels
        labels = QWidget(self.tabs)
        labels_layout = QVBoxLayout(labels)
        labels_help = QLabel(
            self.tr('Labels sort your chats, for example "Paid" or "Wholesale".'), labels
        )
        labels_help.setWordWrap(True)
        labels_layout.addWidget(labels_help)
        self.label_list = QListWidget(labels)
        self.label_list.setObjectName("labelList")
        labels_layout.addWidget(self.label_list, 1)
        new_row = QHBoxLayout()
        self.label_name_edit = QLineEdit(labels)
        self.label_name_edit.setObjectName("labelNameEdit")
        self.label_name_edit.setPlaceholderText(self.tr("New label name"))
        new_row.addWidget(self.label_name_edit, 1)
        self.label_color_combo = QComboBox(labels)
        for color in LABEL_COLORS:
            self.label_color_combo.addItem(_swatch(color), "", color)
        new_row.addWidget(self.label_color_combo)
        self.add_label_button = QPushButton(self.tr("Create label"), labels)
        self.add_label_button.setObjectName("createLabel")
        new_row.addWidget(self.add_label_button)
        labels_layout.addLayout(new_row)
        self.delete_label_button = QPushButton(self.tr("Delete selected label"), labels)
        labels_layout.addWidget(self.delete_label_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(labels, self.tr("Labels"))

        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(
            self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("saveSettings")
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)

        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        self.add_quick_button.clicked.connect(self._on_add_quick_clicked)
        self.remove_quick_button.clicked.connect(self._on_remove_quick_clicked)
        self.add_label_button.clicked.connect(self._on_add_label_clicked)
        self.delete_label_button.clicked.connect(self._on_delete_label_clicked)
        self.language_combo.currentIndexChanged.connect(self._on_language_changed)

    def load(self) -> None:
        self._tasks.spawn(self._load(), name="load")

    async def _load(self) -> None:
        name = await self._service.get_setting("staff_name")
        language = str(await self._service.get_setting("language") or "")
        replies = await self._service.list_quick_replies()
        labels = await self._service.list_labels()
        self.name_edit.setText(str(name or ""))
        self._initial_language = language
        index = self.language_combo.findData(language)
        self.language_combo.setCurrentIndex(max(0, index))
        self.quick_table.setRowCount(0)
        for reply in replies:
            self._append_quick(reply.shortcut, reply.text)
        self._fill_labels(labels)
        if not self._staff_pc:
            await self.llm_page.load()
            await self.voice_page.load()

    def _append_quick(self, shortcut: str, text: str) -> None:
        row = self.quick_table.rowCount()
        self.quick_table.insertRow(row)
        self.quick_table.setItem(row, 0, QTableWidgetItem(shortcut))
        self.quick_table.setItem(row, 1, QTableWidgetItem(text))

    def quick_replies(self) -> list[QuickReply]:
        replies: list[QuickReply] = []
        for row in range(self.quick_table.rowCount()):
            shortcut_item = self.quick_table.item(row, 0)
            text_item = self.quick_table.item(row, 1)
            shortcut = (shortcut_item.text() if shortcut_item else "").strip().lstrip("/")
            text = (text_item.text() if text_item else "").strip()
            if shortcut and text:
                replies.append(QuickReply(shortcut="".join(shortcut.split()), text=text))
        return replies

    def _fill_labels(self, labels: list[LabelInfo]) -> None:
        self.label_list.clear()
        for label in labels:
            item = QListWidgetItem(_swatch(label.color), label.name)
            item.setData(_LABEL_ROLE, label.id)
            self.label_list.addItem(item)

    def _on_language_changed(self, _index: int) -> None:
        self.language_note.setVisible(self.language_combo.currentData() != self._initial_language)

    def _on_add_quick_clicked(self) -> None:
        self._append_quick("", "")
        row = self.quick_table.rowCount() - 1
        self.quick_table.setCurrentCell(row, 0)
        item = self.quick_table.item(row, 0)
        if item is not None:
            self.quick_table.editItem(item)

    def _on_remove_quick_clicked(self) -> None:
        rows = sorted({index.row() for index in self.quick_table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.quick_table.removeRow(row)

    @async_slot()
    async def _on_add_label_clicked(self) -> None:
        name = self.label_name_edit.text().strip()
        if not name:
            return
        color = str(self.label_color_combo.currentData())
        created = await run_action(
            self.add_label_button, self._service.create_label(name, color), parent=self
        )
        if created is not None:
            self.label_name_edit.clear()
            self._fill_labels(await self._service.list_labels())
            self.labels_changed.emit()

    @async_slot()
    async def _on_delete_label_clicked(self) -> None:
        item: QListWidgetItem | None = self.label_list.currentItem()
        if item is None:
            return
        agreed = await confirm(
            self,
            title=self.tr("Delete label"),
            text=self.tr('Delete the label "{name}"? Chats keep their messages.').format(
                name=item.text()
            ),
            accept_text=self.tr("Delete"),
            cancel_text=self.tr("Keep"),
            destructive=True,
        )
        if not agreed:
            return
        await run_action(
            self.delete_label_button,
            self._service.delete_label(int(item.data(_LABEL_ROLE))),
            parent=self,
        )
        self._fill_labels(await self._service.list_labels())
        self.labels_changed.emit()

    @async_slot()
    async def _on_save_clicked(self) -> None:
        name = self.name_edit.text().strip()
        language = str(self.language_combo.currentData() or "")
        ok = await run_action(self.save_button, self._save(name, language), parent=self)
        if ok:
            self.saved.emit(name, language)
            self.accept()

    async def _save(self, name: str, language: str) -> bool:
        if not self._staff_pc:
            if not self.voice_page.is_valid():
                self.tabs.setCurrentWidget(self.voice_page)
                self.voice_page.picker.folder_edit.setFocus()
                return False
            await self.llm_page.save()
            await self.voice_page.save()
        await self._service.set_setting("staff_name", name)
        await self._service.set_setting("language", language)
        await self._service.set_quick_replies(self.quick_replies())
        return True

    def _on_shop_switched(self) -> None:
        # The app now runs another core: this dialog's pages edit the old one. Close it (the
        # window shows the new mode; settings can be opened again on it).
        self.reject()

    def done(self, result: int) -> None:
        self._tasks.close()
        self.llm_page.close_tasks()
        self.voice_page.close_tasks()
        if self.shop_page is not None:
            self.shop_page.close_page()
        super().done(result)
