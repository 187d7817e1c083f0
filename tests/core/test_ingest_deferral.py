"""Issue 17: a burst is acknowledged as bodies (pending_webhooks) and parsed just after.

Every test uses a real SQLite file and the real writer; the clock is the writer's own
(``quiet_s`` and friends are tuned per test so each state is reached deterministically).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time

import pytest
from sqlalchemy import func, select, text

from tests.helpers import PHONE_NUMBER_ID, message_body, status_body, text_message, wait_for
from wabot_desktop.core.store import ingest
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import IngestItem, IngestOutcome
from wabot_desktop.core.store.models import Message, PendingWebhook, RawEvent
from wabot_desktop.core.store.writer import Deferral, IngestWriter, deferral_from_env
from wabot_desktop.core.whatsapp.parser import decode_body, parse_webhook

# Never quiet, never a flood slice: only what a test triggers is parsed.
HOLD = Deferral(quiet_s=3600.0, flood_every_s=3600.0)


def item(wamid: str, wa_id: str = "5215500000001", text_: str = "Hola") -> IngestItem:
    body = message_body([text_message(text_, wa_id=wa_id, wamid=wamid)], wa_id=wa_id)
    parsed = parse_webhook(decode_body(body), phone_number_id=PHONE_NUMBER_ID)
    return IngestItem(body, parsed, time.time(), PHONE_NUMBER_ID)


def count(db: Database, model: type) -> int:
    return int(db.session_run_sync(lambda s: s.scalar(select(func.count()).select_from(model))))


def wamids_in_order(db: Database) -> list[str]:
    return db.session_run_sync(
        lambda s: list(s.scalars(select(Message.wamid).order_by(Message.id)))
    )


async def burst(writer: IngestWriter, items: list[IngestItem]) -> list[IngestOutcome]:
    return list(await asyncio.gather(*(writer.submit(i) for i in items)))


@pytest.mark.asyncio
async def test_a_burst_is_acked_as_bodies_then_parsed_once_quiet_in_arrival_order(
    db: Database,
) -> None:
    writer = IngestWriter(db, deferral=Deferral(quiet_s=0.2))
    committed: list[IngestOutcome] = []
    writer.add_committed_callback(committed.extend)
    runner = asyncio.create_task(writer.run())
    try:
        items = [item(f"wamid.B{i:02d}", wa_id=f"52155000000{i % 3}") for i in range(20)]
        outcomes = await burst(writer, items)
        # Acknowledged = committed as bodies: nothing parsed yet, nothing told to the bot.
        assert all(o.deferred and o.error is None for o in outcomes)
        assert count(db, PendingWebhook) == 20
        assert count(db, Message) == 0 and committed == []
        assert writer.backlog() == 20
        await wait_for(lambda: count(db, PendingWebhook) == 0, what="the parse after quiet")
        await wait_for(lambda: len(committed) == 20, what="the callbacks of the parse")
    finally:
        runner.cancel()
    assert writer.backlog() == 0
    assert wamids_in_order(db) == [i.parsed.messages[0].wamid for i in items]
    assert count(db, RawEvent) == 20  # each body keeps its audit copy
    assert sorted(n.message_id for o in committed for n in o.new_messages) == list(range(1, 21))


@pytest.mark.asyncio
async def test_a_body_alone_is_parsed_in_its_own_commit_but_queues_behind_a_backlog(
    db: Database,
) -> None:
    writer = IngestWriter(db, deferral=HOLD)
    runner = asyncio.create_task(writer.run())
    try:
        alone = await writer.submit(item("wamid.ALONE"))
        assert not alone.deferred and len(alone.new_messages) == 1
        await burst(writer, [item("wamid.X1"), item("wamid.X2")])
        # A single body while two wait: it waits too, or it would be stored before them.
        late = await writer.submit(item("wamid.LATE"))
        assert late.deferred
        assert count(db, PendingWebhook) == 3
        # The tests hold the parse back; a slice is what a quiet moment would run.
        assert await db.run(writer._parse_slice, 64) == 3
    finally:
        runner.cancel()
    assert wamids_in_order(db) == ["wamid.ALONE", "wamid.X1", "wamid.X2", "wamid.LATE"]
    assert count(db, PendingWebhook) == 0


@pytest.mark.asyncio
async def test_a_body_sent_right_after_the_previous_answer_is_a_stream_and_waits(
    db: Database,
) -> None:
    """One connection, no pause (a redelivery): each body alone, yet acknowledged as a body."""
    writer = IngestWriter(
        db, deferral=Deferral(quiet_s=3600.0, flood_every_s=3600.0, stream_gap_s=0.25)
    )
    runner = asyncio.create_task(writer.run())
    try:
        first = await writer.submit(item("wamid.S1"))
        assert not first.deferred  # nothing answered before it: a customer writing
        second = await writer.submit(item("wamid.S2"))
        assert second.deferred and count(db, Message) == 1
        assert await db.run(writer._parse_slice, 64) == 1
        await asyncio.sleep(0.3)  # a pause longer than the gap: calm again
        third = await writer.submit(item("wamid.S3"))
        assert not third.deferred and len(third.new_messages) == 1
    finally:
        runner.cancel()
    assert wamids_in_order(db) == ["wamid.S1", "wamid.S2", "wamid.S3"]
    # stream_gap_s=0: a body alone is always parsed in its own commit.
    never = IngestWriter(db, deferral=dataclasses.replace(HOLD, stream_gap_s=0.0))
    outcomes = [await never.submit(item(f"wamid.N{i}")) for i in range(3)]
    assert not any(o.deferred for o in outcomes) and count(db, PendingWebhook) == 0


@pytest.mark.asyncio
async def test_during_a_long_burst_small_slices_are_parsed(db: Database) -> None:
    """Never quiet (a body every few ms), yet the bot keeps hearing of new messages."""
    writer = IngestWriter(
        db, deferral=Deferral(min_batch=1, quiet_s=3600.0, flood_every_s=0.05, flood_slice=4)
    )
    committed: list[IngestOutcome] = []
    writer.add_committed_callback(committed.extend)
    runner = asyncio.create_task(writer.run())
    try:
        for i in range(60):
            await writer.submit(item(f"wamid.F{i:02d}"))
            await asyncio.sleep(0.005)
    finally:
        runner.cancel()
    await asyncio.sleep(0)
    await db.run(lambda: None)  # a slice still running is over
    parsed_during = count(db, Message)
    await wait_for(lambda: len(committed) == parsed_during, what="the slices' callbacks")
    assert 4 <= parsed_during < 60
    assert count(db, PendingWebhook) == 60 - parsed_during


@pytest.mark.asyncio
async def test_at_the_backlog_cap_each_drain_parses_as_many_as_it_stores(db: Database) -> None:
    writer = IngestWriter(
        db, deferral=Deferral(min_batch=1, quiet_s=3600.0, flood_every_s=3600.0, max_backlog=5)
    )
    runner = asyncio.create_task(writer.run())
    try:
        for i in range(12):
            await writer.submit(item(f"wamid.CAP{i:02d}"))
            assert count(db, PendingWebhook) <= 5
    finally:
        runner.cancel()
    assert count(db, PendingWebhook) == 5
    assert wamids_in_order(db) == [f"wamid.CAP{i:02d}" for i in range(7)]


@pytest.mark.asyncio
async def test_a_restarted_writer_parses_what_the_last_one_acknowledged(db: Database) -> None:
    first = IngestWriter(db, deferral=HOLD)
    runner = asyncio.create_task(first.run())
    await burst(
        first, [item("wamid.R1", wa_id="5215500000001"), item("wamid.R2", wa_id="5215500000002")]
    )
    runner.cancel()  # stopped (or killed) before the quiet moment
    assert count(db, PendingWebhook) == 2 and count(db, Message) == 0

    second = IngestWriter(db, deferral=None)  # even with deferral off
    committed: list[IngestOutcome] = []
    second.add_committed_callback(committed.extend)
    runner = asyncio.create_task(second.run())
    try:
        await wait_for(lambda: len(committed) == 2, what="the recovered bodies' callbacks")
        # A new body after the recovery is parsed in its own commit again.
        assert not (await second.submit(item("wamid.R3"))).deferred
    finally:
        runner.cancel()
    assert wamids_in_order(db) == ["wamid.R1", "wamid.R2", "wamid.R3"]
    assert count(db, PendingWebhook) == 0


@pytest.mark.asyncio
async def test_a_graceful_stop_parses_what_is_pending_within_its_budget(db: Database) -> None:
    writer = IngestWriter(db, deferral=HOLD)
    committed: list[IngestOutcome] = []
    writer.add_committed_callback(committed.extend)
    runner = asyncio.create_task(writer.run())
    try:
        wamids = [f"wamid.F{i:03d}" for i in range(300)]
        items = [item(w, wa_id=f"52155000000{i % 4}") for i, w in enumerate(wamids)]
        await burst(writer, items)
        assert count(db, PendingWebhook) == 300 and count(db, Message) == 0
        # No time left: nothing is parsed, all of it waits for the next start.
        assert await writer.flush(0.0) == 300
        assert await writer.flush(30.0) == 0  # more than one slice
        await wait_for(lambda: len(committed) == 300, what="the flushed bodies' callbacks")
    finally:
        runner.cancel()
    assert wamids_in_order(db) == wamids
    assert count(db, PendingWebhook) == 0


@pytest.mark.asyncio
async def test_statuses_in_a_burst_are_parsed_with_the_orm_path(db: Database) -> None:
    writer = IngestWriter(db, deferral=HOLD)
    runner = asyncio.create_task(writer.run())
    status = status_body("wamid.OUT1", "delivered")
    status_item = IngestItem(
        status, parse_webhook(decode_body(status), phone_number_id=PHONE_NUMBER_ID), time.time()
    )
    try:
        await burst(writer, [item("wamid.S1"), status_item])
        assert await db.run(writer._parse_slice, 64) == 2
    finally:
        runner.cancel()
    assert wamids_in_order(db) == ["wamid.S1"]
    # The status of a message we never sent waits for it (as on the ack path).
    pending = db.session_run_sync(
        lambda s: s.execute(text("SELECT count(*) FROM message_statuses")).scalar()
    )
    assert pending == 1
    assert count(db, RawEvent) == 2 and count(db, PendingWebhook) == 0


@pytest.mark.asyncio
async def test_a_body_that_cannot_be_stored_keeps_its_raw_copy_and_the_rest_are_parsed(
    db: Database,
) -> None:
    db.session_run_sync(
        lambda s: s.execute(
            text(
                "CREATE TRIGGER fail_one BEFORE INSERT ON messages WHEN NEW.wamid = 'wamid.BAD' "
                "BEGIN SELECT RAISE(ABORT, 'constraint failed'); END"
            )
        )
    )
    writer = IngestWriter(db, deferral=HOLD)
    runner = asyncio.create_task(writer.run())
    try:
        await burst(
            writer, [item("wamid.G1"), item("wamid.BAD", wa_id="5215500000009"), item("wamid.G2")]
        )
        assert await db.run(writer._parse_slice, 64) == 3
    finally:
        runner.cancel()
    assert wamids_in_order(db) == ["wamid.G1", "wamid.G2"]
    assert count(db, PendingWebhook) == 0  # no endless retry of a body that always fails
    bodies = db.session_run_sync(lambda s: list(s.scalars(select(RawEvent.body))))
    assert any("wamid.BAD" in body for body in bodies)  # acknowledged, so never thrown away


@pytest.mark.asyncio
async def test_a_failed_parse_transaction_leaves_the_bodies_pending_and_retries(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest.parse_pending
    failures = []

    def flaky(*args: object) -> list[IngestOutcome]:
        if not failures:
            failures.append(1)
            raise OSError("disk I/O error")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr("wabot_desktop.core.store.writer.parse_pending", flaky)
    writer = IngestWriter(db, deferral=Deferral(quiet_s=0.0, retry_s=0.2))
    runner = asyncio.create_task(writer.run())
    try:
        await burst(writer, [item("wamid.T1"), item("wamid.T2")])
        await wait_for(lambda: failures, what="the failing parse")
        assert count(db, PendingWebhook) == 2  # rolled back: still pending, nothing half-done
        await wait_for(lambda: count(db, PendingWebhook) == 0, what="the retry")
    finally:
        runner.cancel()
    assert wamids_in_order(db) == ["wamid.T1", "wamid.T2"]


@pytest.mark.asyncio
async def test_a_parse_that_fails_at_stop_leaves_the_bodies_pending_and_does_not_raise(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: object) -> list[IngestOutcome]:
        raise OSError("disk I/O error")

    writer = IngestWriter(db, deferral=HOLD)
    runner = asyncio.create_task(writer.run())
    try:
        await burst(writer, [item("wamid.S1"), item("wamid.S2")])
        monkeypatch.setattr("wabot_desktop.core.store.writer.parse_pending", failing)
        assert await writer.flush(5.0) == 2  # rolled back, reported, left for the next start
    finally:
        runner.cancel()
    assert count(db, PendingWebhook) == 2 and count(db, Message) == 0


def test_the_pending_body_is_the_exact_signed_bytes(db: Database) -> None:
    body = message_body([text_message("Ñandú \U0001f95f", wamid="wamid.BYTES")])
    parsed = parse_webhook(decode_body(body), phone_number_id=PHONE_NUMBER_ID)
    db.raw_transaction(ingest.store_pending_raw, [IngestItem(body, parsed, 1.0, PHONE_NUMBER_ID)])
    stored = db.session_run_sync(lambda s: s.scalar(select(PendingWebhook.body)))
    assert stored == body
    [(_, again, _, received_at)] = db.raw_transaction(ingest.oldest_pending, 10)
    assert again is not None and again.parsed == parsed and received_at == 1.0
    assert json.loads(stored)["entry"][0]["changes"][0]["value"]["messages"][0]["id"] == (
        "wamid.BYTES"
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, Deferral()),
        ({"WABOT_INGEST_DEFER": "1"}, Deferral()),
        ({"WABOT_INGEST_DEFER": "0"}, None),
        ({"WABOT_INGEST_DEFER": "always"}, Deferral(min_batch=1)),
        (
            {"WABOT_INGEST_DEFER": "always", "WABOT_INGEST_PARSE_AFTER_MS": "600000"},
            Deferral(min_batch=1, quiet_s=600.0, flood_every_s=600.0),
        ),
        ({"WABOT_INGEST_PARSE_AFTER_MS": "20"}, Deferral(quiet_s=0.02)),
    ],
)
def test_deferral_from_env(environ: dict[str, str], expected: Deferral | None) -> None:
    assert deferral_from_env(environ) == expected
