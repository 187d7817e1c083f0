"""The machinery every model provider shares: FIFO limit, timeout, circuit breaker, state events.

A provider subclasses :class:`GuardedProvider` and implements ``_stream`` (the server's chunks as
:class:`StreamChunk`), ``check`` and ``warm_up``. Everything else is here, once: a chat waits for
a free slot in arrival order, the generation is bounded by ``request_timeout``, a stream that
ends without its end marker is a failed generation (never a short reply), repeated failures
open the breaker so the bot falls back at once, and state changes are published as
``LlmStateChanged``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ipaddress
import logging
import time
import urllib.parse
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wabot_desktop.core.events import EventHub, LlmStateChanged
from wabot_desktop.core.llm.base import (
    ChatMessage,
    LlmCancelledError,
    LlmCircuitOpenError,
    LlmModelMissingError,
    LlmState,
    LlmTimeoutError,
    LlmUnavailableError,
    require_complete_stream,
)

logger = logging.getLogger(__name__)

# Shown by the core (health, LlmStateChanged); the GUI shows it as it is.
PRIVACY_WARNING = {
    "es": "Las conversaciones salen de esta PC hacia {host}.",
    "en": "Conversations leave this PC for {host}.",
}


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """One piece of a streamed reply; ``final`` marks the server's end-of-reply marker."""

    text: str
    final: bool = False


def url_host(url: str) -> str:
    """The host part of ``url`` (lower case, no brackets); "" if there is none."""
    return (urllib.parse.urlsplit(url if "://" in url else "http://" + url).hostname or "").lower()


def leaves_this_pc(url: str, confirmed_hosts: Sequence[str] = ()) -> str | None:
    """The host customer messages go to when ``url`` is not on this PC, else None.

    Loopback (127.0.0.0/8, ::1, localhost) stays on the PC. A private address (LAN) counts as
    the owner's only when the owner confirmed it (``confirmed_hosts``). A host name other than
    localhost is never resolved here (DNS can change): it always counts as leaving.
    """
    host = url_host(url)
    if not host or host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.is_loopback:
        return None
    confirmed = {h.strip().lower().strip("[]") for h in confirmed_hosts}
    if address.is_private and host in confirmed:
        return None
    return host


def privacy_warning(url: str, confirmed_hosts: Sequence[str] = (), language: str = "es") -> str:
    """The owner-facing warning for ``url`` ("" when conversations stay on this PC)."""
    host = leaves_this_pc(url, confirmed_hosts)
    if host is None:
        return ""
    return PRIVACY_WARNING.get(language, PRIVACY_WARNING["es"]).format(host=host)


def fit_to_context(
    messages: Sequence[ChatMessage], context_tokens: int, *, reply_tokens: int = 512
) -> list[ChatMessage]:
    """Drop the oldest history turns until the prompt fits ``context_tokens`` (0 = no limit).

    The system message (first) and the pending customer text (last) always stay: a server that
    truncates on its own cuts from the front, which would lose the owner's instructions. Tokens
    are estimated at three characters each (Spanish runs close to that).
    """
    kept = list(messages)
    if context_tokens <= 0 or len(kept) <= 2:
        return kept
    budget = max(context_tokens - min(reply_tokens, context_tokens // 4), 1)

    def cost() -> int:
        return sum(len(m.get("content", "")) // 3 + 4 for m in kept)

    dropped = 0
    while len(kept) > 2 and cost() > budget:
        del kept[1]
        dropped += 1
    if dropped:
        logger.info(
            "prompt trimmed to the %d-token context: %d turns dropped", context_tokens, dropped
        )
    return kept


class FifoGate:
    """A counting semaphore that hands free slots to waiters strictly in arrival order."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("max_concurrent must be at least 1")
        self._limit = limit
        self._active = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._idle = asyncio.Event()
        self._idle.set()

    async def wait_idle(self) -> None:
        """Return once no slot is held and nobody waits for one."""
        await self._idle.wait()

    @property
    def active(self) -> int:
        return self._active

    @property
    def waiting(self) -> int:
        return sum(1 for fut in self._waiters if not fut.done())

    async def acquire(self) -> None:
        if self._active < self._limit and not self._waiters:
            self._active += 1
            self._idle.clear()
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
        if self._active == 0:
            self._idle.set()


class GuardedProvider:
    """Shared base of every provider; see the module docstring.

    Subclasses set ``label`` (for logs and error texts) and ``base_url`` (for the privacy
    warning) and implement ``_stream``, ``check``, ``warm_up`` and ``_close_clients``.
    """

    label = "llm"
    provider = "ollama"

    def __init__(
        self,
        *,
        model: str,
        base_url: str,
        request_timeout: float = 60.0,
        first_token_timeout: float | None = None,
        customer_wait: float | None = None,
        max_concurrent: int = 1,
        breaker_threshold: int = 3,
        breaker_cooldown: float = 30.0,
        context_size: int = 0,
        confirmed_hosts: Sequence[str] = (),
        hub: EventHub | None = None,
    ) -> None:
        if breaker_threshold < 1:
            raise ValueError("breaker_threshold must be at least 1")
        self.model = model
        self.base_url = base_url
        self.request_timeout = request_timeout
        # Nothing streamed within this: the model is stuck (much shorter than the total).
        self.first_token_timeout = min(first_token_timeout or request_timeout, request_timeout)
        # What a customer tolerates: slot wait + generation; None = only the timeouts above.
        self.customer_wait = customer_wait
        self.breaker_threshold = breaker_threshold
        self.breaker_cooldown = breaker_cooldown
        self.context_size = context_size
        self.confirmed_hosts = tuple(confirmed_hosts)
        self._hub = hub
        self._gate = FifoGate(max_concurrent)
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
    def remote_host(self) -> str | None:
        """Where customer messages go when the server is not on this PC (else None)."""
        return leaves_this_pc(self.base_url, self.confirmed_hosts)

    @property
    def privacy_warning(self) -> str:
        """The Spanish warning for the owner ("" when conversations stay on this PC)."""
        return privacy_warning(self.base_url, self.confirmed_hosts)

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

    # -- what a provider implements ------------------------------------------------------------

    async def check(self) -> LlmState:
        raise NotImplementedError

    async def warm_up(self) -> None:
        raise NotImplementedError

    def _stream(self, messages: list[dict[str, str]]) -> AsyncGenerator[StreamChunk, None]:
        """The reply's chunks; raises ``LlmUnavailableError`` subclasses for server errors."""
        raise NotImplementedError

    async def _close_clients(self) -> None:
        raise NotImplementedError

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
            LlmIncompleteError: the stream ended without its end marker (half an answer).
            LlmModelMissingError: the model is not on the server.
            LlmResponseError: the server answered with an error.
            LlmUnavailableError: the server is not reachable.
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
                "%s chat start: %d messages, %d chars",
                self.label,
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
        finished = False
        request = [dict(m) for m in fit_to_context(messages, self.context_size)]
        loop = asyncio.get_running_loop()
        end = loop.time() + self.request_timeout
        streaming = False
        try:
            # First the short time-to-first-token limit; once the model streams, the total.
            async with (
                asyncio.timeout_at(loop.time() + self.first_token_timeout) as clock,
                contextlib.aclosing(self._stream(request)) as stream,
            ):
                async for chunk in stream:
                    if not streaming and (chunk.text or chunk.final):
                        streaming = True
                        clock.reschedule(end)
                    if chunk.text:
                        parts.append(chunk.text)
                        self._emit_token(on_token, chunk.text)
                    finished = finished or chunk.final
        except TimeoutError as exc:
            if not streaming:
                raise LlmTimeoutError(
                    f"no first token within {self.first_token_timeout:g} s"
                ) from exc
            raise LlmTimeoutError(f"no reply within {self.request_timeout:g} s") from exc
        text = "".join(parts)
        if not finished:
            logger.warning(
                "%s stream ended without its end marker after %d chars", self.label, len(text)
            )
        require_complete_stream(finished, self.label, len(text))
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
            logger.info("%s circuit closed", self.label)
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
                    "%s circuit opened after %d failures (%s)", self.label, self._failures, exc.code
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
        logger.info("%s state: %s (%s)", self.label, state.value, detail)
        if self._hub is not None:
            self._hub.publish(
                LlmStateChanged(
                    state=state,
                    model=self.model,
                    detail=detail,
                    provider=self.provider,
                    privacy_warning=self.privacy_warning or None,
                )
            )

    # -- lifecycle ---------------------------------------------------------------------------

    async def aclose_when_idle(self) -> None:
        """Close once the chats already holding or awaiting a slot are done (provider switch)."""
        await self._gate.wait_idle()
        await self.aclose()

    async def aclose(self) -> None:
        """Close the provider's HTTP clients; the provider cannot be used afterwards."""
        if self._closed:
            return
        self._closed = True
        await self._close_clients()
