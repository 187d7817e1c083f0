"""Typed events the core publishes, and the small in-process hub that carries them.

Their vocabulary (modes, authors, statuses, LLM and tunnel states) is the enums of
:mod:`wabot_desktop.core.dto`.

Every event names the ids it touched so a view can update just those rows. Events are published
from the event loop's thread only; subscribers run synchronously and must not block (the GUI's
bridge re-emits them as Qt signals).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from wabot_desktop.core.dto import (
    Author,
    ConversationMode,
    HandoffReason,
    LlmState,
    MessageStatus,
    TunnelState,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every core event."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageReceived(Event):
    """A new customer message was stored (duplicates never raise this)."""

    conversation_id: int
    message_id: int
    contact_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageQueued(Event):
    """An outbound message (bot or staff) was stored and queued for sending."""

    conversation_id: int
    message_id: int
    author: Author


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplySent(Event):
    """Meta accepted an outbound message; ``wamid`` is its WhatsApp id."""

    conversation_id: int
    message_id: int
    wamid: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageStatusChanged(Event):
    """An outbound message's delivery status moved forward (sent, delivered, read, failed)."""

    conversation_id: int
    message_id: int
    status: MessageStatus
    error_code: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageUpdated(Event):
    """A stored message changed besides its status (a voice note's transcript arrived)."""

    conversation_id: int
    message_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ModeChanged(Event):
    """A conversation's mode changed (bot, human, needs_human)."""

    conversation_id: int
    mode: ConversationMode
    staff_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffRequested(Event):
    """A customer needs a person (asked for one, the bot had no answer, flood, backlog)."""

    conversation_id: int
    reason: HandoffReason

    def __post_init__(self) -> None:
        # Another instance's notification carries the stored string: make it the member.
        reason: object = self.reason
        if not isinstance(reason, HandoffReason):
            object.__setattr__(self, "reason", HandoffReason(str(reason)))


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationUpdated(Event):
    """Something shown in the chat list changed (unread count, labels, preview, contact)."""

    conversation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationDeleted(Event):
    """A conversation and its contact's data were deleted."""

    conversation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmStateChanged(Event):
    """The LLM went up, down, or is loading; ``detail`` is a machine-readable reason."""

    state: LlmState
    model: str
    detail: str | None = None
    provider: str = "ollama"  # "ollama" | "openai"
    # Set when the model server is not on this PC ("Las conversaciones salen de esta PC ...").
    privacy_warning: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SendBlocked(Event):
    """All sending stopped (token rejected, account locked); the owner must act."""

    reason: str
    error_code: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SendUnblocked(Event):
    """Sending resumed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountErrorReceived(Event):
    """Meta reported an account-level error in a webhook (e.g. 130429 rate limit)."""

    error_code: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TunnelStateChanged(Event):
    """The public tunnel went up or down."""

    state: TunnelState
    public_url: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackRegistered(Event):
    """The callback Meta delivers to was (re-)pointed at ``callback_url`` and read back.

    ``ok`` is False when Meta refused or the effective callback (``effective_url``) differs.
    """

    callback_url: str
    ok: bool
    effective_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenExpiring(Event):
    """The access token expires at ``expires_at`` (Unix time), within a week or already."""

    expires_at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenRefreshed(Event):
    """The expiring access token was renewed with Meta (a new 60-day token is stored)."""

    expires_at: int  # 0 = never


@dataclass(frozen=True, slots=True, kw_only=True)
class BotPauseChanged(Event):
    """The global pause switch changed."""

    paused: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingsChanged(Event):
    """Settings shared by the shop's PCs were saved (another instance reads them again)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFailed(Event):
    """A supervised background task crashed and was restarted (or gave up)."""

    task: str
    error: str


E = TypeVar("E", bound=Event)
T = TypeVar("T")
Subscriber = Callable[[Event], None]


class Hub(Generic[T]):
    """Synchronous publish/subscribe for events of type ``T`` (core events, the sandbox's)."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[T], None]] = []

    def subscribe(self, callback: Callable[[T], None]) -> Callable[[], None]:
        """Call ``callback`` for every event; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: T) -> None:
        """Deliver ``event`` to every subscriber; a failing subscriber is logged, not raised."""
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                logger.exception("event subscriber failed on %s", type(event).__name__)


class EventHub(Hub[Event]):
    """Synchronous publish/subscribe for core events."""
