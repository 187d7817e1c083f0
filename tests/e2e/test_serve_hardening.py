"""Issue 9 through ``serve`` as a real process: kill -9 while sending, stalled uploads, SIGHUP."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.e2e.serve import (
    FAST,
    ServeProcess,
    live_env,
    rows,
    seed_settings,
    serve_args,
    settled,
    wait_until,
)
from tests.fakes.graph import FakeGraph, status_webhook
from tests.fakes.ollama import FakeOllama
from tests.helpers import ACCESS_TOKEN, signature_headers, text_body
from wabot_desktop.core.paths import AppPaths

pytestmark = pytest.mark.slow

CUSTOMERS = [f"1555555{n:04d}" for n in range(10)]


def signed_post(client: httpx.Client, url: str, body: bytes) -> int:
    return client.post(url + "/webhook", content=body, headers=signature_headers(body)).status_code


def test_kill_9_while_replies_are_on_the_wire_then_restart_sends_none_twice(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    data = tmp_path / "data"
    seed_settings(data, **{**FAST, "in_doubt_wait_s": 15.0})
    args = serve_args(data, graph.base_url, ollama.host)
    graph.set_delay(5.0)  # Meta is slow to answer: the crash comes while it holds the sends
    first = ServeProcess(args, live_env()).start()
    with httpx.Client(timeout=10) as client:
        for wa_id in CUSTOMERS:
            assert signed_post(client, first.url, text_body("Hola", wa_id=wa_id)) == 200
    arrived = graph.wait_for_send_requests_blocking(len(CUSTOMERS), timeout=30)
    first.kill()
    in_doubt = rows(data, "SELECT count(*) FROM outbox WHERE send_started_at IS NOT NULL")
    assert in_doubt[0][0] == len(CUSTOMERS)
    graph.set_delay(0.0)
    graph.reset()
    second = ServeProcess(args, live_env()).start()
    try:
        # Meta re-delivers the status webhooks it could not deliver while we were down.
        with httpx.Client(timeout=10) as client:
            for n, payload in enumerate(arrived):
                body = status_webhook(payload, f"wamid.META{n}", "sent")
                assert signed_post(client, second.url, body) == 200
        wait_until(
            lambda: rows(data, "SELECT count(*) FROM outbox WHERE state='queued'")[0][0] == 0
        )
    finally:
        assert second.terminate() == 0
    assert graph.send_requests == []  # nothing sent a second time
    decisions = rows(data, "SELECT in_doubt_decision, count(*) FROM outbox GROUP BY 1")
    assert decisions == [("confirmed_by_status", len(CUSTOMERS))]
    assert "Traceback" not in "".join(second.output)


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


async def _stalled_uploads(
    port: int, count: int, size: int
) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    chunk = b" " * (size - 1)
    connections = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            (
                "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"X-Hub-Signature-256: sha256={'0' * 64}\r\nContent-Length: {size}\r\n\r\n"
            ).encode()
        )
        writer.write(chunk)  # all but the last byte, then silence
        connections.append((reader, writer))
    return connections


def test_stalled_uploads_before_authentication_do_not_exhaust_memory(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    data = tmp_path / "data"
    # A long body timeout: the uploads stay stalled for as long as the test holds them.
    seed_settings(data, **{**FAST, "http_body_timeout_s": 60.0})
    server = ServeProcess(serve_args(data, graph.base_url, ollama.host), live_env()).start()
    assert server.proc is not None
    pid = server.proc.pid
    port = int(server.url.rsplit(":", 1)[1])
    count, size, buffered = 100, 3 * 1024 * 1024 - 16, 16
    try:
        with httpx.Client(timeout=10) as client:
            assert client.get(server.url + "/health").status_code == 200
        baseline = _rss_kb(pid)

        async def attack() -> tuple[int, list[bytes]]:
            connections = await _stalled_uploads(port, count, size)
            reads = [asyncio.create_task(reader.readline()) for reader, _ in connections]
            # Hold all 100 until every one the server did not buffer has been answered.
            deadline = time.monotonic() + 60
            while sum(t.done() for t in reads) < count - buffered:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            held = _rss_kb(pid) - baseline
            answers = [t.result() for t in reads if t.done() and not t.exception()]
            for task in reads:
                task.cancel()
            for _, writer in connections:
                writer.transport.abort()  # then reset, as the probe did
            await asyncio.gather(*reads, return_exceptions=True)
            return held, answers

        held, answers = asyncio.run(attack())
        assert sum(a.startswith(b"HTTP/1.1 503") for a in answers) >= count - buffered
        # 100 x 3 MB would be ~300 MB; at most 16 bodies are buffered at once.
        assert held < 150_000, f"RSS grew by {held} kB while the uploads were held"
        # ...and it is given back once they are gone (no cyclic GC needed).
        wait_until(lambda: _rss_kb(pid) - baseline < 60_000, timeout=30)
        with httpx.Client(timeout=10) as client:
            assert signed_post(client, server.url, text_body("hola")) == 200
    finally:
        assert server.terminate() == 0
    assert "Traceback" not in "".join(server.output)


def test_sighup_rechecks_a_rejected_token_and_resumes_the_queue_once(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    data = tmp_path / "data"
    seed_settings(data, **{**FAST, "token_recheck_s": 3600.0})
    graph.expected_token = "the-token-meta-accepts"  # our token is rejected (190)
    server = ServeProcess(serve_args(data, graph.base_url, ollama.host), live_env()).start()
    assert server.proc is not None
    try:
        with httpx.Client(timeout=10) as client:
            assert signed_post(client, server.url, text_body("Hola, siguen abiertos?")) == 200

            def blocked() -> bool:
                health = client.get(server.url + "/health").json()
                return health["graph"] == "blocked"

            wait_until(blocked)
            # Meta accepts our token again (the owner fixed it in Business Manager).
            graph.expected_token = ACCESS_TOKEN
            server.proc.send_signal(signal.SIGHUP)
            graph.wait_for_sends_blocking(1, timeout=20)
            wait_until(lambda: client.get(server.url + "/health").json()["graph"] != "blocked")
            server.proc.send_signal(signal.SIGHUP)  # a second reload sends nothing again
            log = AppPaths.resolve(data).log_file
            wait_until(
                lambda: log.read_text(encoding="utf-8").count("reloading credentials") == 2,
                what="the second reload",
            )
            wait_until(lambda: settled(data), what="nothing queued")
    finally:
        assert server.terminate() == 0
    assert Counter(m.get("type") for m in graph.sent_messages) == Counter({"text": 1})
