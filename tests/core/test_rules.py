"""The bot's pure decision (rules.decide) and its helpers, table by table.

No I/O: a TurnState is built by hand, decide() is called with an explicit ``now``. Local time is
the PC's; every business-hours case builds ``now`` from a naive local datetime.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import pytest

from wabot_desktop.core.bot.rules import (
    Action,
    Canned,
    Decision,
    HandoffReason,
    contains_keyword,
    decide,
    is_keyword_message,
    is_open,
    normalize,
)
from wabot_desktop.core.dto import ConversationMode
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.store.turns import TurnMessage, TurnState

# Monday 2 March 2026, 11:00 local time: open with the default hours (09:00-19:00).
MON_11 = datetime(2026, 3, 2, 11, 0).timestamp()
# The same Monday at 22:00: closed.
MON_22 = datetime(2026, 3, 2, 22, 0).timestamp()
NOW = MON_11

_ids = iter(range(1, 1_000_000))


def msg(
    text: str | None = "hola",
    *,
    type: str = "text",
    age_s: float = 1.0,
    now: float = NOW,
    **kw: Any,
) -> TurnMessage:
    """A pending customer message sent ``age_s`` seconds before ``now``."""
    sent = now - age_s
    return TurnMessage(
        id=next(_ids),
        wamid=f"wamid.R{next(_ids)}",
        author="customer",
        type=type,
        text=text,
        wa_timestamp=int(sent),
        created_at=sent,
        **kw,
    )


def state(*pending: TurnMessage, **changes: Any) -> TurnState:
    base = TurnState(
        conversation_id=1,
        contact_id=1,
        wa_id="15555550101",
        user_id=None,
        profile_name="Maria",
        mode=ConversationMode.BOT,
        mode_changed_at=None,
        staff_name=None,
        last_staff_message_at=None,
        opted_out=False,
        blocked=False,
        greeting_sent=False,
        away_sent_for_window=None,
        is_first_conversation=False,
        pending=pending,
        history=(),
        bot_replies_last_minute=(),
        customer_messages_last_minute=len(pending),
    )
    return dataclasses.replace(base, **changes)


def settings(**changes: Any) -> Settings:
    return Settings().replace(**changes)


def run(
    st: TurnState, *, now: float = NOW, paused: bool = False, **setting_changes: Any
) -> Decision:
    return decide(st, settings(**setting_changes), now, paused)


# -- text helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("¡Hablar con ALGUIEN!", "hablar con alguien"),
        ("  Quiero   hablar\ncon  un   HUMANO!!! ", "quiero hablar con un humano"),
        ("¿Asesoría?", "asesoria"),
        ("ÁÉÍÓÚ ñ Ü", "aeiou n u"),
        ("STOP.", "stop"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¡Hablar con ALGUIEN!", True),
        ("quiero HABLAR   con alguien por favor", True),
        ("Necesito un asesor", True),
        ("¿Hay un AGENTE disponible?", True),
        ("quiero hablar con una persona", True),
        ("Quiero un Humano ya", True),
        ("humano", True),
        ("Atención personalizada?", False),  # "personalizada" is not the word "persona"
        ("el personal de la tienda", False),
        ("hablar con", False),
        ("alguien me ayuda?", False),
        ("precio del agenteX", False),
        ("", False),
    ],
)
def test_handoff_keywords_match_whole_words_after_normalising(text: str, expected: bool) -> None:
    assert contains_keyword(text, Settings().handoff_keywords) is expected


def test_owner_keywords_are_normalised_too() -> None:
    assert contains_keyword("quiero el LIBRO de reclamos", ("Libro de Reclamos",))
    assert not contains_keyword("libro", ("Libro de Reclamos",))
    assert not contains_keyword("cualquier cosa", ("", "  ", "!!"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BAJA", True),
        ("baja", True),
        ("  Baja. ", True),
        ("STOP", True),
        ("stop!", True),
        ("¡Stop!", True),
        ("quiero dar de baja mi pedido", False),
        ("stop spam please", False),
        ("bajas", False),
        ("", False),
        (None, False),
    ],
)
def test_opt_out_keywords_only_as_the_whole_message(text: str | None, expected: bool) -> None:
    assert is_keyword_message(text, Settings().opt_out_keywords) is expected


# -- business hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 3, 2, 8, 59), False),  # Monday before opening
        (datetime(2026, 3, 2, 9, 0), True),  # opening minute is open
        (datetime(2026, 3, 2, 18, 59), True),
        (datetime(2026, 3, 2, 19, 0), False),  # closing minute is closed
        (datetime(2026, 3, 7, 13, 30), True),  # Saturday 09-14
        (datetime(2026, 3, 7, 14, 0), False),
        (datetime(2026, 3, 8, 12, 0), False),  # Sunday: no ranges
    ],
)
def test_is_open_with_default_hours(moment: datetime, expected: bool) -> None:
    assert is_open(Settings(), moment) is expected


def test_is_open_split_shift_and_closed_dates() -> None:
    split = settings(
        business_hours={"mon": [["09:00", "13:00"], ["16:00", "20:00"]]},
        closed_dates=("2026-03-09",),
    )
    assert is_open(split, datetime(2026, 3, 2, 10, 0))
    assert not is_open(split, datetime(2026, 3, 2, 14, 30))  # siesta
    assert is_open(split, datetime(2026, 3, 2, 19, 59))
    assert not is_open(split, datetime(2026, 3, 3, 10, 0))  # Tuesday missing: closed
    assert not is_open(split, datetime(2026, 3, 9, 10, 0))  # a closed Monday (holiday)


def test_is_open_ignores_unreadable_ranges() -> None:
    broken = settings(business_hours={"mon": [["nine", "13:00"], ["14:00", "18:00"]]})
    assert not is_open(broken, datetime(2026, 3, 2, 10, 0))
    assert is_open(broken, datetime(2026, 3, 2, 15, 0))


def test_is_open_range_past_midnight() -> None:
    """A bar open Friday 20:00 to 02:00 is open late Friday and early Saturday, not Sat 21:00."""
    bar = settings(business_hours={"fri": [["20:00", "02:00"]]})
    assert not is_open(bar, datetime(2026, 3, 6, 19, 59))
    assert is_open(bar, datetime(2026, 3, 6, 20, 0))
    assert is_open(bar, datetime(2026, 3, 6, 23, 59))
    assert is_open(bar, datetime(2026, 3, 7, 1, 30))  # Saturday early morning
    assert not is_open(bar, datetime(2026, 3, 7, 2, 0))
    assert not is_open(bar, datetime(2026, 3, 7, 21, 0))  # no range on Saturday
    assert not is_open(bar, datetime(2026, 3, 6, 1, 0))  # Thursday had no late range
    # A closed Friday closes the whole night, also after midnight.
    holiday = bar.replace(closed_dates=("2026-03-06",))
    assert not is_open(holiday, datetime(2026, 3, 6, 22, 0))
    assert not is_open(holiday, datetime(2026, 3, 7, 1, 0))


# -- decide: nothing to do ---------------------------------------------------------------------


def test_nothing_pending_is_silent() -> None:
    decision = run(state())
    assert decision.action is Action.SILENT
    assert decision.handled_ids == ()


def test_blocked_contact_is_silent_and_handled() -> None:
    m = msg("hola")
    decision = run(state(m, blocked=True))
    assert decision.action is Action.SILENT
    assert decision.handled_ids == (m.id,)


def test_plain_text_goes_to_the_llm_with_every_pending_message() -> None:
    a, b, c = msg("hola", age_s=3), msg("¿tienen envíos?", age_s=2), msg("a Rosario", age_s=1)
    decision = run(state(a, b, c))
    assert decision.action is Action.LLM
    assert decision.handled_ids == (a.id, b.id, c.id)
    assert decision.llm_pending == (a, b, c)
    assert decision.new_mode is None
    assert not decision.greeting_prefix


# -- opt-out / opt-in --------------------------------------------------------------------------


def test_opt_out_confirms_and_marks() -> None:
    a, b = msg("hola"), msg("BAJA")
    decision = run(state(a, b))
    assert decision.action is Action.CANNED
    assert decision.canned is Canned.OPT_OUT_CONFIRM
    assert decision.opt_out is True
    assert decision.handled_ids == (a.id, b.id)


def test_opt_out_word_inside_a_sentence_is_a_normal_question() -> None:
    decision = run(state(msg("¿cómo doy de baja mi suscripción?")))
    assert decision.action is Action.LLM
    assert decision.opt_out is None


def test_opt_out_beats_a_handoff_keyword_and_any_mode() -> None:
    assert run(state(msg("humano"), msg("STOP"))).canned is Canned.OPT_OUT_CONFIRM
    human = state(msg("stop"), mode=ConversationMode.HUMAN, mode_changed_at=NOW - 10)
    decision = run(human)
    assert decision.opt_out is True  # recorded; the engine sends nothing while staff holds it


def test_opted_out_customer_gets_silence_until_opt_in() -> None:
    quiet = run(state(msg("¿hola?"), opted_out=True))
    assert quiet.action is Action.SILENT
    assert quiet.opt_out is None
    asks_person = run(state(msg("humano"), opted_out=True))
    assert asks_person.action is Action.SILENT
    back = run(state(msg("ALTA"), opted_out=True))
    assert back.action is Action.CANNED
    assert back.canned is Canned.OPT_IN_CONFIRM
    assert back.opt_out is False
    start = run(state(msg("Start"), opted_out=True))
    assert start.canned is Canned.OPT_IN_CONFIRM


def test_opt_in_word_when_not_opted_out_is_just_text() -> None:
    assert run(state(msg("ALTA"))).action is Action.LLM


def test_opt_out_keyword_only_counts_in_text_messages() -> None:
    button = msg("STOP", type="button")
    assert run(state(button)).opt_out is None


# -- modes ---------------------------------------------------------------------------------------


def test_human_mode_is_silent_but_handles() -> None:
    m = msg("¿sigue ahí?")
    decision = run(state(m, mode=ConversationMode.HUMAN, mode_changed_at=NOW - 60))
    assert decision.action is Action.SILENT
    assert decision.handled_ids == (m.id,)
    assert not decision.mode_expired


def test_human_mode_expires_after_the_quiet_period() -> None:
    st = state(msg("hola"), mode=ConversationMode.HUMAN, mode_changed_at=NOW - 31 * 60)
    decision = run(st)
    assert decision.mode_expired
    assert decision.action is Action.LLM
    # A custom quiet period.
    assert not run(st, human_quiet_minutes=45).mode_expired


def test_a_recent_staff_message_extends_the_human_period() -> None:
    st = state(
        msg("hola"),
        mode=ConversationMode.HUMAN,
        mode_changed_at=NOW - 3 * 3600,
        last_staff_message_at=NOW - 5 * 60,
    )
    assert run(st).action is Action.SILENT
    assert run(st, now=NOW + 26 * 60).mode_expired


def test_needs_human_is_silent_until_its_timeout() -> None:
    st = state(msg("¿y?"), mode=ConversationMode.NEEDS_HUMAN, mode_changed_at=NOW - 3600)
    assert run(st).action is Action.SILENT
    assert run(st, needs_human_timeout_minutes=30).mode_expired
    later = NOW + 4 * 3600
    late = run(dataclasses.replace(st, pending=(msg("¿y?", now=later),)), now=later)
    assert late.mode_expired
    assert late.action is Action.LLM


def test_handoff_keyword_in_human_mode_is_silent() -> None:
    st = state(msg("humano"), mode=ConversationMode.HUMAN, mode_changed_at=NOW - 10)
    assert run(st).action is Action.SILENT


def test_global_pause_is_silent_even_when_a_mode_expired() -> None:
    m = msg("hola")
    assert run(state(m), paused=True).action is Action.SILENT
    expired = state(m, mode=ConversationMode.HUMAN, mode_changed_at=NOW - 7200)
    decision = run(expired, paused=True)
    assert decision.action is Action.SILENT
    assert decision.mode_expired
    assert decision.handled_ids == (m.id,)


# -- handoff ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["¡Hablar con ALGUIEN!", "quiero un humano", "Asesor por favor", "PERSONA"]
)
def test_handoff_keyword_sends_one_handoff(text: str) -> None:
    a, b = msg("hola"), msg(text)
    decision = run(state(a, b))
    assert decision.action is Action.CANNED
    assert decision.canned is Canned.HANDOFF
    assert decision.new_mode is ConversationMode.NEEDS_HUMAN
    assert decision.handoff_reason is HandoffReason.CUSTOMER_REQUEST
    assert decision.handled_ids == (a.id, b.id)


def test_handoff_keyword_from_buttons_and_captions() -> None:
    assert run(state(msg("Hablar con un asesor", type="button"))).canned is Canned.HANDOFF
    assert run(state(msg("Agente", type="interactive"))).canned is Canned.HANDOFF
    photo = msg("esto llegó roto, quiero hablar con alguien", type="image")
    assert run(state(photo)).canned is Canned.HANDOFF


def test_owner_defined_handoff_keywords() -> None:
    decision = run(
        state(msg("quiero el libro de reclamos")), handoff_keywords=("libro de reclamos",)
    )
    assert decision.canned is Canned.HANDOFF
    assert run(state(msg("humano")), handoff_keywords=("libro de reclamos",)).action is Action.LLM


# -- stale backlog ---------------------------------------------------------------------------------


def test_stale_backlog_gets_one_apology_and_needs_human() -> None:
    old = [msg(f"mensaje {i}", age_s=3 * 3600 + i) for i in range(5)]
    decision = run(state(*old))
    assert decision.action is Action.CANNED
    assert decision.canned is Canned.BACKLOG_APOLOGY
    assert decision.new_mode is ConversationMode.NEEDS_HUMAN
    assert decision.handoff_reason is HandoffReason.BACKLOG
    assert set(decision.handled_ids) == {m.id for m in old}


def test_stale_split_old_messages_handled_fresh_ones_answered() -> None:
    old1, old2 = msg("¿abren hoy?", age_s=5 * 3600), msg("humano", age_s=4 * 3600)
    fresh = msg("hola, ¿siguen ahí?", age_s=30)
    decision = run(state(old1, old2, fresh))
    assert decision.action is Action.LLM  # the old "humano" no longer counts
    assert decision.llm_pending == (fresh,)
    assert decision.handled_ids == (old1.id, old2.id, fresh.id)


def test_stale_threshold_is_configurable() -> None:
    m = msg("hola", age_s=90 * 60)
    assert run(state(m)).action is Action.LLM
    assert run(state(m), stale_backlog_hours=1.0).canned is Canned.BACKLOG_APOLOGY


def test_stale_uses_whatsapp_timestamp_not_arrival() -> None:
    # Stored just now (created_at) but sent three hours ago: stale.
    m = dataclasses.replace(msg("hola", age_s=3 * 3600), created_at=NOW)
    assert run(state(m)).canned is Canned.BACKLOG_APOLOGY
    # Without a WhatsApp timestamp, the arrival time counts.
    m2 = dataclasses.replace(m, wa_timestamp=None)
    assert run(state(m2)).action is Action.LLM


# -- flood and per-contact reply limit ---------------------------------------------------------------


def test_sustained_flood_hands_off() -> None:
    pending = [msg(f"spam {i}") for i in range(3)]
    calm = run(state(*pending, customer_messages_last_minute=20))
    assert calm.action is Action.LLM
    decision = run(state(*pending, customer_messages_last_minute=21))
    assert decision.canned is Canned.HANDOFF
    assert decision.handoff_reason is HandoffReason.FLOOD
    assert decision.new_mode is ConversationMode.NEEDS_HUMAN
    assert (
        run(state(*pending, customer_messages_last_minute=6), flood_messages_per_minute=5).canned
        is Canned.HANDOFF
    )


def test_reply_limit_waits_until_the_oldest_reply_leaves_the_minute() -> None:
    replies = tuple(NOW - 50 + i for i in range(6))  # 6 replies in the last 50 s
    decision = run(state(msg("otra"), bot_replies_last_minute=replies))
    assert decision.action is Action.WAIT
    assert decision.handled_ids == ()  # nothing handled: decided again after the wait
    assert decision.wait_s == pytest.approx(10.0)
    # Replies older than a minute do not count.
    old = tuple(NOW - 61 - i for i in range(6))
    assert run(state(msg("otra"), bot_replies_last_minute=old)).action is Action.LLM
    # A configured limit.
    assert (
        run(
            state(msg("x"), bot_replies_last_minute=replies[:2]), max_bot_replies_per_minute=2
        ).action
        is Action.WAIT
    )
    assert (
        run(
            state(msg("x"), bot_replies_last_minute=replies[:1]), max_bot_replies_per_minute=2
        ).action
        is Action.LLM
    )


def test_reply_limit_wait_is_never_shorter_than_half_a_second() -> None:
    replies = tuple([NOW - 59.99] * 6)
    assert run(state(msg("x"), bot_replies_last_minute=replies)).wait_s == 0.5


def test_a_handoff_request_is_not_held_back_by_the_reply_limit() -> None:
    replies = tuple(NOW - 10 for _ in range(6))
    assert run(state(msg("humano"), bot_replies_last_minute=replies)).canned is Canned.HANDOFF


# -- request_welcome, media, stickers ------------------------------------------------------------------


def test_request_welcome_gets_the_greeting_not_the_llm() -> None:
    welcome = msg(None, type="request_welcome")
    decision = run(state(welcome))
    assert decision.action is Action.CANNED
    assert decision.canned is Canned.GREETING
    assert decision.mark_greeting
    assert decision.handled_ids == (welcome.id,)


def test_request_welcome_with_text_answers_only_the_text() -> None:
    welcome, text = msg(None, type="request_welcome"), msg("hola, precios?")
    decision = run(state(welcome, text))
    assert decision.action is Action.LLM
    assert decision.llm_pending == (text,)
    assert decision.handled_ids == (welcome.id, text.id)


@pytest.mark.parametrize(
    "pending",
    [
        (("audio", None, {"media_voice": True}),),
        (("audio", None, {}),),
        (("unsupported", None, {"unsupported_type": "poll"}),),
        (("unknown", None, {}),),
        (("audio", None, {"media_voice": True}), ("unsupported", None, {})),
    ],
)
def test_wordless_media_gets_the_cannot_read_message(pending: tuple[Any, ...]) -> None:
    messages = [msg(text, type=kind, **extra) for kind, text, extra in pending]
    decision = run(state(*messages))
    assert decision.action is Action.CANNED
    assert decision.canned is Canned.MEDIA_UNREADABLE


def test_media_with_words_goes_to_the_llm() -> None:
    assert run(state(msg("¿tienen este modelo?", type="image"))).action is Action.LLM
    assert run(state(msg(None, type="audio", media_voice=True), msg("hola"))).action is Action.LLM
    assert run(state(msg(None, type="location", latitude=1.0, longitude=2.0))).action is Action.LLM


# -- outside business hours ------------------------------------------------------------------------


def test_outside_hours_answer_mode_keeps_answering() -> None:
    assert run(state(msg("hola", now=MON_22)), now=MON_22).action is Action.LLM


def test_away_message_at_most_once_per_window() -> None:
    m = msg("hola", now=MON_22)
    first = run(state(m), now=MON_22, outside_hours_mode="away")
    assert first.action is Action.CANNED
    assert first.canned is Canned.AWAY
    assert first.mark_away
    assert first.handled_ids == (m.id,)
    # Already sent in this window: silence (the staff answers when back).
    again = run(state(m, away_sent_for_window=MON_22 - 3600), now=MON_22, outside_hours_mode="away")
    assert again.action is Action.SILENT
    assert again.handled_ids == (m.id,)
    # A day later it is a new window.
    tue_22 = MON_22 + 24 * 3600
    later = run(
        state(msg("hola", now=tue_22), away_sent_for_window=MON_22),
        now=tue_22,
        outside_hours_mode="away",
    )
    assert later.canned is Canned.AWAY


def test_away_mode_inside_hours_answers_normally() -> None:
    assert run(state(msg("hola")), now=MON_11, outside_hours_mode="away").action is Action.LLM


def test_closed_date_triggers_the_away_message() -> None:
    decision = run(state(msg("hola")), outside_hours_mode="away", closed_dates=("2026-03-02",))
    assert decision.canned is Canned.AWAY


def test_handoff_request_beats_the_away_message() -> None:
    decision = run(state(msg("humano", now=MON_22)), now=MON_22, outside_hours_mode="away")
    assert decision.canned is Canned.HANDOFF


# -- greeting ----------------------------------------------------------------------------------------


def test_greeting_prefix_only_for_a_first_conversation_when_enabled() -> None:
    first = state(msg("hola"), is_first_conversation=True)
    assert not run(first).greeting_prefix  # off by default
    on = run(first, greeting_enabled=True)
    assert on.action is Action.LLM
    assert on.greeting_prefix
    assert on.mark_greeting
    assert not run(
        dataclasses.replace(first, greeting_sent=True), greeting_enabled=True
    ).greeting_prefix
    assert not run(state(msg("hola")), greeting_enabled=True).greeting_prefix


def test_greeting_never_collides_with_away_or_handoff() -> None:
    first = state(msg("hola", now=MON_22), is_first_conversation=True)
    away = run(first, now=MON_22, greeting_enabled=True, outside_hours_mode="away")
    assert away.canned is Canned.AWAY
    assert not away.greeting_prefix
    assert not away.mark_greeting
    handoff = run(state(msg("humano"), is_first_conversation=True), greeting_enabled=True)
    assert handoff.canned is Canned.HANDOFF
    assert not handoff.greeting_prefix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola", "greeting"),
        ("¡Buenas tardes!", "greeting"),
        ("hola, qué tal", "greeting"),
        ("¡Muchas gracias!", "thanks"),
        ("ok gracias", "thanks"),
        ("Hola, ¿cuánto cuesta el pastel?", None),
        ("gracias pero quiero hablar con alguien", None),
        ("", None),
    ],
)
def test_small_talk_is_recognised_only_when_that_is_all_there_is(
    text: str, expected: str | None
) -> None:
    from wabot_desktop.core.bot.rules import small_talk

    found = small_talk(text)
    assert (found.value if found else None) == expected
