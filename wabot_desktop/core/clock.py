"""The core's one clock: monotonic time, wall time, sleeping and timed waits.

Everything in the core that measures or waits out time on its own schedule (the bot engine's
debounce and mode expiry, the outbox's send gaps and retry back-off, the LLM circuit breaker's
cool-down, the tunnel watchdog) asks a :class:`Clock` instead of :mod:`time` and
:func:`asyncio.sleep`. The running app uses :data:`REAL_CLOCK`; a test hands the core a
:class:`TestClock` and moves time forward with :meth:`TestClock.advance` instead of sleeping
through tiny minute settings.

Network timeouts (an HTTP request, the tunnel agent's start-up) stay on the event loop's own
clock: they bound real work on real sockets, which a test clock cannot speed up.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from typing import Protocol, runtime_checkable

from wabot_desktop.core.aio import wait_event


@runtime_checkable
class Clock(Protocol):
    """What the core asks about time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals and deadlines)."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the epoch (for timestamps stored in the database)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return after ``seconds`` of this clock's time (at once for 0 or less)."""
        ...

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        """Wait up to ``timeout`` s of this clock's time for ``event``; True if it was set."""
        ...


class RealClock:
    """The system's clocks and the event loop's timers."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        return await wait_event(event, max(0.0, timeout))


REAL_CLOCK: Clock = RealClock()


class TestClock:
    """Real time plus whatever the test skipped with :meth:`advance`.

    Time keeps flowing as usual (so the rest of a running core, its HTTP servers and database
    threads behave as in production), and :meth:`advance` jumps both the monotonic and the wall
    clock forward at once: every sleep or timed wait whose deadline the jump passes returns
    right away, exactly as if that much time had gone by. A test of a 30-minute quiet period
    then takes milliseconds instead of a sleep over a 0.004-minute setting.
    """

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._offset = 0.0
        self._order = itertools.count()
        # (deadline on this clock's monotonic time, tie-breaker, future to resolve, seconds asked)
        self._timers: list[tuple[float, int, asyncio.Future[None], float]] = []
        self._changed = asyncio.Event()  # a sleeper started or ended (for wait_for_sleepers)

    @property
    def skipped(self) -> float:
        """Seconds jumped over by :meth:`advance` so far."""
        return self._offset

    def monotonic(self) -> float:
        return time.monotonic() + self._offset

    def time(self) -> float:
        return time.time() + self._offset

    @property
    def sleepers(self) -> int:
        """Sleeps and timed waits running on this clock now."""
        return len(self._asleep())

    def _asleep(self, seconds: float | None = None) -> list[float]:
        return [
            asked
            for _, _, future, asked in self._timers
            if not future.done() and (seconds is None or math.isclose(asked, seconds))
        ]

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        await self._until(self.monotonic() + seconds, seconds)

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        if event.is_set():
            return True
        waiter = asyncio.ensure_future(event.wait())
        timer = asyncio.ensure_future(self.sleep(timeout))
        try:
            await asyncio.wait({waiter, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiter, timer):
                task.cancel()
            await asyncio.gather(waiter, timer, return_exceptions=True)
        return waiter.done() and not waiter.cancelled() and event.is_set()

    async def advance(self, seconds: float) -> None:
        """Jump ``seconds`` forward; sleepers whose deadline passed wake up and get to run."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._offset += seconds
        self._fire_due()
        # Let the woken tasks take their next step before the test looks.
        for _ in range(3):
            await asyncio.sleep(0)

    async def wait_for_sleepers(
        self, count: int = 1, *, seconds: float | None = None, timeout: float = 10.0
    ) -> None:
        """Wait (in real time, at most ``timeout`` s) until ``count`` tasks sleep on this clock;
        with ``seconds``, only sleeps (or timed waits) of that length count.

        A test can then advance the clock knowing the code it drives is parked in that wait.

        Raises:
            TimeoutError: fewer such sleepers than that within ``timeout``.
        """
        async with asyncio.timeout(timeout):
            while len(self._asleep(seconds)) < count:
                self._changed.clear()
                await self._changed.wait()

    # -- internals -------------------------------------------------------------------------

    async def _until(self, deadline: float, asked: float) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._timers, (deadline, next(self._order), future, asked))
        self._changed.set()
        # The real timer covers time flowing on its own; advance() covers the jumps.
        handles: list[asyncio.TimerHandle] = []

        def check() -> None:
            remaining = deadline - self.monotonic()
            if future.done():
                return
            if remaining > 0:  # the loop may run a timer a little early: look again then
                handles.append(loop.call_later(remaining, check))
                return
            future.set_result(None)

        handles.append(loop.call_later(max(0.0, deadline - self.monotonic()), check))
        try:
            await future
        finally:
            for handle in handles:
                handle.cancel()
            if not future.done():
                future.cancel()
            self._timers = [t for t in self._timers if not t[2].done()]
            heapq.heapify(self._timers)
            self._changed.set()

    def _fire_due(self) -> None:
        now = self.monotonic()
        while self._timers and self._timers[0][0] <= now:
            future = heapq.heappop(self._timers)[2]
            if not future.done():
                future.set_result(None)
