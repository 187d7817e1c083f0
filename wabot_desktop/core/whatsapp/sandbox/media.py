"""Media the sandbox serves: the customers' sample photo and voice note, and uploaded files.

The samples are real files made once with ImageMagick, espeak-ng and opusenc (see
``resources/README.md``) and bundled as package data; they are read through
:mod:`wabot_desktop.core.resources`, never generated here.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass
from functools import cache

from wabot_desktop.core import resources

PHOTO_RESOURCE = "media/photo.png"
PHOTO_MIME = "image/png"
VOICE_NOTE_RESOURCE = "media/voice_note.ogg"
VOICE_NOTE_MIME = "audio/ogg; codecs=opus"  # what WhatsApp sends for a voice note


@cache
def placeholder_png() -> bytes:
    """The sample photo a simulated customer sends (a small PNG of sky and hills)."""
    return resources.read_bytes(PHOTO_RESOURCE)


@cache
def placeholder_ogg() -> bytes:
    """The sample voice note a simulated customer records (Ogg Opus, a short Spanish question)."""
    return resources.read_bytes(VOICE_NOTE_RESOURCE)


def sha256_b64(data: bytes) -> str:
    """The ``sha256`` field of Meta's media objects (base64 of the digest)."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


@dataclass(frozen=True, slots=True)
class StoredMedia:
    data: bytes
    mime_type: str


class MediaStore:
    """Bytes under Graph media ids: the customers' media and what the business uploads."""

    def __init__(self) -> None:
        self._items: dict[str, StoredMedia] = {}
        self._ids = itertools.count(1)

    def add(self, data: bytes, mime_type: str) -> str:
        """Store ``data``; returns its new media id."""
        media_id = f"{990000000000000 + next(self._ids)}"
        self._items[media_id] = StoredMedia(data, mime_type)
        return media_id

    def get(self, media_id: str) -> StoredMedia | None:
        return self._items.get(media_id)

    def delete(self, media_id: str) -> bool:
        """Forget ``media_id``; False when there was no such media."""
        return self._items.pop(media_id, None) is not None
