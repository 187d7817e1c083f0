"""Voice notes end to end: a real OGG/Opus voice note (espeak-ng + opusenc) is served by the fake
Graph's media endpoints, transcribed by the real faster-whisper with the real tiny.en model, and
what reached the fake Ollama and the fake WhatsApp is checked."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.core.test_bot_brain import (
    chats,
    conversation_id,
    core_for,
    last_user,
    mode_of,
    of_type,
    say,
    subscribe,
    system_of,
    texts,
)
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import idle, message_body, post, wait_for
from tests.voice_audio import audio_message, make_voice_note, test_model_path
from wabot_desktop.core.bot.engine import canned_text
from wabot_desktop.core.bot.rules import Canned
from wabot_desktop.core.dto import ConversationMode
from wabot_desktop.core.events import HandoffRequested, MessageUpdated
from wabot_desktop.core.llm.base import VOICE_NOTE_MARK
from wabot_desktop.core.llm.prompt import VOICE_NOTE_HINT
from wabot_desktop.core.runtime import Core
from wabot_desktop.core.store.models import Message

pytestmark = pytest.mark.asyncio

VOICE = {"voice_model": str(test_model_path()), "voice_cpu_threads": 1}


@pytest.fixture(scope="module")
def voice_note(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_voice_note(tmp_path_factory.mktemp("voice"))


async def send_audio(
    client: httpx.AsyncClient, core: Core, graph: FakeGraph, data: bytes, **kw: Any
) -> str:
    media_id = graph.add_media(data, "audio/ogg")
    message = audio_message(media_id, **kw)
    response = await post(client, core.server_url, message_body([message]))
    assert response.status_code == 200
    return str(message["id"])


def stored_audio(core: Core) -> Message:
    assert core.db is not None
    return core.db.session_run_sync(
        lambda s: s.query(Message).filter(Message.type == "audio").one()
    )


def words(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


async def test_voice_note_is_transcribed_and_answered_once_as_the_customers_words(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    voice_note: bytes,
) -> None:
    async with core_for(tmp_path, graph, ollama, **VOICE) as core:
        events = subscribe(core)
        await send_audio(client, core, graph, voice_note)
        await graph.wait_for_sends(1, timeout=60)
        await idle(core)
        [request] = chats(ollama)
        prompt = last_user(request)
        assert prompt.startswith(VOICE_NOTE_MARK)
        assert "chocolate cake" in words(prompt)
        system = system_of(request)
        assert VOICE_NOTE_HINT["es"] in system and "chocolate" not in system.lower()
        assert texts(graph) == ["¡Hola! Abrimos de 9 a 19 h."]  # the model's reply, once
        row = stored_audio(core)
        assert row.transcript_status == "done"
        assert "chocolate cake" in words(row.transcript or "")
        assert row.handled
        assert of_type(events, MessageUpdated)[0].message_id == row.id
        # The transcript is in the next turn's history too, and staff can search it.
        assert [c.id for c in await core.service.list_conversations(search="chocolate")] == [
            await conversation_id(core)
        ]


async def test_a_burst_of_text_and_voice_note_gets_one_reply_that_saw_both(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    voice_note: bytes,
) -> None:
    # The quiet period is shorter than the transcription: only the wait for it keeps the
    # bot from answering the text before the voice note is understood.
    settings = {**VOICE, "debounce_quiet_s": 0.2, "debounce_max_s": 0.4}
    async with core_for(tmp_path, graph, ollama, **settings) as core:
        await say(client, core, "Hola, una consulta")
        await send_audio(client, core, graph, voice_note)
        await graph.wait_for_sends(1, timeout=60)
        await idle(core)
        [request] = chats(ollama)
        prompt = last_user(request)
        first, second = prompt.split("\n", 1)
        assert first == "Hola, una consulta"
        assert second.startswith(VOICE_NOTE_MARK) and "chocolate cake" in words(second)
        assert len(graph.sent_messages) == 1


async def test_audio_longer_than_the_limit_gets_the_handoff(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    voice_note: bytes,
) -> None:
    async with core_for(tmp_path, graph, ollama, **VOICE, voice_max_seconds=1.0) as core:
        events = subscribe(core)
        await send_audio(client, core, graph, voice_note)
        await graph.wait_for_sends(1, timeout=60)
        await idle(core)
        assert texts(graph) == [canned_text(Canned.HANDOFF, core.settings)]
        assert chats(ollama) == []
        assert await mode_of(core) is ConversationMode.NEEDS_HUMAN
        assert len(of_type(events, HandoffRequested)) == 1
        assert stored_audio(core).transcript_status == "too_long"


@pytest.mark.parametrize(
    ("fallback", "expected"), [("reply", Canned.MEDIA_UNREADABLE), ("handoff", Canned.HANDOFF)]
)
async def test_a_corrupt_ogg_falls_back_as_the_owner_chose_and_is_logged(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    fallback: str,
    expected: Canned,
) -> None:
    corrupt = b"OggS\x00\x02" + bytes(range(256)) * 20
    async with core_for(tmp_path, graph, ollama, **VOICE, voice_fallback=fallback) as core:
        with caplog.at_level(logging.WARNING, logger="wabot_desktop.core.voice"):
            await send_audio(client, core, graph, corrupt)
            await graph.wait_for_sends(1, timeout=60)
            await idle(core)
        assert texts(graph) == [canned_text(expected, core.settings)]
        assert chats(ollama) == []
        assert stored_audio(core).transcript_status == "failed"
        assert any("not transcribed" in r.getMessage() for r in caplog.records)


async def test_voice_model_off_keeps_todays_behaviour(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    voice_note: bytes,
) -> None:
    async with core_for(tmp_path, graph, ollama, voice_model="off") as core:
        await send_audio(client, core, graph, voice_note)
        await graph.wait_for_sends(1, timeout=10)
        await idle(core)
        assert texts(graph) == [canned_text(Canned.MEDIA_UNREADABLE, core.settings)]
        assert stored_audio(core).transcript_status == "off"
        assert graph.media  # never downloaded: nothing is asked of Graph for it
        assert not [r for r in graph.requests if "/media-bin/" in r.path]


async def test_a_named_model_not_downloaded_falls_back_without_stopping_anything(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    voice_note: bytes,
) -> None:
    # "base" is not in the models folder and there is no network: the first voice note starts
    # a download in the background (it fails offline) and gets today's answer meanwhile.
    async with core_for(tmp_path, graph, ollama, voice_model="base") as core:
        await send_audio(client, core, graph, voice_note)
        await graph.wait_for_sends(1, timeout=20)
        await idle(core)
        assert texts(graph) == [canned_text(Canned.MEDIA_UNREADABLE, core.settings)]
        assert stored_audio(core).transcript_status == "failed"
        await say(client, core, "¿Y medialunas?")
        await graph.wait_for_sends(2, timeout=10)
        await wait_for(lambda: len(chats(ollama)) == 1, what="text still answered")


async def test_the_settings_download_fails_cleanly_offline_and_the_core_keeps_running(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    from wabot_desktop.core.voice import ModelUnavailableError

    async with core_for(tmp_path, graph, ollama) as core:
        assert core.voice is not None
        seen: list[int] = []
        with pytest.raises(ModelUnavailableError):
            await core.voice.download("base", progress=lambda done, _total: seen.append(done))
        await say(client, core, "Hola")
        await graph.wait_for_sends(1)


async def test_start_up_transcribes_a_stored_voice_note_before_the_bot_recovers_it(
    tmp_path: Path,
    graph: FakeGraph,
    ollama: FakeOllama,
    client: httpx.AsyncClient,
    voice_note: bytes,
) -> None:
    from sqlalchemy import update

    async with core_for(tmp_path, graph, ollama, voice_model="off") as core:
        await send_audio(client, core, graph, voice_note)
        await graph.wait_for_sends(1, timeout=10)
        await idle(core)
        assert core.db is not None
        # As if the app had stopped right after storing it: undecided, never transcribed.
        core.db.session_run_sync(
            lambda s: s.execute(
                update(Message)
                .where(Message.type == "audio")
                .values(handled=False, transcript=None, transcript_status=None)
            )
        )
    async with core_for(tmp_path, graph, ollama, **VOICE) as core:
        await graph.wait_for_sends(2, timeout=60)
        await idle(core)
        [request] = chats(ollama)
        assert "chocolate cake" in words(last_user(request))
        assert stored_audio(core).transcript_status == "done"
