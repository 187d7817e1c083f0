"""Transcribe one audio at a time on a worker thread (faster-whisper, CTranslate2, int8 on CPU).

It never freezes the PC or the app: a single worker thread (so two voice notes never compete
for the CPU), a CPU-thread cap, a length limit checked before any CPU goes into recognition, and
a timeout checked between the recognised segments. OGG/Opus is decoded by faster-whisper's
bundled PyAV; no system ffmpeg.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wabot_desktop.core.voice.models import (
    ModelSource,
    ModelUnavailableError,
    download_model,
    faster_whisper_available,
)

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000  # what Whisper listens at
_DOWNLOAD_RETRY_S = 600.0  # after a failed download, wait this long before trying again


class TranscriptionError(Exception):
    """The audio could not be transcribed (unreadable audio, no words, model failure)."""


class AudioTooLongError(TranscriptionError):
    """The audio is longer than the owner's limit: a person listens instead."""

    def __init__(self, seconds: float, limit: float) -> None:
        super().__init__(f"audio is {seconds:.0f} s long, the limit is {limit:.0f} s")
        self.seconds = seconds
        self.limit = limit


class TranscriptionTimeoutError(TranscriptionError):
    """Transcription ran past the timeout (or was stopped)."""


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    language: str | None = None  # "es", "en"; None = let the model detect it
    cpu_threads: int = 0  # 0 = half of the cores
    max_seconds: float = 180.0
    timeout_s: float = 120.0
    initial_prompt: str | None = None  # product names, so they are spelled right
    beam_size: int = 1


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    language: str
    audio_seconds: float
    elapsed_s: float  # decoding + recognition, without loading the model


def default_cpu_threads() -> int:
    """Half of the cores (at least 1): the LLM and the app keep the rest."""
    return max(1, (os.cpu_count() or 2) // 2)


def _audio_seconds_declared(data: bytes) -> float | None:
    """The duration the container declares, read without decoding (None if it declares none)."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if container.duration:
                return float(container.duration) / 1_000_000
            stream = container.streams.audio[0] if container.streams.audio else None
            if stream is not None and stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
    except Exception as exc:  # unreadable: decoding will say so properly
        logger.debug("audio duration unreadable: %s", type(exc).__name__)
    return None


class Transcriber:
    """Loads a Whisper model on first use and transcribes on one worker thread.

    ``models_dir`` is where named models are downloaded. A named model that is not there yet is
    downloaded in the background on first use (``auto_download``); the audio that asked for it
    falls back meanwhile instead of waiting minutes.
    """

    def __init__(self, models_dir: Path, *, auto_download: bool = True) -> None:
        self.models_dir = models_dir
        self.auto_download = auto_download
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice")
        self._model: Any = None
        self._model_key: tuple[str, int] | None = None
        self._stop = threading.Event()
        self._downloads: dict[str, threading.Thread] = {}
        self._download_failed_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    @staticmethod
    def available() -> bool:
        return faster_whisper_available()

    async def transcribe(
        self, data: bytes, source: ModelSource, options: TranscribeOptions
    ) -> Transcript:
        """Transcribe ``data`` (any container PyAV reads: OGG/Opus, MP3, M4A, WAV, ...).

        Raises:
            ModelUnavailableError: no faster-whisper or no model (a download may have started).
            AudioTooLongError: longer than ``options.max_seconds``.
            TranscriptionTimeoutError: past ``options.timeout_s``.
            TranscriptionError: unreadable audio, or no words in it.
        """
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._run, data, source, options)
        try:
            return await future
        except asyncio.CancelledError:
            # The thread cannot be killed; it stops at the next segment boundary.
            self._stop.set()
            raise

    def close(self) -> None:
        """Stop the running job at its next segment and let the thread end (no waiting)."""
        self._stop.set()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._model = None

    # -- on the worker thread -------------------------------------------------------------------

    def _run(self, data: bytes, source: ModelSource, options: TranscribeOptions) -> Transcript:
        self._stop.clear()
        declared = _audio_seconds_declared(data)
        if declared is not None and declared > options.max_seconds:
            raise AudioTooLongError(declared, options.max_seconds)
        model = self._load(source, options.cpu_threads or default_cpu_threads())
        started = time.monotonic()
        deadline = started + options.timeout_s
        from faster_whisper import decode_audio

        try:
            audio = decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
        except Exception as exc:
            raise TranscriptionError(f"unreadable audio: {type(exc).__name__}") from exc
        seconds = len(audio) / SAMPLE_RATE
        if seconds > options.max_seconds:
            raise AudioTooLongError(seconds, options.max_seconds)
        if seconds < 0.1:
            raise TranscriptionError("no audio in the file")
        language = options.language if model.model.is_multilingual else "en"
        try:
            segments, info = model.transcribe(
                audio,
                language=language,
                beam_size=options.beam_size,
                initial_prompt=options.initial_prompt or None,
                condition_on_previous_text=False,
                vad_filter=False,
            )
            parts: list[str] = []
            for segment in segments:  # lazy: each step decodes the next ~30 s window
                parts.append(segment.text.strip())
                if self._stop.is_set() or time.monotonic() > deadline:
                    raise TranscriptionTimeoutError(
                        f"transcription took more than {options.timeout_s:.0f} s"
                    )
        except TranscriptionError:
            raise
        except Exception as exc:
            raise TranscriptionError(f"transcription failed: {type(exc).__name__}") from exc
        text = " ".join(p for p in parts if p).strip()
        if not text:
            raise TranscriptionError("no words recognised")
        return Transcript(
            text=text,
            language=str(info.language),
            audio_seconds=seconds,
            elapsed_s=time.monotonic() - started,
        )

    def _load(self, source: ModelSource, cpu_threads: int) -> Any:
        path = source.path
        if path is None and source.name is not None:
            ready = self.models_dir / source.name
            from wabot_desktop.core.voice.models import is_model_dir

            if is_model_dir(ready):
                path = ready
            else:
                self._start_download(source.name)
                raise ModelUnavailableError(f"voice model {source.name} is not downloaded yet")
        if path is None:
            raise ModelUnavailableError(f"no voice model for {source.setting!r}")
        key = (str(path), cpu_threads)
        if self._model is not None and self._model_key == key:
            return self._model
        if not faster_whisper_available():
            raise ModelUnavailableError("faster-whisper is not installed")
        from faster_whisper import WhisperModel

        self._model = None  # free the old one first: two large models may not fit
        started = time.monotonic()
        try:
            model = WhisperModel(
                str(path), device="cpu", compute_type="int8", cpu_threads=cpu_threads
            )
        except Exception as exc:
            raise ModelUnavailableError(
                f"voice model in {path} did not load: {type(exc).__name__}"
            ) from exc
        self.load_seconds = time.monotonic() - started
        logger.info(
            "voice model %s loaded in %.1f s (%d CPU threads)",
            source.setting,
            self.load_seconds,
            cpu_threads,
        )
        self._model, self._model_key = model, key
        return model

    def _start_download(self, name: str) -> None:
        if not self.auto_download:
            return
        with self._lock:
            running = self._downloads.get(name)
            if running is not None and running.is_alive():
                return
            failed = self._download_failed_at.get(name)
            if failed is not None and time.monotonic() - failed < _DOWNLOAD_RETRY_S:
                return
            thread = threading.Thread(
                target=self._download, args=(name,), name=f"voice-download-{name}", daemon=True
            )
            self._downloads[name] = thread
        thread.start()

    def _download(self, name: str) -> None:
        last_logged = [0.0]

        def progress(done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - last_logged[0] >= 5.0:
                last_logged[0] = now
                logger.info("voice model %s: %d of %s bytes", name, done, total or "?")

        try:
            download_model(name, self.models_dir, progress=progress, cancel=self._stop)
        except ModelUnavailableError as exc:
            with self._lock:
                self._download_failed_at[name] = time.monotonic()
            logger.warning("voice model download failed: %s", exc)
