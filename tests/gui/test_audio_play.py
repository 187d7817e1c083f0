"""The audio card's play button: it plays the voice note where the platform can (QtMultimedia
from PySide6-Addons, OGG/Opus through its FFmpeg backend), and is hidden where it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from tests.gui.helpers import inbound, until, voice
from tests.gui.test_monitor_live import Harness, open_window
from tests.voice_audio import make_voice_note
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.monitor import audio_player
from wabot_desktop.gui.monitor.bubble_delegate import BubbleLayout

pytestmark = pytest.mark.asyncio


def audio_card(harness: Harness) -> tuple[int, BubbleLayout]:
    model = harness.conversation.model
    view = harness.conversation.view.message_list
    for row, message_id in enumerate(model.ids()):
        message = model.message(message_id)
        if message is not None and message.type == "audio":
            index = model.index(row, 0)
            option = QStyleOptionViewItem()
            option.initFrom(view)
            option.widget = view
            option.rect = view.visualRect(index)
            layout = harness.conversation.delegate.layout_for(option, index)
            assert layout is not None and layout.card is not None
            return message_id, layout
    raise AssertionError("no audio bubble")


async def a_voice_note_chat(harness: Harness, tmp_path: Path) -> int:
    env = harness.env
    await env.core.service.update_settings(voice_model="off")
    media_id = env.graph.add_media(make_voice_note(tmp_path / "audio"), "audio/ogg")
    assert await env.post(inbound("5215512345678", "Ana Ruiz", voice(media_id))) == 200
    await harness.open("Ana Ruiz")
    model = harness.conversation.model

    def has_audio() -> bool:
        return any(getattr(model.message(i), "type", "") == "audio" for i in model.ids())

    await until(has_audio, what="audio bubble")
    return audio_card(harness)[0]


async def test_the_play_button_plays_the_voice_note_and_stops(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    assert audio_player.available(), "PySide6-Addons (test extra) decodes OGG/Opus"
    async with open_window(qtbot, tmp_path / "data") as harness:
        message_id = await a_voice_note_chat(harness, tmp_path)
        _, layout = audio_card(harness)
        assert (layout.action_kind, layout.action_text) == ("play", "Reproducir")
        conversation = harness.conversation
        player = conversation.player
        assert player is not None
        started: list[int] = []
        player.playing_changed.connect(started.append)
        conversation.delegate.media_action_requested.emit(message_id, "play")
        await until(lambda: message_id in started, timeout=15, what="playing")
        assert audio_card(harness)[1].action_text == "Detener"
        # The short note plays to its end (a PC without speakers plays it silently).
        await until(lambda: not player.playing, timeout=30, what="end of the note")
        assert audio_card(harness)[1].action_text == "Reproducir"
        # Play again, then Stop.
        conversation.delegate.media_action_requested.emit(message_id, "play")
        await until(lambda: player.playing, timeout=15, what="playing again")
        conversation.delegate.media_action_requested.emit(message_id, "stop")
        await until(lambda: not player.playing, what="stopped")
        assert audio_card(harness)[1].action_kind == "play"


async def test_without_playback_the_card_only_offers_open(
    qtbot: QtBot,
    tmp_path: Path,
    spanish: Translators,
    light_theme: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audio_player, "available", lambda: False)  # a platform without it
    async with open_window(qtbot, tmp_path / "data") as harness:
        await a_voice_note_chat(harness, tmp_path)
        assert harness.conversation.player is None  # checked when the card was laid out
        _, layout = audio_card(harness)
        assert (layout.action_kind, layout.action_text) == ("open", "Abrir")
