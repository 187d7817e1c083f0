"""The simulator's in-process stand-in for the WhatsApp Cloud API (Graph API) and its customers.

Simulator mode runs the real pipeline end to end on the PC; only the Graph API base URL points
here. :class:`Sandbox` is a small aiohttp server on 127.0.0.1 (same event loop as the core) that
answers the requests :class:`~wabot_desktop.core.whatsapp.graph.GraphClient` makes, with Meta's
wire format (``shared/docs/meta-cloud-api.md`` sections 4 and 4.1):

* ``POST /{ver}/{pnid}/messages``: sends (recorded as :class:`SandboxMessage`, answered with a
  new ``wamid.SIM...``) and mark-read / typing-indicator bodies (``{"success": true}``);
* ``GET /{ver}/{media_id}`` and ``GET /media-bin/{media_id}``: media URL and bytes (generated
  PNG / OGG placeholders for the customer's photo and voice note), ``POST /{ver}/{pnid}/media``;
* ``GET /{ver}/{waba}/message_templates`` (two demo templates), ``GET /{ver}/{pnid}`` (health).

Every Graph request must carry ``Authorization: Bearer <the sandbox's own token>``; unknown ids
get Meta's error bodies. After each accepted send the sandbox posts signed ``sent``,
``delivered`` and ``read`` status webhooks back to the core (with configurable delays).

The customer side (the GUI's phone pane, the headless ``/simulator/*`` routes, tests) calls the
coroutines :meth:`Sandbox.send_text`, :meth:`Sandbox.tap_button`, ... Each builds a real Cloud
API webhook body (section 2-3 shapes), signs it with the sandbox's app secret and POSTs it to the
core's real ``/webhook``. Listeners get :class:`SandboxEvent` objects through
:meth:`Sandbox.subscribe` (plain callbacks on the event loop's thread; no Qt here).

The sandbox's credentials are random per run, live in a :class:`MemorySecretStore` only, and
are never written anywhere (least of all the keyring). Message bodies are never logged.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import itertools
import json
import logging
import secrets
import struct
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from aiohttp import web

from wabot_desktop.core.aio import wait_event
from wabot_desktop.core.errors import WabotError
from wabot_desktop.core.logs import mask_phone
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.whatsapp.signature import sign

logger = logging.getLogger(__name__)

SANDBOX_PHONE_NUMBER_ID = "109999000000001"
SANDBOX_WABA_ID = "109999000000002"
# Fictional numbers: NANP 555-01xx is reserved for fiction.
SANDBOX_DISPLAY_PHONE_NUMBER = "15555550100"
SANDBOX_VERIFIED_NAME = "Mi tienda (demo)"
TYPING_TIMEOUT_S = 25.0  # WhatsApp hides "typing..." after 25 s (meta-cloud-api.md section 4)

_VERSION = r"{version:v[0-9]+\.[0-9]+}"
_TEXT_LIMIT = 4096
_MAX_BODY_BYTES = 20 * 1024 * 1024
_STATUS_RETRIES = 3

SandboxStatus = Literal["pending", "sent", "delivered", "read", "failed"]
EventKind = Literal["message", "status", "typing", "customer"]
_RANK: dict[str, int] = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}


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


@dataclass(slots=True)
class _Media:
    data: bytes
    mime_type: str


@dataclass(slots=True)
class _Chat:
    customer: SandboxCustomer
    messages: list[SandboxMessage] = field(default_factory=list)
    typing_timer: asyncio.TimerHandle | None = None


# -- generated media placeholders ----------------------------------------------------------


def placeholder_png(width: int = 96, height: int = 72) -> bytes:
    """A small valid PNG (a sky-and-hills picture) for the customer's photo placeholder."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            hill = height * 0.62 + 8 * ((x % 48) - 24) ** 2 / 576
            if y > hill:
                rows += bytes((37, 160 - y // 3, 70))
            else:
                rows += bytes((110 + y, 170 + y // 2, 235))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(packets: list[bytes], *, flags: int, granule: int, serial: int, seq: int) -> bytes:
    lacing = bytearray()
    for packet in packets:
        lacing += b"\xff" * (len(packet) // 255) + bytes((len(packet) % 255,))
    header = (
        b"OggS"
        + struct.pack("<BBqIII", 0, flags, granule, serial, seq, 0)
        + bytes((len(lacing),))
        + bytes(lacing)
    )
    page = header + b"".join(packets)
    crc = _ogg_crc(page)
    return page[:22] + struct.pack("<I", crc) + page[26:]


def placeholder_ogg(seconds: float = 1.0) -> bytes:
    """A small valid Ogg Opus file of silence (mono, 48 kHz) for the voice-note placeholder."""
    serial = 0x53494D31  # "SIM1"
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    vendor = b"wabot-desktop simulator"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    frames = max(1, min(200, int(seconds * 50)))  # 20 ms frames; one page holds 255 packets
    silence = b"\xf8\xff\xfe"  # CELT fullband 20 ms, mono: the usual Opus silence frame
    return (
        _ogg_page([head], flags=0x02, granule=0, serial=serial, seq=0)
        + _ogg_page([tags], flags=0x00, granule=0, serial=serial, seq=1)
        + _ogg_page(
            [silence] * frames, flags=0x04, granule=312 + frames * 960, serial=serial, seq=2
        )
    )


def _sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def _is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_header_name(host: str | None) -> str | None:
    """The name in a ``Host`` header (``"127.0.0.1:8080"`` -> ``"127.0.0.1"``)."""
    if not host:
        return None
    try:
        return urlsplit("//" + host.strip()).hostname
    except ValueError:
        return None


def _is_loopback_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and _is_loopback_host(parts.hostname)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _demo_templates() -> list[dict[str, Any]]:
    return [
        {
            "name": "seguimiento_pedido",
            "language": "es",
            "status": "APPROVED",
            "category": "UTILITY",
            "id": "190000000000001",
            "components": [
                {
                    "type": "BODY",
                    "text": "Hola {{1}}, tu pedido {{2}} ya está listo para retirar. ¡Gracias!",
                }
            ],
        },
        {
            "name": "hello_world",
            "language": "en_US",
            "status": "APPROVED",
            "category": "UTILITY",
            "id": "190000000000002",
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
                {"type": "BODY", "text": "Welcome and congratulations!!"},
            ],
        },
    ]


class Sandbox:
    """In-process Graph API + fake customers; see the module docstring.

    Lifecycle: ``await start()`` (binds 127.0.0.1:<free port>, ``base_url`` is then set),
    ``set_webhook_url(...)`` once the core's webhook server listens, ``await stop()``.
    """

    def __init__(
        self,
        credentials: SandboxCredentials | None = None,
        *,
        delays: StatusDelays | None = None,
        auto_read: bool = True,
        typing_timeout_s: float = TYPING_TIMEOUT_S,
        templates: list[dict[str, Any]] | None = None,
    ) -> None:
        self.credentials = credentials or SandboxCredentials.generate()
        self.delays = delays or StatusDelays()
        # True: the customer "reads" every business message (read status after delays.read).
        # False: only read(customer) sends read statuses (a pane that knows what is on screen).
        self.auto_read = auto_read
        self.typing_timeout_s = typing_timeout_s
        self.templates = templates if templates is not None else _demo_templates()
        self._chats: dict[str, _Chat] = {}
        self._by_wamid: dict[str, SandboxMessage] = {}
        self._media: dict[str, _Media] = {}
        self._listeners: list[SandboxListener] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._webhook_url: str | None = None
        self._http: httpx.AsyncClient | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._ids = itertools.count(1)
        self._number_seq = itertools.count(0)
        self._png = placeholder_png()
        self._ogg = placeholder_ogg()

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the Graph base URL the core's GraphClient uses."""
        if self._port is None:
            raise RuntimeError("sandbox not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def webhook_url(self) -> str | None:
        return self._webhook_url

    def set_webhook_url(self, url: str) -> None:
        """Where customer messages and status webhooks go (the core's ``/webhook``, loopback)."""
        if not _is_loopback_host(urlsplit(url).hostname):
            raise ValueError("the sandbox only posts to a loopback webhook URL")
        self._webhook_url = url

    async def start(self) -> None:
        """Serve the Graph routes on 127.0.0.1:<free port> in the running loop."""
        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        app = web.Application(client_max_size=_MAX_BODY_BYTES, middlewares=[self._auth])
        app.router.add_post(f"/{_VERSION}/{{node}}/messages", self._on_messages)
        app.router.add_post(f"/{_VERSION}/{{node}}/media", self._on_upload)
        app.router.add_get(f"/{_VERSION}/{{node}}/message_templates", self._on_templates)
        app.router.add_get(f"/{_VERSION}/{{node}}", self._on_node)
        app.router.add_delete(f"/{_VERSION}/{{node}}", self._on_delete_media)
        app.router.add_get("/media-bin/{media_id}", self._on_media_bin)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._port = int(runner.addresses[0][1])
        self._runner = runner
        # Never through a proxy: every request of the sandbox goes to the loopback interface.
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(10.0), trust_env=False)
        logger.info("simulator sandbox listening on %s", self.base_url)

    async def detach(self) -> None:
        """Stop posting webhooks (pending status webhooks are dropped); the routes stay up."""
        self._webhook_url = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for chat in self._chats.values():
            if chat.typing_timer is not None:
                chat.typing_timer.cancel()
                chat.typing_timer = None

    async def stop(self) -> None:
        """Drop pending webhooks, stop serving, close the HTTP client (idempotent)."""
        await self.detach()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    # -- listeners ------------------------------------------------------------------------

    def subscribe(self, callback: SandboxListener) -> Callable[[], None]:
        """Call ``callback(event)`` for every :class:`SandboxEvent`; returns the unsubscriber."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def _publish(self, event: SandboxEvent) -> None:
        for callback in list(self._listeners):
            try:
                callback(event)
            except Exception:
                logger.exception("sandbox listener failed on a %s event", event.kind)

    # -- customers and what they see ------------------------------------------------------

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
            digits = "".join(ch for ch in wa_id if ch.isdigit())
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
        self._chats[wa_id] = _Chat(customer)
        self._publish(SandboxEvent(kind="customer", wa_id=wa_id, customer=customer))
        return customer

    def customers(self) -> list[SandboxCustomer]:
        """Every customer, in the order they were added."""
        return [chat.customer for chat in self._chats.values()]

    def customer(self, wa_id: str) -> SandboxCustomer | None:
        chat = self._chats.get("".join(ch for ch in wa_id if ch.isdigit()))
        return chat.customer if chat is not None else None

    def find_customer(self, name: str) -> SandboxCustomer | None:
        """The first customer with this name (case-insensitive), if any."""
        wanted = " ".join(name.split()).casefold()
        return next((c for c in self.customers() if c.name.casefold() == wanted), None)

    def messages(self, customer: SandboxCustomer | str | None = None) -> list[SandboxMessage]:
        """The chat of ``customer`` (or of everyone), oldest first, both directions."""
        if customer is None:
            return sorted(
                (m for chat in self._chats.values() for m in chat.messages), key=lambda m: m.time
            )
        chat = self._chats.get(self._wa_id(customer))
        return list(chat.messages) if chat is not None else []

    def sent_messages(self, customer: SandboxCustomer | str | None = None) -> list[SandboxMessage]:
        """What the business sent (to ``customer``, or to anyone), oldest first."""
        return [m for m in self.messages(customer) if not m.from_customer]

    def message(self, wamid: str) -> SandboxMessage | None:
        return self._by_wamid.get(wamid)

    def is_typing(self, customer: SandboxCustomer | str) -> bool:
        """True while the business shows "typing..." to this customer."""
        chat = self._chats.get(self._wa_id(customer))
        return chat is not None and chat.typing_timer is not None

    @staticmethod
    def _wa_id(customer: SandboxCustomer | str) -> str:
        return customer.wa_id if isinstance(customer, SandboxCustomer) else customer

    def _chat(self, customer: SandboxCustomer | str) -> _Chat:
        chat = self._chats.get(self._wa_id(customer))
        if chat is None:
            raise ValueError("unknown sandbox customer; add_customer() first")
        return chat

    def _store(self, message: SandboxMessage) -> None:
        chat = self._chats[message.wa_id]
        chat.messages.append(message)
        self._by_wamid[message.wamid] = message

    def _set_status(self, wamid: str, status: SandboxStatus, error_code: int | None = None) -> bool:
        """Move a message's status forward (never back); publishes a status event."""
        current = self._by_wamid.get(wamid)
        if current is None:
            return False
        if status != "failed" and _RANK.get(status, 0) <= _RANK.get(current.status, 0):
            return False
        updated = replace(current, status=status, error_code=error_code)
        self._by_wamid[wamid] = updated
        chat = self._chats[current.wa_id]
        for index in range(len(chat.messages) - 1, -1, -1):
            if chat.messages[index].wamid == wamid:
                chat.messages[index] = updated
                break
        self._publish(
            SandboxEvent(kind="status", wa_id=current.wa_id, message=updated, status=status)
        )
        return True

    def _new_wamid(self) -> str:
        return f"wamid.SIM{next(self._ids):06d}{secrets.token_hex(10).upper()}"

    def _new_media_id(self) -> str:
        return f"{990000000000000 + next(self._ids)}"

    def add_media(self, data: bytes, mime_type: str) -> str:
        """Store bytes the core can download (as if a customer had sent them); returns the id."""
        media_id = self._new_media_id()
        self._media[media_id] = _Media(data, mime_type)
        return media_id

    # -- the customer's actions (each POSTs a signed webhook to the core) -------------------

    async def send_text(
        self, customer: SandboxCustomer, text: str, *, reply_to: str | None = None
    ) -> str:
        """The customer types ``text`` (optionally quoting message ``reply_to``)."""
        if not text.strip():
            raise ValueError("empty message")
        if len(text) > _TEXT_LIMIT:
            raise ValueError(f"text is longer than {_TEXT_LIMIT} characters")
        return await self._customer_sends(
            customer, "text", {"text": {"body": text}}, text=text, reply_to=reply_to
        )

    async def send_image_placeholder(
        self, customer: SandboxCustomer, caption: str | None = None
    ) -> str:
        """The customer sends a photo (a generated PNG), with an optional caption."""
        media_id = self.add_media(self._png, "image/png")
        image: dict[str, Any] = {
            "mime_type": "image/png",
            "sha256": _sha256_b64(self._png),
            "id": media_id,
        }
        if caption:
            image["caption"] = caption
        return await self._customer_sends(
            customer,
            "image",
            {"image": image},
            text=caption or None,
            media_id=media_id,
            media_mime="image/png",
        )

    async def send_voice_placeholder(self, customer: SandboxCustomer) -> str:
        """The customer records a voice note (a generated second of silence, Ogg Opus)."""
        mime = "audio/ogg; codecs=opus"
        media_id = self.add_media(self._ogg, mime)
        audio = {"mime_type": mime, "sha256": _sha256_b64(self._ogg), "id": media_id, "voice": True}
        return await self._customer_sends(
            customer, "audio", {"audio": audio}, media_id=media_id, media_mime=mime, voice=True
        )

    async def send_location(
        self,
        customer: SandboxCustomer,
        latitude: float,
        longitude: float,
        name: str | None = None,
        address: str | None = None,
    ) -> str:
        """The customer shares a location (a pin, or a named place with an address)."""
        if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
            raise ValueError("latitude/longitude out of range")
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if name:
            location["name"] = name
        if address:
            location["address"] = address
        return await self._customer_sends(
            customer,
            "location",
            {"location": location},
            latitude=latitude,
            longitude=longitude,
            location_name=name or None,
            location_address=address or None,
        )

    async def tap_button(
        self, customer: SandboxCustomer, message_wamid: str, button_id: str, title: str
    ) -> str:
        """The customer taps reply button ``button_id`` of the business's ``message_wamid``."""
        message = self._business_message(customer, message_wamid)
        if not message.buttons:
            raise ValueError("that message has no reply buttons")
        if button_id not in {b.id for b in message.buttons}:
            raise ValueError("that message has no button with this id")
        interactive = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        return await self._customer_sends(
            customer,
            "interactive",
            {"interactive": interactive},
            text=title,
            reply_to=message_wamid,
            interactive_id=button_id,
        )

    async def choose_list_row(
        self,
        customer: SandboxCustomer,
        message_wamid: str,
        row_id: str,
        title: str,
        description: str | None = None,
    ) -> str:
        """The customer picks row ``row_id`` of the business's list message ``message_wamid``."""
        message = self._business_message(customer, message_wamid)
        if not message.list_rows:
            raise ValueError("that message is not a list")
        if row_id not in {r.id for r in message.list_rows}:
            raise ValueError("that list has no row with this id")
        reply: dict[str, str] = {"id": row_id, "title": title}
        if description:
            reply["description"] = description
        interactive = {"type": "list_reply", "list_reply": reply}
        return await self._customer_sends(
            customer,
            "interactive",
            {"interactive": interactive},
            text=title,
            reply_to=message_wamid,
            interactive_id=row_id,
        )

    async def read(self, customer: SandboxCustomer) -> int:
        """The customer opens the chat: ``read`` statuses for every delivered business message.

        Only needed with ``auto_read=False``; returns how many messages were marked read.
        """
        chat = self._chat(customer)
        unread = [
            m.wamid
            for m in chat.messages
            if not m.from_customer and m.status in ("sent", "delivered") and m.type != "reaction"
        ]
        for wamid in unread:
            self._set_status(wamid, "read")
        if unread:
            self._spawn(self._post_statuses(chat.customer, [(w, "read") for w in unread]))
        return len(unread)

    def _business_message(self, customer: SandboxCustomer, wamid: str) -> SandboxMessage:
        message = self._by_wamid.get(wamid)
        if message is None or message.from_customer or message.wa_id != customer.wa_id:
            raise ValueError("unknown message for this customer")
        return message

    async def _customer_sends(
        self,
        customer: SandboxCustomer,
        kind: str,
        content: dict[str, Any],
        *,
        text: str | None = None,
        reply_to: str | None = None,
        **fields: Any,
    ) -> str:
        chat = self._chat(customer)
        wamid = self._new_wamid()
        item: dict[str, Any] = {
            "from": chat.customer.wa_id,
            "id": wamid,
            "timestamp": str(int(time.time())),
            "type": kind,
        }
        if reply_to is not None:
            item["context"] = {"from": self.credentials.display_phone_number, "id": reply_to}
        item.update(content)
        value = self._value(
            contacts=[{"profile": {"name": chat.customer.name}, "wa_id": chat.customer.wa_id}],
            messages=[item],
        )
        message = SandboxMessage(
            wamid=wamid,
            wa_id=chat.customer.wa_id,
            from_customer=True,
            type=kind,
            text=text,
            status="pending",
            time=time.time(),
            reply_to=reply_to,
            **fields,
        )
        self._store(message)
        self._publish(SandboxEvent(kind="message", wa_id=message.wa_id, message=message))
        try:
            await self._post_webhook(self._envelope(value))
        except SandboxError:
            self._set_status(wamid, "failed")
            raise
        self._set_status(wamid, "delivered")
        logger.info("simulated %s message from %s", kind, mask_phone(chat.customer.wa_id))
        return wamid

    # -- webhooks to the core -------------------------------------------------------------

    def _value(self, **parts: Any) -> dict[str, Any]:
        return {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": self.credentials.display_phone_number,
                "phone_number_id": self.credentials.phone_number_id,
            },
            **parts,
        }

    def _envelope(self, value: dict[str, Any]) -> bytes:
        body = {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": self.credentials.waba_id, "changes": [{"value": value, "field": "messages"}]}
            ],
        }
        return json.dumps(body, separators=(",", ":")).encode("utf-8")

    async def _post_webhook(self, body: bytes) -> None:
        """POST a signed body to the core; raises :class:`SandboxError` unless it answers 200."""
        url, http = self._webhook_url, self._http
        if url is None or http is None:
            raise SandboxError("the simulator is not connected to a webhook server")
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(self.credentials.app_secret, body),
        }
        try:
            response = await http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SandboxError(f"webhook server unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise SandboxError(
                f"webhook server answered {response.status_code}: {response.text[:200]}",
                status=response.status_code,
            )

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _status_item(self, wamid: str, status: str, wa_id: str) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": wa_id,
        }
        if status in ("sent", "delivered"):
            item["pricing"] = {
                "billable": False,
                "pricing_model": "PMP",
                "type": "free_customer_service",
                "category": "service",
            }
        return item

    async def _post_statuses(
        self, customer: SandboxCustomer, statuses: list[tuple[str, str]], opaque: str | None = None
    ) -> None:
        items = [self._status_item(w, s, customer.wa_id) for w, s in statuses]
        if opaque:
            for item in items:
                item["biz_opaque_callback_data"] = opaque
        body = self._envelope(self._value(statuses=items, contacts=[{"wa_id": customer.wa_id}]))
        for attempt in range(_STATUS_RETRIES):
            try:
                await self._post_webhook(body)
                return
            except SandboxError as exc:
                if exc.status is None and self._webhook_url is None:
                    return  # detached
                logger.info("status webhook not accepted (attempt %d): %s", attempt + 1, exc)
                await asyncio.sleep(0.5 * (attempt + 1))
        logger.warning("status webhook dropped after %d attempts", _STATUS_RETRIES)

    async def _deliver_statuses(self, message: SandboxMessage, opaque: str | None) -> None:
        """``sent``, ``delivered`` and (auto-read) ``read`` for one business message."""
        start = asyncio.get_running_loop().time()
        customer = self._chats[message.wa_id].customer
        steps: list[tuple[SandboxStatus, float]] = [("sent", self.delays.sent)]
        if message.type != "reaction":  # reactions only ever get "sent"
            steps.append(("delivered", self.delays.delivered))
            if self.auto_read:
                steps.append(("read", self.delays.read))
        for status, delay in steps:
            wait = start + delay - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)
            current = self._by_wamid.get(message.wamid)
            if current is None or _RANK.get(current.status, 0) >= _RANK[status]:
                continue  # read() got there first
            self._set_status(message.wamid, status)
            await self._post_statuses(customer, [(message.wamid, status)], opaque)

    # -- Graph API routes -----------------------------------------------------------------

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        expected = f"Bearer {self.credentials.access_token}"
        if request.headers.get("Authorization") != expected:
            return _graph_error(
                401, 190, "Invalid OAuth access token - Cannot parse access token", numbered=False
            )
        response: web.StreamResponse = await handler(request)
        return response

    def _unknown_node(self, node: str, method: str) -> web.Response:
        return _graph_error(
            400,
            100,
            f"Unsupported {method} request. Object with ID '{node}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation. Please read "
            "the Graph API documentation at https://developers.facebook.com/docs/graph-api",
            subcode=33,
            numbered=False,
        )

    async def _on_messages(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.credentials.phone_number_id:
            return self._unknown_node(node, "post")
        try:
            payload = json.loads(await request.read())
        except ValueError:
            return _graph_error(400, 100, "Invalid parameter", details="body is not JSON")
        if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
            return _graph_error(
                400, 100, "Invalid parameter", details="messaging_product is required"
            )
        if payload.get("status") == "read":
            return self._on_read(payload)
        return self._on_send(payload)

    def _on_read(self, payload: dict[str, Any]) -> web.Response:
        wamid = _str(payload.get("message_id"))
        if wamid is None:
            return _graph_error(400, 100, "Invalid parameter", details="message_id is required")
        target = self._by_wamid.get(wamid)
        # Unknown ids (a chat from an earlier run of the simulator) are accepted and ignored.
        if target is not None and target.from_customer:
            chat = self._chats[target.wa_id]
            # Marking one message read marks the earlier ones of the chat read too.
            for m in list(chat.messages):
                if m.from_customer and m.time <= target.time and m.status != "failed":
                    self._set_status(m.wamid, "read")
            typing = payload.get("typing_indicator")
            if isinstance(typing, dict) and typing.get("type") == "text":
                self._start_typing(chat)
        return web.json_response({"success": True})

    def _start_typing(self, chat: _Chat) -> None:
        was_typing = chat.typing_timer is not None
        if chat.typing_timer is not None:
            chat.typing_timer.cancel()
        loop = asyncio.get_running_loop()
        chat.typing_timer = loop.call_later(self.typing_timeout_s, self._stop_typing, chat)
        if not was_typing:
            self._publish(SandboxEvent(kind="typing", wa_id=chat.customer.wa_id, typing=True))

    def _stop_typing(self, chat: _Chat) -> None:
        if chat.typing_timer is None:
            return
        chat.typing_timer.cancel()
        chat.typing_timer = None
        self._publish(SandboxEvent(kind="typing", wa_id=chat.customer.wa_id, typing=False))

    def _recipient_chat(self, payload: dict[str, Any]) -> _Chat | web.Response:
        to = _str(payload.get("to"))
        if to is None:
            if _str(payload.get("recipient")) is not None:
                return _graph_error(400, 131026, "Message Undeliverable")
            return _graph_error(400, 131008, details="The parameter to is required.")
        digits = "".join(ch for ch in to if ch.isdigit())
        if not 6 <= len(digits) <= 15:
            return _graph_error(400, 100, "Invalid parameter", details="Invalid 'to' number")
        chat = self._chats.get(digits)
        if chat is None:
            # A chat from an earlier simulator run: the customer exists again, named by number.
            self.add_customer(f"+{digits}", digits)
            chat = self._chats[digits]
        return chat

    def _on_send(self, payload: dict[str, Any]) -> web.Response:
        chat = self._recipient_chat(payload)
        if isinstance(chat, web.Response):
            return chat
        kind = payload.get("type", "text")
        if not isinstance(kind, str) or not isinstance(payload.get(kind), dict):
            return _graph_error(400, 131008, details=f"The parameter {kind} is required.")
        try:
            fields = _outbound_fields(kind, payload[kind], self.templates)
        except ValueError as exc:
            return _graph_error(400, 100, "Invalid parameter", details=str(exc))
        context = payload.get("context")
        if isinstance(context, dict) and "reply_to" not in fields:
            fields["reply_to"] = _str(context.get("message_id"))
        wamid = self._new_wamid()
        message = SandboxMessage(
            wamid=wamid,
            wa_id=chat.customer.wa_id,
            from_customer=False,
            type=kind,
            status="pending",
            time=time.time(),
            **fields,
        )
        self._store(message)
        self._stop_typing(chat)  # the indicator disappears when the business sends
        self._publish(SandboxEvent(kind="message", wa_id=message.wa_id, message=message))
        logger.info("sandbox accepted a %s message to %s", kind, mask_phone(chat.customer.wa_id))
        if self._webhook_url is not None:
            opaque = _str(payload.get("biz_opaque_callback_data"))
            self._spawn(self._deliver_statuses(message, opaque))
        to = str(payload["to"])
        result: dict[str, Any] = {"id": wamid}
        if kind == "template":
            result["message_status"] = "accepted"
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": chat.customer.wa_id}],
                "messages": [result],
            }
        )

    async def _on_upload(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.credentials.phone_number_id:
            return self._unknown_node(node, "post")
        data: bytes | None = None
        mime: str | None = None
        try:
            form = await request.post()
        except ValueError:
            return _graph_error(400, 100, "Invalid parameter", details="multipart body expected")
        file_field = form.get("file")
        if isinstance(file_field, web.FileField):
            data = file_field.file.read()
            mime = file_field.content_type
        type_field = form.get("type")
        if isinstance(type_field, str) and type_field.strip():
            mime = type_field.strip()
        if not data or not mime:
            return _graph_error(400, 100, "Invalid parameter", details="file and type are required")
        return web.json_response({"id": self.add_media(data, mime)})

    async def _on_node(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node == self.credentials.phone_number_id:
            info: dict[str, Any] = {
                "id": node,
                "display_phone_number": self.credentials.display_phone_number,
                "verified_name": SANDBOX_VERIFIED_NAME,
                "quality_rating": "GREEN",
                "code_verification_status": "VERIFIED",
                "platform_type": "CLOUD_API",
                "throughput": {"level": "STANDARD"},
            }
            wanted = [f for f in request.query.get("fields", "").split(",") if f]
            if wanted:
                info = {key: info[key] for key in ["id", *wanted] if key in info}
            return web.json_response(info)
        media = self._media.get(node)
        if media is None:
            return self._unknown_node(node, "get")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/media-bin/{node}?ext={secrets.token_hex(4)}",
                "mime_type": media.mime_type,
                "sha256": _sha256_b64(media.data),
                "file_size": len(media.data),
                "id": node,
            }
        )

    async def _on_delete_media(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if self._media.pop(node, None) is None:
            return self._unknown_node(node, "delete")
        return web.json_response({"success": True})

    async def _on_media_bin(self, request: web.Request) -> web.Response:
        media = self._media.get(request.match_info["media_id"])
        if media is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=media.data, content_type=media.mime_type.split(";", 1)[0].strip())

    async def _on_templates(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.credentials.waba_id:
            return self._unknown_node(node, "get")
        wanted = [f for f in request.query.get("fields", "").split(",") if f]
        data = [
            {k: v for k, v in t.items() if not wanted or k in ("id", *wanted)}
            for t in self.templates
        ]
        return web.json_response({"data": data})

    # -- the headless /simulator/* routes (mounted on the core's server) --------------------

    def control_routes(self) -> list[web.RouteDef]:
        """Loopback-only JSON routes for ``serve --simulator`` (demos, scripts, tests).

        ``POST /simulator/send`` ``{"name", "wa_id"?, "text", "wait"?}``: a customer (created
        on first use) sends ``text``; answers ``{"wamid", "wa_id", "replies"}``, where
        ``replies`` holds what the business sent back within ``wait`` seconds (0-60, default 0).
        ``GET /simulator/messages?wa_id=...``: what the business sent (to that customer), with
        statuses. ``GET /simulator/customers``: the customers.
        """
        return [
            web.post("/simulator/send", self._http_send),
            web.get("/simulator/messages", self._http_messages),
            web.get("/simulator/customers", self._http_customers),
        ]

    @staticmethod
    def _local_only(request: web.Request) -> web.Response | None:
        """Refuse anything but a direct request from this computer.

        A web page open in a browser on the same PC can reach 127.0.0.1 too: a cross-site
        request carries its foreign ``Origin``, and a DNS-rebinding one a foreign ``Host``
        (the attacker's name that resolves to 127.0.0.1). Both are refused.
        """
        if not _is_loopback_host(request.remote):
            return web.json_response({"error": "only available from this computer"}, status=403)
        if not _is_loopback_host(_host_header_name(request.headers.get("Host"))):
            return web.json_response({"error": "unexpected Host header"}, status=403)
        origin = request.headers.get("Origin")
        if origin is not None and not _is_loopback_origin(origin):
            return web.json_response({"error": "cross-site requests are refused"}, status=403)
        return None

    async def _http_send(self, request: web.Request) -> web.Response:
        refused = self._local_only(request)
        if refused is not None:
            return refused
        # application/json is never a "simple" cross-site request: a browser must preflight it,
        # and this server answers no preflight (a text/plain form post is refused here).
        if request.content_type != "application/json":
            return web.json_response({"error": "Content-Type must be application/json"}, status=415)
        try:
            data = json.loads(await request.read())
        except ValueError:
            return web.json_response({"error": "body must be JSON"}, status=400)
        if not isinstance(data, dict):
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        text, name, wa_id, wait = (data.get(k) for k in ("text", "name", "wa_id", "wait"))
        if not isinstance(text, str) or not text.strip() or len(text) > _TEXT_LIMIT:
            return web.json_response({"error": "text is required (1-4096 characters)"}, status=400)
        if name is not None and not isinstance(name, str):
            return web.json_response({"error": "name must be a string"}, status=400)
        if wa_id is not None and not isinstance(wa_id, str):
            return web.json_response({"error": "wa_id must be a string of digits"}, status=400)
        if wait is None:
            wait = 0.0
        if isinstance(wait, bool) or not isinstance(wait, int | float) or not 0 <= wait <= 60:
            return web.json_response({"error": "wait must be 0 to 60 seconds"}, status=400)
        try:
            customer = (
                self.add_customer(name or "", wa_id)
                if wa_id
                else self.find_customer(name or "Cliente") or self.add_customer(name or "Cliente")
            )
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        replies: list[SandboxMessage] = []
        arrived = asyncio.Event()

        def collect(event: SandboxEvent) -> None:
            if (
                event.kind == "message"
                and event.message is not None
                and not event.message.from_customer
                and event.wa_id == customer.wa_id
            ):
                replies.append(event.message)
                arrived.set()

        unsubscribe = self.subscribe(collect)
        try:
            wamid = await self.send_text(customer, text)
            if wait:
                await wait_event(arrived, float(wait))
                # Multi-part replies follow each other quickly: collect the rest too.
                while replies:
                    arrived.clear()
                    if not await wait_event(arrived, 1.5):
                        break
        except SandboxError as exc:
            return web.json_response({"error": str(exc)}, status=502)
        finally:
            unsubscribe()
        return web.json_response(
            {
                "wamid": wamid,
                "wa_id": customer.wa_id,
                "name": customer.name,
                "replies": [message_json(self._by_wamid.get(m.wamid, m)) for m in replies],
            }
        )

    async def _http_messages(self, request: web.Request) -> web.Response:
        refused = self._local_only(request)
        if refused is not None:
            return refused
        wa_id = request.query.get("wa_id")
        everything = request.query.get("all") in ("1", "true")
        if wa_id is not None and self.customer(wa_id) is None:
            return web.json_response({"messages": []})
        target = self.customer(wa_id) if wa_id is not None else None
        messages = self.messages(target) if everything else self.sent_messages(target)
        return web.json_response({"messages": [message_json(m) for m in messages]})

    async def _http_customers(self, request: web.Request) -> web.Response:
        refused = self._local_only(request)
        if refused is not None:
            return refused
        return web.json_response(
            {"customers": [{"name": c.name, "wa_id": c.wa_id} for c in self.customers()]}
        )


def message_json(message: SandboxMessage) -> dict[str, Any]:
    """A JSON-ready dict of a message (the headless routes' format)."""
    data: dict[str, Any] = {
        "wamid": message.wamid,
        "wa_id": message.wa_id,
        "to": message.to,
        "from_customer": message.from_customer,
        "type": message.type,
        "text": message.text,
        "status": message.status,
        "time": message.time,
    }
    if message.reply_to:
        data["reply_to"] = message.reply_to
    if message.buttons:
        data["buttons"] = [{"id": b.id, "title": b.title} for b in message.buttons]
    if message.list_rows:
        data["list_button"] = message.list_button
        data["list_rows"] = [
            {"id": r.id, "title": r.title, "description": r.description, "section": r.section}
            for r in message.list_rows
        ]
    if message.interactive_id:
        data["interactive_id"] = message.interactive_id
    if message.media_id or message.media_link:
        data["media"] = {"id": message.media_id, "link": message.media_link}
    return data


def _outbound_fields(
    kind: str, content: Mapping[str, Any], templates: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the phone shows for a business message of type ``kind``; ValueError if invalid."""
    if kind == "text":
        body = _str(content.get("body"))
        if body is None:
            raise ValueError("The parameter text['body'] is required.")
        if len(body) > _TEXT_LIMIT:
            raise ValueError("Param text['body'] must be at most 4096 characters long.")
        return {"text": body}
    if kind == "interactive":
        return _interactive_fields(content)
    if kind in ("image", "audio", "video", "document", "sticker"):
        media_id, link = _str(content.get("id")), _str(content.get("link"))
        if media_id is None and link is None:
            raise ValueError(f"The parameter {kind}['id'] or {kind}['link'] is required.")
        return {
            "text": _str(content.get("caption")),
            "media_id": media_id,
            "media_link": link,
            "voice": bool(content.get("voice")),
        }
    if kind == "location":
        try:
            latitude, longitude = float(content["latitude"]), float(content["longitude"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("latitude and longitude are required") from exc
        return {
            "text": None,
            "latitude": latitude,
            "longitude": longitude,
            "location_name": _str(content.get("name")),
            "location_address": _str(content.get("address")),
        }
    if kind == "reaction":
        target = _str(content.get("message_id"))
        if target is None:
            raise ValueError("The parameter reaction['message_id'] is required.")
        return {"text": None, "reply_to": target, "emoji": str(content.get("emoji") or "")}
    if kind == "template":
        return _template_fields(content, templates)
    if kind == "contacts":
        return {"text": None}
    raise ValueError(f"unsupported message type {kind}")


def _interactive_fields(content: Mapping[str, Any]) -> dict[str, Any]:
    body = content.get("body")
    text = _str(body.get("text")) if isinstance(body, dict) else None
    header = content.get("header")
    footer = content.get("footer")
    action = content.get("action")
    if not isinstance(action, dict):
        raise ValueError("The parameter interactive['action'] is required.")
    fields: dict[str, Any] = {
        "text": text,
        "header": _str(header.get("text")) if isinstance(header, dict) else None,
        "footer": _str(footer.get("text")) if isinstance(footer, dict) else None,
    }
    kind = content.get("type")
    if kind == "button":
        buttons: list[SandboxButton] = []
        for item in action.get("buttons") or ():
            reply = item.get("reply") if isinstance(item, dict) else None
            if not isinstance(reply, dict) or not _str(reply.get("id")):
                raise ValueError("every button needs reply.id and reply.title")
            buttons.append(SandboxButton(id=str(reply["id"]), title=str(reply.get("title", ""))))
        if not 1 <= len(buttons) <= 3:
            raise ValueError("between 1 and 3 buttons are allowed")
        fields["buttons"] = tuple(buttons)
    elif kind == "list":
        rows: list[SandboxListRow] = []
        for section in action.get("sections") or ():
            if not isinstance(section, dict):
                continue
            for row in section.get("rows") or ():
                if not isinstance(row, dict) or not _str(row.get("id")):
                    raise ValueError("every list row needs an id and a title")
                rows.append(
                    SandboxListRow(
                        id=str(row["id"]),
                        title=str(row.get("title", "")),
                        description=_str(row.get("description")),
                        section=_str(section.get("title")),
                    )
                )
        if not 1 <= len(rows) <= 10:
            raise ValueError("between 1 and 10 list rows are allowed")
        fields["list_rows"] = tuple(rows)
        fields["list_button"] = _str(action.get("button"))
    return fields


def _template_fields(content: Mapping[str, Any], templates: list[dict[str, Any]]) -> dict[str, Any]:
    name = _str(content.get("name"))
    language = content.get("language")
    code = _str(language.get("code")) if isinstance(language, dict) else None
    if name is None or code is None:
        raise ValueError("template name and language.code are required")
    known = next(
        (t for t in templates if t.get("name") == name and t.get("language") == code), None
    )
    if known is None:
        raise ValueError(f"Template name does not exist in the translation ({name}, {code})")
    body = next(
        (
            str(c.get("text", ""))
            for c in known.get("components", ())
            if str(c.get("type", "")).upper() == "BODY"
        ),
        name,
    )
    values: list[str] = []
    for component in content.get("components") or ():
        if isinstance(component, dict) and component.get("type") == "body":
            values += [
                str(p.get("text", ""))
                for p in component.get("parameters") or ()
                if isinstance(p, dict)
            ]
    for index, value in enumerate(values, start=1):
        body = body.replace("{{" + str(index) + "}}", value)
    return {"text": body, "template_name": name}


def _graph_error(
    http_status: int,
    code: int,
    message: str | None = None,
    *,
    details: str | None = None,
    subcode: int | None = None,
    numbered: bool = True,
) -> web.Response:
    """A Graph API error body: ``{"error": {message, type, code, error_data, fbtrace_id}}``."""
    text = message or "An error occurred"
    error: dict[str, Any] = {
        "message": f"(#{code}) {text}" if numbered else text,
        "type": "OAuthException",
        "code": code,
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if code not in (190,):
        error["error_data"] = {"messaging_product": "whatsapp", "details": details or text}
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return web.json_response({"error": error}, status=http_status)
