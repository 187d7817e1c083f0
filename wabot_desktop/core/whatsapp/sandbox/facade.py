"""The :class:`Sandbox`: the Graph stand-in, the customers and the control routes, wired."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from wabot_desktop.core.events import Hub
from wabot_desktop.core.whatsapp.sandbox.chats import Chats
from wabot_desktop.core.whatsapp.sandbox.control import ControlRoutes
from wabot_desktop.core.whatsapp.sandbox.customers import Customers
from wabot_desktop.core.whatsapp.sandbox.graph_api import GraphApi, demo_templates
from wabot_desktop.core.whatsapp.sandbox.media import MediaStore
from wabot_desktop.core.whatsapp.sandbox.models import (
    TYPING_TIMEOUT_S,
    SandboxCredentials,
    SandboxCustomer,
    SandboxEvent,
    SandboxListener,
    SandboxMessage,
    StatusDelays,
)
from wabot_desktop.core.whatsapp.sandbox.webhooks import WebhookPoster

logger = logging.getLogger(__name__)


class Sandbox:
    """In-process Graph API + fake customers; see the package docstring.

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
        self._hub: Hub[SandboxEvent] = Hub()
        self.chats = Chats(self._hub)
        self.media = MediaStore()
        self._poster = WebhookPoster(self.credentials)
        self._customers = Customers(
            self.credentials,
            self.chats,
            self.media,
            self._poster,
            delays=delays or StatusDelays(),
            auto_read=auto_read,
        )
        self._graph = GraphApi(
            self.credentials,
            self.chats,
            self.media,
            templates=templates if templates is not None else demo_templates(),
            typing_timeout_s=typing_timeout_s,
            on_sent=self._customers.business_sent,
        )

    # -- settings (live: they apply to what happens next) ---------------------------------

    @property
    def delays(self) -> StatusDelays:
        """When the ``sent``/``delivered``/``read`` webhooks follow a business message."""
        return self._customers.delays

    @delays.setter
    def delays(self, value: StatusDelays) -> None:
        self._customers.delays = value

    @property
    def auto_read(self) -> bool:
        """True: every business message gets read; False: only :meth:`read` marks them read."""
        return self._customers.auto_read

    @auto_read.setter
    def auto_read(self, value: bool) -> None:
        self._customers.auto_read = value

    @property
    def typing_timeout_s(self) -> float:
        return self._graph.typing_timeout_s

    @typing_timeout_s.setter
    def typing_timeout_s(self, value: float) -> None:
        self._graph.typing_timeout_s = value

    @property
    def templates(self) -> list[dict[str, Any]]:
        """The business account's approved message templates."""
        return self._graph.templates

    @templates.setter
    def templates(self, value: list[dict[str, Any]]) -> None:
        self._graph.templates = value

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the Graph base URL the core's GraphClient uses."""
        return self._graph.base_url

    @property
    def running(self) -> bool:
        return self._graph.running

    @property
    def busy(self) -> bool:
        """Status webhooks are still to be posted (a test waits for this before "no more")."""
        return self._poster.busy

    @property
    def webhook_url(self) -> str | None:
        return self._poster.url

    def set_webhook_url(self, url: str) -> None:
        """Where customer messages and status webhooks go (the core's ``/webhook``, loopback)."""
        self._poster.set_url(url)

    async def start(self) -> None:
        """Serve the Graph routes on 127.0.0.1:<free port> in the running loop."""
        await self._graph.start()
        self._poster.open()
        logger.info("simulator sandbox listening on %s", self.base_url)

    async def detach(self) -> None:
        """Stop posting webhooks (pending status webhooks are dropped); the routes stay up."""
        await self._poster.detach()
        self.chats.cancel_typing()

    async def stop(self) -> None:
        """Drop pending webhooks, stop serving, close the HTTP client (idempotent)."""
        await self.detach()
        await self._graph.stop()
        await self._poster.close()

    def control_routes(self) -> list[web.RouteDef]:
        """Loopback-only JSON routes for ``serve --simulator`` (see :class:`ControlRoutes`)."""
        return ControlRoutes(self).routes()

    # -- listeners ------------------------------------------------------------------------

    def subscribe(self, callback: SandboxListener) -> Callable[[], None]:
        """Call ``callback(event)`` for every :class:`SandboxEvent`; returns the unsubscriber."""
        return self._hub.subscribe(callback)

    # -- customers and what they see ------------------------------------------------------

    def add_customer(self, name: str, wa_id: str | None = None) -> SandboxCustomer:
        """Create a fake customer (a fictional number is made up when ``wa_id`` is None).

        Adding an existing number again returns it, with the new name when one is given.
        """
        return self.chats.add_customer(name, wa_id)

    def customers(self) -> list[SandboxCustomer]:
        """Every customer, in the order they were added."""
        return self.chats.customers()

    def customer(self, wa_id: str) -> SandboxCustomer | None:
        return self.chats.customer(wa_id)

    def find_customer(self, name: str) -> SandboxCustomer | None:
        """The first customer with this name (case-insensitive), if any."""
        return self.chats.find_customer(name)

    def messages(self, customer: SandboxCustomer | str | None = None) -> list[SandboxMessage]:
        """The chat of ``customer`` (or of everyone), oldest first, both directions."""
        return self.chats.messages(customer)

    def sent_messages(self, customer: SandboxCustomer | str | None = None) -> list[SandboxMessage]:
        """What the business sent (to ``customer``, or to anyone), oldest first."""
        return self.chats.sent_messages(customer)

    def message(self, wamid: str) -> SandboxMessage | None:
        return self.chats.message(wamid)

    def is_typing(self, customer: SandboxCustomer | str) -> bool:
        """True while the business shows "typing..." to this customer."""
        return self.chats.is_typing(customer)

    def add_media(self, data: bytes, mime_type: str) -> str:
        """Store bytes the core can download (as if a customer had sent them); returns the id."""
        return self.media.add(data, mime_type)

    # -- the customer's actions (each POSTs a signed webhook to the core) -------------------

    async def send_text(
        self, customer: SandboxCustomer, text: str, *, reply_to: str | None = None
    ) -> str:
        """The customer types ``text`` (optionally quoting message ``reply_to``)."""
        return await self._customers.send_text(customer, text, reply_to=reply_to)

    async def send_image_placeholder(
        self, customer: SandboxCustomer, caption: str | None = None
    ) -> str:
        """The customer sends a photo (the bundled sample PNG), with an optional caption."""
        return await self._customers.send_image_placeholder(customer, caption)

    async def send_voice_placeholder(self, customer: SandboxCustomer) -> str:
        """The customer records a voice note (the bundled sample, Ogg Opus)."""
        return await self._customers.send_voice_placeholder(customer)

    async def send_location(
        self,
        customer: SandboxCustomer,
        latitude: float,
        longitude: float,
        name: str | None = None,
        address: str | None = None,
    ) -> str:
        """The customer shares a location (a pin, or a named place with an address)."""
        return await self._customers.send_location(customer, latitude, longitude, name, address)

    async def tap_button(
        self, customer: SandboxCustomer, message_wamid: str, button_id: str, title: str
    ) -> str:
        """The customer taps reply button ``button_id`` of the business's ``message_wamid``."""
        return await self._customers.tap_button(customer, message_wamid, button_id, title)

    async def choose_list_row(
        self,
        customer: SandboxCustomer,
        message_wamid: str,
        row_id: str,
        title: str,
        description: str | None = None,
    ) -> str:
        """The customer picks row ``row_id`` of the business's list message ``message_wamid``."""
        return await self._customers.choose_list_row(
            customer, message_wamid, row_id, title, description
        )

    async def read(self, customer: SandboxCustomer) -> int:
        """The customer opens the chat: ``read`` statuses for every delivered business message.

        Only needed with ``auto_read=False``; returns how many messages were marked read.
        """
        return await self._customers.read(customer)
