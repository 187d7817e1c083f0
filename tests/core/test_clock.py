"""The core's clock: the real one, and the test clock that tests advance."""

from __future__ import annotations

import asyncio
import time

import pytest

from wabot_desktop.core.aio import SHARED_POOL, BlockingPool
from wabot_desktop.core.clock import REAL_CLOCK, Clock, RealClock, TestClock

pytestmark = pytest.mark.asyncio


async def test_real_clock_is_the_system_clock() -> None:
    assert isinstance(REAL_CLOCK, RealClock) and isinstance(REAL_CLOCK, Clock)
    assert abs(REAL_CLOCK.time() - time.time()) < 1.0
    assert abs(REAL_CLOCK.monotonic() - time.monotonic()) < 1.0
    event = asyncio.Event()
    assert not await REAL_CLOCK.wait(event, 0.01)
    event.set()
    assert await REAL_CLOCK.wait(event, 10.0)
    await REAL_CLOCK.sleep(-1)  # at once


async def test_advance_moves_both_clocks_and_wakes_a_long_sleep() -> None:
    clock = TestClock()
    assert isinstance(clock, Clock)
    wall, mono = clock.time(), clock.monotonic()
    sleeper = asyncio.create_task(clock.sleep(1800))
    await clock.wait_for_sleepers(1, seconds=1800)
    await clock.advance(1799)
    assert not sleeper.done()
    await clock.advance(1)
    await asyncio.wait_for(sleeper, 5)
    assert clock.time() - wall >= 1800 and clock.monotonic() - mono >= 1800
    assert clock.skipped == 1800
    assert clock.sleepers == 0


async def test_time_still_flows_without_advance() -> None:
    clock = TestClock()
    started = time.monotonic()
    await asyncio.wait_for(clock.sleep(0.05), 5)
    assert time.monotonic() - started >= 0.04


async def test_timed_wait_returns_on_the_event_or_on_advance() -> None:
    clock = TestClock()
    event = asyncio.Event()
    waiting = asyncio.create_task(clock.wait(event, 600))
    await clock.wait_for_sleepers(1, seconds=600)
    event.set()
    assert await asyncio.wait_for(waiting, 5) is True

    event.clear()
    timing_out = asyncio.create_task(clock.wait(event, 600))
    await clock.wait_for_sleepers(1, seconds=600)
    await clock.advance(600)
    assert await asyncio.wait_for(timing_out, 5) is False
    assert clock.sleepers == 0


async def test_a_cancelled_sleep_leaves_no_timer_behind() -> None:
    clock = TestClock()
    sleeper = asyncio.create_task(clock.sleep(60))
    await clock.wait_for_sleepers(1)
    sleeper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeper
    assert clock.sleepers == 0
    with pytest.raises(ValueError):
        await clock.advance(-1)


async def test_wait_for_sleepers_times_out() -> None:
    with pytest.raises(TimeoutError):
        await TestClock().wait_for_sleepers(1, timeout=0.05)


async def test_blocking_pool_is_named_bounded_and_restartable() -> None:
    import threading

    pool = BlockingPool("wabot-test", max_workers=2)
    names = set(
        await asyncio.gather(*(pool.run(lambda: threading.current_thread().name) for _ in range(6)))
    )
    assert names and all(n.startswith("wabot-test") for n in names) and len(names) <= 2
    pool.shutdown()
    assert (await pool.run(lambda: 42)) == 42  # a fresh set of threads after a stop
    pool.shutdown()
    assert await SHARED_POOL.run(sum, [1, 2]) == 3
    with pytest.raises(ValueError):
        BlockingPool(max_workers=0)
