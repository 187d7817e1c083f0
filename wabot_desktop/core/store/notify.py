"""Events across instances on one PostgreSQL: LISTEN/NOTIFY (issue 16).

Each instance forwards the events that describe shared data (a message stored, queued, sent, a
status, a mode change...) with ``pg_notify`` after they happened, and listens on the same channel
on a connection of its own: what another instance publishes is published again on this
instance's hub, so every connected window and this instance's bot hear it. An instance ignores
its own notifications; a republished event is never forwarded again. PostgreSQL delivers a
notification only after its transaction commits, and only to listeners connected at that time:
a window that was away re-reads the database (the events are hints, the rows are the truth).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from wabot_desktop.core.events import (
    ConversationDeleted,
    ConversationUpdated,
    Event,
    EventHub,
    HandoffRequested,
    MessageQueued,
    MessageReceived,
    MessageStatusChanged,
    MessageUpdated,
    ModeChanged,
    ReplySent,
)
from wabot_desktop.core.store.db import Database

logger = logging.getLogger(__name__)

CHANNEL = "wabot_events"
_SHARED: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        MessageReceived,
        MessageQueued,
        ReplySent,
        MessageStatusChanged,
        MessageUpdated,
        ModeChanged,
        HandoffRequested,
        ConversationUpdated,
        ConversationDeleted,
    )
}
_MAX_PAYLOAD = 7900  # PostgreSQL's limit is 8000 bytes


def encode(instance: str, event: Event) -> str | None:
    """The notification payload for ``event`` (None: not a shared event, or too large)."""
    name = type(event).__name__
    if name not in _SHARED:
        return None
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    payload = json.dumps({"i": instance, "t": name, "f": fields}, ensure_ascii=False)
    return payload if len(payload.encode("utf-8")) <= _MAX_PAYLOAD else None


def decode(instance: str, payload: str) -> Event | None:
    """The event in a notification from another instance (None: ours, or not understood)."""
    try:
        data = json.loads(payload)
        if data.get("i") == instance:
            return None
        cls = _SHARED.get(str(data.get("t")))
        if cls is None:
            return None
        return cls(**data["f"])
    except (ValueError, TypeError, KeyError, AttributeError):
        logger.warning("unreadable cluster notification ignored")
        return None


class SharedEvents:
    """Forward this hub's shared events to the cluster; republish the cluster's here."""

    def __init__(
        self,
        db: Database,
        hub: EventHub,
        *,
        on_remote: Callable[[Event], None] | None = None,
    ) -> None:
        self.instance = uuid.uuid4().hex
        self._db = db
        self._hub = hub
        self._on_remote = on_remote
        self._outgoing: list[str] = []
        self._flush: asyncio.Task[None] | None = None
        self._republishing = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.listening = threading.Event()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._unsubscribe = self._hub.subscribe(self._forward)
        self._thread = threading.Thread(target=self._listen, name="wabot-listen", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._flush is not None:
            with contextlib.suppress(Exception):
                await self._flush
        self._stop.set()
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join, 5)

    # --- out -------------------------------------------------------------------------------

    def _forward(self, event: Event) -> None:
        if self._republishing:
            return
        payload = encode(self.instance, event)
        if payload is None:
            return
        self._outgoing.append(payload)
        if self._flush is None or self._flush.done():
            self._flush = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        while self._outgoing:
            batch, self._outgoing = self._outgoing, []

            def notify(session: Any, payloads: list[str] = batch) -> None:
                for payload in payloads:
                    session.execute(
                        text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": CHANNEL, "payload": payload},
                    )

            try:
                await self._db.session_run(notify)
            except Exception:
                logger.exception("cluster notification of %d events failed", len(batch))

    # --- in --------------------------------------------------------------------------------

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                raw = self._db.engine.raw_connection()
            except Exception:
                logger.exception("cannot connect to listen for cluster events; retrying")
                self._stop.wait(2.0)
                continue
            try:
                conn: Any = raw.driver_connection
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self.listening.set()
                while not self._stop.is_set():
                    for note in conn.notifies(timeout=0.5):
                        self._received(note.payload)
            except Exception:
                if not self._stop.is_set():
                    logger.exception("listening for cluster events failed; reconnecting")
                    self._stop.wait(1.0)
            finally:
                self.listening.clear()
                with contextlib.suppress(Exception):
                    raw.invalidate()

    def _received(self, payload: str) -> None:
        event = decode(self.instance, payload)
        if event is None or self._loop is None:
            return
        with contextlib.suppress(RuntimeError):  # loop closed at shutdown
            self._loop.call_soon_threadsafe(self._republish, event)

    def _republish(self, event: Event) -> None:
        self._republishing = True
        try:
            self._hub.publish(event)
        finally:
            self._republishing = False
        if self._on_remote is not None:
            try:
                self._on_remote(event)
            except Exception:
                logger.exception("handling a cluster event failed")
