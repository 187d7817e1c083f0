"""The simulator's in-process stand-in for the WhatsApp Cloud API (Graph API) and its customers.

Simulator mode runs the real pipeline end to end on the PC; only the Graph API base URL points
here. :class:`Sandbox` wires the parts of this package:

* :mod:`.graph_api` (with :mod:`.outbound`): a small aiohttp server on 127.0.0.1 (same event
  loop as the core) answering the requests
  :class:`~wabot_desktop.core.whatsapp.graph.GraphClient` makes, in Meta's wire format;
* :mod:`.customers` (with :mod:`.webhooks`): the fake customers' actions
  (:meth:`Sandbox.send_text`, :meth:`Sandbox.tap_button`, ...), each a real Cloud API webhook
  body signed with the sandbox's app secret and POSTed to the core's real ``/webhook``; and the
  ``sent``, ``delivered``, ``read`` status webhooks after each accepted send;
* :mod:`.chats`: what each customer's phone shows (chats, statuses, "typing..."), published as
  :class:`SandboxEvent` objects through :meth:`Sandbox.subscribe` (plain callbacks on the event
  loop's thread; the hub is :class:`wabot_desktop.core.events.Hub`; no Qt here);
* :mod:`.control`: the loopback-only ``/simulator/*`` routes of ``serve --simulator``;
* :mod:`.media`: the bundled sample photo and voice note (resource files) and uploaded media.

The sandbox's credentials are random per run, live in a :class:`MemorySecretStore` only, and
are never written anywhere (least of all the keyring). Message bodies are never logged.
"""

from wabot_desktop.core.whatsapp.sandbox.control import ControlRoutes, message_json
from wabot_desktop.core.whatsapp.sandbox.facade import Sandbox
from wabot_desktop.core.whatsapp.sandbox.media import placeholder_ogg, placeholder_png
from wabot_desktop.core.whatsapp.sandbox.models import (
    SANDBOX_DISPLAY_PHONE_NUMBER,
    SANDBOX_PHONE_NUMBER_ID,
    SANDBOX_VERIFIED_NAME,
    SANDBOX_WABA_ID,
    TYPING_TIMEOUT_S,
    EventKind,
    SandboxButton,
    SandboxCredentials,
    SandboxCustomer,
    SandboxError,
    SandboxEvent,
    SandboxListener,
    SandboxListRow,
    SandboxMessage,
    SandboxStatus,
    StatusDelays,
)

__all__ = [
    "SANDBOX_DISPLAY_PHONE_NUMBER",
    "SANDBOX_PHONE_NUMBER_ID",
    "SANDBOX_VERIFIED_NAME",
    "SANDBOX_WABA_ID",
    "TYPING_TIMEOUT_S",
    "ControlRoutes",
    "EventKind",
    "Sandbox",
    "SandboxButton",
    "SandboxCredentials",
    "SandboxCustomer",
    "SandboxError",
    "SandboxEvent",
    "SandboxListRow",
    "SandboxListener",
    "SandboxMessage",
    "SandboxStatus",
    "StatusDelays",
    "message_json",
    "placeholder_ogg",
    "placeholder_png",
]
