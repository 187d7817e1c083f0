"""The wizard's steps against the fake Graph API and the fake Ollama (real sockets, no Qt)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.fakes.forward import ForwardTransport
from tests.fakes.graph import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_PHONE_NUMBER_ID,
    DEFAULT_WABA_ID,
    FakeGraph,
)
from tests.fakes.ollama import FakeOllama
from wabot_desktop.core import setup_flow
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.setup_flow import (
    REDACTED,
    Answers,
    ModelStep,
    PullProgress,
    SetupFlow,
    Status,
    StepId,
    StepResult,
    point_callback,
)
from wabot_desktop.core.whatsapp.signature import sign

TOKEN = "EAAGfakeSystemUserToken1234567890"
PUBLIC_HOST = "tienda.example.com"


class Rig:
    def __init__(self, graph: FakeGraph, tmp_path: Path) -> None:
        self.graph = graph
        self.tmp_path = tmp_path
        self.saved: dict[str, Any] = {}
        self.secrets = MemorySecretStore()
        self.keyring_ok = True
        self.forward = ForwardTransport({})
        self.http = httpx.AsyncClient(transport=self.forward, timeout=10)
        self.flows: list[SetupFlow] = []

    def flow(self, ollama_url: str = "http://127.0.0.1:9", **changes: Any) -> SetupFlow:
        answers = Answers(
            app_id=DEFAULT_APP_ID,
            app_secret=DEFAULT_APP_SECRET,
            access_token=TOKEN,
            waba_id=DEFAULT_WABA_ID,
            phone_number_id=DEFAULT_PHONE_NUMBER_ID,
            public_mode="own",
            public_url=f"https://{PUBLIC_HOST}",
            port=0,
            business_name="Ferretería Don Pepe",
        )
        for key, value in changes.items():
            setattr(answers, key, value)

        async def save(values: dict[str, Any]) -> None:
            self.saved.update(values)

        flow = SetupFlow(
            secrets=self.secrets,
            save_settings=save,
            graph_url=self.graph.base_url,
            ollama_url=ollama_url,
            ngrok_config=self.tmp_path / "ngrok" / "ngrok.yml",
            http=self.http,
            keyring_usable=lambda: self.keyring_ok,
            answers=answers,
        )

        def local() -> str:
            assert flow.server is not None
            return f"http://127.0.0.1:{flow.server.port}"

        self.forward.add(PUBLIC_HOST, local)
        self.flows.append(flow)
        return flow


@pytest_asyncio.fixture
async def rig(graph: FakeGraph, tmp_path: Path) -> AsyncIterator[Rig]:
    r = Rig(graph, tmp_path)
    yield r
    for flow in r.flows:
        await flow.aclose()
    await r.http.aclose()


def check(result: StepResult, name: str) -> setup_flow.CheckResult:
    return next(c for c in result.checks if c.check == name)


def all_details(result: StepResult) -> str:
    return "\n".join(c.detalles() for c in result.checks)


# -- Meta app ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_meta_app_happy_path(rig: Rig) -> None:
    flow = rig.flow()
    result = await flow.run_step(StepId.META_APP)
    assert result.status is Status.OK, [c.message.en for c in result.checks]
    assert [c.check for c in result.checks] == ["token", "phone", "in_waba", "register"]
    assert flow.found.display_phone_number == rig.graph.display_phone_number
    assert flow.found.verified_name == "Fake Shop"
    assert flow.found.quality_rating == "GREEN"
    assert flow.found.code_verification_status == "VERIFIED"
    debug = rig.graph.requests_to("/debug_token")[0]
    assert debug.query["input_token"] == TOKEN
    assert debug.query["access_token"] == f"{DEFAULT_APP_ID}|{DEFAULT_APP_SECRET}"
    assert rig.graph.requests_to("/register") == []  # already registered
    text = all_details(result)
    assert "GET " in text and "HTTP 200" in text
    assert TOKEN not in text and DEFAULT_APP_SECRET not in text and REDACTED in text


@pytest.mark.asyncio
async def test_waba_is_discovered_from_granular_scopes(rig: Rig) -> None:
    flow = rig.flow(waba_id="")
    result = await flow.run_step(StepId.META_APP)
    assert result.ok
    assert check(result, "waba").status is Status.OK
    assert flow.answers.waba_id == DEFAULT_WABA_ID


@pytest.mark.asyncio
async def test_several_wabas_need_a_choice(rig: Rig) -> None:
    rig.graph.token_waba_ids = [DEFAULT_WABA_ID, "999888777666555"]
    result = await rig.flow(waba_id="").run_step(StepId.META_APP)
    failed = result.failed
    assert failed is not None and failed.check == "waba"
    assert "999888777666555" in failed.message.es


@pytest.mark.asyncio
async def test_expired_token(rig: Rig) -> None:
    rig.graph.token_valid = False
    result = await rig.flow().run_step(StepId.META_APP)
    failed = result.failed
    assert failed is not None and failed.check == "token"
    assert "venció" in failed.message.es
    assert failed.fix is not None and "token permanente" in failed.fix.es
    assert "permanent token" in failed.fix.en


@pytest.mark.asyncio
async def test_temporary_token_warns_with_the_permanent_path(rig: Rig) -> None:
    rig.graph.token_expires_at = int(time.time()) + 20 * 3600
    result = await rig.flow().run_step(StepId.META_APP)
    token = check(result, "token")
    assert token.status is Status.WARNING
    assert "24 horas" in token.message.es
    assert token.fix is not None and "Usuarios del sistema" in token.fix.es
    assert result.ok  # a warning does not stop the wizard


@pytest.mark.asyncio
async def test_missing_permission(rig: Rig) -> None:
    rig.graph.token_scopes = ["whatsapp_business_management"]
    result = await rig.flow().run_step(StepId.META_APP)
    failed = result.failed
    assert failed is not None and failed.check == "token"
    assert "whatsapp_business_messaging" in failed.message.es


@pytest.mark.asyncio
async def test_token_of_another_app(rig: Rig) -> None:
    rig.graph.token_app_id = "111111111111111"
    result = await rig.flow().run_step(StepId.META_APP)
    assert result.failed is not None and "otra app" in result.failed.message.es


@pytest.mark.asyncio
async def test_number_not_in_waba(rig: Rig) -> None:
    rig.graph.number_in_waba = False
    result = await rig.flow().run_step(StepId.META_APP)
    failed = result.failed
    assert failed is not None and failed.check == "in_waba"
    assert "no pertenece" in failed.message.es


@pytest.mark.asyncio
async def test_wrong_phone_number_id(rig: Rig) -> None:
    result = await rig.flow(phone_number_id="123123123123123").run_step(StepId.META_APP)
    assert result.failed is not None and result.failed.check == "phone"


@pytest.mark.asyncio
async def test_not_registered_needs_a_pin_then_registers(rig: Rig) -> None:
    rig.graph.registered = False
    flow = rig.flow()
    result = await flow.run_step(StepId.META_APP)
    failed = result.failed
    assert failed is not None and failed.check == "register"
    assert failed.fix is not None and "10 intentos cada 72" in failed.fix.es
    assert rig.graph.requests_to("/register") == []

    flow.answers.pin = "246810"
    result = await flow.run_step(StepId.META_APP)  # the step re-checks alone
    assert check(result, "register").status is Status.OK
    register = rig.graph.requests_to("/register", "POST")
    assert len(register) == 1 and register[0].json == {
        "messaging_product": "whatsapp",
        "pin": "246810",
    }
    assert "246810" not in all_details(result)


@pytest.mark.asyncio
async def test_register_limit_133016(rig: Rig) -> None:
    rig.graph.registered = False
    rig.graph.register_limit = 0
    result = await rig.flow(pin="135790").run_step(StepId.META_APP)
    failed = result.failed
    assert failed is not None and failed.check == "register"
    assert "72 horas" in failed.message.es and failed.fix is not None


@pytest.mark.asyncio
async def test_malformed_form_is_caught_before_any_call(rig: Rig) -> None:
    result = await rig.flow(app_id="abc", pin="12").run_step(StepId.META_APP)
    assert result.failed is not None and result.failed.check == "form"
    assert "app_id" in result.failed.message.es and "pin" in result.failed.message.es
    assert rig.graph.requests == []


# -- public address ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_own_url_self_check_goes_through_the_public_address(rig: Rig) -> None:
    flow = rig.flow()
    result = await flow.run_step(StepId.PUBLIC_ADDRESS)
    assert result.status is Status.OK, [c.message.en for c in result.checks]
    assert check(result, "self_check").status is Status.OK
    assert flow.server is not None and flow.server.handshakes == 1
    assert rig.forward.forwarded and rig.forward.forwarded[0].startswith(
        f"https://{PUBLIC_HOST}/webhook?"
    )
    assert flow.answers.verify_token not in all_details(result)


@pytest.mark.asyncio
async def test_own_url_must_be_https(rig: Rig) -> None:
    result = await rig.flow(public_url="http://tienda.example.com").run_step(StepId.PUBLIC_ADDRESS)
    assert result.failed is not None and result.failed.check == "public_url"


@pytest.mark.asyncio
async def test_public_url_that_reaches_something_else(rig: Rig) -> None:
    flow = rig.flow()
    # The address forwards to a port where nothing listens.
    rig.forward.add(PUBLIC_HOST, lambda: "http://127.0.0.1:9")
    result = await flow.run_step(StepId.PUBLIC_ADDRESS)
    assert result.failed is not None and result.failed.check == "self_check"
    assert result.failed.fix is not None


@pytest.mark.asyncio
async def test_busy_port(rig: Rig) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = await rig.flow(port=taken.getsockname()[1]).run_step(StepId.PUBLIC_ADDRESS)
    assert result.failed is not None and result.failed.check == "local_server"


# -- connect Meta -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_connect_with_app_subscription_reads_the_callback_back(rig: Rig) -> None:
    flow = rig.flow()
    result = await flow.run_step(StepId.CONNECT_META)
    assert result.status is Status.OK, [c.message.en for c in result.checks]
    assert check(result, "first_message").status is Status.SKIPPED
    callback = f"https://{PUBLIC_HOST}/webhook"
    assert rig.graph.subscribed_apps == [DEFAULT_APP_ID]
    assert rig.graph.app_subscription is not None
    assert rig.graph.app_subscription["callback_url"] == callback
    assert rig.graph.app_subscription["verify_token"] == flow.answers.verify_token
    assert rig.graph.effective_callback() == callback
    assert flow.found.effective_callback == callback
    text = all_details(result)
    assert flow.answers.verify_token not in text and DEFAULT_APP_SECRET not in text


@pytest.mark.asyncio
async def test_connect_with_phone_override(rig: Rig) -> None:
    flow = rig.flow(callback_mode="phone")
    result = await flow.run_step(StepId.CONNECT_META)
    assert result.ok, [c.message.en for c in result.checks]
    assert rig.graph.phone_override == f"https://{PUBLIC_HOST}/webhook"
    assert rig.graph.phone_override_verify_token == flow.answers.verify_token
    assert rig.graph.app_subscription is None


@pytest.mark.asyncio
async def test_app_not_subscribed(rig: Rig) -> None:
    rig.graph.subscribe_works = False
    result = await rig.flow().run_step(StepId.CONNECT_META)
    failed = result.failed
    assert failed is not None and failed.check == "subscribed_apps"
    assert "no figura como suscrita" in failed.message.es


@pytest.mark.asyncio
async def test_older_phone_override_wins_over_app_callback(rig: Rig) -> None:
    rig.graph.phone_override = "https://old.example.org/webhook"
    result = await rig.flow().run_step(StepId.CONNECT_META)
    failed = result.failed
    assert failed is not None and failed.check == "callback"
    assert "old.example.org" in failed.message.es


@pytest.mark.asyncio
async def test_message_from_the_phone_arrives(rig: Rig) -> None:
    flow = rig.flow()
    assert (await flow.run_step(StepId.PUBLIC_ADDRESS)).ok
    waiting = asyncio.create_task(flow.run_step(StepId.CONNECT_META, wait_for_message=10))
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
                                "messages": [
                                    {
                                        "from": "5215512345678",
                                        "id": "wamid.X",
                                        "timestamp": "1",
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
        bad = await meta.post(f"http://127.0.0.1:{flow.server.port}/webhook", content=body)
        assert bad.status_code == 401  # unsigned posts do not count
        response = await meta.post(
            f"http://127.0.0.1:{flow.server.port}/webhook",
            content=body,
            headers={"X-Hub-Signature-256": sign(DEFAULT_APP_SECRET, body)},
        )
        assert response.status_code == 200
    result = await waiting
    assert check(result, "first_message").status is Status.OK
    assert "5215512345678" in check(result, "first_message").message.es
    # Done stores everything and sends a test reply to the owner's phone.
    done = await flow.run_step(StepId.DONE)
    assert check(done, "test_reply").status is Status.OK
    [reply] = rig.graph.sent_messages
    assert reply["to"] == "5215512345678" and reply["type"] == "text"


@pytest.mark.asyncio
async def test_no_message_lists_the_likely_causes(rig: Rig) -> None:
    result = await rig.flow().run_step(StepId.CONNECT_META, wait_for_message=0.2)
    failed = result.failed
    assert failed is not None and failed.check == "first_message" and failed.fix is not None
    for cause in ("no está suscrita", "no está registrado", "destinatarios", "521", "549"):
        assert cause in failed.fix.es
    assert "521" in failed.fix.en and "549" in failed.fix.en


@pytest.mark.asyncio
async def test_point_callback_again_after_url_change(rig: Rig) -> None:
    flow = rig.flow()
    assert (await flow.run_step(StepId.CONNECT_META)).ok
    outcome = await point_callback(
        flow.graph,
        mode="app",
        callback_url="https://new-host.example.com/webhook",
        verify_token=flow.answers.verify_token,
        access_token=TOKEN,
        phone_number_id=DEFAULT_PHONE_NUMBER_ID,
        app_id=DEFAULT_APP_ID,
        app_secret=DEFAULT_APP_SECRET,
    )
    assert outcome.effective == "https://new-host.example.com/webhook"
    assert rig.graph.effective_callback() == "https://new-host.example.com/webhook"


# -- commit -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_done_stores_secrets_and_settings(rig: Rig) -> None:
    flow = rig.flow(pin="246810")
    result = await flow.run_step(StepId.DONE)
    assert result.ok
    assert rig.secrets.get(SecretKey.ACCESS_TOKEN) == TOKEN
    assert rig.secrets.get(SecretKey.APP_SECRET) == DEFAULT_APP_SECRET
    assert rig.secrets.get(SecretKey.VERIFY_TOKEN) == flow.answers.verify_token
    assert len(flow.answers.verify_token) >= 24  # generated
    assert rig.secrets.get(SecretKey.PIN) == "246810"
    assert rig.secrets.get(SecretKey.WABA_ID) == DEFAULT_WABA_ID
    # The settings are real declared settings, and none holds a secret.
    Settings().replace(**rig.saved)
    blob = json.dumps(rig.saved, ensure_ascii=False)
    for secret in flow.answers.secret_values():
        assert secret not in blob
    assert rig.saved["meta_app_id"] == DEFAULT_APP_ID
    assert rig.saved["own_public_url"] == f"https://{PUBLIC_HOST}"


@pytest.mark.asyncio
async def test_no_keyring_stores_nothing(rig: Rig) -> None:
    rig.keyring_ok = False
    result = await rig.flow().run_step(StepId.DONE)
    failed = result.failed
    assert failed is not None and failed.check == "keyring"
    assert failed.fix is not None and "gnome-keyring" in failed.fix.es
    assert rig.saved == {}
    assert all(rig.secrets.get(k) is None for k in SecretKey)


@pytest.mark.asyncio
async def test_shop_step_writes_declared_settings(rig: Rig) -> None:
    flow = rig.flow(
        business_hours={"mon": [["09:00", "18:00"]], "sat": [["10:00", "13:00"]]},
        payment_methods="Efectivo y transferencia",
        faq=setup_flow.EXAMPLE_FAQ,
        bot_from_day_one=False,
    )
    assert (await flow.run_step(StepId.SHOP)).ok
    values = setup_flow.shop_settings(flow.answers)
    settings = Settings().replace(**values)
    assert settings.bot_paused is True  # staff first
    assert settings.business_hours["sun"] == []
    assert "Lunes 09:00-18:00" in settings.business_hours_text
    flow.answers.business_hours = {"mon": [["19:00", "09:00"]]}
    assert not (await flow.run_step(StepId.SHOP)).ok


def test_parse_hours() -> None:
    assert setup_flow.parse_hours("09:00-13:00, 16:00-20:00") == [
        ["09:00", "13:00"],
        ["16:00", "20:00"],
    ]
    assert setup_flow.parse_hours("cerrado") == []
    with pytest.raises(ValueError):
        setup_flow.parse_hours("9-13")


# -- the model --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_ollama_absent(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(rig.tmp_path / "empty"))
    result = await rig.flow().run_step(StepId.MODEL)
    failed = result.failed
    assert failed is not None and "no está instalado" in failed.message.es
    assert failed.link == setup_flow.OLLAMA_URL


@pytest.mark.asyncio
async def test_ollama_installed_but_not_running(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = rig.tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "ollama"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = await rig.flow().run_step(StepId.MODEL)
    failed = result.failed
    assert failed is not None and "no está abierto" in failed.message.es
    assert failed.fix is not None and "ollama serve" in failed.fix.es


@pytest.mark.asyncio
async def test_model_ready_answers_test_question_with_explicit_context(
    rig: Rig, ollama: FakeOllama
) -> None:
    flow = rig.flow(ollama_url=ollama.host, model="qwen2.5:3b", num_ctx=8192)
    result = await flow.run_step(StepId.MODEL)
    assert result.status is Status.OK, [c.message.en for c in result.checks]
    assert "Abrimos de 9 a 19" in check(result, "test_question").message.es
    chats = ollama.chat_requests
    assert chats and all(c.get("options", {}).get("num_ctx") == 8192 for c in chats)
    assert chats[0]["messages"] == []  # the warm-up


@pytest.mark.asyncio
async def test_missing_model_is_recommended_then_pulled_with_progress(
    rig: Rig, ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_MODELS", str(rig.tmp_path / "models"))
    ollama.models = []
    flow = rig.flow(ollama_url=ollama.host)
    result = await flow.run_step(StepId.MODEL)
    assert check(result, "model").status is Status.WARNING
    assert flow.answers.model == setup_flow.recommend_model(setup_flow.total_ram_bytes())
    seen: list[PullProgress] = []
    monkeypatch.setattr(setup_flow, "_free_disk", lambda _path: 10**12)
    pulled = await ModelStep.pull(flow, flow.answers.model, seen.append)
    assert pulled.status is Status.OK
    sized = [p for p in seen if p.total]
    assert [p.completed for p in sized] == [0, 2500, 4000]
    assert sized[-1].eta_s == 0 and sized[-1].bytes_per_s > 0
    assert (await flow.run_step(StepId.MODEL)).status is Status.OK


@pytest.mark.asyncio
async def test_pull_error(rig: Rig, ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(setup_flow, "_free_disk", lambda _path: 10**12)
    ollama.pull_error = "pull model manifest: file does not exist"
    result = await ModelStep.pull(rig.flow(ollama_url=ollama.host), "qwen2.5:7b")
    assert result.status is Status.ERROR and "file does not exist" in result.message.es


@pytest.mark.asyncio
async def test_pull_cancel(rig: Rig, ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(setup_flow, "_free_disk", lambda _path: 10**12)
    ollama.chunk_delay = 0.05
    cancel = asyncio.Event()
    result = await ModelStep.pull(
        rig.flow(ollama_url=ollama.host), "qwen2.5:7b", lambda _p: cancel.set(), cancel
    )
    assert result.status is Status.SKIPPED
    assert "qwen2.5:7b" not in ollama.models


@pytest.mark.asyncio
async def test_pull_checks_disk_space_first(
    rig: Rig, ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(setup_flow, "_free_disk", lambda _path: 100_000_000)
    result = await ModelStep.pull(rig.flow(ollama_url=ollama.host), "qwen2.5:7b")
    assert result.status is Status.ERROR and "espacio" in result.message.es
    assert not [r for r in ollama.requests if r.path == "/api/pull"]


def test_recommendation_by_ram() -> None:
    assert setup_flow.recommend_model(4 * 2**30) == "qwen2.5:1.5b"
    assert setup_flow.recommend_model(8 * 2**30) == "qwen2.5:3b"
    assert setup_flow.recommend_model(32 * 2**30) == "qwen2.5:7b"
    assert setup_flow.recommend_model(None) == "qwen2.5:1.5b"


@pytest.mark.asyncio
async def test_welcome_mentions_costs_and_second_number(rig: Rig) -> None:
    step = rig.flow().step(StepId.WELCOME)
    assert "2026-10-01" in step.intro.es and "1000" in step.intro.es
    assert "segundo número" in step.intro.es and "second number" in step.intro.en
    assert "precios actuales" in step.intro.es
    result = await rig.flow().run_step(StepId.WELCOME)
    assert result.ok and check(result, "pricing").link == setup_flow.PRICING_URL


# -- navigation and re-runs -------------------------------------------------------------------


def test_next_and_back_rules() -> None:
    answers = Answers()
    assert setup_flow.next_step(StepId.WELCOME, answers) is StepId.META_APP
    assert setup_flow.next_step(StepId.SHOP, answers) is StepId.DONE
    assert setup_flow.next_step(StepId.DONE, answers) is None
    assert setup_flow.previous_step(StepId.META_APP) is StepId.WELCOME
    assert setup_flow.previous_step(StepId.WELCOME) is None
    answers.practice_mode = True
    assert setup_flow.next_step(StepId.WELCOME, answers) is None  # stay in practice mode


@pytest.mark.asyncio
async def test_can_advance_only_past_soft_failures(rig: Rig) -> None:
    rig.graph.token_valid = False
    assert not setup_flow.can_advance(await rig.flow().run_step(StepId.META_APP))
    assert not setup_flow.can_advance(None)
    # The model may fail (the FAQ answers meanwhile), and so may the phone-message wait.
    assert setup_flow.can_advance(await rig.flow().run_step(StepId.MODEL))
    rig.graph.token_valid = True
    waited = await rig.flow().run_step(StepId.CONNECT_META, wait_for_message=0.05)
    assert waited.failed is not None and setup_flow.can_advance(waited)


@pytest.mark.asyncio
async def test_rerun_is_prefilled_from_what_was_stored(rig: Rig) -> None:
    flow = rig.flow(pin="246810", faq=setup_flow.EXAMPLE_FAQ, bot_from_day_one=False)
    assert (await flow.run_step(StepId.DONE)).ok
    settings = Settings().replace(**rig.saved)
    again = setup_flow.answers_from_stored(rig.secrets, settings)
    for name in ("app_id", "app_secret", "access_token", "phone_number_id", "waba_id", "pin",
                 "verify_token", "public_mode", "public_url", "faq", "bot_from_day_one"):  # fmt: skip
        assert getattr(again, name) == getattr(flow.answers, name), name


# -- the model step with an OpenAI-compatible server ------------------------------------------

LLM_KEY = "hf_wizardFakeKey0123456789"


@pytest.mark.asyncio
async def test_openai_server_off_this_pc_warns_lists_models_answers_and_commits_the_key(
    rig: Rig,
) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    async with FakeOpenAI(api_key=LLM_KEY, reply="Abrimos a las 9.") as fake:
        port = int(fake.base_url.rsplit(":", 1)[1].split("/", 1)[0])
        rig.forward.add("router.example.com", lambda: f"http://127.0.0.1:{port}")
        flow = rig.flow(
            llm_provider="openai",
            openai_base_url="https://router.example.com/v1/",
            openai_model="",
            openai_context_size=16384,
            llm_api_key=LLM_KEY,
        )
        result = await flow.run_step(StepId.MODEL)
        assert [c.check for c in result.checks] == ["privacy", "openai_server", "test_question"]
        privacy = check(result, "privacy")
        assert privacy.status is Status.WARNING and "router.example.com" in privacy.message.es
        assert check(result, "openai_server").status is Status.OK
        assert flow.found.openai_models == ("qwen2.5-3b-instruct",)
        answer = check(result, "test_question")
        assert answer.status is Status.OK and "Abrimos a las 9." in answer.message.es
        assert flow.answers.openai_model == "qwen2.5-3b-instruct"  # the listed one
        assert fake.authorizations == [f"Bearer {LLM_KEY}"] * 2
        assert fake.chat_requests[-1]["model"] == "qwen2.5-3b-instruct"
        assert LLM_KEY not in all_details(result)

        assert (await flow.commit()).status is Status.OK
    assert rig.secrets.get(SecretKey.LLM_API_KEY) == LLM_KEY
    assert rig.saved["llm_provider"] == "openai"
    assert rig.saved["openai_base_url"] == "https://router.example.com/v1"
    assert rig.saved["openai_model"] == "qwen2.5-3b-instruct"
    assert rig.saved["llm_context_size"] == 16384
    assert LLM_KEY not in json.dumps(rig.saved, default=str)
    again = setup_flow.answers_from_stored(rig.secrets, Settings(**rig.saved))
    assert again.llm_provider == "openai" and again.llm_api_key == LLM_KEY
    assert again.openai_model == "qwen2.5-3b-instruct" and again.openai_context_size == 16384
    # Emptying the key field for the same server deletes the stored key (like the PIN).
    flow.answers.llm_api_key = ""
    assert (await flow.commit()).status is Status.OK
    assert rig.secrets.get(SecretKey.LLM_API_KEY) is None


@pytest.mark.asyncio
async def test_openai_server_refusing_the_key_or_absent_is_explained(rig: Rig) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    async with FakeOpenAI(api_key=LLM_KEY) as fake:
        flow = rig.flow(llm_provider="openai", openai_base_url=fake.base_url, llm_api_key="bad")
        result = await flow.run_step(StepId.MODEL)
        refused = check(result, "openai_server")
        assert refused.status is Status.ERROR and "rechazó la clave" in refused.message.es
        assert "privacy" not in [c.check for c in result.checks]  # 127.0.0.1 stays here
        assert not fake.chat_requests
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    flow = rig.flow(llm_provider="openai", openai_base_url=f"127.0.0.1:{closed}/v1")
    result = await flow.run_step(StepId.MODEL)
    absent = check(result, "openai_server")
    assert absent.status is Status.ERROR and "no responde" in absent.message.es
    # Ollama stays the default: the OpenAI settings and the key are left alone.
    ollama = rig.flow()
    assert ollama.settings_to_save()["llm_provider"] == "ollama"
    assert "openai_base_url" not in ollama.settings_to_save()
    assert SecretKey.LLM_API_KEY not in ollama.answers.secrets_to_store()
