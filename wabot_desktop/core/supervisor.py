"""One owner for every long-lived task: keeps references, logs failures, restarts with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from wabot_desktop.core.events import EventHub, TaskFailed

logger = logging.getLogger(__name__)


class Supervisor:
    """Runs named coroutines; a crash is logged, published as TaskFailed and restarted."""

    def __init__(self, hub: EventHub, *, max_backoff: float = 60.0) -> None:
        self._hub = hub
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._max_backoff = max_backoff

    def spawn(
        self, name: str, factory: Callable[[], Awaitable[None]], *, restart: bool = True
    ) -> None:
        if name in self._tasks and not self._tasks[name].done():
            raise RuntimeError(f"task {name} already running")
        self._tasks[name] = asyncio.create_task(self._guard(name, factory, restart), name=name)

    def task(self, name: str) -> asyncio.Task[None] | None:
        """The task spawned as ``name`` (None if there is none)."""
        return self._tasks.get(name)

    def _report(self, name: str) -> Callable[[RetryCallState], None]:
        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            logger.error("task %s crashed (%r); restarting", name, exc, exc_info=exc)
            self._hub.publish(TaskFailed(task=name, error=type(exc).__name__))

        return before_sleep

    async def _guard(
        self, name: str, factory: Callable[[], Awaitable[None]], restart: bool
    ) -> None:
        if not restart:
            try:
                await factory()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.exception("task %s failed", name)
                self._hub.publish(TaskFailed(task=name, error=type(exc).__name__))
            return
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(Exception),
            wait=wait_exponential(multiplier=0.5, max=self._max_backoff),
            before_sleep=self._report(name),
        ):
            with attempt:
                await factory()

    def running(self) -> list[str]:
        return [name for name, task in self._tasks.items() if not task.done()]

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
