"""What each simulated customer's phone shows: the customers, their chats, statuses, typing.

The one place the sandbox's state lives; the Graph routes (business side) and the customer
actions both change it through :class:`Chats`, which publishes a :class:`SandboxEvent` for
every change on the sandbox's hub.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from dataclasses import dataclass, field, replace

from wabot_desktop.core.events import Hub
from wabot_desktop.core.whatsapp.sandbox.models import (
    STATUS_RANK,
    SandboxCustomer,
    SandboxEvent,
    SandboxMessage,
    SandboxStatus,
)


@dataclass(slots=True)
class Chat:
    customer: SandboxCustomer
    messages: list[SandboxMessage] = field(default_factory=list)
    typing_timer: asyncio.TimerHandle | None = None


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class Chats:
    """The customers and their chats, in the order they were added."""

    def __init__(self, hub: Hub[SandboxEvent]) -> None:
        self._hub = hub
        self._chats: dict[str, Chat] = {}
        self._by_wamid: dict[str, SandboxMessage] = {}
        self._ids = itertools.count(1)
        self._number_seq = itertools.count(0)

    def publish(self, event: SandboxEvent) -> None:
        self._hub.publish(event)

    # -- customers ------------------------------------------------------------------------

    def _new_number(self) -> str:
        while True:
            index = next(self._number_seq)
            number = f"1{201 + index // 100}55501{index % 100:02d}"
            if number not in self._chats:
                return number

    def add_customer(self, name: str, wa_id: str | None = None) -> SandboxCustomer:
        """Create a fake customer (a fictional number is made up when ``wa_id`` is None).

        Adding an existing number again returns it, with the new name when one is given.
        """
        name = " ".join(name.split())[:80]
        if wa_id is not None:
            digits = _digits(wa_id)
            if not 6 <= len(digits) <= 15:
                raise ValueError("wa_id must be a phone number of 6 to 15 digits")
            wa_id = digits
        else:
            wa_id = self._new_number()
        chat = self._chats.get(wa_id)
        if chat is not None:
            if name and name != chat.customer.name:
                chat.customer = SandboxCustomer(name=name, wa_id=wa_id)
            return chat.customer
        customer = SandboxCustomer(name=name or f"+{wa_id}", wa_id=wa_id)
        self._chats[wa_id] = Chat(customer)
        self.publish(SandboxEvent(kind="customer", wa_id=wa_id, customer=customer))
        return customer

    def customers(self) -> list[SandboxCustomer]:
        """Every customer, in the order they were added."""
        return [chat.customer for chat in self._chats.values()]

    def customer(self, wa_id: str) -> SandboxCustomer | None:
        chat = self._chats.get(_digits(wa_id))
        return chat.customer if chat is not None else None

    def find_customer(self, name: str) -> SandboxCustomer | None:
        """The first customer with this name (case-insensitive), if any."""
        wanted = " ".join(name.split()).casefold()
        return next((c for c in self.customers() if c.name.casefold() == wanted), None)

    @staticmethod
    def wa_id(customer: SandboxCustomer | str) -> str:
        return customer.wa_id if isinstance(customer, SandboxCustomer) else customer

    def get(self, customer: SandboxCustomer | str) -> Chat | None:
        return self._chats.get(self.wa_id(customer))

    def chat(self, customer: SandboxCustomer | str) -> Chat:
        """The customer's chat; ValueError for a customer never added."""
        chat = self.get(customer)
        if chat is None:
            raise ValueError("unknown sandbox customer; add_customer() first")
        return chat

    # -- messages -------------------------------------------------------------------------

    def messages(self, customer: SandboxCustomer | str | None = None) -> list[SandboxMessage]:
        """The chat of ``customer`` (or of everyone), oldest first, both directions."""
        if customer is None:
            return sorted(
                (m for chat in self._chats.values() for m in chat.messages), key=lambda m: m.time
            )
        chat = self.get(customer)
        return list(chat.messages) if chat is not None else []

    def sent_messages(self, customer: SandboxCustomer | str | None = None) -> list[SandboxMessage]:
        """What the business sent (to ``customer``, or to anyone), oldest first."""
        return [m for m in self.messages(customer) if not m.from_customer]

    def message(self, wamid: str) -> SandboxMessage | None:
        return self._by_wamid.get(wamid)

    def new_wamid(self) -> str:
        return f"wamid.SIM{next(self._ids):06d}{secrets.token_hex(10).upper()}"

    def store(self, message: SandboxMessage) -> None:
        """Add ``message`` to its customer's chat (no event: the caller publishes)."""
        chat = self._chats[message.wa_id]
        chat.messages.append(message)
        self._by_wamid[message.wamid] = message

    def set_status(self, wamid: str, status: SandboxStatus, error_code: int | None = None) -> bool:
        """Move a message's status forward (never back); publishes a status event."""
        current = self._by_wamid.get(wamid)
        if current is None:
            return False
        if status != "failed" and STATUS_RANK.get(status, 0) <= STATUS_RANK.get(current.status, 0):
            return False
        updated = replace(current, status=status, error_code=error_code)
        self._by_wamid[wamid] = updated
        chat = self._chats[current.wa_id]
        for index in range(len(chat.messages) - 1, -1, -1):
            if chat.messages[index].wamid == wamid:
                chat.messages[index] = updated
                break
        self.publish(
            SandboxEvent(kind="status", wa_id=current.wa_id, message=updated, status=status)
        )
        return True

    # -- "typing..." ----------------------------------------------------------------------

    def is_typing(self, customer: SandboxCustomer | str) -> bool:
        """True while the business shows "typing..." to this customer."""
        chat = self.get(customer)
        return chat is not None and chat.typing_timer is not None

    def start_typing(self, chat: Chat, timeout_s: float) -> None:
        """The business shows "typing..." for ``timeout_s`` (or until it sends)."""
        was_typing = chat.typing_timer is not None
        if chat.typing_timer is not None:
            chat.typing_timer.cancel()
        loop = asyncio.get_running_loop()
        chat.typing_timer = loop.call_later(timeout_s, self.stop_typing, chat)
        if not was_typing:
            self.publish(SandboxEvent(kind="typing", wa_id=chat.customer.wa_id, typing=True))

    def stop_typing(self, chat: Chat) -> None:
        if chat.typing_timer is None:
            return
        chat.typing_timer.cancel()
        chat.typing_timer = None
        self.publish(SandboxEvent(kind="typing", wa_id=chat.customer.wa_id, typing=False))

    def cancel_typing(self) -> None:
        """Drop every "typing..." timer silently (the sandbox is detaching)."""
        for chat in self._chats.values():
            if chat.typing_timer is not None:
                chat.typing_timer.cancel()
                chat.typing_timer = None
