"""Simulator mode: the real pipeline against the in-process Graph API sandbox.

Every test here runs under a network guard: any connection (or name lookup) to a non-loopback
address fails the test, so the simulator provably never reaches graph.facebook.com.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from aiohttp.test_utils import make_mocked_request
from sqlalchemy import select

from tests.fakes.graph import FakeGraph
from tests.fakes.network_guard import install_network_guard
from tests.fakes.ollama import FakeOllama
from tests.helpers import FAST_SETTINGS, idle, parsed, running_core, wait_for
from wabot_desktop.core import resources
from wabot_desktop.core import server as server_module
from wabot_desktop.core.dto import Author, ConversationMode
from wabot_desktop.core.events import Event, MessageReceived, MessageStatusChanged
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import (
    SIMULATOR_DEMO_SETTINGS,
    Core,
    CoreConfig,
    reset_simulator_data,
    should_start_in_simulator,
)
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.store.models import Message
from wabot_desktop.core.store.outbox import OutboundSpec, queue_replies
from wabot_desktop.core.whatsapp.errors import AuthError, GraphApiError
from wabot_desktop.core.whatsapp.graph import GraphClient
from wabot_desktop.core.whatsapp.payloads import (
    ListRow,
    ListSection,
    buttons_message,
    list_message,
    recipient_fields,
    text_message,
)
from wabot_desktop.core.whatsapp.sandbox import (
    Sandbox,
    SandboxCredentials,
    SandboxError,
    SandboxEvent,
    SandboxMessage,
    StatusDelays,
    placeholder_ogg,
    placeholder_png,
)
from wabot_desktop.core.whatsapp.signature import SignatureCheck

pytestmark = pytest.mark.asyncio

HOURS_ANSWER = next(
    answer
    for question, answer in SIMULATOR_DEMO_SETTINGS["faq"]  # type: ignore[attr-defined]
    if "horario" in question
)


# -- the network guard ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_external_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail on any connection or name lookup that is not loopback, and report it."""
    attempted = install_network_guard(monkeypatch)
    yield attempted
    assert attempted == [], f"non-loopback network access attempted: {attempted}"


async def test_the_network_guard_blocks_the_real_graph_host(
    no_external_network: list[str],
) -> None:
    async with httpx.AsyncClient(trust_env=False) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("https://graph.facebook.com/v25.0/me")
        with pytest.raises(httpx.ConnectError):
            await http.get("http://192.0.2.1:80/")
    assert no_external_network == ["graph.facebook.com", "192.0.2.1"]
    no_external_network.clear()


# -- helpers -------------------------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sim_config(
    tmp_path: Path,
    ollama_url: str,
    *,
    delays: StatusDelays | None = None,
    **settings: object,
) -> CoreConfig:
    overrides = dict(FAST_SETTINGS)
    overrides.update(settings)
    return CoreConfig(
        paths=AppPaths.resolve(tmp_path / "data"),
        host="127.0.0.1",
        port=0,
        ollama_url=ollama_url,
        tunnel=False,
        simulator=True,
        settings_overrides=overrides,
        sandbox_delays=delays or StatusDelays.instant(),
    )


@contextlib.asynccontextmanager
async def sim_core(config: CoreConfig) -> AsyncIterator[Core]:
    core = Core(config)
    await core.start()
    try:
        yield core
    finally:
        await core.stop()


class Recorder:
    """Collects sandbox and hub events; ``wait`` polls a predicate over them."""

    def __init__(self, core: Core) -> None:
        assert core.sandbox is not None
        self.sandbox_events: list[SandboxEvent] = []
        self.hub_events: list[Event] = []
        core.sandbox.subscribe(self.sandbox_events.append)
        core.hub.subscribe(self.hub_events.append)

    def bot_messages(self, wa_id: str) -> list[SandboxMessage]:
        return [
            e.message
            for e in self.sandbox_events
            if e.kind == "message"
            and e.message is not None
            and not e.message.from_customer
            and e.wa_id == wa_id
        ]

    def statuses(self, wamid: str) -> list[str]:
        return [
            str(e.status) for e in self.sandbox_events if e.kind == "status" and e.wamid == wamid
        ]


def db_rows(core: Core, *where: Any) -> list[Message]:
    assert core.db is not None

    def work(session: Any) -> list[Message]:
        rows = list(session.scalars(select(Message).where(*where).order_by(Message.id)))
        session.expunge_all()
        return rows

    return core.db.session_run_sync(work)


async def stored_row(core: Core, wamid: str) -> Message:
    """The message row of ``wamid`` once it is stored: a body acknowledged with others (a
    burst) is parsed into its row just after its 200 (core/store/writer.py)."""
    await wait_for(lambda: db_rows(core, Message.wamid == wamid), what=f"row of {wamid}")
    [row] = db_rows(core, Message.wamid == wamid)
    return row


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[SignatureCheck]:
    """Every signature verdict of the core's webhook server."""
    checks: list[SignatureCheck] = []
    real = server_module.verify_signature

    def spy(secret: str, body: bytes, header: str | None) -> SignatureCheck:
        result = real(secret, body, header)
        checks.append(result)
        return result

    monkeypatch.setattr(server_module, "verify_signature", spy)
    return checks


def metric(core: Core, name: str, **labels: str) -> float:
    return core.metrics.registry.get_sample_value(name, labels or None) or 0.0


# -- the pipeline end to end -----------------------------------------------------------------


async def test_text_gets_fallback_reply_with_statuses_through_the_real_server(
    tmp_path: Path, closed_port: int, signature_checks: list[SignatureCheck]
) -> None:
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        sandbox = core.sandbox
        assert sandbox is not None
        rec = Recorder(core)
        ana = sandbox.add_customer("Ana López")
        inbound = await sandbox.send_text(ana, "Hola, ¿a qué hora abren?")
        assert inbound.startswith("wamid.SIM")

        # The core's real webhook server received a signed POST and stored the message.
        assert signature_checks and set(signature_checks) == {SignatureCheck.OK}
        assert metric(core, "wabot_webhooks_received_total") >= 1
        assert any(isinstance(e, MessageReceived) for e in rec.hub_events)
        stored = db_rows(core, Message.wamid == inbound)
        assert stored[0].text == "Hola, ¿a qué hora abren?"
        assert stored[0].direction == "in"

        # The fallback answers from the demo FAQ; the reply reaches the pane.
        await wait_for(lambda: rec.bot_messages(ana.wa_id))
        reply = rec.bot_messages(ana.wa_id)[0]
        assert reply.text == HOURS_ANSWER
        assert reply.type == "text" and reply.wamid.startswith("wamid.SIM")

        # Status webhooks come back in order and the stored row ends "read".
        await wait_for(lambda: rec.statuses(reply.wamid) == ["sent", "delivered", "read"])
        await wait_for(lambda: db_rows(core, Message.wamid == reply.wamid)[0].status == "read")
        [reply_row] = db_rows(core, Message.wamid == reply.wamid)
        assert (reply_row.direction, reply_row.author) == ("out", "bot")

        def changes() -> list[str]:
            return [
                e.status
                for e in rec.hub_events
                if isinstance(e, MessageStatusChanged) and e.message_id == reply_row.id
            ]

        # Events follow the commit on the loop: the row can read "read" a moment earlier.
        await wait_for(lambda: bool(changes()) and changes()[-1] == "read")
        assert changes()[-1] == "read"
        assert metric(core, "wabot_webhooks_rejected_total", reason="bad_signature") == 0

        # The monitor sees the same chat: contact name from the webhook's profile.
        [summary] = await core.service.list_conversations()
        assert summary.display_name == "Ana López"
        assert summary.phone == ana.wa_id
        views = await core.service.get_messages(summary.id)
        assert [(v.author, v.text) for v in views] == [
            (Author.CUSTOMER, "Hola, ¿a qué hora abren?"),
            (Author.BOT, HOURS_ANSWER),
        ]
        # The customer's own message shows as delivered in the pane.
        assert sandbox.message(inbound) is not None
        assert sandbox.message(inbound).status in ("delivered", "read")  # type: ignore[union-attr]


async def test_reply_from_ollama_shows_typing_and_read_ticks(
    tmp_path: Path, ollama: FakeOllama
) -> None:
    async with sim_core(sim_config(tmp_path, ollama.host)) as core:
        sandbox = core.sandbox
        assert sandbox is not None
        rec = Recorder(core)
        luis = sandbox.add_customer("Luis", "+34 600 000 001")
        assert luis.wa_id == "34600000001"
        inbound = await sandbox.send_text(luis, "¿Tienen la remera en talle M?")
        await wait_for(lambda: rec.bot_messages(luis.wa_id))
        assert rec.bot_messages(luis.wa_id)[0].text == "¡Hola! Abrimos de 9 a 19 h."
        typing = [e.typing for e in rec.sandbox_events if e.kind == "typing"]
        assert typing[:2] == [True, False]  # shown while generating, hidden by the reply
        assert not sandbox.is_typing(luis)
        # The bot marked the customer's message read: blue ticks on the phone.
        assert sandbox.message(inbound).status == "read"  # type: ignore[union-attr]
        assert ollama.completed_chats == 1


async def test_takeover_staff_message_reaches_the_pane_and_the_bot_stays_quiet(
    tmp_path: Path, closed_port: int
) -> None:
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        sandbox = core.sandbox
        assert sandbox is not None
        rec = Recorder(core)
        ana = sandbox.add_customer("Ana")
        await sandbox.send_text(ana, "¿Hacen envíos a domicilio?")
        await wait_for(lambda: rec.bot_messages(ana.wa_id))
        [summary] = await core.service.list_conversations()

        await core.service.take_over(summary.id, "Laura")
        view = await core.service.send_staff_message(
            summary.id, "Hola Ana, soy Laura. ¿Qué talle buscás?", staff_name="Laura"
        )
        assert view.author is Author.STAFF
        await wait_for(lambda: len(rec.bot_messages(ana.wa_id)) == 2)
        staff = rec.bot_messages(ana.wa_id)[1]
        assert staff.text == "Hola Ana, soy Laura. ¿Qué talle buscás?"
        await wait_for(lambda: rec.statuses(staff.wamid)[-1:] == ["read"])

        # While staff holds the chat the bot does not answer.
        await sandbox.send_text(ana, "Talle M, gracias")
        await idle(core)
        assert len(rec.bot_messages(ana.wa_id)) == 2
        assert (await core.service.get_conversation(summary.id)).mode is ConversationMode.HUMAN


async def _queue(core: Core, conversation_id: int, spec: OutboundSpec) -> None:
    assert core.db is not None and core.outbox is not None

    def work(session: Any) -> None:
        queue_replies(
            session,
            conversation_id=conversation_id,
            specs=[spec],
            author=Author.BOT,
            staff_name=None,
            handled_ids=[],
            now=0.0,
        )

    await core.db.session_run(work)
    core.outbox.wake()


async def test_button_and_list_taps_round_trip(tmp_path: Path, closed_port: int) -> None:
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        sandbox = core.sandbox
        assert sandbox is not None
        rec = Recorder(core)
        ana = sandbox.add_customer("Ana")
        await sandbox.send_text(ana, "¿Qué formas de pago aceptan?")
        await wait_for(lambda: rec.bot_messages(ana.wa_id))
        [summary] = await core.service.list_conversations()
        to = recipient_fields(ana.wa_id, None)

        payload = buttons_message(
            to, "¿Confirmás el pedido?", [("ok", "Sí, confirmar"), ("no", "No")], footer="Demo"
        )
        await _queue(
            core,
            summary.id,
            OutboundSpec(
                type="interactive",
                text="¿Confirmás el pedido?",
                payload=payload,
                buttons=("Sí, confirmar", "No"),
            ),
        )
        await wait_for(lambda: len(rec.bot_messages(ana.wa_id)) == 2)
        question = rec.bot_messages(ana.wa_id)[1]
        assert question.type == "interactive"
        assert [(b.id, b.title) for b in question.buttons] == [
            ("ok", "Sí, confirmar"),
            ("no", "No"),
        ]
        assert question.footer == "Demo"

        with pytest.raises(ValueError, match="no button"):
            await sandbox.tap_button(ana, question.wamid, "maybe", "Quizás")
        tap = await sandbox.tap_button(ana, question.wamid, "ok", "Sí, confirmar")
        stored = await stored_row(core, tap)
        assert stored.type == "interactive"
        assert stored.interactive_id == "ok"
        assert stored.text == "Sí, confirmar"
        assert stored.reply_to_wamid == question.wamid
        raw = json.loads(stored.raw or "{}")
        assert raw["interactive"] == {
            "type": "button_reply",
            "button_reply": {"id": "ok", "title": "Sí, confirmar"},
        }
        assert raw["context"]["id"] == question.wamid

        rows = [
            ListRow(id="s1", title="Retiro en tienda"),
            ListRow(id="s2", title="Envío", description="24-48 h"),
        ]
        await _queue(
            core,
            summary.id,
            OutboundSpec(
                type="interactive",
                text="¿Cómo lo querés recibir?",
                payload=list_message(
                    to, "¿Cómo lo querés recibir?", "Opciones", [ListSection(rows=rows)]
                ),
            ),
        )
        await wait_for(lambda: any(m.list_rows for m in rec.bot_messages(ana.wa_id)))
        menu = next(m for m in rec.bot_messages(ana.wa_id) if m.list_rows)
        assert menu.list_button == "Opciones"
        assert [(r.id, r.description) for r in menu.list_rows] == [("s1", None), ("s2", "24-48 h")]
        choice = await sandbox.choose_list_row(ana, menu.wamid, "s2", "Envío", "24-48 h")
        row = await stored_row(core, choice)
        assert (row.type, row.interactive_id, row.text) == ("interactive", "s2", "Envío")
        assert row.reply_to_wamid == menu.wamid
        with pytest.raises(ValueError, match="not a list"):
            await sandbox.choose_list_row(ana, question.wamid, "s1", "x")


async def test_photo_voice_and_location_are_stored_and_media_opens(
    tmp_path: Path, closed_port: int
) -> None:
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        sandbox = core.sandbox
        assert sandbox is not None
        ana = sandbox.add_customer("Ana")
        photo = await sandbox.send_image_placeholder(ana, "¿Tienen este modelo?")
        voice = await sandbox.send_voice_placeholder(ana)
        place = await sandbox.send_location(ana, -34.6037, -58.3816, "Obelisco", "Av. 9 de Julio")

        image_row = await stored_row(core, photo)
        assert (image_row.type, image_row.text, image_row.media_mime) == (
            "image",
            "¿Tienen este modelo?",
            "image/png",
        )
        voice_row = await stored_row(core, voice)
        assert voice_row.type == "audio" and voice_row.media_voice
        place_row = await stored_row(core, place)
        assert (place_row.latitude, place_row.longitude, place_row.location_name) == (
            -34.6037,
            -58.3816,
            "Obelisco",
        )

        # "Open" in the monitor downloads through the sandbox's media routes.
        png = await core.service.download_media(image_row.id)
        assert png.read_bytes() == placeholder_png()
        assert png.is_relative_to(core.paths.media_dir)
        ogg = await core.service.download_media(voice_row.id)
        assert ogg.read_bytes()[:4] == b"OggS"


async def test_realistic_delays_keep_status_order(tmp_path: Path, closed_port: int) -> None:
    delays = StatusDelays(sent=0.05, delivered=0.15, read=0.3)
    config = sim_config(tmp_path, f"http://127.0.0.1:{closed_port}", delays=delays)
    async with sim_core(config) as core:
        sandbox = core.sandbox
        assert sandbox is not None
        rec = Recorder(core)
        stamps: dict[str, float] = {}
        loop = asyncio.get_running_loop()
        sandbox.subscribe(
            lambda e: (
                stamps.setdefault(str(e.status), loop.time())
                if e.kind == "status" and e.message is not None and not e.message.from_customer
                else None
            )
        )
        ana = sandbox.add_customer("Ana")
        await sandbox.send_text(ana, "¿Dónde queda la tienda?")
        await wait_for(lambda: rec.bot_messages(ana.wa_id))
        accepted = loop.time()
        reply = rec.bot_messages(ana.wa_id)[0]
        await wait_for(lambda: rec.statuses(reply.wamid) == ["sent", "delivered", "read"])
        assert stamps["sent"] < stamps["delivered"] < stamps["read"]
        assert stamps["read"] - accepted >= 0.25
        await wait_for(lambda: db_rows(core, Message.wamid == reply.wamid)[0].status == "read")


async def test_without_auto_read_the_customer_reads_on_demand(
    tmp_path: Path, closed_port: int
) -> None:
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        sandbox = core.sandbox
        assert sandbox is not None
        sandbox.auto_read = False
        rec = Recorder(core)
        ana = sandbox.add_customer("Ana")
        await sandbox.send_text(ana, "¿Aceptan tarjeta?")
        await wait_for(lambda: rec.bot_messages(ana.wa_id))
        reply = rec.bot_messages(ana.wa_id)[0]
        await wait_for(lambda: rec.statuses(reply.wamid) == ["sent", "delivered"])
        # Every status the customer's phone had to report has been posted, acknowledged and
        # parsed (back-to-back bodies are parsed just after their 200).
        await wait_for(lambda: not sandbox.busy, what="the status webhooks")
        await parsed(core)
        assert db_rows(core, Message.wamid == reply.wamid)[0].status == "delivered"
        assert await sandbox.read(ana) == 1
        await wait_for(lambda: db_rows(core, Message.wamid == reply.wamid)[0].status == "read")
        assert await sandbox.read(ana) == 0


# -- profile, secrets, routes ----------------------------------------------------------------


async def test_simulator_profile_is_separate_seeded_once_and_ignores_live_secrets(
    tmp_path: Path, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WABOT_ACCESS_TOKEN", "live-token-must-not-be-used")
    monkeypatch.setenv("WABOT_APP_SECRET", "live-secret")
    live = AppPaths.resolve(tmp_path / "data")
    config = sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")
    config.settings_overrides = {}
    async with sim_core(config) as core:
        assert core.paths.data_dir == live.data_dir / "simulator"
        assert core.live_paths == live
        assert core.paths.db_path.is_file()
        assert not live.db_path.exists()
        assert isinstance(core.secrets, MemorySecretStore)
        assert core.secrets.get(SecretKey.ACCESS_TOKEN) != "live-token-must-not-be-used"
        assert core.credentials_missing() == []
        assert core.tunnel is None
        assert core.graph is not None and core.sandbox is not None
        assert core.graph.base_url == core.sandbox.base_url
        assert core.settings.business_name == "Mi tienda (demo)"
        assert len(core.settings.faq) == 4
        assert core.settings.debounce_quiet_s == 1.5
        health = await core.service.health()
        assert health.simulator and health.graph == "sandbox" and health.tunnel == "disabled"
        await core.service.set_setting("business_name", "Kiosco Ana")
        ana = core.sandbox.add_customer("Ana")
        await core.sandbox.send_text(ana, "hola")
    # A second start keeps the owner's changes (seeded on creation only) and the customers.
    async with sim_core(config) as core:
        assert core.settings.business_name == "Kiosco Ana"
        assert core.sandbox is not None
        assert [(c.name, c.wa_id) for c in core.sandbox.customers()] == [("Ana", ana.wa_id)]


async def test_live_profile_gets_no_demo_data_and_no_simulator_routes(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
        assert core.sandbox is None
        assert core.settings.business_name == "Mi tienda"
        assert core.settings.faq == ()
        send = await client.post(core.server_url + "/simulator/send", json={"text": "hola"})
        messages = await client.get(core.server_url + "/simulator/messages")
        customers = await client.get(core.server_url + "/simulator/customers")
        assert (send.status_code, messages.status_code, customers.status_code) == (404, 404, 404)
        assert not (tmp_path / "data" / "simulator").exists()


async def test_reset_simulator_data_only_while_stopped(tmp_path: Path, closed_port: int) -> None:
    live = AppPaths.resolve(tmp_path / "data")
    live.ensure()
    marker = live.data_dir / "live-marker.txt"
    marker.write_text("live data", encoding="utf-8")
    assert reset_simulator_data(live) is False
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        with pytest.raises(RuntimeError, match="stop the simulator"):
            reset_simulator_data(live)
        assert core.paths.db_path.exists()
    assert reset_simulator_data(live) is True
    assert not (live.data_dir / "simulator").exists()
    assert marker.read_text(encoding="utf-8") == "live data"
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        assert await core.service.list_conversations() == []
        assert core.settings.business_name == "Mi tienda (demo)"


async def test_should_start_in_simulator() -> None:
    assert should_start_in_simulator(MemorySecretStore())
    full = SandboxCredentials.generate().secret_store()
    assert not should_start_in_simulator(full)


async def test_headless_routes_send_and_list(
    tmp_path: Path, closed_port: int, client: httpx.AsyncClient
) -> None:
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        url = core.server_url
        sent = await client.post(
            url + "/simulator/send", json={"name": "Ana", "text": "¿Hacen envíos?", "wait": 5}
        )
        assert sent.status_code == 200, sent.text
        data = sent.json()
        assert data["wamid"].startswith("wamid.SIM") and data["name"] == "Ana"
        assert data["replies"][0]["text"].startswith("¡Sí! Hacemos envíos")
        # The same name without wa_id is the same customer.
        again = await client.post(url + "/simulator/send", json={"name": "Ana", "text": "gracias"})
        assert again.json()["wa_id"] == data["wa_id"]
        listed = await client.get(url + "/simulator/messages", params={"wa_id": data["wa_id"]})
        messages = listed.json()["messages"]
        assert messages[0]["to"] == data["wa_id"] and not messages[0]["from_customer"]
        everything = await client.get(
            url + "/simulator/messages", params={"wa_id": data["wa_id"], "all": "1"}
        )
        assert everything.json()["messages"][0]["text"] == "¿Hacen envíos?"
        customers = (await client.get(url + "/simulator/customers")).json()["customers"]
        assert customers == [{"name": "Ana", "wa_id": data["wa_id"]}]
        for bad in ({"name": "Ana"}, {"text": "x", "wait": 99}, {"text": "x", "wa_id": "12"}):
            assert (await client.post(url + "/simulator/send", json=bad)).status_code == 400
        assert (
            await client.post(
                url + "/simulator/send", content=b"[", headers={"Content-Type": "application/json"}
            )
        ).status_code == 400
        unknown = await client.get(url + "/simulator/messages", params={"wa_id": "19999999999"})
        assert unknown.json() == {"messages": []}


async def test_headless_routes_refuse_other_computers() -> None:
    sandbox = Sandbox()
    transport = mock.Mock()
    transport.get_extra_info.return_value = ("192.168.1.20", 50000)
    request = make_mocked_request("GET", "/simulator/messages", transport=transport)
    handler = next(r.handler for r in sandbox.control_routes() if r.path == "/simulator/messages")  # type: ignore[attr-defined]
    response = await handler(request)
    assert response.status == 403


# -- the sandbox's Graph API on its own ------------------------------------------------------


@contextlib.asynccontextmanager
async def sandbox_and_client(
    **kwargs: Any,
) -> AsyncIterator[tuple[Sandbox, GraphClient, httpx.AsyncClient]]:
    sandbox = Sandbox(**kwargs)
    await sandbox.start()
    http = httpx.AsyncClient(trust_env=False)
    creds = sandbox.credentials
    client = GraphClient(
        http,
        base_url=sandbox.base_url,
        phone_number_id=creds.phone_number_id,
        access_token=creds.access_token,
        waba_id=creds.waba_id,
    )
    try:
        yield sandbox, client, http
    finally:
        await http.aclose()
        await sandbox.stop()


async def test_graph_routes_speak_the_wire_format() -> None:
    async with sandbox_and_client(typing_timeout_s=0.1) as (sandbox, client, http):
        events: list[SandboxEvent] = []
        sandbox.subscribe(events.append)
        ana = sandbox.add_customer("Ana")
        result = await client.send(text_message(recipient_fields(ana.wa_id, None), "Hola"))
        assert result.wamid.startswith("wamid.SIM") and result.wa_id == ana.wa_id
        [message] = sandbox.sent_messages(ana)
        assert (message.text, message.status, message.to) == ("Hola", "pending", ana.wa_id)
        assert await client.check_health()
        templates = await client.list_templates()
        assert {t.name for t in templates} == {"seguimiento_pedido", "hello_world"}

        # An unknown number (a chat from an earlier run) becomes a customer named by number.
        await client.send(text_message({"to": "+5491100000000"}, "Hola"))
        assert sandbox.customer("5491100000000") is not None

        # Typing indicator: shown, then hidden after the timeout (25 s on WhatsApp).
        inbound = SandboxMessage(
            wamid="wamid.SIMIN1",
            wa_id=ana.wa_id,
            from_customer=True,
            type="text",
            text="hola",
            status="delivered",
            time=1.0,
        )
        sandbox.chats.store(inbound)  # as if the customer had written (no core here)
        await client.mark_read("wamid.SIMIN1", typing=True)
        assert sandbox.is_typing(ana)
        assert sandbox.message("wamid.SIMIN1").status == "read"  # type: ignore[union-attr]
        await wait_for(lambda: not sandbox.is_typing(ana), timeout=2)
        assert [e.typing for e in events if e.kind == "typing"] == [True, False]
        await client.mark_read("wamid.UNKNOWN")  # an earlier run's message: accepted

        # Errors are Meta's: bad token 190, unknown ids 100/33, missing fields 131008.
        bad = GraphClient(
            http,
            base_url=sandbox.base_url,
            phone_number_id=sandbox.credentials.phone_number_id,
            access_token="live-token",
        )
        with pytest.raises(AuthError) as auth:
            await bad.send(text_message({"to": "+" + ana.wa_id}, "x"))
        assert auth.value.code == 190
        other = GraphClient(
            http,
            base_url=sandbox.base_url,
            phone_number_id="123",
            access_token=sandbox.credentials.access_token,
        )
        with pytest.raises(GraphApiError) as unknown:
            await other.send(text_message({"to": "+" + ana.wa_id}, "x"))
        assert (unknown.value.code, unknown.value.subcode) == (100, 33)
        with pytest.raises(GraphApiError) as no_media:
            await client.get_media("4242")
        assert no_media.value.code == 100
        response = await http.post(
            client.url(f"{sandbox.credentials.phone_number_id}/messages"),
            json={"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}},
            headers={"Authorization": f"Bearer {sandbox.credentials.access_token}"},
        )
        assert response.status_code == 400 and response.json()["error"]["code"] == 131008

        # Media: the generated placeholders download with the bearer token.
        media_id = sandbox.add_media(placeholder_ogg(), "audio/ogg; codecs=opus")
        data, mime = await client.download_media(media_id)
        assert data[:4] == b"OggS" and mime == "audio/ogg; codecs=opus"
        unauthorized = await http.get((await client.get_media(media_id)).url)
        assert unauthorized.status_code == 401


async def test_customer_actions_fail_clearly_without_a_200() -> None:
    async with sandbox_and_client() as (sandbox, _client, _http):
        ana = sandbox.add_customer("Ana")
        with pytest.raises(SandboxError, match="not connected"):
            await sandbox.send_text(ana, "hola")
        with pytest.raises(ValueError, match="loopback"):
            sandbox.set_webhook_url("https://example.com/webhook")


async def test_wrong_signature_is_refused_by_the_core(tmp_path: Path, closed_port: int) -> None:
    async with sim_core(sim_config(tmp_path, f"http://127.0.0.1:{closed_port}")) as core:
        assert core.sandbox is not None and core.sandbox.webhook_url is not None
        impostor = Sandbox(
            SandboxCredentials(app_secret="not-the-secret", verify_token="v", access_token="t")
        )
        await impostor.start()
        try:
            impostor.set_webhook_url(core.sandbox.webhook_url)
            ana = impostor.add_customer("Ana")
            with pytest.raises(SandboxError) as refused:
                await impostor.send_text(ana, "hola")
            assert refused.value.status == 403
            assert impostor.messages(ana)[0].status == "failed"
        finally:
            await impostor.stop()
        assert db_rows(core) == []


def _ogg_crc(data: bytes) -> int:
    """Ogg's page CRC-32 (poly 0x04C11DB7, init 0, not reflected), written here on purpose."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


async def test_sample_media_are_valid_small_bundled_files() -> None:
    for relpath in ("media/photo.png", "media/voice_note.ogg"):
        assert relpath in resources.REQUIRED and resources.exists(relpath)
    png = placeholder_png()
    assert png == resources.read_bytes("media/photo.png") and len(png) < 16_384
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: list[tuple[bytes, bytes]] = []
    offset = 8
    while offset < len(png):
        (length,) = struct.unpack_from(">I", png, offset)
        kind, data = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack_from(">I", png, offset + 8 + length)
        assert zlib.crc32(kind + data) == crc, kind
        chunks.append((kind, data))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth) == (160, 120, 8)
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    pixels = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    assert len(pixels) == height * (1 + channels * width)

    ogg = placeholder_ogg()
    assert ogg == resources.read_bytes("media/voice_note.ogg") and len(ogg) < 16_384
    pages: list[tuple[int, int, bytes]] = []
    granule = offset = 0
    while offset < len(ogg):
        assert ogg[offset : offset + 4] == b"OggS"
        flags, granule, _serial, seq, crc, count = struct.unpack_from("<xBqIIIB", ogg, offset + 4)
        lacing = ogg[offset + 27 : offset + 27 + count]
        end = offset + 27 + count + sum(lacing)
        page = ogg[offset:end]
        assert _ogg_crc(page[:22] + b"\0\0\0\0" + page[26:]) == crc
        pages.append((flags, seq, page[27 + count :]))
        offset = end
    assert _ogg_crc(b"123456789") == 0x89A1897F  # the CRC catalogue's check value
    assert [seq for _, seq, _ in pages] == list(range(len(pages)))
    assert pages[0][0] == 2 and pages[-1][0] & 4  # BOS first, EOS last
    head, tags = pages[0][2], pages[1][2]
    assert head[:8] == b"OpusHead" and head[9] == 1  # mono, as a recorded voice note
    assert tags[:8] == b"OpusTags"
    (pre_skip,) = struct.unpack_from("<H", head, 10)
    assert 1.0 < (granule - pre_skip) / 48000 < 5.0  # a couple of seconds of speech
