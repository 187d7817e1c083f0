"""Text helpers shared by the parser, the outbox and the LLM post-processing."""

from __future__ import annotations

import re

WHATSAPP_TEXT_LIMIT = 4096

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def sanitize_text(value: str) -> str:
    """Drop NUL characters and replace lone surrogates (SQLite and UTF-8 reject them)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return _SURROGATE_RE.sub("\ufffd", value)


def split_message(text: str, limit: int = WHATSAPP_TEXT_LIMIT) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters.

    Prefers paragraph breaks, then line breaks, then sentence ends, then spaces; only a word longer
    than ``limit`` is cut mid-word. Parts are stripped; empty parts are dropped.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = -1
        for separator in ("\n\n", "\n", ". ", "! ", "? ", " "):
            index = window.rfind(separator)
            if index > limit // 4:
                cut = index + len(separator)
                break
        if cut <= 0:
            cut = limit
        part = text[:cut].strip()
        if part:
            parts.append(part)
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return parts
