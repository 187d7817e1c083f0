"""The desktop app's full garbage collections: off CPython's schedule, run when idle (issue 10)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from wabot_desktop.gcpolicy import IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def _collector(clock: Clock, busy: list[bool], calls: list[int]) -> IdleCollector:
    def collect(generation: int) -> int:
        calls.append(generation)
        return 0

    return IdleCollector(lambda: busy[0], clock=clock, collect=collect)


def test_install_stops_automatic_full_passes_and_uninstall_restores(
    thresholds: tuple[int, int, int],
) -> None:
    collector = IdleCollector(lambda: False)
    collector.install()
    try:
        gen0, gen1, gen2 = gc.get_threshold()
        assert (gen0, gen1) == thresholds[:2]
        assert gen2 > 1_000_000
        full_before = gc.get_stats()[2]["collections"]
        for _ in range(200_000):  # many young collections' worth of cyclic garbage
            a: list[object] = []
            a.append(a)
        assert gc.get_stats()[2]["collections"] == full_before
        assert gc.get_stats()[0]["collections"] > 0
    finally:
        collector.uninstall()
    assert gc.get_threshold() == thresholds
    assert not collector.installed


def test_collects_only_when_idle_on_time_and_not_too_often() -> None:
    clock, busy, calls = Clock(), [False], list[int]()
    collector = _collector(clock, busy, calls)
    clock.now += 5
    assert not collector.step(0.0)  # too soon after the last one
    clock.now += 6
    busy[0] = True
    assert not collector.step(0.0)  # the bot is answering someone
    busy[0] = False
    assert not collector.step(0.2)  # the loop is late: the window is busy
    assert collector.step(0.001)
    assert calls == [2]
    clock.now += 1
    assert not collector.step(0.0)  # the interval starts again
    assert collector.forced == 0


def test_a_shop_that_never_goes_quiet_still_gets_a_full_pass() -> None:
    clock, busy, calls = Clock(), [True], list[int]()
    collector = _collector(clock, busy, calls)
    for _ in range(119):
        clock.now += 1
        assert not collector.step(0.5)
    clock.now += 1
    assert collector.step(0.5)
    assert (calls, collector.forced) == ([2], 1)


@pytest.mark.asyncio
async def test_run_frees_cycles_on_the_loop_and_restores_when_cancelled(
    thresholds: tuple[int, int, int],
) -> None:
    collector = IdleCollector(lambda: False, min_interval_s=0.0, tick_s=0.01, late_s=1.0)
    task = asyncio.create_task(collector.run())
    await asyncio.sleep(0.05)
    assert collector.installed
    gc.collect()
    gc.disable()  # only the collector may free the cycle now
    try:
        import weakref

        class Node:
            pass

        node = Node()
        node.me = node  # type: ignore[attr-defined]
        ref = weakref.ref(node)
        del node
        for _ in range(100):
            await asyncio.sleep(0.01)
            if ref() is None:
                break
        assert ref() is None
        assert collector.collections > 0
    finally:
        gc.enable()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert gc.get_threshold() == thresholds
