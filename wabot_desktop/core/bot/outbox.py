"""The outbox sender: sends queued rows through the Graph API, in order, exactly once.

One lane per conversation sends that conversation's rows in order, paced by ``send_gap_s`` (the
per-user pair rate limit). Transient Cloud API errors (429, 5xx, 130429, 131056, network) are
retried in-process with exponential backoff (tenacity), then rescheduled in the database;
permanent ones mark the message failed with its code. A rejected token (190) or a locked account
stops all sending and raises :class:`SendBlocked` until :meth:`OutboxSender.unblock` (or, in
the core's periodic check, until :meth:`OutboxSender.recheck_token` finds the token accepted again).

No reply twice after a stop or a crash:

* :meth:`OutboxSender.drain` (SIGTERM, window close) stops starting sends and lets the ones on the
  wire finish within a grace period, so a graceful stop normally leaves nothing in doubt.
* Each send is recorded as started (``send_started_at``, committed) before the request leaves and
  carries ``biz_opaque_callback_data`` with the row id. A row still marked started at the next
  start is "in doubt": Meta may or may not have accepted it. Start-up waits up to
  ``in_doubt_wait_s`` for a status webhook carrying that callback data (it also finds ones that
  arrived while the app was down and were re-delivered); found -> the row is recorded as sent
  with that status's wamid (``confirmed_by_status``); not found -> it is sent again
  (``resent_no_status``). The decision is stored in ``outbox.in_doubt_decision`` and logged.

The remaining window (the Cloud API has no idempotency key): a send Meta accepted whose status
webhook reaches us only after ``in_doubt_wait_s`` (Meta was slow, or re-delivery of a webhook that
failed while we were down is still in its back-off) is sent a second time. Likewise a request that
timed out on the network after Meta took it is retried in-process (tenacity) and may duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    stop_when_event_set,
    wait_exponential,
    wait_exponential_jitter,
)

from wabot_desktop.core.bot.pipeline import publish_status_changes
from wabot_desktop.core.clock import REAL_CLOCK, Clock
from wabot_desktop.core.dto import InDoubtDecision, MessageStatus
from wabot_desktop.core.events import (
    EventHub,
    MessageStatusChanged,
    ReplySent,
    SendBlocked,
    SendUnblocked,
)
from wabot_desktop.core.metrics import Metrics
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import StatusChange
from wabot_desktop.core.store.leases import LeaseKind
from wabot_desktop.core.store.outbox import (
    DueItem,
    InDoubtItem,
    callback_data_for,
    claim_send,
    confirmed_wamids,
    due_conversations,
    due_items,
    in_doubt_items,
    mark_failed,
    mark_not_sent,
    mark_retry,
    mark_sent,
    next_due_at,
    record_in_doubt_decision,
    reset_backoff,
)
from wabot_desktop.core.whatsapp.errors import GraphApiError, PairRateLimitError, stops_all_sending
from wabot_desktop.core.whatsapp.graph import GraphClient

logger = logging.getLogger(__name__)

_IDLE_POLL_S = 30.0
# Several instances on one PostgreSQL: rows another instance queued, or left behind when it died,
# are looked for this often; a lane another instance holds is tried again after _ELSEWHERE_S.
_SHARED_POLL_S = 1.0
_ELSEWHERE_S = 0.5
_IN_DOUBT_POLL_S = 0.2
TOKEN_INVALID = 190


class OutboxSender:
    """Dispatcher task + one lane task per conversation with due rows."""

    def __init__(
        self,
        db: Database,
        graph: GraphClient,
        hub: EventHub,
        metrics: Metrics,
        settings: Callable[[], Settings],
        clock: Clock = REAL_CLOCK,
    ) -> None:
        self._db = db
        self._clock = clock  # send gaps, back-off waits, due times
        self.graph = graph
        self._hub = hub
        self._metrics = metrics
        self._settings = settings
        self._wake = asyncio.Event()
        self._lanes: dict[int, asyncio.Task[None]] = {}
        self._running = False  # lanes are only started while run() owns (and will cancel) them
        self._stopping = False  # drain(): no new send starts
        self._stop_event = threading.Event()  # the same, for tenacity's stop condition
        self.blocked_reason: str | None = None
        self.blocked_code: int | None = None
        # Issue 16: a conversation's lane is leased (one instance sends its rows, in order).
        self._leases = db.leases
        self._idle_poll_s = _SHARED_POLL_S if db.leases.shared else _IDLE_POLL_S
        self._elsewhere: dict[int, float] = {}  # lanes another instance holds: retry after

    def is_blocked(self) -> bool:
        return self.blocked_reason is not None

    @property
    def running(self) -> bool:
        """Start-up is done (in-doubt rows settled, backoffs reset) and the dispatcher runs."""
        return self._running

    @property
    def busy(self) -> bool:
        """A lane is sending (its row may be marked sent before the events are published)."""
        return any(not task.done() for task in self._lanes.values())

    def wake(self, conversation_id: int | None = None) -> None:
        """Something was queued (or unblocked): look again now.

        With ``conversation_id`` (a reply was just queued there) its lane starts at once,
        without a dispatcher pass over every conversation first; the dispatcher looks again
        when the lane is done.
        """
        if self._stopping:
            return
        if conversation_id is None or self.blocked_reason is not None or not self._running:
            self._wake.set()
        elif conversation_id not in self._lanes:
            self._start_lane(conversation_id)

    def _start_lane(self, conversation_id: int) -> None:
        self._lanes[conversation_id] = asyncio.create_task(
            self._lane(conversation_id), name=f"outbox-lane-{conversation_id}"
        )

    def unblock(self) -> None:
        """Resume sending after the owner fixed the cause (e.g. a new token)."""
        if self.blocked_reason is not None:
            self.blocked_reason = None
            self.blocked_code = None
            self._hub.publish(SendUnblocked())
        self.wake()

    async def recheck_token(self) -> bool:
        """While blocked by a rejected token (190): ask Graph again; unblock if it works now.

        Returns True when sending was resumed. The queued rows then go out once each.
        """
        if self.blocked_code != TOKEN_INVALID:
            return False
        if not await self.graph.check_health():
            logger.info("access token still rejected; sending stays stopped")
            return False
        logger.warning("access token accepted again: resuming sending")
        self.unblock()
        return True

    async def drain(self, grace_s: float) -> None:
        """Stop starting sends; wait up to ``grace_s`` for the ones on the wire to finish.

        What is still in flight after that stays "in doubt" and is settled at the next start.
        """
        self._stopping = True
        self._stop_event.set()
        self._wake.set()
        lanes = list(self._lanes.values())
        if not lanes:
            return
        _done, pending = await asyncio.wait(lanes, timeout=max(0.0, grace_s))
        if pending:
            logger.warning(
                "%d sends still unanswered after the %g s grace period: in doubt until the "
                "next start",
                len(pending),
                grace_s,
            )

    async def _resolve_in_doubt(self, conversation_id: int | None = None) -> None:
        """Settle rows whose send started before a stop but was never answered (see above).

        With several instances, a row another live instance is sending is not in doubt: only
        conversations whose lane lease is free (or, with ``conversation_id``, ours) are looked at.
        """
        items = await self._db.session_run(in_doubt_items, conversation_id)
        taken: list[int] = []
        if conversation_id is None and self._leases.shared:
            for conv in sorted({i.conversation_id for i in items}):
                if await self._leases.try_acquire(LeaseKind.OUTBOX, conv):
                    taken.append(conv)
            items = [i for i in items if i.conversation_id in taken]
        try:
            if items:
                await self._settle_in_doubt(items)
        finally:
            for conv in taken:
                await self._leases.release(LeaseKind.OUTBOX, conv)

    async def _settle_in_doubt(self, items: list[InDoubtItem]) -> None:
        wait_s = max(0.0, self._settings().in_doubt_wait_s)
        logger.info(
            "%d replies in doubt from before the restart: waiting up to %g s for their status",
            len(items),
            wait_s,
        )
        pending: dict[int, InDoubtItem] = {i.outbox_id: i for i in items}
        deadline = self._clock.monotonic() + wait_s
        while pending:
            found = await self._db.session_run(confirmed_wamids, list(pending))
            for outbox_id, wamid in found.items():
                item = pending.pop(outbox_id)
                await self._db.session_run(
                    record_in_doubt_decision,
                    outbox_id,
                    InDoubtDecision.CONFIRMED_BY_STATUS,
                    self._clock.time(),
                )
                sent = await self._db.session_run(
                    mark_sent, outbox_id, item.message_id, wamid, self._clock.time()
                )
                logger.info(
                    "reply %d in doubt: Meta had it (status webhook); not resent", outbox_id
                )
                self._publish_sent(
                    item.conversation_id, item.message_id, wamid, sent.status_changes
                )
            if not pending or self._clock.monotonic() >= deadline:
                break
            await self._clock.sleep(min(_IN_DOUBT_POLL_S, deadline - self._clock.monotonic()))
        for outbox_id in pending:
            await self._db.session_run(
                record_in_doubt_decision,
                outbox_id,
                InDoubtDecision.RESENT_NO_STATUS,
                self._clock.time(),
            )
            logger.warning(
                "reply %d in doubt: no status within %g s; sending it again", outbox_id, wait_s
            )

    async def run(self) -> None:
        """Dispatcher loop; runs until cancelled (cancels its lanes too)."""
        await self._resolve_in_doubt()
        recovered = await self._db.session_run(reset_backoff, self._clock.time())
        if recovered:
            logger.info("retrying %d queued messages left from before the restart", recovered)
        self._running = True
        try:
            while True:
                self._wake.clear()
                now = self._clock.time()
                if self.blocked_reason is None and not self._stopping:
                    soon = self._clock.monotonic()
                    for conversation_id in await self._db.session_run(due_conversations, now):
                        if self._elsewhere.get(conversation_id, 0.0) > soon:
                            continue  # another instance's lane: it sends these
                        if conversation_id not in self._lanes:
                            self._start_lane(conversation_id)
                nxt = await self._db.session_run(next_due_at)
                idle = self._idle_poll_s
                if self._elsewhere:
                    soon = self._clock.monotonic()
                    self._elsewhere = {c: t for c, t in self._elsewhere.items() if t > soon}
                    if self._elsewhere:
                        idle = min(idle, max(0.05, min(self._elsewhere.values()) - soon))
                timeout = idle if nxt is None else min(idle, max(0.05, nxt - now))
                await self._clock.wait(self._wake, timeout)
        finally:
            self._running = False
            for task in list(self._lanes.values()):
                task.cancel()
            if self._lanes:
                await asyncio.gather(*self._lanes.values(), return_exceptions=True)

    async def _lane(self, conversation_id: int) -> None:
        leased = False
        try:
            if not await self._leases.try_acquire(LeaseKind.OUTBOX, conversation_id):
                self._elsewhere[conversation_id] = self._clock.monotonic() + _ELSEWHERE_S
                return
            leased = True
            if self._leases.shared:
                # A send another instance started before it died: settled like after a restart.
                await self._resolve_in_doubt(conversation_id)
            while not self.is_blocked():
                items = await self._db.session_run(due_items, self._clock.time(), conversation_id)
                if not items:
                    return
                for item in items:
                    if self.is_blocked() or self._stopping:
                        return
                    if not await self._send_one(item):
                        return  # rescheduled: later rows wait behind it to keep order
                    await self._clock.sleep(self._settings().send_gap_s)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("outbox lane for conversation %d failed", conversation_id)
        finally:
            if leased:
                await self._leases.release(LeaseKind.OUTBOX, conversation_id)
            self._lanes.pop(conversation_id, None)
            self._wake.set()

    def _retrying(self) -> AsyncRetrying:
        settings = self._settings()
        jitter = wait_exponential_jitter(
            multiplier=settings.retry_initial_s, max=settings.retry_max_s
        )
        pair = wait_exponential(
            multiplier=settings.retry_initial_s, exp_base=4, max=settings.retry_max_s
        )

        def wait(state: RetryCallState) -> float:
            # 131056 (pair rate limit): Meta asks for 4^n seconds before retrying that user.
            exc = state.outcome.exception() if state.outcome else None
            return float(pair(state) if isinstance(exc, PairRateLimitError) else jitter(state))

        return AsyncRetrying(
            retry=retry_if_exception(lambda e: isinstance(e, GraphApiError) and e.is_transient),
            wait=wait,
            # drain(): no further attempt once stopping (the row is rescheduled instead).
            stop=stop_after_attempt(max(1, settings.retry_attempts_in_process))
            | stop_when_event_set(self._stop_event),
            sleep=self._clock.sleep,  # back-off waits on the core's clock
            reraise=False,
        )

    async def _send_one(self, item: DueItem) -> bool:
        """Send one row. True when it left (sent or permanently failed), False if rescheduled."""
        attempts = item.attempts
        # Meta echoes this in the status webhooks: it names the row if the answer is lost.
        payload: dict[str, Any] = {
            **item.payload,
            "biz_opaque_callback_data": callback_data_for(item.outbox_id),
        }
        if not await self._db.session_run(claim_send, item.outbox_id, self._clock.time()):
            return True  # no longer queued (sent meanwhile) or claimed by another instance
        try:
            async for attempt in self._retrying():
                with attempt:
                    attempts += 1
                    result = await self.graph.send(payload)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            assert isinstance(last, GraphApiError)
            await self._reschedule(item, last, attempts)
            return False
        except GraphApiError as exc:
            return await self._permanent_failure(item, exc, attempts)
        sent = await self._db.session_run(
            mark_sent, item.outbox_id, item.message_id, result.wamid, self._clock.time()
        )
        self._publish_sent(item.conversation_id, item.message_id, result.wamid, sent.status_changes)
        return True

    def _publish_sent(
        self, conversation_id: int, message_id: int, wamid: str, changes: list[StatusChange]
    ) -> None:
        self._metrics.messages_out.inc()
        self._hub.publish(
            ReplySent(conversation_id=conversation_id, message_id=message_id, wamid=wamid)
        )
        self._hub.publish(
            MessageStatusChanged(
                conversation_id=conversation_id, message_id=message_id, status=MessageStatus.SENT
            )
        )
        publish_status_changes(self._hub, changes)

    async def _reschedule(self, item: DueItem, exc: GraphApiError, attempts: int) -> None:
        settings = self._settings()
        now = self._clock.time()
        self._metrics.send_failures.labels(code=str(exc.code or exc.http_status or "network")).inc()
        if now - item.created_at > settings.give_up_after_hours * 3600:
            change = await self._db.session_run(
                mark_failed,
                item.outbox_id,
                item.message_id,
                exc.code,
                exc.details or exc.title,
                attempts,
                now,
            )
            publish_status_changes(self._hub, [change])
            return
        logger.warning(
            "send of message %d failed transiently (code %s); retrying later",
            item.message_id,
            exc.code,
        )
        await self._db.session_run(
            mark_retry, item.outbox_id, now + settings.retry_max_s, exc.code, attempts, now
        )

    async def _permanent_failure(self, item: DueItem, exc: GraphApiError, attempts: int) -> bool:
        self._metrics.send_failures.labels(code=str(exc.code or exc.http_status or "unknown")).inc()
        if stops_all_sending(exc):
            # The row stays queued: it goes out once the owner fixes the token or the account.
            await self._db.session_run(mark_not_sent, item.outbox_id, self._clock.time())
            self.blocked_reason = type(exc).__name__
            self.blocked_code = exc.code
            logger.error("sending stopped: Cloud API error %s", exc.code)
            self._hub.publish(SendBlocked(reason=self.blocked_reason, error_code=exc.code))
            return False
        logger.warning("message %d failed permanently (code %s)", item.message_id, exc.code)
        change = await self._db.session_run(
            mark_failed,
            item.outbox_id,
            item.message_id,
            exc.code,
            exc.details or exc.message or exc.title,
            attempts,
            self._clock.time(),
        )
        publish_status_changes(self._hub, [change])
        return True
