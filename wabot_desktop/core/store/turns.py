"""What a conversation worker reads and writes on the DB thread to decide one turn."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from wabot_desktop.core.dto import Author, ConversationMode, Direction
from wabot_desktop.core.store.models import Contact, Conversation, Message


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnMessage:
    """A message as the bot sees it (pending customer messages and history)."""

    id: int
    wamid: str | None
    author: str
    type: str
    text: str | None
    wa_timestamp: int | None
    created_at: float
    media_filename: str | None = None
    media_voice: bool = False
    latitude: float | None = None
    longitude: float | None = None
    location_name: str | None = None
    location_address: str | None = None
    unsupported_type: str | None = None

    @property
    def sent_at(self) -> float:
        """When the customer sent it (WhatsApp's timestamp), else when we stored it."""
        return float(self.wa_timestamp) if self.wa_timestamp else self.created_at


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnState:
    conversation_id: int
    contact_id: int
    wa_id: str | None
    user_id: str | None
    profile_name: str | None
    mode: ConversationMode
    mode_changed_at: float | None
    staff_name: str | None
    last_staff_message_at: float | None
    opted_out: bool
    blocked: bool
    greeting_sent: bool
    away_sent_for_window: float | None
    is_first_conversation: bool
    pending: tuple[TurnMessage, ...]
    history: tuple[TurnMessage, ...]
    bot_replies_last_minute: tuple[float, ...]
    customer_messages_last_minute: int


def _turn_message(m: Message) -> TurnMessage:
    return TurnMessage(
        id=m.id,
        wamid=m.wamid,
        author=m.author,
        type=m.type,
        text=m.text,
        wa_timestamp=m.wa_timestamp,
        created_at=m.created_at,
        media_filename=m.media_filename,
        media_voice=m.media_voice,
        latitude=m.latitude,
        longitude=m.longitude,
        location_name=m.location_name,
        location_address=m.location_address,
        unsupported_type=m.unsupported_type,
    )


def load_turn_state(
    session: Session, conversation_id: int, now: float, history_limit: int = 40
) -> TurnState | None:
    """Everything the decision needs, read in one transaction; None if the chat is gone."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    contact = session.get(Contact, conversation.contact_id)
    assert contact is not None
    pending_rows = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.IN.value,
            Message.handled.is_(False),
        )
        .order_by(Message.id)
    ).all()
    first_pending = pending_rows[0].id if pending_rows else None
    history_query = select(Message).where(
        Message.conversation_id == conversation_id, Message.type != "reaction"
    )
    if first_pending is not None:
        history_query = history_query.where(Message.id < first_pending)
    history_rows = list(
        session.scalars(history_query.order_by(Message.id.desc()).limit(history_limit)).all()
    )
    history_rows.reverse()
    bot_times = session.scalars(
        select(Message.created_at).where(
            Message.conversation_id == conversation_id,
            Message.author == Author.BOT.value,
            Message.created_at > now - 60,
        )
    ).all()
    customer_count = session.scalar(
        select(func.count()).where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.IN.value,
            Message.created_at > now - 60,
        )
    )
    earlier = session.scalar(
        select(func.count()).where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.IN.value,
            Message.handled.is_(True),
        )
    )
    return TurnState(
        conversation_id=conversation_id,
        contact_id=contact.id,
        wa_id=contact.wa_id,
        user_id=contact.user_id,
        profile_name=contact.profile_name,
        mode=ConversationMode(conversation.mode),
        mode_changed_at=conversation.mode_changed_at,
        staff_name=conversation.staff_name,
        last_staff_message_at=conversation.last_staff_message_at,
        opted_out=contact.opted_out,
        blocked=contact.blocked,
        greeting_sent=conversation.greeting_sent,
        away_sent_for_window=conversation.away_sent_for_window,
        is_first_conversation=not earlier and conversation.last_bot_message_at is None,
        pending=tuple(_turn_message(m) for m in pending_rows),
        history=tuple(_turn_message(m) for m in history_rows),
        bot_replies_last_minute=tuple(sorted(bot_times)),
        customer_messages_last_minute=int(customer_count or 0),
    )


def set_mode(
    session: Session,
    conversation_id: int,
    mode: ConversationMode,
    now: float,
    staff_name: str | None = None,
) -> bool:
    """Change the mode; True if it changed. Leaving HUMAN forgets the staff name."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    new_staff = staff_name if mode is ConversationMode.HUMAN else None
    if conversation.mode == mode.value and conversation.staff_name == new_staff:
        return False
    conversation.mode = mode.value
    conversation.staff_name = new_staff
    conversation.mode_changed_at = now
    return True


def mark_handled(session: Session, message_ids: list[int]) -> None:
    if message_ids:
        session.execute(update(Message).where(Message.id.in_(message_ids)).values(handled=True))


def mark_all_pending_handled(session: Session, conversation_id: int) -> None:
    """Staff dealt with everything so far: the bot never answers these later."""
    session.execute(
        update(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.IN.value,
            Message.handled.is_(False),
        )
        .values(handled=True)
    )


def conversations_with_pending(session: Session) -> list[int]:
    """Conversations with stored but undecided customer messages (start-up recovery)."""
    return list(
        session.scalars(
            select(Message.conversation_id)
            .where(Message.direction == Direction.IN.value, Message.handled.is_(False))
            .distinct()
        )
    )


def expired_modes(
    session: Session, now: float, human_quiet_s: float, needs_human_timeout_s: float
) -> list[int]:
    """Conversations whose HUMAN quiet period or NEEDS_HUMAN timeout has passed."""
    ids: list[int] = []
    for conv in session.scalars(
        select(Conversation).where(Conversation.mode != ConversationMode.BOT.value)
    ):
        if conv.mode == ConversationMode.HUMAN.value:
            last = max(conv.last_staff_message_at or 0.0, conv.mode_changed_at or 0.0)
            if now - last >= human_quiet_s:
                ids.append(conv.id)
        elif now - (conv.mode_changed_at or 0.0) >= needs_human_timeout_s:
            ids.append(conv.id)
    return ids


def set_contact_opt_out(session: Session, contact_id: int, opted_out: bool) -> None:
    session.execute(update(Contact).where(Contact.id == contact_id).values(opted_out=opted_out))


def mark_turn_flags(
    session: Session, conversation_id: int, *, greeting: bool = False, away_at: float | None = None
) -> None:
    values: dict[str, object] = {}
    if greeting:
        values["greeting_sent"] = True
    if away_at is not None:
        values["away_sent_for_window"] = away_at
    if values:
        session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(**values)
        )


def current_mode(session: Session, conversation_id: int) -> tuple[ConversationMode, bool] | None:
    """(mode, contact opted out) right now, for the last check before queueing a bot reply."""
    row = session.execute(
        select(Conversation.mode, Contact.opted_out)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Conversation.id == conversation_id)
    ).first()
    if row is None:
        return None
    return ConversationMode(row.mode), bool(row.opted_out)
