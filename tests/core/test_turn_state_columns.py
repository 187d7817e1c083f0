"""The bot's turn read (load_turn_state) hands every stored column to the right field.

It unpacks each row by position for speed (issue 10: it runs for every customer turn on the
bot's reader thread). For every message payload of the corpus, pending and then as history,
each TurnMessage field must equal the stored row's column; a voice note's transcript is its text.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, update

from tests.helpers import ingest_item, message_payloads
from wabot_desktop.core.dto import Author
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import apply_batch_raw
from wabot_desktop.core.store.models import Message
from wabot_desktop.core.store.turns import TurnMessage, load_turn_state

_SAME = (
    "id",
    "wamid",
    "type",
    "wa_timestamp",
    "created_at",
    "media_filename",
    "latitude",
    "longitude",
    "location_name",
    "location_address",
    "unsupported_type",
    "transcript_status",
)


def _rows(db: Database, conversation_id: int) -> list[Message]:
    return db.session_run_sync(
        lambda s: list(
            s.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            )
        )
    )


def _assert_same(turn: TurnMessage, row: Message) -> None:
    for name in _SAME:
        assert getattr(turn, name) == getattr(row, name), name
    assert turn.author is Author(row.author)
    assert turn.media_voice is bool(row.media_voice)
    expected_text = row.transcript if row.type == "audio" and row.transcript else row.text
    assert turn.text == expected_text


@pytest.mark.parametrize("name", message_payloads())
def test_every_column_reaches_its_field_pending_and_as_history(db: Database, name: str) -> None:
    item = ingest_item(name)
    [outcome] = db.raw_transaction(apply_batch_raw, [item])
    assert outcome.error is None and outcome.new_messages
    conversation_id = outcome.new_messages[0].conversation_id
    rows = _rows(db, conversation_id)
    assert rows

    state = db.session_run_sync(load_turn_state, conversation_id, time.time())
    assert state is not None
    # Pending: what the bot has yet to decide (a reaction or a sticker is stored handled).
    waiting = [row for row in rows if not row.handled]
    assert len(state.pending) == len(waiting)
    for turn, row in zip(state.pending, waiting, strict=True):
        _assert_same(turn, row)

    # Handled, they are history (reactions never are: the prompt has no use for them).
    db.session_run_sync(
        lambda s: s.execute(
            update(Message).where(Message.conversation_id == conversation_id).values(handled=True)
        )
    )
    state = db.session_run_sync(load_turn_state, conversation_id, time.time())
    assert state is not None and state.pending == ()
    shown = [row for row in rows if row.type != "reaction"]
    assert len(state.history) == len(shown)
    for turn, row in zip(state.history, shown, strict=True):
        _assert_same(turn, row)


def test_a_transcribed_voice_note_reads_as_its_transcript(db: Database) -> None:
    item = ingest_item("audio_voice.json")
    [outcome] = db.raw_transaction(apply_batch_raw, [item])
    conversation_id = outcome.new_messages[0].conversation_id
    db.session_run_sync(
        lambda s: s.execute(
            update(Message)
            .where(Message.conversation_id == conversation_id)
            .values(transcript="quiero dos pasteles", transcript_status="done")
        )
    )
    state = db.session_run_sync(load_turn_state, conversation_id, time.time())
    assert state is not None
    [voice] = state.pending
    assert voice.type == "audio" and voice.media_voice is True
    assert voice.text == "quiero dos pasteles"
    assert voice.transcript_status == "done"
