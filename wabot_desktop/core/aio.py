"""Small asyncio helpers shared by the core's long-lived tasks."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def wait_event(event: asyncio.Event, timeout: float) -> bool:
    """Wait up to ``timeout`` s for ``event``; True if it was set.

    asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation that lands
    while the event fires, so a stopping task would carry on (seen as shutdown hangs).
    """
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


class BlockingPool:
    """The core's one named, bounded pool for blocking calls (keyring, files, the tunnel agent,
    large webhook bodies, model downloads).

    Plain threads, never the loop's default executor: qasync's default runs QThreads whose
    QObjects the garbage collector may destroy on another thread (a crash seen with PySide6
    6.12). The database has threads of its own (:class:`~wabot_desktop.core.store.db.Database`):
    one writer, one reader, so blocking calls here never hold up a commit.

    The threads start on first use; :meth:`shutdown` (``Core.stop``) ends them, and a later call
    starts a fresh set (a core that is started again).
    """

    def __init__(self, name: str = "wabot-io", max_workers: int = 4) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.name = name
        self.max_workers = max_workers
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=self.max_workers, thread_name_prefix=self.name
            )
        return self._executor

    def start(self, func: Callable[..., T], /, *args: Any) -> asyncio.Future[T]:
        """Start ``func(*args)`` on the pool; the future resolves on the loop."""
        return asyncio.get_running_loop().run_in_executor(self._pool(), func, *args)

    async def run(self, func: Callable[..., T], /, *args: Any) -> T:
        """Run ``func(*args)`` on the pool and await its result."""
        return await self.start(func, *args)

    def shutdown(self) -> None:
        """Drop queued calls and let the running ones finish on their own (never blocks)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


# For code that runs without a core (CLI commands, components built alone in tests). A running
# core hands its own pool to everything it builds.
SHARED_POOL = BlockingPool("wabot-io-shared", max_workers=2)


async def run_blocking(func: Callable[..., T], /, *args: Any) -> T:
    """Run ``func(*args)`` on the shared pool (code without a core) and await its result."""
    return await SHARED_POOL.run(func, *args)
