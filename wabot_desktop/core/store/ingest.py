"""Storing webhook bodies: one transaction for a group of bodies, a savepoint per body.

Runs on the DB thread. Inbound messages are deduplicated atomically by their UNIQUE wamid
(``INSERT ... ON CONFLICT DO NOTHING RETURNING``), statuses by (wamid, status) and applied
monotonically. What the bot and the GUI must hear about comes back as plain outcomes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from wabot_desktop.core.dto import Author, ConversationMode, Direction
from wabot_desktop.core.logs import mask_phone
from wabot_desktop.core.store.models import (
    Contact,
    Conversation,
    Message,
    MessageStatusEvent,
    RawEvent,
)
from wabot_desktop.core.whatsapp.models import (
    InboundMessage,
    MessageType,
    ParsedWebhook,
    StatusKind,
    StatusUpdate,
    status_advances,
)

logger = logging.getLogger(__name__)

# Inbound types the bot never answers: stored as already handled.
NO_REPLY_TYPES = frozenset(
    {
        MessageType.REACTION,
        MessageType.SYSTEM,
        MessageType.STICKER,
        MessageType.EDIT,
        MessageType.REVOKE,
    }
)
INBOUND_STATUS = "received"


@dataclass(frozen=True, slots=True)
class IngestItem:
    """One accepted webhook body and what was parsed from it."""

    body: bytes
    parsed: ParsedWebhook
    received_at: float


@dataclass(frozen=True, slots=True)
class NewMessage:
    conversation_id: int
    message_id: int
    contact_id: int
    needs_bot: bool


@dataclass(frozen=True, slots=True)
class StatusChange:
    conversation_id: int
    message_id: int
    status: str
    error_code: int | None


@dataclass(slots=True)
class IngestOutcome:
    """What one body changed. ``error`` is set when its savepoint failed (answer 503)."""

    new_messages: list[NewMessage] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    account_error_codes: list[int] = field(default_factory=list)
    duplicates: int = 0
    unidentified: int = 0
    error: BaseException | None = None


def body_hash(body: bytes) -> str:
    """Short id of a body for logs (never the body itself)."""
    return hashlib.sha256(body).hexdigest()[:12]


def preview_for(
    msg_type: str,
    text: str | None,
    *,
    filename: str | None = None,
    location_name: str | None = None,
) -> str:
    """One-line chat-list preview: words when there are words, else ``[type]`` markers."""
    if text:
        return " ".join(text.split())[:200]
    if msg_type == MessageType.DOCUMENT and filename:
        return f"[document] {filename}"[:200]
    if msg_type == MessageType.LOCATION and location_name:
        return f"[location] {location_name}"[:200]
    return f"[{msg_type}]"


def resolve_contact(
    session: Session,
    *,
    wa_id: str | None,
    user_id: str | None,
    profile_name: str | None,
    username: str | None,
    now: float,
) -> tuple[int, int]:
    """Find or create the contact (by user_id, then wa_id) and its conversation."""
    contact: Contact | None = None
    if user_id:
        contact = session.scalar(select(Contact).where(Contact.user_id == user_id))
    if contact is None and wa_id:
        contact = session.scalar(select(Contact).where(Contact.wa_id == wa_id))
    if contact is None:
        contact = Contact(
            wa_id=wa_id,
            user_id=user_id,
            profile_name=profile_name,
            username=username,
            notes="",
            first_seen_at=now,
            last_seen_at=now,
        )
        session.add(contact)
        session.flush()
    else:
        if user_id and not contact.user_id:
            contact.user_id = user_id
        if wa_id and not contact.wa_id:
            contact.wa_id = wa_id
        if profile_name:
            contact.profile_name = profile_name
        if username:
            contact.username = username
        contact.last_seen_at = now
    conversation_id = session.scalar(
        select(Conversation.id).where(Conversation.contact_id == contact.id)
    )
    if conversation_id is None:
        conversation = Conversation(
            contact_id=contact.id,
            mode=ConversationMode.BOT.value,
            created_at=now,
            last_message_preview="",
        )
        session.add(conversation)
        session.flush()
        conversation_id = conversation.id
    return contact.id, conversation_id


def _message_values(
    msg: InboundMessage, conversation_id: int, now: float, handled: bool
) -> dict[str, object]:
    media = msg.media
    location = msg.location
    context = msg.context
    reply_to = context.id if context else None
    if msg.reaction is not None:
        reply_to = msg.reaction.message_id
    return {
        "conversation_id": conversation_id,
        "wamid": msg.wamid,
        "direction": Direction.IN.value,
        "author": Author.CUSTOMER.value if msg.type != MessageType.SYSTEM else Author.SYSTEM.value,
        "type": msg.type.value,
        "text": msg.text,
        "status": INBOUND_STATUS,
        "reply_to_wamid": reply_to,
        "media_id": media.id if media else None,
        "media_mime": media.mime_type if media else None,
        "media_sha256": media.sha256 if media else None,
        "media_filename": media.filename if media else None,
        "media_voice": bool(media and media.voice),
        "latitude": location.latitude if location else None,
        "longitude": location.longitude if location else None,
        "location_name": location.name if location else None,
        "location_address": location.address if location else None,
        "interactive_id": (
            msg.interactive.id if msg.interactive else (msg.button.payload if msg.button else None)
        ),
        "forwarded": bool(context and context.forwarded),
        "frequently_forwarded": bool(context and context.frequently_forwarded),
        "unsupported_type": msg.unsupported_type,
        "error_code": msg.errors[0].code if msg.errors else None,
        "error_title": msg.errors[0].title if msg.errors else None,
        "wa_timestamp": msg.timestamp,
        "created_at": now,
        "handled": handled,
        "raw": msg.raw,
    }


def _store_message(
    session: Session, msg: InboundMessage, now: float, outcome: IngestOutcome
) -> None:
    wa_id = msg.from_wa_id or msg.sender.wa_id
    user_id = msg.from_user_id or msg.sender.user_id
    if not wa_id and not user_id:
        # Nobody to attribute it to or to answer: logged, not stored.
        outcome.unidentified += 1
        logger.info("skipping inbound message without sender (type %s)", msg.raw_type)
        return
    if msg.type == MessageType.SYSTEM and msg.system and msg.system.type == "user_changed_number":
        logger.info("customer %s changed number", mask_phone(wa_id))
    contact_id, conversation_id = resolve_contact(
        session,
        wa_id=wa_id,
        user_id=user_id,
        profile_name=msg.sender.name,
        username=msg.sender.username,
        now=now,
    )
    contact_blocked = bool(session.scalar(select(Contact.blocked).where(Contact.id == contact_id)))
    needs_bot = msg.type not in NO_REPLY_TYPES and not contact_blocked
    statement = (
        sqlite_insert(Message)
        .values(**_message_values(msg, conversation_id, now, handled=not needs_bot))
        .on_conflict_do_nothing(index_elements=[Message.wamid])
        .returning(Message.id)
    )
    message_id = session.execute(statement).scalar_one_or_none()
    if message_id is None:
        outcome.duplicates += 1
        return
    sent_at = float(msg.timestamp) if msg.timestamp else now
    conversation = session.get(Conversation, conversation_id)
    assert conversation is not None
    # System messages and reactions do not open the customer service window.
    if msg.type not in (MessageType.SYSTEM, MessageType.REACTION) and (
        conversation.last_customer_message_at is None
        or sent_at > conversation.last_customer_message_at
    ):
        conversation.last_customer_message_at = min(sent_at, now)
    conversation.last_message_at = max(conversation.last_message_at or 0.0, now)
    conversation.last_message_preview = preview_for(
        msg.type.value,
        msg.text,
        filename=msg.media.filename if msg.media else None,
        location_name=msg.location.name if msg.location else None,
    )
    conversation.last_message_author = Author.CUSTOMER.value
    if msg.type != MessageType.REACTION:
        conversation.unread_count = (conversation.unread_count or 0) + 1
    if msg.referral is not None:
        session.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(
                referral_json=json.dumps(
                    {
                        "headline": msg.referral.headline,
                        "source_id": msg.referral.source_id,
                        "source_type": msg.referral.source_type,
                        "source_url": msg.referral.source_url,
                    },
                    ensure_ascii=False,
                )
            )
        )
    outcome.new_messages.append(NewMessage(conversation_id, message_id, contact_id, needs_bot))


def apply_status(session: Session, status: StatusUpdate, now: float) -> StatusChange | None:
    """Record a status event (deduplicated) and move the message's tick forward if it advances."""
    error = status.errors[0] if status.errors else None
    session.execute(
        sqlite_insert(MessageStatusEvent)
        .values(
            wamid=status.wamid,
            status=status.raw_status[:32],
            wa_timestamp=status.timestamp,
            error_code=error.code if error else None,
            error_title=(error.details or error.message or error.title) if error else None,
            received_at=now,
        )
        .on_conflict_do_nothing(
            index_elements=[MessageStatusEvent.wamid, MessageStatusEvent.status]
        )
    )
    if status.status is StatusKind.UNKNOWN:
        return None
    row = session.execute(
        select(Message.id, Message.status, Message.conversation_id).where(
            Message.wamid == status.wamid, Message.direction == Direction.OUT.value
        )
    ).first()
    if row is None:
        return None  # not (yet) known: applied when the outbox records the wamid
    return _advance(
        session,
        row.id,
        row.conversation_id,
        StatusKind.parse(row.status) if row.status != "queued" else StatusKind.QUEUED,
        status.status,
        error.code if error else None,
        (error.details or error.message or error.title) if error else None,
    )


def _advance(
    session: Session,
    message_id: int,
    conversation_id: int,
    current: StatusKind,
    new: StatusKind,
    error_code: int | None,
    error_title: str | None,
) -> StatusChange | None:
    if not status_advances(current, new):
        return None
    values: dict[str, object] = {"status": new.value}
    if new is StatusKind.FAILED:
        values["error_code"] = error_code
        values["error_title"] = error_title
    session.execute(update(Message).where(Message.id == message_id).values(**values))
    return StatusChange(
        conversation_id, message_id, new.value, error_code if new is StatusKind.FAILED else None
    )


def apply_pending_statuses(session: Session, message_id: int, wamid: str) -> list[StatusChange]:
    """Apply statuses that arrived before the outbox learned this message's wamid."""
    changes: list[StatusChange] = []
    events = (
        session.execute(select(MessageStatusEvent).where(MessageStatusEvent.wamid == wamid))
        .scalars()
        .all()
    )
    if not events:
        return changes
    row = session.execute(
        select(Message.status, Message.conversation_id).where(Message.id == message_id)
    ).one()
    current = StatusKind.QUEUED if row.status == "queued" else StatusKind.parse(row.status)
    best: MessageStatusEvent | None = None
    for ev in events:
        kind = StatusKind.parse(ev.status)
        if kind is StatusKind.UNKNOWN:
            continue
        if best is None or kind.rank > StatusKind.parse(best.status).rank:
            best = ev
    if best is not None:
        change = _advance(
            session,
            message_id,
            row.conversation_id,
            current,
            StatusKind.parse(best.status),
            best.error_code,
            best.error_title,
        )
        if change:
            changes.append(change)
    return changes


def _apply_one(session: Session, item: IngestItem, outcome: IngestOutcome) -> None:
    parsed = item.parsed
    now = item.received_at
    session.add(
        RawEvent(
            received_at=now,
            body_sha256=hashlib.sha256(item.body).hexdigest(),
            body=item.body.decode("utf-8", errors="replace").replace("\x00", ""),
        )
    )
    for msg in parsed.messages:
        _store_message(session, msg, now, outcome)
    for status in parsed.statuses:
        change = apply_status(session, status, now)
        if change is not None:
            outcome.status_changes.append(change)
    for account_errors in parsed.account_errors:
        outcome.account_error_codes.extend(
            e.code for e in account_errors.errors if e.code is not None
        )
    for pref in parsed.user_preferences:
        if pref.category == "marketing_messages" and pref.value in ("stop", "resume"):
            condition = (
                Contact.wa_id == pref.wa_id if pref.wa_id else Contact.user_id == pref.user_id
            )
            session.execute(
                update(Contact).where(condition).values(marketing_opt_out=pref.value == "stop")
            )


def apply_batch(session: Session, items: list[IngestItem]) -> list[IngestOutcome]:
    """Store every item, each in its own savepoint; the caller's transaction commits them all."""
    outcomes: list[IngestOutcome] = []
    for item in items:
        outcome = IngestOutcome()
        try:
            with session.begin_nested():
                _apply_one(session, item, outcome)
        except Exception as exc:  # one bad body must not cost the others their commit
            logger.exception("storing webhook %s failed", body_hash(item.body))
            outcome = IngestOutcome(error=exc)
        outcomes.append(outcome)
    return outcomes


def now() -> float:
    return time.time()
