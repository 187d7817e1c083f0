"""The phone pane's chat: one fake customer's messages as the sandbox reports them.

Rows are the sandbox's :class:`SandboxMessage` snapshots, oldest first. New messages are
inserted at the end, a status change replaces one snapshot and emits ``dataChanged`` for that
row only (house style 10). The chat of the phone is small (one practice conversation), so the
model keeps every row; switching customers resets it.
"""

from __future__ import annotations

import logging
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from wabot_desktop.core.simulator import SandboxMessage
from wabot_desktop.gui import texts

logger = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex


class PhoneRole(IntEnum):
    """Custom roles of :class:`PhoneChatModel`."""

    MESSAGE = Qt.ItemDataRole.UserRole + 1  # the SandboxMessage snapshot
    WAMID = Qt.ItemDataRole.UserRole + 2
    FROM_CUSTOMER = Qt.ItemDataRole.UserRole + 3
    STATUS = Qt.ItemDataRole.UserRole + 4


def kind_label(message: SandboxMessage) -> str:
    """The line above a media message's caption ("" for plain text and interactive messages)."""
    kind = message.type
    if kind == "image":
        return QCoreApplication.translate("PhoneChat", "Photo")
    if kind == "audio":
        if message.voice:
            return QCoreApplication.translate("PhoneChat", "Voice message")
        return QCoreApplication.translate("PhoneChat", "Audio")
    if kind == "video":
        return QCoreApplication.translate("PhoneChat", "Video")
    if kind == "document":
        return QCoreApplication.translate("PhoneChat", "Document")
    if kind == "sticker":
        return QCoreApplication.translate("PhoneChat", "Sticker")
    if kind == "location":
        return QCoreApplication.translate("PhoneChat", "Location")
    if kind == "contacts":
        return QCoreApplication.translate("PhoneChat", "Contact card")
    if kind == "reaction":
        return QCoreApplication.translate("PhoneChat", "Reacted {emoji}").format(
            emoji=message.emoji or ""
        )
    return ""


def body_text(message: SandboxMessage) -> str:
    """The message's own words (customer or bot text, captions, a place's name and address)."""
    if message.type == "location":
        place = [part for part in (message.location_name, message.location_address) if part]
        if place:
            return "\n".join(place)
        if message.latitude is not None and message.longitude is not None:
            return f"{message.latitude:.5f}, {message.longitude:.5f}"
        return ""
    return message.text or ""


def glyph_for(message: SandboxMessage) -> str:
    """The icon of a media message's kind line (``paint_glyph`` names)."""
    if message.type == "audio":
        return "voice" if message.voice else "audio"
    if message.type == "reaction":
        return "emoji"
    return message.type


def status_text(message: SandboxMessage) -> str:
    """What the customer's ticks mean, for tooltips and screen readers."""
    if not message.from_customer:
        return ""
    status = message.status
    if status == "pending":
        return QCoreApplication.translate("PhoneChat", "Sending…")
    if status == "failed":
        return QCoreApplication.translate("PhoneChat", "Not delivered to WaBot")
    if status == "read":
        return QCoreApplication.translate("PhoneChat", "Read by the business")
    return QCoreApplication.translate("PhoneChat", "Delivered")


class PhoneChatModel(QAbstractListModel):
    """The messages of one sandbox customer, oldest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.wa_id: str | None = None
        self._messages: list[SandboxMessage] = []
        self._rows: dict[str, int] = {}

    # -- changes ---------------------------------------------------------------------------

    def set_chat(self, wa_id: str | None, messages: list[SandboxMessage]) -> None:
        """Show ``wa_id``'s chat (another customer: the whole list changes)."""
        self.beginResetModel()
        self.wa_id = wa_id
        self._messages = [m for m in messages if m.wa_id == wa_id]
        self._rows = {m.wamid: row for row, m in enumerate(self._messages)}
        self.endResetModel()

    def add_message(self, message: SandboxMessage) -> None:
        """A new message of some customer's chat; only the shown customer's become rows."""
        if message.wa_id != self.wa_id:
            return
        if message.wamid in self._rows:
            self.update_message(message)
            return
        row = len(self._messages)
        self.beginInsertRows(QModelIndex(), row, row)
        self._messages.append(message)
        self._rows[message.wamid] = row
        self.endInsertRows()

    def update_message(self, message: SandboxMessage) -> None:
        """A newer snapshot of a shown message (its status moved)."""
        row = self._rows.get(message.wamid)
        if row is None:
            return
        self._messages[row] = message
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    # -- reading ---------------------------------------------------------------------------

    def message_at(self, row: int) -> SandboxMessage | None:
        return self._messages[row] if 0 <= row < len(self._messages) else None

    def row_of(self, wamid: str) -> int:
        return self._rows.get(wamid, -1)

    def messages(self) -> list[SandboxMessage]:
        return list(self._messages)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._messages)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        message = self.message_at(index.row())
        if message is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return body_text(message) or kind_label(message)
        if role == Qt.ItemDataRole.ToolTipRole:
            return status_text(message) or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._spoken(message)
        if role == PhoneRole.MESSAGE:
            return message
        if role == PhoneRole.WAMID:
            return message.wamid
        if role == PhoneRole.FROM_CUSTOMER:
            return message.from_customer
        if role == PhoneRole.STATUS:
            return message.status
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    @staticmethod
    def _spoken(message: SandboxMessage) -> str:
        who = (
            QCoreApplication.translate("PhoneChat", "You")
            if message.from_customer
            else QCoreApplication.translate("PhoneChat", "Business")
        )
        parts = [who, kind_label(message), body_text(message), texts.clock(message.time)]
        parts += [button.title for button in message.buttons]
        parts.append(status_text(message))
        return ", ".join(part for part in parts if part)
