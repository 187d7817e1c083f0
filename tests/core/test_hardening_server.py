"""Issue 9 (2, 3, 7-11): the webhook server against hostile clients, and what it tells/logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from tests import helpers
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import (
    VERIFY_TOKEN,
    message_body,
    new_wamid,
    post,
    running_core,
    text_body,
)
from wabot_desktop.core.errors import MissingCredentialsError
from wabot_desktop.core.logs import close_logging, setup_logging
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import Core, CoreConfig
from wabot_desktop.core.secrets import SecretKey
from wabot_desktop.core.store.models import Message

pytestmark = pytest.mark.asyncio


def port_of(core: Core) -> int:
    assert core.server is not None and core.server.port is not None
    return core.server.port


async def stalled_upload(port: int, size: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A webhook POST that announces ``size`` bytes, sends all but the last one, and waits."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"X-Hub-Signature-256: sha256={'0' * 64}\r\nContent-Length: {size}\r\n\r\n"
        ).encode()
    )
    writer.write(b" " * (size - 1))
    await writer.drain()
    return reader, writer


async def read_status(reader: asyncio.StreamReader, timeout: float = 10.0) -> int:
    line = await asyncio.wait_for(reader.readline(), timeout)
    return int(line.split()[1]) if line else 0


# -- 2: bodies before authentication ---------------------------------------------------------


async def test_buffered_bodies_are_capped_and_stalled_ones_time_out(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(
        tmp_path,
        graph_url=graph.base_url,
        ollama_url=ollama.host,
        http_max_buffered_bodies=4,
        http_body_timeout_s=1.0,
    ) as core:
        port = port_of(core)
        uploads = [await stalled_upload(port, 256 * 1024) for _ in range(12)]
        try:
            statuses = await asyncio.gather(*(read_status(r) for r, _ in uploads))
        finally:
            for _, writer in uploads:
                writer.close()
        # Four buffered (then cut by the read timeout), the rest refused at once.
        assert sorted(statuses) == [408] * 4 + [503] * 8
        # A real webhook is stored as soon as a slot is free again.
        assert (await post(client, core.server_url, text_body("hola"))).status_code == 200


# -- 3: connections never time out ------------------------------------------------------------


async def test_idle_and_slowloris_connections_are_closed_and_webhooks_still_answered(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    async with running_core(
        tmp_path,
        graph_url=graph.base_url,
        ollama_url=ollama.host,
        http_keepalive_s=0.5,
        http_max_connections=150,
    ) as core:
        port = port_of(core)
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(200)]
        slow = [await asyncio.open_connection("127.0.0.1", port) for _ in range(50)]
        for _, writer in slow:
            writer.write(b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # ...and never more
        try:
            # Every held connection is closed by the server (idle ones and slow headers).
            async def closed(reader: asyncio.StreamReader) -> bool:
                with contextlib.suppress(ConnectionError):
                    await asyncio.wait_for(reader.read(), 10.0)
                return True

            assert all(await asyncio.gather(*(closed(r) for r, _ in idle + slow)))
            async with httpx.AsyncClient(timeout=5.0) as fresh:
                response = await post(fresh, core.server_url, text_body("sigo aqui"))
                assert response.status_code == 200
                health = await fresh.get(core.server_url + "/health")
                assert health.status_code == 200
        finally:
            for _, writer in idle + slow:
                writer.close()


async def test_keep_alive_connection_is_closed_after_the_idle_timeout(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, http_keepalive_s=0.3
    ) as core:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(core))
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert await read_status(reader) == 200
        started = time.monotonic()
        with contextlib.suppress(ConnectionError):
            await asyncio.wait_for(reader.read(), 10.0)  # EOF: the server hung up
        assert time.monotonic() - started < 5.0
        writer.close()


# -- 7: /health and failing writes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pragma", "words"),
    [("max_page_count", "disk full"), ("query_only", "read-only")],
)
async def test_health_reports_failing_writes_in_words(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    pragma: str,
    words: str,
) -> None:
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        assert core.db is not None
        assert (await client.get(core.server_url + "/health")).json()["database"] == "ok"

        def break_writes(session) -> None:  # type: ignore[no-untyped-def]
            connection = session.connection()
            if pragma == "max_page_count":
                pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
                connection.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
            else:
                connection.exec_driver_sql("PRAGMA query_only = ON")

        await core.db.session_run(break_writes)
        big = "x" * 20_000  # more than the pages left
        body = message_body(
            [
                {
                    "from": "15555550101",
                    "id": new_wamid(),
                    "timestamp": "1",
                    "type": "text",
                    "text": {"body": big},
                }
            ]
        )
        assert (await post(client, core.server_url, body)).status_code == 503
        health = await client.get(core.server_url + "/health")
        assert health.status_code == 503
        assert health.json()["database"] == "error"
        assert health.json()["database_error"] == words

        def repair(session) -> None:  # type: ignore[no-untyped-def]
            connection = session.connection()
            connection.exec_driver_sql("PRAGMA query_only = OFF")
            connection.exec_driver_sql("PRAGMA max_page_count = 1073741823")

        await core.db.session_run(repair)
        assert (await post(client, core.server_url, body)).status_code == 200
        assert (await client.get(core.server_url + "/health")).json()["database"] == "ok"


# -- 8: logs --------------------------------------------------------------------------------


async def test_aiohttp_logs_are_masked_in_the_file_and_repeats_are_rate_limited(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    capfd: pytest.CaptureFixture[str],
) -> None:
    log_file = tmp_path / "logs" / "wabot.log"
    setup_logging(log_file)
    try:
        async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
            secret = "s3cr3t-verify-token"
            refused = await client.get(
                core.server_url + "/webhook",
                params={"hub.mode": "subscribe", "hub.verify_token": secret, "hub.challenge": "1"},
            )
            assert refused.status_code == 403
            # What aiohttp logs on a broken request carries the raw request line.
            logging.getLogger("aiohttp.server").error(
                "Error handling request from 127.0.0.1: GET /webhook?hub.verify_token=%s", secret
            )
            for _ in range(30):
                response = await post(client, core.server_url, text_body("x"), signed=False)
                assert response.status_code == 401
                bad = await client.post(
                    core.server_url + "/webhook",
                    content=b"{}",
                    headers={"X-Hub-Signature-256": "sha256=" + "0" * 64},
                )
                assert bad.status_code == 403
    finally:
        close_logging()
    logged = log_file.read_text(encoding="utf-8")
    captured = capfd.readouterr()
    assert secret not in logged and secret not in captured.err
    assert "hub.verify_token=[redacted]" in logged  # it went to the masked file...
    assert "Error handling request" not in captured.err  # ...and not to stderr
    assert logged.count("unsigned webhook refused") == 1
    assert logged.count("wrong signature refused") == 1


# -- 9: simulator control routes --------------------------------------------------------------


async def test_simulator_routes_refuse_cross_site_and_rebinding_requests(
    tmp_path: Path, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(
        tmp_path, graph_url="http://unused", ollama_url=ollama.host, simulator=True
    ) as core:
        url = core.server_url + "/simulator/send"
        payload = b'{"name": "Ana", "text": "hola"}'
        plain = await client.post(url, content=payload, headers={"Content-Type": "text/plain"})
        assert plain.status_code == 415
        foreign = await client.post(
            url,
            content=payload,
            headers={"Content-Type": "application/json", "Origin": "http://evil.example"},
        )
        assert foreign.status_code == 403
        rebound = await client.post(
            url,
            content=payload,
            headers={"Content-Type": "application/json", "Host": f"evil.example:{port_of(core)}"},
        )
        assert rebound.status_code == 403
        rebound_get = await client.get(
            core.server_url + "/simulator/customers", headers={"Host": "evil.example"}
        )
        assert rebound_get.status_code == 403
        ok = await client.post(
            url,
            content=payload,
            headers={"Content-Type": "application/json", "Origin": core.server_url},
        )
        assert ok.status_code == 200


# -- 10: media file names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mime", "suffix"),
    [
        ("image/../../../../escaped.sh", ""),
        ("image/..\\..\\..\\Startup\\evil.bat", ""),
        ("image/jpeg", ".jpg"),
        ("audio/ogg; codecs=opus", ".ogg"),
    ],
)
async def test_media_extension_comes_from_an_allow_list(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    mime: str,
    suffix: str,
) -> None:
    media_id = graph.add_media(b"\xff\xd8\xff fake image", mime)
    message = {
        "from": "15555550101",
        "id": new_wamid(),
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {"mime_type": mime, "sha256": "", "id": media_id},
    }
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        assert (await post(client, core.server_url, message_body([message]))).status_code == 200
        assert core.db is not None
        message_id = core.db.session_run_sync(
            lambda s: s.scalar(select(Message.id).where(Message.type == "image"))
        )
        path = await core.service.download_media(message_id)
        media_dir = core.paths.media_dir.resolve()
        assert media_dir in path.resolve().parents
        assert path.suffix == suffix
        assert path.name == f"{message_id}-media-{message_id}{suffix}"
    assert not list(tmp_path.rglob("escaped.sh"))


# -- 11: smaller ------------------------------------------------------------------------------


async def test_challenge_echo_is_not_sniffable(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN}
        echo = await client.get(
            core.server_url + "/webhook", params={**params, "hub.challenge": "<script>x</script>"}
        )
        assert echo.status_code == 200
        assert echo.headers["X-Content-Type-Options"] == "nosniff"
        assert echo.headers["Content-Type"].startswith("text/plain")
        wrong = await client.get(
            core.server_url + "/webhook",
            params={**params, "hub.verify_token": "ñandú", "hub.challenge": "1"},
        )
        assert wrong.status_code == 403


async def test_blank_app_secret_is_refused_at_start(tmp_path: Path, ollama: FakeOllama) -> None:
    secrets = helpers.test_secrets()
    secrets.set(SecretKey.APP_SECRET, "   ")
    core = Core(
        CoreConfig(
            paths=AppPaths.resolve(tmp_path / "data"),
            port=0,
            graph_url="http://127.0.0.1:9",
            ollama_url=ollama.host,
            tunnel=False,
            secrets=secrets,
        )
    )
    with pytest.raises(MissingCredentialsError) as info:
        await core.start()
    assert info.value.missing == ["app_secret"]
    assert core.db is None


@contextlib.asynccontextmanager
async def tunnelled(core: Core) -> AsyncIterator[None]:
    assert core.server is not None
    before = core.server.behind_tunnel
    core.server.behind_tunnel = lambda: True
    try:
        yield
    finally:
        core.server.behind_tunnel = before


async def test_health_and_metrics_are_loopback_only_while_a_tunnel_is_open(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        async with tunnelled(core):
            for path in ("/health", "/metrics"):
                # What the ngrok agent relays: from 127.0.0.1, but forwarded and a public Host.
                relayed = await client.get(
                    core.server_url + path,
                    headers={"Host": "shop.ngrok.app", "X-Forwarded-For": "203.0.113.7"},
                )
                assert relayed.status_code == 404, path
                public_host = await client.get(
                    core.server_url + path, headers={"Host": "shop.ngrok.app"}
                )
                assert public_host.status_code == 404, path
                direct = await client.get(core.server_url + path)
                assert direct.status_code == 200, path
            # The webhook itself is what the tunnel is for.
            webhook = await post(client, core.server_url, text_body("hola"))
            assert webhook.status_code == 200
        assert core.db is not None
        core.db.session_run_sync(lambda s: s.execute(text("SELECT 1")))
