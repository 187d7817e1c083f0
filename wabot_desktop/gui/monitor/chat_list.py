"""The chat list pane: filters, search, labels and the paged, live list of conversations."""

from __future__ import annotations

import logging

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from wabot_desktop.core.dto import ConversationFilter, LabelInfo
from wabot_desktop.gui.monitor.chat_list_delegate import ChatListDelegate
from wabot_desktop.gui.monitor.chat_list_model import ChatListModel, ChatRole
from wabot_desktop.gui.monitor.chat_list_view import ChatListView
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)

_SEARCH_DELAY_MS = 250
_COUNTS_DELAY_MS = 300


def _dot_icon(color: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(QColor(0, 0, 0, 0))
    painter.drawEllipse(2, 2, 10, 10)
    painter.end()
    return QIcon(pixmap)


class ChatList(QWidget):
    """Chat list controller.

    Signals:
        conversation_selected(int): the user opened a chat.
        counts_changed(int, int): chats with unread messages, chats waiting for a person.
    """

    conversation_selected = Signal(int)
    counts_changed = Signal(int, int)

    def __init__(self, service: MonitorService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._tasks = TaskOwner("chat-list-pane")
        self.view = ChatListView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.model = ChatListModel(service, self)
        self.delegate = ChatListDelegate(self)
        self.view.list_view.setModel(self.model)
        self.view.list_view.setItemDelegate(self.delegate)
        self._filter = ConversationFilter.ALL
        self._label_id: int | None = None
        self._labels: list[LabelInfo] = []
        self._current_id: int | None = None
        self._unread_chats = 0
        self._needs_human_chats = 0
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(_SEARCH_DELAY_MS)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(_COUNTS_DELAY_MS)
        self._label_menu = QMenu(self)
        self._label_actions = QActionGroup(self)
        self.view.label_button.setMenu(self._label_menu)
        self._connect_signals()
        self._rebuild_label_menu()
        self._update_texts()

    def _connect_signals(self) -> None:
        # Query controls
        self.view.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self._search_timer.timeout.connect(self._apply_query)
        self.view.filter_group.buttonClicked.connect(self._on_filter_group_clicked)
        self._label_actions.triggered.connect(self._on_label_actions_triggered)
        # Model
        self.model.total_changed.connect(self._update_texts)
        self.model.query_loaded.connect(self._on_model_query_loaded)
        self.model.loading_changed.connect(self._update_texts)
        self.model.rowsInserted.connect(self._reselect_current)
        self.model.rowsMoved.connect(self._reselect_current)
        self.view.list_view.selectionModel().currentChanged.connect(self._on_selection_changed)
        # Counts
        self._counts_timer.timeout.connect(self._refresh_counts)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)

    # -- public --------------------------------------------------------------------------------

    def start(self) -> None:
        """Load the first page and the counters."""
        self._apply_query()
        self.schedule_counts()

    def close_list(self) -> None:
        self._search_timer.stop()
        self._counts_timer.stop()
        self.model.close()
        self._tasks.close()

    def focus_search(self) -> None:
        self.view.search_edit.setFocus()
        self.view.search_edit.selectAll()

    def set_labels(self, labels: list[LabelInfo]) -> None:
        """The owner's labels changed (or were loaded)."""
        self._labels = list(labels)
        if self._label_id is not None and all(lb.id != self._label_id for lb in self._labels):
            self._label_id = None
            self._apply_query()
        self._rebuild_label_menu()

    def set_filter(self, kind: ConversationFilter) -> None:
        self.view.filter_buttons[kind].setChecked(True)
        if kind != self._filter:
            self._filter = kind
            self._apply_query()

    def set_search(self, text: str) -> None:
        """Search now (no typing delay)."""
        self.view.search_edit.blockSignals(True)
        self.view.search_edit.setText(text)
        self.view.search_edit.blockSignals(False)
        self._apply_query()

    def select_conversation(self, conversation_id: int) -> None:
        """Highlight a chat (opened from elsewhere, e.g. a notification)."""
        self._current_id = conversation_id
        self.model.set_sticky(conversation_id)
        self._reselect_current()

    def clear_selection(self) -> None:
        self._current_id = None
        self.model.set_sticky(None)
        self.view.list_view.selectionModel().clearSelection()

    def on_conversation_changed(self, conversation_id: int) -> None:
        """A core event touched this chat's row."""
        self.model.refresh_conversation(conversation_id)
        self.schedule_counts()

    def on_conversation_deleted(self, conversation_id: int) -> None:
        self.model.remove_conversation(conversation_id)
        if self._current_id == conversation_id:
            self._current_id = None
        self.schedule_counts()

    def schedule_counts(self) -> None:
        # A throttle, not a debounce: under a steady stream of webhooks a restarted timer
        # would never fire, and the counters would freeze until the stream stops.
        if not self._counts_timer.isActive():
            self._counts_timer.start()

    @property
    def unread_chats(self) -> int:
        return self._unread_chats

    @property
    def needs_human_chats(self) -> int:
        return self._needs_human_chats

    # -- slots ---------------------------------------------------------------------------------

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_filter_group_clicked(self, button: object) -> None:
        for kind, candidate in self.view.filter_buttons.items():
            if candidate is button and kind != self._filter:
                self._filter = kind
                self._apply_query()

    def _on_label_actions_triggered(self, action: QAction) -> None:
        label_id = action.data()
        self._label_id = int(label_id) if label_id is not None else None
        self._rebuild_label_menu()
        self._apply_query()

    def _on_selection_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        conversation_id = int(current.data(ChatRole.CONVERSATION_ID))
        if conversation_id != self._current_id:
            self._current_id = conversation_id
            self.model.set_sticky(conversation_id)
            self.conversation_selected.emit(conversation_id)

    def _on_model_query_loaded(self) -> None:
        self._reselect_current()
        self._update_texts()

    def _reselect_current(self, *_args: object) -> None:
        if self._current_id is None:
            return
        index = self.model.index_of(self._current_id)
        selection = self.view.list_view.selectionModel()
        if index.isValid() and selection.currentIndex() != index:
            selection.blockSignals(True)
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            selection.blockSignals(False)
            self.view.list_view.viewport().update()

    # -- internals -----------------------------------------------------------------------------

    def _apply_query(self) -> None:
        self._search_timer.stop()
        self.model.set_query(
            filter=self._filter,
            search=self.view.search_edit.text(),
            label_id=self._label_id,
        )
        self._update_texts()

    def _rebuild_label_menu(self) -> None:
        self._label_menu.clear()
        for action in self._label_actions.actions():
            self._label_actions.removeAction(action)
        every = QAction(self.tr("All labels"), self._label_menu)
        every.setCheckable(True)
        every.setChecked(self._label_id is None)
        every.setData(None)
        self._label_actions.addAction(every)
        self._label_menu.addAction(every)
        if self._labels:
            self._label_menu.addSeparator()
        current_name = None
        for label in self._labels:
            action = QAction(_dot_icon(label.color), label.name, self._label_menu)
            action.setCheckable(True)
            action.setChecked(label.id == self._label_id)
            action.setData(label.id)
            self._label_actions.addAction(action)
            self._label_menu.addAction(action)
            if label.id == self._label_id:
                current_name = label.name
        if current_name is None:
            self.view.label_button.setText(self.tr("Label: all"))
        else:
            self.view.label_button.setText(self.tr("Label: {name}").format(name=current_name))
        # No labels yet: nothing to filter by, so the button stays out of the way.
        self.view.label_button.setVisible(bool(self._labels) or self._label_id is not None)
        self.view.label_button.setToolTip(self.tr("Show only chats with this label"))

    def _update_texts(self, *_args: object) -> None:
        total = self.model.total
        self.view.count_label.setText(self.tr("%n chat(s)", "", total))
        filtered = (
            self._filter != ConversationFilter.ALL
            or bool(self.model.search)
            or self._label_id is not None
        )
        if self.model.loading and self.model.rowCount() == 0:
            text = self.tr("Loading chats…")
        elif filtered:
            text = self.tr("No chats match this filter or search.")
        else:
            text = self.tr(
                "No chats yet.\nWhen a customer writes to your WhatsApp number, the chat "
                "appears here and the bot answers it."
            )
        if self.view.list_view.placeholder_text() != text:
            self.view.list_view.set_placeholder_text(text)  # repaints the whole list
        unread_button = self.view.filter_buttons[ConversationFilter.UNREAD]
        needs_button = self.view.filter_buttons[ConversationFilter.NEEDS_HUMAN]
        if self._unread_chats:
            unread_button.setText(self.tr("Unread ({count})").format(count=self._unread_chats))
        else:
            unread_button.setText(self.tr("Unread"))
        if self._needs_human_chats:
            needs_button.setText(
                self.tr("Want a person ({count})").format(count=self._needs_human_chats)
            )
        else:
            needs_button.setText(self.tr("Want a person"))
        alert = bool(self._needs_human_chats)
        if needs_button.property("alert") != alert:
            needs_button.setProperty("alert", alert)
            needs_button.style().unpolish(needs_button)
            needs_button.style().polish(needs_button)

    def _refresh_counts(self) -> None:
        self._tasks.spawn(self._load_counts(), name="counts")

    async def _load_counts(self) -> None:
        unread = await self._service.count_conversations(filter=ConversationFilter.UNREAD)
        needs = await self._service.count_conversations(filter=ConversationFilter.NEEDS_HUMAN)
        if (unread, needs) != (self._unread_chats, self._needs_human_chats):
            self._unread_chats, self._needs_human_chats = unread, needs
            self._update_texts()
            self.counts_changed.emit(unread, needs)
