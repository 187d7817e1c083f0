"""BotService's calls for the settings pages: the model server, its key, the voice model, and
spoken handoff keywords (a transcribed voice note asking for a person is handed off)."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path

import httpx
import pytest

from tests.core.test_bot_brain import chats, core_for, idle, mode_of, subscribe, texts
from tests.core.test_rules import msg, state
from tests.core.test_voice_bot import send_audio
from tests.fakes.graph import FakeGraph
from tests.fakes.hf_hub import FakeHub
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.voice_audio import make_voice_note, test_model_path
from wabot_desktop.core.bot.engine import canned_text
from wabot_desktop.core.bot.rules import Action, Canned, HandoffReason, decide
from wabot_desktop.core.dto import ConversationMode
from wabot_desktop.core.events import BotPauseChanged
from wabot_desktop.core.knowledge import store as knowledge_store
from wabot_desktop.core.knowledge.store import VersionInfo
from wabot_desktop.core.llm.base import LlmResponseError, LlmUnavailableError
from wabot_desktop.core.llm.openai_provider import OpenAIProvider
from wabot_desktop.core.secrets import SecretKey
from wabot_desktop.core.service import LlmServerSettings
from wabot_desktop.core.settings import Settings, save_settings
from wabot_desktop.core.voice.models import ModelDownloadCancelled, ModelUnavailableError

NOW = 1_800_000_000.0


# -- spoken handoff keywords (rules) ------------------------------------------------------------


def test_a_transcribed_voice_note_asking_for_a_person_is_handed_off() -> None:
    spoken = msg("Quiero hablar con una persona, por favor", type="audio", transcript_status="done")
    decision = decide(state(spoken), Settings(), spoken.created_at + 1, paused=False)
    assert decision.action is Action.CANNED and decision.canned is Canned.HANDOFF
    assert decision.handoff_reason is HandoffReason.CUSTOMER_REQUEST
    assert decision.new_mode is ConversationMode.NEEDS_HUMAN


def test_audio_without_a_finished_transcript_is_not_read_for_keywords() -> None:
    # A caption-like text on an audio that was not transcribed (failed/off) is not the
    # customer's words: only a done transcript counts.
    for status in (None, "failed", "off", "too_long"):
        audio = msg("persona", type="audio", transcript_status=status)
        decision = decide(state(audio), Settings(), audio.created_at + 1, paused=False)
        assert decision.handoff_reason is not HandoffReason.CUSTOMER_REQUEST, status


@pytest.mark.asyncio
async def test_a_voice_note_saying_the_handoff_words_hands_off_like_typed_text(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    # tiny.en hears English: the owner's keyword list is in English for this shop.
    note = make_voice_note(tmp_path / "audio", "I want to talk to a person, please.")
    settings = {
        "voice_model": str(test_model_path()),
        "voice_cpu_threads": 1,
        "handoff_keywords": ("person",),
    }
    async with core_for(tmp_path, graph, ollama, **settings) as core:
        await send_audio(client, core, graph, note)
        await graph.wait_for_sends(1, timeout=60)
        await idle(core)
        assert texts(graph) == [canned_text(Canned.HANDOFF, core.settings)]
        assert chats(ollama) == []
        assert await mode_of(core) is ConversationMode.NEEDS_HUMAN


# -- model server ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_settings_switch_the_server_and_list_models_on_both_kinds(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    async with (
        FakeOpenAI(api_key="sk-list-0001", models=("m-uno", "m-dos")) as fake,
        core_for(tmp_path, graph, ollama) as core,
    ):
        service = core.service
        assert [p.id for p in service.llm_presets()][:2] == ["lmstudio", "llamacpp"]
        server = await service.llm_server()
        assert server.provider == "ollama" and server.ollama_host == ollama.host
        assert await service.list_llm_models("ollama", ollama.host) == ["qwen2.5:3b"]
        with pytest.raises(LlmResponseError):  # 401 without the key
            await service.list_llm_models("openai", fake.base_url)
        assert await service.list_llm_models("openai", fake.base_url, api_key="sk-list-0001") == [
            "m-uno",
            "m-dos",
        ]
        with pytest.raises(LlmUnavailableError):
            await service.list_llm_models("openai", "http://127.0.0.1:9/v1")
        with pytest.raises(ValueError):
            await service.list_llm_models("gemini", fake.base_url)

        assert not await service.llm_api_key_stored()
        await service.set_llm_api_key("  sk-list-0001 ")
        assert await service.llm_api_key_stored()
        assert core.secrets.get(SecretKey.LLM_API_KEY) == "sk-list-0001"
        # The stored key is used when the page asks without one.
        assert await service.list_llm_models("openai", fake.base_url) == ["m-uno", "m-dos"]

        await service.set_llm_server(
            LlmServerSettings(
                provider="openai",
                ollama_host=ollama.host,
                ollama_model="qwen2.5:3b",
                openai_base_url=fake.base_url.removeprefix("http://") + "/",
                openai_model="m-dos",
                context_size=2048,
            )
        )
        assert isinstance(core.llm, OpenAIProvider) and core.llm.model == "m-dos"
        assert core.llm.base_url == fake.base_url and core.llm.context_size == 2048
        assert core.llm.has_key
        assert (await service.llm_server()).openai_base_url == fake.base_url
        with pytest.raises(ValueError):
            await service.set_llm_server(dataclass_replace(server, provider="x"))
        with pytest.raises(ValueError):
            await service.set_llm_server(dataclass_replace(server, context_size=-1))

        await service.set_llm_api_key("")
        assert not await service.llm_api_key_stored()
        assert core.llm is not None and not core.llm.has_key  # type: ignore[attr-defined]


def dataclass_replace(server: LlmServerSettings, **changes: object) -> LlmServerSettings:
    import dataclasses

    return dataclasses.replace(server, **changes)  # type: ignore[arg-type]


# -- voice model ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_voice_model_download_reports_bytes_and_cancels(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    repos = {
        "Systran/faster-whisper-base": test_model_path(),
        "Systran/faster-whisper-small": test_model_path(),
    }
    async with (
        FakeHub(repos, chunk_size=64 * 1024) as hub,
        core_for(tmp_path, graph, ollama) as core,
    ):
        assert core.voice is not None
        core.voice.download_endpoint = hub.base_url
        service = core.service
        infos = service.voice_models()
        assert [i.name for i in infos] == ["base", "small", "large-v3-turbo"]
        assert not any(i.downloaded for i in infos)
        assert service.recommended_voice_model() in ("base", "small", "large-v3-turbo")
        assert service.is_voice_model_folder(test_model_path())
        assert not service.is_voice_model_folder(tmp_path)

        total = sum(p.stat().st_size for p in test_model_path().iterdir())
        seen: list[tuple[int, int | None]] = []
        path = await service.download_voice_model("base", progress=lambda d, t: seen.append((d, t)))
        assert seen[-1] == (total, total)  # counted once, not once per progress bar
        assert service.is_voice_model_folder(path)

        hub.chunk_delay = 0.01
        seen.clear()
        cancel = threading.Event()

        def progress(done: int, total: int | None) -> None:
            seen.append((done, total))
            if done > 1024 * 1024:
                cancel.set()

        with pytest.raises(ModelDownloadCancelled):
            await service.download_voice_model("small", progress=progress, cancel=cancel)
        assert seen and seen[-1][0] < total
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # bytes only grow
        assert "Systran/faster-whisper-small/model.bin" in hub.downloads
        assert [i.name for i in service.voice_models() if i.downloaded] == ["base"]

        # Again: huggingface_hub resumes the partial file; the bar still ends at 100 %.
        hub.chunk_delay = 0.0
        seen.clear()
        await service.download_voice_model("small", progress=lambda d, t: seen.append((d, t)))
        assert seen[-1][0] == seen[-1][1]
        assert [i.name for i in service.voice_models() if i.downloaded] == ["base", "small"]
        with pytest.raises(ModelUnavailableError):
            await service.download_voice_model("medium")


# -- settings saved by another PC (PostgreSQL's SettingsChanged; the reload itself) -------------


@pytest.mark.asyncio
async def test_a_reload_takes_what_another_pc_saved_never_an_older_version_and_stops_at_close(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama
) -> None:
    async with core_for(tmp_path, graph, ollama) as core:
        service = core.service
        events = subscribe(core)
        draft = await service.knowledge_draft()
        await service.save_knowledge(draft, "one")
        # Another PC (rows written past this service): a newer version, and the pause on.
        newer = dataclasses.replace(draft, prompt="Responde en una sola frase.")
        info = await core.db.session_run(knowledge_store.save_version, newer, "two", NOW)
        await core.db.session_run(lambda s: save_settings(s, bot_paused=True))
        await service.reload_settings()
        assert service.knowledge.version == info and service.knowledge.knowledge == newer
        assert service.is_paused() and BotPauseChanged(paused=True) in events
        # A read that began before this PC's own save returns the version before it: kept.
        mine = VersionInfo(info.id + 1, NOW, "this PC's save")
        service.knowledge.activate(draft, mine)
        await service.reload_settings()
        assert service.knowledge.version == mine
        assert events.count(BotPauseChanged(paused=True)) == 1  # unchanged: not published again
        # Stopping: no reload starts any more.
        await service.aclose()
        service.reload_settings_soon()
        running = [t for t in asyncio.all_tasks() if t.get_name() == "settings-reload"]
        assert running == []
