"""Issue 17 through ``serve`` as a real process: the batched ack path under kill -9.

The raw body and the rows parsed from it are written in the SAME transaction (one savepoint per
batch, one commit per batch), so there is no moment at which a crash leaves a stored body
unparsed or a parsed message without its body: this kills the process while many batches are in
flight and shows that every acknowledged message was stored whole, once, and is answered after
the restart.
"""

from __future__ import annotations

import asyncio
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
    wait_until,
)
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import message_body, signature_headers, text_message

pytestmark = pytest.mark.slow

BODIES = 600
CONCURRENCY = 32
KILL_AFTER_ACKS = 60


async def _flood_then_kill(url: str, server: ServeProcess) -> tuple[set[str], int]:
    """Post BODIES signed webhooks, CONCURRENCY at a time; SIGKILL the server mid-flood.

    Returns the wamids acknowledged with 200 and how many requests were still in flight (or
    not yet sent) when the process died.
    """
    acked: set[str] = set()
    killed = asyncio.Event()
    pending = list(range(BODIES))
    unanswered = 0

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal unanswered
        while pending:
            i = pending.pop()
            wamid = f"wamid.FLOOD{i:05d}"
            wa_id = f"52155{i % 40:08d}"
            body = message_body(
                [text_message(f"Hola, pedido {i}", wa_id=wa_id, wamid=wamid)], wa_id=wa_id
            )
            try:
                response = await client.post(url, content=body, headers=signature_headers(body))
            except httpx.TransportError:
                unanswered += 1
                continue
            if response.status_code == 200:
                acked.add(wamid)
                if len(acked) >= KILL_AFTER_ACKS and not killed.is_set():
                    killed.set()
                    server.kill()  # SIGKILL while the other senders' batches are in flight
            if killed.is_set():
                return

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:
        await asyncio.gather(*(sender(client) for _ in range(CONCURRENCY)))
    assert killed.is_set(), "the server was never killed"
    return acked, unanswered


def test_kill_9_mid_flood_keeps_every_ack_whole_and_answers_after_restart(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    data = tmp_path / "data"
    # A long debounce keeps replies from being produced before the kill.
    seed_settings(data, **{**FAST, "debounce_quiet_s": 60.0, "debounce_max_s": 120.0})
    args = serve_args(data, graph.base_url, ollama.host)
    first = ServeProcess(args, live_env()).start()
    acked, unanswered = asyncio.run(_flood_then_kill(first.url + "/webhook", first))
    assert unanswered > 0 or len(acked) < BODIES  # the kill really cut the flood short
    assert graph.sent_messages == []

    stored = {str(w) for (w,) in rows(data, "SELECT wamid FROM messages WHERE direction='in'")}
    # Every 200 was committed; nothing is stored twice.
    assert acked <= stored
    assert rows(data, "SELECT count(*) FROM messages WHERE direction='in'")[0][0] == len(stored)
    # Each body carries one message: a raw body never exists without its rows (or the reverse).
    assert rows(data, "SELECT count(*) FROM raw_events")[0][0] == len(stored)
    unparsed = rows(
        data,
        "SELECT count(*) FROM raw_events r WHERE NOT EXISTS (SELECT 1 FROM messages m "
        "WHERE m.direction='in' AND instr(r.body, '\"' || m.wamid || '\"') > 0)",
    )
    assert unparsed[0][0] == 0
    customers = {
        str(c)
        for (c,) in rows(
            data,
            "SELECT DISTINCT c.wa_id FROM messages m JOIN conversations v ON v.id = "
            "m.conversation_id JOIN contacts c ON c.id = v.contact_id WHERE m.direction='in'",
        )
    }

    # After the restart every stored (so every acknowledged) message is answered, once per chat.
    seed_settings(data, debounce_quiet_s=0.0, debounce_max_s=0.0)
    second = ServeProcess(args, live_env()).start()
    try:
        graph.wait_for_sends_blocking(len(customers), timeout=60)
        pending_sql = "SELECT count(*) FROM messages WHERE direction='in' AND handled=0"
        wait_until(lambda: rows(data, pending_sql)[0][0] == 0, timeout=30)
    finally:
        assert second.terminate() == 0
    sent_to = [str(m.get("to")).lstrip("+") for m in graph.sent_messages]
    assert sorted(sent_to) == sorted(customers)
