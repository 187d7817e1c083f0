"""The contact panel: details, labels, notes, opt-out, block, export and delete."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QFileDialog, QMenu, QVBoxLayout, QWidget

from wabot_desktop.core.dto import ContactDetails, LabelInfo
from wabot_desktop.core.errors import ConversationNotFoundError
from wabot_desktop.gui import texts
from wabot_desktop.gui.actions import async_slot, chosen_path, confirm, run_action
from wabot_desktop.gui.monitor.contact_panel_view import ContactPanelView
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)


def export_file_name(display_name: str, fmt: str) -> str:
    """A harmless default file name for an export."""
    base = re.sub(r"[^\w\- ]+", "", display_name, flags=re.UNICODE).strip() or "chat"
    return f"{base[:40]}.{fmt}"


class ContactPanel(QWidget):
    """Contact panel controller.

    Signals:
        close_requested(): the panel's close button was pressed.
        exported(str): a conversation was exported to this path.
    """

    close_requested = Signal()
    exported = Signal(str)

    def __init__(self, service: MonitorService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._tasks = TaskOwner("contact-panel")
        self.view = ContactPanelView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._conversation_id: int | None = None
        self.contact: ContactDetails | None = None
        self._labels: list[LabelInfo] = []
        self._label_checks: dict[int, QCheckBox] = {}
        self._loading = False
        self._notes_dirty = False
        export_menu = QMenu(self)
        self._export_csv = export_menu.addAction(self.tr("As a spreadsheet (CSV)…"))
        self._export_txt = export_menu.addAction(self.tr("As plain text (TXT)…"))
        self.view.export_button.setMenu(export_menu)
        self._connect_signals()
        self._set_enabled(False)

    def _connect_signals(self) -> None:
        self.view.close_button.clicked.connect(self.close_requested)
        self.view.notes_edit.textChanged.connect(self._on_notes_edit_changed)
        self.view.save_notes_button.clicked.connect(self._on_save_notes_clicked)
        self.view.opt_out_check.toggled.connect(self._on_opt_out_toggled)
        self.view.blocked_check.toggled.connect(self._on_blocked_toggled)
        self._export_csv.triggered.connect(lambda: self._on_export_triggered("csv"))
        self._export_txt.triggered.connect(lambda: self._on_export_triggered("txt"))
        self.view.delete_button.clicked.connect(self._on_delete_clicked)

    # -- public --------------------------------------------------------------------------------

    def set_conversation(self, conversation_id: int | None) -> None:
        self._conversation_id = conversation_id
        self.contact = None
        self._notes_dirty = False
        self._set_enabled(False)
        if conversation_id is not None:
            self.reload()

    def close_panel(self) -> None:
        self._tasks.close()

    def set_labels(self, labels: list[LabelInfo]) -> None:
        """The owner's labels (for the checkboxes)."""
        self._labels = list(labels)
        self._rebuild_label_checks()

    def reload(self) -> None:
        if self._conversation_id is not None:
            self._tasks.spawn(self._load(self._conversation_id), name="contact")

    def on_conversation_changed(self, conversation_id: int) -> None:
        if conversation_id == self._conversation_id and self.isVisible():
            self.reload()

    # -- loading -------------------------------------------------------------------------------

    async def _load(self, conversation_id: int) -> None:
        try:
            contact = await self._service.get_contact(conversation_id)
        except ConversationNotFoundError:
            return
        if conversation_id != self._conversation_id:
            return
        self.contact = contact
        self._show(contact)

    def _show(self, contact: ContactDetails) -> None:
        self._loading = True
        try:
            view = self.view
            view.name_value.setText(contact.display_name or "—")
            view.phone_value.setText(texts.format_phone(contact.phone) or "—")
            username = "@" + contact.username if contact.username else ""
            view.username_value.setText(username)
            view.username_value.setVisible(bool(username))
            view.username_caption.setVisible(bool(username))
            view.first_value.setText(texts.date_time(contact.first_seen_at))
            view.last_value.setText(texts.date_time(contact.last_seen_at))
            # Unsaved notes are never replaced by a reload (any change to the chat reloads).
            if not self._notes_dirty:
                view.notes_edit.setPlainText(contact.notes)
                view.save_notes_button.setEnabled(False)
            view.opt_out_check.setChecked(contact.opted_out)
            view.blocked_check.setChecked(contact.blocked)
            chosen = {label.id for label in contact.labels}
            for label_id, check in self._label_checks.items():
                check.setChecked(label_id in chosen)
            self._set_enabled(True)
        finally:
            self._loading = False

    def _rebuild_label_checks(self) -> None:
        layout = self.view.labels_layout
        for check in self._label_checks.values():
            layout.removeWidget(check)
            check.deleteLater()
        self._label_checks.clear()
        self.view.no_labels.setVisible(not self._labels)
        chosen = {label.id for label in self.contact.labels} if self.contact else set()
        for label in self._labels:
            check = QCheckBox(label.name, self.view.labels_box)
            check.setObjectName(f"label_{label.id}")
            palette = check.palette()
            palette.setColor(palette.ColorRole.WindowText, QColor(label.color).darker(110))
            check.setChecked(label.id in chosen)
            check.toggled.connect(self._on_label_toggled)
            layout.addWidget(check)
            self._label_checks[label.id] = check

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.view.notes_edit,
            self.view.opt_out_check,
            self.view.blocked_check,
            self.view.export_button,
            self.view.delete_button,
            self.view.labels_box,
        ):
            widget.setEnabled(enabled)

    # -- actions -------------------------------------------------------------------------------

    def _on_notes_edit_changed(self) -> None:
        if not self._loading:
            self._notes_dirty = True
            self.view.save_notes_button.setEnabled(True)

    @async_slot()
    async def _on_save_notes_clicked(self) -> None:
        if self.contact is None:
            return
        notes = self.view.notes_edit.toPlainText()
        result = await run_action(
            self.view.save_notes_button,
            self._save_notes(self.contact.id, notes),
            parent=self,
        )
        if result is not None and self.view.notes_edit.toPlainText() == notes:
            self._notes_dirty = False
            self.view.save_notes_button.setEnabled(False)

    async def _save_notes(self, contact_id: int, notes: str) -> bool:
        await self._service.update_contact_notes(contact_id, notes)
        return True

    # These three are plain slots on purpose: whether a toggle came from the user or from
    # _show() must be decided when the signal fires. An async slot runs a loop turn later, when
    # _loading no longer tells, and would write a reloaded value back to the core.
    def _on_opt_out_toggled(self, checked: bool) -> None:
        if self._loading or self.contact is None:
            return
        work = self._service.set_contact_opt_out(self.contact.id, checked)
        self._tasks.spawn(run_action(self.view.opt_out_check, work, parent=self), name="opt-out")

    def _on_blocked_toggled(self, checked: bool) -> None:
        if self._loading or self.contact is None:
            return
        work = self._service.set_contact_blocked(self.contact.id, checked)
        self._tasks.spawn(run_action(self.view.blocked_check, work, parent=self), name="block")

    def _on_label_toggled(self, _checked: bool) -> None:
        if self._loading or self._conversation_id is None:
            return
        chosen = [label_id for label_id, check in self._label_checks.items() if check.isChecked()]
        work = self._service.set_conversation_labels(self._conversation_id, chosen)
        self._tasks.spawn(run_action(self.view.labels_box, work, parent=self), name="labels")

    @async_slot()
    async def _on_export_triggered(self, fmt: str) -> None:
        if self._conversation_id is None or self.contact is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(self, self.tr("Export conversation"))
        dialog.setObjectName("conversationExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(fmt)
        dialog.setNameFilter(
            self.tr("Spreadsheet (*.csv)") if fmt == "csv" else self.tr("Text file (*.txt)")
        )
        dialog.selectFile(str(Path(folder) / export_file_name(self.contact.display_name, fmt)))
        path = await chosen_path(dialog)
        if path is not None:
            await self.export_to(path, fmt)

    async def export_to(self, path: Path, fmt: str) -> bool:
        """Export the open conversation to ``path``; True on success."""
        if self._conversation_id is None:
            return False
        done = await run_action(
            self.view.export_button,
            self._export(self._conversation_id, path, fmt),
            parent=self,
            busy_cursor=True,
        )
        if done:
            self.exported.emit(str(path))
        return bool(done)

    async def _export(self, conversation_id: int, path: Path, fmt: str) -> bool:
        await self._service.export_conversation(conversation_id, path, fmt)
        return True

    @async_slot()
    async def _on_delete_clicked(self) -> None:
        contact = self.contact
        if contact is None:
            return
        agreed = await confirm(
            self,
            title=self.tr("Delete customer data"),
            text=self.tr(
                "Delete everything about {name}? Their messages, files and contact details "
                "are removed from this computer. This cannot be undone."
            ).format(name=contact.display_name or texts.format_phone(contact.phone)),
            informative=self.tr("The chat in the customer's WhatsApp is not affected."),
            accept_text=self.tr("Delete data"),
            cancel_text=self.tr("Keep"),
            destructive=True,
        )
        if not agreed:
            return
        await run_action(
            self.view.delete_button, self._service.delete_contact_data(contact.id), parent=self
        )
