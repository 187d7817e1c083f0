"""SQLAlchemy 2 ORM models (the schema). Alembic migrations must match these; a test checks it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from wabot_desktop.core.dto import ConversationMode

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Values Meta sends (timestamps, error codes) are up to 64-bit: BIGINT on PostgreSQL (migration
# 0007); SQLite's INTEGER is 64-bit already.
WideInt = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Contact(Base):
    """A customer: keyed by wa_id, or by the business-scoped user id when the number is hidden."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wa_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[str | None] = mapped_column(String(160), unique=True)
    profile_name: Mapped[str | None] = mapped_column(Text)
    username: Mapped[str | None] = mapped_column(String(128))
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    marketing_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    referral_json: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[float | None] = mapped_column(Float)


class Conversation(Base):
    """The one chat with a contact: its mode and what the chat list shows."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    mode: Mapped[str] = mapped_column(
        String(16), default=ConversationMode.BOT.value, server_default=ConversationMode.BOT.value
    )
    mode_changed_at: Mapped[float | None] = mapped_column(Float)
    staff_name: Mapped[str | None] = mapped_column(String(80))
    last_customer_message_at: Mapped[float | None] = mapped_column(Float)
    last_staff_message_at: Mapped[float | None] = mapped_column(Float)
    last_bot_message_at: Mapped[float | None] = mapped_column(Float)
    last_message_at: Mapped[float | None] = mapped_column(Float, index=True)
    last_message_preview: Mapped[str] = mapped_column(Text, default="", server_default="")
    last_message_author: Mapped[str | None] = mapped_column(String(16))
    unread_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    away_sent_for_window: Mapped[float | None] = mapped_column(Float)
    greeting_sent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[float] = mapped_column(Float)


class Message(Base):
    """A message in either direction. Inbound ``handled`` says the bot has decided on it."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        Index("ix_messages_pending", "direction", "handled"),
        # Per-turn lookups of the bot (migration 0002).
        Index("ix_messages_conversation_turn", "conversation_id", "direction", "handled"),
        Index("ix_messages_conversation_id_created_at", "conversation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    wamid: Mapped[str | None] = mapped_column(String(255), unique=True)
    direction: Mapped[str] = mapped_column(String(4))
    author: Mapped[str] = mapped_column(String(16))
    staff_name: Mapped[str | None] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[int | None] = mapped_column(WideInt)
    error_title: Mapped[str | None] = mapped_column(Text)
    reply_to_wamid: Mapped[str | None] = mapped_column(String(255))
    media_id: Mapped[str | None] = mapped_column(String(255))
    media_mime: Mapped[str | None] = mapped_column(String(128))
    media_sha256: Mapped[str | None] = mapped_column(String(128))
    media_filename: Mapped[str | None] = mapped_column(Text)
    media_voice: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    media_path: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_name: Mapped[str | None] = mapped_column(Text)
    location_address: Mapped[str | None] = mapped_column(Text)
    interactive_id: Mapped[str | None] = mapped_column(String(256))
    forwarded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    frequently_forwarded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    unsupported_type: Mapped[str | None] = mapped_column(String(64))
    wa_timestamp: Mapped[int | None] = mapped_column(WideInt)
    created_at: Mapped[float] = mapped_column(Float)
    handled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    raw: Mapped[str | None] = mapped_column(Text)
    # Voice notes transcribed on this PC (migration 0004): text, and "done" | "failed" |
    # "too_long" | "off" (NULL: not attempted yet).
    transcript: Mapped[str | None] = mapped_column(Text)
    transcript_status: Mapped[str | None] = mapped_column(String(16))


class MessageStatusEvent(Base):
    """Every status webhook received, deduplicated by (wamid, status); ticks come from here."""

    __tablename__ = "message_statuses"
    __table_args__ = (UniqueConstraint("wamid", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wamid: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(32))
    wa_timestamp: Mapped[int | None] = mapped_column(WideInt)
    error_code: Mapped[int | None] = mapped_column(WideInt)
    error_title: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[float] = mapped_column(Float)
    # biz_opaque_callback_data of the status (ours carry the outbox row id; migration 0003).
    callback_data: Mapped[str | None] = mapped_column(String(512), index=True)


class OutboxItem(Base):
    """A message to send: written before sending, so nothing is lost or sent twice on restart."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[float] = mapped_column(Float)
    last_error_code: Mapped[int | None] = mapped_column(WideInt)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    # Set when a send starts, cleared when Meta answers: still set after a stop = "in doubt".
    send_started_at: Mapped[float | None] = mapped_column(Float)
    in_doubt_decision: Mapped[str | None] = mapped_column(String(32))


class RawEvent(Base):
    """Each accepted webhook body as received (audit and re-processing)."""

    __tablename__ = "raw_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[float] = mapped_column(Float)  # no index: nothing reads by time (0008)
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


class PendingWebhook(Base):
    """A verified webhook body acknowledged before it was parsed into rows (issue 17).

    Under a burst the writer commits only the body here (one row, no index but its key) and
    answers 200; the writer parses the oldest rows into messages, statuses and their
    ``raw_events`` copy when the burst is over (or a small share of them during a long one),
    deleting each in the transaction that stores its rows. A body still here after a crash is
    parsed at the next start: acknowledged means durable, parsed or not.
    """

    __tablename__ = "pending_webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[float] = mapped_column(Float)
    # The number the body was received for, so a later parse reads it as it was then.
    phone_number_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # the exact bytes that were signed


class UnattributedMessage(Base):
    """A customer message whose webhook names no sender at all (no from, no usable contact).

    Nobody can be answered, but nothing a customer sent is thrown away: it is kept here, counted
    in /health and listed for the owner (BotService.list_unattributed).
    """

    __tablename__ = "unattributed_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wamid: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    wa_timestamp: Mapped[int | None] = mapped_column(WideInt)
    received_at: Mapped[float] = mapped_column(Float, index=True)
    raw: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    """Non-secret settings, one JSON value per declared key (see core/settings.py)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Label(Base):
    """Owner-defined coloured labels for chats."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    color: Mapped[str] = mapped_column(String(16))


class ConversationLabel(Base):
    __tablename__ = "conversation_labels"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True
    )


class KnowledgeVersion(Base):
    """One saved version of the prompt and knowledge (core/knowledge); the newest is active."""

    __tablename__ = "knowledge_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(Text)
