"""Events across instances on one PostgreSQL: LISTEN/NOTIFY (issue 16).

Each instance forwards the events that describe shared data (a message stored, queued, sent, a
status, a mode change...) with ``pg_notify`` after they happened, and listens on the same channel
on a connection of its own: what another instance publishes is published again on this
instance's hub, so every connected window and this instance's bot hear it. An instance ignores
its own notifications; a republished event is never forwarded again. PostgreSQL delivers a
notification only after its transaction commits, and only to listeners connected at that time:
a window that was away re-reads the database (the events are hints, the rows are the truth).

The listening connection is re-opened with exponential back-off and jitter (tenacity) when it
fails; ``on_listen_lost`` hears of each failure (a staff PC checks its link to the server then).
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
from tenacity import Retrying, retry_if_exception_type, stop_when_event_set, wait_exponential_jitter

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
    SettingsChanged,
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
        SettingsChanged,
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
        on_listen_lost: Callable[[], None] | None = None,
        on_listening: Callable[[], None] | None = None,
    ) -> None:
        self.instance = uuid.uuid4().hex
        self._db = db
        self._hub = hub
        self._on_remote = on_remote
        self._on_listen_lost = on_listen_lost
        self._on_listening = on_listening
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
        # One back-off per outage: a connection that listened fine and then failed starts the
        # next outage's back-off from its first, short wait.
        while not self._stop.is_set():
            retrying = Retrying(
                wait=wait_exponential_jitter(multiplier=0.5, max=30.0, jitter=0.5),
                stop=stop_when_event_set(self._stop),
                retry=retry_if_exception_type(Exception),
                sleep=self._pause,  # a stop ends the back-off at once
                reraise=False,
            )
            with contextlib.suppress(Exception):  # RetryError once stopped
                for attempt in retrying:
                    with attempt:
                        self._listen_once()

    def _listen_once(self) -> None:
        """LISTEN on one connection until stopped or, after listening, it fails (returns); a
        connection that cannot be opened or fails before listening raises (back-off)."""
        try:
            raw = self._db.engine.raw_connection()
        except Exception:
            logger.warning("cannot connect to listen for cluster events; retrying")
            self._lost()
            raise
        try:
            conn: Any = raw.driver_connection
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            if self._on_listening is not None and not self._stop.is_set():
                with contextlib.suppress(Exception):
                    self._on_listening()
        except Exception:
            logger.warning("cannot listen for cluster events; retrying")
            self._lost()
            self._close(raw)
            raise
        try:
            while not self._stop.is_set():
                for note in conn.notifies(timeout=0.5):
                    self._received(note.payload)
        except Exception:
            if not self._stop.is_set():
                logger.warning("listening for cluster events failed; reconnecting")
                self._lost()
        finally:
            self._close(raw)

    def _close(self, raw: Any) -> None:
        self.listening.clear()
        with contextlib.suppress(Exception):
            raw.invalidate()

    def _pause(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _lost(self) -> None:
        if self._on_listen_lost is not None:
            with contextlib.suppress(Exception):
                self._on_listen_lost()

    def _received(self, payload: str) -> None:
        event = decode(self.instance, payload)
        if event is None or self._loop is None or self._stop.is_set():
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
