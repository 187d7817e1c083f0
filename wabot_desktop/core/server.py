"""The webhook HTTP server (aiohttp.web on a thread and event loop of its own).

The server runs on its own thread (:class:`~wabot_desktop.core.aio.LoopThread`, uvloop where it
is installed), in ``serve`` and in the desktop app alike, so an ack never waits for the loop the
bot, its HTTP calls and the GUI share. What its handlers need of the core is thread-safe: the
writer answers each body on the loop it came from and runs the post-commit callbacks on the
core's main loop (one hop per batch); /health's provider and the simulator's extra routes run on
the main loop (``run_coroutine_threadsafe``); the credentials are one object swapped whole when
they change (:meth:`WebhookServer.set_credentials`). ``own_thread=False`` keeps the server on the
caller's loop (the old arrangement, for comparison in bench/).

GET /webhook: Meta's verification handshake. POST /webhook: size limit, signature over the raw
bytes, strict parsing, then the body joins the next group commit (core/store/writer.py: body and
rows in one transaction, one fsync per group) and gets 200 only once that commit returned (503
if the database failed, so Meta re-delivers). Access logging is off (``access_log=None``).
GET /health: JSON state of database, Graph API, LLM and tunnel. GET /metrics: Prometheus text.

Limits against hostile clients (all before any authentication is possible):

* at most ``max_buffered_bodies`` webhook bodies over 64 KiB (or of undeclared length) are read
  at once (503 beyond that, Meta re-delivers; real webhooks are a few KiB and never wait for a
  slot), each body within ``body_timeout_s`` (408), and nothing keeps a failed read's buffer
  alive (the exception's traceback is dropped, so no cyclic-GC pass is needed to free it);
* an idle connection (no request yet, or between keep-alive requests, including one that sends
  its headers byte by byte) is closed after ``keepalive_s``; at most ``max_connections`` are open
  (new ones beyond that are closed at once), so held sockets never exhaust the process's files;
* while a tunnel is open, /health and /metrics answer only direct loopback requests (not ones
  relayed by the tunnel agent or a reverse proxy, which carry forwarding headers or a public Host).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import ipaddress
import json
import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from wabot_desktop.core.aio import SHARED_POOL, BlockingPool, LoopThread
from wabot_desktop.core.clock import REAL_CLOCK, Clock
from wabot_desktop.core.dto import DatabaseState, HealthSnapshot
from wabot_desktop.core.errors import MissingCredentialsError, PortInUseError, StorageError
from wabot_desktop.core.metrics import Metrics
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.store.ingest import IngestItem, IngestOutcome, body_hash
from wabot_desktop.core.store.writer import IngestWriter
from wabot_desktop.core.whatsapp.parser import WebhookBodyError, decode_body, parse_webhook
from wabot_desktop.core.whatsapp.signature import SignatureCheck, verify_signature

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 3 * 1024 * 1024
# Bodies this large are decoded and parsed off the loop so the GUI never stalls on them.
_OFFLOAD_BYTES = 128 * 1024
# Bodies up to this size need no buffer slot: max_connections x 64 KiB stays small.
_SMALL_BODY_BYTES = 64 * 1024
# With the server on its own thread, a busy main thread (the bot, the GUI) hands the GIL over
# at most this often (CPython's default is 5 ms). Every SQLite statement of an ack's commit
# releases the GIL and waits up to this long to get it back: with the desktop app's bot active
# a one-body commit took 2.7 ms (p50) for 0.13 ms of work at 1 ms. At 50 customer messages/s
# (bench/gui_history.py --bot active, 3 runs each) ack p99 was 78 ms at 1 ms, 49 ms at 0.1 ms.
SWITCH_INTERVAL_S = 0.0001


@dataclass(slots=True)
class WebhookCredentials:
    """What the webhook needs to accept deliveries. The wizard changes them live by handing the
    server a new object (:meth:`WebhookServer.set_credentials`): a request reads one object, so it
    never sees a new secret with an old number."""

    app_secret: str
    verify_token: str
    phone_number_id: str | None


HealthProvider = Callable[[], Awaitable[HealthSnapshot]]

# Headers a tunnel agent (ngrok) or a reverse proxy adds to what it relays.
_FORWARDING_HEADERS = ("X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "X-Real-IP")
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """Connection and body limits (see the module docstring)."""

    keepalive_s: float = 5.0
    body_timeout_s: float = 10.0
    max_connections: int = 256
    max_buffered_bodies: int = 16

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLimits:
        return cls(
            keepalive_s=settings.http_keepalive_s,
            body_timeout_s=settings.http_body_timeout_s,
            max_connections=max(1, settings.http_max_connections),
            max_buffered_bodies=max(1, settings.http_max_buffered_bodies),
        )


def is_loopback_host(host: str | None) -> bool:
    """True for ``127.0.0.1``, ``::1``, ``localhost`` (a ``Host`` header's name, no port)."""
    if not host:
        return False
    name = host.strip().lower().rstrip(".")
    if name.startswith("[") and "]" in name:
        name = name[1 : name.index("]")]
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host_header: str | None) -> str | None:
    """The name part of a ``Host`` header (``"127.0.0.1:8080"`` -> ``"127.0.0.1"``)."""
    if not host_header:
        return None
    try:
        return urlsplit("//" + host_header.strip()).hostname
    except ValueError:
        return None


def is_direct_local_request(request: web.BaseRequest) -> bool:
    """A request made on this computer to a loopback address, not relayed by a tunnel/proxy."""
    if not is_loopback_host(request.remote):
        return False
    if any(name in request.headers for name in _FORWARDING_HEADERS):
        return False
    return is_loopback_host(host_name(request.headers.get("Host")))


def describe_storage_error(exc: BaseException | None) -> str:
    """``"disk full"`` / ``"read-only"`` / ``"disk I/O error"`` / ``"error"`` for a failed write."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sqlite3.Error):
            name = str(getattr(exc, "sqlite_errorname", "") or "")
            text = str(exc).lower()
            if name.startswith("SQLITE_FULL") or "disk is full" in text:
                return "disk full"
            if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
                return "read-only"
            if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
                return "disk I/O error"
        if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
            return "disk full"
        if isinstance(exc, OSError) and exc.errno == 30:  # EROFS
            return "read-only"
        orig = getattr(exc, "orig", None)
        exc = orig if isinstance(orig, BaseException) else (exc.__cause__ or exc.__context__)
    return "error"


class _Refused(asyncio.Protocol):
    """Closes a connection over the cap at once (the socket is released, nothing is read)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class WebhookServer:
    """Owns the aiohttp application and its site on host:port."""

    def __init__(
        self,
        *,
        writer: IngestWriter,
        credentials: WebhookCredentials,
        health: HealthProvider,
        metrics: Metrics,
        limits: ServerLimits | None = None,
        blocking: BlockingPool | None = None,
        clock: Clock = REAL_CLOCK,
        own_thread: bool = True,
    ) -> None:
        self._writer = writer
        # Counted when the rows are stored: at the ack, or with a burst's parse just after.
        writer.add_committed_callback(self._count_new_messages)
        self._blocking = blocking or SHARED_POOL  # large bodies are parsed off the loop
        self._clock = clock
        self.limits = limits or ServerLimits()
        self._bodies: asyncio.Semaphore | None = None  # made on the server's loop at start
        self.own_thread = own_thread
        self._thread: LoopThread | None = None
        # The loop start() was called on (the core's): the health provider and the extra
        # routes run there.
        self._main_loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Server | None = None
        # "disk full" / "read-only" / ... while the last webhook write failed; None once one works.
        self.last_write_error: str | None = None
        # True while a tunnel (or the owner's public URL) relays to this server.
        self.behind_tunnel: Callable[[], bool] = lambda: False
        self.credentials = credentials
        self._health = health
        self._metrics = metrics
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.host: str | None = None
        # Optional extra routes (the simulator's sandbox mounts itself here). They run on the
        # main loop (the sandbox lives there), their request body already read.
        self.extra_routes: list[web.RouteDef] = []

    @property
    def thread(self) -> threading.Thread | None:
        """The server's own thread while it runs (None on the caller's loop or stopped)."""
        return self._thread.thread if self._thread is not None else None

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The server's own loop while it runs on its thread."""
        return self._thread.loop if self._thread is not None else None

    def set_credentials(self, credentials: WebhookCredentials) -> None:
        """Use ``credentials`` from the next request on (one reference swap: thread-safe)."""
        self.credentials = credentials

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_get("/webhook", self._get_webhook)
        app.router.add_post("/webhook", self._post_webhook)
        app.router.add_get("/health", self._get_health)
        app.router.add_get("/metrics", self._get_metrics)
        app.router.add_routes(
            [
                web.RouteDef(r.method, r.path, self._on_main_loop(r.handler), r.kwargs)
                if isinstance(r, web.RouteDef)
                else r
                for r in self.extra_routes
            ]
        )
        return app

    def _on_main_loop(self, handler: Any) -> Any:
        """``handler`` run on the main loop, its body read here first (the request's stream
        belongs to the server's loop; a read body is cached, so the handler's read is safe)."""

        async def relay(request: web.Request) -> web.StreamResponse:
            if request.can_read_body:
                await request.read()
            response: web.StreamResponse = await self._call_main(handler(request))
            return response

        return relay

    async def _call_main(self, coro: Awaitable[Any]) -> Any:
        main = self._main_loop
        if main is None or main is asyncio.get_running_loop():
            return await coro
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(_as_coroutine(coro), main)
        )

    async def start(self, host: str, port: int) -> int:
        """Bind and serve (on the server's own thread unless ``own_thread`` is False); returns
        the bound port (useful with port 0).

        Raises:
            MissingCredentialsError: the app secret is blank (no webhook could be verified).
            PortInUseError: ``host:port`` is taken.
        """
        if not self.credentials.app_secret.strip():
            raise MissingCredentialsError(["app_secret"])
        self._main_loop = asyncio.get_running_loop()
        if not self.own_thread:
            return await self._start_here(host, port)
        thread = LoopThread("wabot-webhook")
        thread.start()
        try:
            bound = await thread.run(self._start_here(host, port))
        except BaseException:
            await thread.stop()
            raise
        self._thread = thread
        if sys.getswitchinterval() > SWITCH_INTERVAL_S:
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        return bound

    async def _start_here(self, host: str, port: int) -> int:
        self._bodies = asyncio.Semaphore(self.limits.max_buffered_bodies)
        # keepalive_timeout also bounds the wait for a new connection's first request headers.
        self._runner = web.AppRunner(
            self.build_app(),
            access_log=None,
            handle_signals=False,
            keepalive_timeout=self.limits.keepalive_s,
        )
        await self._runner.setup()
        runner = self._runner
        try:
            # Our own listener (not web.TCPSite) so every accepted socket passes the cap first.
            self._listener = await asyncio.get_running_loop().create_server(
                self._protocol, host, port, reuse_address=True
            )
        except OSError as exc:
            await runner.cleanup()
            self._runner = None
            raise PortInUseError(f"{host}:{port}") from exc
        self.port = int(self._listener.sockets[0].getsockname()[1])
        self.host = host
        logger.info("webhook server listening on %s:%d", host, self.port)
        return self.port

    def _protocol(self) -> asyncio.BaseProtocol:
        assert self._runner is not None and self._runner.server is not None
        server = self._runner.server
        if len(server.connections) >= self.limits.max_connections:
            self._metrics.webhooks_rejected.labels(reason="connection_cap").inc()
            logger.warning("connection refused: %d connections open", self.limits.max_connections)
            return _Refused()
        return server()

    async def stop(self) -> None:
        """Close the listener and every connection; the server's thread ends (port released)."""
        thread, self._thread = self._thread, None
        if thread is None:
            await self._stop_here()
            return
        try:
            await thread.run(self._stop_here())
        finally:
            await thread.stop()

    async def _stop_here(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._runner is not None:
            await self._runner.cleanup()  # closes every open connection
            self._runner = None

    async def _get_webhook(self, request: web.Request) -> web.Response:
        mode = request.query.get("hub.mode")
        token = request.query.get("hub.verify_token")
        challenge = request.query.get("hub.challenge")
        expected = self.credentials.verify_token
        if (
            mode == "subscribe"
            and expected.strip()
            and token is not None
            and hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))
            and challenge is not None
        ):
            logger.info("webhook verification handshake accepted")
            response = web.Response(text=challenge, content_type="text/plain")
            # The echo is attacker-chosen text: no browser may sniff it into HTML or script.
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        logger.warning("webhook verification refused (wrong token or mode)")
        return web.Response(status=403, text="Forbidden")

    def _count_new_messages(self, outcomes: list[IngestOutcome]) -> None:
        new = sum(len(outcome.new_messages) for outcome in outcomes)
        if new:
            self._metrics.messages_in.inc(new)

    def _reject(self, status: int, reason: str, started: float) -> web.Response:
        self._metrics.webhooks_rejected.labels(reason=reason).inc()
        self._metrics.ack_latency.observe(time.perf_counter() - started)
        return web.Response(status=status, text=reason)

    async def _post_webhook(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return self._reject(413, "too_large", started)
        declared = request.content_length
        if declared is not None and declared <= _SMALL_BODY_BYTES:
            # Small bodies (every real webhook) are bounded by the connection cap alone.
            body, refused = await self._read_body(request)
        elif (slots := self._bodies) is None or slots.locked():
            # Every large-body slot is taken (a flood, or stalled uploads): Meta re-delivers.
            return self._reject(503, "busy", started)
        else:
            async with slots:
                body, refused = await self._read_body(request)
        if refused is not None:
            if refused == 408:
                timed_out = self._reject(408, "body_timeout", started)
                timed_out.force_close()  # the rest of that body is never read
                return timed_out
            if refused == 413:
                return self._reject(413, "too_large", started)
            return self._reject(400, "body_aborted", started)
        credentials = self.credentials  # one object for the whole request
        check = verify_signature(
            credentials.app_secret, body, request.headers.get("X-Hub-Signature-256")
        )
        if check is SignatureCheck.MISSING:
            logger.warning("unsigned webhook refused")
            return self._reject(401, "missing_signature", started)
        if check is not SignatureCheck.OK:
            logger.warning("webhook with a wrong signature refused (%s)", body_hash(body))
            return self._reject(403, "bad_signature", started)
        pnid = credentials.phone_number_id
        try:
            if len(body) > _OFFLOAD_BYTES:
                parsed = await self._blocking.run(_decode_and_parse, body, pnid)
            else:
                parsed = _decode_and_parse(body, pnid)
        except WebhookBodyError as exc:
            logger.warning("unreadable webhook body (%s): %s", body_hash(body), exc.reason)
            return self._reject(400, "bad_body", started)
        if not parsed.is_whatsapp:
            # Another product on the same Meta app, or the dashboard sample: acknowledge, ignore.
            logger.info("ignoring webhook for object %r", parsed.object_type)
        else:
            try:
                await self._writer.submit(IngestItem(body, parsed, self._clock.time(), pnid))
            except StorageError as exc:
                cause = describe_storage_error(exc)
                if cause != self.last_write_error:
                    logger.error("webhook could not be stored: %s", cause)
                self.last_write_error = cause
                return self._reject(503, "storage_error", started)
            self.last_write_error = None
        self._metrics.webhooks_received.inc()
        self._metrics.ack_latency.observe(time.perf_counter() - started)
        return web.Response(text="OK")

    async def _read_body(self, request: web.Request) -> tuple[bytes, int | None]:
        """The body within the read timeout, or ``(b"", status)``.

        On failure the exception's traceback is cleared before it is dropped: its frames hold
        the partial buffer (and the payload stream holds the exception), a cycle only the
        cyclic GC would otherwise free, which ``serve`` rarely runs after its start-up freeze.
        """
        status: int | None = None
        try:
            if request.content.is_eof():
                # The whole body came with the headers (every real webhook): nothing to wait
                # for, so no timer is armed and cancelled per request.
                return await request.read(), None
            async with asyncio.timeout(self.limits.body_timeout_s):
                return await request.read(), None
        except TimeoutError as exc:
            status = 408
            exc.__traceback__ = None
        except web.HTTPRequestEntityTooLarge as exc:
            status = 413
            exc.__traceback__ = None
        except Exception as exc:  # the client went away (reset, truncated body)
            status = 400
            exc.__traceback__ = None
        return b"", status

    def _local_only_refused(self, request: web.Request) -> web.Response | None:
        if self.behind_tunnel() and not is_direct_local_request(request):
            return web.Response(status=404, text="Not Found")
        return None

    async def _get_health(self, request: web.Request) -> web.Response:
        refused = self._local_only_refused(request)
        if refused is not None:
            return refused
        try:
            snapshot = await self._call_main(self._health())
        except Exception:
            logger.exception("health check failed")
            return web.json_response({"database": DatabaseState.ERROR.value}, status=500)
        data: dict[str, Any] = dataclasses.asdict(snapshot)
        write_error = self.last_write_error
        if write_error is not None:
            # The read probe may pass while every write fails (disk full, read-only file).
            data["database"] = DatabaseState.ERROR.value
            data["database_error"] = write_error
        status = 200 if data["database"] == DatabaseState.OK else 503
        return web.json_response(data, status=status, dumps=lambda d: json.dumps(d))

    async def _get_metrics(self, request: web.Request) -> web.Response:
        refused = self._local_only_refused(request)
        if refused is not None:
            return refused
        response = web.Response(body=self._metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response


async def _as_coroutine(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _decode_and_parse(body: bytes, phone_number_id: str | None) -> Any:
    return parse_webhook(decode_body(body), phone_number_id=phone_number_id)
