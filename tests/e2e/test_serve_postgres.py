"""``serve`` on a shop's PostgreSQL (issue 16): --database-url / WABOT_DATABASE_URL, the
password from the URL or the keyring (here its WABOT_DATABASE_PASSWORD overlay), never shown."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.serve import FAST, ServeProcess, live_env, serve_args, wait_until
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import signature_headers, text_body
from tests.pg import PgCluster
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.settings import save_settings
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.dialect import parse_database_url

pytestmark = pytest.mark.slow


def seed_pg(url: str, **settings: Any) -> None:
    db = Database(Path("/nonexistent/wabot.db"), url=parse_database_url(url))
    try:
        db.migrate()
        db.session_run_sync(lambda s: save_settings(s, **settings))
    finally:
        db.close()


def pg_rows(url: str, sql: str) -> list[tuple[object, ...]]:
    db = Database(Path("/nonexistent/wabot.db"), url=parse_database_url(url))
    try:
        with db.engine.connect() as connection:
            return [tuple(r) for r in connection.exec_driver_sql(sql).all()]
    finally:
        db.close()


def test_serve_on_postgresql_with_the_password_from_the_keyring(
    tmp_path: Path, pg_cluster: PgCluster, pg_url: str, graph: FakeGraph, ollama: FakeOllama
) -> None:
    seed_pg(pg_url, **FAST)
    database = pg_url.rsplit("/", 1)[1]
    bare = pg_cluster.url(database, with_password=False)  # no password in the URL
    env = live_env(WABOT_DATABASE_URL=bare, WABOT_DATABASE_PASSWORD=pg_cluster.password)
    data = tmp_path / "data"
    server = ServeProcess(serve_args(data, graph.base_url, ollama.host), env).start()
    body = text_body("Hola, ¿tienen envíos?")
    with httpx.Client(timeout=10) as client:
        answer = client.post(server.url + "/webhook", content=body, headers=signature_headers(body))
    assert answer.status_code == 200
    graph.wait_for_sends_blocking(1, timeout=20)
    assert server.terminate() == 0
    output = "".join(server.output)
    assert "Traceback" not in output
    log = AppPaths.resolve(data).log_file.read_text(encoding="utf-8")
    assert "database: PostgreSQL" in log and "***" in log  # the URL, redacted
    for text in (output, log):
        assert pg_cluster.password not in text
    assert pg_rows(pg_url, "SELECT count(*) FROM messages WHERE direction='in'") == [(1,)]
    assert pg_rows(pg_url, "SELECT count(*) FROM outbox WHERE state='sent'") == [(1,)]
    assert not (data / "wabot.db").exists() or (data / "wabot.db").stat().st_size == 0


def test_wrong_password_is_one_line_without_the_password_and_exit_2(
    tmp_path: Path, pg_cluster: PgCluster, pg_url: str
) -> None:
    database = pg_url.rsplit("/", 1)[1]
    wrong = pg_cluster.url(database).replace(pg_cluster.password, "not-the-password-123")
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
            "--database-url",
            wrong,
        ],
        env=live_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "password authentication failed" in lines[0]
    assert "not-the-password-123" not in result.stderr + result.stdout
    assert "***" in lines[0]


def test_a_non_postgresql_url_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wabot_desktop", "serve", "--data-dir", str(tmp_path)]
        + ["--port", "0", "--no-tunnel", "--database-url", "mysql://u:secretpw@h/db"],
        env=live_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "only PostgreSQL" in result.stderr and "secretpw" not in result.stderr


# --- several instances on one database ------------------------------------------------------


def _last_customer_text(request: dict[str, Any]) -> str:
    users = [m for m in request.get("messages", []) if m.get("role") == "user"]
    content = str(users[-1].get("content", "")) if users else ""
    return "eco: " + content.strip().splitlines()[-1] if content else "eco: ?"


def _two_instances(
    tmp_path: Path, pg_url: str, graph: FakeGraph, ollama: FakeOllama
) -> tuple[ServeProcess, ServeProcess]:
    env = live_env(WABOT_DATABASE_URL=pg_url)
    a = ServeProcess(serve_args(tmp_path / "a", graph.base_url, ollama.host), env).start()
    try:
        b = ServeProcess(serve_args(tmp_path / "b", graph.base_url, ollama.host), env).start()
    except BaseException:
        a.kill()
        raise
    return a, b


def _post(url: str, body: bytes) -> int:
    with httpx.Client(timeout=30) as client:
        return client.post(
            url + "/webhook", content=body, headers=signature_headers(body)
        ).status_code


def _settled(pg_url: str) -> bool:
    """Every customer message decided and every reply out."""
    pending = pg_rows(
        pg_url,
        "SELECT (SELECT count(*) FROM messages WHERE direction='in' AND NOT handled)"
        " + (SELECT count(*) FROM outbox WHERE state='queued')",
    )
    return pending == [(0,)]


def test_same_message_to_two_instances_is_stored_once_and_answered_once(
    tmp_path: Path, pg_url: str, graph: FakeGraph, ollama: FakeOllama
) -> None:
    seed_pg(pg_url, **FAST)
    a, b = _two_instances(tmp_path, pg_url, graph, ollama)
    try:
        body = text_body("Hola, ¿a qué hora abren?")
        with ThreadPoolExecutor(max_workers=2) as pool:
            codes = list(pool.map(lambda url: _post(url, body), [a.url, b.url]))
        assert codes == [200, 200]
        graph.wait_for_sends_blocking(1, timeout=30)
        wait_until(lambda: _settled(pg_url), timeout=30)
        assert pg_rows(pg_url, "SELECT count(*) FROM messages WHERE direction='in'") == [(1,)]
        assert len(graph.sent_messages) == 1
    finally:
        assert a.terminate() == 0 and b.terminate() == 0


def test_200_messages_from_50_customers_over_two_instances_answered_once_in_order(
    tmp_path: Path, pg_url: str, graph: FakeGraph
) -> None:
    seed_pg(pg_url, **FAST)
    with FakeOllama.in_thread(reply=_last_customer_text) as ollama:
        a, b = _two_instances(tmp_path, pg_url, graph, ollama)
        try:
            customers = [f"5215550{i:04d}" for i in range(50)]

            def one_customer(index: int) -> list[int]:
                wa_id = customers[index]
                codes = []
                for n in range(4):  # each customer's messages alternate between the instances
                    server = (a, b)[(index + n) % 2]
                    codes.append(_post(server.url, text_body(f"{wa_id} m{n}", wa_id=wa_id)))
                return codes

            with ThreadPoolExecutor(max_workers=16) as pool:
                codes = [c for cs in pool.map(one_customer, range(50)) for c in cs]
            assert codes == [200] * 200
            wait_until(lambda: _settled(pg_url), timeout=180)
        finally:
            assert a.terminate() == 0 and b.terminate() == 0
    assert pg_rows(pg_url, "SELECT count(*) FROM messages WHERE direction='in'") == [(200,)]
    for profile in ("a", "b"):  # no turn failed (a failed turn hands the chat to a person)
        log = AppPaths.resolve(tmp_path / profile).log_file.read_text(encoding="utf-8")
        assert " ERROR " not in log, log[-3000:]
    replies: dict[str, list[int]] = {}
    for sent in graph.sent_messages:
        text = str(sent.get("text", {}).get("body", ""))
        if text.startswith("eco:"):
            replies.setdefault(str(sent["to"]).lstrip("+"), []).append(int(text.rsplit("m", 1)[1]))
    assert set(replies) == set(customers)  # every customer answered
    for wa_id, answered in replies.items():
        # Each reply answers the newest message of its turn: strictly increasing = in order and
        # no message answered twice (a burst merged into one turn answers its last message).
        assert answered == sorted(set(answered)), (wa_id, answered)
        assert answered[-1] == 3, (wa_id, answered)


def test_kill_9_mid_turn_the_other_instance_finishes_and_nothing_is_sent_twice(
    tmp_path: Path, pg_url: str, graph: FakeGraph
) -> None:
    seed_pg(pg_url, **FAST)
    with FakeOllama.in_thread(reply="Con gusto le ayudo.", initial_delay=2.0) as ollama:
        a, b = _two_instances(tmp_path, pg_url, graph, ollama)
        try:
            assert _post(a.url, text_body("¿Tienen la talla M?")) == 200
            wait_until(lambda: ollama.in_flight >= 1, timeout=20)  # A is mid-turn (generating)
            started = time.monotonic()
            a.kill()
            graph.wait_for_sends_blocking(1, timeout=30)
            took = time.monotonic() - started
            wait_until(lambda: _settled(pg_url), timeout=30)
        finally:
            if a.proc is not None and a.proc.poll() is None:
                a.kill()
            assert b.terminate() == 0
    # Recovery sweep (2 s) + the model's 2 s + the send: well inside the lease timeout.
    assert took < 20
    assert len(graph.sent_messages) == 1
    assert pg_rows(pg_url, "SELECT count(*) FROM outbox WHERE state='sent'") == [(1,)]
