"""``serve`` on a shop's PostgreSQL (issue 16): --database-url / WABOT_DATABASE_URL, the
password from the URL or the keyring (here its WABOT_DATABASE_PASSWORD overlay), never shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.serve import FAST, ServeProcess, live_env, serve_args
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
