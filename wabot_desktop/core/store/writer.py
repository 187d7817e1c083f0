"""Group commit for webhooks: concurrent bodies share one fsync'd transaction.

Each POST hands its parsed body to :meth:`IngestWriter.submit` and waits. A single writer task
takes everything queued so far, stores it in one transaction (a savepoint per body) on the DB
thread, commits once, then answers every waiter. Under load the queue fills while a commit is in
flight, so one fsync serves many webhooks; with one webhook at a time it is one commit each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from wabot_desktop.core.errors import StorageError
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import IngestItem, IngestOutcome, apply_batch

logger = logging.getLogger(__name__)

CommittedCallback = Callable[[list[IngestOutcome]], None]


class IngestWriter:
    """Queue + single writer task; ``submit`` returns only after the body is committed."""

    def __init__(self, db: Database, *, max_batch: int = 256) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[IngestItem, asyncio.Future[IngestOutcome]]] = (
            asyncio.Queue()
        )
        self._on_committed: list[CommittedCallback] = []
        self.batches = 0
        self.items = 0

    def add_committed_callback(self, callback: CommittedCallback) -> None:
        """Called on the loop with the outcomes of each committed group (after commit)."""
        self._on_committed.append(callback)

    async def submit(self, item: IngestItem) -> IngestOutcome:
        """Store ``item``; raises StorageError if it could not be committed."""
        future: asyncio.Future[IngestOutcome] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        outcome = await future
        if outcome.error is not None:
            raise StorageError("webhook could not be stored") from outcome.error
        return outcome

    async def run(self) -> None:
        """The writer loop; runs until cancelled."""
        while True:
            first = await self._queue.get()
            group = [first]
            while len(group) < self._max_batch:
                try:
                    group.append(self._queue.get_nowait())
                except asyncio.QueueEmpty:
                    break
            items = [item for item, _ in group]
            try:
                outcomes = await self._db.session_run(apply_batch, items)
            except Exception as exc:
                logger.exception("webhook group of %d could not be committed", len(items))
                for _, future in group:
                    if not future.done():
                        future.set_result(IngestOutcome(error=exc))
                continue
            self.batches += 1
            self.items += len(items)
            good = [o for o in outcomes if o.error is None]
            for callback in self._on_committed:
                try:
                    callback(good)
                except Exception:
                    logger.exception("post-commit callback failed")
            for (_, future), outcome in zip(group, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
