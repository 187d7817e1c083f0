"""The phone pane's facade over the practice simulator: be a customer, see what they see.

:class:`Simulator` wraps the running core's :class:`~wabot_desktop.core.whatsapp.sandbox.Sandbox`
(the in-process Graph API stand-in and its made-up customers). The GUI's phone pane uses only
this: make up customers and list them, send as a customer (text, a photo, a voice note, a
location, a tap on a reply button or a list row), read a customer's chat as their phone shows it,
and subscribe to what the sandbox does (new messages either way, ticks, "typing…", new
customers). Each send builds the Cloud API webhook a real phone would cause, signs it and posts
it to the core's own webhook server; the coroutines return once the core acknowledged it.

The customer-side value types the pane shows are re-exported here, so the GUI imports nothing
from ``core.whatsapp``.
"""

from __future__ import annotations

from collections.abc import Callable

from wabot_desktop.core.whatsapp.sandbox import (
    SANDBOX_VERIFIED_NAME,
    Sandbox,
    SandboxButton,
    SandboxCustomer,
    SandboxError,
    SandboxEvent,
    SandboxListRow,
    SandboxMessage,
)

SimulatorListener = Callable[[SandboxEvent], None]


class Simulator:
    """Customer-side operations of one running practice core (see the module docstring)."""

    def __init__(self, sandbox: Sandbox) -> None:
        """Wrap the running core's sandbox."""
        self._sandbox = sandbox

    @property
    def business_name(self) -> str:
        """The business's name on the customer's phone until the owner sets their own."""
        return SANDBOX_VERIFIED_NAME

    @property
    def running(self) -> bool:
        """True while the sandbox serves (the practice core runs)."""
        return self._sandbox.running

    # -- listeners -------------------------------------------------------------------------

    def subscribe(self, listener: SimulatorListener) -> Callable[[], None]:
        """Call ``listener(event)`` for every change (on the loop's thread); returns undo."""
        return self._sandbox.subscribe(listener)

    # -- customers and their chats ---------------------------------------------------------

    def customers(self) -> list[SandboxCustomer]:
        """Every made-up customer, in the order they were added."""
        return self._sandbox.customers()

    def customer(self, wa_id: str) -> SandboxCustomer | None:
        """The customer with this number, if there is one."""
        return self._sandbox.customer(wa_id)

    def add_customer(self, name: str, wa_id: str | None = None) -> SandboxCustomer:
        """Make up a customer (a fictional number when ``wa_id`` is None).

        Raises:
            ValueError: ``wa_id`` is not a phone number of 6 to 15 digits.
        """
        return self._sandbox.add_customer(name, wa_id)

    def messages(self, customer: SandboxCustomer | str) -> list[SandboxMessage]:
        """The customer's chat as their phone shows it, oldest first, both directions."""
        return self._sandbox.messages(customer)

    def message(self, wamid: str) -> SandboxMessage | None:
        """One message of any chat, by its WhatsApp id."""
        return self._sandbox.message(wamid)

    def is_typing(self, customer: SandboxCustomer | str) -> bool:
        """True while the business shows "typing…" to this customer."""
        return self._sandbox.is_typing(customer)

    # -- the customer's actions (each posts a signed webhook to the core) ------------------

    async def send_text(
        self, customer: SandboxCustomer, text: str, *, reply_to: str | None = None
    ) -> str:
        """The customer writes ``text``; returns its wamid.

        Raises:
            ValueError: empty or over WhatsApp's 4096 characters.
            SandboxError: the core did not acknowledge the webhook.
        """
        return await self._sandbox.send_text(customer, text, reply_to=reply_to)

    async def send_photo(self, customer: SandboxCustomer, caption: str | None = None) -> str:
        """The customer sends a sample photo, with an optional caption; returns its wamid."""
        return await self._sandbox.send_image_placeholder(customer, caption)

    async def send_voice_note(self, customer: SandboxCustomer) -> str:
        """The customer sends a sample voice note; returns its wamid."""
        return await self._sandbox.send_voice_placeholder(customer)

    async def send_location(
        self,
        customer: SandboxCustomer,
        latitude: float,
        longitude: float,
        name: str | None = None,
        address: str | None = None,
    ) -> str:
        """The customer shares a location (a pin, or a named place); returns its wamid."""
        return await self._sandbox.send_location(customer, latitude, longitude, name, address)

    async def tap_button(
        self, customer: SandboxCustomer, message_wamid: str, button_id: str, title: str
    ) -> str:
        """The customer taps a reply button of the business's message; returns the wamid."""
        return await self._sandbox.tap_button(customer, message_wamid, button_id, title)

    async def choose_list_row(
        self,
        customer: SandboxCustomer,
        message_wamid: str,
        row_id: str,
        title: str,
        description: str | None = None,
    ) -> str:
        """The customer picks a row of the business's list message; returns the wamid."""
        return await self._sandbox.choose_list_row(
            customer, message_wamid, row_id, title, description
        )


__all__ = [
    "SANDBOX_VERIFIED_NAME",
    "SandboxButton",
    "SandboxCustomer",
    "SandboxError",
    "SandboxEvent",
    "SandboxListRow",
    "SandboxMessage",
    "Simulator",
    "SimulatorListener",
]
