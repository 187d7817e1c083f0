"""What a bot turn costs the event loop: cached prompts, one typing indicator per chat, a capped
number of Graph requests on the wire. Each cache is checked for serving the new text as soon as
what it depends on changed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from typing import cast

import httpx
import pytest
import pytest_asyncio

from tests.fakes.graph import FakeGraph
from tests.helpers import wait_for
from wabot_desktop.core import resources
from wabot_desktop.core.bot.engine import TYPING_SHOWN_S, TypingIndicators, system_prompt_for
from wabot_desktop.core.knowledge.active import ActiveKnowledge
from wabot_desktop.core.knowledge.model import Facts, Knowledge
from wabot_desktop.core.llm import prompt
from wabot_desktop.core.llm.base import BusinessProfile, FaqEntry
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.whatsapp.graph import GraphClient, pool_limits
from wabot_desktop.core.whatsapp.payloads import recipient_fields, text_message

TOKEN = "EAAtest-token"

# -- the system prompt ------------------------------------------------------------------------------


def test_bundled_prompt_files_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    prompt._bundled_system_template.cache_clear()
    prompt._bundled_defaults.cache_clear()
    reads: list[str] = []
    original = resources.read_text

    def counting(relpath: str) -> str:
        reads.append(relpath)
        return original(relpath)

    monkeypatch.setattr(resources, "read_text", counting)
    for _ in range(3):
        template = prompt.load_system_template("es-419")
        defaults = prompt.load_defaults("es")
    assert reads == ["prompts/system_es.md", "prompts/defaults_es.json"]
    assert template == original("prompts/system_es.md")
    # Callers get their own dict: changing it does not change the next caller's.
    defaults["handoff"] = "cambiado"
    assert prompt.load_defaults("es")["handoff"] != "cambiado"
    assert prompt.load_system_template("en") != template  # per language


def test_system_prompt_follows_every_settings_change() -> None:
    settings = Settings(business_name="Panadería La Espiga", faq=(("¿Horario?", "De 9 a 19 h."),))
    first = system_prompt_for(settings)
    assert "Panadería La Espiga" in first and "De 9 a 19 h." in first
    assert system_prompt_for(settings) is first  # the same inputs: kept, not rebuilt

    renamed = replace(settings, business_name="La Espiga de Oro")
    assert "La Espiga de Oro" in system_prompt_for(renamed)
    new_faq = replace(settings, faq=(("¿Horario?", "De 8 a 20 h."),))
    assert "De 8 a 20 h." in system_prompt_for(new_faq)
    assert "De 9 a 19 h." not in system_prompt_for(new_faq)
    own = replace(settings, system_prompt="Sé breve. Tienda: {business_name}.")
    assert system_prompt_for(own).startswith("Sé breve. Tienda: Panadería La Espiga.")
    english = replace(settings, language="en")
    assert "Business facts:" in system_prompt_for(english)
    assert system_prompt_for(settings) == first  # back to the first settings: the same text


def test_system_message_with_an_unhashable_profile_is_still_built() -> None:
    profile = BusinessProfile(name="La Espiga", faq=[FaqEntry("¿Envíos?", "Sí.")])  # type: ignore[arg-type]
    text = prompt.build_system_message("Tienda {business_name}", profile, language="es")
    assert text.startswith("Tienda La Espiga") and "¿Envíos?" in text


def test_knowledge_prompt_is_kept_per_version_and_minute() -> None:
    monday_10 = datetime(2026, 11, 30, 10, 0, 5).timestamp()  # a Monday, PC's zone
    knowledge = Knowledge(
        prompt="Atiende {negocio}. Hoy: {hoy}",
        facts=Facts(name="La Espiga", hours={"mon": [["09:00", "19:00"]]}),
    )
    active = ActiveKnowledge(knowledge)
    first = active.system_prompt(monday_10)
    assert "La Espiga" in first and "10:00" in first
    assert active.system_prompt(monday_10 + 30) is first  # same minute: kept
    next_minute = active.system_prompt(monday_10 + 60)
    assert "10:01" in next_minute and "10:00" not in next_minute

    active.activate(knowledge.replace(facts=replace(knowledge.facts, name="Espiga 2")), None)
    after_save = active.system_prompt(monday_10 + 60)
    assert "Espiga 2" in after_save and "La Espiga" not in after_save
    messages, system = active.messages([], ["Hola"], max_history_chars=1000, now=monday_10 + 60)
    assert system is after_save and messages[0] == {"role": "system", "content": after_save}


# -- the typing indicator rule ----------------------------------------------------------------------


def test_one_typing_indicator_per_chat_while_it_shows() -> None:
    indicators = TypingIndicators()
    assert indicators.wait_s(1, 100.0, 20.0) == 0.0  # none shown yet: send
    indicators.shown(1, 100.0)
    # A second draft 2 s later: the first still shows; due again when it would be refreshed.
    assert indicators.wait_s(1, 102.0, 20.0) == pytest.approx(18.0)
    assert indicators.wait_s(2, 102.0, 20.0) == 0.0  # another chat is not affected
    assert indicators.wait_s(1, 120.0, 20.0) == 0.0  # refresh due
    # Never longer than WhatsApp shows it, whatever the refresh setting says.
    indicators.shown(1, 200.0)
    assert indicators.wait_s(1, 200.0, 60.0) == pytest.approx(TYPING_SHOWN_S)
    assert indicators.wait_s(1, 200.0 + TYPING_SHOWN_S, 60.0) == 0.0
    # A queued reply hides it (WhatsApp hides it when we send): the next turn sends a new one.
    indicators.shown(1, 300.0)
    indicators.hidden(1)
    assert indicators.wait_s(1, 301.0, 20.0) == 0.0


# -- Graph requests on the wire ---------------------------------------------------------------------


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeGraph]:
    async with FakeGraph(expected_token=TOKEN) as server:
        yield server


def _client(http: httpx.AsyncClient, fake: FakeGraph, **kwargs: object) -> GraphClient:
    return GraphClient(
        http,
        base_url=fake.base_url,
        phone_number_id=fake.phone_number_id,
        access_token=TOKEN,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.asyncio
async def test_a_read_receipt_no_longer_needed_is_not_sent(fake: FakeGraph) -> None:
    async with httpx.AsyncClient() as http:
        client = _client(http, fake)
        assert await client.mark_read("wamid.IN1", typing=True, skip_if=lambda: True) is False
        assert await client.mark_read("wamid.IN2", typing=True, skip_if=lambda: False) is True
        assert await client.mark_read("wamid.IN3") is True
    assert [r["message_id"] for r in fake.read_receipts] == ["wamid.IN2", "wamid.IN3"]


@pytest.mark.asyncio
async def test_at_most_max_concurrent_requests_are_on_the_wire(fake: FakeGraph) -> None:
    fake.set_delay(0.4)  # Meta answers slowly: the requests pile up
    async with httpx.AsyncClient(limits=pool_limits(2)) as http:
        client = _client(http, fake, max_concurrent=2)
        to = recipient_fields("5491100000001", None)
        sends = [
            asyncio.create_task(client.send(text_message(to, f"respuesta {i}"))) for i in range(5)
        ]
        violations: list[tuple[int, int]] = []

        def check() -> bool:
            arrived = len(fake.send_requests)
            answered = len(fake.sent_messages)  # read after: it only grows
            if arrived > answered + 2:
                violations.append((arrived, answered))
            return answered == 5

        await wait_for(check, timeout=30, what="all five sends answered")
        await asyncio.gather(*sends)
    assert violations == []
    # FIFO: the first two asked for were the first two on the wire.
    first_two = sorted(r["text"]["body"] for r in fake.send_requests[:2])
    assert first_two == ["respuesta 0", "respuesta 1"]


@pytest.mark.asyncio
async def test_read_receipts_never_take_every_slot(fake: FakeGraph) -> None:
    fake.set_delay(1.0)  # each receipt holds the one receipt slot for a second
    async with httpx.AsyncClient(limits=pool_limits(3)) as http:
        client = _client(http, fake, max_concurrent=3, max_receipts=1)
        receipts = [asyncio.create_task(client.mark_read(f"wamid.IN{i}")) for i in range(3)]
        to = recipient_fields("5491100000001", None)
        reply = asyncio.create_task(client.send(text_message(to, "respuesta")))
        await asyncio.gather(reply, *receipts)
    assert len(fake.read_receipts) == 3
    # The reply went out next to the first receipt, not behind all three.
    kinds = ["receipt" if r.json.get("status") == "read" else "send" for r in fake.requests]
    assert sorted(kinds[:2]) == ["receipt", "send"] and kinds[2:] == ["receipt", "receipt"]


def test_max_concurrent_must_be_positive() -> None:
    with pytest.raises(ValueError):
        GraphClient(
            cast(httpx.AsyncClient, None), phone_number_id="1", access_token=TOKEN, max_concurrent=0
        )
