"""Where the core's blocking work runs: its own pool, one DB writer, readers that never wait for it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import CUSTOMER, post, running_core, text_body, wait_for
from wabot_desktop.core.dto import ConversationFilter
from wabot_desktop.core.store import queries
from wabot_desktop.core.store.db import Database

pytestmark = pytest.mark.asyncio


def _thread_name(_session: Session | None = None) -> str:
    return threading.current_thread().name


async def _hold_writer(db: Database) -> tuple[threading.Event, asyncio.Future[None]]:
    """Keep the DB writer thread busy until the returned event is set."""
    release = threading.Event()
    entered = threading.Event()

    def busy() -> None:
        entered.set()
        release.wait(30)

    held = asyncio.ensure_future(db.run(busy))
    await asyncio.get_running_loop().run_in_executor(None, entered.wait, 30)
    return release, held


async def test_reads_run_on_their_own_threads_and_cannot_write(tmp_path: Path) -> None:
    db = Database(tmp_path / "wabot.db")
    db.migrate()
    try:
        writer = await db.session_run(_thread_name)
        gui, bot = await db.read(_thread_name), await db.bot_read(_thread_name)
        assert writer.startswith("wabot-db_")
        assert gui.startswith("wabot-db-read-gui") and bot.startswith("wabot-db-read-bot")

        def write(session: Session) -> None:
            session.execute(text("INSERT INTO labels (name, color) VALUES ('x', '#000000')"))

        with pytest.raises(OperationalError, match="readonly"):
            await db.read(write)
    finally:
        db.close()


async def test_a_read_does_not_wait_for_the_writer(tmp_path: Path) -> None:
    db = Database(tmp_path / "wabot.db")
    db.migrate()
    release, held = await _hold_writer(db)
    try:
        # The writer is stuck in a "transaction"; the monitor's and the bot's reads still answer.
        async with asyncio.timeout(10):
            assert await db.read(queries.list_conversations, *_ALL) == []
            assert await db.bot_read(queries.count_conversations, *_ALL[:3]) == 0
        assert not held.done()
    finally:
        release.set()
        await held
        db.close()


async def test_a_read_sees_what_was_committed_before_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "wabot.db")
    db.migrate()
    try:
        label = await db.session_run(queries.create_label, "Pedido", "#2f7fd0")
        assert [lb.id for lb in await db.read(queries.list_labels)] == [label.id]
    finally:
        db.close()


async def test_the_monitor_reads_while_webhook_writes_are_held_up(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, bot_paused=True
    ) as core:
        assert core.db is not None
        response = await post(client, core.server_url, text_body("Hola", wa_id=CUSTOMER))
        assert response.status_code == 200
        release, held = await _hold_writer(core.db)
        try:
            async with asyncio.timeout(10):
                [summary] = await core.service.list_conversations()
                messages = await core.service.get_messages(summary.id)
                health = await core.service.health()
            assert [m.text for m in messages] == ["Hola"]
            assert health.database == "ok"
        finally:
            release.set()
            await held


async def test_the_core_never_uses_the_loops_default_executor(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    """qasync's default executor misbehaves with PySide6 6.12: the core keeps off it."""
    submitted: list[Callable[..., Any]] = []

    class Recording(ThreadPoolExecutor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            submitted.append(getattr(fn, "func", fn))
            return super().submit(fn, *args, **kwargs)

    asyncio.get_running_loop().set_default_executor(Recording(max_workers=2))
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        response = await post(client, core.server_url, text_body("Hola", wa_id=CUSTOMER))
        assert response.status_code == 200
        await graph.wait_for_sends(1)
        big = text_body("pan " * 40_000, wa_id=CUSTOMER)  # over 128 KiB: parsed off the loop
        assert (await post(client, core.server_url, big)).status_code == 200
        [summary] = await core.service.list_conversations()
        await core.service.export_conversation(summary.id, tmp_path / "chat.txt", "txt")
        await core.reload_credentials()
        assert (await core.blocking.run(_thread_name)).startswith("wabot-io")
        pool = core.blocking
    ours = [f for f in submitted if str(getattr(f, "__module__", "")).startswith("wabot_desktop")]
    assert ours == []
    assert pool._executor is None  # shut down by Core.stop
    assert (tmp_path / "chat.txt").read_text(encoding="utf-8")


_ALL: tuple[Any, ...] = (ConversationFilter.ALL, "", None, 0, 50)


async def test_an_ingest_drain_goes_ahead_of_queued_db_work_and_a_flood_takes_turns(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "wabot.db")
    db.migrate()
    order: list[str] = []
    release, held = await _hold_writer(db)
    try:
        # While the writer is busy, three ordinary jobs queue, then two "first" jobs; the
        # second first-job queues a third one when it runs (a drain finding more pending).
        normal = [asyncio.ensure_future(db.run(order.append, f"bot{i}")) for i in range(3)]
        await asyncio.sleep(0)  # the run_in_executor submissions happen now

        def drain(name: str, then: str | None = None) -> None:
            order.append(name)
            if then is not None:
                db.submit_first(lambda: order.append(then))

        db.submit_first(lambda: drain("drain1"))
        db.submit_first(lambda: drain("drain2", then="drain3"))
        release.set()
        await held
        await asyncio.gather(*normal)
        await wait_for(lambda: "drain3" in order)
        # Both queued drains before any queued bot job; the drain queued by a drain waits
        # for the next job, so the bot's work is never starved by a flood of drains.
        assert order[:3] == ["drain1", "drain2", "bot0"]
        assert order[3] == "drain3"
        assert order[4:] == ["bot1", "bot2"]
    finally:
        release.set()
        db.close()
    with pytest.raises(RuntimeError):
        db.submit_first(lambda: None)
