"""The webhook HTTP server (aiohttp.web on the app's own loop, also under qasync).

GET /webhook: Meta's verification handshake. POST /webhook: size limit, signature over the raw
bytes, strict parsing, ONE commit, then 200 (503 if the database failed so Meta re-delivers).
GET /health: JSON state of database, Graph API, LLM and tunnel. GET /metrics: Prometheus text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from wabot_desktop.core.dto import HealthSnapshot
from wabot_desktop.core.errors import PortInUseError, StorageError
from wabot_desktop.core.metrics import Metrics
from wabot_desktop.core.store.ingest import IngestItem, body_hash
from wabot_desktop.core.store.writer import IngestWriter
from wabot_desktop.core.whatsapp.parser import WebhookBodyError, decode_body, parse_webhook
from wabot_desktop.core.whatsapp.signature import SignatureCheck, verify_signature

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 3 * 1024 * 1024
# Bodies this large are decoded and parsed off the loop so the GUI never stalls on them.
_OFFLOAD_BYTES = 128 * 1024


@dataclass(slots=True)
class WebhookCredentials:
    """What the webhook needs to accept deliveries; mutable so the wizard can change it live."""

    app_secret: str
    verify_token: str
    phone_number_id: str | None


HealthProvider = Callable[[], Awaitable[HealthSnapshot]]


class WebhookServer:
    """Owns the aiohttp application and its site on host:port."""

    def __init__(
        self,
        *,
        writer: IngestWriter,
        credentials: WebhookCredentials,
        health: HealthProvider,
        metrics: Metrics,
    ) -> None:
        self._writer = writer
        self.credentials = credentials
        self._health = health
        self._metrics = metrics
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.host: str | None = None
        # Optional extra routes (the simulator's sandbox mounts itself here).
        self.extra_routes: list[web.RouteDef] = []

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_get("/webhook", self._get_webhook)
        app.router.add_post("/webhook", self._post_webhook)
        app.router.add_get("/health", self._get_health)
        app.router.add_get("/metrics", self._get_metrics)
        app.router.add_routes(self.extra_routes)
        return app

    async def start(self, host: str, port: int) -> int:
        """Bind and serve; returns the bound port (useful with port 0)."""
        self._runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise PortInUseError(f"{host}:{port}") from exc
        server = site._server  # WORKAROUND: aiohttp exposes no public accessor for the bound port
        assert isinstance(server, asyncio.base_events.Server)
        self.port = int(server.sockets[0].getsockname()[1])
        self.host = host
        logger.info("webhook server listening on %s:%d", host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _get_webhook(self, request: web.Request) -> web.Response:
        mode = request.query.get("hub.mode")
        token = request.query.get("hub.verify_token")
        challenge = request.query.get("hub.challenge")
        expected = self.credentials.verify_token
        if mode == "subscribe" and expected and token == expected and challenge is not None:
            logger.info("webhook verification handshake accepted")
            return web.Response(text=challenge, content_type="text/plain")
        logger.warning("webhook verification refused (wrong token or mode)")
        return web.Response(status=403, text="Forbidden")

    def _reject(self, status: int, reason: str, started: float) -> web.Response:
        self._metrics.webhooks_rejected.labels(reason=reason).inc()
        self._metrics.ack_latency.observe(time.perf_counter() - started)
        return web.Response(status=status, text=reason)

    async def _post_webhook(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return self._reject(413, "too_large", started)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._reject(413, "too_large", started)
        check = verify_signature(
            self.credentials.app_secret, body, request.headers.get("X-Hub-Signature-256")
        )
        if check is SignatureCheck.MISSING:
            logger.warning("unsigned webhook refused")
            return self._reject(401, "missing_signature", started)
        if check is not SignatureCheck.OK:
            logger.warning("webhook with a wrong signature refused (%s)", body_hash(body))
            return self._reject(403, "bad_signature", started)
        pnid = self.credentials.phone_number_id
        try:
            if len(body) > _OFFLOAD_BYTES:
                parsed = await asyncio.get_running_loop().run_in_executor(
                    None, _decode_and_parse, body, pnid
                )
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
                outcome = await self._writer.submit(IngestItem(body, parsed, time.time()))
            except StorageError:
                return self._reject(503, "storage_error", started)
            if outcome.new_messages:
                self._metrics.messages_in.inc(len(outcome.new_messages))
        self._metrics.webhooks_received.inc()
        self._metrics.ack_latency.observe(time.perf_counter() - started)
        return web.Response(text="OK")

    async def _get_health(self, _request: web.Request) -> web.Response:
        try:
            snapshot = await self._health()
        except Exception:
            logger.exception("health check failed")
            return web.json_response({"database": "error"}, status=500)
        data: dict[str, Any] = dataclasses.asdict(snapshot)
        status = 200 if snapshot.database == "ok" else 503
        return web.json_response(data, status=status, dumps=lambda d: json.dumps(d))

    async def _get_metrics(self, _request: web.Request) -> web.Response:
        response = web.Response(body=self._metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response


def _decode_and_parse(body: bytes, phone_number_id: str | None) -> Any:
    return parse_webhook(decode_body(body), phone_number_id=phone_number_id)
