"""Issue 17 through ``serve`` as a real process: the batched ack path under kill -9.

A body is acknowledged only once it is committed: either with its rows (the raw body and the
messages parsed from it in the same transaction), or, under a burst, as the verified body alone
in ``pending_webhooks``, parsed into rows just after (core/store/writer.py). Either way there is
no moment at which a crash loses an acknowledged body, leaves a parsed message without its raw
copy, or stores one twice: this kills the process while many batches are in flight and shows
that every acknowledged message was stored (whole, or as its pending body), once, and is parsed
and answered after the restart.
"""

from __future__ import annotations

import asyncio
import json
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


def _wamid(body: bytes) -> str:
    value = json.loads(body)["entry"][0]["changes"][0]["value"]
    return str(value["messages"][0]["id"])


def _raw_events_without_their_message(data: Path) -> int:
    return int(
        rows(
            data,
            "SELECT count(*) FROM raw_events r WHERE NOT EXISTS (SELECT 1 FROM messages m "
            "WHERE m.direction='in' AND instr(r.body, '\"' || m.wamid || '\"') > 0)",
        )[0][0]
    )


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
    pending = [_wamid(bytes(body)) for (body,) in rows(data, "SELECT body FROM pending_webhooks")]
    # Every 200 was committed, parsed or as its body; nothing is stored twice.
    assert acked <= stored | set(pending)
    assert rows(data, "SELECT count(*) FROM messages WHERE direction='in'")[0][0] == len(stored)
    assert len(set(pending)) == len(pending) and not stored & set(pending)
    # Each body carries one message: a parsed one never exists without its raw copy (or the
    # reverse); a pending body has none yet.
    assert rows(data, "SELECT count(*) FROM raw_events")[0][0] == len(stored)
    assert _raw_events_without_their_message(data) == 0

    # After the restart every acknowledged message is parsed and answered, once per chat.
    seed_settings(data, debounce_quiet_s=0.0, debounce_max_s=0.0)
    second = ServeProcess(args, live_env()).start()
    try:
        wait_until(lambda: rows(data, "SELECT count(*) FROM pending_webhooks")[0][0] == 0)
        everything = stored | set(pending)
        parsed = {str(w) for (w,) in rows(data, "SELECT wamid FROM messages WHERE direction='in'")}
        assert parsed == everything and acked <= parsed
        assert rows(data, "SELECT count(*) FROM raw_events")[0][0] == len(parsed)
        assert _raw_events_without_their_message(data) == 0
        customers = {
            str(c)
            for (c,) in rows(
                data,
                "SELECT DISTINCT c.wa_id FROM messages m JOIN conversations v ON v.id = "
                "m.conversation_id JOIN contacts c ON c.id = v.contact_id "
                "WHERE m.direction='in'",
            )
        }

        graph.wait_for_sends_blocking(len(customers), timeout=60)
        pending_sql = "SELECT count(*) FROM messages WHERE direction='in' AND handled=0"
        wait_until(lambda: rows(data, pending_sql)[0][0] == 0, timeout=30)
    finally:
        assert second.terminate() == 0
    sent_to = [str(m.get("to")).lstrip("+") for m in graph.sent_messages]
    assert sorted(sent_to) == sorted(customers)
