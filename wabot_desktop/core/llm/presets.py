"""Known OpenAI-compatible servers and their usual addresses (no ``openai`` import: the
settings page and the wizard list them without loading the client)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServerPreset:
    """A known OpenAI-compatible server with its usual address."""

    id: str
    name: str
    base_url: str
    key_required: bool = False


PRESETS: tuple[ServerPreset, ...] = (
    ServerPreset("lmstudio", "LM Studio", "http://127.0.0.1:1234/v1"),
    ServerPreset("llamacpp", "llama.cpp (llama-server)", "http://127.0.0.1:8080/v1"),
    ServerPreset("jan", "Jan", "http://127.0.0.1:1337/v1"),
    ServerPreset("vllm", "vLLM", "http://127.0.0.1:8000/v1"),
    ServerPreset("transformers", "Transformers (transformers serve)", "http://127.0.0.1:8000/v1"),
    ServerPreset("huggingface", "Hugging Face Inference", "https://router.huggingface.co/v1", True),
)


def preset(preset_id: str) -> ServerPreset:
    """The preset named ``preset_id``.

    Raises:
        KeyError: no such preset.
    """
    for item in PRESETS:
        if item.id == preset_id:
            return item
    raise KeyError(preset_id)


def normalize_base_url(url: str | None) -> str:
    """``"127.0.0.1:1234/v1"`` -> ``"http://127.0.0.1:1234/v1"``; empty -> LM Studio's URL."""
    url = (url or "").strip() or PRESETS[0].base_url
    if "://" not in url:
        url = "http://" + url
    return url.rstrip("/")


@dataclass(frozen=True, slots=True)
class LlmServerSettings:
    """The model server as the settings page shows and saves it."""

    provider: str  # "ollama" | "openai"
    ollama_host: str
    ollama_model: str
    openai_base_url: str
    openai_model: str
    context_size: int  # tokens; 0 = the server's own
