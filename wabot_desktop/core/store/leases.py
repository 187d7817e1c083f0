"""Who works on a conversation when several ``serve`` instances share one PostgreSQL (issue 16).

A lease is a PostgreSQL session-level advisory lock, ``pg_try_advisory_lock(kind, key)``, held on
one dedicated connection of this instance. It is released on purpose when the work is done, and
by the server itself when the instance dies: the dead process's connection closes (``kill -9``:
at once; a host that vanished: when the server's TCP keepalive gives up on it), and its locks go
with it. No row is ever "owned" by a process that no longer exists, and a live instance's work is
never taken over: another instance only gets the lease once the holder let go or is gone.

Two kinds: the bot's turn on a conversation (one LLM turn at a time, in order) and the outbox
lane of a conversation (its replies go out once, in order). On SQLite (one process owns the
file) every lease is granted at once and this is a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from enum import IntEnum
from typing import Any

from sqlalchemy import Engine

logger = logging.getLogger(__name__)


class LeaseKind(IntEnum):
    """The first key of the advisory lock (the conversation id is the second)."""

    TURN = 0x7762_0001  # "wb" + 1
    OUTBOX = 0x7762_0002


class Leases:
    """This instance's advisory-lock leases, on one connection kept for them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._executor: ThreadPoolExecutor | None = None
        self._conn: Any = None  # psycopg connection (autocommit), only touched on _executor
        self._raw: Any = None  # its pool entry (invalidated to close it)
        self._held: set[tuple[int, int]] = set()

    def held(self, kind: LeaseKind, key: int) -> bool:
        return (int(kind), key) in self._held

    async def try_acquire(self, kind: LeaseKind, key: int) -> bool:
        """Take the lease if nobody holds it (False: another task or instance has it)."""
        if not self.shared:
            return True
        lock = (int(kind), key)
        if lock in self._held:
            return False  # another task of this instance has it
        self._held.add(lock)  # reserved before the await: two local tasks never both get it
        try:
            got = await self._call("SELECT pg_try_advisory_lock(%s, %s)", lock)
        except Exception:
            self._held.discard(lock)
            logger.exception("lease connection failed; lease not taken")
            return False
        if not got:
            self._held.discard(lock)
        return bool(got)

    async def acquire(self, kind: LeaseKind, key: int, poll_s: float = 0.1) -> None:
        """Wait until the lease is ours (a holder that dies lets go by itself)."""
        while not await self.try_acquire(kind, key):
            await asyncio.sleep(poll_s)

    async def release(self, kind: LeaseKind, key: int) -> None:
        if not self.shared:
            return
        lock = (int(kind), key)
        if lock not in self._held:
            return
        try:
            await self._call("SELECT pg_advisory_unlock(%s, %s)", lock)
        except Exception:
            # The connection is gone: the server released every lock of it already.
            logger.exception("lease connection failed while releasing")
        finally:
            self._held.discard(lock)

    async def _call(self, sql: str, params: tuple[int, int]) -> Any:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wabot-lease")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, sql, params)

    def _run(self, sql: str, params: tuple[int, int]) -> Any:
        if self._conn is None or self._conn.closed:
            if self._held - {params}:
                # A new connection holds none of the old locks: say so (the holders finish,
                # but another instance may already have taken over).
                logger.warning("lease connection lost: %d leases were released", len(self._held))
                self._held.intersection_update({params})
            raw = self._engine.raw_connection()
            conn: Any = raw.driver_connection
            conn.autocommit = True
            self._raw = raw
            self._conn = conn
        try:
            row = self._conn.execute(sql, params).fetchone()
        except Exception:
            with contextlib.suppress(Exception):
                self._raw.invalidate()
            self._conn = None
            raise
        return row[0] if row else None

    def close(self) -> None:
        """Give every lease back (closing the connection releases them on the server)."""
        if self._executor is not None:
            self._executor.submit(self._close_conn).result(timeout=10)
            self._executor.shutdown(wait=True)
            self._executor = None
        self._held.clear()

    def _close_conn(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._raw.invalidate()  # closes it: the server drops its advisory locks
            self._conn = None
