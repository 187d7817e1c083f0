"""Issue 17: the batched ingest path (one savepoint and one commit per group of bodies)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.helpers import (
    PHONE_NUMBER_ID,
    change_value,
    message_body,
    text_message,
    webhook_body,
)
from wabot_desktop.core.errors import StorageError
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.dialect import parse_database_url
from wabot_desktop.core.store.ingest import IngestItem, IngestOutcome, apply_batch
from wabot_desktop.core.store.models import Contact, Conversation, Message, RawEvent
from wabot_desktop.core.store.writer import IngestWriter
from wabot_desktop.core.whatsapp.parser import decode_body, parse_webhook


def item(wamid: str, wa_id: str = "5215500000001", text_: str = "Hola") -> IngestItem:
    body = message_body([text_message(text_, wa_id=wa_id, wamid=wamid)], wa_id=wa_id)
    parsed = parse_webhook(decode_body(body), phone_number_id=PHONE_NUMBER_ID)
    return IngestItem(body, parsed, time.time())


def count(db: Database, model: type) -> int:
    return int(db.session_run_sync(lambda s: s.scalar(select(func.count()).select_from(model))))


def test_a_failing_body_is_replayed_alone_and_the_rest_of_its_batch_commits(
    db: Database,
) -> None:
    db.session_run_sync(
        lambda s: s.execute(
            text(
                "CREATE TRIGGER fail_one BEFORE INSERT ON messages WHEN NEW.wamid = 'wamid.BAD' "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        )
    )
    items = [
        item("wamid.A1"),
        item("wamid.A2", wa_id="5215500000002"),
        item("wamid.BAD", wa_id="5215500000003"),
        item("wamid.A3"),
        item("wamid.A1"),  # the same message twice in one batch: one row, one duplicate
    ]
    outcomes = db.session_run_sync(apply_batch, items)
    assert [o.error is not None for o in outcomes] == [False, False, True, False, False]
    assert [len(o.new_messages) for o in outcomes] == [1, 1, 0, 1, 0]
    assert outcomes[4].duplicates == 1
    wamids = db.session_run_sync(lambda s: sorted(s.scalars(select(Message.wamid))))
    assert wamids == ["wamid.A1", "wamid.A2", "wamid.A3"]
    # The failed body left nothing: no raw body, no contact's conversation.
    assert count(db, RawEvent) == 4
    assert count(db, Conversation) == 2
    unread = db.session_run_sync(
        lambda s: sorted(s.scalars(select(Conversation.unread_count)).all())
    )
    assert unread == [1, 2]


def test_a_clean_batch_stores_bodies_and_rows_together(db: Database) -> None:
    items = [item(f"wamid.B{i}", wa_id=f"52155000000{i % 3}") for i in range(30)]
    outcomes = db.session_run_sync(apply_batch, items)
    assert all(o.error is None and len(o.new_messages) == 1 for o in outcomes)
    assert count(db, RawEvent) == 30 and count(db, Message) == 30
    assert count(db, Conversation) == 3
    # Each outcome names the conversation its own message went to.
    by_id = db.session_run_sync(
        lambda s: {r[0]: r[1] for r in s.execute(select(Message.id, Message.conversation_id))}
    )
    for outcome in outcomes:
        new = outcome.new_messages[0]
        assert by_id[new.message_id] == new.conversation_id


@pytest.mark.asyncio
async def test_concurrent_submits_share_commits_and_all_are_answered(db: Database) -> None:
    writer = IngestWriter(db)
    committed: list[IngestOutcome] = []
    writer.add_committed_callback(committed.extend)
    runner = asyncio.create_task(writer.run())
    try:
        outcomes = await asyncio.gather(
            *(writer.submit(item(f"wamid.C{i}", wa_id=f"5215500001{i:03d}")) for i in range(200))
        )
    finally:
        runner.cancel()
    assert all(len(o.new_messages) == 1 for o in outcomes)
    assert len(committed) == 200
    assert writer.items == 200
    assert writer.batches < 200  # bodies arriving during a commit joined the next batch
    assert count(db, Message) == 200


@pytest.mark.asyncio
async def test_submit_after_the_database_closed_fails_instead_of_hanging(
    tmp_path: Path,
) -> None:
    database = Database(tmp_path / "closed.db")
    database.migrate()
    database.close()
    writer = IngestWriter(database)
    with pytest.raises(StorageError):
        await asyncio.wait_for(writer.submit(item("wamid.D1")), timeout=10)


@pytest.fixture
def both_db(tmp_path: Path, store_url: str | None) -> Iterator[Database]:
    """The profile's SQLite file, then a fresh PostgreSQL database (tests/pg.py)."""
    url = parse_database_url(store_url) if store_url else None
    database = Database(tmp_path / "wabot.db", url=url)
    database.migrate()
    yield database
    database.close()


def test_nul_in_a_message_is_removed_before_storing_on_both_engines(both_db: Database) -> None:
    """PostgreSQL refuses NUL in text: a body carrying one must not fail (503) forever.

    The parser removes NUL from every string it reads (textutil.sanitize_text), the raw body is
    stored without it; here the whole path to the store on both engines: a customer's text and
    name, a staff echo typed on the phone app, and a status's callback data.
    """
    wa_id = "5215500000009"
    body = message_body(
        [text_message("Hola\u0000 mundo", wa_id=wa_id, wamid="wamid.NUL1")],
        wa_id=wa_id,
        name="Ana\u0000 Ruiz",
    )
    echo = webhook_body(
        change_value(
            message_echoes=[
                {
                    "from": "15550101234",
                    "to": "5215500000010",
                    "id": "wamid.NUL\u0000ECHO",
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": "Ya te\u0000 atiendo"},
                }
            ],
        ),
        field="smb_message_echoes",
    )
    status = webhook_body(
        change_value(
            statuses=[
                {
                    "id": "wamid.NUL1",
                    "status": "delivered",
                    "timestamp": str(int(time.time())),
                    "recipient_id": wa_id,
                    "biz_opaque_callback_data": "ref\u0000-1",
                }
            ]
        )
    )
    assert all(b"\\u0000" in b for b in (body, echo, status))
    items = [
        IngestItem(b, parse_webhook(decode_body(b), phone_number_id=PHONE_NUMBER_ID), time.time())
        for b in (body, echo, status)
    ]
    outcomes = both_db.session_run_sync(apply_batch, items)
    assert [o.error for o in outcomes] == [None, None, None]
    assert len(outcomes[0].new_messages) == 1 and len(outcomes[1].new_messages) == 1
    stored = both_db.session_run_sync(
        lambda s: s.execute(select(Message.text).where(Message.wamid == "wamid.NUL1")).scalar()
    )
    assert stored == "Hola mundo"
    name = both_db.session_run_sync(
        lambda s: s.execute(select(Contact.profile_name).where(Contact.wa_id == wa_id)).scalar()
    )
    assert name == "Ana Ruiz"
    texts = both_db.session_run_sync(
        lambda s: sorted(tuple(r) for r in s.execute(select(Message.wamid, Message.text)))
    )
    assert texts == [("wamid.NUL1", "Hola mundo"), ("wamid.NULECHO", "Ya te atiendo")]
    assert count(both_db, RawEvent) == 3


@pytest.mark.asyncio
async def test_the_writer_stores_without_a_session_and_replays_a_failing_body_on_both_engines(
    both_db: Database,
) -> None:
    """The writer's own connection (compiled statements, no ORM session): a failing body gets
    its error alone, the rest of its batch commits; statuses take the session path."""
    if both_db.dialect == "postgresql":
        trigger = [
            "CREATE FUNCTION fail_bad() RETURNS trigger AS $$ BEGIN "
            "IF NEW.wamid = 'wamid.BAD' THEN RAISE EXCEPTION 'disk I/O error'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER fail_one BEFORE INSERT ON messages FOR EACH ROW "
            "EXECUTE FUNCTION fail_bad()",
        ]
    else:
        trigger = [
            "CREATE TRIGGER fail_one BEFORE INSERT ON messages WHEN NEW.wamid = 'wamid.BAD' "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        ]

    def create(session: Any) -> None:
        for statement in trigger:
            session.execute(text(statement))

    both_db.session_run_sync(create)
    writer = IngestWriter(both_db, inline_max=4)
    items = [
        item("wamid.W1"),
        item("wamid.W2", wa_id="5215500000002"),
        item("wamid.BAD", wa_id="5215500000003"),
        item("wamid.W3", wa_id="5215500000004"),
    ]
    results = await asyncio.gather(*(writer.submit(i) for i in items), return_exceptions=True)
    assert [isinstance(r, StorageError) for r in results] == [False, False, True, False]
    assert count(both_db, Message) == 3 and count(both_db, RawEvent) == 3
    # A duplicate and a status (session path) after the raw batches: both stored once.
    status = webhook_body(
        change_value(
            statuses=[
                {
                    "id": "wamid.UNKNOWN",
                    "status": "delivered",
                    "timestamp": str(int(time.time())),
                    "recipient_id": "5215500000001",
                }
            ]
        )
    )
    parsed = parse_webhook(decode_body(status), phone_number_id=PHONE_NUMBER_ID)
    again = await writer.submit(item("wamid.W1"))
    await writer.submit(IngestItem(status, parsed, time.time()))
    assert again.duplicates == 1
    assert count(both_db, Message) == 3 and count(both_db, RawEvent) == 5
