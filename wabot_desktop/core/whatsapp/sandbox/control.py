"""The loopback-only JSON routes of ``serve --simulator`` (demos, scripts, tests).

They are mounted on the core's own server (same port as ``/webhook``) and drive the sandbox's
public API: a customer sends a text and the business's replies come back in the answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from wabot_desktop.core.aio import wait_event
from wabot_desktop.core.whatsapp.sandbox.models import (
    TEXT_LIMIT,
    SandboxError,
    SandboxEvent,
    SandboxMessage,
)

if TYPE_CHECKING:
    from wabot_desktop.core.whatsapp.sandbox.facade import Sandbox


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.1``, ``[::1]``)."""
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
    return parts.scheme in ("http", "https") and is_loopback_host(parts.hostname)


class ControlRoutes:
    """The ``/simulator/*`` routes over one sandbox; see :meth:`routes`."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def routes(self) -> list[web.RouteDef]:
        """``POST /simulator/send``, ``GET /simulator/messages``, ``GET /simulator/customers``.

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
        if not is_loopback_host(request.remote):
            return web.json_response({"error": "only available from this computer"}, status=403)
        if not is_loopback_host(_host_header_name(request.headers.get("Host"))):
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
        if not isinstance(text, str) or not text.strip() or len(text) > TEXT_LIMIT:
            return web.json_response({"error": "text is required (1-4096 characters)"}, status=400)
        if name is not None and not isinstance(name, str):
            return web.json_response({"error": "name must be a string"}, status=400)
        if wa_id is not None and not isinstance(wa_id, str):
            return web.json_response({"error": "wa_id must be a string of digits"}, status=400)
        if wait is None:
            wait = 0.0
        if isinstance(wait, bool) or not isinstance(wait, int | float) or not 0 <= wait <= 60:
            return web.json_response({"error": "wait must be 0 to 60 seconds"}, status=400)
        sandbox = self._sandbox
        try:
            customer = (
                sandbox.add_customer(name or "", wa_id)
                if wa_id
                else sandbox.find_customer(name or "Cliente")
                or sandbox.add_customer(name or "Cliente")
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

        unsubscribe = self._sandbox.subscribe(collect)
        try:
            wamid = await self._sandbox.send_text(customer, text)
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
                "replies": [message_json(self._sandbox.message(m.wamid) or m) for m in replies],
            }
        )

    async def _http_messages(self, request: web.Request) -> web.Response:
        refused = self._local_only(request)
        if refused is not None:
            return refused
        wa_id = request.query.get("wa_id")
        everything = request.query.get("all") in ("1", "true")
        if wa_id is not None and self._sandbox.customer(wa_id) is None:
            return web.json_response({"messages": []})
        sandbox = self._sandbox
        target = sandbox.customer(wa_id) if wa_id is not None else None
        messages = sandbox.messages(target) if everything else sandbox.sent_messages(target)
        return web.json_response({"messages": [message_json(m) for m in messages]})

    async def _http_customers(self, request: web.Request) -> web.Response:
        refused = self._local_only(request)
        if refused is not None:
            return refused
        return web.json_response(
            {"customers": [{"name": c.name, "wa_id": c.wa_id} for c in self._sandbox.customers()]}
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
