"""Simulator mode in the window: first run, the customer's phone pane, the monitor, switching.

Everything runs the real pipeline: the phone pane drives the core's :class:`Sandbox`, which signs
Cloud API webhooks and POSTs them to the core's real webhook server; the bot answers through the
sandbox's Graph API stand-in. Ollama's URL is a closed loopback port, so the fallback responder
answers from the demo FAQ. A guard fails every test here that tries a non-loopback connection
or name lookup: the simulator must never reach graph.facebook.com.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from tests.fakes.graph import DEFAULT_PHONE_NUMBER_ID, DEFAULT_WABA_ID, FakeGraph
from tests.fakes.network_guard import install_network_guard
from wabot_desktop.core import server as server_module
from wabot_desktop.core.dto import Author, ConversationMode, LlmState
from wabot_desktop.core.events import MessageQueued
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import Core, CoreConfig, simulator_paths
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.session import Session
from wabot_desktop.core.store.outbox import OutboundSpec, queue_replies
from wabot_desktop.core.whatsapp.payloads import (
    ListRow,
    ListSection,
    buttons_message,
    list_message,
    recipient_fields,
)
from wabot_desktop.core.whatsapp.sandbox import SandboxMessage, StatusDelays
from wabot_desktop.core.whatsapp.signature import sign
from wabot_desktop.gui import theme
from wabot_desktop.gui.app_session import AppSession
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.main_window import MainWindow
from wabot_desktop.gui.monitor.chat_list_model import ChatRole
from wabot_desktop.gui.simulator.phone_model import PhoneChatModel, PhoneRole
from wabot_desktop.gui.simulator.phone_pane import PhonePane

from .helpers import until

SIZE = (1366, 768)
HOURS_QUESTION = "¿Cuál es el horario de atención?"
FIRST_REPLY_TARGET_S = 5.0
# Tests other than the first run: a quick bot, instant ticks, and a staff name (no dialog).
FAST = {"debounce_quiet_s": 0.05, "debounce_max_s": 0.3, "send_gap_s": 0.0, "staff_name": "Ana"}


# -- the network guard ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_external_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail on any connection or name lookup that is not loopback, and report it."""
    attempted = install_network_guard(monkeypatch)
    yield attempted
    assert attempted == [], f"non-loopback network access attempted: {attempted}"


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """Free each test's window, core and qasync loop here, on the GUI thread.

    They end up in reference cycles (widgets with closures, cancelled tasks). Left to the
    garbage collector, they may be freed while a worker thread allocates, and the loop's timer
    QObject destroyed on that thread crashes PySide6 ("Timers cannot be stopped from another
    thread", then a segmentation fault).
    """
    yield
    gc.collect()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: Ollama is "not installed"."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def webhook_posts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, bytes]]:
    """Every POST /webhook the core's real server receives: (signature header, raw body)."""
    received: list[tuple[str | None, bytes]] = []
    original = server_module.WebhookServer._post_webhook

    async def spy(self: server_module.WebhookServer, request: Any) -> Any:
        received.append((request.headers.get("X-Hub-Signature-256"), await request.read()))
        return await original(self, request)

    monkeypatch.setattr(server_module.WebhookServer, "_post_webhook", spy)
    return received


# -- the app under test --------------------------------------------------------------------


class App:
    """The session, its window and the running core of one test."""

    def __init__(self, session: AppSession, window: MainWindow) -> None:
        self.session = session
        self.window = window

    @property
    def core(self) -> Core:
        assert self.session.session.core is not None
        return self.session.session.core

    @property
    def pane(self) -> PhonePane:
        assert self.window.phone_pane is not None
        return self.window.phone_pane

    def running(self, *, simulator: bool) -> bool:
        """A core of that mode runs and the window shows (or hides) the phone for it."""
        core = self.session.session.core
        return (
            core is not None
            and core.simulator == simulator
            and (self.window.phone_pane is not None) == simulator
            and self.window.view.isEnabled()
        )

    def pane_messages(self) -> list[SandboxMessage]:
        return self.pane.model.messages()

    def bot_messages(self) -> list[SandboxMessage]:
        return [m for m in self.pane_messages() if not m.from_customer]

    def bubble_texts(self) -> list[str]:
        model = self.window.monitor.conversation.model
        return [
            str(model.index(row, 0).data(Qt.ItemDataRole.DisplayRole))
            for row in range(model.rowCount())
        ]

    def row_of(self, name: str) -> int:
        model = self.window.monitor.chat_list.model
        for row in range(model.rowCount()):
            if model.index(row, 0).data(Qt.ItemDataRole.DisplayRole) == name:
                return row
        return -1

    async def open_chat(self, name: str) -> int:
        await until(lambda: self.row_of(name) >= 0, what=f"chat row {name}")
        model = self.window.monitor.chat_list.model
        conversation_id = int(model.index(self.row_of(name), 0).data(ChatRole.CONVERSATION_ID))
        self.window.monitor.open_conversation(conversation_id)
        conversation = self.window.monitor.conversation
        await until(
            lambda: conversation.summary is not None and conversation.summary.id == conversation_id,
            what="open chat",
        )
        return conversation_id


def _config(
    data_dir: Path,
    ollama_port: int,
    *,
    delays: StatusDelays | None = None,
    graph_url: str | None = None,
    **settings: object,
) -> CoreConfig:
    return CoreConfig(
        paths=AppPaths.resolve(data_dir),
        port=0,
        graph_url=graph_url,
        ollama_url=f"http://127.0.0.1:{ollama_port}",
        tunnel=False,
        settings_overrides={"close_to_tray_hint_shown": True, **settings},
        sandbox_delays=delays,
    )


@contextlib.asynccontextmanager
async def open_app(
    qtbot: QtBot, config: CoreConfig, secrets: MemorySecretStore | None = None
) -> AsyncIterator[App]:
    """Start as ``run_gui`` does (mode chosen from the credentials) and show the window.

    Not a fixture: between a fixture's set-up and the test qasync's loop is not running.
    """
    session = AppSession(Session(config, live_secrets=secrets or MemorySecretStore()))
    await session.start()
    window = session.create_window(enable_tray=False)
    window.notifier.sound = False
    window.resize(*SIZE)
    window.show()
    window.start()
    try:
        yield App(session, window)
    finally:
        session.close_window()
        await session.stop()
        await asyncio.sleep(0.05)  # the window's deferred delete runs on the GUI thread


async def _settle() -> None:
    # Never processEvents() inside a coroutine: sleeping lets qasync's loop paint.
    for _ in range(15):
        await asyncio.sleep(0.03)


def _save(window: MainWindow, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    assert window.grab().save(str(path)), path


def _texts(body: bytes) -> list[str]:
    """The customer texts in a webhook body."""
    payload = json.loads(body)
    return [
        message["text"]["body"]
        for entry in payload["entry"]
        for change in entry["changes"]
        for message in change["value"].get("messages", [])
        if message.get("type") == "text"
    ]


async def _type_in_phone(qtbot: QtBot, pane: PhonePane, text: str) -> None:
    # QTest types ASCII only: accents go in as text, Enter is a key press.
    pane.view.edit.setFocus()
    pane.view.edit.insert(text)
    qtbot.keyClick(pane.view.edit, Qt.Key.Key_Return)


async def _queue_bot_message(core: Core, wa_id: str, spec: OutboundSpec) -> None:
    """What a bot rule with buttons would do: queue an outbound message for the outbox."""
    assert core.db is not None and core.outbox is not None
    [summary] = [s for s in await core.service.list_conversations() if s.phone == wa_id]

    def work(session: Any) -> list[int]:
        queued = queue_replies(
            session,
            conversation_id=summary.id,
            specs=[spec],
            author=Author.BOT,
            staff_name=None,
            handled_ids=[],
            now=time.time(),
        )
        return [q.message_id for q in queued]

    for message_id in await core.db.session_run(work):
        core.hub.publish(
            MessageQueued(conversation_id=summary.id, message_id=message_id, author="bot")
        )
    core.outbox.wake()


# -- tests ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_first_launch_opens_in_simulator_and_the_pane_gets_a_bot_reply(
    qtbot: QtBot,
    tmp_path: Path,
    closed_port: int,
    webhook_posts: list[tuple[str | None, bytes]],
    screenshot_dir: Path,
    spanish: Translators,
    light_theme: None,
) -> None:
    data_dir = tmp_path / "empty-profile"
    started = time.monotonic()
    # An empty profile and no credentials anywhere; the bot's timing is the product's own
    # (only the UI language and the tray hint are set, which the first reply does not depend on).
    async with open_app(qtbot, _config(data_dir, closed_port, language="es_419")) as app:
        window, pane = app.window, app.pane
        assert app.core.simulator and window.simulator
        assert simulator_paths(AppPaths.resolve(data_dir)).db_path.exists()
        assert not AppPaths.resolve(data_dir).db_path.exists()  # the live profile stays empty

        view = window.view
        assert view.simulator_banner.isVisible()
        assert view.simulator_title.text() == "Modo de prueba: los mensajes no salen a WhatsApp"
        assert "Meta" in view.simulator_label.text()
        # It names where going live starts: the mode menu's wizard.
        assert "«Conectar WhatsApp…» en el menú «Modo de prueba»" in view.simulator_label.text()
        assert not view.live_button.isVisible()  # no credentials: no button that cannot work
        assert view.mode_button.text() == "Modo de prueba"
        assert view.simulator_action.isChecked()
        # No credentials: "WhatsApp real" opens the setup assistant (tests/gui/test_wizard.py).
        assert view.live_action.isEnabled() and "asistente" in view.live_action.toolTip()
        assert "número de WhatsApp Business" in view.live_action.toolTip()
        assert "modo de prueba" in window.windowTitle()

        assert pane.isVisible() and pane.customer is not None
        assert pane.customer.name == "Cliente de prueba"
        await until(lambda: pane.view.llm_notice.isVisible(), what="Ollama notice")
        notice = pane.view.llm_notice_label.text()
        assert "https://ollama.com/download" in notice and "reinicia WaBot" in notice
        await until(lambda: window.status_bar.health is not None, what="status bar")
        ready_s = time.monotonic() - started
        await _settle()  # the screenshot's pause is not part of the measured time
        _save(window, screenshot_dir, "10_simulator_first_run")

        typed = time.monotonic()
        await _type_in_phone(qtbot, pane, HOURS_QUESTION)
        await until(lambda: app.bot_messages(), timeout=10, what="the bot's reply in the pane")
        answer_s = time.monotonic() - typed
        first_reply_s = ready_s + answer_s
        print(
            f"\nfirst launch -> first bot reply in the pane: {first_reply_s:.2f} s "
            f"(window ready {ready_s:.2f} s, typed -> reply {answer_s:.2f} s)"
        )
        assert first_reply_s < FIRST_REPLY_TARGET_S

        reply = app.bot_messages()[0]
        assert reply.text is not None and "9:00 a 19:00" in reply.text
        asked = app.pane_messages()[0]
        assert asked.from_customer and asked.text == HOURS_QUESTION

        # Through the real webhook server: a POST signed with the sandbox's app secret.
        assert app.core.sandbox is not None
        secret = app.core.sandbox.credentials.app_secret
        signed = [
            (header, body) for header, body in webhook_posts if _texts(body) == [HOURS_QUESTION]
        ]
        assert len(signed) == 1
        header, body = signed[0]
        assert header == sign(secret, body)
        received = app.core.metrics.registry.get_sample_value("wabot_webhooks_received_total")
        assert received is not None and received >= 1

        # ... and the reply is in the monitor too.
        await app.open_chat("Cliente de prueba")
        await until(lambda: reply.text in app.bubble_texts(), what="the reply in the monitor")
        assert HOURS_QUESTION in app.bubble_texts()
        # Opening the chat sends WhatsApp's read receipt: the customer's ticks turn blue.
        await until(lambda: app.pane_messages()[0].status == "read", what="blue ticks in the pane")


@pytest.mark.asyncio
async def test_takeover_staff_messages_typing_and_button_taps_reach_the_phone(
    qtbot: QtBot,
    tmp_path: Path,
    closed_port: int,
    screenshot_dir: Path,
    spanish: Translators,
    light_theme: None,
) -> None:
    config = _config(tmp_path / "data", closed_port, delays=StatusDelays.instant(), **FAST)
    async with open_app(qtbot, config) as app:
        window, pane = app.window, app.pane
        await _type_in_phone(qtbot, pane, "¿Hacen envíos a domicilio?")
        await until(lambda: app.bot_messages(), what="bot reply")
        assert "envíos a domicilio" in (app.bot_messages()[0].text or "")
        customer = pane.customer
        assert customer is not None

        # The monitor works as live: open the chat, take over, write as staff.
        await app.open_chat("Cliente de prueba")
        conversation = window.monitor.conversation
        await until(lambda: len(app.bubble_texts()) >= 2, what="bubbles")
        qtbot.mouseClick(conversation.view.take_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: (
                conversation.summary is not None
                and conversation.summary.mode == ConversationMode.HUMAN
            ),
            what="takeover",
        )

        # The business's "typing…" shows in the phone's header.
        assert app.core.graph is not None
        asked = app.pane_messages()[0].wamid
        await app.core.graph.mark_read(asked, typing=True)
        await until(lambda: pane.typing_shown, what="typing indicator")
        assert pane.view.presence_label.text() == "escribiendo…"

        edit = conversation.composer.view.edit
        edit.insertPlainText("Hola, soy Ana. ¿En qué barrio vives?")
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        await until(
            lambda: any(
                m.text == "Hola, soy Ana. ¿En qué barrio vives?" for m in app.bot_messages()
            ),
            what="staff message in the pane",
        )
        assert not pane.typing_shown  # sending hides the indicator, as on WhatsApp
        assert pane.view.presence_label.text() == "en línea"

        notified: list[tuple[int, str, str]] = []
        window.notifier.notified.connect(lambda *args: notified.append(args))

        # Hand back; a message with reply buttons reaches the phone and a tap round-trips.
        qtbot.mouseClick(conversation.view.hand_back_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: (
                conversation.summary is not None
                and conversation.summary.mode == ConversationMode.BOT
            ),
            what="hand back",
        )
        to = recipient_fields(customer.wa_id, None)
        question = "¿Confirmas el pedido para mañana?"
        await _queue_bot_message(
            app.core,
            customer.wa_id,
            OutboundSpec(
                type="interactive",
                text=question,
                payload=buttons_message(
                    to, question, [("ok", "Sí, confirmar"), ("no", "No")], footer="Mi tienda"
                ),
                buttons=("Sí, confirmar", "No"),
            ),
        )
        await until(lambda: any(m.buttons for m in app.bot_messages()), what="buttons message")
        row = next(r for r, m in enumerate(app.pane_messages()) if m.buttons)
        await _settle()
        _save(window, screenshot_dir, "11_simulator_conversation")

        list_view = pane.view.message_list
        list_view.scrollToBottom()
        await _settle()
        rects = dict(pane.view.delegate.button_rects(list_view, row))
        assert set(rects) == {"ok", "no"}
        qtbot.mouseClick(list_view.viewport(), Qt.MouseButton.LeftButton, pos=rects["ok"].center())
        await until(
            lambda: any(m.from_customer and m.interactive_id == "ok" for m in app.pane_messages()),
            what="the tap in the pane",
        )
        await until(lambda: "Sí, confirmar" in app.bubble_texts(), what="the tap in the monitor")
        # The FAQ has no answer to a bare "Sí, confirmar": the bot hands the chat to a person
        # and staff get the same notification as in live mode.
        await until(lambda: notified, what="the handoff notification")
        assert notified[0][1] == "El bot no pudo responderle a Cliente de prueba"

        # A list: its button opens the rows; choosing one round-trips too.
        rows = [ListRow(id="pickup", title="Retiro en tienda"), ListRow(id="ship", title="Envío")]
        body = "¿Cómo lo quieres recibir?"
        await _queue_bot_message(
            app.core,
            customer.wa_id,
            OutboundSpec(
                type="interactive",
                text=body,
                payload=list_message(to, body, "Ver opciones", [ListSection(rows=rows)]),
            ),
        )
        await until(lambda: any(m.list_rows for m in app.bot_messages()), what="list message")
        list_row = next(r for r, m in enumerate(app.pane_messages()) if m.list_rows)
        list_view.scrollToBottom()
        await _settle()
        [(button_id, rect)] = pane.view.delegate.button_rects(list_view, list_row)
        assert button_id == ""
        qtbot.mouseClick(list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        menu: QMenu | None = None

        def find_menu() -> bool:
            nonlocal menu
            menu = pane.findChild(QMenu, "phoneChoicesMenu")
            return menu is not None and menu.isVisible()

        await until(find_menu, what="the list's rows")
        assert menu is not None
        titles = [a.text() for a in menu.actions() if not a.isSeparator()]
        assert titles == ["Retiro en tienda", "Envío"]
        menu.actions()[-1].trigger()
        menu.hide()
        await until(lambda: "Envío" in app.bubble_texts(), what="the chosen row in the monitor")
        chosen = [m for m in app.pane_messages() if m.interactive_id == "ship"]
        assert chosen and chosen[0].status in ("delivered", "read")

        qapp = QApplication.instance()
        assert isinstance(qapp, QApplication)
        theme.apply_theme(qapp, "dark")
        list_view.scrollToBottom()
        await _settle()
        _save(window, screenshot_dir, "12_simulator_dark")


@pytest.mark.asyncio
async def test_photo_location_and_voice_placeholders_reach_the_monitor(
    qtbot: QtBot, tmp_path: Path, closed_port: int, spanish: Translators, light_theme: None
) -> None:
    config = _config(tmp_path / "data", closed_port, delays=StatusDelays.instant(), **FAST)
    async with open_app(qtbot, config) as app:
        pane = app.pane
        await app.core.service.set_global_pause(True)  # only the customer's side matters here
        pane.view.edit.insert("¿Tienen este modelo?")
        # One at a time, as a person would (each waits for WaBot's webhook server to take it).
        for count, action in enumerate(
            (pane.view.photo_action, pane.view.location_action, pane.view.voice_action), start=1
        ):
            action.trigger()
            await until(
                lambda n=count: (
                    len(app.pane_messages()) == n and app.pane_messages()[-1].status == "delivered"
                ),
                what=f"attachment {count}",
            )
        photo, place, voice = app.pane_messages()
        assert (photo.type, photo.text, photo.status) == (
            "image",
            "¿Tienen este modelo?",
            "delivered",
        )
        assert place.type == "location" and place.latitude is not None
        assert voice.type == "audio" and voice.voice
        assert pane.view.edit.text() == ""
        index = pane.model.index(0, 0)
        assert index.data(Qt.ItemDataRole.DisplayRole) == "¿Tienen este modelo?"
        assert pane.model.index(2, 0).data(Qt.ItemDataRole.DisplayRole) == "Mensaje de voz"

        conversation_id = await app.open_chat("Cliente de prueba")
        messages = await app.core.service.get_messages(conversation_id)
        assert [m.type for m in messages] == ["image", "location", "audio"]

        # The AI notice follows the AI's state.
        app.window.bridge.llm_state_changed.emit(LlmState.MODEL_MISSING, "llama3.2:3b", None)
        assert pane.view.llm_notice.isVisible()
        assert "llama3.2:3b" in pane.view.llm_notice_label.text()
        app.window.bridge.llm_state_changed.emit(LlmState.UP, "llama3.2:3b", None)
        assert not pane.view.llm_notice.isVisible()

        # WaBot's webhook server does not take a message: a red mark and a plain explanation.
        assert app.core.sandbox is not None
        await app.core.sandbox.detach()
        await _type_in_phone(qtbot, pane, "¿Hay alguien?")
        await until(lambda: pane.view.error_label.isVisible(), what="the failure explained")
        assert app.pane_messages()[-1].status == "failed"
        assert "WaBot no recibió este mensaje" in pane.view.error_label.text()
        failed = pane.model.index(pane.model.rowCount() - 1, 0)
        assert failed.data(Qt.ItemDataRole.ToolTipRole) == "No llegó a WaBot"


def _message(wamid: str, wa_id: str, *, status: str = "delivered", **fields: Any) -> SandboxMessage:
    return SandboxMessage(
        wamid=wamid,
        wa_id=wa_id,
        from_customer=fields.pop("from_customer", True),
        type=fields.pop("type", "text"),
        text=fields.pop("text", "hola"),
        status=status,  # type: ignore[arg-type]
        time=time.time(),
        **fields,
    )


def test_phone_chat_model_inserts_and_updates_single_rows(
    qtmodeltester: Any, qapp: QApplication, spanish: Translators
) -> None:
    model = PhoneChatModel()
    qtmodeltester.check(model)
    first = _message("w1", "111111", status="pending")
    model.set_chat("111111", [first, _message("w2", "222222")])
    assert model.rowCount() == 1  # only the shown customer's messages
    inserted: list[tuple[int, int]] = []
    changed: list[int] = []
    model.rowsInserted.connect(lambda _parent, start, end: inserted.append((start, end)))
    model.dataChanged.connect(lambda top, _bottom, _roles: changed.append(top.row()))
    model.add_message(_message("w3", "111111", from_customer=False, text="¡Hola!"))
    model.add_message(_message("w4", "222222"))  # another customer's chat: no row
    model.update_message(replace(first, status="read"))
    assert inserted == [(1, 1)] and changed == [0]
    assert model.index(0, 0).data(PhoneRole.STATUS) == "read"
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "Leído por el negocio"
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) is None  # no ticks for the shop
    model.add_message(
        _message("w5", "111111", type="location", text=None, latitude=1.5, longitude=2.25)
    )
    assert model.index(2, 0).data(Qt.ItemDataRole.DisplayRole) == "1.50000, 2.25000"
    qtmodeltester.check(model)


@pytest.mark.asyncio
async def test_a_new_customer_gets_their_own_chat(
    qtbot: QtBot, tmp_path: Path, closed_port: int, spanish: Translators, light_theme: None
) -> None:
    config = _config(tmp_path / "data", closed_port, delays=StatusDelays.instant(), **FAST)
    async with open_app(qtbot, config) as app:
        pane = app.pane
        qtbot.mouseClick(pane.view.new_customer_button, Qt.MouseButton.LeftButton)
        from wabot_desktop.gui.simulator.customer_dialog import NewCustomerDialog

        dialog: NewCustomerDialog | None = None

        def find_dialog() -> bool:
            nonlocal dialog
            dialog = pane.findChild(NewCustomerDialog, "newCustomerDialog")
            return dialog is not None and dialog.isVisible()

        await until(find_dialog, what="new customer dialog")
        assert dialog is not None
        dialog.name_edit.setText("María <b>López</b>")
        dialog.number_edit.setText("12")
        dialog.create_button.click()
        assert dialog.error_label.isVisible()  # too short for a phone number
        dialog.number_edit.setText("+52 55 1234 5678")
        dialog.create_button.click()
        await until(
            lambda: pane.customer is not None and pane.customer.wa_id == "525512345678",
            what="new customer selected",
        )
        assert pane.view.customer_combo.currentText() == "María <b>López</b> (+525512345678)"
        assert pane.model.rowCount() == 0
        await _type_in_phone(qtbot, pane, "Buenas tardes")
        await until(lambda: app.row_of("María <b>López</b>") >= 0, what="her chat in the list")


@pytest.mark.asyncio
async def test_switching_modes_and_clearing_practice_data(
    qtbot: QtBot, tmp_path: Path, closed_port: int, spanish: Translators, light_theme: None
) -> None:
    data_dir = tmp_path / "data"
    async with FakeGraph() as graph:
        secrets = MemorySecretStore(
            {
                SecretKey.ACCESS_TOKEN: "test-access-token",
                SecretKey.APP_SECRET: "test-app-secret",
                SecretKey.VERIFY_TOKEN: "test-verify-token",
                SecretKey.PHONE_NUMBER_ID: DEFAULT_PHONE_NUMBER_ID,
                SecretKey.WABA_ID: DEFAULT_WABA_ID,
            }
        )
        config = _config(
            data_dir, closed_port, delays=StatusDelays.instant(), graph_url=graph.base_url, **FAST
        )
        async with open_app(qtbot, config, secrets) as app:
            window = app.window
            # Credentials exist: live mode, no phone pane, no banner.
            assert not app.core.simulator and window.phone_pane is None
            assert not window.view.simulator_banner.isVisible()
            assert window.view.mode_button.text() == "WhatsApp real"
            live_db = AppPaths.resolve(data_dir).db_path
            assert live_db.exists()

            # Enter practice mode from the menu (after a warning about real customers).
            window.view.simulator_action.trigger()
            await _accept_confirmation(window, "Practicar")
            await until(lambda: app.running(simulator=True), what="practice mode")
            assert window.view.simulator_banner.isVisible()
            assert window.view.live_button.isVisible()  # credentials exist: a way back
            assert "«Usar WhatsApp real»" in window.view.simulator_label.text()
            assert window.view.live_action.isEnabled()
            pane = app.pane
            await until(lambda: pane.customer is not None, what="pane ready")
            await _type_in_phone(qtbot, pane, HOURS_QUESTION)
            await until(lambda: app.bot_messages(), what="bot reply")
            await until(lambda: app.row_of("Cliente de prueba") >= 0, what="practice chat")

            # Clear the practice data: a fresh practice profile, the live one untouched.
            window.view.reset_simulator_action.trigger()
            await _accept_confirmation(window, "Borrar datos de prueba")
            await until(
                lambda: app.running(simulator=True) and window.phone_pane is not pane,
                what="a new practice profile",
            )
            await until(
                lambda: window.phone_pane is not None and window.phone_pane.customer is not None,
                what="fresh pane",
            )
            assert app.pane.model.rowCount() == 0
            await _settle()
            assert app.row_of("Cliente de prueba") == -1
            assert live_db.exists()

            # Back to real WhatsApp from the banner.
            qtbot.mouseClick(window.view.live_button, Qt.MouseButton.LeftButton)
            await until(lambda: app.running(simulator=False), what="live mode")
            assert not window.view.simulator_banner.isVisible()
            assert graph.sent_messages == []  # practice never reached the (fake) Graph API


async def _accept_confirmation(window: MainWindow, accept_text: str) -> None:
    box: QMessageBox | None = None

    def find_box() -> bool:
        nonlocal box
        box = window.findChild(QMessageBox, "confirmBox")
        return box is not None and box.isVisible()

    await until(find_box, what="confirmation")
    assert box is not None
    [button] = [b for b in box.buttons() if b.text() == accept_text]
    button.click()


@pytest.mark.asyncio
async def test_credentials_stored_at_run_time_make_live_mode_available(
    qtbot: QtBot, tmp_path: Path, closed_port: int, spanish: Translators, light_theme: None
) -> None:
    """The set-up wizard stores the credentials and asks the session to re-read them: the
    practising window offers real WhatsApp at once, and one click switches to it."""
    async with FakeGraph() as graph:
        store = MemorySecretStore()
        config = _config(
            tmp_path / "data",
            closed_port,
            delays=StatusDelays.instant(),
            graph_url=graph.base_url,
            **FAST,
        )
        async with open_app(qtbot, config, store) as app:
            window = app.window
            # "WhatsApp real" opens the set-up wizard while nothing is connected.
            assert app.core.simulator and not window.live_available
            assert not window.view.live_button.isVisible()
            for key, value in {
                SecretKey.ACCESS_TOKEN: "test-access-token",
                SecretKey.APP_SECRET: "test-app-secret",
                SecretKey.VERIFY_TOKEN: "test-verify-token",
                SecretKey.PHONE_NUMBER_ID: DEFAULT_PHONE_NUMBER_ID,
                SecretKey.WABA_ID: DEFAULT_WABA_ID,
            }.items():
                store.set(key, value)
            assert await app.session.session.reload_credentials()
            assert window.live_available and window.view.live_action.isEnabled()
            assert window.view.live_button.isVisible()
            qtbot.mouseClick(window.view.live_button, Qt.MouseButton.LeftButton)
            await until(lambda: app.running(simulator=False), what="live mode")
            assert app.session.session.missing_live_credentials == ()
