"""Issue 9 (1, 6): no reply twice after a stop; a rejected token is re-checked while blocked."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.fakes.graph import FakeGraph, status_webhook
from tests.fakes.ollama import FakeOllama
from tests.helpers import (
    ACCESS_TOKEN,
    PHONE_NUMBER_ID,
    idle,
    post,
    running_core,
    text_body,
    wait_for,
)
from wabot_desktop.core.dto import InDoubtDecision
from wabot_desktop.core.runtime import Core
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.store.models import OutboxItem

pytestmark = pytest.mark.asyncio

CUSTOMERS = [f"1555555{n:04d}" for n in range(6)]


def outbox_rows(core: Core) -> list[OutboxItem]:
    assert core.db is not None
    return core.db.session_run_sync(
        lambda s: [
            (r.id, r.state, r.send_started_at, r.in_doubt_decision)
            for r in s.scalars(select(OutboxItem).order_by(OutboxItem.id))
        ]
    )


def sends_per_customer(graph: FakeGraph) -> Counter[str]:
    return Counter(str(p.get("to")).lstrip("+") for p in graph.send_requests)


async def customers_write(client: httpx.AsyncClient, core: Core) -> None:
    for wa_id in CUSTOMERS:
        body = text_body("Hola, tienen envios?", wa_id=wa_id, name=f"Cliente {wa_id[-2:]}")
        assert (await post(client, core.server_url, body)).status_code == 200


async def test_graceful_stop_lets_in_flight_sends_finish(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    graph.set_delay(0.4)
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, stop_grace_s=10.0
    ) as core:
        await customers_write(client, core)
        await graph.wait_for_send_requests(len(CUSTOMERS), timeout=20)
        # The stop comes while every reply is on the wire.
    graph.set_delay(0.0)
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, in_doubt_wait_s=0.2
    ) as core:
        rows = outbox_rows(core)
        assert [r[1] for r in rows] == ["sent"] * len(CUSTOMERS)
        assert all(r[2] is None for r in rows)  # nothing left in doubt
        # The restarted outbox settled its start-up and has nothing queued: no resend to come.
        await wait_for(lambda: core.outbox is not None and core.outbox.running, timeout=15)
        await idle(core)
    assert sends_per_customer(graph) == Counter({c: 1 for c in CUSTOMERS})


async def test_in_doubt_rows_wait_for_their_status_and_are_resent_only_without_one(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    graph.set_delay(30.0)  # Meta takes the requests but never answers before the stop
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, stop_grace_s=0.1
    ) as core:
        await customers_write(client, core)
        first = await graph.wait_for_send_requests(len(CUSTOMERS), timeout=20)
    callbacks = {p["biz_opaque_callback_data"] for p in first}
    assert len(callbacks) == len(CUSTOMERS)  # every send names its outbox row
    graph.set_delay(0.0)
    graph.reset()
    # Meta did deliver the first half: their status webhooks come (re-delivered) after the restart.
    delivered = [p for p in first if str(p["to"]).lstrip("+") in CUSTOMERS[:3]]
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, in_doubt_wait_s=3.0
    ) as core:
        for n, payload in enumerate(delivered):
            body = status_webhook(payload, f"wamid.META{n}", "delivered")
            assert (await post(client, core.server_url, body)).status_code == 200
        await wait_for(lambda: all(r[1] == "sent" for r in outbox_rows(core)), timeout=15)
        rows = outbox_rows(core)
    decisions = Counter(r[3] for r in rows)
    assert decisions == Counter(
        {InDoubtDecision.CONFIRMED_BY_STATUS: 3, InDoubtDecision.RESENT_NO_STATUS: 3}
    )
    # Only the rows Meta never confirmed were sent again, once each.
    assert sends_per_customer(graph) == Counter({c: 1 for c in CUSTOMERS[3:]})


async def test_blocked_by_190_rechecks_the_token_and_resumes_once(
    tmp_path: Path, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with (
        FakeGraph(expected_token="a-new-token") as graph,
        running_core(
            tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, token_recheck_s=0.05
        ) as core,
    ):
        assert core.outbox is not None
        await post(client, core.server_url, text_body("Hola"))
        await wait_for(lambda: core.outbox is not None and core.outbox.is_blocked(), timeout=15)
        assert core.outbox.blocked_code == 190
        checks = len(graph.requests_to("/" + PHONE_NUMBER_ID, "GET"))
        await wait_for(  # several re-checks, each with the rejected token
            lambda: len(graph.requests_to("/" + PHONE_NUMBER_ID, "GET")) >= checks + 3, timeout=15
        )
        assert core.outbox.is_blocked()  # still the rejected token: stays stopped
        secrets = core.secrets
        assert isinstance(secrets, MemorySecretStore)
        secrets.set(SecretKey.ACCESS_TOKEN, "a-new-token")
        await core.load_credentials()  # the snapshot the core reads (never per request)
        await graph.wait_for_sends(1)
        await wait_for(lambda: core.outbox is not None and not core.outbox.is_blocked(), timeout=15)
        await idle(core)
        assert len(graph.sent_messages) == 1
    assert ACCESS_TOKEN != "a-new-token"


async def test_owner_resumes_sending_from_the_app_after_a_new_token(
    tmp_path: Path, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    """The GUI's way out of a 190 block: a new token, then "resume" — no restart."""
    async with (
        FakeGraph(expected_token="a-new-token") as graph,
        running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core,
    ):
        await post(client, core.server_url, text_body("Hola"))
        await wait_for(lambda: core.outbox is not None and core.outbox.is_blocked(), timeout=15)
        assert (await core.service.health()).graph == "blocked"
        assert await core.service.resume_sending() is False  # Meta still refuses the old one
        assert core.outbox is not None and core.outbox.is_blocked()
        secrets = core.secrets
        assert isinstance(secrets, MemorySecretStore)
        secrets.set(SecretKey.ACCESS_TOKEN, "a-new-token")
        await core.load_credentials()
        assert await core.service.resume_sending() is True
        await graph.wait_for_sends(1)
        await wait_for(lambda: core.outbox is not None and not core.outbox.is_blocked(), timeout=15)
        assert (await core.service.health()).graph == "ok"
        assert len(graph.sent_messages) == 1


async def test_connection_state_is_refreshed_while_running(
    tmp_path: Path, ollama: FakeOllama
) -> None:
    """An app started while Graph is down stops saying "disconnected" once it is back."""
    async with FakeGraph() as graph:
        graph.script_errors(
            "",  # every path: the health check GETs the phone number
            [(500, {"error": {"message": "down", "code": 2, "type": "OAuthException"}})] * 3,
            kind="any",
        )
        async with running_core(
            tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, graph_check_s=0.1
        ) as core:
            await wait_for(lambda: core.service.graph_state == "error", timeout=15)
            await wait_for(lambda: core.service.graph_state == "ok", timeout=15)
            assert (await core.service.health()).graph == "ok"
