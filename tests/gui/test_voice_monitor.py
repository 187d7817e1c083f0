"""The monitor shows a voice note's transcript under its audio card, as plain text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from tests.gui.helpers import inbound, until, voice
from tests.gui.test_delegates import _layout, _view, message
from tests.gui.test_monitor_live import open_window
from tests.voice_audio import make_voice_note, test_model_path
from wabot_desktop.gui.i18n import Translators


def test_transcript_sits_under_the_audio_card_as_plain_text(
    qtbot: QtBot, spanish: Translators
) -> None:
    raw = "<b>¿tienen</b> torta & <a href='http://x'>chocolate</a>?"
    note = message(type="audio", text=None, media_voice=True, media_id="m1", transcript=raw)
    view, delegate = _view(qtbot, [note])
    layout = _layout(view, delegate, 0)
    assert layout.card is not None and layout.card_glyph == "voice"
    shown = [t.layout.text() for t in layout.texts]
    assert shown == ["transcripción automática", raw]  # the label, then the words, unrendered
    label, words = layout.texts
    assert layout.card.bottom() <= label.pos.y() < words.pos.y()


@pytest.mark.asyncio
async def test_a_voice_note_shows_its_transcript_live(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    data = make_voice_note(tmp_path / "audio")
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.core.service.update_settings(voice_model=str(test_model_path()))
        media_id = env.graph.add_media(data, "audio/ogg")
        assert await env.post(inbound("5215512345678", "Ana Ruiz", voice(media_id))) == 200
        await harness.open("Ana Ruiz")
        model = harness.conversation.model

        def transcript() -> str:
            for message_id in model.ids():
                shown = model.message(message_id)
                if shown is not None and shown.type == "audio" and shown.transcript:
                    return shown.transcript
            return ""

        await until(lambda: "chocolate" in transcript().lower(), timeout=60, what="transcript")
        # The painted bubble: the card, the Spanish label, then the words as plain text.
        view = harness.conversation.view.message_list
        row = next(r for r, i in enumerate(model.ids()) if model.message(i).type == "audio")  # type: ignore[union-attr]
        index = model.index(row, 0)
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.widget = view
        option.rect = view.visualRect(index)
        layout = harness.conversation.delegate.layout_for(option, index)
        assert layout is not None and layout.card is not None
        shown = [t.layout.text() for t in layout.texts]
        assert shown[:2] == ["transcripción automática", transcript()]
        # Staff find the chat by what the customer said in the voice note.
        found = await harness.env.core.service.list_conversations(search="chocolate")
        assert [c.display_name for c in found] == ["Ana Ruiz"]
