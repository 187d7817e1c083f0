"""The monitor: chat list, open conversation and contact panel side by side, wired to the bridge."""

from __future__ import annotations

import getpass
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLineEdit, QSplitter, QWidget

from wabot_desktop.core.dto import ConversationSummary
from wabot_desktop.gui.actions import exec_dialog
from wabot_desktop.gui.bridge import CoreBridge
from wabot_desktop.gui.monitor.chat_list import ChatList
from wabot_desktop.gui.monitor.contact_panel import ContactPanel
from wabot_desktop.gui.monitor.conversation import Conversation
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)


class Monitor(QWidget):
    """Monitor controller.

    Signals:
        conversation_opened(int): a chat was opened (-1: none).
        staff_name_changed(str): this user's display name for staff messages.
    """

    conversation_opened = Signal(int)
    staff_name_changed = Signal(str)

    def __init__(self, service: MonitorService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._tasks = TaskOwner("monitor")
        self.staff_name = ""
        self.chat_list = ChatList(service, self)
        self.conversation = Conversation(service, self.ensure_staff_name, self)
        self.contact_panel = ContactPanel(service, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("monitorSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.chat_list)
        self.splitter.addWidget(self.conversation)
        self.splitter.addWidget(self.contact_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.chat_list.setMinimumWidth(300)
        self.conversation.setMinimumWidth(380)
        self.contact_panel.setMinimumWidth(250)
        self.splitter.setSizes([360, 740, 280])
        self.contact_panel.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.chat_list.conversation_selected.connect(self.open_conversation)
        self.conversation.contact_panel_toggled.connect(self._on_contact_panel_toggled)
        self.conversation.conversation_closed.connect(self._on_conversation_closed)
        self.conversation.summary_changed.connect(self._on_conversation_summary_changed)
        self.contact_panel.close_requested.connect(
            lambda: self.conversation.view.contact_button.setChecked(False)
        )

    def connect_bridge(self, bridge: CoreBridge) -> None:
        """Route core events to the rows and bubbles they touch."""
        # Messages: the bubble, and the chat's row (preview, time, order, unread)
        for signal in (bridge.message_received, bridge.message_queued):
            signal.connect(self.conversation.on_message_added)
            signal.connect(lambda cid, _mid: self._conversation_changed(cid))
        for signal in (bridge.reply_sent, bridge.message_status_changed, bridge.message_updated):
            signal.connect(lambda cid, mid, *_rest: self.conversation.on_message_changed(cid, mid))
        # Conversations: mode, handoff, labels, unread, contact changes
        bridge.mode_changed.connect(lambda cid, *_rest: self._conversation_changed(cid))
        bridge.handoff_requested.connect(lambda cid, _reason: self._conversation_changed(cid))
        bridge.conversation_updated.connect(self._conversation_changed)
        bridge.conversation_deleted.connect(self._on_conversation_deleted)

    def start(self) -> None:
        """Load the list, labels, quick replies and this user's name."""
        self.chat_list.start()
        self._tasks.spawn(self._load_preferences(), name="preferences")

    def close_monitor(self) -> None:
        self.chat_list.close_list()
        self.conversation.close_conversation()
        self.contact_panel.close_panel()
        self._tasks.close()

    # -- opening chats -------------------------------------------------------------------------

    def open_conversation(self, conversation_id: int) -> None:
        """Open a chat (from the list, a notification or the tray)."""
        self.chat_list.select_conversation(conversation_id)
        self.conversation.open_conversation(conversation_id)
        self.contact_panel.set_conversation(conversation_id)
        self.conversation_opened.emit(conversation_id)

    def _on_conversation_closed(self) -> None:
        self.chat_list.clear_selection()
        self.contact_panel.set_conversation(None)
        self.conversation_opened.emit(-1)

    def _on_conversation_summary_changed(self, summary: object) -> None:
        if isinstance(summary, ConversationSummary):
            self.contact_panel.on_conversation_changed(summary.id)

    def _on_contact_panel_toggled(self, shown: bool) -> None:
        self.contact_panel.setVisible(shown)
        if shown:
            self.contact_panel.reload()

    def _conversation_changed(self, conversation_id: int) -> None:
        self.chat_list.on_conversation_changed(conversation_id)
        self.conversation.on_conversation_changed(conversation_id)

    def _on_conversation_deleted(self, conversation_id: int) -> None:
        self.chat_list.on_conversation_deleted(conversation_id)
        self.conversation.on_conversation_deleted(conversation_id)

    # -- preferences ---------------------------------------------------------------------------

    async def _load_preferences(self) -> None:
        name = await self._service.get_setting("staff_name")
        self.set_staff_name(str(name or ""))
        await self.reload_labels()
        await self.reload_quick_replies()

    async def reload_labels(self) -> None:
        labels = await self._service.list_labels()
        self.chat_list.set_labels(labels)
        self.contact_panel.set_labels(labels)

    async def reload_quick_replies(self) -> None:
        self.conversation.composer.set_quick_replies(await self._service.list_quick_replies())

    def set_staff_name(self, name: str) -> None:
        self.staff_name = name.strip()
        self.conversation.me = self.staff_name
        self.conversation.refresh_summary()
        self.staff_name_changed.emit(self.staff_name)

    async def ensure_staff_name(self) -> str | None:
        """This user's name for staff messages; asks once if it was never set."""
        if self.staff_name:
            return self.staff_name
        dialog = QInputDialog(self)
        dialog.setObjectName("staffNameDialog")
        dialog.setWindowTitle(self.tr("Your name"))
        dialog.setLabelText(
            self.tr(
                "What is your name? It is shown next to your messages in this window so your "
                "team knows who answered. Customers do not see it."
            )
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        try:
            suggestion = getpass.getuser().capitalize()
        except Exception:  # no user name on some systems
            suggestion = ""
        dialog.setTextValue(suggestion)
        dialog.setOkButtonText(self.tr("Save"))
        dialog.setCancelButtonText(self.tr("Cancel"))
        accepted = await exec_dialog(dialog)
        name = dialog.textValue().strip()
        dialog.deleteLater()
        if accepted != QInputDialog.DialogCode.Accepted or not name:
            return None
        await self._service.set_setting("staff_name", name)
        self.set_staff_name(name)
        return name
