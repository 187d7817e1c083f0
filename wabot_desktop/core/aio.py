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


# The core's one pool for short blocking calls (keyring, file writes). Plain threads, never the
# loop's default executor: qasync's default runs QThreads whose QObjects the garbage collector
# may destroy on another thread (a crash seen with PySide6 6.12).
_BLOCKING = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="wabot-io")


async def run_blocking(func: Callable[..., T], /, *args: Any) -> T:
    """Run ``func(*args)`` on the core's worker threads and await its result."""
    return await asyncio.get_running_loop().run_in_executor(_BLOCKING, func, *args)
