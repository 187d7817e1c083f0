"""The window's asyncio loop: qasync's, with ready callbacks run in slices between Qt's events.

qasync turns every ``call_soon`` (each task step, each future's done-callback, each
``call_soon_threadsafe`` from the core's threads) into a Qt timer of its own, and Qt fires every
timer that is due in one pass before it paints or reads input again. With the bot answering
many chats at once, hundreds of task steps become due together and one pass runs them all: the
window misses frames meanwhile (bench/gui_history.py, bench/README.md).

:class:`SlicedEventLoop` keeps those callbacks in one FIFO queue, as asyncio's own loops do, and
runs it from a single zero-delay Qt timer for at most ``slice_s`` at a time (at least one
callback per slice); what is left runs in the next slice, after Qt has handled its other events
(painting, input, the window's timers). Order is kept: callbacks run in the order they were
queued. Delayed callbacks (``call_later``), sockets and executors stay qasync's.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import time
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QCoreApplication

SLICE_S = 0.004  # a quarter of a 60 Hz frame


class SlicedEventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync ships no types
    """qasync's loop, with ``call_soon`` callbacks run in time slices from one Qt timer."""

    def __init__(
        self, app: QCoreApplication | None = None, *, slice_s: float = SLICE_S, **kwargs: Any
    ) -> None:
        super().__init__(app, **kwargs)
        self.slice_s = slice_s
        self._ready: collections.deque[asyncio.Handle] = collections.deque()
        self._armed = False
        self.slices = 0  # slices run so far (tests, benchmarks)

    def call_soon(
        self,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        """Queue ``callback(*args)`` to run in the next slice (FIFO, like asyncio's loops)."""
        if self.is_closed():
            raise RuntimeError("Event loop is closed")
        # qasync's own checks: a mistake fails here, where it was made, not later in a slice.
        if asyncio.iscoroutinefunction(callback) or asyncio.iscoroutine(callback):
            raise TypeError("coroutines cannot be used with call_soon()")
        if not callable(callback):
            raise TypeError(f"a callable object was expected by call_soon(), got {callback!r}")
        handle = asyncio.Handle(callback, args, self, context)
        self._ready.append(handle)
        self._arm()
        return handle

    def close(self) -> None:
        """Close the loop; callbacks still queued are dropped (as asyncio's loops do)."""
        super().close()
        self._ready.clear()

    def _arm(self) -> None:
        if not self._armed:
            self._armed = True
            super().call_later(0, self._run_slice)

    def _run_slice(self) -> None:
        self._armed = False
        self.slices += 1
        ready = self._ready
        # Only what was queued before the slice began: a callback that queues another (a task
        # step after a future's callback) lets Qt's events in before it runs.
        count = len(ready)
        deadline = time.perf_counter() + self.slice_s
        while count and ready:  # a nested slice (see below) may have run some already
            count -= 1
            handle = ready.popleft()
            if ready and not self._armed:
                # The next slice is due before this callback runs: if it opens a modal dialog
                # (a nested Qt loop) the callbacks behind it still run meanwhile, as they do
                # with qasync's one timer per callback.
                self._arm()
            if not handle.cancelled():
                handle._run()  # errors go to the loop's exception handler, as in asyncio
            if time.perf_counter() >= deadline:
                break


def new_event_loop(app: QCoreApplication | None = None) -> SlicedEventLoop:
    """The loop every WaBot window runs on (the app, its GUI tests and benchmarks)."""
    return SlicedEventLoop(app)
