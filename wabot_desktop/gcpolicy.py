"""Full garbage collections at moments that do not hurt (the desktop app, issue 10).

After the start-up ``gc.freeze()`` CPython still runs a full (generation 2) collection now and
then, on its own schedule: with the window, the bot and the webhook server in one process a full
pass over a big history takes ~25 ms here, and when it lands in the middle of a burst of
customer messages it adds that to a paint and to every acknowledgement waiting for the GIL
(bench/gui_history.py). :class:`IdleCollector` switches the automatic full passes off (the young
generations keep their thresholds: they are cheap and free most garbage) and runs the full pass
itself:

* when the bot has nothing to do and the event loop is on time, at most once every
  ``min_interval_s``;
* in any case once ``max_interval_s`` went by without one, so a shop that never goes quiet
  still frees its reference cycles (memory stays bounded).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

# gc's generation-2 threshold counts generation-1 collections: this many never happen.
_NEVER = 1_000_000_000


class IdleCollector:
    """Owns the full collections of this process while installed."""

    def __init__(
        self,
        busy: Callable[[], bool],
        *,
        min_interval_s: float = 10.0,
        max_interval_s: float = 120.0,
        tick_s: float = 1.0,
        late_s: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[int], int] = gc.collect,
    ) -> None:
        self._busy = busy
        self.min_interval_s = min_interval_s
        self.max_interval_s = max_interval_s
        self.tick_s = tick_s
        self.late_s = late_s  # a loop this late (s) is busy painting or handling messages
        self._clock = clock
        self._collect = collect
        self._saved: tuple[int, int, int] | None = None
        self._last = clock()
        self.collections = 0
        self.forced = 0

    @property
    def installed(self) -> bool:
        return self._saved is not None

    def install(self) -> None:
        """Automatic full passes off (the young generations unchanged)."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            gen0, gen1, _ = self._saved
            gc.set_threshold(gen0, gen1, _NEVER)
        self._last = self._clock()

    def uninstall(self) -> None:
        """CPython's own schedule again."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def step(self, late_s: float) -> bool:
        """One check (``late_s``: how late the loop woke up); True if it collected."""
        since = self._clock() - self._last
        if since >= self.max_interval_s:
            self.forced += 1
        elif since < self.min_interval_s or late_s > self.late_s or self._busy():
            return False
        started = time.perf_counter()
        found = self._collect(2)
        self._last = self._clock()
        self.collections += 1
        logger.debug(
            "full collection: %d unreachable, %.1f ms", found, (time.perf_counter() - started) * 1e3
        )
        return True

    async def run(self) -> None:
        """Installed until cancelled; checks every ``tick_s`` on the running loop."""
        loop = asyncio.get_running_loop()
        self.install()
        try:
            while True:
                before = loop.time()
                await asyncio.sleep(self.tick_s)
                self.step(loop.time() - before - self.tick_s)
        finally:
            self.uninstall()
