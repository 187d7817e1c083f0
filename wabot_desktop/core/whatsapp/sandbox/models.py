"""The sandbox's vocabulary: its fixed ids, credentials, customers, messages and events."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from wabot_desktop.core.errors import WabotError
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey

SANDBOX_PHONE_NUMBER_ID = "109999000000001"
SANDBOX_WABA_ID = "109999000000002"
# Fictional numbers: NANP 555-01xx is reserved for fiction.
SANDBOX_DISPLAY_PHONE_NUMBER = "15555550100"
SANDBOX_VERIFIED_NAME = "Mi tienda (demo)"
TYPING_TIMEOUT_S = 25.0  # WhatsApp hides "typing..." after 25 s (meta-cloud-api.md section 4)
TEXT_LIMIT = 4096

SandboxStatus = Literal["pending", "sent", "delivered", "read", "failed"]
EventKind = Literal["message", "status", "typing", "customer"]
# A status only ever moves forward along this order ("failed" is outside it).
STATUS_RANK: dict[str, int] = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}


class SandboxError(WabotError):
    """The sandbox could not deliver a customer's webhook to the core (or is not connected)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusDelays:
    """Seconds after a send at which ``sent``, ``delivered`` and ``read`` webhooks go out."""

    sent: float = 0.3
    delivered: float = 0.8
    read: float = 1.5

    @classmethod
    def instant(cls) -> StatusDelays:
        return cls(sent=0.0, delivered=0.0, read=0.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxCredentials:
    """What the core needs to talk to the sandbox; random per run, kept in memory only."""

    app_secret: str
    verify_token: str
    access_token: str
    phone_number_id: str = SANDBOX_PHONE_NUMBER_ID
    waba_id: str = SANDBOX_WABA_ID
    display_phone_number: str = SANDBOX_DISPLAY_PHONE_NUMBER

    @classmethod
    def generate(cls) -> SandboxCredentials:
        return cls(
            app_secret=secrets.token_hex(16),
            verify_token=secrets.token_urlsafe(16),
            access_token="SIM" + secrets.token_urlsafe(32),
        )

    def secret_store(self) -> MemorySecretStore:
        """A secret store holding these credentials (the simulator never reads the keyring)."""
        return MemorySecretStore(
            {
                SecretKey.ACCESS_TOKEN: self.access_token,
                SecretKey.APP_SECRET: self.app_secret,
                SecretKey.VERIFY_TOKEN: self.verify_token,
                SecretKey.PHONE_NUMBER_ID: self.phone_number_id,
                SecretKey.WABA_ID: self.waba_id,
            }
        )

    def __repr__(self) -> str:  # never print the secrets
        return f"SandboxCredentials(phone_number_id={self.phone_number_id!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxCustomer:
    """A fake customer: WhatsApp profile name and number (digits only, as Meta sends it)."""

    name: str
    wa_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxButton:
    """A reply button of an interactive message the bot sent."""

    id: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxListRow:
    """A row of an interactive list message the bot sent."""

    id: str
    title: str
    description: str | None = None
    section: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxMessage:
    """One message of a customer's chat, as the customer's phone shows it.

    ``from_customer`` False: the business (bot or staff) sent it to ``wa_id``; its ``status``
    goes ``pending`` -> ``sent`` -> ``delivered`` -> ``read`` (the status webhooks). True: the
    customer ``wa_id`` sent it; ``pending`` until the core answered 200, then ``delivered``,
    ``read`` once the business marked it read, ``failed`` if the core refused it.

    ``text`` is the body (text, caption, interactive body, template body or the tapped
    button/row title). Snapshots are immutable: a status change publishes a new one.
    """

    wamid: str
    wa_id: str
    from_customer: bool
    type: str
    text: str | None
    status: SandboxStatus
    time: float
    reply_to: str | None = None
    header: str | None = None
    footer: str | None = None
    buttons: tuple[SandboxButton, ...] = ()
    list_button: str | None = None
    list_rows: tuple[SandboxListRow, ...] = ()
    interactive_id: str | None = None  # the customer's tapped button / chosen row id
    media_id: str | None = None
    media_link: str | None = None
    media_mime: str | None = None
    voice: bool = False
    latitude: float | None = None
    longitude: float | None = None
    location_name: str | None = None
    location_address: str | None = None
    emoji: str | None = None  # reactions
    template_name: str | None = None
    error_code: int | None = None

    @property
    def to(self) -> str:
        """Recipient: the customer for business messages, the business for customer ones."""
        return SANDBOX_DISPLAY_PHONE_NUMBER if self.from_customer else self.wa_id


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxEvent:
    """What changed in the sandbox, for the phone pane.

    * ``message``: a new message in ``wa_id``'s chat (either direction), in ``message``;
    * ``status``: ``message`` (snapshot) moved to ``status``;
    * ``typing``: the business started (``typing`` True) or stopped showing "typing...";
    * ``customer``: a customer was added (``customer``).
    """

    kind: EventKind
    wa_id: str
    message: SandboxMessage | None = None
    status: str | None = None
    typing: bool = False
    customer: SandboxCustomer | None = None

    @property
    def wamid(self) -> str | None:
        return self.message.wamid if self.message is not None else None


SandboxListener = Callable[[SandboxEvent], None]
