"""A staff PC connected to the shop's PostgreSQL (issue 16): two real ``serve`` instances on one
database, plus this process's :class:`Session` in shop mode on the same database.

The staff session runs no webhook server, tunnel, bot worker or outbox: the monitor sees every
chat live through LISTEN/NOTIFY, a takeover from here silences both instances' bots (also a turn
already generating), a staff message is an outbox row the server sends once through its Graph
API, and a hand-back lets the bot answer again. The password is never in a file, log or row.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.e2e.serve import FAST, ServeProcess, live_env, serve_args
from tests.e2e.test_serve_postgres import _last_customer_text, pg_rows, seed_pg
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import post, text_body, wait_for
from tests.pg import PgCluster
from wabot_desktop.core.dto import ConversationMode
from wabot_desktop.core.events import BotPauseChanged, Event, MessageReceived, ReplySent
from wabot_desktop.core.knowledge.model import FaqItem
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import CoreConfig
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.session import Session, SessionMode
from wabot_desktop.core.shop import ShopConnection, shop_file

pytestmark = pytest.mark.slow

CUSTOMER = "5215550009999"


def listening_ports() -> set[int]:
    """TCP ports this process listens on (from /proc: sockets of our fds in LISTEN state)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A = LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def shop_for(cluster: PgCluster, pg_url: str) -> ShopConnection:
    # The throw-away cluster offers no TLS: the staff PC is told not to require it.
    return ShopConnection(
        host=cluster.host,
        port=cluster.port,
        database=pg_url.rsplit("/", 1)[1],
        user=cluster.user,
        tls=False,
    )


def instances(tmp_path: Path, pg_url: str, graph: FakeGraph, ollama: FakeOllama) -> list[Any]:
    env = live_env(WABOT_DATABASE_URL=pg_url)
    a = ServeProcess(serve_args(tmp_path / "a", graph.base_url, ollama.host), env).start()
    try:
        b = ServeProcess(serve_args(tmp_path / "b", graph.base_url, ollama.host), env).start()
    except BaseException:
        a.kill()
        raise
    return [a, b]


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


async def staff_session(tmp_path: Path, cluster: PgCluster, pg_url: str) -> Session:
    secrets = MemorySecretStore({})
    session = Session(CoreConfig(paths=AppPaths.resolve(tmp_path / "staff")), live_secrets=secrets)
    await session.connect_to_shop(shop_for(cluster, pg_url), cluster.password)
    assert session.mode is SessionMode.SHOP
    staff = session.staff_core
    assert staff is not None and staff.shared_events is not None
    listening = staff.shared_events.listening
    await wait_for(listening.is_set, timeout=20, what="the staff PC listening")
    return session


async def server_paused(client: httpx.AsyncClient, server: ServeProcess, paused: bool) -> bool:
    """The running server's bot has the pause switch at ``paused`` (its /health says so)."""
    health = (await client.get(f"{server.url}/health")).json()
    return bool(health["bot_paused"]) is paused


def sent_texts(graph: FakeGraph) -> list[str]:
    return [str(m.get("text", {}).get("body", "")) for m in graph.sent_messages]


def settled(pg_url: str) -> bool:
    pending = pg_rows(
        pg_url,
        "SELECT (SELECT count(*) FROM messages WHERE direction='in' AND NOT handled)"
        " + (SELECT count(*) FROM outbox WHERE state='queued')",
    )
    return pending == [(0,)]


async def settled_async(pg_url: str) -> bool:
    return await asyncio.to_thread(settled, pg_url)


@pytest.mark.asyncio
async def test_staff_pc_sees_chats_live_takes_over_replies_via_the_server_and_hands_back(
    tmp_path: Path,
    pg_cluster: PgCluster,
    pg_url: str,
    graph: FakeGraph,
    client: httpx.AsyncClient,
) -> None:
    seed_pg(pg_url, **FAST)
    with FakeOllama.in_thread(reply=_last_customer_text) as ollama:
        a, b = instances(tmp_path, pg_url, graph, ollama)
        ports_before = listening_ports()  # the fakes' (the instances are other processes)
        session = await staff_session(tmp_path, pg_cluster, pg_url)
        try:
            staff = session.staff_core
            assert staff is not None
            # This PC runs no bot: no webhook server, tunnel, workers, outbox, model, Graph.
            assert (staff.server, staff.tunnel, staff.engine, staff.outbox, staff.llm) == (
                None,
                None,
                None,
                None,
                None,
            )
            assert listening_ports() == ports_before
            me = asyncio.current_task()
            tasks = {
                getattr(t.get_coro(), "__qualname__", "?")
                for t in asyncio.all_tasks()
                if t is not me
            }
            assert "ShopLink.run" in tasks
            forbidden = ("Outbox", "BotEngine", "Webhook", "Tunnel", "IngestWriter", "Supervisor")
            assert not any(name.startswith(forbidden) for name in tasks), tasks
            threads = {t.name for t in threading.enumerate()}
            assert not any(n.startswith(("wabot-ingest", "wabot-lease")) for n in threads), threads
            events: list[Event] = []
            staff.hub.subscribe(events.append)
            service = session.service

            # 1. A customer writes to instance A: the staff monitor hears it live.
            assert (
                await post(client, a.url, text_body("Hola m0", wa_id=CUSTOMER))
            ).status_code == 200
            await wait_for(
                lambda: any(isinstance(e, MessageReceived) for e in events),
                timeout=20,
                what="the message on the staff PC",
            )
            conversation_id = next(
                e for e in events if isinstance(e, MessageReceived)
            ).conversation_id
            chats = await service.list_conversations()
            assert [c.id for c in chats] == [conversation_id]
            # ...and the bot's reply (sent by an instance) too.
            await wait_for(
                lambda: any(isinstance(e, ReplySent) for e in events), timeout=30, what="bot reply"
            )
            assert sent_texts(graph) == ["eco: Hola m0"]

            # 2. Staff takes the chat over from this PC.
            await service.take_over(conversation_id, "Ana")
            assert (await service.get_conversation(conversation_id)).mode is ConversationMode.HUMAN

            # 3. The customer writes again, to both instances: neither bot answers.
            for server, text in ((b, "Hola m1"), (a, "Hola m2")):
                assert (
                    await post(client, server.url, text_body(text, wa_id=CUSTOMER))
                ).status_code == 200
            await wait_for(
                lambda: sum(isinstance(e, MessageReceived) for e in events) >= 3,
                timeout=20,
                what="both new messages on the staff PC",
            )
            await wait_for(lambda: settled_async(pg_url), timeout=30, what="messages decided")
            assert sent_texts(graph) == ["eco: Hola m0"]

            # 4. Staff replies from this PC: the server's outbox sends it once.
            view = await service.send_staff_message(
                conversation_id, "Hola, soy Ana de la tienda", staff_name="Ana"
            )
            await graph.wait_for_sends(2, timeout=20)
            await wait_for(
                lambda: any(isinstance(e, ReplySent) and e.message_id == view.id for e in events),
                timeout=20,
                what="the staff message's ReplySent on the staff PC",
            )
            await wait_for(lambda: settled_async(pg_url), timeout=30, what="outbox empty")
            assert sent_texts(graph) == ["eco: Hola m0", "Hola, soy Ana de la tienda"]
            assert pg_rows(pg_url, "SELECT count(*) FROM outbox WHERE state='sent'") == [(2,)]

            # 5. Hand back: the bot answers the next message again (through either instance).
            await service.hand_back(conversation_id)
            assert (await service.get_conversation(conversation_id)).mode is ConversationMode.BOT
            assert (
                await post(client, b.url, text_body("Hola m3", wa_id=CUSTOMER))
            ).status_code == 200
            await graph.wait_for_sends(3, timeout=30)
            await wait_for(lambda: settled_async(pg_url), timeout=30, what="settled")
            assert sent_texts(graph) == [
                "eco: Hola m0",
                "Hola, soy Ana de la tienda",
                "eco: Hola m3",
            ]
            # The bot's reply reached the staff monitor live too.
            await wait_for(lambda: sum(isinstance(e, ReplySent) for e in events) >= 3, timeout=20)
        finally:
            await session.stop()
            assert a.terminate() == 0 and b.terminate() == 0

    # The password is in the keyring only: not in the shop file, the logs or the database.
    password = pg_cluster.password
    staff_paths = AppPaths.resolve(tmp_path / "staff")
    saved = shop_file(staff_paths).read_text(encoding="utf-8")
    assert "127.0.0.1" in saved and password not in saved
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
    dumped = pg_rows(
        pg_url,
        "SELECT (SELECT coalesce(string_agg(value, ''), '') FROM settings)"
        " || (SELECT coalesce(string_agg(coalesce(text, ''), ''), '') FROM messages)",
    )
    assert password not in str(dumped[0][0])


@pytest.mark.asyncio
async def test_a_takeover_from_the_staff_pc_wins_over_a_turn_already_generating(
    tmp_path: Path,
    pg_cluster: PgCluster,
    pg_url: str,
    graph: FakeGraph,
    client: httpx.AsyncClient,
) -> None:
    seed_pg(pg_url, **FAST)
    with FakeOllama.in_thread(reply="Con gusto le ayudo.", initial_delay=2.0) as ollama:
        a, b = instances(tmp_path, pg_url, graph, ollama)
        session = await staff_session(tmp_path, pg_cluster, pg_url)
        try:
            staff = session.staff_core
            assert staff is not None
            events: list[Event] = []
            staff.hub.subscribe(events.append)
            assert (
                await post(client, a.url, text_body("¿Tienen talla M?", wa_id=CUSTOMER))
            ).status_code == 200
            await wait_for(lambda: ollama.in_flight >= 1, timeout=20, what="a turn generating")
            conversation_id = next(
                e for e in events if isinstance(e, MessageReceived)
            ).conversation_id
            await session.service.take_over(conversation_id, "Ana")
            await wait_for(lambda: ollama.in_flight == 0, timeout=20, what="the model done")
            await wait_for(lambda: settled_async(pg_url), timeout=30, what="turn decided")
        finally:
            await session.stop()
            assert a.terminate() == 0 and b.terminate() == 0
    assert graph.sent_messages == []
    assert pg_rows(pg_url, "SELECT count(*) FROM outbox") == [(0,)]
    assert pg_rows(pg_url, "SELECT mode, staff_name FROM conversations") == [("human", "Ana")]


@pytest.mark.asyncio
async def test_the_choice_persists_and_run_bot_here_forgets_it(
    tmp_path: Path, pg_cluster: PgCluster, pg_url: str
) -> None:
    seed_pg(pg_url, **FAST)
    secrets = MemorySecretStore({})
    paths = AppPaths.resolve(tmp_path / "staff")
    first = Session(CoreConfig(paths=paths), live_secrets=secrets)
    await first.connect_to_shop(shop_for(pg_cluster, pg_url), pg_cluster.password)
    assert secrets.get(SecretKey.DATABASE_PASSWORD) == pg_cluster.password
    await first.stop()
    # Next start (a new process): straight back to the shop, password from the keyring.
    again = Session(CoreConfig(paths=paths, port=0, tunnel=False), live_secrets=secrets)
    assert await again.start() is SessionMode.SHOP
    assert again.shop_label == f"127.0.0.1/{pg_url.rsplit('/', 1)[1]}"
    assert await again.run_bot_here() is SessionMode.PRACTICE  # no WhatsApp credentials here
    assert again.mode is SessionMode.PRACTICE and again.staff_core is None
    assert not shop_file(paths).exists()
    assert secrets.get(SecretKey.DATABASE_PASSWORD) is None
    await again.stop()


@pytest.mark.asyncio
async def test_the_pause_switched_on_a_staff_pc_reaches_the_running_server_and_other_pcs(
    tmp_path: Path,
    pg_cluster: PgCluster,
    pg_url: str,
    graph: FakeGraph,
    client: httpx.AsyncClient,
) -> None:
    """The shop's settings live in its database, but each instance runs on the values it
    read: a save on one PC is announced (SettingsChanged over LISTEN/NOTIFY) and the others
    read them again, so the server's bot stops and starts with the staff PC's switch."""
    seed_pg(pg_url, **FAST)
    with FakeOllama.in_thread(reply=_last_customer_text) as ollama:
        env = live_env(WABOT_DATABASE_URL=pg_url)
        server = ServeProcess(serve_args(tmp_path / "a", graph.base_url, ollama.host), env).start()
        try:
            pc1 = await staff_session(tmp_path / "pc1", pg_cluster, pg_url)
            pc2 = await staff_session(tmp_path / "pc2", pg_cluster, pg_url)
            try:
                pc2_core = pc2.staff_core
                assert pc2_core is not None
                seen: list[Event] = []
                pc2_core.hub.subscribe(seen.append)
                await pc1.service.set_global_pause(True)
                # The other staff PC's switch follows (the event its window's switch shows).
                await wait_for(
                    lambda: BotPauseChanged(paused=True) in seen, timeout=20, what="pc2 paused"
                )
                assert pc2.service.is_paused()
                await wait_for(
                    lambda: server_paused(client, server, True), timeout=20, what="server paused"
                )
                # A customer writes while paused: stored and decided, never answered.
                reply = await post(client, server.url, text_body("Hola m0", wa_id=CUSTOMER))
                assert reply.status_code == 200
                await wait_for(lambda: settled_async(pg_url), timeout=30, what="m0 decided")
                assert sent_texts(graph) == []
                # Resumed on the staff PC: the server answers the next message.
                await pc1.service.set_global_pause(False)
                await wait_for(
                    lambda: server_paused(client, server, False), timeout=20, what="resumed"
                )
                await wait_for(
                    lambda: BotPauseChanged(paused=False) in seen, timeout=20, what="pc2 resumed"
                )
                assert not pc2.service.is_paused()
                reply = await post(client, server.url, text_body("Hola m1", wa_id=CUSTOMER))
                assert reply.status_code == 200
                await graph.wait_for_sends(1, timeout=30)
                assert sent_texts(graph) == ["eco: Hola m1"]
                # The prompt editor saves a version on the staff PC: the server answers with it.
                draft = await pc1.service.knowledge_draft()
                faq = (
                    FaqItem(question="¿Hacen envíos?", answer="Sí, a todo el país.", direct=True),
                )
                info = await pc1.service.save_knowledge(replace(draft, faq=faq), "envíos")
                await wait_for(
                    lambda: pc2.service.knowledge.version == info, timeout=20, what="pc2's version"
                )
                reply = await post(client, server.url, text_body("¿Hacen envíos?", wa_id=CUSTOMER))
                assert reply.status_code == 200
                await graph.wait_for_sends(2, timeout=30)
                assert sent_texts(graph) == ["eco: Hola m1", "Sí, a todo el país."]
            finally:
                await pc2.stop()
                await pc1.stop()
        finally:
            assert server.terminate() == 0
