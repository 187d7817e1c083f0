"""Session: the one owner of the core, switching practice <-> live at run time (issue 10).

Real cores on 127.0.0.1, real SQLite files, the fake Graph API and the fake Ollama.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import FAST_SETTINGS, post, text_body
from tests.helpers import test_secrets as live_secrets
from wabot_desktop.core.backup import InvalidBackupError, create_backup
from wabot_desktop.core.errors import MissingCredentialsError
from wabot_desktop.core.knowledge.model import Facts
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import CoreConfig, simulator_paths
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.session import (
    Session,
    SessionChanged,
    SessionMode,
    SessionPhase,
)
from wabot_desktop.core.whatsapp.sandbox import StatusDelays

REPLY = "¡Hola! Abrimos de 9 a 19 h."


async def until(condition: Callable[[], bool], *, what: str, timeout: float = 20.0) -> None:
    """Wait for ``condition`` (checked every 20 ms) or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def _config(data_dir: Path, graph: FakeGraph, ollama: FakeOllama, **settings: object) -> CoreConfig:
    return CoreConfig(
        paths=AppPaths.resolve(data_dir),
        host="127.0.0.1",
        port=0,
        graph_url=graph.base_url,
        ollama_url=ollama.host,
        tunnel=False,
        settings_overrides={**FAST_SETTINGS, **settings},
        sandbox_delays=StatusDelays.instant(),
    )


def _inbound(db_path: Path) -> dict[str, int]:
    """wamid -> how many inbound rows carry it, read straight from the database file."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT wamid, count(*) FROM messages WHERE direction = 'in' GROUP BY wamid"
        ).fetchall()
    return {str(wamid): int(count) for wamid, count in rows}


def _unhandled(db_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM messages WHERE direction = 'in' AND handled = 0"
            ).fetchone()[0]
        )


@pytest.mark.asyncio
async def test_switching_modes_while_messages_arrive_loses_and_repeats_nothing(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    """Customers keep writing while the app goes live -> practice -> live -> practice -> live.

    Like Meta, the sender re-delivers every webhook until it gets a 200. In the end every
    acknowledged message is stored once and every customer got exactly one answer.
    """
    ollama.reply = REPLY
    session = Session(_config(tmp_path / "data", graph, ollama), live_secrets=live_secrets())
    assert await session.start() is SessionMode.LIVE
    total = 40
    customers = [f"1555700{i:04d}" for i in range(total)]
    acked: list[str] = []
    attempts = 0

    async def customers_write() -> None:
        nonlocal attempts
        async with httpx.AsyncClient(timeout=5.0) as http:
            for index, wa_id in enumerate(customers):
                wamid = f"wamid.SWITCH{index:04d}"
                body = text_body(f"Hola, soy el cliente {index}", wa_id=wa_id, wamid=wamid)
                while True:  # Meta re-delivers until it gets a 200
                    attempts += 1
                    core = session.core
                    if core is not None and not core.simulator and core.server is not None:
                        try:
                            response = await post(http, session.server_url, body)
                        except (httpx.HTTPError, RuntimeError, AssertionError):
                            response = None
                        if response is not None and response.status_code == 200:
                            acked.append(wamid)
                            break
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.005)

    writer = asyncio.create_task(customers_write())
    try:
        for _ in range(2):
            wanted = len(acked) + 6
            await until(lambda n=wanted: len(acked) >= n, what="messages acknowledged live")
            await session.switch_mode(SessionMode.PRACTICE)
            assert session.mode is SessionMode.PRACTICE
            tried = attempts + 5
            await until(lambda n=tried: attempts >= n, what="deliveries meeting practice mode")
            await session.switch_mode(SessionMode.LIVE)
            assert session.mode is SessionMode.LIVE
        await asyncio.wait_for(writer, 60)
        assert sorted(acked) == sorted(f"wamid.SWITCH{i:04d}" for i in range(total))
        assert attempts > total  # some deliveries did meet a stopped server and were retried

        core = session.core
        assert core is not None and core.engine is not None

        def answered() -> list[str]:
            return [m["to"].lstrip("+") for m in graph.sent_messages if m.get("type") == "text"]

        await until(lambda: len(set(answered())) == total, what="an answer to every customer")
        await until(
            lambda: (
                core.engine is not None
                and not core.engine.busy
                and _unhandled(core.paths.db_path) == 0
            ),
            what="the bot idle with nothing left to handle",
        )
    finally:
        writer.cancel()
        with contextlib.suppress(BaseException):
            await writer
        await session.stop()

    stored = _inbound(AppPaths.resolve(tmp_path / "data").db_path)
    assert sorted(stored) == sorted(acked) and set(stored.values()) == {1}
    replies = [m["to"].lstrip("+") for m in graph.sent_messages if m.get("type") == "text"]
    assert sorted(replies) == sorted(customers), "one answer per customer, none twice"
    assert all(m["text"]["body"] == REPLY for m in graph.sent_messages if m["type"] == "text")
    # Practice mode never reached the (fake) Graph API with a practice chat.
    practice_db = simulator_paths(AppPaths.resolve(tmp_path / "data")).db_path
    assert practice_db.exists() and _inbound(practice_db) == {}


@pytest.mark.asyncio
async def test_first_start_is_practice_and_credentials_from_the_wizard_allow_live(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    store = MemorySecretStore()
    session = Session(_config(tmp_path / "data", graph, ollama), live_secrets=store)
    changes: list[SessionChanged] = []
    session.subscribe(changes.append)
    assert await session.start() is SessionMode.PRACTICE
    try:
        assert session.practice and session.simulator is not None
        assert not session.live_available
        assert set(session.missing_live_credentials) >= {"access_token", "app_secret"}
        with pytest.raises(MissingCredentialsError):
            await session.switch_mode(SessionMode.LIVE)
        assert session.practice  # still practising

        # The wizard stores the credentials, then asks the session to re-read them.
        wizard = live_secrets()
        for key in SecretKey:
            value = wizard.get(key)
            if value:
                store.set(key, value)
        assert await session.reload_credentials() is True
        assert session.live_available and session.missing_live_credentials == ()
        assert changes[-1] == SessionChanged(
            phase=SessionPhase.CREDENTIALS, mode=SessionMode.PRACTICE, live_available=True
        )
        await session.switch_mode(SessionMode.LIVE)
        assert session.mode is SessionMode.LIVE and session.simulator is None
        phases = [c.phase for c in changes]
        assert phases == [
            SessionPhase.STARTED,
            SessionPhase.CREDENTIALS,
            SessionPhase.STOPPING,
            SessionPhase.STARTED,
        ]

        # A live core takes new credentials at once (here: a new phone number id).
        store.set(SecretKey.VERIFY_TOKEN, "a-new-verify-token")
        await session.reload_credentials()
        core = session.core
        assert core is not None and core.server is not None
        assert core.server.credentials.verify_token == "a-new-verify-token"
    finally:
        await session.stop()
    assert changes[-1].phase is SessionPhase.STOPPED and not session.running


@pytest.mark.asyncio
async def test_reset_practice_data_starts_a_fresh_practice_profile(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    session = Session(_config(tmp_path / "data", graph, ollama), live_secrets=MemorySecretStore())
    await session.start(SessionMode.PRACTICE)
    try:
        simulator = session.simulator
        assert simulator is not None
        customer = simulator.add_customer("Ana", "5215512345678")
        await simulator.send_text(customer, "¿Hacen envíos a domicilio?")
        await until(
            lambda: any(not m.from_customer for m in simulator.messages(customer)),
            what="the bot's answer on the phone",
        )
        await session.reset_practice_data()
        assert session.practice and session.simulator is not simulator
        fresh = session.simulator
        assert fresh is not None and fresh.customers() == []
        assert len(await session.service.list_conversations()) == 0
    finally:
        await session.stop()


@pytest.mark.asyncio
async def test_restore_replaces_the_running_profile_and_answers_with_the_restored_knowledge(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    ollama.reply = REPLY
    session = Session(_config(tmp_path / "data", graph, ollama), live_secrets=MemorySecretStore())
    await session.start(SessionMode.PRACTICE)
    try:
        service = session.service
        draft = await service.knowledge_draft()
        polo = draft.replace(facts=Facts(name="Heladería Polo", address="Calle del Sol 12"))
        await service.save_knowledge(polo, "la heladería")
        backup = tmp_path / "polo.zip"
        info = await session.create_backup(backup)
        assert info.path == backup.resolve() and backup.exists()
        other = draft.replace(facts=Facts(name="Ferretería Clavo", address="Av. Norte 1"))
        await service.save_knowledge(other, "otra tienda")

        with pytest.raises(InvalidBackupError):
            await session.restore_backup(tmp_path / "missing.zip")
        assert session.practice and (await session.service.knowledge_draft()).facts == other.facts

        restored = await session.restore_backup(backup)
        assert restored.revision == info.revision and session.practice
        assert (await session.service.knowledge_draft()).facts.name == "Heladería Polo"
        assert list((session.profile_dir() / "backups").glob("*restore*"))  # the old data kept

        # The restored shop's next customer gets an answer composed from the restored facts.
        simulator = session.simulator
        assert simulator is not None
        customer = simulator.add_customer("Beto", "5215500000001")
        asked = len(ollama.chat_requests)
        await simulator.send_text(customer, "¿Dónde están?")
        await until(
            lambda: any(not m.from_customer for m in simulator.messages(customer)),
            what="the restored bot's answer",
        )
        [system] = [
            request["messages"][0]["content"]
            for request in ollama.chat_requests[asked:]
            if any(m.get("content") == "¿Dónde están?" for m in request.get("messages", []))
        ]
        assert "Heladería Polo" in system and "Calle del Sol 12" in system
        assert "Ferretería Clavo" not in system
    finally:
        await session.stop()


def test_about_reads_the_package_metadata(tmp_path: Path) -> None:
    session = Session(CoreConfig(paths=AppPaths.resolve(tmp_path / "data")))
    about = session.about()
    from wabot_desktop import __version__

    assert about.version == __version__ and about.license == "MIT"
    assert about.log_dir == session.log_dir and about.data_dir == session.data_dir


def test_backup_of_a_profile_without_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        create_backup(AppPaths.resolve(tmp_path / "empty"), tmp_path / "x.zip")


def fail_upgrades_from_0001(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the schema upgrade of a revision-0001 database fail after it changed something."""
    from wabot_desktop.core.store import db as db_module

    def migrate(self: db_module.Database) -> None:
        def half_then_fail(engine: object) -> None:
            with self.engine.begin() as connection:
                connection.exec_driver_sql("DELETE FROM messages")
            raise RuntimeError("disk full in the middle of the upgrade")

        old = db_module.current_revision(self.path) == "0001"
        db_module.migrate_with_backup(
            self.engine,
            self.path,
            self.backups_dir,
            **({"upgrade": half_then_fail} if old else {}),
        )

    monkeypatch.setattr(db_module.Database, "migrate", migrate)


@pytest.mark.asyncio
async def test_a_failed_upgrade_at_start_leaves_the_data_as_it_was_and_nothing_running(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    monkeypatch: pytest.MonkeyPatch,
    rev0001_db: Path,
) -> None:
    from wabot_desktop.core.store.db import MigrationFailedError, current_revision

    db_path = AppPaths.resolve(tmp_path / "data").db_path
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(rev0001_db.read_bytes())
    before = _inbound(db_path)
    assert before
    fail_upgrades_from_0001(monkeypatch)
    session = Session(_config(tmp_path / "data", graph, ollama), live_secrets=live_secrets())
    with pytest.raises(MigrationFailedError) as failure:
        await session.start()
    assert failure.value.code == "migration_failed" and failure.value.backup.exists()
    assert not session.running
    assert current_revision(db_path) == "0001" and _inbound(db_path) == before


@pytest.mark.asyncio
async def test_restoring_an_old_backup_whose_upgrade_fails_puts_the_current_data_back(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    monkeypatch: pytest.MonkeyPatch,
    rev0001_db: Path,
) -> None:
    from wabot_desktop.core.store.db import MigrationFailedError

    old = AppPaths.resolve(tmp_path / "old")
    old.db_path.parent.mkdir(parents=True)
    old.db_path.write_bytes(rev0001_db.read_bytes())
    backup = tmp_path / "old.zip"
    assert create_backup(old, backup).revision == "0001"

    session = Session(_config(tmp_path / "data", graph, ollama), live_secrets=live_secrets())
    await session.start(SessionMode.LIVE)
    try:
        await session.service.set_setting("business_name", "La de hoy")
        fail_upgrades_from_0001(monkeypatch)
        with pytest.raises(MigrationFailedError):
            await session.restore_backup(backup)
        assert session.running and session.mode is SessionMode.LIVE
        assert await session.service.get_setting("business_name") == "La de hoy"
    finally:
        await session.stop()
