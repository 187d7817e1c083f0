"""While live: phone-app echoes put a chat in staff mode, standby chats are never answered,
and /health carries the month's service-message meter (meta-cloud-api.md section 11)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import (
    CUSTOMER,
    WABA_ID,
    change_value,
    idle,
    post,
    running_core,
    text_body,
    wait_for,
    webhook_body,
)
from wabot_desktop.core.dto import ConversationFilter
from wabot_desktop.core.meter import service_meter
from wabot_desktop.core.runtime import Core

OTHER = "15555550199"
pytestmark = pytest.mark.asyncio


def echo_body(to: str, text: str, wamid: str) -> bytes:
    return webhook_body(
        change_value(
            message_echoes=[
                {
                    "from": "15550101234",
                    "to": to,
                    "id": wamid,
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        ),
        field="smb_message_echoes",
    )


async def conversation_of(core: Core, wa_id: str) -> Any:
    rows = await core.service.list_conversations(filter=ConversationFilter.ALL, search="")
    return next(r for r in rows if wa_id in (r.phone or ""))


async def test_echo_is_a_staff_message_and_silences_the_bot(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        # The owner answered on the phone app first; then the customer writes again.
        response = await post(
            client, core.server_url, echo_body(CUSTOMER, "Ya te atiendo yo", "wamid.ECHO1")
        )
        assert response.status_code == 200
        # Duplicate delivery of the same echo is stored once.
        await post(client, core.server_url, echo_body(CUSTOMER, "Ya te atiendo yo", "wamid.ECHO1"))
        await post(client, core.server_url, text_body("¿Y el precio?"))
        # A control customer in bot mode gets an answer: the pipeline ran past our messages.
        await post(client, core.server_url, text_body("Hola", wa_id=OTHER, name="Otro"))
        sends = await graph.wait_for_sends(1)
        assert sends[0]["to"] == "+" + OTHER
        await idle(core)
        conv = await conversation_of(core, CUSTOMER)
        assert conv.mode == "human"
        messages = await core.service.get_messages(conv.id)
        staff = [m for m in messages if m.author == "staff"]
        assert [(m.text, m.direction, m.wamid) for m in staff] == [
            ("Ya te atiendo yo", "out", "wamid.ECHO1")
        ]
        assert all(s["to"] != "+" + CUSTOMER for s in graph.sent_messages)


async def test_echo_during_debounce_cancels_the_pending_bot_turn(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host,
        debounce_quiet_s=0.6, debounce_max_s=1.0,
    ) as core:  # fmt: skip
        await post(client, core.server_url, text_body("¿Tienen talle M?"))
        await post(client, core.server_url, echo_body(CUSTOMER, "Sí, tenemos", "wamid.ECHO2"))
        await post(client, core.server_url, text_body("Hola", wa_id=OTHER, name="Otro"))
        await graph.wait_for_sends(1, timeout=10)
        await idle(core)  # every debounced turn has run
        assert [s["to"] for s in graph.sent_messages] == ["+" + OTHER]
        conv = await conversation_of(core, CUSTOMER)
        assert conv.mode == "human"


@pytest.mark.parametrize("shape", ["entry_standby", "change_standby"])
async def test_standby_conversation_is_never_answered(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    shape: str,
) -> None:
    message = {
        "from": CUSTOMER,
        "id": "wamid.STANDBY1",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": "Hola, ¿me ayudan?"},
    }
    value = change_value(
        contacts=[{"profile": {"name": "Ana"}, "wa_id": CUSTOMER}], messages=[message]
    )
    if shape == "entry_standby":
        body = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [{"id": WABA_ID, "time": int(time.time()), "standby": [value]}],
            }
        ).encode()
    else:
        body = webhook_body(value, field="standby")
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        assert (await post(client, core.server_url, body)).status_code == 200
        await post(client, core.server_url, text_body("Hola", wa_id=OTHER, name="Otro"))
        await graph.wait_for_sends(1)
        await idle(core)
        assert [s["to"] for s in graph.sent_messages] == ["+" + OTHER]
        assert ollama.completed_chats == 1


async def test_health_shows_the_service_message_meter(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        await post(client, core.server_url, text_body("Hola"))
        await graph.wait_for_sends(1)
        assert core.db is not None

        async def sent_count() -> int:
            health = (await client.get(core.server_url + "/health")).json()
            meter = health["service_messages"]
            assert meter["free"] == 1000 and meter["month"] == time.strftime("%Y-%m", time.gmtime())
            assert "respuestas de atención gratis" in meter["explanation"]
            return int(meter["sent"])

        async def counted() -> bool:
            return await sent_count() >= 1

        await wait_for(counted, what="the reply to be counted")
        reading = await core.db.session_run(service_meter, time.time(), 1)
        assert reading.sent == 1 and reading.warning and not reading.over
        reading = await core.db.session_run(service_meter, time.time(), 2)
        assert not reading.warning
        assert "80" not in reading.explanation()  # plain words, no raw ratio
        over = await core.db.session_run(service_meter, time.time(), 0)
        assert over.over and "medio de pago" in over.explanation()
        assert "payment method" in over.explanation("en")


@pytest.mark.parametrize(("days_left", "warned"), [(3, True), (30, False), (None, False)])
async def test_expiring_token_is_announced_a_week_before(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    caplog: pytest.LogCaptureFixture,
    days_left: int | None,
    warned: bool,
) -> None:
    from tests.helpers import APP_SECRET
    from wabot_desktop.core.events import Event, TokenExpiring

    graph.app_secret = APP_SECRET
    graph.token_expires_at = 0 if days_left is None else int(time.time()) + days_left * 86400
    events: list[Event] = []
    original_init = Core.__init__

    def init(self: Core, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.hub.subscribe(events.append)  # before start: no event can be missed

    caplog.set_level(logging.INFO, logger="wabot_desktop.core.setup_flow")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Core, "__init__", init)
        async with running_core(
            tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, meta_app_id=graph.app_id
        ):
            # The watch logs once the answer was handled (and any event published).
            await wait_for(lambda: "access token checked" in caplog.text, what="the token check")
    expiring = [e for e in events if isinstance(e, TokenExpiring)]
    assert bool(expiring) is warned
    if warned:
        assert expiring[0].expires_at == graph.token_expires_at
