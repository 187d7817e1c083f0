"""Messages of one conversation, oldest first: a window of pages over the history.

Opening a chat loads its newest page; scrolling to the top calls :meth:`fetch_older`, scrolling
back down (after older pages pushed the newest ones out) calls :meth:`fetch_newer`. New
messages are inserted by id (normally at the end) with ``beginInsertRows``; a status change
re-reads just that message and emits ``dataChanged`` for its row. Live changes are coalesced:
the messages touched within one frame (``_BATCH_S``) are read together, in one query, and applied
in id order; what arrives while that read is on its way goes with the next one.

The model holds at most ``max_rows`` messages (plus a page of slack for live messages): loading
a page at one end drops rows at the other end, and :meth:`trim_around` bounds live growth. A
``QListView`` with bubbles of different heights lays out *every* row (one Python ``sizeHint``
each) whenever a row is inserted or removed, so the number of rows held, not the length of the
history, decides how long a live message blocks the window; it also bounds memory.

``canFetchMore`` is deliberately ``False``: Qt's views call ``fetchMore`` whenever the *last* row
is visible, and in a chat (newest at the bottom) the last row is nearly always visible, so the
built-in mechanism would pull in the whole history. Pages are requested from the edges instead,
by the view (see ``Conversation``).
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from wabot_desktop.core.dto import MessageView
from wabot_desktop.core.errors import ConversationNotFoundError
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_ROWS = 600  # messages held at once (12 pages); see the module docstring
_BATCH_S = 0.016  # live changes within one frame are read and applied together
_BATCH_SLACK = 50  # a batch's range read may hold this many other messages of the chat
AnyIndex = QModelIndex | QPersistentModelIndex


class MessageRole(IntEnum):
    """Custom roles of :class:`ConversationModel`."""

    MESSAGE_ID = Qt.ItemDataRole.UserRole + 1
    MESSAGE = Qt.ItemDataRole.UserRole + 2
    AUTHOR = Qt.ItemDataRole.UserRole + 3
    STATUS = Qt.ItemDataRole.UserRole + 4
    CREATED_AT = Qt.ItemDataRole.UserRole + 5
    TYPE = Qt.ItemDataRole.UserRole + 6
    PREVIOUS_CREATED_AT = Qt.ItemDataRole.UserRole + 7  # for the day separator


class ConversationModel(QAbstractListModel):
    """The loaded messages of the open conversation.

    Signals:
        conversation_loaded(int): the newest page of a newly opened conversation arrived.
        older_loaded(int): this many older messages were inserted at the top.
        newer_loaded(int): this many newer messages were appended at the bottom (paging down).
        message_added(int): a message id was appended live (the view scrolls if at the bottom).
        message_changed(int): a message id was re-read (its bubble may change size).
        loading_changed(bool): a page request started or finished.
    """

    conversation_loaded = Signal(int)
    older_loaded = Signal(int)
    newer_loaded = Signal(int)
    message_added = Signal(int)
    message_changed = Signal(int)
    loading_changed = Signal(bool)

    def __init__(
        self,
        service: MonitorService,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        max_rows: int = MAX_ROWS,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._page_size = page_size
        self._max_rows = max(max_rows, 2 * page_size)
        self._tasks = TaskOwner("conversation")
        self._conversation_id: int | None = None
        self._ids: list[int] = []  # ascending = oldest first
        self._rows: dict[int, MessageView] = {}
        self._generation = 0
        self._loading = False
        self._has_older = False
        self._has_newer = False  # newer messages were dropped: live ones wait for fetch_newer()
        self._missed: set[int] = set()  # live messages skipped while a newer page was loading
        self._dirty: set[int] = set()  # live messages to read again (the next batch)
        self._flusher: asyncio.Task[None] | None = None

    @property
    def conversation_id(self) -> int | None:
        return self._conversation_id

    @property
    def has_older(self) -> bool:
        """True while older messages may exist in the core."""
        return self._has_older

    @property
    def has_newer(self) -> bool:
        """True when newer messages than the last row exist (dropped while paging up)."""
        return self._has_newer

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def max_rows(self) -> int:
        return self._max_rows

    def set_conversation(self, conversation_id: int | None) -> None:
        """Show another conversation (None: nothing)."""
        self._generation += 1
        self.beginResetModel()
        self._conversation_id = conversation_id
        self._ids.clear()
        self._rows.clear()
        self._missed.clear()
        self._dirty.clear()
        self._has_older = conversation_id is not None
        self._has_newer = False
        self.endResetModel()
        self._set_loading(False)
        if conversation_id is not None:
            self._set_loading(True)
            self._tasks.spawn(self._load_older(self._generation, initial=True), name="first-page")

    def jump_to_newest(self) -> bool:
        """Reload the newest page if it is not held (the user sent a message from far up)."""
        if self._conversation_id is None or not self._has_newer:
            return False
        conversation_id = self._conversation_id
        self._conversation_id = None
        self.set_conversation(conversation_id)
        return True

    def close(self) -> None:
        self._generation += 1
        self._tasks.close()

    # -- Qt model API --------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        if parent.isValid():
            return 0
        return len(self._ids)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or index.row() >= len(self._ids):
            return None
        message_id = self._ids[index.row()]
        if role == MessageRole.MESSAGE_ID:
            return message_id
        message = self._rows.get(message_id)
        if message is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return message.text or ""
        if role == MessageRole.MESSAGE:
            return message
        if role == MessageRole.AUTHOR:
            return message.author.value
        if role == MessageRole.STATUS:
            return message.status
        if role == MessageRole.CREATED_AT:
            return message.created_at
        if role == MessageRole.TYPE:
            return message.type
        if role == MessageRole.PREVIOUS_CREATED_AT:
            return self.bubble_at(index.row())[1]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in MessageRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return False  # see the module docstring: older pages come from fetch_older()

    # -- lookups -------------------------------------------------------------------------------

    def message(self, message_id: int) -> MessageView | None:
        return self._rows.get(message_id)

    def bubble_at(self, row: int) -> tuple[MessageView | None, float | None]:
        """The message of ``row`` and the previous row's time (None on the first row).

        The delegate's fast path: plain Python, no QVariant round trips per role.
        """
        if row < 0 or row >= len(self._ids):
            return None, None
        message = self._rows.get(self._ids[row])
        if row == 0:
            return message, None
        previous = self._rows.get(self._ids[row - 1])
        return message, previous.created_at if previous is not None else None

    def row_of(self, message_id: int) -> int:
        position = bisect.bisect_left(self._ids, message_id)
        if position < len(self._ids) and self._ids[position] == message_id:
            return position
        return -1

    def ids(self) -> list[int]:
        return list(self._ids)

    # -- paging --------------------------------------------------------------------------------

    def fetch_older(self) -> bool:
        """Load the page before the oldest loaded message; False if there is nothing to do."""
        if self._conversation_id is None or self._loading or not self._has_older:
            return False
        self._set_loading(True)
        self._tasks.spawn(self._load_older(self._generation, initial=False), name="older-page")
        return True

    def fetch_newer(self) -> bool:
        """Load the page after the newest loaded message; False if there is nothing to do."""
        if self._conversation_id is None or self._loading or not self._has_newer:
            return False
        self._set_loading(True)
        self._tasks.spawn(self._load_newer(self._generation), name="newer-page")
        return True

    async def _load_older(self, generation: int, *, initial: bool) -> None:
        conversation_id = self._conversation_id
        assert conversation_id is not None
        before_id = None if initial or not self._ids else self._ids[0]
        try:
            page = await self._service.get_messages(
                conversation_id, before_id=before_id, limit=self._page_size
            )
        finally:
            if generation == self._generation:
                self._set_loading(False)
        if generation != self._generation:
            return
        if len(page) < self._page_size:
            self._has_older = False
        fresh = sorted((m for m in page if m.id not in self._rows), key=lambda m: m.id)
        if fresh and (not self._ids or fresh[-1].id < self._ids[0]):
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
            self._ids[0:0] = [m.id for m in fresh]
            self._rows.update((m.id, m) for m in fresh)
            self.endInsertRows()
            if self._ids[len(fresh) :]:
                # The first previously loaded bubble may lose or gain its day separator.
                first_old = self.index(len(fresh), 0)
                self.dataChanged.emit(first_old, first_old)
        else:
            for message in fresh:  # rare: live messages arrived while the first page loaded
                self._insert(message)
        if not initial and len(self._ids) > self._max_rows:
            self._drop_newest(len(self._ids) - self._max_rows)
        if initial:
            self.conversation_loaded.emit(conversation_id)
        else:
            self.older_loaded.emit(len(fresh))

    async def _load_newer(self, generation: int) -> None:
        conversation_id = self._conversation_id
        assert conversation_id is not None and self._ids
        try:
            page = await self._service.get_messages(
                conversation_id, after_id=self._ids[-1], limit=self._page_size
            )
        finally:
            if generation == self._generation:
                self._set_loading(False)
        if generation != self._generation:
            return
        fresh = sorted((m for m in page if m.id not in self._rows), key=lambda m: m.id)
        if fresh and fresh[0].id > self._ids[-1]:
            start = len(self._ids)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._ids.extend(m.id for m in fresh)
            self._rows.update((m.id, m) for m in fresh)
            self.endInsertRows()
        else:
            for message in fresh:
                self._insert(message)
        if len(page) < self._page_size:
            self._has_newer = False
            # Live messages that arrived while this page was on its way, and missed it.
            for message_id in sorted(self._missed):
                if message_id not in self._rows:
                    self._refresh(conversation_id, message_id)
        self._missed.clear()
        if len(self._ids) > self._max_rows:
            self._drop_oldest(len(self._ids) - self._max_rows)
        self.newer_loaded.emit(len(fresh))

    def trim_around(self, row: int, keep: int | None = None) -> None:
        """Bound live growth: keep ``keep`` rows (at most ``max_rows``) around ``row`` once a
        page of slack is used.

        The view calls it after live messages, with the row it shows (the last one when it
        follows the newest messages, and then a smaller ``keep``: every row held costs a
        ``sizeHint`` call per live message).
        """
        keep = self._max_rows if keep is None else max(self._page_size, min(keep, self._max_rows))
        excess = len(self._ids) - keep
        if excess < self._page_size or row < 0:
            return
        # Drop whole rows from the end farther from ``row`` first.
        keep_from = min(max(0, row - keep // 2), excess)
        if excess - keep_from:
            self._drop_newest(excess - keep_from)
        if keep_from:
            self._drop_oldest(keep_from)

    def _drop_newest(self, count: int) -> None:
        if count <= 0:
            return
        start = len(self._ids) - count
        self.beginRemoveRows(QModelIndex(), start, len(self._ids) - 1)
        for message_id in self._ids[start:]:
            self._rows.pop(message_id, None)
        del self._ids[start:]
        self._has_newer = True
        self.endRemoveRows()

    def _drop_oldest(self, count: int) -> None:
        if count <= 0:
            return
        self.beginRemoveRows(QModelIndex(), 0, count - 1)
        for message_id in self._ids[:count]:
            self._rows.pop(message_id, None)
        del self._ids[:count]
        self._has_older = True
        self.endRemoveRows()
        if self._ids:
            # The new first bubble now shows its day separator.
            first = self.index(0, 0)
            self.dataChanged.emit(first, first)

    # -- live updates --------------------------------------------------------------------------

    def on_message_added(self, conversation_id: int, message_id: int) -> None:
        """A message was stored for ``conversation_id`` (customer, bot or staff)."""
        self._refresh(conversation_id, message_id)

    def on_message_changed(self, conversation_id: int, message_id: int) -> None:
        """A message's delivery state or content changed."""
        self._refresh(conversation_id, message_id)

    def upsert(self, message: MessageView) -> None:
        """Insert or replace a message we already have (e.g. the result of sending it)."""
        if message.conversation_id != self._conversation_id:
            return
        if message.id in self._rows:
            self._replace(message)
        else:
            self._insert(message)

    def _refresh(self, conversation_id: int, message_id: int) -> None:
        if conversation_id != self._conversation_id:
            return
        if self._beyond_newest(message_id):
            # Newer than the rows held while newer pages are not loaded: fetch_newer() brings
            # it. Nothing to read now (a chat scrolled far up costs nothing per live message).
            if self._loading:
                self._missed.add(message_id)
            return
        self._dirty.add(message_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = self._tasks.spawn(self._flush(), name="messages")

    async def _flush(self) -> None:
        await asyncio.sleep(_BATCH_S)  # what else this frame brings goes in the same read
        while self._dirty and self._conversation_id is not None:
            generation, conversation_id = self._generation, self._conversation_id
            ids = sorted(self._dirty)
            self._dirty.clear()
            messages = await self._read(conversation_id, ids)
            if generation != self._generation:
                continue  # another chat was opened meanwhile (its own page is fresh)
            for message in messages:
                self.upsert(message)
            await asyncio.sleep(_BATCH_S)

    async def _read(self, conversation_id: int, ids: list[int]) -> list[MessageView]:
        """These messages of the chat as stored now, in id order (deleted ones left out)."""
        wanted = set(ids)
        limit = len(ids) + _BATCH_SLACK
        # One range read: the ids are the chat's newest messages, and its statuses, nearly always.
        found = await self._service.get_messages(
            conversation_id, after_id=ids[0] - 1, before_id=ids[-1] + 1, limit=limit
        )
        # A range wider than the limit (an old message changed too): the rest one by one.
        covered = found[-1].id if len(found) == limit else ids[-1]
        messages = {m.id: m for m in found if m.id in wanted}
        for message_id in ids:
            if message_id > covered and message_id not in messages:
                try:
                    messages[message_id] = await self._service.get_message(message_id)
                except ConversationNotFoundError:
                    continue  # deleted meanwhile (the customer's data was erased)
        return [messages[i] for i in ids if i in messages]

    def _beyond_newest(self, message_id: int) -> bool:
        return self._has_newer and (not self._ids or message_id > self._ids[-1])

    def _insert(self, message: MessageView) -> None:
        position = bisect.bisect_left(self._ids, message.id)
        if position == 0 and self._ids and self._has_older:
            # Older than everything loaded: it belongs to a page not fetched yet.
            return
        if self._beyond_newest(message.id):
            return  # newer than the rows held: it comes with fetch_newer()
        self.beginInsertRows(QModelIndex(), position, position)
        self._ids.insert(position, message.id)
        self._rows[message.id] = message
        self.endInsertRows()
        if position + 1 < len(self._ids):
            following = self.index(position + 1, 0)
            self.dataChanged.emit(following, following)
        self.message_added.emit(message.id)

    def _replace(self, message: MessageView) -> None:
        self._rows[message.id] = message
        row = self.row_of(message.id)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)
        self.message_changed.emit(message.id)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)
