"""The model's context window, from its own metadata (Ollama ``/api/show``)."""

from __future__ import annotations

import logging

import httpx

from wabot_desktop.core.llm.ollama_provider import normalize_host

logger = logging.getLogger(__name__)

# The window actually used: the model's own length, but at most this. Models advertise 32k-128k,
# and Ollama allocates the KV cache for the whole window: on a shop's PC that is gigabytes of
# RAM for nothing (a shop prompt plus a chat fits in a few thousand tokens).
MAX_CONTEXT_TOKENS = 8192


def context_from_show(body: object) -> int | None:
    """``model_info["<arch>.context_length"]`` (or ``num_ctx`` in the parameters)."""
    if not isinstance(body, dict):
        return None
    for line in str(body.get("parameters") or "").splitlines():
        name, _, value = line.strip().partition(" ")
        if name == "num_ctx" and value.strip().isdigit():
            return int(value.strip())
    info = body.get("model_info")
    if isinstance(info, dict):
        for key, value in info.items():
            if str(key).endswith(".context_length") and isinstance(value, int) and value > 0:
                return value
    return None


async def context_tokens(host: str, model: str, timeout: float = 5.0) -> int | None:
    """The context length of ``model``; None when Ollama cannot tell (not running, old)."""
    try:
        async with httpx.AsyncClient(base_url=normalize_host(host), timeout=timeout) as client:
            response = await client.post("/api/show", json={"model": model})
            response.raise_for_status()
            found = context_from_show(response.json())
            return None if found is None else min(found, MAX_CONTEXT_TOKENS)
    except (httpx.HTTPError, ValueError) as exc:
        logger.info("model context length unknown: %s", type(exc).__name__)
        return None
