"""Plain frozen data the BotService hands to the GUI (never ORM objects), and the vocabulary.

The enums here are the one definition of each word the core, the database, the events, /health
and the GUI share (conversation mode, author, message status, outbox state, handoff reason, LLM
and tunnel state). They are
StrEnums whose values are the strings stored in the database and written in JSON, so a member
compares equal to its stored string and serialises as it.

Times are POSIX seconds (float, UTC); the GUI formats them in local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ConversationMode(StrEnum):
    """Who answers a conversation."""

    BOT = "bot"
    HUMAN = "human"
    NEEDS_HUMAN = "needs_human"


class Author(StrEnum):
    """Who wrote a message."""

    CUSTOMER = "customer"
    BOT = "bot"
    STAFF = "staff"
    SYSTEM = "system"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class MessageStatus(StrEnum):
    """A stored message's status (``messages.status``).

    RECEIVED (every inbound message) and QUEUED (stored in the outbox, not yet accepted by
    Meta) are ours; the others are the latest delivery status Meta reported for an outbound
    message (the wire's ``core.whatsapp.models.StatusKind``, which never says queued/received).
    """

    RECEIVED = "received"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"

    @classmethod
    def from_wire(cls, status: str) -> MessageStatus | None:
        """The stored status for a delivery status Meta reported; None for one we do not know."""
        try:
            stored = cls(status)
        except ValueError:
            return None
        return stored if stored in _WIRE_STATUSES else None

    def advances_to(self, new: MessageStatus) -> bool:
        """True if ``new`` may replace this status: forward only, FAILED is terminal."""
        if self is MessageStatus.FAILED or new in (MessageStatus.RECEIVED, MessageStatus.QUEUED):
            return False
        return _STATUS_RANK[new] > _STATUS_RANK[self]


_STATUS_RANK = {
    MessageStatus.RECEIVED: 0,
    MessageStatus.QUEUED: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
    MessageStatus.PLAYED: 4,
    MessageStatus.FAILED: 100,
}
_WIRE_STATUSES = frozenset(
    {
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
        MessageStatus.PLAYED,
        MessageStatus.FAILED,
    }
)


class OutboxState(StrEnum):
    """Where a row of the outbox stands (``outbox.state``); the message's own status is
    :class:`MessageStatus`."""

    QUEUED = "queued"  # waiting to be sent (or sent again after a transient error)
    SENT = "sent"  # Meta accepted it
    FAILED = "failed"  # permanently refused, or given up after ``give_up_after_hours``
    CANCELLED = "cancelled"


class InDoubtDecision(StrEnum):
    """Start-up's decision on a row whose send was never answered (``outbox.in_doubt_decision``)."""

    CONFIRMED_BY_STATUS = "confirmed_by_status"  # a status webhook named it: not sent again
    RESENT_NO_STATUS = "resent_no_status"  # no status within the wait: sent again


class HandoffReason(StrEnum):
    """Why a chat went to a person (``HandoffRequested.reason``)."""

    CUSTOMER_REQUEST = "customer_request"
    NO_ANSWER = "no_answer"
    LLM_UNAVAILABLE = "llm_unavailable"
    FLOOD = "flood"
    BACKLOG = "backlog"
    BOT_ERROR = "bot_error"  # the turn itself raised (a bug, a missing file, a bad setting)


class LlmState(StrEnum):
    """What the app knows about the model server."""

    UNKNOWN = "unknown"
    UP = "up"
    DOWN = "down"
    MODEL_MISSING = "model_missing"
    LOADING = "loading"
    CIRCUIT_OPEN = "circuit_open"


class TunnelState(StrEnum):
    """Where the public URL stands."""

    DISABLED = "disabled"
    STARTING = "starting"
    UP = "up"
    DOWN = "down"
    AGENT_MISSING = "agent_missing"
    AUTH_FAILED = "auth_failed"
    ERROR = "error"


class GraphState(StrEnum):
    """What the last check of the WhatsApp Cloud API found (``HealthSnapshot.graph``)."""

    OK = "ok"
    UNKNOWN = "unknown"  # not checked yet
    BLOCKED = "blocked"  # sending stopped (token rejected, account locked)
    ERROR = "error"
    SANDBOX = "sandbox"  # practice mode: the simulator answers


class DatabaseState(StrEnum):
    """``HealthSnapshot.database``."""

    OK = "ok"
    ERROR = "error"


class ConversationFilter(StrEnum):
    """Chat-list filters."""

    ALL = "all"
    NEEDS_HUMAN = "needs_human"
    WITH_STAFF = "with_staff"
    UNREAD = "unread"


WINDOW_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelInfo:
    id: int
    name: str
    color: str  # "#RRGGBB"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationSummary:
    """One row of the chat list."""

    id: int
    contact_id: int
    display_name: str  # profile name, else @username, else masked-free number as received
    phone: str | None  # wa_id as received (digits)
    username: str | None
    mode: ConversationMode
    staff_name: str | None
    last_message_preview: str
    last_message_at: float | None
    last_message_author: Author | None
    unread_count: int
    last_customer_message_at: float | None
    labels: tuple[LabelInfo, ...] = ()
    opted_out: bool = False
    blocked: bool = False

    def window_open(self, now: float) -> bool:
        """True while the 24-hour customer service window is open."""
        return (
            self.last_customer_message_at is not None
            and now - self.last_customer_message_at < WINDOW_SECONDS
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageView:
    """One bubble in the conversation view."""

    id: int
    conversation_id: int
    wamid: str | None
    direction: Direction
    author: Author
    staff_name: str | None
    type: str  # MessageType value ("text", "image", ...), or "template"/"interactive" outbound
    text: str | None
    status: MessageStatus
    error_code: int | None
    error_title: str | None
    created_at: float
    reply_to_wamid: str | None = None
    reply_to_preview: str | None = None
    media_id: str | None = None
    media_mime: str | None = None
    media_filename: str | None = None
    media_voice: bool = False
    media_path: str | None = None  # local file once downloaded
    transcript: str | None = None  # a voice note transcribed on this PC (plain text)
    latitude: float | None = None
    longitude: float | None = None
    location_name: str | None = None
    location_address: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    unsupported_type: str | None = None
    buttons: tuple[str, ...] = ()  # titles of interactive buttons/list rows we sent


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactDetails:
    """The contact panel."""

    id: int
    conversation_id: int | None
    display_name: str
    profile_name: str | None
    phone: str | None
    user_id: str | None
    username: str | None
    first_seen_at: float | None
    last_seen_at: float | None
    notes: str
    opted_out: bool
    blocked: bool
    labels: tuple[LabelInfo, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class QuickReply:
    shortcut: str  # without the leading "/"
    text: str  # may contain {nombre}


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateInfo:
    """One message template of the WABA, with its body text and parameter names."""

    name: str
    language: str
    status: str  # Meta's review status ("APPROVED", "PENDING", ...)
    category: str | None
    body_text: str | None
    param_count: int
    param_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnattributedMessageView:
    """A kept customer message that named no sender (nobody can be answered)."""

    wamid: str
    type: str
    text: str | None
    received_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthSnapshot:
    """What the status bar and GET /health show."""

    database: DatabaseState
    graph: GraphState
    llm: LlmState
    llm_model: str
    tunnel: TunnelState
    public_url: str | None
    outbox_queued: int
    outbox_failed: int
    bot_paused: bool
    simulator: bool
    sending_blocked_reason: str | None = None
    bot_errors: int = 0  # bot turns that raised since start-up (each chat went to a person)
    last_bot_error: str | None = None  # the exception's type name, never customer text
    unattributed_messages: int = 0  # customer messages kept that name no sender at all
    # This month's service replies vs Meta's free ones (core.meter.ServiceMeter as a dict).
    service_messages: dict[str, object] | None = None
    llm_provider: str = "ollama"  # "ollama" | "openai"
    # "Las conversaciones salen de esta PC hacia <host>." when the model server is elsewhere.
    llm_privacy_warning: str | None = None
    llm_remote_host: str | None = None  # the host in that warning (the GUI words it itself)
