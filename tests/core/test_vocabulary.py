"""The shared vocabulary (core.dto enums), mode expiry and the after-commit pipeline.

The enums' values are what the database stores and /health writes: they must never change.
Mode expiry is one rule (rules.is_mode_expired) used by the bot's turn and by the sweeper.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import PHONE_NUMBER_ID, new_wamid, running_core, status_body, text_body
from wabot_desktop.core import dto, events
from wabot_desktop.core.bot.engine import BotEngine
from wabot_desktop.core.bot.pipeline import CommitPipeline, publish_status_changes
from wabot_desktop.core.bot.rules import decide, is_mode_expired
from wabot_desktop.core.clock import RealClock
from wabot_desktop.core.dto import (
    Author,
    ConversationMode,
    DatabaseState,
    GraphState,
    HandoffReason,
    HealthSnapshot,
    InDoubtDecision,
    LlmState,
    MessageStatus,
    OutboxState,
    TunnelState,
)
from wabot_desktop.core.events import (
    AccountErrorReceived,
    ConversationUpdated,
    Event,
    EventHub,
    HandoffRequested,
    MessageReceived,
    MessageStatusChanged,
    ModeChanged,
)
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.store import queries
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import (
    IngestItem,
    IngestOutcome,
    NewMessage,
    StatusChange,
    apply_batch,
)
from wabot_desktop.core.store.models import Conversation, Message, OutboxItem
from wabot_desktop.core.store.outbox import (
    OutboundSpec,
    mark_failed,
    mark_sent,
    queue_replies,
    record_in_doubt_decision,
)
from wabot_desktop.core.store.turns import TurnMessage, TurnState, set_mode
from wabot_desktop.core.whatsapp.models import StatusKind
from wabot_desktop.core.whatsapp.parser import decode_body, parse_webhook

# -- the values -----------------------------------------------------------------------------------

STORED_VALUES: dict[type[Any], list[str]] = {
    ConversationMode: ["bot", "human", "needs_human"],
    Author: ["customer", "bot", "staff", "system"],
    MessageStatus: ["received", "queued", "sent", "delivered", "read", "played", "failed"],
    LlmState: ["unknown", "up", "down", "model_missing", "loading", "circuit_open"],
    TunnelState: ["disabled", "starting", "up", "down", "agent_missing", "auth_failed", "error"],
    GraphState: ["ok", "unknown", "blocked", "error", "sandbox"],
    DatabaseState: ["ok", "error"],
    OutboxState: ["queued", "sent", "failed", "cancelled"],
    InDoubtDecision: ["confirmed_by_status", "resent_no_status"],
    HandoffReason: [
        "customer_request",
        "no_answer",
        "llm_unavailable",
        "flood",
        "backlog",
        "bot_error",
    ],
}


@pytest.mark.parametrize("enum", list(STORED_VALUES), ids=lambda e: e.__name__)
def test_enum_values_are_the_stored_strings(enum: type[Any]) -> None:
    assert [m.value for m in enum] == STORED_VALUES[enum]
    for member in enum:
        assert member == member.value and str(member) == member.value
        assert json.dumps(member) == json.dumps(member.value)


def test_one_definition_of_each_word() -> None:
    from wabot_desktop.core import tunnel
    from wabot_desktop.core.bot import rules
    from wabot_desktop.core.llm import base
    from wabot_desktop.core.whatsapp import graph

    assert base.LlmState is dto.LlmState
    assert rules.HandoffReason is dto.HandoffReason
    assert tunnel.TunnelState is dto.TunnelState
    assert graph.TemplateInfo is dto.TemplateInfo


def test_the_wire_status_is_kept_apart_from_ours() -> None:
    assert {k.value for k in StatusKind} == {
        "sent",
        "delivered",
        "read",
        "played",
        "failed",
        "unknown",
    }
    assert StatusKind.parse("queued") is StatusKind.UNKNOWN
    assert StatusKind.parse("received") is StatusKind.UNKNOWN
    for kind in StatusKind:
        expected = None if kind is StatusKind.UNKNOWN else MessageStatus(kind.value)
        assert MessageStatus.from_wire(kind) is expected
    assert MessageStatus.from_wire("queued") is None
    assert MessageStatus.from_wire("received") is None


@pytest.mark.parametrize(
    ("current", "new", "advances"),
    [
        (MessageStatus.QUEUED, MessageStatus.SENT, True),
        (MessageStatus.QUEUED, MessageStatus.READ, True),
        (MessageStatus.SENT, MessageStatus.DELIVERED, True),
        (MessageStatus.DELIVERED, MessageStatus.SENT, False),
        (MessageStatus.READ, MessageStatus.DELIVERED, False),
        (MessageStatus.READ, MessageStatus.PLAYED, True),
        (MessageStatus.READ, MessageStatus.FAILED, True),
        (MessageStatus.FAILED, MessageStatus.READ, False),
        (MessageStatus.FAILED, MessageStatus.FAILED, False),
        (MessageStatus.SENT, MessageStatus.QUEUED, False),
        (MessageStatus.SENT, MessageStatus.RECEIVED, False),
    ],
)
def test_status_moves_forward_only(
    current: MessageStatus, new: MessageStatus, advances: bool
) -> None:
    assert current.advances_to(new) is advances


# -- through the database -------------------------------------------------------------------------


def _ingest(db: Database, body: bytes, now: float) -> list[IngestOutcome]:
    parsed = parse_webhook(decode_body(body), phone_number_id=PHONE_NUMBER_ID)
    return db.session_run_sync(apply_batch, [IngestItem(body, parsed, now)])


def _outbox_id(db: Database, message_id: int) -> int:
    return int(
        db.session_run_sync(
            lambda s: s.scalar(select(OutboxItem.id).where(OutboxItem.message_id == message_id))
        )
    )


def _raw(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_enums_round_trip_through_the_database(db: Database) -> None:
    now = time.time()
    (outcome,) = _ingest(db, text_body("Hola"), now)
    (new,) = outcome.new_messages
    conversation_id = new.conversation_id

    # A customer message: stored as "customer"/"received", read back as the members.
    (inbound,) = db.session_run_sync(queries.get_messages, conversation_id, None, 50)
    assert inbound.author is Author.CUSTOMER and inbound.status is MessageStatus.RECEIVED

    # A bot reply queued, accepted, then delivered by a status webhook.
    (queued,) = db.session_run_sync(
        lambda s: queue_replies(
            s,
            conversation_id=conversation_id,
            specs=[OutboundSpec(type="text", text="¡Hola!", payload={})],
            author=Author.BOT,
            staff_name=None,
            handled_ids=[new.message_id],
            now=now,
        )
    )
    assert db.session_run_sync(queries.get_message, queued.message_id).status is (
        MessageStatus.QUEUED
    )
    wamid = new_wamid()
    db.session_run_sync(mark_sent, _outbox_id(db, queued.message_id), queued.message_id, wamid, now)
    (delivered,) = _ingest(db, status_body(wamid, "delivered"), now + 1)
    assert delivered.status_changes == [
        StatusChange(conversation_id, queued.message_id, MessageStatus.DELIVERED, None)
    ]
    reply = db.session_run_sync(queries.get_message, queued.message_id)
    assert (reply.author, reply.status) == (Author.BOT, MessageStatus.DELIVERED)
    assert type(reply.status) is MessageStatus

    # A staff reply that failed.
    (staff,) = db.session_run_sync(
        lambda s: queue_replies(
            s,
            conversation_id=conversation_id,
            specs=[OutboundSpec(type="text", text="Le escribo yo", payload={})],
            author=Author.STAFF,
            staff_name="Ana",
            handled_ids=[],
            now=now,
        )
    )
    change = db.session_run_sync(
        mark_failed, _outbox_id(db, staff.message_id), staff.message_id, 131047, "window", 1, now
    )
    assert change.status is MessageStatus.FAILED

    # The mode: a member in, the same string stored, a member out.
    assert db.session_run_sync(set_mode, conversation_id, ConversationMode.HUMAN, now, "Ana")
    summary = db.session_run_sync(queries.get_conversation, conversation_id)
    assert summary.mode is ConversationMode.HUMAN and summary.last_message_author is Author.STAFF

    # What the database holds is exactly today's strings.
    assert _raw(db, "SELECT author, status FROM messages ORDER BY id") == [
        ("customer", "received"),
        ("bot", "delivered"),
        ("staff", "failed"),
    ]
    assert _raw(db, "SELECT mode, last_message_author FROM conversations") == [("human", "staff")]
    assert _raw(db, "SELECT wamid, status FROM message_statuses") == [(wamid, "delivered")]
    # The outbox rows' states are OutboxState's values (no schema change: the same strings).
    assert _raw(db, "SELECT state FROM outbox ORDER BY id") == [("sent",), ("failed",)]


def test_a_stored_status_older_than_the_update_is_not_replaced(db: Database) -> None:
    now = time.time()
    (outcome,) = _ingest(db, text_body("Hola"), now)
    conversation_id = outcome.new_messages[0].conversation_id
    (queued,) = db.session_run_sync(
        lambda s: queue_replies(
            s,
            conversation_id=conversation_id,
            specs=[OutboundSpec(type="text", text="Hola", payload={})],
            author=Author.BOT,
            staff_name=None,
            handled_ids=[],
            now=now,
        )
    )
    wamid = new_wamid()
    # "read" arrives before the outbox learned the wamid: applied when it does.
    _ingest(db, status_body(wamid, "read"), now)
    sent = db.session_run_sync(
        mark_sent, _outbox_id(db, queued.message_id), queued.message_id, wamid, now
    )
    assert [c.status for c in sent.status_changes] == [MessageStatus.READ]
    (late,) = _ingest(db, status_body(wamid, "delivered"), now + 1)
    assert late.status_changes == []
    assert _raw(db, f"SELECT status FROM messages WHERE id = {queued.message_id}") == [("read",)]


# -- /health --------------------------------------------------------------------------------------


def test_health_json_is_unchanged_by_the_enums() -> None:
    typed = HealthSnapshot(
        database=DatabaseState.OK,
        graph=GraphState.BLOCKED,
        llm=LlmState.CIRCUIT_OPEN,
        llm_model="qwen2.5:3b",
        tunnel=TunnelState.AUTH_FAILED,
        public_url=None,
        outbox_queued=2,
        outbox_failed=1,
        bot_paused=False,
        simulator=False,
    )
    plain = dataclasses.replace(
        typed,
        database="ok",  # type: ignore[arg-type]
        graph="blocked",  # type: ignore[arg-type]
        llm="circuit_open",  # type: ignore[arg-type]
        tunnel="auth_failed",  # type: ignore[arg-type]
    )
    assert json.dumps(dataclasses.asdict(typed)) == json.dumps(dataclasses.asdict(plain))


@pytest.mark.asyncio
async def test_health_over_http_carries_the_plain_strings(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        snapshot = await core.service.health()
        assert isinstance(snapshot.llm, LlmState) and isinstance(snapshot.graph, GraphState)
        assert snapshot.tunnel is TunnelState.DISABLED
        assert snapshot.database is DatabaseState.OK
        data = (await client.get(core.server_url + "/health")).json()
    assert (data["database"], data["tunnel"]) == ("ok", "disabled")
    assert data["llm"] in STORED_VALUES[LlmState]
    assert data["graph"] in STORED_VALUES[GraphState]


# -- mode expiry: one rule, at the boundary -------------------------------------------------------

QUIET_MIN = 30
TIMEOUT_MIN = 120
SETTINGS = Settings().replace(
    human_quiet_minutes=QUIET_MIN, needs_human_timeout_minutes=TIMEOUT_MIN
)
T0 = 1_800_000_000.0


@pytest.mark.parametrize(
    ("mode", "changed", "staff", "now", "expired"),
    [
        # HUMAN: the quiet period counts from the later of the takeover and staff's last message.
        (ConversationMode.HUMAN, T0, None, T0 + QUIET_MIN * 60 - 0.001, False),
        (ConversationMode.HUMAN, T0, None, T0 + QUIET_MIN * 60, True),
        (ConversationMode.HUMAN, T0, T0 + 600, T0 + QUIET_MIN * 60, False),
        (ConversationMode.HUMAN, T0, T0 + 600, T0 + 600 + QUIET_MIN * 60, True),
        (ConversationMode.HUMAN, T0 + 600, T0, T0 + 600 + QUIET_MIN * 60 - 1, False),
        # NEEDS_HUMAN: the timeout counts from the handoff; staff messages do not matter.
        (ConversationMode.NEEDS_HUMAN, T0, None, T0 + TIMEOUT_MIN * 60 - 0.001, False),
        (ConversationMode.NEEDS_HUMAN, T0, None, T0 + TIMEOUT_MIN * 60, True),
        (ConversationMode.NEEDS_HUMAN, T0, T0 + 3600, T0 + TIMEOUT_MIN * 60, True),
        # BOT never expires.
        (ConversationMode.BOT, T0, None, T0 + 10 * TIMEOUT_MIN * 60, False),
    ],
)
def test_mode_expiry_rule_at_the_boundary(
    mode: ConversationMode, changed: float, staff: float | None, now: float, expired: bool
) -> None:
    assert (
        is_mode_expired(
            mode,
            mode_changed_at=changed,
            last_staff_message_at=staff,
            settings=SETTINGS,
            now=now,
        )
        is expired
    )


def _turn_state(mode: ConversationMode, now: float) -> TurnState:
    pending = TurnMessage(
        id=1,
        wamid="wamid.X",
        author=Author.CUSTOMER,
        type="text",
        text="hola",
        wa_timestamp=int(now),
        created_at=now,
    )
    return TurnState(
        conversation_id=1,
        contact_id=1,
        wa_id="15555550101",
        user_id=None,
        profile_name="Maria",
        mode=mode,
        mode_changed_at=T0,
        staff_name=None,
        last_staff_message_at=None,
        opted_out=False,
        blocked=False,
        greeting_sent=False,
        away_sent_for_window=None,
        is_first_conversation=False,
        pending=(pending,),
        history=(),
        bot_replies_last_minute=(),
        customer_messages_last_minute=1,
    )


class _FixedWallClock(RealClock):
    """The real clock, except that the wall time is whatever the test sets."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("mode", "limit_s"),
    [(ConversationMode.HUMAN, QUIET_MIN * 60), (ConversationMode.NEEDS_HUMAN, TIMEOUT_MIN * 60)],
)
def test_the_turn_uses_the_rule_at_the_boundary(mode: ConversationMode, limit_s: float) -> None:
    before, at = T0 + limit_s - 1, T0 + limit_s
    settings = SETTINGS.replace(stale_backlog_hours=1_000_000.0)
    assert not decide(_turn_state(mode, before), settings, before, paused=False).mode_expired
    assert decide(_turn_state(mode, at), settings, at, paused=False).mode_expired


class _FixedWallClock(RealClock):
    """The real clock, except that the wall time is whatever the test sets."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("mode", "limit_s"),
    [(ConversationMode.HUMAN, QUIET_MIN * 60), (ConversationMode.NEEDS_HUMAN, TIMEOUT_MIN * 60)],
)
@pytest.mark.asyncio
async def test_the_sweeper_uses_the_rule_at_the_boundary(
    db: Database, mode: ConversationMode, limit_s: float
) -> None:
    (outcome,) = _ingest(db, text_body("Hola"), T0)
    conversation_id = outcome.new_messages[0].conversation_id
    db.session_run_sync(set_mode, conversation_id, mode, T0, "Ana")
    hub = EventHub()
    seen: list[Event] = []
    hub.subscribe(seen.append)
    clock = _FixedWallClock(T0 + limit_s - 1)
    engine = BotEngine(
        db=db,
        hub=hub,
        outbox=None,  # type: ignore[arg-type]  # the sweep sends nothing
        graph=None,  # type: ignore[arg-type]
        llm=None,
        settings=lambda: SETTINGS,
        clock=clock,
    )

    def stored_mode() -> str:
        return str(db.session_run_sync(lambda s: s.scalar(select(Conversation.mode))))

    await engine.sweep_modes()
    assert stored_mode() == mode.value and seen == []
    clock.now = T0 + limit_s
    await engine.sweep_modes()
    assert stored_mode() == "bot"
    assert seen == [ModeChanged(conversation_id=conversation_id, mode=ConversationMode.BOT)]
    assert isinstance(seen[0], ModeChanged) and seen[0].mode is ConversationMode.BOT


# -- the after-commit pipeline --------------------------------------------------------------------


class _Engine:
    """Records which conversations the pipeline hands to the bot."""

    def __init__(self, order: list[object]) -> None:
        self.order = order

    def notify(self, conversation_id: int) -> None:
        self.order.append(("notify", conversation_id))


class _Voice:
    def __init__(self, order: list[object]) -> None:
        self.order = order

    def submit(self, conversation_id: int, message_id: int) -> None:
        self.order.append(("transcribe", conversation_id, message_id))


def test_the_commit_pipeline_publishes_and_notifies_in_order() -> None:
    hub = EventHub()
    order: list[object] = []
    hub.subscribe(order.append)
    pipeline = CommitPipeline(hub, _Engine(order), _Voice(order))  # type: ignore[arg-type]
    pipeline.on_committed(
        [
            IngestOutcome(
                new_messages=[
                    NewMessage(7, 70, 1, needs_bot=True, audio=True),
                    NewMessage(8, 80, 2, needs_bot=False),
                ],
                status_changes=[StatusChange(9, 90, MessageStatus.READ, None)],
                account_error_codes=[130429],
            ),
            IngestOutcome(new_messages=[NewMessage(7, 71, 1, needs_bot=True)]),
        ]
    )
    assert order[:8] == [
        MessageReceived(conversation_id=7, message_id=70, contact_id=1),
        ("transcribe", 7, 70),  # before the bot's worker, which waits for the transcript
        ("notify", 7),
        MessageReceived(conversation_id=8, message_id=80, contact_id=2),
        MessageStatusChanged(conversation_id=9, message_id=90, status=MessageStatus.READ),
        AccountErrorReceived(error_code=130429),
        MessageReceived(conversation_id=7, message_id=71, contact_id=1),
        ("notify", 7),
    ]
    # One list update per touched conversation, after the whole batch.
    assert sorted(order[8:], key=repr) == [
        ConversationUpdated(conversation_id=7),
        ConversationUpdated(conversation_id=8),
    ]


def test_status_changes_become_typed_events() -> None:
    hub = EventHub()
    seen: list[Event] = []
    hub.subscribe(seen.append)
    publish_status_changes(
        hub,
        [
            StatusChange(1, 10, MessageStatus.SENT, None),
            StatusChange(1, 11, MessageStatus.FAILED, 131047),
        ],
    )
    assert seen == [
        events.MessageStatusChanged(conversation_id=1, message_id=10, status=MessageStatus.SENT),
        events.MessageStatusChanged(
            conversation_id=1, message_id=11, status=MessageStatus.FAILED, error_code=131047
        ),
    ]


def test_core_composes_the_pipeline_without_glue_of_its_own() -> None:
    from wabot_desktop.core import runtime

    assert not hasattr(runtime.Core, "_on_committed")
    assert "publish_status_changes" not in vars(runtime)
    assert Message.status.type.length == 16  # every MessageStatus value fits the column
    assert max(len(s.value) for s in MessageStatus) <= 16


def test_outbox_in_doubt_decision_is_stored_as_its_string(db: Database) -> None:
    now = time.time()
    (outcome,) = _ingest(db, text_body("Hola"), now)
    conversation_id = outcome.new_messages[0].conversation_id
    (queued,) = db.session_run_sync(
        lambda s: queue_replies(
            s,
            conversation_id=conversation_id,
            specs=[OutboundSpec(type="text", text="Hola", payload={})],
            author=Author.BOT,
            staff_name=None,
            handled_ids=[],
            now=now,
        )
    )
    assert _raw(db, "SELECT state FROM outbox") == [(OutboxState.QUEUED.value,)]
    outbox_id = _outbox_id(db, queued.message_id)
    db.session_run_sync(record_in_doubt_decision, outbox_id, InDoubtDecision.RESENT_NO_STATUS, now)
    assert _raw(db, "SELECT state, in_doubt_decision FROM outbox") == [
        ("queued", "resent_no_status")
    ]


def test_handoff_reason_is_the_member_also_from_a_stored_string() -> None:
    assert HandoffRequested(conversation_id=1, reason=HandoffReason.FLOOD).reason is (
        HandoffReason.FLOOD
    )
    # Another instance's cluster notification carries the string: it becomes the member.
    from_string = HandoffRequested(conversation_id=1, reason="backlog")  # type: ignore[arg-type]
    assert from_string.reason is HandoffReason.BACKLOG
    with pytest.raises(ValueError):
        HandoffRequested(conversation_id=1, reason="whatever")  # type: ignore[arg-type]
