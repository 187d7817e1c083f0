"""The per-conversation workers: debounce, decide, generate, queue the reply.

One worker per conversation at a time, so a chat's replies keep their order. A worker waits for
the customer to stop typing (quiet period, bounded by a maximum wait), decides with
:func:`rules.decide`, and carries the decision out. An LLM draft is dropped and started again when
a new customer message arrives during generation. The reply is queued in one transaction that
first checks the chat is still the bot's: a staff takeover during generation wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from wabot_desktop.core.bot.outbox import OutboxSender
from wabot_desktop.core.bot.rules import (
    Action,
    Canned,
    Decision,
    HandoffReason,
    decide,
    is_mode_expired,
    small_talk,
)
from wabot_desktop.core.clock import REAL_CLOCK, Clock
from wabot_desktop.core.dto import Author, ConversationMode
from wabot_desktop.core.events import (
    EventHub,
    HandoffRequested,
    MessageQueued,
    ModeChanged,
    TaskFailed,
)
from wabot_desktop.core.knowledge.active import ActiveKnowledge
from wabot_desktop.core.llm.base import (
    BusinessProfile,
    FaqEntry,
    HistoryTurn,
    LlmProvider,
    LlmUnavailableError,
    TurnContent,
)
from wabot_desktop.core.llm.fallback import FallbackResponder
from wabot_desktop.core.llm.postprocess import clean_reply, split_reply
from wabot_desktop.core.llm.prompt import (
    build_system_message,
    compose_messages,
    fill_placeholders,
    load_defaults,
    load_system_template,
    normalize_language,
    placeholder_values,
)
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.leases import LeaseKind
from wabot_desktop.core.store.outbox import OutboundSpec, QueuedMessage, queue_replies
from wabot_desktop.core.store.turns import (
    TurnMessage,
    TurnState,
    conversation_recipient,
    conversations_with_pending,
    current_mode,
    held_modes,
    load_turn_state,
    mark_all_pending_handled,
    mark_handled,
    mark_turn_flags,
    set_contact_opt_out,
    set_mode,
)
from wabot_desktop.core.store.voice import FAILED, TOO_LONG
from wabot_desktop.core.whatsapp.errors import GraphApiError
from wabot_desktop.core.whatsapp.graph import GraphClient
from wabot_desktop.core.whatsapp.payloads import recipient_fields, text_message

if TYPE_CHECKING:
    from wabot_desktop.core.voice.notes import VoiceNotes

logger = logging.getLogger(__name__)

_MAX_RESTARTS = 3  # a customer typing non-stop still gets an answer after this many drafts
_CANNED_SETTING = {
    Canned.HANDOFF: "handoff_message",
    Canned.AWAY: "away_message",
    Canned.GREETING: "greeting_message",
    Canned.BACKLOG_APOLOGY: "backlog_apology",
    Canned.OPT_OUT_CONFIRM: "opt_out_confirm",
    Canned.OPT_IN_CONFIRM: "opt_in_confirm",
}


class _Step(Enum):
    DONE = "done"
    AGAIN = "again"


def business_profile(settings: Settings) -> BusinessProfile:
    return BusinessProfile(
        name=settings.business_name,
        hours_text=settings.business_hours_text,
        address=settings.business_address,
        payment_methods=settings.payment_methods,
        extra_facts=settings.extra_facts,
        faq=tuple(FaqEntry(question=q, answer=a) for q, a in settings.faq),
    )


def canned_text(key: Canned | str, settings: Settings) -> str:
    """The owner's text for ``key`` if set, else the default for the UI language."""
    language = normalize_language(settings.language or None)
    field = _CANNED_SETTING.get(Canned(key)) if key in Canned.__members__.values() else None
    custom = getattr(settings, field) if field else ""
    text = custom or load_defaults(language).get(str(key), "")
    return fill_placeholders(text, placeholder_values(business_profile(settings)))


def system_prompt_for(settings: Settings) -> str:
    language = normalize_language(settings.language or None)
    template = settings.system_prompt or load_system_template(language)
    return build_system_message(template, business_profile(settings), language=language)


def turn_content(m: TurnMessage) -> TurnContent:
    return TurnContent(
        type=m.type,
        text=m.text,
        caption=m.text if m.type in ("image", "video", "document") else None,
        filename=m.media_filename,
        voice=m.media_voice,
        latitude=m.latitude,
        longitude=m.longitude,
        location_name=m.location_name,
        location_address=m.location_address,
        unsupported_type=m.unsupported_type,
        interactive_title=m.text if m.type in ("interactive", "button") else None,
    )


@dataclass(frozen=True, slots=True)
class _Committed:
    queued: list[QueuedMessage]
    mode: ConversationMode | None  # the new mode, when it changed
    sent: bool


def _commit_turn(
    session: Session,
    state: TurnState,
    decision: Decision,
    texts: list[str],
    new_mode: ConversationMode | None,
    now: float,
) -> _Committed:
    """Carry a decision out atomically, unless staff took the chat meanwhile."""
    if decision.opt_out is not None:
        set_contact_opt_out(session, state.contact_id, decision.opt_out)
    snapshot = current_mode(session, state.conversation_id)
    if snapshot is None:
        return _Committed([], None, False)
    mode, opted_out = snapshot
    may_send = mode is ConversationMode.BOT and (not opted_out or decision.opt_out is not None)
    mark_handled(session, list(decision.handled_ids))
    if not may_send:
        return _Committed([], None, False)
    changed = None
    if new_mode is not None and set_mode(session, state.conversation_id, new_mode, now):
        changed = new_mode
    mark_turn_flags(
        session,
        state.conversation_id,
        greeting=decision.mark_greeting,
        away_at=now if decision.mark_away else None,
    )
    to = recipient_fields(state.wa_id, state.user_id)
    specs = [OutboundSpec(type="text", text=t, payload=text_message(to, t)) for t in texts if t]
    queued = queue_replies(
        session,
        conversation_id=state.conversation_id,
        specs=specs,
        author=Author.BOT,
        staff_name=None,
        handled_ids=[],
        now=now,
    )
    return _Committed(queued, changed, True)


def _history_author(author: Author) -> Author:
    return author if author in (Author.CUSTOMER, Author.STAFF) else Author.BOT


def history_turns(messages: tuple[TurnMessage, ...]) -> list[HistoryTurn]:
    """Earlier messages as the model sees them.

    WhatsApp system notices ("the customer changed number") are nobody's turn and are left out;
    they used to reach the model as an assistant turn. What the bot or staff sent is shown by its
    text (a template or a message with buttons), not described as if a customer had sent it.
    """
    turns: list[HistoryTurn] = []
    for m in messages:
        if m.author == Author.SYSTEM:
            continue
        if m.type == "text":
            content = m.text or ""  # what describe() says of a text, without building one
        elif m.author == Author.CUSTOMER or not m.text:
            content = turn_content(m).describe()
        else:
            content = m.text
        turns.append(HistoryTurn(author=_history_author(m.author), content=content))
    return turns


# The handoff text when even the owner's canned texts cannot be read (the failure may be that):
# Spanish first, and "usted" to the customer like every default reply (defaults_es.json).
_LAST_RESORT_HANDOFF = (
    "Gracias por su mensaje. Una persona de nuestro equipo le responderá por aquí lo antes posible."
)


def _fail_turn(session: Session, conversation_id: int, text: str, now: float) -> _Committed:
    """A turn raised: a person answers these messages; the customer hears that once.

    Only from BOT mode: a chat staff already has, or one already waiting for a person, gets no
    second message. Every pending customer message is marked handled either way, so the failing
    turn is not retried in a loop; staff see them in the monitor.
    """
    snapshot = current_mode(session, conversation_id)
    if snapshot is None:
        return _Committed([], None, False)
    mode, opted_out = snapshot
    mark_all_pending_handled(session, conversation_id)
    if mode is not ConversationMode.BOT:
        return _Committed([], None, False)
    changed = (
        ConversationMode.NEEDS_HUMAN
        if set_mode(session, conversation_id, ConversationMode.NEEDS_HUMAN, now)
        else None
    )
    recipient = conversation_recipient(session, conversation_id)
    if opted_out or recipient is None:
        return _Committed([], changed, False)
    to = recipient_fields(*recipient)
    queued = queue_replies(
        session,
        conversation_id=conversation_id,
        specs=[OutboundSpec(type="text", text=text, payload=text_message(to, text))],
        author=Author.BOT,
        staff_name=None,
        handled_ids=[],
        now=now,
    )
    return _Committed(queued, changed, True)


def _voice_fallback(decision: Decision, state: TurnState, settings: Settings) -> Decision:
    """A voice note too long to transcribe goes to a person; so does one that failed, when the
    owner chose handoff over the "can't listen" text (``voice_fallback``)."""
    if decision.action is Action.LLM or decision.canned is Canned.MEDIA_UNREADABLE:
        statuses = {m.transcript_status for m in state.pending if m.type == "audio"}
        if TOO_LONG in statuses or (settings.voice_fallback == "handoff" and FAILED in statuses):
            return replace(
                decision,
                action=Action.CANNED,
                canned=Canned.HANDOFF,
                new_mode=ConversationMode.NEEDS_HUMAN,
                handoff_reason=HandoffReason.NO_ANSWER,
                llm_pending=(),
                greeting_prefix=False,
                mark_greeting=False,
            )
    return decision


TYPING_SHOWN_S = 25.0  # WhatsApp hides the typing indicator after this, or when we send


class TypingIndicators:
    """When each chat's typing indicator was last accepted, so a chat gets one at a time.

    WhatsApp shows "typing…" until the business sends a message or for 25 s. A draft dropped for
    a newer customer message starts a new generation; while the first indicator still shows, a
    second request would only repeat it (the read receipt of the newer message then goes with the
    next indicator, or the customer sees the reply). Queuing a reply ends it: the next turn sends
    a fresh one.
    """

    def __init__(self) -> None:
        self._shown: dict[int, float] = {}  # conversation id -> monotonic time it was requested

    def wait_s(self, conversation_id: int, now: float, every: float) -> float:
        """Seconds until this chat's indicator is due again (0: send one now)."""
        since = self._shown.get(conversation_id)
        if since is None:
            return 0.0
        due = since + min(max(1.0, every), TYPING_SHOWN_S)
        if now >= due:
            del self._shown[conversation_id]
            return 0.0
        return due - now

    def shown(self, conversation_id: int, at: float) -> None:
        if len(self._shown) >= 1000:  # chats whose indicator ran out unasked: forget them
            self._shown = {c: t for c, t in self._shown.items() if at - t < TYPING_SHOWN_S}
        self._shown[conversation_id] = at

    def hidden(self, conversation_id: int) -> None:
        self._shown.pop(conversation_id, None)


class _Worker:
    def __init__(self, conversation_id: int, clock: Clock) -> None:
        self.conversation_id = conversation_id
        self.clock = clock
        self.arrived = asyncio.Event()
        self.first_at = clock.monotonic()
        self.last_at = self.first_at
        self.restarts = 0
        self.task: asyncio.Task[None] | None = None

    def poke(self) -> None:
        self.last_at = self.clock.monotonic()
        self.arrived.set()


class BotEngine:
    """Starts a worker per conversation with pending customer messages."""

    def __init__(
        self,
        *,
        db: Database,
        hub: EventHub,
        outbox: OutboxSender,
        graph: GraphClient,
        llm: LlmProvider | None,
        settings: Callable[[], Settings],
        clock: Clock = REAL_CLOCK,
        voice: VoiceNotes | None = None,
        knowledge: ActiveKnowledge | None = None,
    ) -> None:
        self.voice = voice  # pending transcriptions hold a conversation's turn back
        self.knowledge = knowledge  # the active prompt/knowledge version; None = settings only
        self._db = db
        self._hub = hub
        self._outbox = outbox
        self._graph = graph
        self.llm = llm
        self._settings = settings
        self._clock = clock
        self._workers: dict[int, _Worker] = {}
        self._closed = False
        self._receipts: set[asyncio.Task[bool]] = set()  # read receipts still on their way
        self._indicators = TypingIndicators()
        self.turn_failures = 0  # turns that raised since start-up (shown in /health)

    @property
    def busy(self) -> bool:
        """A conversation is being decided or answered, or a read receipt is on its way."""
        return bool(self._workers) or bool(self._receipts)

    def notify(self, conversation_id: int) -> None:
        """A customer message was stored in this conversation."""
        if self._closed:
            return
        worker = self._workers.get(conversation_id)
        if worker is None:
            worker = _Worker(conversation_id, self._clock)
            self._workers[conversation_id] = worker
            worker.task = asyncio.create_task(self._run(worker), name=f"bot-{conversation_id}")
        worker.poke()

    def poke(self, conversation_id: int) -> None:
        """Another instance stored a message here: a worker already on this chat waits for it
        (the turn itself only answers messages it finds pending under its lease)."""
        worker = self._workers.get(conversation_id)
        if worker is not None:
            worker.poke()

    async def recover(self) -> int:
        """Start-up: decide again on every stored-but-undecided customer message."""
        pending = await self._db.session_run(conversations_with_pending)
        for conversation_id in pending:
            self.notify(conversation_id)
        if pending:
            logger.info("recovering %d conversations with undecided messages", len(pending))
        return len(pending)

    async def run_recovery(self, interval: float = 2.0) -> None:
        """Several instances on one database: pick up customer messages nobody is deciding.

        Another instance may have stored them and died (its turn lease went with it), or be
        working on them: a worker started here takes the conversation's turn lease first, so a
        live instance's turn is never taken over; it then finds them decided, or decides them.
        """
        while True:
            await asyncio.sleep(interval)
            try:
                pending = await self._db.session_run(conversations_with_pending)
            except Exception:
                logger.exception("recovery sweep failed")
                continue
            for conversation_id in pending:
                if conversation_id not in self._workers:
                    self.notify(conversation_id)

    async def sweep_modes(self) -> None:
        """Return chats to the bot when the staff quiet period or the handoff timeout ran out."""
        settings = self._settings()
        now = self._clock.time()
        held = await self._db.session_run(held_modes)
        ids = [
            h.conversation_id
            for h in held
            if is_mode_expired(
                h.mode,
                mode_changed_at=h.mode_changed_at,
                last_staff_message_at=h.last_staff_message_at,
                settings=settings,
                now=now,
            )
        ]
        for conversation_id in ids:
            if await self._db.session_run(set_mode, conversation_id, ConversationMode.BOT, now):
                self._hub.publish(
                    ModeChanged(conversation_id=conversation_id, mode=ConversationMode.BOT)
                )

    async def run_sweeper(self, interval: float = 30.0) -> None:
        while True:
            await self._clock.sleep(interval)
            try:
                await self.sweep_modes()
            except Exception:
                logger.exception("mode sweep failed")

    async def stop(self) -> None:
        self._closed = True
        tasks = [w.task for w in self._workers.values() if w.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._workers.clear()
        receipts = list(self._receipts)
        for receipt in receipts:
            receipt.cancel()
        if receipts:
            await asyncio.gather(*receipts, return_exceptions=True)

    async def _run(self, worker: _Worker) -> None:
        try:
            while True:
                await self._debounce(worker)
                if self.voice is not None and self.voice.busy(worker.conversation_id):
                    await self.voice.settled(worker.conversation_id)  # hear it before answering
                    continue
                worker.arrived.clear()
                # Several instances on one PostgreSQL: one turn per conversation at a time in
                # the whole cluster (a no-op on SQLite). A dead holder's lease goes with it.
                leases = self._db.leases
                await leases.acquire(LeaseKind.TURN, worker.conversation_id)
                try:
                    step = await self._turn(worker)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    await self._turn_failed(worker.conversation_id, exc)
                    step = _Step.DONE
                finally:
                    await leases.release(LeaseKind.TURN, worker.conversation_id)
                if step is _Step.AGAIN:
                    continue
                if not worker.arrived.is_set():
                    return
                # More arrived while we were deciding: a fresh debounce window.
                worker.first_at = self._clock.monotonic()
                worker.restarts = 0
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("bot worker for conversation %d failed", worker.conversation_id)
        finally:
            if self._workers.get(worker.conversation_id) is worker:
                del self._workers[worker.conversation_id]

    async def _turn_failed(self, conversation_id: int, exc: BaseException) -> None:
        """Whatever broke inside a turn: the customer still hears from us, the owner is told.

        The traceback goes to the log, the chat goes to a person with the handoff message, the
        owner gets a TaskFailed event (status bar, tray) and a count in /health, and the worker
        goes on with the next message.
        """
        self.turn_failures += 1
        logger.error(
            "bot turn for conversation %d failed; handing the chat to a person",
            conversation_id,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        try:
            text = canned_text(Canned.HANDOFF, self._settings()) or _LAST_RESORT_HANDOFF
        except Exception:
            logger.exception("handoff text unavailable; using the built-in one")
            text = _LAST_RESORT_HANDOFF
        self._hub.publish(TaskFailed(task="bot_turn", error=type(exc).__name__))
        try:
            committed = await self._db.session_run(
                _fail_turn, conversation_id, text, self._clock.time()
            )
        except Exception:
            # The database itself failed: the messages stay pending and start-up recovery (or
            # the next message) decides on them again.
            logger.exception("could not hand conversation %d to a person", conversation_id)
            return
        self._publish_committed(conversation_id, committed, HandoffReason.BOT_ERROR)

    async def _debounce(self, worker: _Worker) -> None:
        settings = self._settings()
        while True:
            now = self._clock.monotonic()
            remaining = min(
                settings.debounce_quiet_s - (now - worker.last_at),
                settings.debounce_max_s - (now - worker.first_at),
            )
            if remaining <= 0:
                return
            worker.arrived.clear()
            if not await self._clock.wait(worker.arrived, remaining):
                return

    async def _turn(self, worker: _Worker) -> _Step:
        settings = self._settings()
        now = self._clock.time()
        # The history is read on the reader thread: a turn never queues behind webhook commits.
        state = await self._db.bot_read(load_turn_state, worker.conversation_id, now)
        if state is None or not state.pending:
            return _Step.DONE
        decision = decide(state, settings, now, paused=settings.bot_paused)
        decision = _voice_fallback(decision, state, settings)
        if decision.mode_expired and await self._db.session_run(
            set_mode, state.conversation_id, ConversationMode.BOT, now
        ):
            self._hub.publish(
                ModeChanged(conversation_id=state.conversation_id, mode=ConversationMode.BOT)
            )
        if decision.action is Action.WAIT:
            await self._clock.wait(worker.arrived, decision.wait_s)
            return _Step.AGAIN
        if decision.action is Action.SILENT:
            await self._db.session_run(mark_handled, list(decision.handled_ids))
            return _Step.DONE
        if decision.action is Action.CANNED:
            assert decision.canned is not None
            texts = [self._canned(decision.canned, settings)]
            await self._commit(state, decision, texts, decision.new_mode, decision.handoff_reason)
            return _Step.DONE
        result = await self._generate(worker, state, decision, settings)
        if result is None:
            worker.restarts += 1
            return _Step.AGAIN
        texts, new_mode, reason = result
        await self._commit(state, decision, texts, new_mode, reason)
        return _Step.DONE

    def _canned(self, key: Canned, settings: Settings) -> str:
        if self.knowledge is None or not self.knowledge.ready:
            return canned_text(key, settings)
        return self.knowledge.canned(str(key), self._clock.time()) or canned_text(key, settings)

    async def _commit(
        self,
        state: TurnState,
        decision: Decision,
        texts: list[str],
        new_mode: ConversationMode | None,
        reason: HandoffReason | None,
    ) -> None:
        committed = await self._db.session_run(
            _commit_turn, state, decision, texts, new_mode, self._clock.time()
        )
        self._publish_committed(state.conversation_id, committed, reason)

    def _publish_committed(
        self, conversation_id: int, committed: _Committed, reason: HandoffReason | None
    ) -> None:
        for queued in committed.queued:
            self._hub.publish(
                MessageQueued(
                    conversation_id=queued.conversation_id,
                    message_id=queued.message_id,
                    author=Author.BOT,
                )
            )
        if committed.queued:
            self._indicators.hidden(conversation_id)  # the reply hides it on WhatsApp
            self._outbox.wake(conversation_id)
        if committed.mode is not None:
            self._hub.publish(ModeChanged(conversation_id=conversation_id, mode=committed.mode))
            if committed.mode is ConversationMode.NEEDS_HUMAN and reason is not None:
                self._hub.publish(HandoffRequested(conversation_id=conversation_id, reason=reason))

    async def _typing(
        self, conversation_id: int, wamid: str | None, every: float, ready: Callable[[], bool]
    ) -> None:
        """Mark read + typing indicator now, and again before it expires (25 s on WhatsApp).

        Cancelled when the reply is ready; a request already on its way is left to finish (it
        is shielded) rather than aborted, or a fast answer would cost the customer the read
        receipt. Not sent (see :class:`TypingIndicators`) while this chat's indicator from an
        earlier draft still shows, nor once the reply is ready before the request may leave.
        """
        if not wamid:
            return
        while True:
            wait = self._indicators.wait_s(conversation_id, self._clock.monotonic(), every)
            if wait > 0:
                await self._clock.sleep(wait)  # an earlier draft's indicator still shows
                continue
            request = asyncio.create_task(self._send_typing(conversation_id, wamid, ready))
            self._receipts.add(request)
            request.add_done_callback(self._receipts.discard)
            if not await asyncio.shield(request):
                return
            await self._clock.sleep(max(1.0, every))

    async def _send_typing(
        self, conversation_id: int, wamid: str, ready: Callable[[], bool]
    ) -> bool:
        started = self._clock.monotonic()
        try:
            sent = await self._graph.mark_read(wamid, typing=True, skip_if=ready)
        except GraphApiError as exc:
            logger.info("typing indicator not sent (code %s)", exc.code)
            return False
        except Exception:
            logger.exception("typing indicator failed")
            return False
        if sent:
            self._indicators.shown(conversation_id, started)
        return sent

    async def _generate(
        self, worker: _Worker, state: TurnState, decision: Decision, settings: Settings
    ) -> tuple[list[str], ConversationMode | None, HandoffReason | None] | None:
        """The reply texts (and a handoff if needed); None if a new message dropped the draft."""
        pending_texts = [turn_content(m).describe() for m in decision.llm_pending]
        merged = "\n".join(t for t in pending_texts if t)
        reply = ""
        reason = HandoffReason.NO_ANSWER
        new_mode_guard: ConversationMode | None = None
        brain = self.knowledge if self.knowledge is not None and self.knowledge.ready else None
        direct = brain.direct_answer(merged) if brain is not None and merged.strip() else None
        if direct is not None:
            reply = direct  # an FAQ entry the owner marked "answer directly": no model call
        elif self.llm is not None and merged.strip():
            history = history_turns(state.history)
            if brain is not None:
                messages, system_prompt = brain.messages(
                    history,
                    pending_texts,
                    max_history_chars=settings.history_budget_chars,
                    now=self._clock.time(),
                )
            else:
                language = normalize_language(settings.language or None)
                template = settings.system_prompt or load_system_template(language)
                system_prompt = system_prompt_for(settings)
                messages = compose_messages(
                    template,
                    business_profile(settings),
                    history,
                    pending_texts,
                    budget_chars=settings.history_budget_chars,
                    language=language,
                )
            # The generation first: the read receipt + typing indicator go out alongside it
            # instead of delaying the model's request by one Graph round trip.
            generation = asyncio.create_task(self.llm.chat(messages))
            typing = asyncio.create_task(
                self._typing(
                    state.conversation_id,
                    decision.llm_pending[-1].wamid if decision.llm_pending else None,
                    settings.typing_refresh_s,
                    generation.done,
                )
            )
            arrival = asyncio.create_task(worker.arrived.wait())
            try:
                await asyncio.wait({generation, arrival}, return_when=asyncio.FIRST_COMPLETED)
                if not generation.done() and worker.restarts < _MAX_RESTARTS:
                    generation.cancel()
                    await asyncio.gather(generation, return_exceptions=True)
                    logger.debug(
                        "draft for conversation %d dropped: new message", state.conversation_id
                    )
                    return None
                try:
                    reply = clean_reply(await generation, system_prompt)
                    if brain is not None and reply:
                        guarded = brain.guard(reply, merged)  # never an invented price
                        if guarded.handoff:
                            new_mode_guard = ConversationMode.NEEDS_HUMAN
                        reply = guarded.text
                except LlmUnavailableError as exc:
                    logger.info(
                        "LLM unavailable for conversation %d: %s",
                        state.conversation_id,
                        type(exc).__name__,
                    )
                    reason = HandoffReason.LLM_UNAVAILABLE
                except Exception:
                    # A bug in a provider or the clean-up must not leave the customer unanswered
                    # (the worker would die with the messages still pending): fall back instead.
                    logger.exception(
                        "LLM call failed unexpectedly for conversation %d", state.conversation_id
                    )
                    reason = HandoffReason.LLM_UNAVAILABLE
            finally:
                for task in (typing, arrival, generation):
                    task.cancel()
                await asyncio.gather(typing, arrival, generation, return_exceptions=True)
        elif self.llm is None:
            reason = HandoffReason.LLM_UNAVAILABLE
        new_mode: ConversationMode | None = new_mode_guard
        handoff: HandoffReason | None = HandoffReason.NO_ANSWER if new_mode_guard else None
        if not reply:
            faq = business_profile(settings).faq if brain is None else brain.fallback_faq()
            faq_answer = FallbackResponder(faq).answer(merged) if merged else None
            polite = small_talk(merged) if merged else None
            if faq_answer:
                reply = faq_answer
            elif polite is not None:
                reply = self._canned(polite, settings)
                if polite is Canned.GREETING and decision.greeting_prefix:
                    return split_reply(reply), None, None  # never greet twice in one message
            else:
                reply = self._canned(Canned.HANDOFF, settings)
                new_mode = ConversationMode.NEEDS_HUMAN
                handoff = reason
        if decision.greeting_prefix:
            reply = self._canned(Canned.GREETING, settings) + "\n\n" + reply
        return split_reply(reply), new_mode, handoff
