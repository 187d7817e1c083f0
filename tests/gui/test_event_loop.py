"""The window's loop (gui/event_loop.py): asyncio's order and errors, Qt's events between slices.

These run on the loop the GUI tests use (tests/conftest.py builds it with ``new_event_loop``).
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from PySide6.QtCore import QEventLoop, QTimer

from wabot_desktop.gui.event_loop import SlicedEventLoop


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@pytest.mark.asyncio
async def test_the_gui_tests_and_the_app_run_on_the_sliced_loop() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, SlicedEventLoop)
    assert loop.slice_s == pytest.approx(0.004)


@pytest.mark.asyncio
async def test_callbacks_run_in_order_and_qt_events_get_in_between_slices() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, SlicedEventLoop)
    order: list[int] = []
    qt_ticks: list[int] = []  # how many callbacks had run when each Qt timer event came
    done = asyncio.Event()
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: qt_ticks.append(len(order)))
    timer.start()
    try:
        total = 60

        def work(n: int) -> None:
            _busy(0.001)  # 60 ms of callbacks, all due at once
            order.append(n)
            if n == total - 1:
                done.set()

        slices_before = loop.slices
        for n in range(total):
            loop.call_soon(work, n)
        await asyncio.wait_for(done.wait(), timeout=10)
    finally:
        timer.stop()
    assert order == list(range(total))
    # 4 ms slices of 1 ms callbacks: many slices, and Qt's timer ran between them (with
    # qasync's own scheduling all 60 ran in one pass, the Qt timer only before or after).
    assert loop.slices - slices_before >= total // 5
    inside = [t for t in qt_ticks if 0 < t < total]
    assert len(inside) >= 5, qt_ticks


@pytest.mark.asyncio
async def test_a_modal_loop_opened_by_a_callback_still_runs_the_callbacks_behind_it() -> None:
    """A callback that opens a modal dialog (a nested Qt loop, as ``QMessageBox.exec``) must not
    hold back the asyncio callbacks queued after it until the dialog closes."""
    loop = asyncio.get_running_loop()
    inner = QEventLoop()
    safety = QTimer()  # the test fails instead of hanging
    safety.setSingleShot(True)
    safety.setInterval(3000)
    safety.timeout.connect(inner.quit)
    done: asyncio.Future[bool] = loop.create_future()  # no polling: nothing else queues meanwhile
    ran: list[str] = []

    def opens_a_modal_loop() -> None:
        safety.start()
        inner.exec()
        safety.stop()
        done.set_result("second" in ran)

    def second() -> None:
        ran.append("second")
        inner.quit()

    loop.call_soon(opens_a_modal_loop)
    loop.call_soon(second)
    assert await asyncio.wait_for(done, timeout=10), "the callback behind it waited for the modal"


@pytest.mark.asyncio
async def test_a_failing_callback_goes_to_the_exception_handler_and_the_rest_still_run() -> None:
    loop = asyncio.get_running_loop()
    seen: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    ran: list[str] = []
    try:

        def boom() -> None:
            raise ValueError("broken callback")

        loop.call_soon(ran.append, "before")
        loop.call_soon(boom)
        cancelled = loop.call_soon(ran.append, "cancelled")
        cancelled.cancel()
        loop.call_soon(ran.append, "after")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert ran == ["before", "after"]
    assert len(seen) == 1 and isinstance(seen[0]["exception"], ValueError)


@pytest.mark.asyncio
async def test_call_soon_threadsafe_from_another_thread_lands_on_the_loop() -> None:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()
    gui_thread = threading.get_ident()

    def from_thread() -> None:
        loop.call_soon_threadsafe(
            lambda: future.set_result(
                "gui thread" if threading.get_ident() == gui_thread else "wrong thread"
            )
        )

    worker = threading.Thread(target=from_thread)
    worker.start()
    assert await asyncio.wait_for(future, timeout=5) == "gui thread"
    worker.join()


def test_a_closed_loop_refuses_new_callbacks_and_drops_queued_ones(qapp: object) -> None:
    loop = SlicedEventLoop(qapp)  # type: ignore[arg-type]
    ran: list[int] = []
    loop.call_soon(ran.append, 1)
    loop.close()
    with pytest.raises(RuntimeError, match="closed"):
        loop.call_soon(ran.append, 2)
    assert ran == []


@pytest.mark.asyncio
async def test_a_coroutine_or_a_non_callable_is_refused_where_it_is_scheduled() -> None:
    loop = asyncio.get_running_loop()

    async def coroutine_function() -> None:
        return None

    with pytest.raises(TypeError, match="coroutines"):
        loop.call_soon(coroutine_function)
    with pytest.raises(TypeError, match="callable"):
        loop.call_soon(42)  # type: ignore[arg-type]
