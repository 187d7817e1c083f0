"""Plays a customer's voice note inside the monitor, where the platform can.

QtMultimedia comes with PySide6-Addons (the ``audio`` extra); it decodes WhatsApp's OGG/Opus
through its FFmpeg backend. Without the module, or without an OGG/Opus decoder, :func:`available`
is False and the audio card keeps only its "Open" action: the play button is hidden, never
broken.
"""

from __future__ import annotations

import functools
import importlib
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal

logger = logging.getLogger(__name__)


@functools.cache
def _multimedia() -> Any | None:
    try:
        return importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        return None


@functools.cache
def available() -> bool:
    """QtMultimedia is installed and decodes OGG/Opus on this PC."""
    module = _multimedia()
    if module is None:
        return False
    try:
        # Qt's codec table leaves Opus out even where FFmpeg decodes it: the container says it.
        decode = module.QMediaFormat.ConversionMode.Decode
        ogg = module.QMediaFormat(module.QMediaFormat.FileFormat.Ogg)
        return bool(ogg.isSupported(decode))
    except Exception:  # a broken multimedia backend: hide the button
        logger.info("audio playback unavailable", exc_info=True)
        return False


class AudioPlayer(QObject):
    """One voice note at a time.

    Signals:
        playing_changed(int): the message being played (-1: none).
        failed(str): the platform could not play the file (its error text, for the log).
    """

    playing_changed = Signal(int)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.message_id = -1
        self._player: Any = None
        self._output: Any = None

    def _ensure(self) -> Any:
        if self._player is None:
            module = _multimedia()
            assert module is not None, "check available() first"
            self._player = module.QMediaPlayer(self)
            self._output = module.QAudioOutput(self)
            self._player.setAudioOutput(self._output)
            self._player.playbackStateChanged.connect(self._on_state_changed)
            self._player.errorOccurred.connect(self._on_error)
        return self._player

    @property
    def playing(self) -> bool:
        return self.message_id >= 0

    def play(self, message_id: int, path: Path) -> None:
        player = self._ensure()
        player.stop()
        self._set_playing(message_id)
        player.setSource(QUrl.fromLocalFile(str(path)))
        player.play()

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()
        self._set_playing(-1)

    def _set_playing(self, message_id: int) -> None:
        if message_id != self.message_id:
            self.message_id = message_id
            self.playing_changed.emit(message_id)

    def _on_state_changed(self, state: object) -> None:
        module = _multimedia()
        if module is not None and state == module.QMediaPlayer.PlaybackState.StoppedState:
            self._set_playing(-1)

    def _on_error(self, _error: object, text: str) -> None:
        logger.warning("voice note not played: %s", text)
        self._set_playing(-1)
        self.failed.emit(text)
