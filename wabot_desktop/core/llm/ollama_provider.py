"""The local model through Ollama's official ``ollama.AsyncClient``.

One provider per app. It limits concurrent generations (a small PC runs one at a time; the rest
wait in arrival order), bounds each generation with a timeout, and opens a circuit breaker after
repeated failures so the bot falls back at once instead of waiting on a dead server. State
changes are published as ``LlmStateChanged`` on the event hub.

Three clocks bound a call: ``first_token_timeout`` (nothing streamed yet: the model is stuck,
much shorter than the total), ``request_timeout`` (the whole generation) and ``customer_wait``
(what a customer tolerates: waiting for a free slot behind other turns plus the generation;
past it the bot answers with its fallback instead of queueing behind a dead model). A stream
that ends without ``"done": true`` is a failed generation (:class:`LlmIncompleteError`).
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import ollama
import pydantic

from wabot_desktop.core.events import EventHub, LlmStateChanged
from wabot_desktop.core.llm.base import (
    DEFAULT_HOST,
    DEFAULT_MODEL,
    ChatMessage,
    LlmCancelledError,
    LlmCircuitOpenError,
    LlmModelMissingError,
    LlmResponseError,
    LlmState,
    LlmTimeoutError,
    LlmUnavailableError,
    require_complete_stream,
)

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


class _FifoGate:
    """A counting semaphore that hands free slots to waiters strictly in arrival order."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("max_concurrent must be at least 1")
        self._limit = limit
        self._active = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def active(self) -> int:
        return self._active

    @property
    def waiting(self) -> int:
        return sum(1 for fut in self._waiters if not fut.done())

    async def acquire(self) -> None:
        if self._active < self._limit and not self._waiters:
            self._active += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                # The slot was handed over just as we were cancelled: pass it on.
                self.release()
            elif fut in self._waiters:  # release() may have dropped it already (cancelled)
                self._waiters.remove(fut)
            raise

    def release(self) -> None:
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)  # the slot moves to the waiter; _active is unchanged
                return
        self._active -= 1


class OllamaProvider:
    """Chat with one Ollama model; see the module docstring."""

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
        options: dict[str, Any] | None = None,
    ) -> None:
        if breaker_threshold < 1:
            raise ValueError("breaker_threshold must be at least 1")
        self.host = normalize_host(host)
        self.model = model
        self.request_timeout = request_timeout
        self.first_token_timeout = min(first_token_timeout or request_timeout, request_timeout)
        # None: no bound on the wait for a slot (only the generation's timeouts apply).
        self.customer_wait = customer_wait
        self.keep_alive = keep_alive
        self.breaker_threshold = breaker_threshold
        self.breaker_cooldown = breaker_cooldown
        self.options: dict[str, Any] = dict(options or {})
        self._hub = hub
        self._gate = _FifoGate(max_concurrent)
        # The whole call is bounded by asyncio.timeout; httpx's own timeout is only a backstop.
        timeout = httpx.Timeout(request_timeout + 5.0, connect=CONNECT_TIMEOUT)
        self._client = ollama.AsyncClient(host=self.host, timeout=timeout)
        self._http = httpx.AsyncClient(base_url=self.host, timeout=PROBE_TIMEOUT)
        self._state = LlmState.UNKNOWN
        self._detail: str | None = None
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self._closed = False

    # -- observations ------------------------------------------------------------------------

    @property
    def state(self) -> LlmState:
        return self._state

    @property
    def detail(self) -> str | None:
        """Machine-readable reason of the last state change (e.g. "connection_refused")."""
        return self._detail

    @property
    def in_flight(self) -> int:
        """Chats holding a slot (being generated)."""
        return self._gate.active

    @property
    def waiting(self) -> int:
        """Chats queued for a slot."""
        return self._gate.waiting

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    @property
    def circuit_open(self) -> bool:
        """True while calls fail fast (cool-down not over, or a trial call is running)."""
        if self._opened_at is None:
            return False
        return self._trial_running or not self._cooldown_over()

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

    # -- chat --------------------------------------------------------------------------------

    async def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        on_token: Callable[[str], None] | None = None,
        cancel_event: asyncio.Event | None = None,
    ) -> str:
        """Stream a reply and return its full text.

        ``on_token`` gets each text fragment as it arrives. Setting ``cancel_event`` (or
        cancelling the calling task) abandons the call; neither counts as a failure. The
        timeout covers the generation, not the wait for a free slot.

        Raises:
            LlmCircuitOpenError: recent failures; retry after the cool-down.
            LlmTimeoutError: no first token within ``first_token_timeout``, no complete reply
                within ``request_timeout``, or not done within ``customer_wait`` (slot wait
                included).
            LlmIncompleteError: the stream ended without ``done`` (half an answer).
            LlmModelMissingError: the model is not installed.
            LlmResponseError: Ollama answered with an error.
            LlmUnavailableError: Ollama is not reachable.
            LlmCancelledError: ``cancel_event`` was set.
        """
        if self._closed:
            raise LlmUnavailableError("provider is closed")
        self._fail_fast_if_open()
        task = asyncio.current_task()
        watcher: asyncio.Task[None] | None = None
        fired: list[bool] = []
        if cancel_event is not None and task is not None:
            if cancel_event.is_set():
                raise LlmCancelledError("cancelled before start")
            watcher = asyncio.create_task(self._watch_cancel(cancel_event, task, fired))
        try:
            if self.customer_wait is None:
                return await self._chat_in_slot(messages, on_token)
            try:
                async with asyncio.timeout(self.customer_wait):
                    return await self._chat_in_slot(messages, on_token)
            except TimeoutError:
                logger.info("chat gave up after %g s (customer wait)", self.customer_wait)
                raise LlmTimeoutError(
                    f"no reply within the customer's wait of {self.customer_wait:g} s"
                ) from None
        except asyncio.CancelledError:
            if fired and task is not None and task.uncancel() == 0:
                raise LlmCancelledError("cancelled by event") from None
            raise
        finally:
            if watcher is not None:
                watcher.cancel()

    @staticmethod
    async def _watch_cancel(
        event: asyncio.Event, task: asyncio.Task[Any], fired: list[bool]
    ) -> None:
        await event.wait()
        fired.append(True)
        task.cancel()

    async def _chat_in_slot(
        self, messages: Sequence[ChatMessage], on_token: Callable[[str], None] | None
    ) -> str:
        await self._gate.acquire()
        trial = False
        try:
            trial = self._enter_breaker()
            started = time.monotonic()
            logger.debug(
                "chat start: %d messages, %d chars",
                len(messages),
                sum(len(m.get("content", "")) for m in messages),
            )
            text = await self._generate(messages, on_token)
        except asyncio.CancelledError:
            if trial:
                self._trial_running = False  # not a failure: let the next call try
            raise
        except LlmCircuitOpenError:
            raise
        except LlmModelMissingError:
            if trial:
                self._trial_running = False
            raise
        except LlmUnavailableError as exc:
            self._record_failure(exc)
            raise
        finally:
            self._gate.release()
        self._record_success()
        logger.debug("chat done: %d chars in %.2f s", len(text), time.monotonic() - started)
        return text

    async def _generate(
        self, messages: Sequence[ChatMessage], on_token: Callable[[str], None] | None
    ) -> str:
        parts: list[str] = []
        loop = asyncio.get_running_loop()
        end = loop.time() + self.request_timeout
        streaming = False
        done = False
        try:
            # First the short time-to-first-token limit; once the model streams, the total.
            async with asyncio.timeout_at(loop.time() + self.first_token_timeout) as clock:
                stream = await self._client.chat(
                    model=self.model,
                    messages=[dict(m) for m in messages],
                    stream=True,
                    keep_alive=self.keep_alive,
                    options=self.options or None,
                )
                try:
                    async for chunk in stream:
                        if not streaming:
                            streaming = True
                            clock.reschedule(end)
                        piece = chunk.message.content or ""
                        if piece:
                            parts.append(piece)
                            self._emit_token(on_token, piece)
                        if chunk.done:
                            done = True
                finally:
                    # Close the generator (and its HTTP response) now, not at GC time.
                    aclose = getattr(stream, "aclose", None)
                    if aclose is not None:
                        await aclose()
        except TimeoutError as exc:
            if not streaming:
                raise LlmTimeoutError(
                    f"no first token within {self.first_token_timeout:g} s"
                ) from exc
            raise LlmTimeoutError(f"no reply within {self.request_timeout:g} s") from exc
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
        text = "".join(parts)
        if not done:
            logger.warning("ollama stream ended without done after %d chars", len(text))
        require_complete_stream(done, "ollama", len(text))
        return text

    @staticmethod
    def _emit_token(on_token: Callable[[str], None] | None, piece: str) -> None:
        if on_token is None:
            return
        try:
            on_token(piece)
        except Exception:
            # A broken preview must not lose the reply.
            logger.exception("on_token callback failed")

    # -- circuit breaker ---------------------------------------------------------------------

    def _cooldown_over(self) -> bool:
        return (
            self._opened_at is not None
            and time.monotonic() - self._opened_at >= self.breaker_cooldown
        )

    def _fail_fast_if_open(self) -> None:
        if self._opened_at is not None and not self._cooldown_over():
            raise LlmCircuitOpenError("too many recent failures")

    def _enter_breaker(self) -> bool:
        """Check the breaker once a slot is held; True if this call is the half-open trial."""
        if self._opened_at is None:
            return False
        if not self._cooldown_over() or self._trial_running:
            raise LlmCircuitOpenError("too many recent failures")
        self._trial_running = True
        return True

    def _record_success(self) -> None:
        if self._opened_at is not None:
            logger.info("ollama circuit closed")
        self._failures = 0
        self._opened_at = None
        self._trial_running = False
        self._set_state(LlmState.UP, "ok")

    def _record_failure(self, exc: LlmUnavailableError) -> None:
        self._failures += 1
        reopen = self._trial_running
        self._trial_running = False
        if reopen or self._failures >= self.breaker_threshold:
            if self._opened_at is None:
                logger.warning(
                    "ollama circuit opened after %d failures (%s)", self._failures, exc.code
                )
            self._opened_at = time.monotonic()
            self._set_state(LlmState.CIRCUIT_OPEN, exc.code)

    # -- state -------------------------------------------------------------------------------

    def _set_healthy(self, detail: str) -> None:
        # A healthy probe does not close the breaker: only a successful trial chat does. After
        # the cool-down the state shows UP and the next chat is the trial.
        if self.circuit_open:
            self._set_state(LlmState.CIRCUIT_OPEN, self._detail)
        else:
            self._set_state(LlmState.UP, detail)

    def _set_state(self, state: LlmState, detail: str | None) -> None:
        changed = state is not self._state
        self._state = state
        self._detail = detail
        if not changed:
            return
        logger.info("ollama state: %s (%s)", state.value, detail)
        if self._hub is not None:
            self._hub.publish(LlmStateChanged(state=state.value, model=self.model, detail=detail))

    # -- lifecycle ---------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close both HTTP clients; the provider cannot be used afterwards."""
        if self._closed:
            return
        self._closed = True
        # ollama's close() is unannotated; it closes its httpx client.
        await self._client.close()  # type: ignore[no-untyped-call]
        await self._http.aclose()

    async def __aenter__(self) -> OllamaProvider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
