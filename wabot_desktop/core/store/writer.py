"""Group commit for webhooks: concurrent bodies share one fsync'd transaction.

Each POST hands its verified body to :meth:`IngestWriter.submit` and waits for its commit.
Hand-offs are per batch, not per request:

* loop -> DB thread: ``submit`` appends to a pending list; only when no drain is queued or
  running does it queue one on the DB thread (:meth:`Database.submit`), at the end of the
  current loop iteration so the whole burst of that iteration goes in one batch. Bodies arriving
  while a batch is being stored just join the list: no wake-up, no task, no future chain per
  body.
* on the DB thread, a drain takes everything pending (up to ``max_batch``), stores it in ONE
  transaction (:func:`apply_batch`: one savepoint for the group, a savepoint per body only if
  one fails) and commits once (one fsync).
* DB thread -> loops: ONE ``call_soon_threadsafe`` per batch answers every waiter on the loop
  it submitted from (the webhook server's own thread, see core/server.py), and ONE per batch runs
  the post-commit callbacks on the core's main loop (the loop :meth:`IngestWriter.run` runs on:
  the engine, the event hub and the GUI live there). When both are the same loop it is one hop.
  A drain goes ahead of the other DB work already queued (the bot's writes, a settings save:
  :meth:`Database.submit_first`), so an acknowledgement waits at most for the job in progress;
  if more bodies are pending after it, the next drain runs after the next other job, so a flood
  and the bot take turns and neither starves.

Two shortcuts for the common case (issue 17):

* a small batch (at most ``inline_max`` bodies) is committed right on the submitting loop's
  thread (the webhook server's own) with the database's ``write_lock`` held, the lock every job
  of the DB thread holds too, so writes still never interleave. Only when that lock is free:
  the loop never waits for the DB thread's current job (a bot turn's write would hold every
  other request); a busy DB thread gets the batch ahead of its queue instead.
  No hop to the DB thread and back: at concurrency 1 those two wake-ups were most of an ack.
  Larger batches go to the DB thread, whose commit overlaps the loop's parsing of the next ones;
* a batch of customer messages (no staff echo, no status) is stored with compiled statements on
  the writer's own DBAPI connection (:meth:`Database.raw_transaction`), without an ORM session,
  whose begin/commit bookkeeping cost more than the statements of a one-body batch.

Under load the list fills while a commit is in flight, so one fsync serves many webhooks; with
one webhook at a time it is one commit each. Nothing is answered before its commit returned.

Acknowledged first, parsed just after (issue 17, :class:`Deferral`): a batch of several bodies
(a burst), or a body sent right after the previous one was answered (a stream, as a
redelivery on one connection), is committed as bodies only, into ``pending_webhooks``, and
answered; parsing them into messages, statuses and their ``raw_events`` copy (most of a body's
cost) waits until no body has arrived for ``quiet_s``. During a long burst one small slice is
parsed every ``flood_every_s``, so the bot and the monitor keep hearing of new messages; at
``max_backlog`` pending bodies each drain parses as many as it stores, and acknowledgements slow
to the parse rate again. While any body is pending every new one queues behind it (messages keep
their order); a body alone at a calm moment (a customer writing) is still parsed in its own
commit, before its 200. Pending bodies are
durable: after a crash they are parsed at the next start (:meth:`IngestWriter.run`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from wabot_desktop.core.errors import StorageError
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import (
    IngestItem,
    IngestOutcome,
    PendingBody,
    apply_batch,
    apply_batch_raw,
    count_pending,
    needs_session,
    oldest_pending,
    parse_pending,
    store_pending_raw,
)

logger = logging.getLogger(__name__)

CommittedCallback = Callable[[list[IngestOutcome]], None]
_Waiter = tuple[IngestItem, "asyncio.Future[IngestOutcome]"]


# A graceful stop parses what is pending in transactions of this many bodies.
FLUSH_SLICE = 256


@dataclass(frozen=True, slots=True)
class Deferral:
    """When a committed body may wait for its parse (see the module docstring)."""

    min_batch: int = 2  # a batch of this many bodies is stored as bodies first (1: every one)
    # A body alone is stored as a body first too when the previous one was answered less than
    # this long ago: a stream of back-to-back webhooks (one connection, no pause between them),
    # not a customer writing. 0: never.
    stream_gap_s: float = 0.002
    quiet_s: float = 0.005  # parse once no body came or was answered for this long
    flood_every_s: float = 0.1  # during a burst, one slice of flood_slice this often
    flood_slice: int = 16
    slice: int = 64  # bodies per parse transaction when quiet (~10 ms of the DB thread)
    retry_s: float = 1.0  # after a parse transaction failed (disk full): wait, then again
    max_backlog: int = 100_000  # at this many pending, each drain parses as many as it stores


def deferral_from_env(environ: Mapping[str, str]) -> Deferral | None:
    """WABOT_INGEST_DEFER: ``0`` parses every body in its own commit, ``always`` defers even a
    body alone, anything else the default; WABOT_INGEST_PARSE_AFTER_MS sets ``quiet_s`` (a
    long one holds every parse back: tests/e2e kills serve between an ack and its parse)."""
    mode = environ.get("WABOT_INGEST_DEFER", "").strip().lower()
    if mode == "0":
        return None
    deferral = Deferral(min_batch=1) if mode == "always" else Deferral()
    after_ms = environ.get("WABOT_INGEST_PARSE_AFTER_MS", "").strip()
    if after_ms:
        quiet = max(0.0, float(after_ms) / 1000)
        deferral = dataclasses.replace(
            deferral, quiet_s=quiet, flood_every_s=max(deferral.flood_every_s, quiet)
        )
    return deferral


class IngestWriter:
    """Batches bodies onto the DB thread; ``submit`` returns only after the body is committed."""

    def __init__(
        self,
        db: Database,
        *,
        max_batch: int = 256,
        inline_max: int = 0,
        deferral: Deferral | None = None,
    ) -> None:
        self._db = db
        self._max_batch = max_batch
        # None: every body is parsed in its own commit (PostgreSQL, WABOT_INGEST_DEFER=0).
        self.deferral = deferral
        self._backlog: int | None = None  # pending_webhooks rows; None until counted
        self._parse_scheduled = False  # a parse tick is armed or a parse job queued (_lock)
        self._last_activity = 0.0  # time.monotonic() of the latest submit or answer
        self._last_answer = 0.0  # time.monotonic() of the latest answer
        # time.monotonic() of the latest parse slice, or of the start of the current backlog:
        # a burst's first slice comes flood_every_s into it.
        self._last_parse = time.monotonic()
        self._retry_at = 0.0  # no parse before this time.monotonic() (after a failure)
        self._stopped = False
        # A batch of at most this many bodies is committed on the submitting loop's thread
        # when the DB thread is free (no hop there and back); larger ones go to the DB thread,
        # whose commit overlaps the loop's parsing of the next requests. 0: always the DB thread.
        self.inline_max = inline_max
        self._lock = threading.Lock()
        self._pending: list[_Waiter] = []  # guarded by _lock
        # Submitted and not answered yet (under _lock): while a commit is in flight no new body
        # arrives (its senders wait for their 200), which is not a quiet moment.
        self._in_flight = 0
        self._draining = False  # a drain is queued or running on the DB thread (under _lock)
        # The core's main loop: post-commit callbacks run there (the loop the writer is made
        # on, or the one run() runs on).
        self._main_loop: asyncio.AbstractEventLoop | None = None
        with contextlib.suppress(RuntimeError):  # made outside a loop: run() or submit() sets it
            self._main_loop = asyncio.get_running_loop()
        self._on_committed: list[CommittedCallback] = []
        self.batches = 0
        self.items = 0

    def add_committed_callback(self, callback: CommittedCallback) -> None:
        """Called on the main loop with the outcomes of each committed group (after commit)."""
        self._on_committed.append(callback)

    def pending_count(self) -> int:
        """Bodies waiting for their batch's commit (from any thread)."""
        with self._lock:
            return len(self._pending)

    async def submit(self, item: IngestItem) -> IngestOutcome:
        """Store ``item``; raises StorageError if it could not be committed.

        Callable from any loop (the webhook server's thread): the answer comes back on it.
        """
        loop = asyncio.get_running_loop()
        if self._main_loop is None:
            self._main_loop = loop  # no run() (a writer used alone): callbacks run here too
        future: asyncio.Future[IngestOutcome] = loop.create_future()
        self._last_activity = time.monotonic()
        with self._lock:
            self._pending.append((item, future))
            self._in_flight += 1
            start = not self._draining
            self._draining = True
        if start:
            # At the end of this loop iteration, not now: the other handlers resumed in the
            # same iteration add their bodies first, so a burst is one batch (one fsync), not a
            # batch of one followed by the rest.
            loop.call_soon(self._queue_drain)
        try:
            outcome = await future
        finally:
            with self._lock:
                self._in_flight -= 1
            self._last_activity = self._last_answer = time.monotonic()
        if outcome.error is not None:
            raise StorageError("webhook could not be stored") from outcome.error
        return outcome

    async def run(self) -> None:
        """Lifetime of the writer (the supervisor's task, on the core's main loop: post-commit
        callbacks run there); the work itself is on the DB thread."""
        self._main_loop = asyncio.get_running_loop()
        try:
            # Bodies acknowledged before a crash (or a stop) are parsed now.
            backlog = await self._db.run(self._counted_backlog)
            if backlog:
                logger.info("%d acknowledged webhooks wait for their parse", backlog)
                self._schedule_parse()
            await asyncio.Event().wait()  # until cancelled
        finally:
            self._stopped = True

    def backlog(self) -> int:
        """Acknowledged bodies not parsed into rows yet (0 until counted)."""
        return self._backlog or 0

    async def flush(self, budget_s: float) -> int:
        """Parse the acknowledged bodies now, oldest first, for up to ``budget_s`` seconds (a
        graceful stop: the database it leaves holds rows, not bodies). Returns how many are
        left for the next start. A failed parse is rolled back and logged, not raised: its
        bodies stay pending and a stop goes on. (A writer that never ran, as in migrate-to,
        counts them first; a database that cannot even be read raises there.)"""
        deadline = time.monotonic() + budget_s
        if self._backlog is None:
            await self._db.run(self._counted_backlog)
        try:
            while self._backlog and time.monotonic() < deadline:
                if not await self._db.run(self._parse_slice, FLUSH_SLICE):
                    break
        except Exception:
            logger.exception("parsing acknowledged webhooks failed")
        left = self.backlog()
        if left:
            logger.info("%d acknowledged webhooks are parsed at the next start", left)
        return left

    def _counted_backlog(self) -> int:
        """On the DB thread (write lock held): the pending count, read once per writer."""
        if self._backlog is None:
            counted = self._db.raw_transaction(count_pending)
            with self._lock:
                self._backlog = counted
        return self._backlog

    def _queue_drain(self) -> None:
        """On the submitters' loop: commit a small batch here, else queue it on the DB thread."""
        if self.inline_max and self._drain_inline():
            return
        self._queue_on_db_thread()

    def _queue_on_db_thread(self) -> None:
        try:
            # Ahead of the bot's and the GUI's queued writes: an acknowledgement waits for it
            # (they take turns under a flood, see Database.submit_first).
            self._db.submit_first(self._drain)
        except RuntimeError as exc:  # the DB executor is shut down: nothing can be stored
            self._fail_all(exc)

    def _fail_all(self, exc: BaseException) -> None:
        with self._lock:
            group, self._pending = self._pending, []
            self._draining = False
        if group:
            self._post(group, None, exc)

    def _store(self, items: list[IngestItem]) -> list[IngestOutcome]:
        """One transaction for the batch: compiled statements on the writer's own connection,
        or an ORM session when a body needs one (staff echoes, statuses); or the bodies alone
        when they may wait for their parse."""
        deferral = self.deferral
        backlog = self._counted_backlog()
        if backlog or (deferral is not None and self._may_wait(deferral, len(items))):
            outcomes = self._db.raw_transaction(store_pending_raw, items)
            if not backlog:
                self._last_parse = time.monotonic()
            with self._lock:
                self._backlog = backlog + len(items)
            return outcomes
        if any(needs_session(item) for item in items):
            return self._db.session_run_sync(apply_batch, items)
        return self._db.raw_transaction(apply_batch_raw, items)

    def _may_wait(self, deferral: Deferral, count: int) -> bool:
        """Whether a batch of ``count`` bodies is a burst or part of a stream (see Deferral)."""
        if count >= deferral.min_batch:
            return True
        return time.monotonic() - self._last_answer < deferral.stream_gap_s

    def _drain_inline(self) -> bool:
        """Commit a small pending batch here and now if the DB thread is idle; False if not."""
        if self._db.closed:
            return False  # the DB thread's queue refuses it: every waiter gets its error
        lock = self._db.write_lock
        with self._lock:
            if len(self._pending) > self.inline_max:
                return False
        # Never wait here for the DB thread's current job (a bot turn's write, a GUI action):
        # the loop would hold every other request meanwhile. Queued first, it runs next.
        if not lock.acquire(blocking=False):
            return False
        try:
            self._drain()
        finally:
            lock.release()
        return True

    def _drain(self) -> None:
        """On the DB thread: store and commit one batch, hand its outcomes to the loop."""
        with self._lock:
            group = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
        if group:
            items = [item for item, _ in group]
            try:
                outcomes = self._store(items)
            except Exception as exc:
                logger.exception("webhook group of %d could not be committed", len(items))
                self._post(group, None, exc)
            else:
                self.batches += 1
                self.items += len(group)
                deferred = bool(outcomes) and outcomes[0].deferred
                if deferred:
                    self._trim_backlog()
                self._post(group, outcomes, None)
                if deferred:
                    self._schedule_parse()
        with self._lock:
            more = bool(self._pending)
            self._draining = more
        if more:
            # Behind other DB work already queued. Never inline from here: this thread holds
            # the write lock (the DB thread's job, or an inline commit), which is not reentrant.
            self._queue_on_db_thread()

    def _post(
        self,
        group: list[_Waiter],
        outcomes: list[IngestOutcome] | None,
        error: BaseException | None,
    ) -> None:
        """From the DB thread: one hop per loop per batch (the callbacks' and the waiters')."""
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Waiter, IngestOutcome]]] = {}
        for index, waiter in enumerate(group):
            outcome = outcomes[index] if outcomes is not None else IngestOutcome(error=error)
            by_loop.setdefault(waiter[1].get_loop(), []).append((waiter, outcome))
        main = self._main_loop
        good = (
            [o for o in outcomes if o.error is None and not o.deferred]
            if outcomes is not None
            else None
        )
        if not good:
            good = None  # nothing for the callbacks (a deferred batch): no hop for them
        if main is not None and good is not None and main not in by_loop:
            # The callbacks' own hop, before the waiters' (a body's events are on their way
            # to the main loop when its 200 is sent).
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens
                main.call_soon_threadsafe(self._run_callbacks, good)
            good = None
        here: asyncio.AbstractEventLoop | None = None
        with contextlib.suppress(RuntimeError):  # on the DB thread: no loop runs here
            here = asyncio.get_running_loop()  # an inline commit: on the submitters' loop
        for loop, answers in by_loop.items():
            callbacks = good if loop is main else None
            if loop is here:
                loop.call_soon(self._deliver, answers, callbacks)
                continue
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
                loop.call_soon_threadsafe(self._deliver, answers, callbacks)

    def _trim_backlog(self) -> None:
        """On the DB thread, after a batch went in as bodies only: over ``max_backlog``, the
        oldest are parsed down to it before the batch is answered (acks slow to the parse
        rate). The batch is committed already: a failure here is logged, never its 503."""
        limit = self.deferral.max_backlog if self.deferral is not None else 0
        excess = self.backlog() - limit
        if excess <= 0:
            return
        try:
            self._parse_slice(excess)
        except Exception:
            logger.exception("parsing acknowledged webhooks failed")

    def _schedule_parse(self) -> None:
        """From any thread: a parse tick on the main loop, unless one is armed or queued."""
        with self._lock:
            if self._parse_scheduled or not self._backlog:
                return
            self._parse_scheduled = True
        main = self._main_loop
        if main is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: the next start parses
            main.call_soon_threadsafe(self._parse_tick)

    def _parse_tick(self) -> None:
        """On the main loop: queue a parse slice if it is quiet (or one is due), else wait."""
        deferral = self.deferral or Deferral()
        if self._stopped or not self._backlog:
            with self._lock:
                self._parse_scheduled = False
            return
        now = time.monotonic()
        assert self._main_loop is not None
        if now < self._retry_at:
            self._main_loop.call_later(self._retry_at - now, self._parse_tick)
            return
        idle_for = now - self._last_activity
        with self._lock:
            waiting = self._in_flight
        if idle_for >= deferral.quiet_s and not waiting:
            limit = deferral.slice
        elif now - self._last_parse >= deferral.flood_every_s:
            limit = deferral.flood_slice
        else:
            # Again when it may be quiet, or when the next flood slice is due.
            wait = min(
                deferral.quiet_s - idle_for, deferral.flood_every_s - (now - self._last_parse)
            )
            self._main_loop.call_later(max(0.0005, wait), self._parse_tick)
            return
        try:
            self._db.submit(self._parse_job, limit)
        except RuntimeError:  # the database is closed: the next start parses them
            with self._lock:
                self._parse_scheduled = False

    def _parse_job(self, limit: int) -> None:
        """On the DB thread: one slice, then the next tick (the cycle ends at backlog 0)."""
        with self._lock:
            self._parse_scheduled = False
        if self._stopped:
            return
        try:
            self._parse_slice(limit)
        except Exception:
            # Rolled back: the bodies stay pending and the next tick tries them again.
            logger.exception("parsing acknowledged webhooks failed")
            self._retry_at = time.monotonic() + (self.deferral or Deferral()).retry_s
        self._schedule_parse()

    def _parse_slice(self, limit: int) -> int:
        """On the DB thread, write lock held: parse the ``limit`` oldest pending bodies into
        rows in one transaction (each leaves pending_webhooks with its rows); their outcomes go
        to the post-commit callbacks. Returns how many were parsed."""
        self._last_parse = time.monotonic()
        taken = self._db.raw_transaction(oldest_pending, limit)
        if not taken:
            with self._lock:
                self._backlog = 0
            return 0
        items = [item for _, item, _, _ in taken if item is not None]
        if any(needs_session(item) for item in items):
            outcomes = self._db.session_run_sync(parse_pending_session, taken)
        else:
            outcomes = self._db.raw_transaction(parse_pending_raw, taken)
        with self._lock:
            self._backlog = max(0, (self._backlog or 0) - len(taken))
        good = [outcome for outcome in outcomes if outcome.error is None]
        main = self._main_loop
        if good and main is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens
                main.call_soon_threadsafe(self._run_callbacks, good)
        return len(taken)

    def _run_callbacks(self, good: list[IngestOutcome]) -> None:
        """On the main loop: the post-commit callbacks of one batch."""
        for callback in self._on_committed:
            try:
                callback(good)
            except Exception:
                logger.exception("post-commit callback failed")

    def _deliver(
        self,
        answers: list[tuple[_Waiter, IngestOutcome]],
        callbacks: list[IngestOutcome] | None,
    ) -> None:
        """On a submitter's loop: the batch's callbacks if this is the main loop, then every
        waiter of the batch on this loop is answered."""
        if callbacks is not None:
            self._run_callbacks(callbacks)
        for (_, future), outcome in answers:
            if not future.done():
                future.set_result(outcome)


def parse_pending_session(session: Session, taken: list[PendingBody]) -> list[IngestOutcome]:
    return parse_pending(session, None, None, taken)


def parse_pending_raw(cursor: Any, dialect: Any, taken: list[PendingBody]) -> list[IngestOutcome]:
    return parse_pending(None, cursor, dialect, taken)
