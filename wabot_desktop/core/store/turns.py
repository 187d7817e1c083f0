"""What a conversation worker reads and writes on the DB thread to decide one turn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from wabot_desktop.core.dto import Author, ConversationMode, Direction
from wabot_desktop.core.store.dialect import is_postgres
from wabot_desktop.core.store.models import Contact, Conversation, Message


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnMessage:
    """A message as the bot sees it (pending customer messages and history)."""

    id: int
    wamid: str | None
    author: Author
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
    # Audio only: how its local transcription ended (see core/voice); a done transcript is the
    # message's ``text``, so the rules and the prompt treat it as the customer's words.
    transcript_status: str | None = None

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


_TURN_COLUMNS = (
    Message.id,
    Message.wamid,
    Message.author,
    Message.type,
    Message.text,
    Message.wa_timestamp,
    Message.created_at,
    Message.media_filename,
    Message.media_voice,
    Message.latitude,
    Message.longitude,
    Message.location_name,
    Message.location_address,
    Message.unsupported_type,
    Message.transcript,
    Message.transcript_status,
)
# Prebuilt statements (compiled once): every customer turn runs these on the DB thread.
_STATE = (
    select(
        Conversation.contact_id,
        Conversation.mode,
        Conversation.mode_changed_at,
        Conversation.staff_name,
        Conversation.last_staff_message_at,
        Conversation.last_bot_message_at,
        Conversation.greeting_sent,
        Conversation.away_sent_for_window,
        Contact.wa_id,
        Contact.user_id,
        Contact.profile_name,
        Contact.opted_out,
        Contact.blocked,
    )
    .join(Contact, Contact.id == Conversation.contact_id)
    .where(Conversation.id == bindparam("conv"))
)
_PENDING = (
    select(*_TURN_COLUMNS)
    .where(
        Message.conversation_id == bindparam("conv"),
        Message.direction == Direction.IN.value,
        Message.handled.is_(False),
    )
    .order_by(Message.id)
)
_HISTORY = (
    select(*_TURN_COLUMNS)
    .where(
        Message.conversation_id == bindparam("conv"),
        Message.type != "reaction",
        Message.id < bindparam("before"),
    )
    .order_by(Message.id.desc())
    .limit(bindparam("limit"))
)
_RECENT = select(Message.author, Message.direction, Message.created_at).where(
    Message.conversation_id == bindparam("conv"), Message.created_at > bindparam("since")
)
_EARLIER_HANDLED = (
    select(Message.id)
    .where(
        Message.conversation_id == bindparam("conv"),
        Message.direction == Direction.IN.value,
        Message.handled.is_(True),
    )
    .limit(1)
)


def _turn_message(row: Any) -> TurnMessage:
    """One row of ``_TURN_COLUMNS``, unpacked by position (every turn reads up to ~40 of them on
    the bot's reader thread; by-name access on each row cost more than the query)."""
    (
        id_,
        wamid,
        author,
        type_,
        text,
        wa_timestamp,
        created_at,
        media_filename,
        media_voice,
        latitude,
        longitude,
        location_name,
        location_address,
        unsupported_type,
        transcript,
        transcript_status,
    ) = row
    return TurnMessage(
        id=id_,
        wamid=wamid,
        author=Author(author),
        type=type_,
        text=transcript if type_ == "audio" and transcript else text,
        wa_timestamp=wa_timestamp,
        created_at=created_at,
        media_filename=media_filename,
        media_voice=bool(media_voice),
        latitude=latitude,
        longitude=longitude,
        location_name=location_name,
        location_address=location_address,
        unsupported_type=unsupported_type,
        transcript_status=transcript_status,
    )


def load_turn_state(
    session: Session, conversation_id: int, now: float, history_limit: int = 40
) -> TurnState | None:
    """Everything the decision needs, read in one transaction; None if the chat is gone."""
    conn = session.connection()
    head = conn.execute(_STATE, {"conv": conversation_id}).first()
    if head is None:
        return None
    # ``.all()``: one fetchall for the rows, not one fetchone per row.
    pending = [_turn_message(r) for r in conn.execute(_PENDING, {"conv": conversation_id}).all()]
    # Nothing pending: every message is history. (PostgreSQL's ids are 32-bit integers.)
    before = pending[0].id if pending else (2**31 - 1 if is_postgres(session) else 2**62)
    history = [
        _turn_message(r)
        for r in conn.execute(
            _HISTORY, {"conv": conversation_id, "before": before, "limit": history_limit}
        ).all()
    ]
    history.reverse()
    recent = conn.execute(_RECENT, {"conv": conversation_id, "since": now - 60}).all()
    earlier = conn.execute(_EARLIER_HANDLED, {"conv": conversation_id}).first()
    return TurnState(
        conversation_id=conversation_id,
        contact_id=head.contact_id,
        wa_id=head.wa_id,
        user_id=head.user_id,
        profile_name=head.profile_name,
        mode=ConversationMode(head.mode),
        mode_changed_at=head.mode_changed_at,
        staff_name=head.staff_name,
        last_staff_message_at=head.last_staff_message_at,
        opted_out=bool(head.opted_out),
        blocked=bool(head.blocked),
        greeting_sent=bool(head.greeting_sent),
        away_sent_for_window=head.away_sent_for_window,
        is_first_conversation=earlier is None and head.last_bot_message_at is None,
        pending=tuple(pending),
        history=tuple(history),
        # One reply split into parts is one reply: its parts share one created_at.
        bot_replies_last_minute=tuple(
            sorted({created_at for author, _, created_at in recent if author == Author.BOT})
        ),
        customer_messages_last_minute=sum(
            1 for _, direction, _ in recent if direction == Direction.IN.value
        ),
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


@dataclass(frozen=True, slots=True)
class HeldMode:
    """A conversation not in BOT mode, with what its expiry depends on."""

    conversation_id: int
    mode: ConversationMode
    mode_changed_at: float | None
    last_staff_message_at: float | None


_HELD = select(
    Conversation.id,
    Conversation.mode,
    Conversation.mode_changed_at,
    Conversation.last_staff_message_at,
).where(Conversation.mode != ConversationMode.BOT.value)


def held_modes(session: Session) -> list[HeldMode]:
    """Conversations held by staff or waiting for one (the sweeper decides which expired)."""
    return [
        HeldMode(row.id, ConversationMode(row.mode), row.mode_changed_at, row.last_staff_message_at)
        for row in session.connection().execute(_HELD)
    ]


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
    """(mode, contact opted out) right now, for the last check before queueing a bot reply.

    The conversation's row is locked until the turn's transaction ends (``FOR UPDATE``; SQLite
    renders none: its one writer already serialises): a takeover committed by a staff PC or
    another instance before this read is seen, and one committed after it waits for the reply
    to be queued, exactly as on one PC (issue 16).
    """
    row = (
        session.connection()
        .execute(
            select(Conversation.mode, Contact.opted_out)
            .join(Contact, Contact.id == Conversation.contact_id)
            .where(Conversation.id == conversation_id)
            .with_for_update(of=Conversation)
        )
        .first()
    )
    if row is None:
        return None
    return ConversationMode(row.mode), bool(row.opted_out)


def conversation_recipient(
    session: Session, conversation_id: int
) -> tuple[str | None, str | None] | None:
    """(wa_id, user_id) of the conversation's customer; None when it names neither."""
    row = (
        session.connection()
        .execute(
            select(Contact.wa_id, Contact.user_id)
            .join(Conversation, Contact.id == Conversation.contact_id)
            .where(Conversation.id == conversation_id)
        )
        .first()
    )
    if row is None or not (row.wa_id or row.user_id):
        return None
    return row.wa_id, row.user_id
