"""The local model through Ollama's official ``ollama.AsyncClient``.

One provider per app. The FIFO concurrency limit, the timeout, the circuit breaker and the
state events are :class:`~wabot_desktop.core.llm.guarded.GuardedProvider`'s (shared with the
OpenAI-compatible provider); this module only speaks Ollama's API.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.parse
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import ollama
import pydantic

from wabot_desktop.core.clock import REAL_CLOCK, Clock
from wabot_desktop.core.events import EventHub
from wabot_desktop.core.llm.base import (
    DEFAULT_HOST,
    DEFAULT_MODEL,
    LlmModelMissingError,
    LlmResponseError,
    LlmState,
    LlmUnavailableError,
)
from wabot_desktop.core.llm.guarded import FifoGate, GuardedProvider, StreamChunk

logger = logging.getLogger(__name__)

DEFAULT_PORT = 11434
PROBE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0


def normalize_host(host: str | None) -> str:
    """``"127.0.0.1:11434"`` -> ``"http://127.0.0.1:11434"``; empty -> the default host."""
    host = (host or "").strip() or DEFAULT_HOST
    if "://" not in host:
        host = "http://" + host
        parts = urllib.parse.urlsplit(host)
        if parts.port is None:
            host = f"http://{parts.hostname or '127.0.0.1'}:{DEFAULT_PORT}{parts.path}"
    return host.rstrip("/")


def model_matches(wanted: str, installed: str) -> bool:
    """True if ``installed`` (from /api/tags) is ``wanted``; a missing tag means ``:latest``."""

    def full(name: str) -> str:
        name = name.strip()
        return name if ":" in name.rsplit("/", 1)[-1] else name + ":latest"

    return full(wanted) == full(installed)


_FifoGate = FifoGate  # the name tests and older code use


class OllamaProvider(GuardedProvider):
    """Chat with one Ollama model; see the module docstring."""

    label = "ollama"
    provider = "ollama"

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        model: str = DEFAULT_MODEL,
        *,
        request_timeout: float = 60.0,
        first_token_timeout: float | None = None,
        customer_wait: float | None = None,
        keep_alive: str = "30m",
        max_concurrent: int = 1,
        breaker_threshold: int = 3,
        breaker_cooldown: float = 30.0,
        hub: EventHub | None = None,
        clock: Clock = REAL_CLOCK,
        options: dict[str, Any] | None = None,
        context_size: int = 0,
        confirmed_hosts: tuple[str, ...] = (),
    ) -> None:
        self.host = normalize_host(host)
        super().__init__(
            model=model,
            base_url=self.host,
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
        self.keep_alive = keep_alive
        self.options: dict[str, Any] = dict(options or {})
        if context_size > 0:
            self.options.setdefault("num_ctx", context_size)
        # The whole call is bounded by asyncio.timeout; httpx's own timeout is only a backstop.
        timeout = httpx.Timeout(request_timeout + 5.0, connect=CONNECT_TIMEOUT)
        self._client = ollama.AsyncClient(host=self.host, timeout=timeout)
        self._http = httpx.AsyncClient(base_url=self.host, timeout=PROBE_TIMEOUT)

    # -- probes ------------------------------------------------------------------------------

    async def version(self) -> str | None:
        """Ollama's version from GET /api/version, or None if it does not answer properly."""
        try:
            response = await self._http.get("/api/version")
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.debug("ollama version probe failed: %s", type(exc).__name__)
            return None
        value = data.get("version") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None

    async def list_models(self) -> list[str]:
        """Names of the installed models.

        Raises:
            LlmUnavailableError: Ollama is not reachable or answered badly.
        """
        try:
            listing = await self._client.list()
        except (ConnectionError, httpx.TransportError) as exc:
            raise LlmUnavailableError("ollama is not reachable") from exc
        except (ollama.ResponseError, pydantic.ValidationError, ValueError) as exc:
            raise LlmResponseError("ollama could not list models") from exc
        return [m.model for m in listing.models if m.model]

    async def check(self) -> LlmState:
        """Probe the server and the model; updates ``state`` and returns it."""
        if await self.version() is None:
            self._set_state(LlmState.DOWN, "unreachable")
            return self._state
        try:
            names = await self.list_models()
        except LlmResponseError:
            self._set_state(LlmState.DOWN, "bad_response")
            return self._state
        except LlmUnavailableError:
            self._set_state(LlmState.DOWN, "unreachable")
            return self._state
        if not any(model_matches(self.model, name) for name in names):
            self._set_state(LlmState.MODEL_MISSING, "not_installed")
        else:
            self._set_healthy("ready")
        return self._state

    async def warm_up(self) -> None:
        """Load the model into memory (a chat with no messages); errors only change ``state``."""
        self._set_state(LlmState.LOADING, "warm_up")
        try:
            async with asyncio.timeout(self.request_timeout):
                await self._client.chat(
                    model=self.model, messages=[], keep_alive=self.keep_alive, stream=False
                )
        except TimeoutError:
            self._set_state(LlmState.DOWN, "warm_up_timeout")
        except (ConnectionError, httpx.ConnectError):
            self._set_state(LlmState.DOWN, "connection_refused")
        except ollama.ResponseError as exc:
            if exc.status_code == 404:
                self._set_state(LlmState.MODEL_MISSING, "not_installed")
            else:
                self._set_state(LlmState.DOWN, f"http_{exc.status_code}")
        except (httpx.HTTPError, pydantic.ValidationError, ValueError) as exc:
            self._set_state(LlmState.DOWN, type(exc).__name__)
        else:
            self._set_healthy("loaded")

    # -- chat (the shared machinery is GuardedProvider's) ------------------------------------

    async def _stream(self, messages: list[dict[str, str]]) -> AsyncGenerator[StreamChunk, None]:
        try:
            stream = await self._client.chat(
                model=self.model,
                messages=messages,
                stream=True,
                keep_alive=self.keep_alive,
                options=self.options or None,
            )
            try:
                async for chunk in stream:
                    yield StreamChunk(chunk.message.content or "", final=bool(chunk.done))
            finally:
                # Close the generator (and its HTTP response) now, not at GC time.
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()
        except (ConnectionError, httpx.ConnectError, httpx.ConnectTimeout) as exc:
            self._set_state(LlmState.DOWN, "connection_refused")
            raise LlmUnavailableError("ollama is not reachable") from exc
        except ollama.ResponseError as exc:
            if exc.status_code == 404:
                self._set_state(LlmState.MODEL_MISSING, "not_installed")
                raise LlmModelMissingError(f"model {self.model!r} is not installed") from exc
            raise LlmResponseError(f"ollama error (status {exc.status_code})") from exc
        except httpx.TransportError as exc:
            raise LlmResponseError(f"connection lost: {type(exc).__name__}") from exc
        except (json.JSONDecodeError, pydantic.ValidationError) as exc:
            raise LlmResponseError("unreadable response from ollama") from exc

    # -- lifecycle ---------------------------------------------------------------------------

    async def _close_clients(self) -> None:
        # ollama's close() is unannotated; it closes its httpx client.
        await self._client.close()  # type: ignore[no-untyped-call]
        await self._http.aclose()

    async def __aenter__(self) -> OllamaProvider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
