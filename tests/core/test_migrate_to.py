"""``migrate-to``: a shop's SQLite history copied into an empty PostgreSQL (issue 16)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import post, running_core, status_body, text_body
from tests.pg import PgCluster
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.settings import load_settings
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.dialect import parse_database_url
from wabot_desktop.core.store.ingest import IngestItem, now
from wabot_desktop.core.store.models import Base, Message
from wabot_desktop.core.store.writer import Deferral, IngestWriter
from wabot_desktop.core.whatsapp.parser import decode_body, parse_webhook

pytestmark = pytest.mark.asyncio


def _migrate_to(data: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WABOT_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run(
        [sys.executable, "-m", "wabot_desktop", "migrate-to", "--data-dir", str(data)]
        + ["--database-url", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _new_profile(tmp_path: Path) -> tuple[Path, Database]:
    """A data folder with a migrated, empty SQLite database (open: close it)."""
    data = tmp_path / "data"
    db = Database(AppPaths.resolve(data).ensure().db_path)
    db.migrate()
    return data, db


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            t.name: int(connection.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


async def test_sqlite_history_is_copied_whole_and_verified(
    tmp_path: Path,
    pg_cluster: PgCluster,
    pg_url: str,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
) -> None:
    # The SQLite fixture: a shop that talked with three customers (replies sent, statuses in).
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        for n in range(3):
            body = text_body(f"Hola número {n}", wa_id=f"52155512340{n}", name=f"Cliente {n}")
            assert (await post(client, core.server_url, body)).status_code == 200
        await graph.wait_for_sends(3)
        for wamid in graph.sent_wamids:
            assert (
                await post(client, core.server_url, status_body(wamid, "delivered"))
            ).status_code == 200
    data = tmp_path / "data"
    source = Database(AppPaths.resolve(data).db_path)
    before = _counts(source)
    texts = source.session_run_sync(
        lambda s: sorted(str(t) for t in s.scalars(select(Message.text)))
    )
    settings = source.session_run_sync(load_settings)
    source.close()
    assert before["messages"] == 6 and before["message_statuses"] >= 3

    result = _migrate_to(data, pg_url)
    assert result.returncode == 0, result.stderr
    assert "6 messages" in result.stdout and pg_cluster.password not in result.stdout

    target = Database(tmp_path / "unused.db", url=parse_database_url(pg_url))
    try:
        assert _counts(target) == before
        copied = target.session_run_sync(
            lambda s: sorted(str(t) for t in s.scalars(select(Message.text)))
        )
        assert copied == texts
        assert target.session_run_sync(load_settings) == settings
        # New rows continue after the copied ids (the sequences were moved on).
        from wabot_desktop.core.store.ingest import IngestItem, apply_batch, now
        from wabot_desktop.core.whatsapp.parser import decode_body, parse_webhook

        body = text_body("Después de migrar", wa_id="521555123409")
        outcomes = target.session_run_sync(
            apply_batch,
            [IngestItem(body, parse_webhook(decode_body(body), phone_number_id=None), now())],
        )
        assert outcomes[0].error is None and outcomes[0].new_messages
    finally:
        target.close()

    again = _migrate_to(data, pg_url)  # the target is no longer empty: nothing is copied
    assert again.returncode == 1 and "nothing copied" in again.stderr


async def test_webhooks_acknowledged_but_not_parsed_are_parsed_before_the_copy(
    tmp_path: Path, pg_cluster: PgCluster, pg_url: str
) -> None:
    # A profile left by a crash: two bodies acknowledged as a burst, never parsed.
    data, source = _new_profile(tmp_path)
    writer = IngestWriter(source, deferral=Deferral(quiet_s=3600.0, flood_every_s=3600.0))
    runner = asyncio.create_task(writer.run())
    bodies = [
        text_body("Hola, ¿tienen envíos?", wa_id="521555123401"),
        text_body("¿Y a Monterrey?", wa_id="521555123402"),
    ]
    items = [
        IngestItem(b, parse_webhook(decode_body(b), phone_number_id=None), now()) for b in bodies
    ]
    outcomes = await asyncio.gather(*(writer.submit(i) for i in items))
    runner.cancel()
    assert all(o.deferred for o in outcomes)
    assert _counts(source)["pending_webhooks"] == 2 and _counts(source)["messages"] == 0
    source.close()

    result = _migrate_to(data, pg_url)
    assert result.returncode == 0, result.stderr
    assert "2 messages" in result.stdout
    target = Database(tmp_path / "unused.db", url=parse_database_url(pg_url))
    try:
        counts = _counts(target)
        assert counts["pending_webhooks"] == 0 and counts["messages"] == 2
        assert counts["raw_events"] == 2
        texts = target.session_run_sync(
            lambda s: sorted(str(t) for t in s.scalars(select(Message.text)))
        )
        assert texts == ["Hola, ¿tienen envíos?", "¿Y a Monterrey?"]
    finally:
        target.close()


async def test_a_wrong_password_says_so_without_showing_it(
    tmp_path: Path, pg_cluster: PgCluster, pg_url: str
) -> None:
    data, db = _new_profile(tmp_path)
    db.close()
    wrong = pg_url.replace(pg_cluster.password, "wrong-pass-77")
    result = _migrate_to(data, wrong)
    assert result.returncode == 2
    assert "password authentication failed" in result.stderr
    assert "wrong-pass-77" not in result.stderr + result.stdout
