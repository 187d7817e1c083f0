"""``serve`` as a real process: the headless contract other tools rely on."""

from __future__ import annotations

import subprocess
import sys
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
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import WEBHOOKS_DIR, payload_bytes, signature_headers, text_body

pytestmark = pytest.mark.slow


def test_missing_credentials_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = live_env()
    for name in ("WABOT_ACCESS_TOKEN", "WABOT_APP_SECRET"):
        env.pop(name)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wabot_desktop",
            "serve",
            "--data-dir",
            str(tmp_path),
            "--port",
            "0",
            "--no-tunnel",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert (
        "access_token (WABOT_ACCESS_TOKEN)" in lines[0]
        and "app_secret (WABOT_APP_SECRET)" in lines[0]
    )


def test_every_payload_through_serve_then_sigterm(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    data = tmp_path / "data"
    seed_settings(data, **FAST)
    server = ServeProcess(serve_args(data, graph.base_url, ollama.host), live_env()).start()
    statuses: dict[str, int] = {}
    with httpx.Client(timeout=10) as client:
        for path in sorted(WEBHOOKS_DIR.glob("*.json")):
            body = path.read_bytes()
            assert client.post(server.url + "/webhook", content=body).status_code == 401
            bad = {"X-Hub-Signature-256": "sha256=" + "ab" * 32}
            assert (
                client.post(server.url + "/webhook", content=body, headers=bad).status_code == 403
            )
            statuses[path.name] = client.post(
                server.url + "/webhook", content=body, headers=signature_headers(body)
            ).status_code
        health = client.get(server.url + "/health").json()
        metrics = client.get(server.url + "/metrics").text
    assert {k for k, v in statuses.items() if v == 400} == {
        "bad_truncated_json.json",
        "bad_invalid_utf8_bytes.json",
        "bad_empty_body.json",
    }
    assert all(v in (200, 400) for v in statuses.values())
    assert health["database"] == "ok" and health["tunnel"] == "disabled"
    assert (
        "wabot_webhooks_rejected_total" in metrics and "wabot_webhook_ack_seconds_bucket" in metrics
    )
    graph.wait_for_sends_blocking(5, timeout=20)
    assert server.terminate() == 0  # SIGTERM: graceful
    assert "Traceback" not in "".join(server.output)
    sent_to = {m.get("to") for m in graph.sent_messages}
    assert sent_to <= {"+15555550101", "+15555550102"}
    inbound = rows(data, "SELECT count(*) FROM messages WHERE direction='in'")[0][0]
    assert isinstance(inbound, int) and inbound >= 30


def test_kill_9_after_ack_then_restart_replies_exactly_once(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    """The 200 means stored: a crash before the reply loses nothing and duplicates nothing."""
    data = tmp_path / "data"
    # A long debounce keeps the reply from being produced before we kill the process.
    seed_settings(data, **{**FAST, "debounce_quiet_s": 30.0, "debounce_max_s": 60.0})
    args = serve_args(data, graph.base_url, ollama.host)
    first = ServeProcess(args, live_env()).start()
    body = text_body("Hola, ¿hacen envíos a Puebla?")
    with httpx.Client(timeout=10) as client:
        assert (
            client.post(
                first.url + "/webhook", content=body, headers=signature_headers(body)
            ).status_code
            == 200
        )
    first.kill()  # SIGKILL right after the acknowledgement
    assert graph.sent_messages == []
    assert rows(data, "SELECT count(*) FROM messages WHERE direction='in' AND handled=0")[0][0] == 1

    seed_settings(data, debounce_quiet_s=0.0, debounce_max_s=0.0)
    second = ServeProcess(args, live_env()).start()
    graph.wait_for_sends_blocking(1, timeout=15)
    # Meta re-delivers the same webhook after the outage: still one reply.
    with httpx.Client(timeout=10) as client:
        assert (
            client.post(
                second.url + "/webhook", content=body, headers=signature_headers(body)
            ).status_code
            == 200
        )
    wait_until(lambda: settled(data), what="the re-delivery to be settled")
    assert second.terminate() == 0
    assert len(graph.sent_messages) == 1
    assert rows(data, "SELECT count(*) FROM messages WHERE direction='in'")[0][0] == 1


def test_kill_9_between_the_ack_and_the_parse_then_restart_parses_and_replies_once(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    """A burst is acknowledged as bodies and parsed just after (issue 17): a crash in between
    loses nothing; the next start parses the bodies and the bot answers each customer once."""
    data = tmp_path / "data"
    seed_settings(data, **FAST)
    args = serve_args(data, graph.base_url, ollama.host)
    # Every body waits for its parse, and the parse waits for 10 minutes of quiet: the kill
    # is certain to land between the two.
    hold = {**live_env(), "WABOT_INGEST_DEFER": "always", "WABOT_INGEST_PARSE_AFTER_MS": "600000"}
    first = ServeProcess(args, hold).start()
    bodies = [
        text_body("Hola, ¿tienen empanadas de carne?", wa_id="5215511110001", name="Ana"),
        text_body("Buenas, ¿abren el domingo?", wa_id="5215511110002", name="Beto"),
    ]
    with httpx.Client(timeout=10) as client:
        for body in bodies:
            response = client.post(
                first.url + "/webhook", content=body, headers=signature_headers(body)
            )
            assert response.status_code == 200
    # Acknowledged and durable, not parsed: the bodies alone are on disk.
    assert rows(data, "SELECT count(*) FROM pending_webhooks")[0][0] == 2
    assert rows(data, "SELECT count(*) FROM messages")[0][0] == 0
    first.kill()
    assert graph.sent_messages == []

    second = ServeProcess(args, live_env()).start()
    graph.wait_for_sends_blocking(2, timeout=20)
    wait_until(lambda: settled(data), what="both conversations to be settled")
    # Meta re-delivers one of them after the outage: still one reply each.
    with httpx.Client(timeout=10) as client:
        response = client.post(
            second.url + "/webhook", content=bodies[0], headers=signature_headers(bodies[0])
        )
        assert response.status_code == 200
    wait_until(lambda: settled(data), what="the re-delivery to be settled")
    assert second.terminate() == 0
    assert sorted(m.get("to") for m in graph.sent_messages) == ["+5215511110001", "+5215511110002"]
    assert rows(data, "SELECT count(*) FROM messages WHERE direction='in'")[0][0] == 2
    assert rows(data, "SELECT count(*) FROM pending_webhooks")[0][0] == 0
    # Each body keeps its audit copy (the re-delivery too, as on the ack path).
    assert rows(data, "SELECT count(*) FROM raw_events")[0][0] == 3


def test_queued_replies_survive_a_crash_and_are_sent_on_restart(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    data = tmp_path / "data"
    seed_settings(data, **{**FAST, "retry_attempts_in_process": 1, "retry_max_s": 3600.0})
    args = serve_args(data, graph.base_url, ollama.host)
    # Graph is down (503s): the reply is decided and queued but cannot leave.
    graph.script_errors(
        "messages", [(503, {"error": {"code": 2, "message": "Service unavailable"}})] * 50
    )
    first = ServeProcess(args, live_env()).start()
    body = payload_bytes("text.json")
    with httpx.Client(timeout=10) as client:
        assert (
            client.post(
                first.url + "/webhook", content=body, headers=signature_headers(body)
            ).status_code
            == 200
        )
    wait_until(
        lambda: (
            rows(data, "SELECT count(*) FROM outbox WHERE state='queued' AND attempts>=1")[0][0]
            == 1
        )
    )
    first.kill()
    graph.reset()  # Graph is back
    # Its next attempt was scheduled an hour out; a restart retries queued rows at once.
    second = ServeProcess(args, live_env()).start()
    graph.wait_for_sends_blocking(1, timeout=15)
    wait_until(lambda: settled(data), what="the outbox to be empty")
    assert second.terminate() == 0
    assert len(graph.sent_messages) == 1
    assert rows(data, "SELECT state FROM outbox") == [("sent",)]
