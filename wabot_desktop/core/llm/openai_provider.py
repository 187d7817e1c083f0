"""Any OpenAI-compatible chat-completions server, through the official ``openai.AsyncOpenAI``.

LM Studio, llama.cpp's llama-server, Jan, vLLM, Text Generation Inference, ``transformers serve``
and the Hugging Face Inference router all speak this API. The FIFO limit, timeout, breaker and
state events are :class:`~wabot_desktop.core.llm.guarded.GuardedProvider`'s, shared with Ollama.

A streamed reply counts as complete only when a chunk carries a ``finish_reason`` other than
"length" (the SDK ends the iteration at ``data: [DONE]`` or when the connection closes, so the
finish reason is the marker we can see). The SDK's own retries are off: the breaker decides.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import cast

import httpx
import openai
from openai.types.chat import ChatCompletionMessageParam

from wabot_desktop.core.clock import REAL_CLOCK, Clock
from wabot_desktop.core.events import EventHub
from wabot_desktop.core.llm.base import (
    LlmIncompleteError,
    LlmModelMissingError,
    LlmResponseError,
    LlmState,
    LlmUnavailableError,
)
from wabot_desktop.core.llm.guarded import GuardedProvider, StreamChunk
from wabot_desktop.core.llm.presets import (  # noqa: F401 - re-exported, the names callers use
    PRESETS,
    ServerPreset,
    normalize_base_url,
    preset,
)

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
# Local servers ignore the key, but the SDK sends one; this marks "none configured".
NO_KEY = "sin-clave"


class OpenAIProvider(GuardedProvider):
    """Chat with one model on an OpenAI-compatible server; see the module docstring."""

    label = "openai"
    provider = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        request_timeout: float = 60.0,
        first_token_timeout: float | None = None,
        customer_wait: float | None = None,
        max_concurrent: int = 1,
        breaker_threshold: int = 3,
        breaker_cooldown: float = 30.0,
        context_size: int = 0,
        confirmed_hosts: tuple[str, ...] = (),
        hub: EventHub | None = None,
        clock: Clock = REAL_CLOCK,
    ) -> None:
        super().__init__(
            model=model,
            base_url=normalize_base_url(base_url),
            request_timeout=request_timeout,
            first_token_timeout=first_token_timeout,
            customer_wait=customer_wait,
            max_concurrent=max_concurrent,
            breaker_threshold=breaker_threshold,
            breaker_cooldown=breaker_cooldown,
            context_size=context_size,
            confirmed_hosts=confirmed_hosts,
            hub=hub,
            clock=clock,
        )
        self.has_key = bool(api_key)
        # The whole call is bounded by asyncio.timeout; the SDK's timeout is only a backstop.
        self._client = openai.AsyncOpenAI(
            base_url=self.base_url,
            api_key=api_key or NO_KEY,
            timeout=httpx.Timeout(request_timeout + 5.0, connect=CONNECT_TIMEOUT),
            max_retries=0,
        )

    # -- probes ------------------------------------------------------------------------------

    async def list_models(self) -> list[str] | None:
        """Model ids from GET /models; None when the server does not offer the listing.

        Raises:
            LlmUnavailableError: the server is not reachable, or it rejected the key.
        """
        try:
            page = await self._client.with_options(timeout=PROBE_TIMEOUT).models.list()
        except openai.NotFoundError:
            return None
        except openai.AuthenticationError as exc:
            raise LlmResponseError("the server rejected the API key") from exc
        except openai.APIConnectionError as exc:
            raise LlmUnavailableError("the model server is not reachable") from exc
        except openai.APIError as exc:
            raise LlmResponseError("the model server could not list models") from exc
        return [m.id for m in page.data if m.id]

    async def check(self) -> LlmState:
        """Probe the server (and the model, when it lists them); updates ``state``."""
        try:
            names = await self.list_models()
        except LlmResponseError as exc:
            unauthorized = isinstance(exc.__cause__, openai.AuthenticationError)
            self._set_state(LlmState.DOWN, "unauthorized" if unauthorized else "bad_response")
            return self._state
        except LlmUnavailableError:
            self._set_state(LlmState.DOWN, "unreachable")
            return self._state
        if names is not None and not self.model and names:
            self.model = names[0]  # nothing chosen yet: the server's first (often only) model
            logger.info("no model chosen; using the server's first")
        if names is not None and self.model not in names:
            self._set_state(LlmState.MODEL_MISSING, "not_installed")
        else:
            self._set_healthy("ready")
        return self._state

    async def warm_up(self) -> None:
        """Nothing to do: these servers load the model themselves (or keep it loaded)."""

    # -- chat --------------------------------------------------------------------------------

    async def _stream(self, messages: list[dict[str, str]]) -> AsyncGenerator[StreamChunk, None]:
        try:
            stream = await self._client.chat.completions.create(
                model=self.model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                stream=True,
            )
            async with stream:
                async for chunk in stream:
                    if not chunk.choices:
                        continue  # e.g. a usage-only chunk
                    choice = chunk.choices[0]
                    reason = choice.finish_reason
                    if reason == "length":
                        raise LlmIncompleteError("the reply was cut at the server's token limit")
                    yield StreamChunk(choice.delta.content or "", final=reason is not None)
        except openai.NotFoundError as exc:
            self._set_state(LlmState.MODEL_MISSING, "not_installed")
            raise LlmModelMissingError(f"model {self.model!r} is not on the server") from exc
        except openai.AuthenticationError as exc:
            self._set_state(LlmState.DOWN, "unauthorized")
            raise LlmResponseError("the server rejected the API key (401)") from exc
        except openai.APIStatusError as exc:
            raise LlmResponseError(f"model server error (status {exc.status_code})") from exc
        except openai.APIConnectionError as exc:
            self._set_state(LlmState.DOWN, "connection_refused")
            raise LlmUnavailableError("the model server is not reachable") from exc
        except openai.APIError as exc:  # an error event inside the stream
            raise LlmResponseError("the model server reported an error mid-stream") from exc
        except httpx.TransportError as exc:
            raise LlmResponseError(f"connection lost: {type(exc).__name__}") from exc
        except ValueError as exc:  # unreadable JSON in an event
            raise LlmResponseError("unreadable response from the model server") from exc

    # -- lifecycle ---------------------------------------------------------------------------

    async def _close_clients(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> OpenAIProvider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
