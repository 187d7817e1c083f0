"""The Qt setup wizard walked with real widgets against the fake Graph API, Ollama and ngrok.

The public HTTPS address (the shop's own URL, an ngrok domain) is short-cut to the wizard's local
server by :class:`~tests.fakes.forward.ForwardTransport`; everything else crosses real sockets on
127.0.0.1. The ngrok agent is downloaded from a fake CDN on 127.0.0.1 and driven by the real
pyngrok. Then the window: practice -> live -> practice without restarting the app, the token
step offered when Meta rejects the token, the token-expiry warning.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.fakes.forward import ForwardTransport
from tests.fakes.graph import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_PHONE_NUMBER_ID,
    DEFAULT_WABA_ID,
    FakeGraph,
)
from tests.fakes.ngrok_download import FakeNgrokDownload
from tests.fakes.ollama import FakeOllama
from tests.gui.helpers import until
from wabot_desktop.core import setup_flow as sf
from wabot_desktop.core.dto import GraphState
from wabot_desktop.core.events import TokenExpiring
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import CoreConfig
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.session import Session
from wabot_desktop.core.setup_flow import (
    REDACTED,
    Answers,
    SetupFlow,
    Status,
    StepId,
    StepResult,
)
from wabot_desktop.core.whatsapp.signature import sign
from wabot_desktop.gui.app_session import AppSession
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.wizard import SetupWizard
from wabot_desktop.gui.wizard.pages import (
    ConnectMetaPage,
    ModelPage,
    PublicAddressPage,
    ShopPage,
)

TOKEN = "EAAGfakeSystemUserToken1234567890"
AUTHTOKEN = "2abcFakeNgrokAuthtoken_0123456789"
PUBLIC_HOST = "tienda.example.com"
OWNER = "5215512345678"
SIZE = (1366, 768)
FAKE_AGENT = Path(__file__).resolve().parents[1] / "fakes" / "ngrok_agent.py"


class Rig:
    """Fakes + a forwarding HTTP client; builds flows and wizards over them."""

    def __init__(
        self, graph: FakeGraph, ollama: FakeOllama, cdn: FakeNgrokDownload, tmp_path: Path
    ) -> None:
        self.graph = graph
        self.ollama = ollama
        self.cdn = cdn
        self.tmp_path = tmp_path
        self.forward = ForwardTransport({})
        self.http = httpx.AsyncClient(transport=self.forward, timeout=10)
        self.secrets = MemorySecretStore()
        self.saved: dict[str, Any] = {}
        self.flows: list[SetupFlow] = []
        self.wizards: list[SetupWizard] = []
        self.agent = tmp_path / "bin" / "ngrok"
        self.ngrok_config = tmp_path / "ngrok" / "ngrok.yml"

    def answers(self, **changes: Any) -> Answers:
        answers = Answers(
            public_mode="own", public_url=f"https://{PUBLIC_HOST}", port=0, model="qwen2.5:3b"
        )
        for key, value in changes.items():
            setattr(answers, key, value)
        return answers

    def flow(self, answers: Answers | None = None) -> SetupFlow:
        async def save(values: dict[str, Any]) -> None:
            self.saved.update(values)

        flow = SetupFlow(
            secrets=self.secrets,
            save_settings=save,
            graph_url=self.graph.base_url,
            ollama_url=self.ollama.host,
            ngrok_path=self.agent,
            ngrok_config=self.ngrok_config,
            ngrok_download_url=self.cdn.url,
            http=self.http,
            keyring_usable=lambda: True,
            answers=answers or self.answers(),
            tunnel_watchdog_interval=0.2,
            tunnel_connect_timeout=10.0,
        )
        self.route(flow)
        self.flows.append(flow)
        return flow

    def route(self, flow: SetupFlow) -> None:
        def local() -> str:
            assert flow.server is not None
            return f"http://127.0.0.1:{flow.server.port}"

        self.forward.add(PUBLIC_HOST, local)
        self.forward.add("*.ngrok-free.app", local)

    def wizard(self, flow: SetupFlow, **kwargs: Any) -> SetupWizard:
        wizard = SetupWizard(flow, language="es", **kwargs)
        wizard.resize(*SIZE)
        wizard.show()
        self.wizards.append(wizard)
        return wizard

    async def close_wizards(self) -> None:
        """Close and delete the wizards while the loop still runs (never in a later test)."""
        for wizard in self.wizards:
            if wizard.isVisible():
                wizard.reject()
            await wizard.wait_closed()
            wizard.deleteLater()
        self.wizards.clear()
        await asyncio.sleep(0.05)  # the deferred deletes run on the GUI thread


@contextlib.asynccontextmanager
async def rig_for(tmp_path: Path, **cdn: Any) -> AsyncIterator[Rig]:
    async with (
        FakeGraph() as graph,
        FakeOllama(reply="¡Hola! Abrimos de 9 a 19 h.", models=("qwen2.5:3b",)) as ollama,
        FakeNgrokDownload(**cdn) as download,
    ):
        rig = Rig(graph, ollama, download, tmp_path)
        try:
            yield rig
        finally:
            await rig.close_wizards()
            for flow in rig.flows:
                await flow.aclose()
            await rig.http.aclose()
            if rig.agent.exists():
                from pyngrok import conf, ngrok

                ngrok.kill(
                    conf.PyngrokConfig(ngrok_path=str(rig.agent), config_path=str(rig.ngrok_config))
                )


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: Ollama is "not installed"."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """As in test_simulator.py: each test's widgets, cores and qasync loop end up in cycles;
    freed by the collector on a worker thread, a loop's timer QObject crashes PySide6."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def _no_ngrok_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("FAKE_NGROK_FAIL", "FAKE_NGROK_SILENT", "NGROK_AUTHTOKEN", "NGROK_API_KEY"):
        monkeypatch.delenv(var, raising=False)


class Checked:
    """Every StepResult the wizard's "Verificar" produced, to wait on."""

    def __init__(self, wizard: SetupWizard) -> None:
        self.results: list[StepResult] = []
        wizard.checked.connect(self.results.append)

    async def next(self, wizard: SetupWizard, click: Any, timeout: float = 20.0) -> StepResult:
        count = len(self.results)
        click()
        await until(
            lambda: len(self.results) > count and wizard._running is None,
            timeout=timeout,
            what=lambda: f"a check of {wizard.current}",
        )
        await asyncio.sleep(0.05)  # let advance() move on after the check
        return self.results[-1]


def fill_meta(wizard: SetupWizard, **values: str) -> None:
    fields = {
        "app_id": DEFAULT_APP_ID,
        "app_secret": DEFAULT_APP_SECRET,
        "access_token": TOKEN,
        "waba_id": DEFAULT_WABA_ID,
        "phone_number_id": DEFAULT_PHONE_NUMBER_ID,
        "pin": "",
        **values,
    }
    page = wizard.pages[StepId.META_APP]
    for name, value in fields.items():
        page.widgets[name].setText(value)  # type: ignore[attr-defined]


def check_of(result: StepResult, name: str) -> sf.CheckResult:
    found = [c for c in result.checks if c.check == name]
    assert found, f"no {name!r} check in {[(c.check, c.message.es) for c in result.checks]}"
    return found[0]


async def owner_writes(flow: SetupFlow, wa_id: str = OWNER) -> int:
    """The owner's phone: Meta POSTs the message, signed with the app secret."""
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": DEFAULT_WABA_ID,
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": DEFAULT_PHONE_NUMBER_ID},
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": f"wamid.owner{time.monotonic_ns()}",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": "hola"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    assert flow.server is not None
    async with httpx.AsyncClient() as meta:
        response = await meta.post(
            f"http://127.0.0.1:{flow.server.port}/webhook",
            content=body,
            headers={"X-Hub-Signature-256": sign(flow.answers.app_secret, body)},
        )
    return response.status_code


async def walk_to_done(rig: Rig, wizard: SetupWizard, checked: Checked) -> None:
    """The happy path from the welcome page to "Listo" (the phone message arrives live)."""
    flow = wizard.flow
    await checked.next(wizard, wizard.next_button.click)
    assert wizard.current is StepId.META_APP
    fill_meta(wizard)
    meta = await checked.next(wizard, wizard.next_button.click)
    assert meta.status is Status.OK, [c.message.es for c in meta.checks]
    assert wizard.current is StepId.PUBLIC_ADDRESS
    public = await checked.next(wizard, wizard.next_button.click)
    assert check_of(public, "self_check").status is Status.OK
    assert wizard.current is StepId.CONNECT_META
    page = wizard.pages[StepId.CONNECT_META]
    assert isinstance(page, ConnectMetaPage)
    count = len(checked.results)
    wizard.next_button.click()
    await until(lambda: page.wait_box.isVisible(), timeout=15, what="waiting for the phone")
    # The subscription and callback checks are shown before the message arrives.
    assert page.checks.row("subscribed_apps") is not None
    assert page.checks.row("callback") is not None
    assert "envía cualquier mensaje" in page.wait_label.text()
    assert await owner_writes(flow) == 200
    await until(lambda: len(checked.results) > count, timeout=15, what="the message")
    first = check_of(checked.results[-1], "first_message")
    assert first.status is Status.OK and OWNER in first.message.es
    await until(lambda: wizard.current is StepId.MODEL, what="the model step")
    model = await checked.next(wizard, wizard.next_button.click, timeout=30)
    assert check_of(model, "test_question").status is Status.OK
    assert wizard.current is StepId.SHOP
    shop = wizard.pages[StepId.SHOP]
    assert isinstance(shop, ShopPage)
    shop.widgets["business_name"].setText("Ferretería Don Pepe")  # type: ignore[attr-defined]
    shop.hour_edits["sun"].setText("cerrado")
    await checked.next(wizard, wizard.next_button.click)
    assert wizard.current is StepId.DONE


# -- the wizard on its own --------------------------------------------------------------------


@pytest.mark.asyncio
async def test_wizard_walks_every_step_to_a_test_reply(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with rig_for(tmp_path) as rig:
        flow = rig.flow()
        wizard = rig.wizard(flow)
        checked = Checked(wizard)
        completed: list[bool] = []
        wizard.completed.connect(lambda: completed.append(True))
        await walk_to_done(rig, wizard, checked)
        done = await checked.next(wizard, wizard.next_button.click)
        assert check_of(done, "stored").status is Status.OK
        assert check_of(done, "test_reply").status is Status.OK
        await until(lambda: completed == [True], what="completed")
        assert wizard.went_live and not wizard.isVisible()
        # Secrets in the (keyring) store only; the shop's settings saved.
        assert rig.secrets.get(SecretKey.ACCESS_TOKEN) == TOKEN
        assert rig.secrets.get(SecretKey.APP_SECRET) == DEFAULT_APP_SECRET
        assert rig.secrets.get(SecretKey.VERIFY_TOKEN)
        assert rig.saved["business_name"] == "Ferretería Don Pepe"
        assert rig.saved["business_hours"]["sun"] == []
        assert rig.saved["llm_num_ctx"] == 8192
        assert rig.saved["faq"] == sf.EXAMPLE_FAQ  # the prefilled examples
        assert not any(TOKEN in str(v) or DEFAULT_APP_SECRET in str(v) for v in rig.saved.values())
        [reply] = rig.graph.sent_messages
        assert reply["to"] == OWNER
        # The model was asked with an explicit context size.
        assert all(r["options"]["num_ctx"] == 8192 for r in rig.ollama.chat_requests)


@pytest.mark.asyncio
async def test_welcome_offers_practice_mode_with_one_button_and_next_goes_on(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    from PySide6.QtWidgets import QCheckBox, QPushButton

    async with rig_for(tmp_path) as rig:
        wizard = rig.wizard(rig.flow())
        welcome = wizard.pages[StepId.WELCOME]
        # One control for the choice: the button, no checkbox beside it.
        assert welcome.findChildren(QCheckBox) == []
        [button] = [
            b for b in welcome.findChildren(QPushButton) if b.objectName() == "wizardPracticeButton"
        ]
        assert button.text() == "Seguir en modo de prueba"
        # "Verificar y seguir" without it goes to the next step, not to practice mode.
        chosen: list[bool] = []
        wizard.practice_chosen.connect(lambda: chosen.append(True))
        wizard.next_button.click()
        await until(lambda: wizard.current is StepId.META_APP, what="the Meta app step")
        assert chosen == [] and wizard.isVisible()
        # The button ends the wizard in practice mode.
        wizard.go_to(StepId.WELCOME)
        button.click()
        await until(lambda: chosen == [True], what="practice chosen")
        assert not wizard.isVisible()


@pytest.mark.asyncio
async def test_wizard_explains_the_main_failures_and_rechecks_one_step(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with rig_for(tmp_path) as rig:
        flow = rig.flow()
        wizard = rig.wizard(flow, start_at=StepId.META_APP)
        checked = Checked(wizard)
        page = wizard.pages[StepId.META_APP]

        # An expired token: explained, the fix shown, "detalles" without the secret; no way on.
        rig.graph.token_valid = False
        fill_meta(wizard)
        result = await checked.next(wizard, wizard.next_button.click)
        token = check_of(result, "token")
        assert token.status is Status.ERROR and "venció" in token.message.es
        assert wizard.current is StepId.META_APP
        row = page.checks.row("token")
        assert row is not None and row.fix is not None and row.fix.isVisible()
        row.details_button.click()
        assert row.details_dialog is not None and row.details_dialog.isVisible()
        details = row.details_dialog.text.toPlainText()
        assert "debug_token" in details and REDACTED in details
        assert TOKEN not in details and DEFAULT_APP_SECRET not in details
        row.details_dialog.close()

        # A number not registered and no PIN: the PIN is asked for; with it, registered.
        rig.graph.token_valid = True
        rig.graph.registered = False
        result = await checked.next(wizard, wizard.verify_button.click)
        assert check_of(result, "register").status is Status.ERROR
        assert wizard.current is StepId.META_APP
        page.widgets["pin"].setText("123456")  # type: ignore[attr-defined]
        result = await checked.next(wizard, wizard.next_button.click)
        assert check_of(result, "register").status is Status.OK
        assert wizard.current is StepId.PUBLIC_ADDRESS
        assert rig.graph.requests_to("/register")[0].json["pin"] == "123456"

        # An own address that is not HTTPS.
        public = wizard.pages[StepId.PUBLIC_ADDRESS]
        public.widgets["public_url"].setText("http://tienda.example.com")  # type: ignore[attr-defined]
        result = await checked.next(wizard, wizard.next_button.click)
        assert check_of(result, "public_url").status is Status.ERROR
        public.widgets["public_url"].setText(f"https://{PUBLIC_HOST}")  # type: ignore[attr-defined]
        await checked.next(wizard, wizard.next_button.click)
        assert wizard.current is StepId.CONNECT_META

        # The app not subscribed to the account: stays, says why.
        connect = wizard.pages[StepId.CONNECT_META]
        assert isinstance(connect, ConnectMetaPage)
        connect.message_timeout = 0.3
        rig.graph.subscribe_works = False
        result = await checked.next(wizard, wizard.next_button.click)
        assert check_of(result, "subscribed_apps").status is Status.ERROR
        assert wizard.current is StepId.CONNECT_META
        # Fixed; then no message from the phone: the likely causes, a retry, and a way on.
        rig.graph.subscribe_works = True
        result = await checked.next(wizard, wizard.next_button.click)
        first = check_of(result, "first_message")
        assert first.status is Status.ERROR
        assert first.fix is not None and "521" in first.fix.es and "549" in first.fix.es
        assert connect.retry_button.isVisible()
        assert wizard.current is StepId.CONNECT_META
        assert wizard.next_button.text() == "Continuar de todos modos"
        wizard.next_button.click()
        await until(lambda: wizard.current is StepId.MODEL, what="going on anyway")

        # Re-check one earlier step alone from the list: only its calls are made.
        before = len(rig.graph.requests)
        wizard.step_list.setCurrentRow(1)
        assert wizard.current is StepId.META_APP
        result = await checked.next(wizard, wizard.verify_button.click)
        assert result.step is StepId.META_APP and result.ok
        paths = {r.path for r in rig.graph.requests[before:]}
        assert not any(p.endswith(("subscribed_apps", "subscriptions")) for p in paths)


@pytest.mark.asyncio
async def test_ollama_absent_lets_the_owner_go_on_with_the_faq(
    qtbot: QtBot, tmp_path: Path, closed_port: int, spanish: Translators
) -> None:
    async with rig_for(tmp_path) as rig:
        flow = rig.flow()
        flow.ollama_url = f"http://127.0.0.1:{closed_port}"
        wizard = rig.wizard(flow, start_at=StepId.MODEL)
        checked = Checked(wizard)
        result = await checked.next(wizard, wizard.next_button.click)
        ollama = check_of(result, "ollama")
        assert ollama.status is Status.ERROR and "preguntas frecuentes" in ollama.message.es
        assert wizard.current is StepId.MODEL
        wizard.next_button.click()
        await until(lambda: wizard.current is StepId.SHOP, what="the shop step")


@pytest.mark.asyncio
async def test_model_pull_shows_real_progress_and_can_be_cancelled(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sf, "_free_disk", lambda _path: 500 * 10**9)
    async with rig_for(tmp_path) as rig:
        rig.ollama.chunk_delay = 0.15
        flow = rig.flow(rig.answers(model="qwen2.5:1.5b"))
        wizard = rig.wizard(flow, start_at=StepId.MODEL)
        page = wizard.pages[StepId.MODEL]
        assert isinstance(page, ModelPage)
        assert "cabe en esta PC" in page.model_combo.itemText(0) or any(
            "cabe en esta PC" in page.model_combo.itemText(i)
            for i in range(page.model_combo.count())
        )
        page.pull_button.click()
        await until(lambda: "quedan" in page.pull_progress.label.text(), what="progress")
        assert " de " in page.pull_progress.label.text() and "/s" in page.pull_progress.label.text()
        assert not wizard.next_button.isEnabled()  # busy while downloading
        await until(lambda: page.pull_checks.row("pull") is not None, timeout=15, what="pulled")
        row = page.pull_checks.row("pull")
        assert row is not None and row.result.status is Status.OK
        assert wizard.next_button.isEnabled()
        # A second, cancelled pull.
        page.model_combo.setEditText("qwen2.5:7b")
        page.pull_button.click()
        await until(lambda: not page.pull_button.isEnabled(), what="second pull")
        page.pull_progress.cancel_button.click()
        await until(lambda: page.pull_checks.row("pull") is not None, timeout=15, what="cancel")
        cancelled = page.pull_checks.row("pull")
        assert cancelled is not None and cancelled.result.status is Status.SKIPPED


@pytest.mark.asyncio
async def test_ngrok_agent_downloads_on_first_use_then_the_tunnel_proves_the_path(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with rig_for(tmp_path, chunk_size=16 * 1024, chunk_delay=0.02) as rig:
        answers = rig.answers(
            public_mode="ngrok", ngrok_authtoken=AUTHTOKEN, ngrok_domain="tienda.ngrok-free.app"
        )
        fill = {
            "app_id": DEFAULT_APP_ID,
            "app_secret": DEFAULT_APP_SECRET,
            "access_token": TOKEN,
            "waba_id": DEFAULT_WABA_ID,
            "phone_number_id": DEFAULT_PHONE_NUMBER_ID,
        }
        for key, value in fill.items():
            setattr(answers, key, value)
        flow = rig.flow(answers)
        wizard = rig.wizard(flow, start_at=StepId.PUBLIC_ADDRESS)
        checked = Checked(wizard)
        page = wizard.pages[StepId.PUBLIC_ADDRESS]
        assert isinstance(page, PublicAddressPage)
        assert page.ngrok_radio.isChecked() and page.download_button.isVisible()
        assert "no está en esta PC" in page.agent_label.text()
        # Checking without the agent says so and offers the download.
        result = await checked.next(wizard, wizard.next_button.click)
        assert check_of(result, "ngrok_agent").status is Status.ERROR
        assert wizard.current is StepId.PUBLIC_ADDRESS

        # A download cancelled half way leaves nothing.
        page.download_button.click()
        await until(lambda: page.agent_progress.last is not None, what="download progress")
        page.agent_progress.cancel_button.click()
        await until(lambda: page.agent_checks.row("ngrok_download") is not None, what="cancel")
        row = page.agent_checks.row("ngrok_download")
        assert row is not None and row.result.status is Status.SKIPPED
        assert not sf.agent_installed(flow)

        # The real download: bar, bytes and speed, then pyngrok's installer unpacks it.
        page.download_button.click()
        await until(lambda: not page.download_button.isEnabled(), what="the download started")
        await until(lambda: "quedan" in page.agent_progress.label.text(), what="progress text")
        await until(
            lambda: page.agent_checks.row("ngrok_download") is not None, timeout=20, what="done"
        )
        row = page.agent_checks.row("ngrok_download")
        assert row is not None and row.result.status is Status.OK, row.result.message.es
        assert sf.agent_installed(flow) and "está en esta PC" in page.agent_label.text()

        # Now the tunnel opens through the real pyngrok and the wizard calls itself through it.
        result = await checked.next(wizard, wizard.next_button.click, timeout=30)
        assert check_of(result, "tunnel").status is Status.OK, check_of(result, "tunnel").message
        assert check_of(result, "self_check").status is Status.OK
        assert wizard.current is StepId.CONNECT_META


# -- the window: practice -> live -> practice, the token step, the expiry warning --------------


def _config(data_dir: Path, graph: FakeGraph, ollama: FakeOllama) -> CoreConfig:
    return CoreConfig(
        paths=AppPaths.resolve(data_dir),
        port=0,
        graph_url=graph.base_url,
        ollama_url=ollama.host,
        tunnel=False,
        settings_overrides={"close_to_tray_hint_shown": True, "language": "es_419"},
    )


async def _accept(window: Any, accept_text: str) -> None:
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
async def test_practice_to_live_to_practice_through_the_wizard_without_a_restart(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with rig_for(tmp_path) as rig:
        live_secrets = MemorySecretStore()
        session = AppSession(
            Session(_config(tmp_path / "data", rig.graph, rig.ollama), live_secrets=live_secrets)
        )
        session.session.setup_flow_options = {
            "http": rig.http,
            "keyring_usable": lambda: True,
            "ngrok_path": rig.agent,
        }
        await session.start()
        window = session.create_window(enable_tray=False)
        window.notifier.sound = False
        window.resize(*SIZE)
        window.show()
        window.start()
        try:
            assert session.session.core is not None and session.session.core.simulator
            assert window.view.setup_action.text() == "Conectar WhatsApp…"
            # "WhatsApp real" with nothing connected opens the wizard.
            assert window.view.live_action.isEnabled()
            window.view.live_action.trigger()
            await until(lambda: window.wizard is not None, what="the wizard")
            wizard = window.wizard
            assert wizard is not None
            flow = wizard.flow
            assert flow.secrets is live_secrets
            flow.answers.public_mode = "own"
            flow.answers.public_url = f"https://{PUBLIC_HOST}"
            flow.answers.model = "qwen2.5:3b"
            rig.route(flow)
            for page in wizard.pages.values():
                page.load()
            first_core = session.session.core
            await walk_to_done(rig, wizard, Checked(wizard))
            wizard.next_button.click()
            await until(
                lambda: session.session.core is not None and not session.session.core.simulator,
                timeout=20,
                what="live mode",
            )
            assert session.session.core is not first_core
            assert window.wizard is None and not window.simulator
            assert window.view.mode_button.text() == "WhatsApp real"
            assert window.view.setup_action.text() == "Configurar WhatsApp…"
            assert live_secrets.get(SecretKey.ACCESS_TOKEN) == TOKEN
            await until(lambda: window.status_bar.health is not None, what="health")

            # And back to practice, the same window all along.
            window.view.simulator_action.trigger()
            await _accept(window, "Practicar")
            await until(
                lambda: session.session.core is not None and session.session.core.simulator,
                timeout=20,
                what="practice mode",
            )
            assert window.simulator and window.phone_pane is not None
        finally:
            session.close_window()
            await session.stop()
            await asyncio.sleep(0.05)


@pytest.mark.asyncio
async def test_rejected_token_offers_the_token_step_and_the_new_one_restarts_live(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with rig_for(tmp_path) as rig:
        live_secrets = MemorySecretStore(
            {
                SecretKey.ACCESS_TOKEN: "EAAGoldRevokedToken000000000000",
                SecretKey.APP_SECRET: DEFAULT_APP_SECRET,
                SecretKey.VERIFY_TOKEN: "verify-token-123",
                SecretKey.PHONE_NUMBER_ID: DEFAULT_PHONE_NUMBER_ID,
                SecretKey.WABA_ID: DEFAULT_WABA_ID,
            }
        )
        config = _config(tmp_path / "data", rig.graph, rig.ollama)
        config.settings_overrides["meta_app_id"] = DEFAULT_APP_ID
        config.settings_overrides["business_name"] = "Ferretería Don Pepe"
        session = AppSession(Session(config, live_secrets=live_secrets))
        session.session.setup_flow_options = {"http": rig.http, "keyring_usable": lambda: True}
        await session.start()
        window = session.create_window(enable_tray=False)
        window.notifier.sound = False
        window.show()
        window.start()
        try:
            assert session.session.core is not None and not session.session.core.simulator
            await until(lambda: window.status_bar.health is not None, what="health")
            health = window.status_bar.health
            assert health is not None
            # What the status bar gets once Meta answered 190 to a send.
            window.status_bar.show_health(
                dataclasses.replace(
                    health, graph=GraphState.BLOCKED, sending_blocked_reason="AuthError"
                )
            )
            await _accept(window, "Escribir un token nuevo")
            await until(lambda: window.wizard is not None, what="the wizard")
            wizard = window.wizard
            assert wizard is not None
            assert wizard.current is StepId.META_APP
            # Pre-filled from the keyring; the steps that need the live core's port are skipped.
            page = wizard.pages[StepId.META_APP]
            assert page.widgets["app_id"].text() == DEFAULT_APP_ID  # type: ignore[attr-defined]
            assert StepId.PUBLIC_ADDRESS in wizard.skip and StepId.CONNECT_META in wizard.skip
            page.widgets["access_token"].setText(TOKEN)  # type: ignore[attr-defined]
            checked = Checked(wizard)
            await checked.next(wizard, wizard.next_button.click)
            assert wizard.current is StepId.MODEL  # public address and connect passed over
            await checked.next(wizard, wizard.next_button.click, timeout=30)
            assert wizard.current is StepId.SHOP
            await checked.next(wizard, wizard.next_button.click)
            assert wizard.current is StepId.DONE
            wizard.next_button.click()
            # The running live core takes the new token at once (no restart needed).
            await until(
                lambda: (
                    session.session.core is not None
                    and session.session.core.credential(SecretKey.ACCESS_TOKEN) == TOKEN
                ),
                timeout=20,
                what="the live core on the new token",
            )
            assert not session.session.core.simulator
            assert session.session.core.credential(SecretKey.ACCESS_TOKEN) == TOKEN
            assert live_secrets.get(SecretKey.VERIFY_TOKEN) == "verify-token-123"  # kept
        finally:
            session.close_window()
            await session.stop()
            await asyncio.sleep(0.05)


@pytest.mark.asyncio
async def test_token_expiry_warning_reaches_the_status_bar(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with rig_for(tmp_path) as rig:
        live_secrets = MemorySecretStore(
            {
                SecretKey.ACCESS_TOKEN: TOKEN,
                SecretKey.APP_SECRET: DEFAULT_APP_SECRET,
                SecretKey.VERIFY_TOKEN: "verify-token-123",
                SecretKey.PHONE_NUMBER_ID: DEFAULT_PHONE_NUMBER_ID,
            }
        )
        session = AppSession(
            Session(_config(tmp_path / "data", rig.graph, rig.ollama), live_secrets=live_secrets)
        )
        await session.start()
        window = session.create_window(enable_tray=False)
        window.show()
        window.start()
        try:
            assert session.session.core is not None
            expires = int(time.time()) + 5 * 86400
            session.session.core.hub.publish(TokenExpiring(expires_at=expires))
            day = time.strftime("%Y-%m-%d", time.localtime(expires))
            await until(lambda: day in window.status_bar.currentMessage(), what="the warning")
            assert "vence" in window.status_bar.currentMessage()
        finally:
            session.close_window()
            await session.stop()
            await asyncio.sleep(0.05)


# -- screenshots (Spanish, 1366x768, and one at 200 %) -------------------------------------------


async def _settle() -> None:
    for _ in range(15):
        await asyncio.sleep(0.03)


def _shot(widget: Any, folder: Path, name: str) -> None:
    path = folder / f"wizard_{name}.png"
    assert widget.grab().save(str(path)), path


@pytest.mark.asyncio
async def test_screenshots_of_every_wizard_page(
    qtbot: QtBot,
    tmp_path: Path,
    screenshot_dir: Path,
    spanish: Translators,
    light_theme: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sf, "_free_disk", lambda _path: 500 * 10**9)
    async with rig_for(tmp_path, chunk_size=4 * 1024, chunk_delay=0.05) as rig:
        rig.graph.token_expires_at = int(time.time()) + 20 * 3600  # a temporary token
        flow = rig.flow()
        wizard = rig.wizard(flow)
        checked = Checked(wizard)
        await checked.next(wizard, lambda: asyncio.ensure_future(wizard.verify_current()))
        await _settle()
        _shot(wizard, screenshot_dir, "01_welcome")

        wizard.go_to(StepId.META_APP)
        fill_meta(wizard)
        await checked.next(wizard, wizard.verify_button.click)
        await _settle()
        _shot(wizard, screenshot_dir, "02_meta_app_temporary_token")
        row = wizard.pages[StepId.META_APP].checks.row("token")
        assert row is not None
        row.details_button.click()
        assert row.details_dialog is not None
        await _settle()
        _shot(row.details_dialog, screenshot_dir, "03_detalles")
        assert TOKEN not in row.details_dialog.text.toPlainText()
        row.details_dialog.close()

        public = wizard.pages[StepId.PUBLIC_ADDRESS]
        assert isinstance(public, PublicAddressPage)
        flow.answers.public_mode = "ngrok"
        flow.answers.ngrok_authtoken = AUTHTOKEN
        wizard.go_to(StepId.PUBLIC_ADDRESS)
        public.download_button.click()
        await until(lambda: "quedan" in public.agent_progress.label.text(), what="progress")
        await _settle()
        _shot(wizard, screenshot_dir, "04_public_address_ngrok_download")
        public.agent_progress.cancel_button.click()
        await until(lambda: public.download_button.isEnabled(), what="cancelled")
        public.own_radio.setChecked(True)
        await checked.next(wizard, wizard.verify_button.click)
        await _settle()
        _shot(wizard, screenshot_dir, "05_public_address_own_url_ok")

        wizard.go_to(StepId.CONNECT_META)
        connect = wizard.pages[StepId.CONNECT_META]
        assert isinstance(connect, ConnectMetaPage)
        wizard.verify_button.click()
        await until(lambda: connect.wait_box.isVisible(), timeout=15, what="waiting")
        await _settle()
        _shot(wizard, screenshot_dir, "06_connect_waiting_for_the_phone")
        connect.stop_button.click()
        await until(lambda: wizard._running is None, what="stopped waiting")
        await _settle()
        _shot(wizard, screenshot_dir, "07_connect_no_message_causes")

        rig.ollama.chunk_delay = 0.3
        wizard.go_to(StepId.MODEL)
        model = wizard.pages[StepId.MODEL]
        assert isinstance(model, ModelPage)
        await checked.next(wizard, wizard.verify_button.click, timeout=30)
        model.model_combo.setEditText("qwen2.5:1.5b")
        model.pull_button.click()
        await until(lambda: "quedan" in model.pull_progress.label.text(), what="pull progress")
        await _settle()
        _shot(wizard, screenshot_dir, "08_model_pull_progress")
        model.pull_progress.cancel_button.click()
        await until(lambda: model.pull_button.isEnabled(), what="pull cancelled")

        wizard.go_to(StepId.SHOP)
        shop = wizard.pages[StepId.SHOP]
        shop.widgets["business_name"].setText("Ferretería Don Pepe")  # type: ignore[attr-defined]
        await checked.next(wizard, wizard.verify_button.click)
        await _settle()
        _shot(wizard, screenshot_dir, "09_shop")

        wizard.go_to(StepId.DONE)
        await wizard.verify_current()
        await _settle()
        _shot(wizard, screenshot_dir, "10_done_summary")

        # Every page's text fits: no horizontal scroll bar anywhere at 1366x768.
        for page in wizard.pages.values():
            assert not page.scroll_area.horizontalScrollBar().isVisible()


@pytest.mark.slow
def test_wizard_screenshot_at_200_percent_scaling(tmp_path: Path, screenshot_dir: Path) -> None:
    import os
    import subprocess
    import sys

    out = screenshot_dir / "wizard_11_meta_app_200_percent.png"
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "PYTHONPATH": str(repo)}
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.wizard_scaled_screenshot", str(out), str(tmp_path)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (2 * SIZE[0], 2 * SIZE[1])
