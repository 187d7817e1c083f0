"""Voice-note transcripts on the DB thread (columns from migration 0004)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wabot_desktop.core.dto import Direction
from wabot_desktop.core.store.models import Message

# transcript_status values
DONE = "done"
FAILED = "failed"
TOO_LONG = "too_long"
OFF = "off"


@dataclass(frozen=True, slots=True)
class AudioJob:
    message_id: int
    conversation_id: int
    media_id: str | None


def audio_job(session: Session, message_id: int) -> AudioJob | None:
    """The audio message to transcribe; None if it is gone, not audio, or already attempted."""
    row = session.execute(
        select(Message.id, Message.conversation_id, Message.media_id).where(
            Message.id == message_id,
            Message.type == "audio",
            Message.transcript_status.is_(None),
        )
    ).first()
    return AudioJob(row.id, row.conversation_id, row.media_id) if row else None


def set_transcript(session: Session, message_id: int, text: str | None, status: str) -> None:
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(transcript=text or None, transcript_status=status)
    )


def untranscribed_pending_audio(session: Session) -> list[tuple[int, int]]:
    """(conversation id, message id) of undecided customer audio never transcribed (start-up)."""
    rows = session.execute(
        select(Message.conversation_id, Message.id)
        .where(
            Message.direction == Direction.IN.value,
            Message.handled.is_(False),
            Message.type == "audio",
            Message.transcript_status.is_(None),
        )
        .order_by(Message.id)
    ).all()
    return [(r.conversation_id, r.id) for r in rows]
