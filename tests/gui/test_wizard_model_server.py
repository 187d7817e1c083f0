"""The wizard's model step: an OpenAI-compatible server with a key, and the voice-model picker.

The wizard runs over the live profile's answers (as the main window opens it), against the fake
OpenAI-compatible server on 127.0.0.1; what it saves goes through the running core's facade, so
the next customer turn shows that Settings and the core see the wizard's choice.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from tests.fakes.openai_server import FakeOpenAI
from tests.gui.helpers import GuiEnv, running_core, until
from tests.voice_audio import test_model_path
from wabot_desktop.core.secrets import SecretKey
from wabot_desktop.core.setup_flow import (
    REDACTED,
    SetupFlow,
    Status,
    StepId,
    StepResult,
    answers_from_stored,
)
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.wizard import SetupWizard
from wabot_desktop.gui.wizard.pages import ModelPage, ShopPage

pytestmark = pytest.mark.asyncio

API_KEY = "sk-wabot-wizard-key-7c2d1a"
CUSTOMER = "5215512345678"
SIZE = (1366, 768)


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """As in test_wizard.py: free the widgets and loops on the GUI thread."""
    yield
    gc.collect()


def bot_sends(env: GuiEnv) -> list[str]:
    return [m["text"]["body"] for m in env.graph.sent_messages if m.get("type") == "text"]


def live_flow(env: GuiEnv, http: httpx.AsyncClient) -> SetupFlow:
    """A flow pre-filled from the running profile, saving through the core (as a re-run)."""

    async def save(values: dict[str, Any]) -> None:
        await env.service.update_settings(**values)

    return SetupFlow(
        secrets=env.core.secrets,
        save_settings=save,
        graph_url=env.graph.base_url,
        ollama_url=env.ollama.host,
        ngrok_config=env.core.config.paths.ngrok_dir / "ngrok.yml",
        http=http,
        keyring_usable=lambda: True,
        answers=answers_from_stored(env.core.secrets, env.core.settings),
    )


async def next_check(wizard: SetupWizard, results: list[StepResult]) -> StepResult:
    count = len(results)
    wizard.next_button.click()
    await until(
        lambda: len(results) > count and wizard._running is None,
        timeout=30,
        what=lambda: f"a check of {wizard.current}",
    )
    await asyncio.sleep(0.05)  # advance() moves on after the check
    return results[-1]


async def test_wizard_sets_an_openai_server_with_a_key_and_the_voice_model(
    qtbot: QtBot,
    tmp_path: Path,
    spanish: Translators,
    screenshot_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    async with (
        running_core(data_dir, reply="Respuesta de Ollama.") as env,
        FakeOpenAI(api_key=API_KEY, reply="Respuesta del servidor OpenAI.") as fake,
        httpx.AsyncClient() as http,
    ):
        flow = live_flow(env, http)
        wizard = SetupWizard(flow, start_at=StepId.MODEL, language="es", service=env.service)
        qtbot.addWidget(wizard)
        wizard.resize(*SIZE)
        wizard.show()
        results: list[StepResult] = []
        wizard.checked.connect(results.append)
        page = wizard.pages[StepId.MODEL]
        assert isinstance(page, ModelPage)
        assert page.ollama_radio.isChecked() and page.openai_box.isHidden()
        assert page.voice_picker is not None and page.voice_picker.value() == "small"
        await asyncio.sleep(0.1)
        wizard.grab().save(str(screenshot_dir / "wizard_model_ollama_voice_es.png"))

        page.openai_radio.setChecked(True)
        assert page.openai_box.isVisible() and not page.ram_label.isVisible()
        assert not page.model_combo.isVisible()  # Ollama's rows are hidden
        assert not any(b.isVisible() for b in page.link_buttons)  # "Descargar Ollama"
        page.url_edit.setText("https://router.huggingface.co/v1")
        assert page.preset_combo.currentData() == "huggingface"
        assert page.privacy_label.isVisible()
        assert "router.huggingface.co" in page.privacy_label.text()
        page.url_edit.setText(fake.base_url)
        assert page.preset_combo.currentData() == ""  # "another server"
        assert page.privacy_label.isHidden()  # 127.0.0.1 stays on this PC

        # Without the key the server refuses the list; with it, the models come.
        page.refresh_button.click()
        await until(lambda: page.models_task is not None and page.models_task.done())
        assert page.models_status.text() == "El servidor rechazó la clave de API."
        page.key_edit.setText(API_KEY)
        page.refresh_button.click()
        await until(
            lambda: page.openai_model_combo.currentText() == "qwen2.5-3b-instruct",
            what="models listed",
        )
        page.openai_ctx_spin.setValue(4096)
        page.voice_picker.select(str(test_model_path()))
        assert page.voice_picker.is_valid()
        wizard.go_to(StepId.MODEL)
        await asyncio.sleep(0.1)
        wizard.grab().save(str(screenshot_dir / "wizard_model_openai_es.png"))

        model = await next_check(wizard, results)
        checks = {c.check: c for c in model.checks}
        assert checks["openai_server"].status is Status.OK
        assert checks["test_question"].status is Status.OK
        assert "Respuesta del servidor OpenAI." in checks["test_question"].message.es
        assert "privacy" not in checks
        details = "\n".join(e.as_text() for c in model.checks for e in c.details)
        assert API_KEY not in details
        assert fake.authorizations[-1] == f"Bearer {API_KEY}"
        assert wizard.current is StepId.SHOP
        shop = wizard.pages[StepId.SHOP]
        assert isinstance(shop, ShopPage)
        shop.widgets["business_name"].setText("Ferretería Don Pepe")  # type: ignore[attr-defined]
        await next_check(wizard, results)
        assert wizard.current is StepId.DONE
        assert env.core.secrets.get(SecretKey.LLM_API_KEY) is None  # nothing stored before
        done = await next_check(wizard, results)
        assert done.ok, [c.message.es for c in done.checks]
        await until(lambda: wizard.went_live, what="finished")
        await wizard.wait_closed()

        # The keyring holds the key; the settings hold what the settings dialog shows.
        assert env.core.secrets.get(SecretKey.LLM_API_KEY) == API_KEY
        settings = env.core.settings
        assert settings.llm_provider == "openai" and settings.openai_base_url == fake.base_url
        assert settings.openai_model == "qwen2.5-3b-instruct" and settings.llm_context_size == 4096
        assert settings.voice_model == str(test_model_path())
        server = await env.service.llm_server()
        assert server.provider == "openai" and server.openai_model == "qwen2.5-3b-instruct"
        assert await env.service.llm_api_key_stored()

        # The running core's next customer turn goes to that server, with that key.
        chats = len(fake.chat_requests)
        await env.customer_says(CUSTOMER, "Ana Ruiz", "¿Tienen envíos?")
        await until(lambda: len(bot_sends(env)) == 1, timeout=15, what="the reply")
        assert bot_sends(env) == ["Respuesta del servidor OpenAI."]
        assert len(fake.chat_requests) == chats + 1
        assert fake.chat_requests[-1]["model"] == "qwen2.5-3b-instruct"
        assert fake.authorizations[-1] == f"Bearer {API_KEY}"
        wizard.deleteLater()
        await asyncio.sleep(0.05)
    assert REDACTED  # the flow's records use it; the key itself is never logged:
    assert all(API_KEY not in record.getMessage() for record in caplog.records)
    for path in (p for p in data_dir.rglob("*") if p.is_file()):
        assert API_KEY.encode() not in path.read_bytes(), path


async def test_wizard_without_a_core_hides_the_voice_picker_and_keeps_ollama(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with running_core(tmp_path / "data") as env, httpx.AsyncClient() as http:
        flow = live_flow(env, http)
        wizard = SetupWizard(flow, start_at=StepId.MODEL, language="es")
        qtbot.addWidget(wizard)
        wizard.resize(*SIZE)
        wizard.show()
        page = wizard.pages[StepId.MODEL]
        assert isinstance(page, ModelPage)
        assert page.voice_picker is None
        assert page.ollama_radio.isChecked() and page.model_combo.isVisible()
        page.store()
        values = flow.settings_to_save()
        assert values["llm_provider"] == "ollama" and "openai_base_url" not in values
        assert flow.answers.secrets_to_store().get(SecretKey.LLM_API_KEY) is None
        wizard.reject()
        await wizard.wait_closed()
        wizard.deleteLater()
        await asyncio.sleep(0.05)
        await flow.aclose()
