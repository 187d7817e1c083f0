"""Events across instances on one PostgreSQL (LISTEN/NOTIFY; issue 16)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.pg import PgCluster
from wabot_desktop.core.events import Event, EventHub, ModeChanged, SendBlocked
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.dialect import parse_database_url
from wabot_desktop.core.store.leases import LeaseKind
from wabot_desktop.core.store.notify import SharedEvents

pytestmark = pytest.mark.asyncio


async def _until(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_an_event_on_one_instance_reaches_the_other_once(
    tmp_path: Path, pg_cluster: PgCluster, pg_url: str
) -> None:
    dbs = [Database(tmp_path / f"{n}.db", url=parse_database_url(pg_url)) for n in "ab"]
    hubs = [EventHub(), EventHub()]
    seen: list[list[Event]] = [[], []]
    for hub, got in zip(hubs, seen, strict=True):
        hub.subscribe(got.append)
    remote: list[Event] = []
    shared = [
        SharedEvents(dbs[0], hubs[0]),
        SharedEvents(dbs[1], hubs[1], on_remote=remote.append),
    ]
    try:
        for s in shared:
            s.start()
        await _until(lambda: all(s.listening.is_set() for s in shared))
        hubs[0].publish(ModeChanged(conversation_id=7, mode="human", staff_name="Ana"))
        hubs[0].publish(SendBlocked(reason="local only", error_code=190))  # not shared
        await _until(lambda: len(seen[1]) >= 1)
        assert seen[1] == [ModeChanged(conversation_id=7, mode="human", staff_name="Ana")]
        assert remote == seen[1]
        # The republished event is not sent back: instance A saw only its own two.
        hubs[1].publish(ModeChanged(conversation_id=8, mode="bot"))
        await _until(lambda: any(getattr(e, "conversation_id", 0) == 8 for e in seen[0]))
        assert [type(e).__name__ for e in seen[0]] == ["ModeChanged", "SendBlocked", "ModeChanged"]
        assert len(seen[1]) == 2
    finally:
        for s in shared:
            await s.stop()
        for db in dbs:
            db.close()


async def test_a_lease_is_exclusive_and_dies_with_its_holder(
    tmp_path: Path, pg_cluster: PgCluster, pg_url: str
) -> None:
    a = Database(tmp_path / "a.db", url=parse_database_url(pg_url))
    b = Database(tmp_path / "b.db", url=parse_database_url(pg_url))
    try:
        assert await a.leases.try_acquire(LeaseKind.TURN, 5)
        assert not await a.leases.try_acquire(LeaseKind.TURN, 5)  # a second local task
        assert not await b.leases.try_acquire(LeaseKind.TURN, 5)  # another instance
        assert await b.leases.try_acquire(LeaseKind.OUTBOX, 5)  # another kind is separate
        a.leases.close()  # the holder's connection goes away (as when its process dies)
        await asyncio.wait_for(b.leases.acquire(LeaseKind.TURN, 5), timeout=10)
        await b.leases.release(LeaseKind.TURN, 5)
        assert await a.leases.try_acquire(LeaseKind.TURN, 5)  # reconnects
    finally:
        a.close()
        b.close()
