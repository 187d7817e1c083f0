"""Plain, frozen data parsed from webhook bodies.

These objects hold no client and no send methods: they can be stored, shown and tested as they
are. Every field that Meta may omit is optional. Text fields are already sanitised (no NUL, no
lone surrogates) by the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MessageType(StrEnum):
    """Inbound message types; anything Meta adds later becomes UNKNOWN (raw JSON kept)."""

    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    INTERACTIVE = "interactive"
    BUTTON = "button"
    REACTION = "reaction"
    ORDER = "order"
    SYSTEM = "system"
    UNSUPPORTED = "unsupported"
    REQUEST_WELCOME = "request_welcome"
    EDIT = "edit"
    REVOKE = "revoke"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object) -> MessageType:
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                return cls.UNKNOWN
        return cls.UNKNOWN


MEDIA_TYPES = frozenset(
    {
        MessageType.IMAGE,
        MessageType.AUDIO,
        MessageType.VIDEO,
        MessageType.DOCUMENT,
        MessageType.STICKER,
    }
)


class StatusKind(StrEnum):
    """Delivery statuses Meta reports in status webhooks. ``rank`` orders them; FAILED is last.

    Only the wire's words: what we store for a message (including our own ``queued`` and
    ``received``) is :class:`wabot_desktop.core.dto.MessageStatus`.
    """

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object) -> StatusKind:
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                return cls.UNKNOWN
        return cls.UNKNOWN

    @property
    def rank(self) -> int:
        return _STATUS_RANK[self]


_STATUS_RANK = {
    StatusKind.UNKNOWN: -1,
    StatusKind.SENT: 1,
    StatusKind.DELIVERED: 2,
    StatusKind.READ: 3,
    StatusKind.PLAYED: 4,
    StatusKind.FAILED: 100,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiError:
    """One entry of an ``errors[]`` array (message-, status- or value-level)."""

    code: int | None
    title: str | None = None
    message: str | None = None
    details: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Media:
    """Media metadata of an image/audio/video/document/sticker message."""

    id: str | None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False
    animated: bool = False
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    latitude: float | None
    longitude: float | None
    name: str | None = None
    address: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reaction:
    """A reaction to one of our messages; ``emoji`` None or "" means the reaction was removed."""

    message_id: str | None
    emoji: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractiveReply:
    """A tap on our reply button or list row, or a Flow completion (``nfm_reply``)."""

    kind: str  # "button_reply" | "list_reply" | "nfm_reply" | whatever Meta sent
    id: str | None = None
    title: str | None = None
    description: str | None = None
    response_json: str | None = None  # nfm_reply: a JSON *string*, kept as received


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonReply:
    """A tap on a template quick-reply button (``type: button``)."""

    payload: str | None
    text: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferredProduct:
    catalog_id: str | None
    product_retailer_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """``context`` of a message: quoted message, forwarding flags, product inquiry."""

    from_: str | None = None
    id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: ReferredProduct | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Referral:
    """Click-to-WhatsApp ad / post referral."""

    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None
    headline: str | None = None
    body: str | None = None
    ctwa_clid: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemInfo:
    """``system`` messages (number or BSUID changed, identity changed)."""

    type: str | None
    body: str | None = None
    wa_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SenderProfile:
    """The ``contacts[]`` entry that matches a message's sender."""

    wa_id: str | None = None
    user_id: str | None = None
    name: str | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage:
    """One ``value.messages[]`` item.

    ``text`` is the human-readable content: the body of a text, the caption of media, the title
    of a button/list reply, the text of a template button, the body of a system message, the
    emoji of a reaction. It is None when the message carries no words.
    """

    wamid: str
    phone_number_id: str | None
    from_wa_id: str | None
    from_user_id: str | None
    timestamp: int | None
    type: MessageType
    raw_type: str
    text: str | None = None
    sender: SenderProfile = field(default_factory=SenderProfile)
    media: Media | None = None
    location: Location | None = None
    reaction: Reaction | None = None
    interactive: InteractiveReply | None = None
    button: ButtonReply | None = None
    context: Context | None = None
    referral: Referral | None = None
    system: SystemInfo | None = None
    errors: tuple[ApiError, ...] = ()
    unsupported_type: str | None = None  # ``unsupported.type`` or the unknown ``type`` string
    raw: str = "{}"  # the message object as compact JSON


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusUpdate:
    """One ``value.statuses[]`` item about a message we sent."""

    wamid: str
    phone_number_id: str | None
    status: StatusKind
    raw_status: str
    timestamp: int | None
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    errors: tuple[ApiError, ...] = ()
    biz_opaque_callback_data: str | None = None
    pricing_category: str | None = None
    pricing_type: str | None = None
    raw: str = "{}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountErrors:
    """``value.errors[]`` not tied to one message (e.g. 130429)."""

    phone_number_id: str | None
    errors: tuple[ApiError, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPreference:
    """``user_preferences`` change (marketing stop/resume)."""

    wa_id: str | None
    user_id: str | None
    category: str | None
    value: str | None
    timestamp: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OtherChange:
    """A change of a field we do not act on (template status, quality updates, ...)."""

    field: str
    raw: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedWebhook:
    """Everything in one webhook body, in order, with items for other numbers left out."""

    object_type: str | None
    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()
    account_errors: tuple[AccountErrors, ...] = ()
    user_preferences: tuple[UserPreference, ...] = ()
    other_changes: tuple[OtherChange, ...] = ()
    skipped_invalid: int = 0  # items that could not be understood (logged, not stored)
    skipped_foreign: int = 0  # items for another phone_number_id (logged, ignored)

    @property
    def is_whatsapp(self) -> bool:
        return self.object_type == "whatsapp_business_account"

    @property
    def is_empty(self) -> bool:
        return not (self.messages or self.statuses or self.account_errors or self.user_preferences)
