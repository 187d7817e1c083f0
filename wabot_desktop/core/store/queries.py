"""Reads and staff-side writes for the BotService (DB thread). Returns DTOs, never ORM rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from wabot_desktop.core.dto import (
    Author,
    ContactDetails,
    ConversationFilter,
    ConversationMode,
    ConversationSummary,
    Direction,
    LabelInfo,
    MessageStatus,
    MessageView,
    UnattributedMessageView,
)
from wabot_desktop.core.errors import ConversationNotFoundError
from wabot_desktop.core.store.dialect import is_postgres
from wabot_desktop.core.store.models import (
    Contact,
    Conversation,
    ConversationLabel,
    Label,
    Message,
    UnattributedMessage,
)


def display_name(contact: Contact) -> str:
    """Profile name, else @username, else the number as received."""
    if contact.profile_name and contact.profile_name.strip():
        return contact.profile_name.strip()
    if contact.username:
        return "@" + contact.username.lstrip("@")
    if contact.wa_id:
        return "+" + contact.wa_id
    return contact.user_id or "?"


def _labels_for(
    session: Session, conversation_ids: Sequence[int]
) -> dict[int, tuple[LabelInfo, ...]]:
    if not conversation_ids:
        return {}
    rows = session.execute(
        select(ConversationLabel.conversation_id, Label.id, Label.name, Label.color)
        .join(Label, Label.id == ConversationLabel.label_id)
        .where(ConversationLabel.conversation_id.in_(list(conversation_ids)))
        .order_by(Label.name)
    ).all()
    result: dict[int, list[LabelInfo]] = {}
    for conv_id, label_id, name, color in rows:
        result.setdefault(conv_id, []).append(LabelInfo(id=label_id, name=name, color=color))
    return {k: tuple(v) for k, v in result.items()}


def _summary(
    conv: Conversation, contact: Contact, labels: tuple[LabelInfo, ...]
) -> ConversationSummary:
    return ConversationSummary(
        id=conv.id,
        contact_id=contact.id,
        display_name=display_name(contact),
        phone=contact.wa_id,
        username=contact.username,
        mode=ConversationMode(conv.mode),
        staff_name=conv.staff_name,
        last_message_preview=conv.last_message_preview or "",
        last_message_at=conv.last_message_at,
        last_message_author=Author(conv.last_message_author) if conv.last_message_author else None,
        unread_count=conv.unread_count,
        last_customer_message_at=conv.last_customer_message_at,
        labels=labels,
        opted_out=contact.opted_out,
        blocked=contact.blocked,
    )


def _filtered(filter_: ConversationFilter, search: str, label_id: int | None, pg: bool = False):  # type: ignore[no-untyped-def]
    query = select(Conversation, Contact).join(Contact, Contact.id == Conversation.contact_id)
    if filter_ is ConversationFilter.NEEDS_HUMAN:
        query = query.where(Conversation.mode == ConversationMode.NEEDS_HUMAN.value)
    elif filter_ is ConversationFilter.WITH_STAFF:
        query = query.where(Conversation.mode == ConversationMode.HUMAN.value)
    elif filter_ is ConversationFilter.UNREAD:
        query = query.where(Conversation.unread_count > 0)
    if label_id is not None:
        query = query.where(
            exists().where(
                ConversationLabel.conversation_id == Conversation.id,
                ConversationLabel.label_id == label_id,
            )
        )
    term = search.strip()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        digits = "".join(c for c in term if c.isdigit())

        # SQLite's LIKE already ignores ASCII case, exactly like its lower() (neither folds other
        # letters), so ``ilike``'s lower() on every row only cost time. Message text is matched
        # with one pass over the table (IN), not one index walk per conversation (EXISTS): on
        # 200,000 messages about 50 ms instead of 200 ms, on the database thread that webhooks
        # wait for.
        # PostgreSQL's LIKE is case-sensitive: ILIKE there gives the same matches (issue 16).
        def matches(column: Any) -> Any:
            if pg:
                return column.ilike(pattern, escape="\\")
            return column.like(pattern, escape="\\")

        conditions = [
            matches(Contact.profile_name),
            matches(Contact.username),
            Conversation.id.in_(
                select(Message.conversation_id).where(
                    or_(
                        matches(Message.text),
                        matches(Message.transcript),  # voice notes
                    )
                )
            ),
        ]
        if digits:
            conditions.append(Contact.wa_id.like("%" + digits + "%"))
        query = query.where(or_(*conditions))
    return query


def list_conversations(
    session: Session,
    filter_: ConversationFilter,
    search: str,
    label_id: int | None,
    offset: int,
    limit: int,
) -> list[ConversationSummary]:
    query = (
        _filtered(filter_, search, label_id, is_postgres(session))
        .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = session.execute(query).all()
    labels = _labels_for(session, [conv.id for conv, _ in rows])
    return [_summary(conv, contact, labels.get(conv.id, ())) for conv, contact in rows]


def count_conversations(
    session: Session, filter_: ConversationFilter, search: str, label_id: int | None
) -> int:
    subquery = (
        _filtered(filter_, search, label_id, is_postgres(session))
        .with_only_columns(Conversation.id)
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(subquery)) or 0)


def get_conversation(session: Session, conversation_id: int) -> ConversationSummary:
    row = session.execute(
        select(Conversation, Contact)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Conversation.id == conversation_id)
    ).first()
    if row is None:
        raise ConversationNotFoundError(conversation_id)
    conv, contact = row
    return _summary(conv, contact, _labels_for(session, [conv.id]).get(conv.id, ()))


def get_conversations(
    session: Session, conversation_ids: Sequence[int]
) -> list[ConversationSummary]:
    """The chat-list rows of several conversations in one read (missing ids are left out)."""
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        return []
    rows = session.execute(
        select(Conversation, Contact)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Conversation.id.in_(ids))
    ).all()
    labels = _labels_for(session, [conv.id for conv, _ in rows])
    return [_summary(conv, contact, labels.get(conv.id, ())) for conv, contact in rows]


def _message_view(m: Message, quoted: dict[str, str]) -> MessageView:
    buttons: tuple[str, ...] = ()
    if m.direction == Direction.OUT.value and m.raw:
        try:
            decoded = json.loads(m.raw)
            if isinstance(decoded, list):
                buttons = tuple(str(b) for b in decoded)
        except ValueError:
            buttons = ()
    return MessageView(
        id=m.id,
        conversation_id=m.conversation_id,
        wamid=m.wamid,
        direction=Direction(m.direction),
        author=Author(m.author),
        staff_name=m.staff_name,
        type=m.type,
        text=m.text,
        status=MessageStatus(m.status),
        error_code=m.error_code,
        error_title=m.error_title,
        created_at=m.created_at,
        reply_to_wamid=m.reply_to_wamid,
        reply_to_preview=quoted.get(m.reply_to_wamid) if m.reply_to_wamid else None,
        media_id=m.media_id,
        media_mime=m.media_mime,
        media_filename=m.media_filename,
        media_voice=m.media_voice,
        media_path=m.media_path,
        transcript=m.transcript,
        latitude=m.latitude,
        longitude=m.longitude,
        location_name=m.location_name,
        location_address=m.location_address,
        forwarded=m.forwarded,
        frequently_forwarded=m.frequently_forwarded,
        unsupported_type=m.unsupported_type,
        buttons=buttons,
    )


def _quoted(session: Session, rows: Sequence[Message]) -> dict[str, str]:
    wamids = {m.reply_to_wamid for m in rows if m.reply_to_wamid}
    if not wamids:
        return {}
    found = session.execute(
        select(Message.wamid, Message.text, Message.type).where(Message.wamid.in_(wamids))
    ).all()
    return {w: (t or f"[{ty}]") for w, t, ty in found if w}


def get_messages(
    session: Session,
    conversation_id: int,
    before_id: int | None,
    limit: int,
    after_id: int | None = None,
) -> list[MessageView]:
    """Up to ``limit`` messages, oldest first: the newest ones before ``before_id`` (or overall),
    or, with ``after_id``, the oldest ones after it."""
    query = select(Message).where(Message.conversation_id == conversation_id)
    if after_id is not None:
        query = query.where(Message.id > after_id)
        if before_id is not None:
            query = query.where(Message.id < before_id)
        rows = list(session.scalars(query.order_by(Message.id).limit(limit)).all())
    else:
        if before_id is not None:
            query = query.where(Message.id < before_id)
        rows = list(session.scalars(query.order_by(Message.id.desc()).limit(limit)).all())
        rows.reverse()
    quoted = _quoted(session, rows)
    return [_message_view(m, quoted) for m in rows]


def get_message(session: Session, message_id: int) -> MessageView:
    m = session.get(Message, message_id)
    if m is None:
        raise ConversationNotFoundError(f"message {message_id}")
    return _message_view(m, _quoted(session, [m]))


def mark_read(session: Session, conversation_id: int) -> str | None:
    """Zero the unread count; returns the newest inbound wamid (for a read receipt)."""
    session.execute(
        update(Conversation).where(Conversation.id == conversation_id).values(unread_count=0)
    )
    return session.scalar(
        select(Message.wamid)
        .where(Message.conversation_id == conversation_id, Message.direction == Direction.IN.value)
        .order_by(Message.id.desc())
        .limit(1)
    )


def get_contact(session: Session, conversation_id: int) -> ContactDetails:
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise ConversationNotFoundError(conversation_id)
    contact = session.get(Contact, conv.contact_id)
    assert contact is not None
    return ContactDetails(
        id=contact.id,
        conversation_id=conv.id,
        display_name=display_name(contact),
        profile_name=contact.profile_name,
        phone=contact.wa_id,
        user_id=contact.user_id,
        username=contact.username,
        first_seen_at=contact.first_seen_at,
        last_seen_at=contact.last_seen_at,
        notes=contact.notes or "",
        opted_out=contact.opted_out,
        blocked=contact.blocked,
        labels=_labels_for(session, [conv.id]).get(conv.id, ()),
    )


def conversation_of_contact(session: Session, contact_id: int) -> int | None:
    return session.scalar(select(Conversation.id).where(Conversation.contact_id == contact_id))


def update_contact(session: Session, contact_id: int, **values: object) -> int | None:
    session.execute(update(Contact).where(Contact.id == contact_id).values(**values))
    return conversation_of_contact(session, contact_id)


def list_labels(session: Session) -> list[LabelInfo]:
    return [
        LabelInfo(id=label.id, name=label.name, color=label.color)
        for label in session.scalars(select(Label).order_by(Label.name))
    ]


def create_label(session: Session, name: str, color: str) -> LabelInfo:
    label = Label(name=name, color=color)
    session.add(label)
    session.flush()
    return LabelInfo(id=label.id, name=label.name, color=label.color)


def delete_label(session: Session, label_id: int) -> list[int]:
    affected = list(
        session.scalars(
            select(ConversationLabel.conversation_id).where(ConversationLabel.label_id == label_id)
        )
    )
    session.execute(delete(Label).where(Label.id == label_id))
    return affected


def set_conversation_labels(
    session: Session, conversation_id: int, label_ids: Sequence[int]
) -> None:
    session.execute(
        delete(ConversationLabel).where(ConversationLabel.conversation_id == conversation_id)
    )
    for label_id in dict.fromkeys(label_ids):
        session.add(ConversationLabel(conversation_id=conversation_id, label_id=label_id))


def export_rows(session: Session, conversation_id: int) -> tuple[ContactDetails, list[MessageView]]:
    contact = get_contact(session, conversation_id)
    rows = list(
        session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        )
    )
    quoted = _quoted(session, rows)
    return contact, [_message_view(m, quoted) for m in rows]


def delete_contact(session: Session, contact_id: int) -> tuple[int | None, list[str]]:
    """Delete a contact with its conversation, messages and outbox rows; returns media paths."""
    conversation_id = conversation_of_contact(session, contact_id)
    paths: list[str] = []
    if conversation_id is not None:
        paths = [
            p
            for p in session.scalars(
                select(Message.media_path).where(
                    Message.conversation_id == conversation_id, Message.media_path.is_not(None)
                )
            )
            if p
        ]
    session.execute(delete(Contact).where(Contact.id == contact_id))
    return conversation_id, paths


def media_of(
    session: Session, message_id: int
) -> tuple[int, str | None, str | None, str | None, str | None]:
    m = session.get(Message, message_id)
    if m is None:
        raise ConversationNotFoundError(f"message {message_id}")
    return m.conversation_id, m.media_id, m.media_filename, m.media_mime, m.media_path


def set_media_path(session: Session, message_id: int, path: str) -> None:
    session.execute(update(Message).where(Message.id == message_id).values(media_path=path))


def db_ok(session: Session) -> bool:
    return session.scalar(select(1)) == 1


def unattributed_count(session: Session) -> int:
    """How many kept customer messages named no sender."""
    return int(session.scalar(select(func.count()).select_from(UnattributedMessage)) or 0)


def list_unattributed(session: Session, limit: int) -> list[UnattributedMessageView]:
    """The newest kept customer messages that named no sender."""
    rows = session.execute(
        select(
            UnattributedMessage.wamid,
            UnattributedMessage.type,
            UnattributedMessage.text,
            UnattributedMessage.received_at,
        )
        .order_by(UnattributedMessage.received_at.desc(), UnattributedMessage.id.desc())
        .limit(limit)
    ).all()
    return [UnattributedMessageView(r.wamid, r.type, r.text, r.received_at) for r in rows]
