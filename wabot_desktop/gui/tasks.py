"""Owned background tasks for widgets and models (house style 8: no unkept ``create_task``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class TaskOwner:
    """Keeps references to the asyncio tasks one object starts and logs their failures.

    Models and widgets start short tasks (load a page, refresh one row). Each task is kept until it
    finishes, so it is never garbage-collected half way, and ``cancel_all`` stops them when the
    owner goes away.
    """

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def spawn(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        name: str,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[T] | None:
        """Run ``coro`` on the current loop; failures go to ``on_error`` or the log.

        Returns None (and discards ``coro``) once the owner is closed or no loop is running:
        a timer of a closed window must not start work on a loop that is gone.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self._closed or loop is None:
            coro.close()
            logger.debug("%s: %s not started (owner closed or no running loop)", self._owner, name)
            return None
        task = loop.create_task(coro, name=f"{self._owner}:{name}")
        self._tasks.add(task)

        def _done(done: asyncio.Task[T]) -> None:
            self._tasks.discard(done)
            if done.cancelled():
                return
            exc = done.exception()
            if exc is None:
                return
            if on_error is not None:
                on_error(exc)
            else:
                logger.error("background task %s failed", done.get_name(), exc_info=exc)

        task.add_done_callback(_done)
        return task

    @property
    def pending(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    def cancel_all(self) -> None:
        """Cancel every running task."""
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()

    def close(self) -> None:
        """Cancel every task and refuse new ones (the owner is going away)."""
        self._closed = True
        self.cancel_all()
