"""Voice notes in the pipeline: download the customer's audio, transcribe it, store the text.

:meth:`VoiceNotes.submit` is called as soon as an audio message is committed, before the bot's
worker is woken, so :meth:`VoiceNotes.settled` (awaited by the worker after its debounce) can
never miss a transcription of that conversation: the bot never answers a burst before its
voice note is understood. Each job ends with a stored status: ``done`` (the transcript is then
the customer's words), ``too_long`` (the bot hands off), ``failed`` or ``off`` (the bot does
what it did before transcription existed). Failures are logged, never raised.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from wabot_desktop.core.aio import SHARED_POOL, BlockingPool
from wabot_desktop.core.events import EventHub, MessageUpdated
from wabot_desktop.core.llm.prompt import normalize_language
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.store import voice as store
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.voice.models import (
    ModelUnavailableError,
    Progress,
    download_model,
    resolve_model,
)
from wabot_desktop.core.voice.transcriber import (
    AudioTooLongError,
    TranscribeOptions,
    Transcriber,
    TranscriptionError,
)
from wabot_desktop.core.whatsapp.errors import GraphApiError
from wabot_desktop.core.whatsapp.graph import GraphClient

logger = logging.getLogger(__name__)

# A WhatsApp voice note is ~2 KB per second of Opus: 16 MB is over an hour (Meta's audio cap).
MAX_AUDIO_BYTES = 16 * 1024 * 1024


def initial_prompt(settings: Settings) -> str | None:
    """Product names the model should spell right (from the price list when there is one).

    There is no price list yet: the ``voice_prompt_terms`` setting is the hook it will fill.
    """
    terms = [t.strip() for t in settings.voice_prompt_terms if t.strip()]
    return ", ".join(terms)[:400] or None


class VoiceNotes:
    """Transcribes customers' audio in the background; one transcription at a time."""

    def __init__(
        self,
        *,
        db: Database,
        graph: GraphClient,
        hub: EventHub,
        settings: Callable[[], Settings],
        models_dir: Path,
        transcriber: Transcriber | None = None,
        auto_download: bool = True,
        blocking: BlockingPool | None = None,
    ) -> None:
        self._db = db
        self._blocking = blocking or SHARED_POOL  # model downloads
        self._graph = graph
        self._hub = hub
        self._settings = settings
        self.transcriber = transcriber or Transcriber(models_dir, auto_download=auto_download)
        self._pending: dict[int, set[asyncio.Task[None]]] = {}
        self._idle: dict[int, asyncio.Event] = {}
        self._closed = False
        # Where named models come from (None: huggingface.co, or HF_ENDPOINT); tests and
        # mirrors set it.
        self.download_endpoint: str | None = None

    @property
    def models_dir(self) -> Path:
        return self.transcriber.models_dir

    def submit(self, conversation_id: int, message_id: int) -> None:
        """Transcribe this stored audio message (call before waking the bot's worker)."""
        if self._closed:
            return
        task = asyncio.create_task(
            self._job(conversation_id, message_id), name=f"voice-{message_id}"
        )
        self._pending.setdefault(conversation_id, set()).add(task)
        self._idle.setdefault(conversation_id, asyncio.Event()).clear()
        task.add_done_callback(lambda t: self._done(conversation_id, t))

    async def download(
        self,
        name: str,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        """Download model ``name`` now (settings / wizard: progress bar and a Cancel button).

        ``progress`` is called from the download thread; marshal it to the GUI thread.

        Raises:
            ModelDownloadCancelled: ``cancel`` was set.
            ModelUnavailableError: no network, unknown name, incomplete files.
        """
        models_dir = self.transcriber.models_dir
        return await self._blocking.run(
            functools.partial(
                download_model,
                name,
                models_dir,
                progress=progress,
                cancel=cancel,
                endpoint=self.download_endpoint,
            ),
        )

    def busy(self, conversation_id: int | None = None) -> bool:
        if conversation_id is None:
            return any(self._pending.values())
        return bool(self._pending.get(conversation_id))

    async def settled(self, conversation_id: int) -> None:
        """Return once no transcription of this conversation is pending."""
        while self._pending.get(conversation_id):
            await self._idle[conversation_id].wait()

    async def recover(self) -> int:
        """Start-up: transcribe undecided audio that never was (call before the bot recovers)."""
        jobs = await self._db.session_run(store.untranscribed_pending_audio)
        for conversation_id, message_id in jobs:
            self.submit(conversation_id, message_id)
        return len(jobs)

    async def stop(self) -> None:
        self._closed = True
        tasks = [t for tasks in self._pending.values() for t in tasks]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self.transcriber.close()

    def _done(self, conversation_id: int, task: asyncio.Task[None]) -> None:
        tasks = self._pending.get(conversation_id)
        if tasks is not None:
            tasks.discard(task)
            if not tasks:
                del self._pending[conversation_id]
                self._idle[conversation_id].set()
                del self._idle[conversation_id]

    async def _job(self, conversation_id: int, message_id: int) -> None:
        status, text = store.FAILED, None
        try:
            status, text = await self._transcribe(message_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug here must not keep the customer waiting: fall back
            logger.exception("voice note %d: transcription crashed", message_id)
        try:
            await self._db.session_run(store.set_transcript, message_id, text, status)
        except Exception:
            logger.exception("voice note %d: storing the transcript failed", message_id)
            return
        self._hub.publish(MessageUpdated(conversation_id=conversation_id, message_id=message_id))

    async def _transcribe(self, message_id: int) -> tuple[str, str | None]:
        settings = self._settings()
        job = await self._db.session_run(store.audio_job, message_id)
        if job is None or not job.media_id:
            return store.FAILED, None
        try:
            source = resolve_model(settings.voice_model, self.transcriber.models_dir)
        except ModelUnavailableError as exc:
            logger.warning("voice note %d not transcribed: %s", message_id, exc)
            return store.FAILED, None
        if source is None or not self.transcriber.available():
            return store.OFF, None
        try:
            data, _mime = await self._graph.download_media(job.media_id, max_bytes=MAX_AUDIO_BYTES)
        except (GraphApiError, ValueError) as exc:
            logger.warning("voice note %d not downloaded: %s", message_id, type(exc).__name__)
            return store.FAILED, None
        options = TranscribeOptions(
            language=normalize_language(settings.language or None),
            cpu_threads=settings.voice_cpu_threads,
            max_seconds=settings.voice_max_seconds,
            timeout_s=settings.voice_timeout_s,
            initial_prompt=initial_prompt(settings),
        )
        try:
            result = await self.transcriber.transcribe(data, source, options)
        except AudioTooLongError as exc:
            logger.info("voice note %d goes to a person: %s", message_id, exc)
            return store.TOO_LONG, None
        except (TranscriptionError, ModelUnavailableError) as exc:
            logger.warning("voice note %d not transcribed: %s", message_id, exc)
            return store.FAILED, None
        logger.info(
            "voice note %d transcribed: %.1f s of audio in %.1f s",
            message_id,
            result.audio_seconds,
            result.elapsed_s,
        )
        return store.DONE, result.text
