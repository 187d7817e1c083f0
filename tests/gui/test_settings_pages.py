"""The settings pages of the model server and of voice notes, against the real core.

The model-server page switches the running bot to the fake OpenAI-compatible server (the next
customer turn is answered by it, with the key from the keyring, which never lands in a file or a
log); the voice page picks a folder model, and downloads a named one from a fake Hugging Face Hub
on 127.0.0.1 with a real progress bar and Cancel.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tests.fakes.hf_hub import FakeHub
from tests.fakes.openai_server import FakeOpenAI
from tests.gui.helpers import GuiEnv, running_core, until
from tests.voice_audio import test_model_path
from wabot_desktop.core.secrets import SecretKey
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.asyncio

CUSTOMER = "5215512345678"
API_KEY = "sk-wabot-test-key-4e1f9c"


async def open_dialog(qtbot: QtBot, env: GuiEnv) -> SettingsDialog:
    dialog = SettingsDialog(env.service)
    qtbot.addWidget(dialog)
    dialog.resize(900, 700)
    dialog.show()
    await dialog._load()
    return dialog


def bot_sends(env: GuiEnv) -> list[str]:
    return [m["text"]["body"] for m in env.graph.sent_messages if m.get("type") == "text"]


async def test_switching_to_an_openai_server_in_settings_answers_the_next_turn(
    qtbot: QtBot,
    tmp_path: Path,
    spanish: Translators,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    async with (
        running_core(data_dir, reply="Respuesta de Ollama.") as env,
        FakeOpenAI(api_key=API_KEY, reply="Respuesta del servidor OpenAI.") as fake,
    ):
        await env.customer_says(CUSTOMER, "Ana Ruiz", "Hola")
        await until(lambda: bot_sends(env) == ["Respuesta de Ollama."], what="ollama reply")

        dialog = await open_dialog(qtbot, env)
        page = dialog.llm_page
        dialog.tabs.setCurrentWidget(page)
        assert page.provider_combo.currentData() == "ollama"
        assert page.url_edit.text() == env.ollama.host
        await until(lambda: page.refresh_task is not None and page.refresh_task.done())
        assert page.model_combo.currentText() == "qwen2.5:3b"
        assert page.models_status.text() == "1 modelo en el servidor."
        assert not page.key_status.isVisible()  # Ollama takes no key

        page.provider_combo.setCurrentIndex(page.provider_combo.findData("openai"))
        assert page.key_status.isVisible() and page.preset_combo.isVisible()
        assert page.key_status.text() == "No hay ninguna clave guardada."
        assert not page.delete_key_button.isEnabled()
        page.url_edit.setText(fake.base_url)
        assert page.preset_combo.currentData() == ""  # "another server"
        assert page.privacy_label.isHidden()  # 127.0.0.1 stays on this PC
        for label in (page.privacy_label, page.models_status, page.key_status):
            assert label.textFormat() == Qt.TextFormat.PlainText  # server/host texts, never HTML
        page.refresh_button.click()
        await until(lambda: "error" in page.models_status.text(), what="401 shown")

        page.key_edit.setText(API_KEY)
        page.store_key_button.click()
        await until(
            lambda: page.key_status.text() == "Hay una clave guardada en el llavero del sistema.",
            what="key stored",
        )
        assert page.key_edit.text() == ""
        assert page.store_key_button.text() == "Reemplazar la clave"
        assert page.delete_key_button.isEnabled()
        assert env.core.secrets.get(SecretKey.LLM_API_KEY) == API_KEY
        await until(
            lambda: page.model_combo.currentText() == "qwen2.5-3b-instruct", what="models listed"
        )
        page.context_spin.setValue(4096)

        dialog.save_button.click()
        await until(lambda: dialog.result() == QDialog.DialogCode.Accepted, what="saved")
        settings = env.core.settings
        assert settings.llm_provider == "openai" and settings.openai_base_url == fake.base_url
        assert settings.openai_model == "qwen2.5-3b-instruct" and settings.llm_context_size == 4096

        # No restart: the next customer turn goes to the new server, with the key.
        await env.customer_says(CUSTOMER, "Ana Ruiz", "¿Tienen envíos?")
        await until(lambda: len(bot_sends(env)) == 2, timeout=15, what="second reply")
        assert bot_sends(env)[1] == "Respuesta del servidor OpenAI."
        ollama_turns = [r for r in env.ollama.chat_requests if r["messages"]]  # not warm-ups
        assert len(fake.chat_requests) == 1 and len(ollama_turns) == 1
        assert fake.authorizations[-1] == f"Bearer {API_KEY}"
        health = await env.service.health()
        assert health.llm_provider == "openai" and health.llm_privacy_warning is None

        # Delete the key again from the page.
        dialog = await open_dialog(qtbot, env)
        assert dialog.llm_page.provider_combo.currentData() == "openai"
        dialog.llm_page.delete_key_button.click()
        await until(
            lambda: dialog.llm_page.key_status.text() == "No hay ninguna clave guardada.",
            what="key deleted",
        )
        assert env.core.secrets.get(SecretKey.LLM_API_KEY) is None
        dialog.reject()
    # The key never reached a file of the profile (database, settings, logs) nor a log record.
    assert caplog.records
    assert all(API_KEY not in record.getMessage() for record in caplog.records)
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files)
    for path in files:
        assert API_KEY.encode() not in path.read_bytes(), path


async def test_a_server_off_this_pc_shows_the_spanish_privacy_warning(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with running_core(tmp_path / "data") as env:
        dialog = await open_dialog(qtbot, env)
        page = dialog.llm_page
        dialog.tabs.setCurrentWidget(page)
        page.provider_combo.setCurrentIndex(page.provider_combo.findData("openai"))
        index = page.preset_combo.findData("huggingface")
        page.preset_combo.setCurrentIndex(index)
        page.preset_combo.activated.emit(index)
        assert page.url_edit.text() == "https://router.huggingface.co/v1"
        await until(lambda: page.privacy_label.isVisible(), what="warning")
        assert page.privacy_label.text().startswith(
            "Las conversaciones salen de esta PC hacia router.huggingface.co"
        )
        assert "necesita una clave" in page.key_help.text()
        # A LAN address: the owner may confirm it is theirs, and the warning goes.
        page.preset_combo.setCurrentIndex(page.preset_combo.findData(""))
        page.url_edit.setText("http://192.168.1.20:1234/v1")
        await until(lambda: page.confirm_lan_check.isVisible(), what="LAN checkbox")
        assert "192.168.1.20" in page.privacy_label.text()
        page.confirm_lan_check.setChecked(True)
        assert page.privacy_label.isHidden()
        # Local presets: back on this PC, no warning.
        index = page.preset_combo.findData("lmstudio")
        page.preset_combo.setCurrentIndex(index)
        page.preset_combo.activated.emit(index)
        assert page.url_edit.text() == "http://127.0.0.1:1234/v1"
        await until(lambda: page.privacy_label.isHidden() and page.confirm_lan_check.isHidden())
        dialog.reject()


async def test_a_folder_model_is_picked_and_saved_with_the_voice_settings(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with running_core(tmp_path / "data") as env:
        dialog = await open_dialog(qtbot, env)
        page = dialog.voice_page
        dialog.tabs.setCurrentWidget(page)
        picker = page.picker
        assert picker.value() == "small"  # the default
        recommended = env.service.recommended_voice_model()
        labels = [picker.combo.itemText(i) for i in range(picker.combo.count())]
        assert [t for t in labels if "recomendado para esta PC" in t] == [
            labels[picker.combo.findData(recommended)]
        ]
        assert picker.download_button.isVisible()  # not on this PC yet
        assert "Todavía no está en esta PC" in picker.status.text()

        picker.select(str(tmp_path / "nothing-here"))
        assert picker.folder_edit.isVisible() and not picker.is_valid()
        assert "no tiene un modelo de voz" in picker.status.text()
        dialog.save_button.click()
        await until(lambda: dialog.tabs.currentWidget() is page, what="page shown")
        assert dialog.isVisible() and env.core.settings.voice_model == "small"  # not saved

        picker.folder_edit.setText(str(test_model_path()))
        assert picker.is_valid() and picker.status.text() == (
            "La carpeta tiene un modelo de voz: listo."
        )
        page.cpu_spin.setValue(1)
        page.length_spin.setValue(60)
        page.handoff_radio.setChecked(True)
        dialog.save_button.click()
        await until(lambda: dialog.result() == QDialog.DialogCode.Accepted, what="saved")
        settings = env.core.settings
        assert settings.voice_model == str(test_model_path())
        assert settings.voice_cpu_threads == 1 and settings.voice_max_seconds == 60.0
        assert settings.voice_fallback == "handoff"

        dialog = await open_dialog(qtbot, env)
        assert dialog.voice_page.picker.combo.currentData() == "\x00folder"
        assert dialog.voice_page.picker.folder_edit.text() == str(test_model_path())
        assert dialog.voice_page.handoff_radio.isChecked()
        dialog.reject()


async def test_a_named_model_downloads_with_progress_and_cancel(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    repos = {"Systran/faster-whisper-base": test_model_path()}
    # Slow enough that Cancel lands half-way: 64 KiB every 20 ms (tiny.en is 75 MB).
    async with (
        running_core(tmp_path / "data") as env,
        FakeHub(repos, chunk_size=64 * 1024, chunk_delay=0.02) as hub,
    ):
        assert env.core.voice is not None
        env.core.voice.download_endpoint = hub.base_url
        dialog = await open_dialog(qtbot, env)
        picker = dialog.voice_page.picker
        dialog.tabs.setCurrentWidget(dialog.voice_page)
        picker.select("base")
        assert picker.download_button.isVisible()
        picker.download_button.click()
        assert picker.downloading and picker.cancel_button.isVisible()
        assert not picker.combo.isEnabled()
        await until(lambda: picker.progress.value() > 0, timeout=20, what="progress")
        assert " MB de " in picker.progress_label.text() and "MB/s" in picker.progress_label.text()
        done_before = picker.progress.value()
        picker.cancel_button.click()
        task = picker.download_task
        assert task is not None
        await asyncio.wait_for(asyncio.shield(task), 20)
        assert picker.progress_label.text() == "Descarga cancelada."
        assert picker.progress.isHidden() and picker.cancel_button.isHidden()
        assert picker.download_button.isVisible() and picker.combo.isEnabled()
        assert done_before < 1000
        assert not any(m.downloaded for m in env.service.voice_models())
        assert "Systran/faster-whisper-base/model.bin" in hub.downloads

        # Again at full speed: it completes and the model is ready on this PC.
        hub.chunk_size, hub.chunk_delay = 1024 * 1024, 0.0
        finished: list[bool] = []
        picker.download_finished.connect(finished.append)
        picker.download_button.click()
        await until(lambda: finished, timeout=60, what="download end")
        assert finished == [True]
        assert picker.progress_label.text() == "Descarga completa."
        assert picker.status.text() == "Descargado: listo en esta PC."
        assert picker.download_button.isHidden()
        assert [m.name for m in env.service.voice_models() if m.downloaded] == ["base"]
        dialog.reject()


async def test_a_failed_download_says_so_and_the_app_keeps_running(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with running_core(tmp_path / "data") as env, FakeHub({}) as hub:
        assert env.core.voice is not None
        env.core.voice.download_endpoint = hub.base_url  # the hub knows no such repository
        dialog = await open_dialog(qtbot, env)
        picker = dialog.voice_page.picker
        dialog.tabs.setCurrentWidget(dialog.voice_page)
        picker.select("small")
        finished: list[bool] = []
        picker.download_finished.connect(finished.append)
        picker.download_button.click()
        await until(lambda: finished, timeout=30, what="download end")
        assert finished == [False]
        assert picker.progress_label.text().startswith("La descarga falló")
        assert picker.download_button.isVisible()
        await env.customer_says(CUSTOMER, "Ana Ruiz", "Hola")
        await until(lambda: len(env.graph.sent_messages) == 1, what="bot still answers")
        dialog.reject()
