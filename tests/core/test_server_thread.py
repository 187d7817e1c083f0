"""Issue 17/10: the webhook server on a thread and loop of its own.

Start/stop/restart release the port and leave no thread; the handlers run on the server's
thread, the post-commit callbacks and /health's provider on the core's main loop; a 200 is sent
only once its body is committed; the simulator's control routes run where the sandbox lives.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import func, select

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    new_wamid,
    post,
    running_core,
    text_body,
    wait_for,
)
from wabot_desktop.core.dto import DatabaseState, GraphState, HealthSnapshot, LlmState, TunnelState
from wabot_desktop.core.metrics import Metrics
from wabot_desktop.core.server import WebhookCredentials, WebhookServer
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import IngestOutcome
from wabot_desktop.core.store.models import Message
from wabot_desktop.core.store.writer import IngestWriter

pytestmark = pytest.mark.asyncio

SERVER_THREAD = "wabot-webhook"


def server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == SERVER_THREAD]


def port_is_free(port: int) -> bool:
    """Nobody listens on ``port`` (SO_REUSEADDR, as the server binds: a closed connection's
    TIME_WAIT is not a listener)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Parts:
    """A server over a real database and writer, plus what ran where."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.writer = IngestWriter(db)
        self.health_threads: list[int] = []
        self.callback_threads: list[tuple[int, asyncio.AbstractEventLoop]] = []
        self.route_threads: list[int] = []
        self.server = WebhookServer(
            writer=self.writer,
            credentials=WebhookCredentials(APP_SECRET, VERIFY_TOKEN, PHONE_NUMBER_ID),
            health=self.health,
            metrics=Metrics(),
        )
        self.writer.add_committed_callback(self.on_committed)
        self.server.extra_routes.append(web.post("/extra", self.extra))

    async def health(self) -> HealthSnapshot:
        self.health_threads.append(threading.get_ident())
        return HealthSnapshot(
            database=DatabaseState.OK,
            graph=GraphState.OK,
            llm=LlmState.UP,
            llm_model="m",
            tunnel=TunnelState.DISABLED,
            public_url=None,
            outbox_queued=0,
            outbox_failed=0,
            bot_paused=False,
            simulator=False,
        )

    def on_committed(self, outcomes: list[IngestOutcome]) -> None:
        self.callback_threads.append((threading.get_ident(), asyncio.get_running_loop()))

    async def extra(self, request: web.Request) -> web.Response:
        self.route_threads.append(threading.get_ident())
        return web.json_response({"echo": (await request.json())["x"]})

    def stored(self, wamid: str) -> int:
        return int(
            self.db.session_run_sync(
                lambda s: s.scalar(
                    select(func.count()).select_from(Message).where(Message.wamid == wamid)
                )
            )
        )


@pytest_asyncio.fixture
async def parts(tmp_path: Path) -> AsyncIterator[Parts]:
    db = Database(tmp_path / "wabot.db")
    db.migrate()
    made = Parts(db)
    try:
        yield made
    finally:
        await made.server.stop()
        db.close()


async def test_start_stop_restart_release_the_port_and_leave_no_thread(
    parts: Parts, client: httpx.AsyncClient
) -> None:
    assert server_threads() == []
    port = await parts.server.start("127.0.0.1", 0)
    thread = parts.server.thread
    assert thread is not None and thread.is_alive() and thread is not threading.current_thread()
    assert server_threads() == [thread]
    if sys.platform != "win32":  # uvloop's loop where it is installed; asyncio's elsewhere
        assert type(parts.server.loop).__module__.startswith("uvloop")
    assert (await post(client, f"http://127.0.0.1:{port}", text_body("uno"))).status_code == 200
    await parts.server.stop()
    assert not thread.is_alive() and server_threads() == []
    assert port_is_free(port)
    # The same port again: a fresh thread and loop (a core switching modes does this).
    assert await parts.server.start("127.0.0.1", port) == port
    again = parts.server.thread
    assert again is not None and again is not thread
    assert (await post(client, f"http://127.0.0.1:{port}", text_body("dos"))).status_code == 200
    await parts.server.stop()
    assert server_threads() == [] and port_is_free(port)
    await parts.server.stop()  # twice is harmless


async def test_a_port_in_use_leaves_no_thread(parts: Parts) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        from wabot_desktop.core.errors import PortInUseError

        with pytest.raises(PortInUseError):
            await parts.server.start("127.0.0.1", int(taken.getsockname()[1]))
    assert server_threads() == [] and parts.server.thread is None


async def test_handlers_run_on_the_server_thread_and_callbacks_on_the_main_loop(
    parts: Parts, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler_threads: list[int] = []
    original = WebhookServer._post_webhook

    async def spy(self: WebhookServer, request: Any) -> Any:
        handler_threads.append(threading.get_ident())
        return await original(self, request)

    monkeypatch.setattr(WebhookServer, "_post_webhook", spy)
    port = await parts.server.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{port}"
    main_loop = asyncio.get_running_loop()
    main_thread = threading.get_ident()
    bodies = [text_body(f"hola {i}", wamid=new_wamid()) for i in range(20)]
    responses = await asyncio.gather(*(post(client, url, b) for b in bodies))
    assert [r.status_code for r in responses] == [200] * 20
    server_thread = parts.server.thread
    assert server_thread is not None
    assert set(handler_threads) == {server_thread.ident}
    await wait_for(lambda: parts.writer.batches == len(parts.callback_threads), what="callbacks")
    # One callback call per committed batch, each on the main loop's thread.
    assert parts.callback_threads
    assert {t for t, _ in parts.callback_threads} == {main_thread}
    assert {loop for _, loop in parts.callback_threads} == {main_loop}
    # /health's provider and the extra routes run on the main loop too.
    health = await client.get(url + "/health")
    assert health.status_code == 200 and health.json()["database"] == "ok"
    assert parts.health_threads == [main_thread]
    extra = await client.post(url + "/extra", json={"x": "y"})
    assert extra.status_code == 200 and extra.json() == {"echo": "y"}
    assert parts.route_threads == [main_thread]


async def test_a_200_is_sent_only_after_the_commit(parts: Parts, client: httpx.AsyncClient) -> None:
    port = await parts.server.start("127.0.0.1", 0)
    gate = threading.Event()
    blocked = threading.Event()

    def hold_the_db_thread() -> None:
        blocked.set()
        gate.wait(30)

    held = parts.db.submit(hold_the_db_thread)
    try:
        await wait_for(blocked.is_set, what="DB thread held")
        wamid = new_wamid()
        request = asyncio.create_task(
            post(client, f"http://127.0.0.1:{port}", text_body("espera", wamid=wamid))
        )
        # The body reached the writer; its commit cannot run while the DB thread is held.
        await wait_for(lambda: parts.writer.pending_count() == 1, what="body pending")
        assert not request.done()
        assert parts.stored(wamid) == 0
    finally:
        gate.set()
    held.result(timeout=10)
    response = await request
    assert response.status_code == 200
    assert parts.stored(wamid) == 1


async def test_a_core_stopping_leaves_no_server_thread_and_credentials_change_live(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    for _ in range(2):  # start, stop, start again: one thread at a time, none after
        async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
            assert core.server is not None and len(server_threads()) == 1
            response = await post(client, core.server_url, text_body("hola"))
            assert response.status_code == 200
            health = await client.get(core.server_url + "/health")
            assert health.status_code == 200
            creds = core.server.credentials
            core.server.set_credentials(
                WebhookCredentials("another-secret", creds.verify_token, creds.phone_number_id)
            )
            # The old secret's signature is now wrong: the server thread read the new object.
            refused = await post(client, core.server_url, text_body("otra"))
            assert refused.status_code == 403
        assert server_threads() == []


async def test_the_simulator_control_routes_answer_from_the_server_thread(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, simulator=True
    ) as core:
        assert core.sandbox is not None and core.server is not None
        customers = await client.get(core.server_url + "/simulator/customers")
        assert customers.status_code == 200
        sent = await client.post(
            core.server_url + "/simulator/send",
            json={"name": "Lucía", "text": "¿Abren hoy?"},
        )
        assert sent.status_code == 200, sent.text
        await wait_for(
            lambda: core.sandbox is not None and core.sandbox.find_customer("Lucía") is not None,
            what="the customer the route added",
        )
