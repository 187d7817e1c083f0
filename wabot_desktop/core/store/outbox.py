"""Outbox rows: written in the same transaction as the decision to reply, sent afterwards.

Runs on the DB thread. ``queue_replies`` is the one place where outbound messages are created:
message rows (status ``queued``) + outbox rows + the inbound messages they answer marked handled,
all in one commit. A crash before the commit means the inbound messages are still unhandled and
are decided again on restart; after it, the outbox rows are sent on restart.

A row whose send started (``send_started_at``) but got no answer from Meta is "in doubt" after a
stop: Meta may have accepted it. Every send carries ``biz_opaque_callback_data`` =
:func:`callback_data_for` (the row id), which Meta echoes in the message's status webhooks, so
start-up can tell a delivered row from a lost one (see ``OutboxSender``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from wabot_desktop.core.dto import Author, Direction, InDoubtDecision, MessageStatus, OutboxState
from wabot_desktop.core.store.dialect import is_postgres
from wabot_desktop.core.store.ingest import (
    StatusChange,
    _Raw,
    _Sql,
    apply_pending_statuses,
    preview_for,
)
from wabot_desktop.core.store.models import (
    Conversation,
    Message,
    MessageStatusEvent,
    OutboxItem,
)

CALLBACK_PREFIX = "wabot-outbox:"
# The rows' states and start-up's in-doubt decisions are core.dto's OutboxState and
# InDoubtDecision (stored as their values).


def callback_data_for(outbox_id: int) -> str:
    """The ``biz_opaque_callback_data`` sent with a row: Meta echoes it in status webhooks."""
    return f"{CALLBACK_PREFIX}{outbox_id}"


@dataclass(frozen=True, slots=True)
class InDoubtItem:
    outbox_id: int
    message_id: int
    conversation_id: int
    send_started_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundSpec:
    """One message to send: what the monitor shows and the Graph API payload."""

    type: str  # "text" | "reaction" | "interactive" | "template"
    text: str | None
    payload: dict[str, Any]
    reply_to_wamid: str | None = None
    buttons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    message_id: int
    conversation_id: int


@dataclass(frozen=True, slots=True)
class DueItem:
    outbox_id: int
    message_id: int
    conversation_id: int
    payload: dict[str, Any]
    attempts: int
    created_at: float


@dataclass(slots=True)
class SentResult:
    status_changes: list[StatusChange] = field(default_factory=list)


_MESSAGE_FIELDS = (
    "conversation_id",
    "wamid",
    "direction",
    "author",
    "staff_name",
    "type",
    "text",
    "status",
    "reply_to_wamid",
    "created_at",
    "handled",
    "raw",
)
_INSERT_MESSAGE = _Sql.of(
    insert(Message).values({f: bindparam(f) for f in _MESSAGE_FIELDS}).returning(Message.id)
)
_OUTBOX_FIELDS = (
    "message_id",
    "conversation_id",
    "payload",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
    "updated_at",
)
_INSERT_OUTBOX = _Sql.of(insert(OutboxItem).values({f: bindparam(f) for f in _OUTBOX_FIELDS}))
_TOUCH_VALUES: dict[str, Any] = {
    "last_message_at": bindparam("now"),
    "last_message_preview": bindparam("preview"),
    "last_message_author": bindparam("author"),
}
_TOUCH = update(Conversation).where(Conversation.id == bindparam("conv"))
_TOUCH_CONVERSATION = _Sql.of(_TOUCH.values(_TOUCH_VALUES))
_TOUCH_BY_AUTHOR = {
    Author.BOT: _Sql.of(_TOUCH.values({**_TOUCH_VALUES, "last_bot_message_at": bindparam("now")})),
    Author.STAFF: _Sql.of(
        _TOUCH.values({**_TOUCH_VALUES, "last_staff_message_at": bindparam("now")})
    ),
}


def queue_replies(
    session: Session,
    *,
    conversation_id: int,
    specs: Sequence[OutboundSpec],
    author: Author,
    staff_name: str | None,
    handled_ids: Sequence[int],
    now: float,
) -> list[QueuedMessage]:
    """Store outbound messages + outbox rows and mark ``handled_ids`` handled, atomically."""
    # Compiled statements on the transaction's cursor (as the webhook ingest does), not ORM
    # objects: this runs for every bot reply between the model's answer and the send, where
    # the ORM's unit of work cost ~2 ms.
    raw = _Raw(session)
    queued: list[QueuedMessage] = []
    for spec in specs:
        buttons_raw = json.dumps(list(spec.buttons), ensure_ascii=False) if spec.buttons else None
        message_id = int(
            raw.first(
                _INSERT_MESSAGE,
                {
                    "conversation_id": conversation_id,
                    "wamid": None,
                    "direction": Direction.OUT.value,
                    "author": author.value,
                    "staff_name": staff_name,
                    "type": spec.type,
                    "text": spec.text,
                    "status": MessageStatus.QUEUED.value,
                    "reply_to_wamid": spec.reply_to_wamid,
                    "created_at": now,
                    "handled": True,
                    "raw": buttons_raw,
                },
            )[0]
        )
        raw.run(
            _INSERT_OUTBOX,
            {
                "message_id": message_id,
                "conversation_id": conversation_id,
                "payload": json.dumps(spec.payload, ensure_ascii=False),
                "state": OutboxState.QUEUED.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            },
        )
        queued.append(QueuedMessage(message_id, conversation_id))
    if handled_ids:
        session.connection().execute(
            update(Message).where(Message.id.in_(list(handled_ids))).values(handled=True)
        )
    visible = [s for s in specs if s.type != "reaction"]
    if visible:
        last = visible[-1]
        touch = _TOUCH_BY_AUTHOR.get(author, _TOUCH_CONVERSATION)
        raw.run(
            touch,
            {
                "conv": conversation_id,
                "now": now,
                "preview": preview_for(last.type, last.text),
                "author": author.value,
            },
        )
    return queued


def due_conversations(session: Session, now: float) -> list[int]:
    """Conversations with at least one queued row whose time has come."""
    query = (
        select(OutboxItem.conversation_id)
        .where(OutboxItem.state == OutboxState.QUEUED.value, OutboxItem.next_attempt_at <= now)
        .distinct()
    )
    return list(session.scalars(query))


def due_items(session: Session, now: float, conversation_id: int) -> list[DueItem]:
    """The conversation's queued rows, oldest first, up to the first one not yet due.

    Stopping there keeps a conversation's messages in order while one of them waits for a retry.
    """
    # Plain rows on the connection (no ORM objects): the lane runs this before every send.
    rows = (
        session.connection()
        .execute(
            select(
                OutboxItem.id,
                OutboxItem.message_id,
                OutboxItem.conversation_id,
                OutboxItem.payload,
                OutboxItem.attempts,
                OutboxItem.next_attempt_at,
                OutboxItem.created_at,
            )
            .where(
                OutboxItem.state == OutboxState.QUEUED.value,
                OutboxItem.conversation_id == conversation_id,
            )
            .order_by(OutboxItem.id)
        )
        .all()
    )
    items: list[DueItem] = []
    for r in rows:
        if r.next_attempt_at > now:
            break
        items.append(
            DueItem(
                r.id,
                r.message_id,
                r.conversation_id,
                json.loads(r.payload),
                r.attempts,
                r.created_at,
            )
        )
    return items


def reset_backoff(session: Session, now: float) -> int:
    """Start-up recovery: queued rows are due at once (the outage that delayed them may be over)."""
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.state == OutboxState.QUEUED.value, OutboxItem.next_attempt_at > now)
        .values(next_attempt_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def next_due_at(session: Session) -> float | None:
    return session.scalar(
        select(func.min(OutboxItem.next_attempt_at)).where(
            OutboxItem.state == OutboxState.QUEUED.value
        )
    )


def mark_send_started(session: Session, outbox_id: int, now: float) -> None:
    """Committed before the request leaves: if no answer is recorded, the row is in doubt."""
    session.execute(
        update(OutboxItem).where(OutboxItem.id == outbox_id).values(send_started_at=now)
    )


def claim_send(session: Session, outbox_id: int, now: float) -> bool:
    """Claim a row for sending: still queued, and (PostgreSQL) not locked by another instance.

    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: two instances never both claim a row, and one
    whose row was sent meanwhile (state no longer queued) sends nothing. Then marked as started
    in the same commit (see :func:`mark_send_started`).
    """
    query = select(OutboxItem.id).where(
        OutboxItem.id == outbox_id, OutboxItem.state == OutboxState.QUEUED.value
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    if session.scalar(query) is None:
        return False
    mark_send_started(session, outbox_id, now)
    return True


def in_doubt_items(session: Session, conversation_id: int | None = None) -> list[InDoubtItem]:
    """Queued rows whose last send started but got no answer (a stop or crash meanwhile)."""
    query = (
        select(
            OutboxItem.id,
            OutboxItem.message_id,
            OutboxItem.conversation_id,
            OutboxItem.send_started_at,
        )
        .where(
            OutboxItem.state == OutboxState.QUEUED.value, OutboxItem.send_started_at.is_not(None)
        )
        .order_by(OutboxItem.id)
    )
    if conversation_id is not None:
        query = query.where(OutboxItem.conversation_id == conversation_id)
    rows = session.execute(query).all()
    return [InDoubtItem(r.id, r.message_id, r.conversation_id, r.send_started_at) for r in rows]


def confirmed_wamids(session: Session, outbox_ids: Sequence[int]) -> dict[int, str]:
    """outbox id -> wamid, for rows a status webhook (by its callback data) shows Meta took."""
    if not outbox_ids:
        return {}
    tags = {callback_data_for(i): i for i in outbox_ids}
    rows = session.execute(
        select(MessageStatusEvent.callback_data, MessageStatusEvent.wamid).where(
            MessageStatusEvent.callback_data.in_(list(tags))
        )
    ).all()
    return {tags[r.callback_data]: r.wamid for r in rows}


def record_in_doubt_decision(
    session: Session, outbox_id: int, decision: InDoubtDecision, now: float
) -> None:
    """Keep what start-up decided; a row to resend becomes an ordinary queued row again."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id)
        .values(
            in_doubt_decision=InDoubtDecision(decision).value, send_started_at=None, updated_at=now
        )
    )


def mark_sent(
    session: Session, outbox_id: int, message_id: int, wamid: str, now: float
) -> SentResult:
    """Record Meta's acceptance: wamid on the message, tick ``sent`` (or better, if known)."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id)
        .values(
            state=OutboxState.SENT.value,
            updated_at=now,
            attempts=OutboxItem.attempts + 1,
            send_started_at=None,
        )
    )
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(wamid=wamid, status=MessageStatus.SENT.value)
    )
    return SentResult(apply_pending_statuses(session, message_id, wamid))


def mark_not_sent(session: Session, outbox_id: int, now: float) -> None:
    """Meta answered with a refusal (e.g. a rejected token): the row stays queued, not in doubt."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id)
        .values(send_started_at=None, updated_at=now)
    )


def mark_retry(
    session: Session, outbox_id: int, next_at: float, code: int | None, attempts: int, now: float
) -> None:
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id)
        .values(
            next_attempt_at=next_at,
            last_error_code=code,
            attempts=attempts,
            updated_at=now,
            send_started_at=None,
        )
    )


def mark_failed(
    session: Session,
    outbox_id: int,
    message_id: int,
    code: int | None,
    title: str | None,
    attempts: int,
    now: float,
) -> StatusChange:
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id)
        .values(
            state=OutboxState.FAILED.value,
            last_error_code=code,
            attempts=attempts,
            updated_at=now,
            send_started_at=None,
        )
    )
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=MessageStatus.FAILED.value, error_code=code, error_title=title)
    )
    conversation_id = session.scalar(
        select(Message.conversation_id).where(Message.id == message_id)
    )
    assert conversation_id is not None
    return StatusChange(conversation_id, message_id, MessageStatus.FAILED, code)


def outbox_counts(session: Session) -> tuple[int, int]:
    """(queued, failed) row counts."""
    queued = (
        session.scalar(select(func.count()).where(OutboxItem.state == OutboxState.QUEUED.value))
        or 0
    )
    failed = (
        session.scalar(select(func.count()).where(OutboxItem.state == OutboxState.FAILED.value))
        or 0
    )
    return int(queued), int(failed)
