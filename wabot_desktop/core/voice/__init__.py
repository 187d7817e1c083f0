"""Voice notes understood on the shop's PC: local transcription with faster-whisper.

``models`` picks and fetches a Whisper model (by name, or from a folder for an offline install),
``transcriber`` runs one transcription at a time on a worker thread with a length limit and a
timeout, and ``notes`` ties it to the pipeline: a customer's audio is downloaded through the
Graph media API, transcribed, and its transcript stored with the message before the bot's turn.

faster-whisper is optional at run time: without it (or without a model) the app starts and
voice notes get today's behaviour (the "can't listen" text or a handoff).
"""

from typing import TYPE_CHECKING, Any

from wabot_desktop.core.voice.models import (
    MODEL_CHOICES,
    ModelDownloadCancelled,
    ModelUnavailableError,
    recommend_model,
    total_ram_bytes,
)

if TYPE_CHECKING:
    from wabot_desktop.core.voice.notes import VoiceNotes
    from wabot_desktop.core.voice.transcriber import (
        AudioTooLongError,
        Transcriber,
        TranscriptionError,
        TranscriptionTimeoutError,
    )

# The pipeline parts load on first use: the GUI's model picker imports only ``models``.
_LAZY = {
    "VoiceNotes": "notes",
    "AudioTooLongError": "transcriber",
    "Transcriber": "transcriber",
    "TranscriptionError": "transcriber",
    "TranscriptionTimeoutError": "transcriber",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f"wabot_desktop.core.voice.{module}"), name)


__all__ = [
    "MODEL_CHOICES",
    "AudioTooLongError",
    "ModelDownloadCancelled",
    "ModelUnavailableError",
    "Transcriber",
    "TranscriptionError",
    "TranscriptionTimeoutError",
    "VoiceNotes",
    "recommend_model",
    "total_ram_bytes",
]
