"""The chat list: ids in activity order plus a row cache, paged from the core, updated per row.

Designed for thousands of conversations: rows are fetched a page at a time when the view scrolls
to the end (``canFetchMore``/``fetchMore``); a core event re-fetches only the conversation it
names and moves, inserts, updates or removes that one row.
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

from wabot_desktop.core.dto import ConversationFilter, ConversationMode, ConversationSummary
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner
from wabot_desktop.gui.texts import chat_title, format_phone

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
_REFRESH_INTERVAL_S = 0.1  # live row updates are applied at most ~10 times a second
AnyIndex = QModelIndex | QPersistentModelIndex


class ChatRole(IntEnum):
    """Custom roles of :class:`ChatListModel`."""

    CONVERSATION_ID = Qt.ItemDataRole.UserRole + 1
    SUMMARY = Qt.ItemDataRole.UserRole + 2
    MODE = Qt.ItemDataRole.UserRole + 3
    UNREAD = Qt.ItemDataRole.UserRole + 4
    LAST_AT = Qt.ItemDataRole.UserRole + 5
    PREVIEW = Qt.ItemDataRole.UserRole + 6
    STAFF_NAME = Qt.ItemDataRole.UserRole + 7
    PHONE = Qt.ItemDataRole.UserRole + 8


def _sort_key(summary: ConversationSummary) -> tuple[float, int]:
    # Newest activity first; the id breaks ties the same way every time. Negated for bisect.
    return (-(summary.last_message_at or 0.0), -summary.id)


class ChatListModel(QAbstractListModel):
    """Conversations of the current filter and search, newest activity first.

    Signals:
        loading_changed(bool): a page request started or finished.
        total_changed(int): how many conversations match the current query.
        row_refreshed(int): a conversation's row was re-read from the core.
        query_loaded(): the first page of a new query arrived.
    """

    loading_changed = Signal(bool)
    total_changed = Signal(int)
    row_refreshed = Signal(int)
    query_loaded = Signal()

    def __init__(
        self, service: MonitorService, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._page_size = page_size
        self._tasks = TaskOwner("chat-list")
        self._ids: list[int] = []
        self._keys: list[tuple[float, int]] = []  # parallel to _ids, ascending
        self._rows: dict[int, ConversationSummary] = {}
        self._total = 0
        self._loading = False
        self._generation = 0
        self._filter = ConversationFilter.ALL
        self._search = ""
        self._label_id: int | None = None
        # The selected chat stays in the list even when it stops matching the filter (read in
        # the "unread" filter, say); it leaves when the selection moves on.
        self._sticky_id: int | None = None
        self._stale: set[int] = set()  # rows shown only because they are sticky
        self._dirty: dict[int, None] = {}  # ids to re-read, in request order
        self._flusher: asyncio.Task[None] | None = None
        self._recounter: asyncio.Task[None] | None = None
        self._recount_again = False

    # -- query ---------------------------------------------------------------------------------

    @property
    def filter(self) -> ConversationFilter:
        return self._filter

    @property
    def search(self) -> str:
        return self._search

    @property
    def label_id(self) -> int | None:
        return self._label_id

    @property
    def total(self) -> int:
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    def set_query(
        self,
        *,
        filter: ConversationFilter,  # noqa: A002 - the service's name
        search: str,
        label_id: int | None,
    ) -> None:
        """Show another filter/search/label; reloads from the first page."""
        self._filter = filter
        self._search = search.strip()
        self._label_id = label_id
        self.reload()

    def reload(self) -> None:
        """Drop every row and load the first page of the current query again."""
        self._generation += 1
        self.beginResetModel()
        self._ids.clear()
        self._keys.clear()
        self._rows.clear()
        self._stale.clear()
        self._total = 0
        self.endResetModel()
        self._set_loading(False)
        self._start_page_load()

    def set_sticky(self, conversation_id: int | None) -> None:
        """Keep ``conversation_id`` listed while selected; drop the previous one if it is stale."""
        previous = self._sticky_id
        self._sticky_id = conversation_id
        if previous is not None and previous != conversation_id and previous in self._stale:
            self._remove_row(previous)

    def close(self) -> None:
        """Cancel pending loads (the window is closing)."""
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
        conversation_id = self._ids[index.row()]
        if role == ChatRole.CONVERSATION_ID:
            return conversation_id
        summary = self._rows.get(conversation_id)
        if summary is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return chat_title(summary)
        if role == Qt.ItemDataRole.ToolTipRole:
            return format_phone(summary.phone) or None
        if role == ChatRole.SUMMARY:
            return summary
        if role == ChatRole.MODE:
            return summary.mode.value
        if role == ChatRole.UNREAD:
            return summary.unread_count
        if role == ChatRole.LAST_AT:
            return summary.last_message_at
        if role == ChatRole.PREVIEW:
            return summary.last_message_preview
        if role == ChatRole.STAFF_NAME:
            return summary.staff_name
        if role == ChatRole.PHONE:
            return summary.phone
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._ids[index.row()] not in self._rows:
            return Qt.ItemFlag.NoItemFlags  # failed to load: shown disabled, never raises
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in ChatRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if parent.isValid():
            return False
        return not self._loading and self._loaded_from_query() < self._total

    def fetchMore(self, parent: AnyIndex) -> None:
        if self.canFetchMore(parent):
            self._start_page_load()

    # -- lookups -------------------------------------------------------------------------------

    def row_of(self, conversation_id: int) -> int:
        """Row of a conversation, or -1 when it is not listed."""
        try:
            return self._ids.index(conversation_id)
        except ValueError:
            return -1

    def index_of(self, conversation_id: int) -> QModelIndex:
        row = self.row_of(conversation_id)
        return self.index(row, 0) if row >= 0 else QModelIndex()

    def summary(self, conversation_id: int) -> ConversationSummary | None:
        return self._rows.get(conversation_id)

    def ids(self) -> list[int]:
        return list(self._ids)

    # -- live updates --------------------------------------------------------------------------

    def refresh_conversation(self, conversation_id: int) -> None:
        """Re-read one conversation and move/insert/update/remove its row.

        Requests are batched: the first is read at once; those that arrive meanwhile are read
        together, in one query, at most every ``_REFRESH_INTERVAL_S``, and applied together
        (one repaint of the list instead of one per webhook under load).
        """
        self._dirty[conversation_id] = None
        if self._flusher is None or self._flusher.done():
            self._flusher = self._tasks.spawn(self._flush(), name="refresh")

    def remove_conversation(self, conversation_id: int) -> None:
        """The conversation was deleted."""
        if conversation_id in self._rows:
            self._remove_row(conversation_id)
            self._set_total(max(0, self._total - 1))

    async def _flush(self) -> None:
        while self._dirty:
            generation = self._generation
            ids = list(self._dirty)
            self._dirty.clear()
            summaries = await self._service.get_conversations(ids)
            if generation != self._generation:
                continue  # the query changed meanwhile: its first page has these rows fresh
            found = {summary.id: summary for summary in summaries}
            for conversation_id in ids:
                summary = found.get(conversation_id)
                if summary is None:
                    self.remove_conversation(conversation_id)
                else:
                    self._apply(summary)
            for conversation_id in ids:
                self.row_refreshed.emit(conversation_id)
            # Whatever arrives meanwhile waits for the next batch (and the next repaint).
            await asyncio.sleep(_REFRESH_INTERVAL_S)

    def _apply(self, summary: ConversationSummary) -> None:
        cid = summary.id
        matches = self._matches(summary, listed=cid in self._rows)
        if cid in self._rows:
            if not matches and cid != self._sticky_id:
                self._remove_row(cid)
                self._set_total(max(0, self._total - 1))
                return
            # A sticky row that stops matching stays on screen but no longer counts in the
            # total (the core's count excludes it); it counts again if it matches again.
            if matches and cid in self._stale:
                self._stale.discard(cid)
                self._set_total(self._total + 1)
            elif not matches and cid not in self._stale:
                self._stale.add(cid)
                self._set_total(max(0, self._total - 1))
            self._update_row(summary)
            return
        if not matches:
            return
        position = bisect.bisect_left(self._keys, _sort_key(summary))
        all_loaded = self._loaded_from_query() >= self._total
        if position < len(self._ids) or all_loaded:
            self._insert_row(position, summary)
        # else: older than everything loaded so far: it will come with a later page.
        if all_loaded:
            self._set_total(self._total + 1)  # every matching chat was listed: this one is new
        else:
            # A new chat, or one of the pages not loaded yet (counted already): ask the core.
            self._schedule_recount()

    def _schedule_recount(self) -> None:
        if self._recounter is None or self._recounter.done():
            self._recounter = self._tasks.spawn(self._recount(), name="recount")
        else:
            self._recount_again = True

    async def _recount(self) -> None:
        while True:
            self._recount_again = False
            generation = self._generation
            total = await self._service.count_conversations(
                filter=self._filter, search=self._search, label_id=self._label_id
            )
            if generation == self._generation:
                self._set_total(total)
            if not self._recount_again:
                return
            await asyncio.sleep(_REFRESH_INTERVAL_S)

    def _matches(self, summary: ConversationSummary, *, listed: bool) -> bool:
        """Does the conversation belong to the current query? (Mirrors the core's filters.)"""
        if self._filter == ConversationFilter.NEEDS_HUMAN:
            ok = summary.mode == ConversationMode.NEEDS_HUMAN
        elif self._filter == ConversationFilter.WITH_STAFF:
            ok = summary.mode == ConversationMode.HUMAN
        elif self._filter == ConversationFilter.UNREAD:
            ok = summary.unread_count > 0
        else:
            ok = True
        if ok and self._label_id is not None:
            ok = any(label.id == self._label_id for label in summary.labels)
        if ok and self._search and not listed:
            # The core also searches old message text; a row already listed matched that way.
            # A new row can only be checked against what the summary carries.
            needle = self._search.casefold()
            haystack = " ".join(
                part
                for part in (
                    summary.display_name,
                    summary.phone or "",
                    summary.username or "",
                    summary.last_message_preview,
                )
            ).casefold()
            ok = needle in haystack or needle.lstrip("+") in (summary.phone or "")
        return ok

    # -- row bookkeeping -----------------------------------------------------------------------

    def _update_row(self, summary: ConversationSummary) -> None:
        cid = summary.id
        row = self._ids.index(cid)
        self._rows[cid] = summary
        new_key = _sort_key(summary)
        if new_key != self._keys[row]:
            del self._ids[row]
            del self._keys[row]
            target = bisect.bisect_left(self._keys, new_key)
            self._ids.insert(target, cid)
            self._keys.insert(target, new_key)
            if target != row:
                # Qt's destination is the row *before which* to move, counted before removal.
                destination = target if target < row else target + 1
                self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
                self.endMoveRows()
                row = target
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def _insert_row(self, position: int, summary: ConversationSummary) -> None:
        self.beginInsertRows(QModelIndex(), position, position)
        self._ids.insert(position, summary.id)
        self._keys.insert(position, _sort_key(summary))
        self._rows[summary.id] = summary
        self.endInsertRows()

    def _remove_row(self, conversation_id: int) -> None:
        row = self.row_of(conversation_id)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._ids[row]
        del self._keys[row]
        self._rows.pop(conversation_id, None)
        self._stale.discard(conversation_id)
        self.endRemoveRows()

    def _loaded_from_query(self) -> int:
        # Sticky rows that no longer match are not part of the core's result.
        return len(self._ids) - len(self._stale)

    def _set_total(self, total: int) -> None:
        total = max(total, self._loaded_from_query())
        if total != self._total:
            self._total = total
            self.total_changed.emit(total)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # -- paging --------------------------------------------------------------------------------

    def _start_page_load(self) -> None:
        self._set_loading(True)
        self._tasks.spawn(self._load_page(self._generation), name="page")

    async def _load_page(self, generation: int) -> None:
        first = not self._ids
        try:
            offset = self._loaded_from_query()
            query: dict[str, Any] = {
                "filter": self._filter,
                "search": self._search,
                "label_id": self._label_id,
            }
            if first:
                total = await self._service.count_conversations(**query)
            else:
                total = self._total
            page = await self._service.list_conversations(
                **query, offset=offset, limit=self._page_size
            )
        finally:
            if generation == self._generation:
                self._set_loading(False)
        if generation != self._generation:
            return
        fresh = [summary for summary in page if summary.id not in self._rows]
        if len(page) < self._page_size:
            # The core has no more rows: whatever we hold now is everything.
            total = self._loaded_from_query() + len(fresh)
        fresh.sort(key=_sort_key)
        if fresh and (not self._keys or _sort_key(fresh[0]) > self._keys[-1]):
            # The usual case: the page continues the list, one block at the end.
            start = len(self._ids)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            for summary in fresh:
                self._ids.append(summary.id)
                self._keys.append(_sort_key(summary))
                self._rows[summary.id] = summary
            self.endInsertRows()
        else:
            # Offsets shift while new chats arrive, so a page can overlap what we hold: the
            # duplicates were skipped above, and the rest are placed by their sort key.
            for summary in fresh:
                position = bisect.bisect_left(self._keys, _sort_key(summary))
                self._insert_row(position, summary)
        self._set_total(total)
        if first:
            self.query_loaded.emit()
