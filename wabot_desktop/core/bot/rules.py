"""The bot's decision for one turn, as a pure function of the stored state and the settings.

Kept free of I/O so every etiquette rule (modes, opt-out, business hours, flood, backlog, greeting)
is tested directly; the engine carries the decision out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from wabot_desktop.core.dto import ConversationMode
from wabot_desktop.core.dto import HandoffReason as HandoffReason  # re-exported (one definition)
from wabot_desktop.core.settings import WEEKDAYS, Settings
from wabot_desktop.core.store.turns import TurnMessage, TurnState
from wabot_desktop.core.store.voice import DONE as TRANSCRIBED


class Action(StrEnum):
    SILENT = "silent"  # mark handled, say nothing
    CANNED = "canned"  # send one configured text
    LLM = "llm"  # ask the model
    WAIT = "wait"  # per-contact reply limit reached: decide again after wait_s


class Canned(StrEnum):
    """Configured texts; values are the keys of resources/prompts/defaults_*.json."""

    HANDOFF = "handoff"
    AWAY = "away"
    GREETING = "greeting"
    BACKLOG_APOLOGY = "backlog_apology"
    OPT_OUT_CONFIRM = "opt_out_confirm"
    OPT_IN_CONFIRM = "opt_in_confirm"
    MEDIA_UNREADABLE = "media_unreadable"
    THANKS = "thanks"


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    action: Action
    handled_ids: tuple[int, ...]
    canned: Canned | None = None
    new_mode: ConversationMode | None = None
    mode_expired: bool = False  # the HUMAN/NEEDS_HUMAN period ran out: back to BOT first
    handoff_reason: HandoffReason | None = None
    opt_out: bool | None = None
    mark_greeting: bool = False
    mark_away: bool = False
    greeting_prefix: bool = False
    llm_pending: tuple[TurnMessage, ...] = ()
    wait_s: float = 0.0


_PUNCT_RE = re.compile(r"[^\w\s]")


def normalize(text: str) -> str:
    """Lowercase, no accents, no punctuation, single spaces.

    '¡Hablar con ALGUIEN!' -> 'hablar con alguien'.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCT_RE.sub(" ", stripped).split())


def contains_keyword(text: str, keywords: tuple[str, ...]) -> bool:
    """True if a keyword (word or phrase) appears as whole words in ``text``."""
    padded = f" {normalize(text)} "
    return any(f" {normalize(k)} " in padded for k in keywords if normalize(k))


def is_keyword_message(text: str | None, keywords: tuple[str, ...]) -> bool:
    """True if the whole message is one of ``keywords`` (for STOP/BAJA-style commands)."""
    if not text:
        return False
    value = normalize(text)
    return bool(value) and value in {normalize(k) for k in keywords}


_GREETING_WORDS = frozenset(
    [
        "hola",
        "buenas",
        "buenos",
        "dias",
        "tardes",
        "noches",
        "que",
        "tal",
        "hello",
        "hi",
        "hey",
        "good",
        "morning",
        "afternoon",
        "evening",
        "saludos",
        "ola",
        "holi",
        "holis",
    ]
)
_THANKS_WORDS = frozenset(
    [
        "gracias",
        "muchas",
        "mil",
        "muy",
        "amable",
        "ok",
        "okay",
        "vale",
        "listo",
        "perfecto",
        "genial",
        "excelente",
        "thanks",
        "thank",
        "you",
        "great",
        "dale",
        "bueno",
    ]
)


def small_talk(text: str) -> Canned | None:
    """GREETING or THANKS when the text is only a greeting or only thanks, else None.

    Lets the no-model fallback answer "Hola" or "¡Muchas gracias!" politely instead of handing
    a chat that needs nobody over to staff.
    """
    words = normalize(text).split()
    if not words or len(words) > 6:
        return None
    if all(w in _GREETING_WORDS for w in words):
        return Canned.GREETING
    if all(w in _THANKS_WORDS or w in _GREETING_WORDS for w in words) and any(
        w in ("gracias", "thanks", "thank") for w in words
    ):
        return Canned.THANKS
    return None


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def _day_ranges(settings: Settings, day: date) -> list[tuple[int, int]]:
    """The readable [start, end) minute ranges of ``day``; none on a closed date."""
    if day.isoformat() in settings.closed_dates:
        return []
    ranges: list[tuple[int, int]] = []
    for item in settings.business_hours.get(WEEKDAYS[day.weekday()], []):
        try:
            start, end = item
            ranges.append((_minutes(start), _minutes(end)))
        except (TypeError, ValueError):
            continue
    return ranges


def is_open(settings: Settings, moment: datetime) -> bool:
    """Whether the shop is open at ``moment`` (local time): weekday ranges minus closed dates.

    A range whose end is before its start runs past midnight ("20:00"-"02:00" on Friday is
    open late Friday and early Saturday); a closed date closes the whole night it starts.
    """
    minute = moment.hour * 60 + moment.minute
    for start, end in _day_ranges(settings, moment.date()):
        if start <= minute < end or (end < start and minute >= start):
            return True
    yesterday = moment.date() - timedelta(days=1)
    return any(end < start and minute < end for start, end in _day_ranges(settings, yesterday))


def is_mode_expired(
    mode: ConversationMode,
    *,
    mode_changed_at: float | None,
    last_staff_message_at: float | None,
    settings: Settings,
    now: float,
) -> bool:
    """Whether a chat goes back to the bot: the one rule for turns and for the sweeper.

    HUMAN expires ``human_quiet_minutes`` after staff last wrote or took the chat over (the
    later of the two); NEEDS_HUMAN expires ``needs_human_timeout_minutes`` after the handoff.
    Reaching the limit exactly counts as expired. BOT never expires.
    """
    if mode is ConversationMode.HUMAN:
        last = max(last_staff_message_at or 0.0, mode_changed_at or 0.0)
        return now - last >= settings.human_quiet_minutes * 60
    if mode is ConversationMode.NEEDS_HUMAN:
        return now - (mode_changed_at or 0.0) >= settings.needs_human_timeout_minutes * 60
    return False


_WORDLESS_UNREADABLE = frozenset({"unsupported", "unknown"})
# Types whose text the customer typed or tapped (captions included): handoff keywords count there.
_TYPED_BY_CUSTOMER = frozenset({"text", "interactive", "button", "image", "video", "document"})


def _customer_words(message: TurnMessage) -> str | None:
    """What the customer typed, tapped or said: a transcribed voice note counts as words."""
    if message.type in _TYPED_BY_CUSTOMER:
        return message.text
    if message.type == "audio" and message.transcript_status == TRANSCRIBED:
        return message.text  # the transcript (see core/store/turns)
    return None


def decide(state: TurnState, settings: Settings, now: float, paused: bool) -> Decision:
    """Decide what the bot does with the conversation's pending customer messages."""
    pending = state.pending
    handled = tuple(m.id for m in pending)
    if not pending or state.blocked:
        return Decision(action=Action.SILENT, handled_ids=handled)

    texts = [m.text for m in pending if m.type == "text"]
    if any(is_keyword_message(t, settings.opt_out_keywords) for t in texts):
        return Decision(
            action=Action.CANNED, handled_ids=handled, canned=Canned.OPT_OUT_CONFIRM, opt_out=True
        )
    if state.opted_out:
        if any(is_keyword_message(t, settings.opt_in_keywords) for t in texts):
            return Decision(
                action=Action.CANNED,
                handled_ids=handled,
                canned=Canned.OPT_IN_CONFIRM,
                opt_out=False,
            )
        return Decision(action=Action.SILENT, handled_ids=handled)

    mode_expired = False
    if state.mode is not ConversationMode.BOT:
        if not is_mode_expired(
            state.mode,
            mode_changed_at=state.mode_changed_at,
            last_staff_message_at=state.last_staff_message_at,
            settings=settings,
            now=now,
        ):
            return Decision(action=Action.SILENT, handled_ids=handled)
        mode_expired = True
    if paused:
        return Decision(action=Action.SILENT, handled_ids=handled, mode_expired=mode_expired)

    stale_before = now - settings.stale_backlog_hours * 3600
    if pending[-1].sent_at < stale_before:
        return Decision(
            action=Action.CANNED,
            handled_ids=handled,
            canned=Canned.BACKLOG_APOLOGY,
            new_mode=ConversationMode.NEEDS_HUMAN,
            handoff_reason=HandoffReason.BACKLOG,
            mode_expired=mode_expired,
        )
    fresh = tuple(m for m in pending if m.sent_at >= stale_before)

    if any(
        (words := _customer_words(m)) and contains_keyword(words, settings.handoff_keywords)
        for m in fresh
    ):
        return Decision(
            action=Action.CANNED,
            handled_ids=handled,
            canned=Canned.HANDOFF,
            new_mode=ConversationMode.NEEDS_HUMAN,
            handoff_reason=HandoffReason.CUSTOMER_REQUEST,
            mode_expired=mode_expired,
        )
    if state.customer_messages_last_minute > settings.flood_messages_per_minute:
        return Decision(
            action=Action.CANNED,
            handled_ids=handled,
            canned=Canned.HANDOFF,
            new_mode=ConversationMode.NEEDS_HUMAN,
            handoff_reason=HandoffReason.FLOOD,
            mode_expired=mode_expired,
        )
    recent = [t for t in state.bot_replies_last_minute if t > now - 60]
    if len(recent) >= max(1, settings.max_bot_replies_per_minute):
        return Decision(
            action=Action.WAIT,
            handled_ids=(),
            wait_s=max(0.5, recent[0] + 60 - now),
            mode_expired=mode_expired,
        )
    if all(m.type == "request_welcome" for m in fresh):
        return Decision(
            action=Action.CANNED,
            handled_ids=handled,
            canned=Canned.GREETING,
            mark_greeting=True,
            mode_expired=mode_expired,
        )
    if all(m.type in _WORDLESS_UNREADABLE or (m.type == "audio" and not m.text) for m in fresh):
        return Decision(
            action=Action.CANNED,
            handled_ids=handled,
            canned=Canned.MEDIA_UNREADABLE,
            mode_expired=mode_expired,
        )
    if settings.outside_hours_mode == "away" and not is_open(settings, datetime.fromtimestamp(now)):
        if state.away_sent_for_window is None or now - state.away_sent_for_window >= 24 * 3600:
            return Decision(
                action=Action.CANNED,
                handled_ids=handled,
                canned=Canned.AWAY,
                mark_away=True,
                mode_expired=mode_expired,
            )
        return Decision(action=Action.SILENT, handled_ids=handled, mode_expired=mode_expired)
    greeting = settings.greeting_enabled and state.is_first_conversation and not state.greeting_sent
    return Decision(
        action=Action.LLM,
        handled_ids=handled,
        llm_pending=tuple(m for m in fresh if m.type != "request_welcome"),
        greeting_prefix=greeting,
        mark_greeting=greeting,
        mode_expired=mode_expired,
    )
