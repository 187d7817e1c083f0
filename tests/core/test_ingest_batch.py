"""Issue 17: the batched ingest path (one savepoint and one commit per group of bodies)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.helpers import PHONE_NUMBER_ID, message_body, text_message
from wabot_desktop.core.errors import StorageError
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import IngestItem, IngestOutcome, apply_batch
from wabot_desktop.core.store.models import Conversation, Message, RawEvent
from wabot_desktop.core.store.writer import IngestWriter
from wabot_desktop.core.whatsapp.parser import decode_body, parse_webhook


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "wabot.db")
    database.migrate()
    yield database
    database.close()


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
