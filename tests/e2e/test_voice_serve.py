"""``serve --voice-model``: a real process transcribes a real voice note with the test model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.serve import (
    FAST,
    ServeProcess,
    live_env,
    seed_settings,
    serve_args,
)
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import message_body, signature_headers
from tests.voice_audio import audio_message, make_voice_note, test_model_path
from wabot_desktop.core.bot.engine import canned_text
from wabot_desktop.core.bot.rules import Canned
from wabot_desktop.core.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    with FakeOllama.in_thread(reply="Yes, we have chocolate cake today.") as fake:
        yield fake


def _send_voice_note(server: ServeProcess, graph: FakeGraph, data: bytes) -> None:
    body = message_body([audio_message(graph.add_media(data, "audio/ogg"))])
    with httpx.Client(timeout=10) as client:
        response = client.post(
            server.url + "/webhook", content=body, headers=signature_headers(body)
        )
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["path", "off"])
def test_serve_voice_model_flag(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, model: str
) -> None:
    data = tmp_path / "data"
    seed_settings(data, **FAST)
    flag = str(test_model_path()) if model == "path" else "off"
    args = [*serve_args(data, graph.base_url, ollama.host), "--voice-model", flag]
    server = ServeProcess(args, live_env()).start()
    try:
        _send_voice_note(server, graph, make_voice_note(tmp_path / "audio"))
        [sent] = graph.wait_for_sends_blocking(1, timeout=60)
    finally:
        assert server.terminate() == 0
    prompts = [
        json.dumps(r["messages"][-1]["content"]) for r in ollama.chat_requests if r.get("messages")
    ]
    if model == "path":
        assert sent["text"]["body"] == "Yes, we have chocolate cake today."
        assert len(prompts) == 1 and "chocolate cake" in prompts[0].lower()
    else:
        assert sent["text"]["body"] == canned_text(Canned.MEDIA_UNREADABLE, Settings())
        assert prompts == []
