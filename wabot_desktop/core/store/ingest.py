"""Storing webhook bodies: one transaction for a group of bodies.

Runs on the DB thread. Two ways in, both durable before the 200:

- inline: each verified body is stored as received (``raw_events``) and parsed into rows in the
  SAME transaction, so a crash never leaves a body without its rows or the reverse; the work is
  per batch where it can be (one savepoint and one ``executemany`` of the raw bodies per group;
  a savepoint per body only when one fails, see :func:`apply_batch`);
- deferred (a burst, SQLite only, see core/store/writer.py): the verified bytes are committed to
  ``pending_webhooks`` (:func:`store_pending_raw`) and acknowledged; :func:`parse_pending` later
  parses the oldest ones into rows and deletes them in one transaction, in arrival order. A
  crash in between leaves the bodies pending and the next start parses them.

Inbound messages are deduplicated atomically by their UNIQUE wamid (``INSERT ... ON CONFLICT DO
NOTHING RETURNING``), statuses by (wamid, status) and applied monotonically. What the bot and
the GUI must hear about comes back as plain outcomes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, literal_column, select, update
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.orm import Session

from wabot_desktop.core.dto import Author, ConversationMode, Direction, MessageStatus
from wabot_desktop.core.logs import mask_phone
from wabot_desktop.core.store.dialect import SQLITE, greatest, insert_for, insert_for_dialect
from wabot_desktop.core.store.models import (
    Contact,
    Conversation,
    Message,
    MessageStatusEvent,
    PendingWebhook,
    RawEvent,
    UnattributedMessage,
)
from wabot_desktop.core.store.turns import mark_all_pending_handled, set_mode
from wabot_desktop.core.whatsapp.models import (
    InboundMessage,
    MessageType,
    ParsedWebhook,
    StatusKind,
    StatusUpdate,
)
from wabot_desktop.core.whatsapp.parser import WebhookBodyError, decode_body, parse_webhook

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
INBOUND_STATUS = MessageStatus.RECEIVED.value


@dataclass(frozen=True, slots=True)
class IngestItem:
    """One accepted webhook body and what was parsed from it."""

    body: bytes
    parsed: ParsedWebhook
    received_at: float
    # The number it was received for (parse_webhook's filter): a deferred body is re-read
    # from its pending_webhooks row with it (core/store/writer.py).
    phone_number_id: str | None = None


@dataclass(frozen=True, slots=True)
class NewMessage:
    conversation_id: int
    message_id: int
    contact_id: int
    needs_bot: bool
    audio: bool = False  # a customer's audio the bot will answer: transcribe it first


@dataclass(frozen=True, slots=True)
class StatusChange:
    conversation_id: int
    message_id: int
    status: MessageStatus
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
    # Committed to pending_webhooks only: its rows come with a later parse (its own outcome).
    deferred: bool = False


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


# The webhook hot path. Statements are SQLAlchemy expressions compiled ONCE to SQL text and run
# on the transaction's own DBAPI cursor: SQLAlchemy's per-execution overhead (~60 us a statement)
# was most of the cost of storing a message; this keeps it near SQLite's own ~10 us. On SQLite
# the parameters are positional (qmark): the sqlite3 module binds a tuple faster than a dict of
# names (~0.6 us a parameter here). Everything else in the store uses the normal Session API.
_DIALECT = sqlite_dialect(paramstyle="qmark")


@dataclass(slots=True)
class _Sql:
    """A statement compiled once per dialect (SQLite named, psycopg pyformat parameters).

    ``build`` makes the statement for a dialect name: the same one for portable statements,
    the dialect's own INSERT ... ON CONFLICT where it differs (issue 16).
    """

    build: Callable[[str], Any]
    compiled: dict[str, _Compiled] = field(default_factory=dict)

    @classmethod
    def of(cls, statement: Any) -> _Sql:
        return cls(lambda _dialect: statement)

    @classmethod
    def per_dialect(cls, build: Callable[[str], Any]) -> _Sql:
        return cls(build)

    def for_dialect(self, dialect: Any) -> _Compiled:
        found = self.compiled.get(dialect.name)
        if found is None:
            statement = self.build(dialect.name)
            target = _DIALECT if dialect.name == SQLITE else dialect
            compiled = statement.compile(dialect=target)
            defaults = dict(compiled.params)
            table = getattr(statement, "table", None)
            # Columns with Python-side scalar defaults appear as parameters: give them the default.
            for column in getattr(table, "columns", ()):
                default = column.default
                if (
                    defaults.get(column.name, 0) is None
                    and default is not None
                    and default.is_scalar
                ):
                    defaults[column.name] = default.arg
            found = self.compiled[dialect.name] = _Compiled.of(compiled, defaults)
        return found


@dataclass(frozen=True, slots=True)
class _Compiled:
    """SQL text, the parameters' defaults, and their order when the dialect's are positional."""

    text: str
    defaults: dict[str, Any]
    positions: tuple[str, ...] | None

    @classmethod
    def of(cls, compiled: Any, defaults: dict[str, Any]) -> _Compiled:
        positions = tuple(compiled.positiontup) if compiled.positional else None
        return cls(str(compiled), defaults, positions)

    def bind(self, params: dict[str, Any]) -> Any:
        """What the DBAPI cursor takes: a tuple in SQL order (SQLite), else a dict."""
        merged = {**self.defaults, **params}
        if self.positions is None:
            return merged
        return tuple(map(merged.__getitem__, self.positions))


class _Raw:
    """Runs compiled statements on the cursor of the current transaction."""

    def __init__(self, session: Session | None = None) -> None:
        if session is None:
            return  # made by on()
        connection = session.connection()
        self.dialect = connection.dialect
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        self.cursor = dbapi.cursor()

    @classmethod
    def on(cls, cursor: Any, dialect: Any) -> _Raw:
        """Over a DBAPI cursor whose transaction the caller runs (the writer's connection)."""
        raw = cls()
        raw.cursor, raw.dialect = cursor, dialect
        return raw

    def run(self, sql: _Sql, params: dict[str, Any]) -> Any:
        compiled = sql.for_dialect(self.dialect)
        self.cursor.execute(compiled.text, compiled.bind(params))
        return self.cursor

    def many(self, sql: _Sql, rows: list[dict[str, Any]]) -> None:
        compiled = sql.for_dialect(self.dialect)
        self.cursor.executemany(compiled.text, [compiled.bind(row) for row in rows])

    def first(self, sql: _Sql, params: dict[str, Any]) -> Any:
        return self.run(sql, params).fetchone()

    def execute(self, statement: Any) -> Any:
        """A statement compiled now (the rare, variable-shaped updates of the hot path)."""
        target = _DIALECT if self.dialect.name == SQLITE else self.dialect
        compiled = statement.compile(dialect=target)
        once = _Compiled.of(compiled, compiled.params)
        self.cursor.execute(once.text, once.bind({}))
        return self.cursor


_ZERO: Any = literal_column("0.0")


# The contact and its conversation in ONE statement (a contact has at most one conversation).
def _contact_lookup(key_column: Any) -> _Sql:
    return _Sql.of(
        select(
            Contact.id,
            Contact.wa_id,
            Contact.user_id,
            Contact.profile_name,
            Contact.username,
            Contact.blocked,
            Conversation.id,
        )
        .outerjoin(Conversation, Conversation.contact_id == Contact.id)
        .where(key_column == bindparam("key"))
    )


_CONTACT_BY_USER = _contact_lookup(Contact.user_id)
_CONTACT_BY_WA = _contact_lookup(Contact.wa_id)
_CONTACT_FIELDS = (
    "wa_id",
    "user_id",
    "profile_name",
    "username",
    "notes",
    "first_seen_at",
    "last_seen_at",
)
# ON CONFLICT DO NOTHING: another instance on the same PostgreSQL may store the same new
# customer at the same moment; the loser reads the winner's row (issue 16).
_INSERT_CONTACT = _Sql.per_dialect(
    lambda dialect: (
        insert_for_dialect(dialect, Contact)
        .values({f: bindparam(f) for f in _CONTACT_FIELDS})
        .on_conflict_do_nothing()
        .returning(Contact.id)
    )
)
_TOUCH_CONTACT = _Sql.of(
    update(Contact).where(Contact.id == bindparam("cid")).values(last_seen_at=bindparam("now"))
)
_CONVERSATION_FIELDS = (
    "contact_id",
    "mode",
    "created_at",
    "last_message_preview",
    "unread_count",
    "greeting_sent",
)
_CONVERSATION_OF = _Sql.of(
    select(Conversation.id).where(Conversation.contact_id == bindparam("cid"))
)
_INSERT_CONVERSATION = _Sql.per_dialect(
    lambda dialect: (
        insert_for_dialect(dialect, Conversation)
        .values({f: bindparam(f) for f in _CONVERSATION_FIELDS})
        .on_conflict_do_nothing()
        .returning(Conversation.id)
    )
)
_RAW_FIELDS = ("received_at", "body_sha256", "body")
_INSERT_RAW = _Sql.of(insert(RawEvent).values({f: bindparam(f) for f in _RAW_FIELDS}))


def _message_insert(fields: tuple[str, ...]) -> _Sql:
    return _Sql.per_dialect(
        lambda dialect: (
            insert_for_dialect(dialect, Message)
            .values({f: bindparam(f) for f in fields})
            .on_conflict_do_nothing(index_elements=[Message.wamid])
            .returning(Message.id)
        )
    )


# One INSERT per set of columns a message fills: a column left out is NULL (none of them has a
# server default), and most of a text message's 27 columns are (binding a NULL costs the sqlite3
# module an adapter lookup each). A handful of shapes (text, image, location...) in practice.
_INSERT_MESSAGE: dict[tuple[str, ...], _Sql] = {}


def _insert_message(raw: _Raw, values: dict[str, object]) -> Any:
    """The new message's id row, or None when its wamid is already stored."""
    filled = {name: value for name, value in values.items() if value is not None}
    key = tuple(filled)
    sql = _INSERT_MESSAGE.get(key)
    if sql is None:
        sql = _INSERT_MESSAGE[key] = _message_insert(key)
    return raw.first(sql, filled)


_INSERT_UNATTRIBUTED = _Sql.per_dialect(
    lambda dialect: (
        insert_for_dialect(dialect, UnattributedMessage)
        .values(
            {
                f: bindparam(f)
                for f in ("wamid", "type", "text", "wa_timestamp", "received_at", "raw")
            }
        )
        .on_conflict_do_nothing(index_elements=[UnattributedMessage.wamid])
    )
)


def _conversation_update(opens_window: bool, counts_unread: bool) -> _Sql:
    values: dict[str, Any] = {
        "last_message_at": greatest(
            func.coalesce(Conversation.last_message_at, _ZERO), bindparam("now")
        ),
        "last_message_preview": bindparam("preview"),
        "last_message_author": bindparam("author"),
    }
    # System messages and reactions do not open the customer service window.
    if opens_window:
        values["last_customer_message_at"] = greatest(
            func.coalesce(Conversation.last_customer_message_at, _ZERO), bindparam("sent_at")
        )
    if counts_unread:
        values["unread_count"] = Conversation.unread_count + literal_column("1")
    return _Sql.of(
        update(Conversation).where(Conversation.id == bindparam("conv")).values(**values)
    )


_UPDATE_CONVERSATION = {
    (w, u): _conversation_update(w, u) for w in (False, True) for u in (False, True)
}


def resolve_contact(
    raw: _Raw,
    *,
    wa_id: str | None,
    user_id: str | None,
    profile_name: str | None,
    username: str | None,
    now: float,
) -> tuple[int, int, bool]:
    """Find or create the contact (by user_id, then wa_id) and its conversation.

    Returns (contact_id, conversation_id, blocked).
    """
    row = None
    conversation: int | None = None
    if user_id:
        row = raw.first(_CONTACT_BY_USER, {"key": user_id})
    if row is None and wa_id:
        row = raw.first(_CONTACT_BY_WA, {"key": wa_id})
    if row is None:
        inserted = raw.first(
            _INSERT_CONTACT,
            {
                "wa_id": wa_id,
                "user_id": user_id,
                "profile_name": profile_name,
                "username": username,
                "notes": "",
                "first_seen_at": now,
                "last_seen_at": now,
            },
        )
        if inserted is None:  # stored by another instance meanwhile: use that one
            return resolve_contact(
                raw,
                wa_id=wa_id,
                user_id=user_id,
                profile_name=profile_name,
                username=username,
                now=now,
            )
        contact_id = inserted[0]
        blocked = False
    else:
        contact_id, known_wa, known_user, known_name, known_username, blocked_flag, conversation = (
            row
        )
        blocked = bool(blocked_flag)
        changes: dict[str, object] = {}
        if user_id and not known_user:
            changes["user_id"] = user_id
        if wa_id and not known_wa:
            changes["wa_id"] = wa_id
        if profile_name and profile_name != known_name:
            changes["profile_name"] = profile_name
        if username and username != known_username:
            changes["username"] = username
        if changes:
            changes["last_seen_at"] = now
            raw.execute(update(Contact).where(Contact.id == contact_id).values(**changes))
        else:
            raw.run(_TOUCH_CONTACT, {"cid": contact_id, "now": now})
    if conversation is not None:
        conversation_id = int(conversation)
    else:
        created = raw.first(
            _INSERT_CONVERSATION,
            {
                "contact_id": contact_id,
                "mode": ConversationMode.BOT.value,
                "created_at": now,
                "last_message_preview": "",
                "unread_count": 0,
                "greeting_sent": False,
            },
        )
        if created is None:  # created by another instance meanwhile
            created = raw.first(_CONVERSATION_OF, {"cid": contact_id})
        conversation_id = int(created[0])
    return int(contact_id), conversation_id, blocked


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


def _store_message(raw: _Raw, msg: InboundMessage, now: float, outcome: IngestOutcome) -> None:
    wa_id = msg.from_wa_id or msg.sender.wa_id
    user_id = msg.from_user_id or msg.sender.user_id
    if not wa_id and not user_id:
        # Nobody to attribute it to or to answer, but nothing a customer sent is dropped: it is
        # kept apart for the owner (counted in /health, listed by the service).
        outcome.unidentified += 1
        raw.run(
            _INSERT_UNATTRIBUTED,
            {
                "wamid": msg.wamid,
                "type": msg.raw_type or msg.type.value,
                "text": msg.text,
                "wa_timestamp": msg.timestamp,
                "received_at": now,
                "raw": msg.raw,
            },
        )
        logger.warning(
            "inbound message names no sender: kept as unattributed (type %s)", msg.raw_type
        )
        return
    if msg.type == MessageType.SYSTEM and msg.system and msg.system.type == "user_changed_number":
        logger.info("customer %s changed number", mask_phone(wa_id))
    contact_id, conversation_id, contact_blocked = resolve_contact(
        raw,
        wa_id=wa_id,
        user_id=user_id,
        profile_name=msg.sender.name,
        username=msg.sender.username,
        now=now,
    )
    needs_bot = msg.type not in NO_REPLY_TYPES and not contact_blocked
    values = _message_values(msg, conversation_id, now, handled=not needs_bot)
    inserted = _insert_message(raw, values)
    message_id = inserted[0] if inserted is not None else None
    if message_id is None:
        outcome.duplicates += 1
        return
    # WhatsApp's send time, but never in the future (a skewed phone clock must not extend
    # the customer service window).
    sent_at = min(float(msg.timestamp), now) if msg.timestamp else now
    opens_window = msg.type not in (MessageType.SYSTEM, MessageType.REACTION)
    raw.run(
        _UPDATE_CONVERSATION[(opens_window, msg.type != MessageType.REACTION)],
        {
            "author": Author.CUSTOMER.value,
            "conv": conversation_id,
            "now": now,
            "sent_at": sent_at,
            "preview": preview_for(
                msg.type.value,
                msg.text,
                filename=msg.media.filename if msg.media else None,
                location_name=msg.location.name if msg.location else None,
            ),
        },
    )
    if msg.referral is not None:
        referral = {
            "headline": msg.referral.headline,
            "source_id": msg.referral.source_id,
            "source_type": msg.referral.source_type,
            "source_url": msg.referral.source_url,
        }
        raw.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(referral_json=json.dumps(referral, ensure_ascii=False))
        )
    audio = needs_bot and msg.type == MessageType.AUDIO and msg.media is not None
    outcome.new_messages.append(
        NewMessage(conversation_id, message_id, contact_id, needs_bot, audio)
    )


ECHO_STAFF_NAME = "WhatsApp Business"


def _store_echoes(
    session: Session, raw: _Raw, value_json: str, now: float, outcome: IngestOutcome
) -> None:
    """``smb_message_echoes``: a reply typed in the WhatsApp Business phone app (coexistence).

    Stored as an outbound staff message; the chat goes to staff mode at once and its pending
    customer messages count as handled, so the bot never talks over the person
    (meta-cloud-api.md section 11).
    """
    try:
        value = json.loads(value_json)
    except ValueError:
        return
    echoes = value.get("message_echoes") if isinstance(value, dict) else None
    for echo in echoes if isinstance(echoes, list) else []:
        if not isinstance(echo, dict):
            continue
        to, wamid = echo.get("to"), echo.get("id")
        if not isinstance(to, str) or not to or not isinstance(wamid, str) or not wamid:
            continue
        kind = str(echo.get("type") or "text")
        content = echo.get(kind)
        body: dict[str, Any] = content if isinstance(content, dict) else {}
        text = body.get("body") if kind == "text" else body.get("caption")
        contact_id, conversation_id, _blocked = resolve_contact(
            raw, wa_id=to, user_id=None, profile_name=None, username=None, now=now
        )
        inserted = session.execute(
            insert_for(session, Message)
            .values(
                conversation_id=conversation_id,
                wamid=wamid,
                direction=Direction.OUT.value,
                author=Author.STAFF.value,
                staff_name=ECHO_STAFF_NAME,
                type=kind,
                text=text if isinstance(text, str) else None,
                status=MessageStatus.SENT.value,
                created_at=now,
                handled=True,
                raw=json.dumps(echo, ensure_ascii=False),
            )
            .on_conflict_do_nothing(index_elements=[Message.wamid])
            .returning(Message.id)
        ).first()
        if inserted is None:
            outcome.duplicates += 1
            continue
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(
                last_message_at=now,
                last_staff_message_at=now,
                last_message_author=Author.STAFF.value,
                last_message_preview=preview_for(kind, text if isinstance(text, str) else None),
            )
        )
        set_mode(session, conversation_id, ConversationMode.HUMAN, now, ECHO_STAFF_NAME)
        mark_all_pending_handled(session, conversation_id)
        outcome.new_messages.append(
            NewMessage(conversation_id, int(inserted[0]), contact_id, needs_bot=False)
        )


def apply_status(session: Session, status: StatusUpdate, now: float) -> StatusChange | None:
    """Record a status event (deduplicated) and move the message's tick forward if it advances."""
    error = status.errors[0] if status.errors else None
    session.execute(
        insert_for(session, MessageStatusEvent)
        .values(
            wamid=status.wamid,
            status=status.raw_status[:32],
            wa_timestamp=status.timestamp,
            error_code=error.code if error else None,
            error_title=(error.details or error.message or error.title) if error else None,
            received_at=now,
            callback_data=(status.biz_opaque_callback_data or "")[:512] or None,
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
        MessageStatus(row.status),
        status.status,
        error.code if error else None,
        (error.details or error.message or error.title) if error else None,
    )


def _advance(
    session: Session,
    message_id: int,
    conversation_id: int,
    current: MessageStatus,
    wire: StatusKind,
    error_code: int | None,
    error_title: str | None,
) -> StatusChange | None:
    new = MessageStatus.from_wire(wire)
    if new is None or not current.advances_to(new):
        return None
    values: dict[str, object] = {"status": new.value}
    if new is MessageStatus.FAILED:
        values["error_code"] = error_code
        values["error_title"] = error_title
    session.execute(update(Message).where(Message.id == message_id).values(**values))
    return StatusChange(
        conversation_id, message_id, new, error_code if new is MessageStatus.FAILED else None
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
    current = MessageStatus(row.status)
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


def _raw_row(item: IngestItem) -> dict[str, Any]:
    return {
        "received_at": item.received_at,
        "body_sha256": hashlib.sha256(item.body).hexdigest(),
        "body": _text(item.body),
    }


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").replace("\x00", "")


def needs_session(item: IngestItem) -> bool:
    """Whether storing ``item`` needs an ORM session (staff echoes and statuses); the rest,
    every customer message, runs on compiled statements alone (:func:`apply_batch_raw`)."""
    parsed = item.parsed
    return bool(parsed.statuses) or any(
        other.field == "smb_message_echoes" for other in parsed.other_changes
    )


def _apply_rows(
    session: Session | None, raw: _Raw, item: IngestItem, outcome: IngestOutcome
) -> None:
    """The rows parsed from one body (its raw_events row is written by the caller).

    ``session`` may be None only for items :func:`needs_session` says need none.
    """
    parsed = item.parsed
    now = item.received_at
    for msg in parsed.messages:
        _store_message(raw, msg, now, outcome)
    for other in parsed.other_changes:
        if other.field == "smb_message_echoes":
            assert session is not None
            _store_echoes(session, raw, other.raw, now, outcome)
    for status in parsed.statuses:
        assert session is not None
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
            raw.execute(
                update(Contact).where(condition).values(marketing_opt_out=pref.value == "stop")
            )


def apply_batch(session: Session, items: list[IngestItem]) -> list[IngestOutcome]:
    """Store every item; the caller's transaction commits them all.

    Per batch, not per body: the whole group runs under ONE savepoint and its raw bodies go in
    with one ``executemany``. Only when a body fails (rare: a storage error or a bug) is the
    group rolled back to that savepoint and replayed body by body, each in its own savepoint,
    so one bad body never costs the others their commit and never leaves half its rows.
    """
    return _apply_batch(session, _Raw(session), items)


def apply_batch_raw(cursor: Any, dialect: Any, items: list[IngestItem]) -> list[IngestOutcome]:
    """:func:`apply_batch` on a DBAPI cursor in the caller's transaction, no ORM session (the
    session's begin/commit machinery was most of a small batch's Python cost). Only for items
    that :func:`needs_session` says need none."""
    return _apply_batch(None, _Raw.on(cursor, dialect), items)


def _apply_batch(
    session: Session | None, raw: _Raw, items: list[IngestItem]
) -> list[IngestOutcome]:
    if len(items) == 1 and session is None:
        # A body alone (every webhook at a calm moment): its transaction is its savepoint. A
        # failure rolls the whole transaction back and the writer answers 503, as a failed
        # savepoint would; two statements fewer, and each statement waits for the GIL again
        # when the app is busy.
        outcome = IngestOutcome()
        _apply_rows(None, raw, items[0], outcome)
        raw.run(_INSERT_RAW, _raw_row(items[0]))
        return [outcome]
    raw.cursor.execute("SAVEPOINT ingest_batch")
    try:
        outcomes = [IngestOutcome() for _ in items]
        for index in _lock_order(raw, items):
            _apply_rows(session, raw, items[index], outcomes[index])
        raw.many(_INSERT_RAW, [_raw_row(item) for item in items])
    except Exception:
        raw.cursor.execute("ROLLBACK TO SAVEPOINT ingest_batch")
        raw.cursor.execute("RELEASE SAVEPOINT ingest_batch")
        if session is not None:
            session.expire_all()  # ORM objects loaded in the pass may hold rolled-back values
        return _apply_each(session, raw, items)
    raw.cursor.execute("RELEASE SAVEPOINT ingest_batch")
    return outcomes


def _apply_each(session: Session | None, raw: _Raw, items: list[IngestItem]) -> list[IngestOutcome]:
    """Each item in its own savepoint: a failing one is rolled back alone (its 503)."""
    outcomes: list[IngestOutcome] = []
    for item in items:
        outcome = IngestOutcome()
        raw.cursor.execute("SAVEPOINT ingest_item")
        try:
            raw.run(_INSERT_RAW, _raw_row(item))
            _apply_rows(session, raw, item, outcome)
        except Exception as exc:  # one bad body must not cost the others their commit
            raw.cursor.execute("ROLLBACK TO SAVEPOINT ingest_item")
            if session is not None:
                session.expire_all()
            logger.exception("storing webhook %s failed", body_hash(item.body))
            outcome = IngestOutcome(error=exc)
        raw.cursor.execute("RELEASE SAVEPOINT ingest_item")
        outcomes.append(outcome)
    return outcomes


def _lock_order(raw: _Raw, items: list[IngestItem]) -> list[int]:
    """The order to store a batch in: arrival order; by sender on PostgreSQL (issue 16).

    Concurrent batches of other instances lock the same contacts: taking the row locks in one
    order avoids most deadlocks (a stable sort keeps each customer's messages in arrival order).
    A deadlock still costs only the bodies of that batch a replay, or one body a 503.
    """
    order = list(range(len(items)))
    if raw.dialect.name == "postgresql":
        order.sort(key=lambda i: _sender_key(items[i]))
    return order


def _sender_key(item: IngestItem) -> str:
    for msg in item.parsed.messages:
        return msg.from_wa_id or msg.sender.wa_id or msg.from_user_id or msg.sender.user_id or ""
    return ""


_PENDING_FIELDS = ("received_at", "phone_number_id", "body")
_INSERT_PENDING = _Sql.of(insert(PendingWebhook).values({f: bindparam(f) for f in _PENDING_FIELDS}))
_OLDEST_PENDING = _Sql.of(
    select(
        PendingWebhook.id,
        PendingWebhook.received_at,
        PendingWebhook.phone_number_id,
        PendingWebhook.body,
    )
    .order_by(PendingWebhook.id)
    .limit(bindparam("limit"))
)
_DELETE_PENDING = _Sql.of(delete(PendingWebhook).where(PendingWebhook.id <= bindparam("last")))
_COUNT_PENDING = _Sql.of(select(func.count()).select_from(PendingWebhook))


def store_pending_raw(cursor: Any, dialect: Any, items: list[IngestItem]) -> list[IngestOutcome]:
    """Only the bodies, in the caller's transaction (one ``executemany``): acknowledged now,
    parsed into rows later by :func:`parse_pending`, oldest first."""
    _Raw.on(cursor, dialect).many(
        _INSERT_PENDING,
        [
            {
                "received_at": item.received_at,
                "phone_number_id": item.phone_number_id,
                "body": item.body,
            }
            for item in items
        ],
    )
    return [IngestOutcome(deferred=True) for _ in items]


def count_pending(cursor: Any, dialect: Any) -> int:
    """How many acknowledged bodies wait for their parse."""
    return int(_Raw.on(cursor, dialect).first(_COUNT_PENDING, {})[0])


# A pending body as oldest_pending reads it: (id, the item parsed again, body, received_at).
PendingBody = tuple[int, "IngestItem | None", bytes, float]


def oldest_pending(cursor: Any, dialect: Any, limit: int) -> list[PendingBody]:
    """The ``limit`` oldest pending bodies: (id, the item parsed again, body, received_at).

    The item is None for a body that no longer parses (it did when it was acknowledged; a
    parser change could refuse it): :func:`parse_pending` keeps its raw copy, nothing else.
    """
    rows = _Raw.on(cursor, dialect).run(_OLDEST_PENDING, {"limit": limit}).fetchall()
    taken: list[PendingBody] = []
    for row_id, received_at, phone_number_id, body in rows:
        body = bytes(body)
        item: IngestItem | None
        try:
            parsed = parse_webhook(decode_body(body), phone_number_id=phone_number_id)
        except WebhookBodyError as exc:
            logger.error("pending webhook %s no longer parses: %s", body_hash(body), exc.reason)
            item = None
        else:
            item = IngestItem(body, parsed, received_at, phone_number_id)
        taken.append((row_id, item, body, received_at))
    return taken


def parse_pending(
    session: Session | None,
    cursor: Any,
    dialect: Any,
    taken: list[PendingBody],
) -> list[IngestOutcome]:
    """Store the rows of ``taken`` (from :func:`oldest_pending`) and delete them from
    pending_webhooks, in the caller's transaction: a body leaves the table with its rows."""
    raw = _Raw(session) if session is not None else _Raw.on(cursor, dialect)
    readable = [(item, body, received_at) for _, item, body, received_at in taken if item]
    # Each body in a savepoint of its own if one fails (never the one-body shortcut, which
    # fails the whole transaction): a body that cannot be stored keeps its raw copy, logged.
    items = [item for item, _, _ in readable]
    if len(items) > 1:
        outcomes = _apply_batch(session, raw, items)
    else:
        outcomes = _apply_each(session, raw, items)
    kept = [
        (body, received_at)
        for (_, body, received_at), outcome in zip(readable, outcomes, strict=True)
        if outcome.error is not None
    ]
    kept += [(body, received_at) for _, item, body, received_at in taken if item is None]
    if kept:
        raw.many(
            _INSERT_RAW,
            [
                {
                    "received_at": received_at,
                    "body_sha256": hashlib.sha256(body).hexdigest(),
                    "body": _text(body),
                }
                for body, received_at in kept
            ],
        )
    raw.run(_DELETE_PENDING, {"last": taken[-1][0]})
    return outcomes


def now() -> float:
    return time.time()
