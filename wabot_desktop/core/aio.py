"""Small asyncio helpers shared by the core's long-lived tasks."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine
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


def fast_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop's loop where it is installed (not on Windows), else the standard one."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop


class LoopThread:
    """An event loop on a thread of its own (the webhook server's: acks never wait for the
    loop the bot and the GUI share).

    :meth:`start` returns once the loop runs; :meth:`stop` (from another loop) cancels what is
    left on it, closes it and waits for the thread to end without blocking the caller's loop.
    Each start is a fresh thread and loop, so a core that stops and starts again (a mode switch)
    leaves no thread behind.
    """

    def __init__(
        self,
        name: str,
        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
    ) -> None:
        self.name = name
        self._factory = loop_factory or fast_loop_factory()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._on_exit: Callable[[], None] | None = None  # set by stop(), called by the thread

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def start(self) -> asyncio.AbstractEventLoop:
        """Start the thread; returns its loop, already running."""
        if self._thread is not None:
            raise RuntimeError(f"{self.name} already started")
        loop = self._factory()
        running = threading.Event()
        self._on_exit = None
        thread = threading.Thread(target=self._main, args=(loop, running), name=self.name)
        thread.daemon = True  # never keeps a crashed process alive; stop() ends it normally
        self.loop, self._thread = loop, thread
        thread.start()
        running.wait()
        return loop

    def _main(self, loop: asyncio.AbstractEventLoop, running: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(running.set)
        try:
            loop.run_forever()
        finally:
            try:
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()
                on_exit = self._on_exit
                if on_exit is not None:
                    on_exit()

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on this thread's loop and await its result from the caller's loop."""
        assert self.loop is not None, "not started"
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    async def stop(self) -> None:
        """Stop the loop and wait (without blocking the caller's loop) for the thread's end."""
        loop, thread = self.loop, self._thread
        self.loop = self._thread = None
        if loop is None or thread is None:
            return
        caller = asyncio.get_running_loop()
        ended: asyncio.Future[None] = caller.create_future()

        def on_exit() -> None:  # on the ending thread, its loop closed
            with contextlib.suppress(RuntimeError):  # the caller's loop is closed
                caller.call_soon_threadsafe(_set_done, ended)

        self._on_exit = on_exit
        with contextlib.suppress(RuntimeError):  # already closed: the thread is ending
            loop.call_soon_threadsafe(loop.stop)
        while thread.is_alive() and not ended.done():
            # Normally one wait; the re-check covers a thread that ended on its own before
            # on_exit was set (it could not call it then).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.5):
                    await asyncio.shield(ended)
        thread.join()  # its last statement ran: returns at once


def _set_done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
