"""Plain data, states and errors shared by the LLM layer (no I/O here).

``TurnContent.describe()`` turns a non-text customer message into a short Spanish note the model
can read ("[nota de voz]"); the conversation history and the pending messages are built from it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from wabot_desktop.core.dto import Author
from wabot_desktop.core.dto import LlmState as LlmState  # defined with the shared vocabulary
from wabot_desktop.core.errors import UserFacingError, WabotError

DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_MODEL = "qwen2.5:3b"

# How a transcribed voice note / audio reaches the model: marked, so the model knows the words
# were heard (and may be misheard), not typed.
VOICE_NOTE_MARK = "[nota de voz, transcripción automática]"
AUDIO_MARK = "[archivo de audio, transcripción automática]"

ChatMessage = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One question/answer pair written by the owner."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class BusinessProfile:
    """The facts the bot may use; every field is written by the owner, never by a customer."""

    name: str
    hours_text: str = ""
    address: str = ""
    payment_methods: str = ""
    extra_facts: str = ""
    faq: tuple[FaqEntry, ...] = ()


def _coordinate(value: float) -> str:
    # Six decimals is ~10 cm; trailing zeros only add noise for the model.
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _nonblank(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnContent:
    """What one stored message contained, enough to describe it to the model.

    ``type`` is the WhatsApp message type ("text", "image", "audio", ...). Unknown types are
    described as unsupported.
    """

    type: str
    text: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False
    latitude: float | None = None
    longitude: float | None = None
    location_name: str | None = None
    location_address: str | None = None
    unsupported_type: str | None = None
    interactive_title: str | None = None

    def describe(self) -> str:
        """The text for the model: the message itself for text, else a short Spanish note."""
        kind = self.type
        caption = _nonblank(self.caption)
        if kind == "text":
            return self.text or ""
        if kind == "image":
            return f"[el cliente envió una foto: {caption}]" if caption else "[foto]"
        if kind == "audio":
            heard = _nonblank(self.text)
            if heard:  # transcribed on this PC (core/voice): the customer's words, marked
                return f"{VOICE_NOTE_MARK if self.voice else AUDIO_MARK} {heard}"
            return "[nota de voz]" if self.voice else "[archivo de audio]"
        if kind == "video":
            return f"[video: {caption}]" if caption else "[video]"
        if kind == "document":
            filename = _nonblank(self.filename)
            note = f"[documento: {filename}]" if filename else "[documento]"
            return f"{note} {caption}" if caption else note
        if kind == "sticker":
            return "[sticker]"
        if kind == "location":
            return self._describe_location()
        if kind == "contacts":
            return "[tarjeta de contacto]"
        if kind == "order":
            return "[pedido del catálogo]"
        if kind in ("interactive", "button"):
            title = _nonblank(self.interactive_title) or _nonblank(self.text)
            return f"[tocó el botón: {title}]" if title else "[tocó un botón]"
        if kind == "reaction":
            emoji = _nonblank(self.text)
            return f"[reaccionó con {emoji}]" if emoji else "[reacción]"
        shown = _nonblank(self.unsupported_type) or kind or "desconocido"
        return f"[mensaje no soportado: {shown}]"

    def _describe_location(self) -> str:
        parts = [p for p in (_nonblank(self.location_name), _nonblank(self.location_address)) if p]
        lat, lon = self.latitude, self.longitude
        coords = ""
        if lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon):
            coords = f"({_coordinate(lat)}, {_coordinate(lon)})"
        body = ", ".join(parts)
        if coords:
            body = f"{body} {coords}" if body else coords
        return f"[ubicación: {body}]" if body else "[ubicación]"


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    """One earlier message of the conversation, already described as text (never SYSTEM)."""

    author: Author
    content: str


class LlmUnavailableError(UserFacingError):
    """The model could not answer (server not running, too slow, model missing, bad reply)."""

    code = "llm_unavailable"


class LlmTimeoutError(LlmUnavailableError):
    """The model did not finish within the request timeout."""

    code = "llm_timeout"


class LlmCircuitOpenError(LlmUnavailableError):
    """Too many recent failures: calls fail fast until the cool-down ends."""

    code = "llm_circuit_open"


class LlmModelMissingError(LlmUnavailableError):
    """The configured model is not installed in Ollama."""

    code = "llm_model_missing"


class LlmResponseError(LlmUnavailableError):
    """Ollama answered with an error or an unreadable response."""

    code = "llm_response_error"


class LlmIncompleteError(LlmResponseError):
    """The stream ended without its end marker: a failed generation, never a short reply.

    Ollama's NDJSON stream ends with a ``"done": true`` line; an OpenAI-compatible stream with a
    ``finish_reason`` and ``data: [DONE]``. A stream that stops before that (the runner died, a
    proxy cut it) holds half an answer ("abrimos de nueve a cato"), which must not reach a
    customer as if it were complete.
    """

    code = "llm_incomplete"


def require_complete_stream(finished: bool, provider: str, received_chars: int) -> None:
    """Raise :class:`LlmIncompleteError` unless the stream's end marker was seen.

    Shared by every streaming provider, so each applies the same rule.
    """
    if not finished:
        raise LlmIncompleteError(
            f"{provider} stream ended without its end marker after {received_chars} characters"
        )


class LlmCancelledError(WabotError):
    """A chat was abandoned through its ``cancel_event`` (a newer message arrived)."""


class LlmProvider(Protocol):
    """What the bot needs from a model backend (Ollama, OpenAI-compatible, or a test double)."""

    @property
    def state(self) -> LlmState: ...

    async def check(self) -> LlmState: ...

    async def warm_up(self) -> None: ...

    async def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        on_token: Callable[[str], None] | None = None,
        cancel_event: asyncio.Event | None = None,
    ) -> str: ...

    async def aclose(self) -> None: ...
