"""The LLM layer: Ollama provider, prompt composition, FAQ fallback and reply clean-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wabot_desktop.core.llm.base import (
    DEFAULT_HOST,
    DEFAULT_MODEL,
    BusinessProfile,
    FaqEntry,
    HistoryTurn,
    LlmCancelledError,
    LlmCircuitOpenError,
    LlmModelMissingError,
    LlmProvider,
    LlmResponseError,
    LlmState,
    LlmTimeoutError,
    LlmUnavailableError,
    TurnContent,
)
from wabot_desktop.core.llm.fallback import FallbackResponder
from wabot_desktop.core.llm.postprocess import clean_reply, split_reply, to_whatsapp
from wabot_desktop.core.llm.prompt import compose_messages, describe_content

if TYPE_CHECKING:
    from wabot_desktop.core.llm.ollama_provider import OllamaProvider


def __getattr__(name: str) -> Any:
    # The Ollama client loads on first use: the settings page imports this package's light
    # modules (presets, guarded) before the core starts.
    if name == "OllamaProvider":
        from wabot_desktop.core.llm.ollama_provider import OllamaProvider

        return OllamaProvider
    raise AttributeError(name)


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_MODEL",
    "BusinessProfile",
    "FallbackResponder",
    "FaqEntry",
    "HistoryTurn",
    "LlmCancelledError",
    "LlmCircuitOpenError",
    "LlmModelMissingError",
    "LlmProvider",
    "LlmResponseError",
    "LlmState",
    "LlmTimeoutError",
    "LlmUnavailableError",
    "OllamaProvider",
    "TurnContent",
    "clean_reply",
    "compose_messages",
    "describe_content",
    "split_reply",
    "to_whatsapp",
]
