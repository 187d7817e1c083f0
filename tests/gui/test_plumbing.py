"""The bridge, single-instance guard, task ownership and the PySide workaround."""

from __future__ import annotations

import asyncio
import gc
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from wabot_desktop.core import events
from wabot_desktop.core.dto import MessageStatus
from wabot_desktop.core.events import EventHub
from wabot_desktop.gui.bridge import CoreBridge
from wabot_desktop.gui.pyside_workarounds import needs_pinning
from wabot_desktop.gui.single_instance import SingleInstance, instance_key, notify_running
from wabot_desktop.gui.tasks import TaskOwner


def test_bridge_keeps_early_events_and_emits_typed_signals(qtbot: QtBot) -> None:
    hub = EventHub()
    bridge = CoreBridge(hub)
    received: list[tuple[int, int]] = []
    statuses: list[tuple[int, int, MessageStatus]] = []
    bridge.message_received.connect(lambda cid, mid: received.append((cid, mid)))
    bridge.message_status_changed.connect(lambda *args: statuses.append(args))
    hub.publish(events.MessageReceived(conversation_id=1, message_id=2, contact_id=3))
    assert received == []  # kept until the window is ready
    bridge.start_delivery()
    assert received == [(1, 2)]
    hub.publish(
        events.MessageStatusChanged(conversation_id=1, message_id=2, status=MessageStatus.READ)
    )
    assert statuses == [(1, 2, MessageStatus.READ)]
    with qtbot.waitSignal(bridge.bot_pause_changed) as blocker:
        hub.publish(events.BotPauseChanged(paused=True))
    assert blocker.args == [True]
    bridge.close()
    hub.publish(events.MessageReceived(conversation_id=9, message_id=9, contact_id=9))
    assert received == [(1, 2)]


def test_second_launch_raises_the_first_window(qtbot: QtBot, tmp_path: Path) -> None:
    key = instance_key(tmp_path)
    assert key == instance_key(tmp_path / ".")  # same folder, same key
    assert key != instance_key(tmp_path / "other")
    assert not notify_running(key)
    first = SingleInstance(key)
    assert first.listen()
    try:
        with qtbot.waitSignal(first.raise_requested, timeout=3000):
            assert notify_running(key)
    finally:
        first.close()


def test_task_owner_refuses_work_after_close() -> None:
    async def scenario() -> None:
        owner = TaskOwner("test")
        done: list[int] = []

        async def work() -> None:
            done.append(1)

        task = owner.spawn(work(), name="one")
        assert task is not None
        await task
        owner.close()
        assert owner.spawn(work(), name="two") is None
        assert done == [1]

    asyncio.run(scenario())


class _Emitter(QObject):
    fired = Signal()


@pytest.mark.skipif(not needs_pinning(), reason="True/False/None are immortal here")
def test_many_signals_do_not_exhaust_true() -> None:
    """Regression guard for the PySide6 6.12 reference leak (see pyside_workarounds)."""
    emitter = _Emitter()
    emitter.fired.connect(lambda: None)
    before = sys.getrefcount(True)
    for _ in range(20_000):
        emitter.fired.emit()
    gc.collect()
    assert sys.getrefcount(True) > 1 << 30  # pinned, so the leak can never reach zero
    assert before > 1 << 30
