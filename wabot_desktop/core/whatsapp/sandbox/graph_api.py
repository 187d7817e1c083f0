"""The sandbox's stand-in for the Graph API: the routes GraphClient calls, in Meta's wire format.

``shared/docs/meta-cloud-api.md`` sections 4 and 4.1:

* ``POST /{ver}/{pnid}/messages``: sends (stored in the customer's chat, answered with a new
  ``wamid.SIM...``) and mark-read / typing-indicator bodies (``{"success": true}``);
* ``GET /{ver}/{media_id}`` and ``GET /media-bin/{media_id}``: media URL and bytes,
  ``POST /{ver}/{pnid}/media`` (upload), ``DELETE /{ver}/{media_id}``;
* ``GET /{ver}/{waba}/message_templates`` (the demo templates), ``GET /{ver}/{pnid}`` (health).

Every request must carry ``Authorization: Bearer <the sandbox's own token>``; unknown ids get
Meta's error bodies. The server binds 127.0.0.1 only, in the core's event loop.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from wabot_desktop.core.logs import mask_phone
from wabot_desktop.core.whatsapp.sandbox.chats import Chat, Chats
from wabot_desktop.core.whatsapp.sandbox.media import MediaStore, sha256_b64
from wabot_desktop.core.whatsapp.sandbox.models import (
    SANDBOX_VERIFIED_NAME,
    SandboxCredentials,
    SandboxEvent,
    SandboxMessage,
)
from wabot_desktop.core.whatsapp.sandbox.outbound import outbound_fields, str_or_none

logger = logging.getLogger(__name__)

_VERSION = r"{version:v[0-9]+\.[0-9]+}"
_MAX_BODY_BYTES = 20 * 1024 * 1024

# Called with each accepted business message and its biz_opaque_callback_data.
SentCallback = Callable[[SandboxMessage, str | None], None]


def demo_templates() -> list[dict[str, Any]]:
    """The approved templates the sandbox's business account has."""
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


def graph_error(
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


def _unknown_node(node: str, method: str) -> web.Response:
    return graph_error(
        400,
        100,
        f"Unsupported {method} request. Object with ID '{node}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read "
        "the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
        numbered=False,
    )


class GraphApi:
    """The Graph routes on 127.0.0.1:<free port> (``templates``, ``typing_timeout_s``: live)."""

    def __init__(
        self,
        credentials: SandboxCredentials,
        chats: Chats,
        media: MediaStore,
        *,
        templates: list[dict[str, Any]],
        typing_timeout_s: float,
        on_sent: SentCallback,
    ) -> None:
        self.credentials = credentials
        self.templates = templates
        self.typing_timeout_s = typing_timeout_s
        self._chats = chats
        self._media = media
        self._on_sent = on_sent
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("sandbox not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
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

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # -- routes ---------------------------------------------------------------------------

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        expected = f"Bearer {self.credentials.access_token}"
        if request.headers.get("Authorization") != expected:
            return graph_error(
                401, 190, "Invalid OAuth access token - Cannot parse access token", numbered=False
            )
        response: web.StreamResponse = await handler(request)
        return response

    async def _on_messages(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.credentials.phone_number_id:
            return _unknown_node(node, "post")
        try:
            payload = json.loads(await request.read())
        except ValueError:
            return graph_error(400, 100, "Invalid parameter", details="body is not JSON")
        if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
            return graph_error(
                400, 100, "Invalid parameter", details="messaging_product is required"
            )
        if payload.get("status") == "read":
            return self._on_read(payload)
        return self._on_send(payload)

    def _on_read(self, payload: dict[str, Any]) -> web.Response:
        wamid = str_or_none(payload.get("message_id"))
        if wamid is None:
            return graph_error(400, 100, "Invalid parameter", details="message_id is required")
        target = self._chats.message(wamid)
        # Unknown ids (a chat from an earlier run of the simulator) are accepted and ignored.
        if target is not None and target.from_customer:
            chat = self._chats.chat(target.wa_id)
            # Marking one message read marks the earlier ones of the chat read too.
            for m in list(chat.messages):
                if m.from_customer and m.time <= target.time and m.status != "failed":
                    self._chats.set_status(m.wamid, "read")
            typing = payload.get("typing_indicator")
            if isinstance(typing, dict) and typing.get("type") == "text":
                self._chats.start_typing(chat, self.typing_timeout_s)
        return web.json_response({"success": True})

    def _recipient_chat(self, payload: dict[str, Any]) -> Chat | web.Response:
        to = str_or_none(payload.get("to"))
        if to is None:
            if str_or_none(payload.get("recipient")) is not None:
                return graph_error(400, 131026, "Message Undeliverable")
            return graph_error(400, 131008, details="The parameter to is required.")
        digits = "".join(ch for ch in to if ch.isdigit())
        if not 6 <= len(digits) <= 15:
            return graph_error(400, 100, "Invalid parameter", details="Invalid 'to' number")
        chat = self._chats.get(digits)
        if chat is None:
            # A chat from an earlier simulator run: the customer exists again, named by number.
            self._chats.add_customer(f"+{digits}", digits)
            chat = self._chats.chat(digits)
        return chat

    def _on_send(self, payload: dict[str, Any]) -> web.Response:
        chat = self._recipient_chat(payload)
        if isinstance(chat, web.Response):
            return chat
        kind = payload.get("type", "text")
        if not isinstance(kind, str) or not isinstance(payload.get(kind), dict):
            return graph_error(400, 131008, details=f"The parameter {kind} is required.")
        try:
            fields = outbound_fields(kind, payload[kind], self.templates)
        except ValueError as exc:
            return graph_error(400, 100, "Invalid parameter", details=str(exc))
        context = payload.get("context")
        if isinstance(context, dict) and "reply_to" not in fields:
            fields["reply_to"] = str_or_none(context.get("message_id"))
        wamid = self._chats.new_wamid()
        message = SandboxMessage(
            wamid=wamid,
            wa_id=chat.customer.wa_id,
            from_customer=False,
            type=kind,
            status="pending",
            time=time.time(),
            **fields,
        )
        self._chats.store(message)
        self._chats.stop_typing(chat)  # the indicator disappears when the business sends
        self._chats.publish(SandboxEvent(kind="message", wa_id=message.wa_id, message=message))
        logger.info("sandbox accepted a %s message to %s", kind, mask_phone(chat.customer.wa_id))
        self._on_sent(message, str_or_none(payload.get("biz_opaque_callback_data")))
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
            return _unknown_node(node, "post")
        data: bytes | None = None
        mime: str | None = None
        try:
            form = await request.post()
        except ValueError:
            return graph_error(400, 100, "Invalid parameter", details="multipart body expected")
        file_field = form.get("file")
        if isinstance(file_field, web.FileField):
            data = file_field.file.read()
            mime = file_field.content_type
        type_field = form.get("type")
        if isinstance(type_field, str) and type_field.strip():
            mime = type_field.strip()
        if not data or not mime:
            return graph_error(400, 100, "Invalid parameter", details="file and type are required")
        return web.json_response({"id": self._media.add(data, mime)})

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
            return _unknown_node(node, "get")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/media-bin/{node}?ext={secrets.token_hex(4)}",
                "mime_type": media.mime_type,
                "sha256": sha256_b64(media.data),
                "file_size": len(media.data),
                "id": node,
            }
        )

    async def _on_delete_media(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if not self._media.delete(node):
            return _unknown_node(node, "delete")
        return web.json_response({"success": True})

    async def _on_media_bin(self, request: web.Request) -> web.Response:
        media = self._media.get(request.match_info["media_id"])
        if media is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=media.data, content_type=media.mime_type.split(";", 1)[0].strip())

    async def _on_templates(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.credentials.waba_id:
            return _unknown_node(node, "get")
        wanted = [f for f in request.query.get("fields", "").split(",") if f]
        data = [
            {k: v for k, v in t.items() if not wanted or k in ("id", *wanted)}
            for t in self.templates
        ]
        return web.json_response({"data": data})
