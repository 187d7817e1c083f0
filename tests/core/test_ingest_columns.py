"""Issue 17: the hot path's compiled statements store every column where it belongs.

The webhook path binds positional parameters and leaves a message's NULL columns out of its
INSERT (one compiled statement per set of filled columns). For every message payload of the
corpus, stored alone and in one batch with the others, each column of the row must hold what
was parsed from the body, and NULL where the body had nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import ingest_item, message_payloads
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import IngestItem, _message_values, apply_batch_raw
from wabot_desktop.core.store.models import Contact, Message

PAYLOADS = message_payloads()


def _check_rows(db: Database, items: list[IngestItem]) -> int:
    checked = 0
    for item in items:
        for msg in item.parsed.messages:
            row = db.session_run_sync(
                lambda s, wamid=msg.wamid: s.scalars(
                    select(Message).where(Message.wamid == wamid)
                ).one()
            )
            expected = _message_values(msg, row.conversation_id, item.received_at, row.handled)
            stored = {name: getattr(row, name) for name in expected}
            assert stored == expected, msg.wamid
            checked += 1
    return checked


def test_the_corpus_has_messages_of_many_shapes() -> None:
    assert len(PAYLOADS) >= 15
    assert {"text.json", "location_pin.json", "image_with_caption.json"} <= set(PAYLOADS)


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_body_stored_alone_keeps_every_column(db: Database, name: str) -> None:
    item = ingest_item(name)
    [outcome] = db.raw_transaction(apply_batch_raw, [item])
    assert outcome.error is None
    assert _check_rows(db, [item]) == len(item.parsed.messages)


def test_a_batch_of_every_shape_keeps_every_column(db: Database) -> None:
    items = [ingest_item(name) for name in PAYLOADS]
    outcomes = db.raw_transaction(apply_batch_raw, items)
    assert all(o.error is None for o in outcomes)
    assert _check_rows(db, items) == sum(len(i.parsed.messages) for i in items)


def test_filled_and_empty_columns_of_known_shapes(db: Database) -> None:
    items = [ingest_item(n) for n in ("location_pin.json", "image_with_caption.json", "text.json")]
    db.raw_transaction(apply_batch_raw, items)

    def by_type(kind: str) -> Message:
        return db.session_run_sync(
            lambda s: s.scalars(select(Message).where(Message.type == kind)).one()
        )

    pin = by_type("location")
    assert (pin.latitude, pin.longitude) == (12.25089, 43.90539)
    assert pin.text is None and pin.media_id is None and pin.location_name is None
    image = by_type("image")
    assert image.media_id and image.media_mime and image.text
    assert image.latitude is None
    text = by_type("text")
    assert text.text and text.media_id is None and text.error_code is None
    assert text.handled is False and text.forwarded is False
    # Each contact stored once, with the name from its body.
    names = db.session_run_sync(lambda s: set(s.scalars(select(Contact.profile_name))))
    assert "Maria Gomez" in names
