"""Small asyncio helpers shared by the core's long-lived tasks."""

from __future__ import annotations

import asyncio


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
