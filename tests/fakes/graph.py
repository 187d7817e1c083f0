"""A fake WhatsApp Cloud API (Graph API) server: a real aiohttp server on 127.0.0.1.

It speaks the wire format of ``shared/docs/meta-cloud-api.md`` (sections 4, 4.1, 6, 7.2), so the
code under test opens real sockets and wire-format mistakes show.

Two ways to run it:

* inside the test's event loop: ``async with FakeGraph() as fake: ...`` (or ``start``/``stop``);
* on its own loop in a background thread, for tests that run the app as a subprocess:
  ``with FakeGraph.in_thread() as fake: ...``.

Everything the tests read or script goes through a lock, so both modes are thread-safe.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.policy
import hashlib
import itertools
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.parser import BytesParser
from typing import Any, Literal

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

DEFAULT_PHONE_NUMBER_ID = "110011001100110"
DEFAULT_WABA_ID = "102030405060708"
DEFAULT_DISPLAY_PHONE_NUMBER = "15550101234"
DEFAULT_APP_ID = "876543210987654"
DEFAULT_APP_SECRET = "fake-app-secret-0123456789abcdef"
DEFAULT_SCOPES = (
    "whatsapp_business_management",
    "whatsapp_business_messaging",
    "business_management",
)

ScriptBody = Mapping[str, Any] | str | bytes | None
ScriptKind = Literal["send", "read", "any"]

_DEFAULT_MESSAGES: dict[int, str] = {
    0: "AuthException",
    1: "An unknown error occurred",
    2: "Service temporarily unavailable",
    4: "Application request limit reached",
    10: "Permission denied",
    100: "Invalid parameter",
    190: "Error validating access token: Session has expired.",
    368: "Temporarily blocked for policies violations",
    80007: "Rate limit issues",
    130403: "Recipient blocked",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131005: "Access denied",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131021: "Recipient cannot be sender",
    131026: "Message Undeliverable",
    131030: "Recipient phone number not in allowed list",
    131031: "Business Account locked",
    131047: "Re-engagement message",
    131053: "Media upload error",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131057: "Account in maintenance mode",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    133004: "Server temporarily unavailable",
    133016: "Account register deregister rate limit exceeded",
    135000: "Generic user error",
}


def graph_error_body(
    code: int,
    message: str | None = None,
    http_status: int = 400,
    *,
    details: str | None = None,
    subcode: int | None = None,
) -> dict[str, Any]:
    """A realistic Graph API error body: ``{"error": {message, type, code, error_data, ...}}``."""
    text = message or _DEFAULT_MESSAGES.get(code, "An error occurred")
    error: dict[str, Any] = {
        "message": f"(#{code}) {text}" if code not in (0, 190) else text,
        "type": "OAuthException",
        "code": code,
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    elif code == 190:
        error["error_subcode"] = 463  # "expired"
    if code not in (0, 190):
        error["error_data"] = {"messaging_product": "whatsapp", "details": details or text}
    if http_status >= 500:
        error["is_transient"] = True
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return {"error": error}


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRequest:
    """One request the fake received. ``time`` is ``time.monotonic()`` at arrival."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # case-insensitive
    json: Any
    body: bytes
    time: float


@dataclass(slots=True)
class _Scripted:
    suffix: str
    kind: ScriptKind
    responses: deque[tuple[int, ScriptBody]] = field(default_factory=deque)


def _hello_world_template() -> dict[str, Any]:
    return {
        "name": "hello_world",
        "language": "en_US",
        "status": "APPROVED",
        "category": "UTILITY",
        "id": "1192339204654487",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
            {
                "type": "BODY",
                "text": "Welcome and congratulations!! This message demonstrates your ability "
                "to send a WhatsApp message notification from the Cloud API, hosted by Meta. "
                "Thank you for taking the time to test with us.",
            },
            {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
        ],
    }


class FakeGraph:
    """Fake Graph API: records every request, answers like Meta, can be scripted to fail."""

    def __init__(
        self,
        *,
        phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
        waba_id: str = DEFAULT_WABA_ID,
        expected_token: str | None = None,
        templates: Iterable[Mapping[str, Any]] | None = None,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self.expected_token = expected_token
        self.display_phone_number = DEFAULT_DISPLAY_PHONE_NUMBER
        self.verified_name = "Fake Shop"
        # -- setup endpoints (meta-cloud-api.md section 6); plain attributes, change freely --
        self.app_id = DEFAULT_APP_ID
        self.app_secret = DEFAULT_APP_SECRET
        self.app_name = "Fake Shop Bot"
        self.token_valid = True  # False: debug_token says invalid, Bearer calls get 190
        self.token_expires_at = 0  # 0 = never (system-user token); else a Unix time
        self.token_app_id: str | None = None  # None = app_id
        self.token_scopes: list[str] = list(DEFAULT_SCOPES)
        self.token_waba_ids: list[str] | None = None  # None = [waba_id]
        self.number_in_waba = True
        self.registered = True  # platform_type CLOUD_API vs NOT_APPLICABLE
        self.quality_rating = "GREEN"
        self.code_verification_status = "VERIFIED"
        self.register_calls = 0
        self.register_limit = 10  # per 72 h; beyond it: 133016
        self.subscribe_works = True  # False: POST subscribed_apps says success, GET lists nothing
        self.subscribed_apps: list[str] = []
        self.app_subscription: dict[str, Any] | None = None  # POST /{app}/subscriptions
        # GET /oauth/access_token?grant_type=fb_exchange_token (a 60-day token's refresh):
        # the token it hands out (None: Meta refuses the exchange, error 190/100).
        self.refreshed_token: str | None = None
        self.refreshed_expires_at = 0
        self.waba_override: str = ""
        self.phone_override: str = ""
        self.phone_override_verify_token: str = ""
        # media id -> (bytes, mime type); tests may add to it directly or via add_media().
        self.media: dict[str, tuple[bytes, str]] = {}
        self.templates: list[dict[str, Any]] = (
            [dict(t) for t in templates] if templates is not None else [_hello_world_template()]
        )
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._sent: list[dict[str, Any]] = []
        self._sent_wamids: list[str] = []
        self._reads: list[dict[str, Any]] = []
        self._scripts: list[_Scripted] = []
        self._delay = 0.0
        self._wamid_counter = itertools.count(1)
        self._media_counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving on 127.0.0.1 on a free port, in the running loop."""
        if self._runner is not None:
            raise RuntimeError("FakeGraph already started")
        self._stopping = asyncio.Event()
        app = web.Application(middlewares=[self._middleware], client_max_size=200 * 1024 * 1024)
        app.router.add_post("/{version:v[0-9]+\\.[0-9]+}/{node}/messages", self._on_messages)
        app.router.add_post("/{version:v[0-9]+\\.[0-9]+}/{node}/media", self._on_upload)
        app.router.add_get(
            "/{version:v[0-9]+\\.[0-9]+}/{node}/message_templates", self._on_templates
        )
        version = "/{version:v[0-9]+\\.[0-9]+}"
        app.router.add_get(version + "/oauth/access_token", self._on_oauth_access_token)
        app.router.add_get(version + "/{node}/phone_numbers", self._on_phone_numbers)
        app.router.add_post(version + "/{node}/register", self._on_register)
        app.router.add_route("*", version + "/{node}/subscribed_apps", self._on_subscribed_apps)
        app.router.add_route("*", version + "/{node}/subscriptions", self._on_subscriptions)
        app.router.add_post(version + "/{node}", self._on_node_post)
        app.router.add_get("/{version:v[0-9]+\\.[0-9]+}/{node}", self._on_node)
        app.router.add_delete("/{version:v[0-9]+\\.[0-9]+}/{node}", self._on_delete_media)
        app.router.add_get("/media-bin/{media_id}", self._on_media_bin)
        # shutdown_timeout: a handler stuck in set_delay() must not hold stop() for 60 s.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        address = runner.addresses[0]
        self._port = int(address[1])
        self._runner = runner

    async def stop(self) -> None:
        """Stop serving and close every socket (idempotent)."""
        runner, self._runner = self._runner, None
        if self._stopping is not None:
            self._stopping.set()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeGraph:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @classmethod
    @contextlib.contextmanager
    def in_thread(cls, **kwargs: Any) -> Iterator[FakeGraph]:
        """Run a new fake on its own event loop in a daemon thread for the ``with`` block."""
        fake = cls(**kwargs)
        fake._start_thread()
        try:
            yield fake
        finally:
            fake._stop_thread()

    def _start_thread(self) -> None:
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()

        thread = threading.Thread(target=run, name="FakeGraph", daemon=True)
        thread.start()
        started.wait(10)
        self._thread, self._thread_loop = thread, loop
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(10)
        except BaseException:
            self._stop_thread()
            raise

    def _stop_thread(self) -> None:
        loop, thread = self._thread_loop, self._thread
        self._thread_loop = self._thread = None
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(10)
        finally:

            async def drain() -> None:
                await loop.shutdown_asyncgens()
                await loop.shutdown_default_executor()

            asyncio.run_coroutine_threadsafe(drain(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    # -- what the tests read --------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeGraph is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the Graph client adds ``/<version>/...``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def sent_messages(self) -> list[dict[str, Any]]:
        """Bodies of accepted sends (not mark-read/typing, not the ones answered by a script)."""
        with self._lock:
            return list(self._sent)

    @property
    def sent_wamids(self) -> list[str]:
        """The wamids given to ``sent_messages``, same order."""
        with self._lock:
            return list(self._sent_wamids)

    @property
    def read_receipts(self) -> list[dict[str, Any]]:
        """Bodies of accepted mark-read (and typing indicator) calls."""
        with self._lock:
            return list(self._reads)

    def requests_to(self, path_suffix: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path ends with ``path_suffix`` (and method, if given)."""
        return [
            r
            for r in self.requests
            if r.path.endswith(path_suffix) and (method is None or r.method == method.upper())
        ]

    @property
    def send_requests(self) -> list[dict[str, Any]]:
        """Every message POST (not read receipts) as it arrived, answered or not.

        Meta processes a request whose client went away meanwhile: these are what reached it.
        """
        with self._lock:
            return [
                r.json
                for r in self._requests
                if r.method == "POST"
                and r.path.endswith("/messages")
                and isinstance(r.json, dict)
                and r.json.get("status") != "read"
            ]

    async def _wait_async(
        self, get: Callable[[], list[dict[str, Any]]], n: int, timeout: float, what: str
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            items = get()
            if len(items) >= n:
                return items
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{len(items)} of {n} {what} after {timeout} s")
            await asyncio.sleep(0.01)

    async def wait_for_send_requests(self, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least ``n`` message POSTs arrived (answered or still in the delay)."""
        return await self._wait_async(lambda: self.send_requests, n, timeout, "send requests")

    def wait_for_send_requests_blocking(self, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Thread-blocking :meth:`wait_for_send_requests`."""
        deadline = time.monotonic() + timeout
        while True:
            arrived = self.send_requests
            if len(arrived) >= n:
                return arrived
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(arrived)} of {n} send requests after {timeout} s")
            with self._changed:
                self._changed.wait(min(remaining, 0.1))

    async def wait_for_sends(self, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least ``n`` sends were accepted; returns all of them."""
        return await self._wait_async(lambda: self.sent_messages, n, timeout, "sends")

    def wait_for_sends_blocking(self, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Thread-blocking :meth:`wait_for_sends` (the fake must run in another thread/process)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._sent) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._sent)} of {n} sends after {timeout} s")
                self._changed.wait(remaining)
            return list(self._sent)

    # -- scripting ------------------------------------------------------------------------

    def script_errors(
        self,
        path_suffix: str = "messages",
        responses: Sequence[tuple[int, ScriptBody]] = (),
        *,
        kind: ScriptKind = "send",
    ) -> None:
        """Queue responses for requests whose path ends with ``path_suffix``, used in order.

        Once used up, normal behaviour resumes. A dict body is sent as JSON, str/bytes as is.
        Any status may be scripted (a 200 with a custom body too). ``kind`` narrows POSTs to
        ``.../messages``: ``"send"`` (default) leaves mark-read/typing calls alone, ``"read"``
        hits only those, ``"any"`` both; it does not apply to other paths.
        """
        with self._lock:
            self._scripts.append(_Scripted(path_suffix, kind, deque(responses)))

    def set_delay(self, seconds: float) -> None:
        """Wait this long before answering every request (0 to stop)."""
        with self._lock:
            self._delay = max(0.0, seconds)

    def add_media(self, data: bytes, mime_type: str, media_id: str | None = None) -> str:
        """Store a media object the client can fetch; returns its id."""
        media_id = media_id or f"{900000000000000 + next(self._media_counter)}"
        self.media[media_id] = (data, mime_type)
        return media_id

    def reset(self) -> None:
        """Forget recorded requests, sends, receipts, scripts and the delay."""
        with self._lock:
            self._requests.clear()
            self._sent.clear()
            self._sent_wamids.clear()
            self._reads.clear()
            self._scripts.clear()
            self._delay = 0.0

    # -- server side ----------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.read()
        parsed: Any = None
        if body and request.content_type == "application/json":
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            json=parsed,
            body=body,
            time=time.monotonic(),
        )
        with self._changed:
            self._requests.append(recorded)
            delay = self._delay
            scripted = self._take_script(recorded)
            self._changed.notify_all()
        if delay > 0 and self._stopping is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
        if scripted is not None:
            return _respond(*scripted)
        if request.path.startswith("/media-bin/"):
            media_response: web.StreamResponse = await handler(request)
            return media_response
        if request.path.endswith("/oauth/access_token"):
            # Takes the app's id and secret as query parameters, no Bearer token.
            oauth_response: web.StreamResponse = await handler(request)
            return oauth_response
        if request.path.endswith(("/debug_token", "/subscriptions")):
            # These take the app access token "<app_id>|<app_secret>" as a query parameter.
            if request.query.get("access_token") != f"{self.app_id}|{self.app_secret}":
                return _error(400, 190, "Invalid OAuth access token signature.")
            app_response: web.StreamResponse = await handler(request)
            return app_response
        expected = f"Bearer {self.expected_token}" if self.expected_token is not None else None
        if expected is not None and request.headers.get("Authorization") != expected:
            return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if not self.token_valid:
            return _error(401, 190)
        response: web.StreamResponse = await handler(request)
        return response

    def _take_script(self, recorded: RecordedRequest) -> tuple[int, ScriptBody] | None:
        is_messages_post = recorded.method == "POST" and recorded.path.endswith("/messages")
        is_read = isinstance(recorded.json, dict) and recorded.json.get("status") == "read"
        for script in self._scripts:
            if not script.responses or not recorded.path.endswith(script.suffix):
                continue
            if is_messages_post and script.kind != "any" and (script.kind == "read") != is_read:
                continue
            return script.responses.popleft()
        return None

    def _unknown_node(self, node: str, method: str = "get") -> web.Response:
        return _error(
            400,
            100,
            f"Unsupported {method} request. Object with ID '{node}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            subcode=33,
            numbered=False,
        )

    async def _on_messages(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.phone_number_id:
            return self._unknown_node(node, "post")
        try:
            payload = json.loads(await request.read())
        except ValueError:
            return _error(400, 100, "Invalid parameter", details="body is not JSON")
        if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
            return _error(400, 100, "Invalid parameter", details="messaging_product is required")
        if payload.get("status") == "read":
            if not isinstance(payload.get("message_id"), str) or not payload["message_id"]:
                return _error(400, 100, "Invalid parameter", details="message_id is required")
            with self._changed:
                self._reads.append(payload)
                self._changed.notify_all()
            return web.json_response({"success": True})
        return self._accept_send(payload)

    def _accept_send(self, payload: dict[str, Any]) -> web.Response:
        to, recipient = payload.get("to"), payload.get("recipient")
        if not (isinstance(to, str) and to) and not (isinstance(recipient, str) and recipient):
            return _error(400, 131008, details="The parameter to is required.")
        kind = payload.get("type", "text")
        if not isinstance(kind, str) or not isinstance(payload.get(kind), dict):
            return _error(400, 131008, details=f"The parameter {kind} is required.")
        if kind == "text":
            text_body = payload["text"].get("body")
            if not isinstance(text_body, str) or not text_body:
                return _error(400, 131008, details="The parameter text['body'] is required.")
            if len(text_body) > 4096:
                return _error(
                    400, 100, details="Param text['body'] must be at most 4096 characters long."
                )
        with self._changed:
            wamid = f"wamid.FAKE{next(self._wamid_counter)}"
            self._sent.append(payload)
            self._sent_wamids.append(wamid)
            self._changed.notify_all()
        contact: dict[str, str]
        if isinstance(to, str) and to:
            contact = {"input": to, "wa_id": "".join(ch for ch in to if ch.isdigit())}
        else:
            contact = {"input": str(recipient), "user_id": str(recipient)}
        message: dict[str, str] = {"id": wamid}
        if kind == "template":
            message["message_status"] = "accepted"
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [message]}
        )

    async def _on_upload(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.phone_number_id:
            return self._unknown_node(node, "post")
        # The middleware already consumed the stream (to record it): parse the stored bytes.
        raw = await request.read()
        envelope = f"Content-Type: {request.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = BytesParser(policy=email.policy.HTTP).parsebytes(envelope + raw)
        data: bytes | None = None
        mime: str | None = None
        if message.is_multipart():
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                if not isinstance(payload, bytes):
                    continue
                if name == "file":
                    data = payload
                    mime = mime or part.get_content_type()
                elif name == "type":
                    mime = payload.decode("utf-8", errors="replace").strip() or mime
        if data is None or not mime:
            return _error(400, 100, details="file and type are required")
        return web.json_response({"id": self.add_media(data, mime)})

    async def _on_node(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node == "debug_token":
            return self._debug_token(request)
        if node == self.phone_number_id:
            info: dict[str, Any] = {
                "id": self.phone_number_id,
                "display_phone_number": self.display_phone_number,
                "verified_name": self.verified_name,
                "quality_rating": self.quality_rating,
                "code_verification_status": self.code_verification_status,
                "platform_type": "CLOUD_API" if self.registered else "NOT_APPLICABLE",
                "status": "CONNECTED" if self.registered else "PENDING",
                "throughput": {"level": "STANDARD"},
                "webhook_configuration": self.webhook_configuration(),
            }
            fields = [f for f in request.query.get("fields", "").split(",") if f]
            if fields:
                info = {key: info[key] for key in ["id", *fields] if key in info}
            return web.json_response(info)
        stored = self.media.get(node)
        if stored is None:
            return self._unknown_node(node)
        data, mime = stored
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/media-bin/{node}?ext={secrets.token_hex(4)}",
                "mime_type": mime,
                "sha256": base64.b64encode(hashlib.sha256(data).digest()).decode("ascii"),
                "file_size": len(data),
                "id": node,
            }
        )

    # -- setup endpoints ------------------------------------------------------------------

    def webhook_configuration(self) -> dict[str, str]:
        """What ``GET /{phone-number-id}?fields=webhook_configuration`` shows (section 1.4)."""
        config: dict[str, str] = {}
        if self.app_subscription is not None and self.app_subscription.get("active"):
            config["application"] = str(self.app_subscription["callback_url"])
        if self.waba_override:
            config["whatsapp_business_account"] = self.waba_override
        if self.phone_override:
            config["phone_number"] = self.phone_override
        return config

    def effective_callback(self) -> str | None:
        """Where Meta would deliver ``messages``: phone override > WABA override > app."""
        config = self.webhook_configuration()
        for key in ("phone_number", "whatsapp_business_account", "application"):
            if config.get(key):
                return config[key]
        return None

    def _debug_token(self, request: web.Request) -> web.Response:
        if not request.query.get("input_token"):
            return _error(400, 100, details="input_token is required")
        wabas = self.token_waba_ids if self.token_waba_ids is not None else [self.waba_id]
        data: dict[str, Any] = {
            "app_id": self.token_app_id or self.app_id,
            "type": "SYSTEM_USER",
            "application": self.app_name,
            "data_access_expires_at": 0,
            "expires_at": self.token_expires_at,
            "is_valid": self.token_valid,
            "issued_at": int(time.time()) - 60,
            "scopes": list(self.token_scopes),
            "granular_scopes": [
                {"scope": scope, "target_ids": list(wabas)}
                for scope in self.token_scopes
                if scope.startswith("whatsapp_")
            ],
            "user_id": "1000000000001",
        }
        if not self.token_valid:
            data["error"] = {
                "code": 190,
                "message": "Error validating access token: Session has expired.",
                "subcode": 463,
            }
        return web.json_response({"data": data})

    async def _on_oauth_access_token(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("grant_type") != "fb_exchange_token" or not q.get("fb_exchange_token"):
            return _error(400, 100, details="grant_type and fb_exchange_token are required")
        if q.get("client_id") != self.app_id or q.get("client_secret") != self.app_secret:
            return _error(400, 1, "Error validating client secret.")
        if self.refreshed_token is None:
            return _error(400, 190, "This token cannot be exchanged.")
        token, self.refreshed_token = self.refreshed_token, None
        self.expected_token = token if self.expected_token is not None else None
        self.token_expires_at = self.refreshed_expires_at
        return web.json_response(
            {"access_token": token, "token_type": "bearer", "expires_in": 60 * 86400}
        )

    async def _on_phone_numbers(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.waba_id:
            return self._unknown_node(node)
        numbers = [
            {
                "verified_name": "Other Shop",
                "code_verification_status": "VERIFIED",
                "display_phone_number": "+1 555-010-9999",
                "quality_rating": "GREEN",
                "platform_type": "CLOUD_API",
                "throughput": {"level": "STANDARD"},
                "id": "199999999999999",
            }
        ]
        if self.number_in_waba:
            numbers.insert(
                0,
                {
                    "verified_name": self.verified_name,
                    "code_verification_status": self.code_verification_status,
                    "display_phone_number": self.display_phone_number,
                    "quality_rating": self.quality_rating,
                    "platform_type": "CLOUD_API" if self.registered else "NOT_APPLICABLE",
                    "throughput": {"level": "STANDARD"},
                    "id": self.phone_number_id,
                },
            )
        return web.json_response(
            {"data": numbers, "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}}
        )

    async def _on_register(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.phone_number_id:
            return self._unknown_node(node, "post")
        try:
            payload = json.loads(await request.read())
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
            return _error(400, 100, details="messaging_product is required")
        pin = payload.get("pin")
        if not (isinstance(pin, str) and len(pin) == 6 and pin.isdigit()):
            return _error(400, 100, details="pin must be 6 digits")
        with self._lock:
            self.register_calls += 1
            over = self.register_calls > self.register_limit
            if not over:
                self.registered = True
        if over:
            return _error(400, 133016)
        return web.json_response({"success": True})

    async def _on_subscribed_apps(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.waba_id:
            return self._unknown_node(node, request.method.lower())
        if request.method == "POST":
            body = await request.read()
            payload = json.loads(body) if body else {}
            with self._lock:
                if self.subscribe_works and self.app_id not in self.subscribed_apps:
                    self.subscribed_apps.append(self.app_id)
                if isinstance(payload, dict) and "override_callback_uri" in payload:
                    self.waba_override = str(payload["override_callback_uri"])
            return web.json_response({"success": True})
        if request.method == "DELETE":
            with self._lock:
                if self.app_id in self.subscribed_apps:
                    self.subscribed_apps.remove(self.app_id)
            return web.json_response({"success": True})
        data: list[dict[str, Any]] = []
        for app_id in self.subscribed_apps:
            item: dict[str, Any] = {
                "whatsapp_business_api_data": {
                    "id": app_id,
                    "name": self.app_name,
                    "link": "https://www.facebook.com/games/?app_id=" + app_id,
                }
            }
            if self.waba_override:
                item["override_callback_uri"] = self.waba_override
            data.append(item)
        return web.json_response({"data": data})

    async def _on_subscriptions(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.app_id:
            return self._unknown_node(node, request.method.lower())
        if request.method == "POST":
            query = request.query
            callback = query.get("callback_url", "")
            if query.get("object") != "whatsapp_business_account" or not callback:
                return _error(400, 100, details="object and callback_url are required")
            if not callback.startswith("https://"):
                return _error(400, 100, details="callback_url must be https")
            with self._lock:
                self.app_subscription = {
                    "object": "whatsapp_business_account",
                    "callback_url": callback,
                    "verify_token": query.get("verify_token", ""),
                    "active": True,
                    "fields": [
                        {"name": f, "version": "v25.0"}
                        for f in query.get("fields", "messages").split(",")
                        if f
                    ],
                }
            return web.json_response({"success": True})
        subscription = self.app_subscription
        data = []
        if subscription is not None:
            data.append({k: v for k, v in subscription.items() if k != "verify_token"})
        return web.json_response({"data": data})

    async def _on_node_post(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.phone_number_id:
            return self._unknown_node(node, "post")
        try:
            payload = json.loads(await request.read())
        except ValueError:
            payload = None
        config = payload.get("webhook_configuration") if isinstance(payload, dict) else None
        if not isinstance(config, dict) or "override_callback_uri" not in config:
            return _error(400, 100, details="webhook_configuration is required")
        with self._lock:
            self.phone_override = str(config["override_callback_uri"])
            self.phone_override_verify_token = str(config.get("verify_token") or "")
        return web.json_response({"success": True})

    async def _on_delete_media(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if self.media.pop(node, None) is None:
            return self._unknown_node(node, "delete")
        return web.json_response({"success": True})

    async def _on_media_bin(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization", "")
        expected = f"Bearer {self.expected_token}" if self.expected_token is not None else None
        if not authorization.startswith("Bearer ") or (
            expected is not None and authorization != expected
        ):
            return web.Response(status=401, text="Unauthorized")
        stored = self.media.get(request.match_info["media_id"])
        if stored is None:
            return web.Response(status=404, text="Not Found")
        data, mime = stored
        return web.Response(body=data, content_type=mime.split(";", 1)[0].strip())

    async def _on_templates(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if node != self.waba_id:
            return self._unknown_node(node)
        with self._lock:
            templates = [dict(t) for t in self.templates]
        try:
            limit = max(1, int(request.query.get("limit", "25")))
            start = int(base64.urlsafe_b64decode(request.query.get("after", "MA==")).decode())
        except ValueError:
            return _error(400, 100, details="invalid paging parameters")
        fields = [f for f in request.query.get("fields", "").split(",") if f]
        page = templates[start : start + limit]
        if fields:
            page = [{k: t[k] for k in ["id", *fields] if k in t} for t in page]
        body: dict[str, Any] = {"data": page}
        if templates:
            body["paging"] = {
                "cursors": {
                    "before": _cursor(start),
                    "after": _cursor(start + max(len(page) - 1, 0)),
                }
            }
        if start + limit < len(templates):
            query = dict(request.query)
            query["after"] = _cursor(start + limit)
            body["paging"]["next"] = str(request.url.with_query(query))
        return web.json_response(body)


def status_webhook(
    payload: Mapping[str, Any],
    wamid: str,
    status: str = "sent",
    *,
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    waba_id: str = DEFAULT_WABA_ID,
) -> bytes:
    """The status webhook Meta sends for a message it accepted (section 7.2 of the API notes).

    ``biz_opaque_callback_data`` of the send ``payload`` is echoed, as Meta does.
    """
    recipient = str(payload.get("to") or payload.get("recipient") or "")
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": "".join(ch for ch in recipient if ch.isdigit()) or recipient,
        "pricing": {
            "billable": False,
            "pricing_model": "PMP",
            "type": "free_customer_service",
            "category": "service",
        },
    }
    callback = payload.get("biz_opaque_callback_data")
    if isinstance(callback, str):
        item["biz_opaque_callback_data"] = callback
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": DEFAULT_DISPLAY_PHONE_NUMBER,
            "phone_number_id": phone_number_id,
        },
        "statuses": [item],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(str(index).encode()).decode()


def _respond(status: int, body: ScriptBody) -> web.Response:
    if body is None:
        return web.Response(status=status)
    if isinstance(body, bytes):
        return web.Response(status=status, body=body, content_type="application/octet-stream")
    if isinstance(body, str):
        return web.Response(status=status, text=body, content_type="text/plain")
    return web.json_response(dict(body), status=status)


def _error(
    http_status: int,
    code: int,
    message: str | None = None,
    *,
    details: str | None = None,
    subcode: int | None = None,
    numbered: bool = True,
) -> web.Response:
    body = graph_error_body(code, message, http_status, details=details, subcode=subcode)
    if not numbered and message is not None:
        body["error"]["message"] = message
    return web.json_response(body, status=http_status)
