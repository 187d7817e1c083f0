"""Staff-PC mode (issue 16): the desktop app connected to the shop's PostgreSQL server.

A shop that runs ``serve`` on a server (one or more instances on one PostgreSQL database) lets
its staff work from other PCs: the desktop app connects to that database instead of running its
own bot. :class:`StaffCore` is what such a PC runs:

* **no** webhook server, **no** tunnel, **no** bot workers, **no** outbox sender, **no** LLM and
  no Graph API client: this PC holds no WhatsApp token. The server's instances answer customers.
* the monitor reads the shop's chats from the database, and every event the server instances
  publish (a message stored, a mode change, a status, the bot's replies) arrives live through
  PostgreSQL's LISTEN/NOTIFY (:class:`~wabot_desktop.core.store.notify.SharedEvents`); what staff
  do here (take over, hand back, a read mark) is notified to the server the same way.
* a takeover is a committed row change (``conversations.mode``): the server's turn checks the mode
  under a row lock in the transaction that queues its reply (``turns.current_mode``), so a
  takeover committed here before that check wins, on any instance, exactly as on one PC.
* staff messages are outbox rows written here (``state='queued'``, author staff); the server's
  outbox claims them (``FOR UPDATE SKIP LOCKED`` + the lane lease) and sends them once. The
  notification of the queued row wakes the server's outbox at once.

The connection (:class:`ShopConnection`: host, port, database, user, TLS) is kept in
``<config dir>/shop.json``; the password only in the keyring (``SecretKey.DATABASE_PASSWORD``),
never in that file, the log or the database. TLS is on by default (``sslmode=require``: the
connection is encrypted; the server's certificate is not checked against a CA, which would need
the CA file on every PC). The owner may untick it (``sslmode=prefer``: encrypted only when the
server offers it) after a warning.

When the connection drops, :class:`ShopLink` says so (:class:`ShopConnectionChanged` on the
core's hub: the window shows a banner) and checks again with exponential back-off (tenacity)
until the server answers; then the window reloads its lists (notifications sent meanwhile were
missed: the rows are the truth). A takeover or a message while the link is down fails with
:class:`ShopOfflineError` (the window says it was not done), never silently.

The core never builds sentences: :class:`ShopConnectionError` carries a ``code`` the GUI
translates (wrong password, host unreachable, database missing, schema too old/new, TLS refused).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    wait_exponential_jitter,
)

from wabot_desktop.core.aio import BlockingPool
from wabot_desktop.core.errors import ShopConnectionError, ShopOfflineError  # noqa: F401 - re-exported
from wabot_desktop.core.events import Event, EventHub, SettingsChanged
from wabot_desktop.core.knowledge import store as knowledge_store
from wabot_desktop.core.knowledge.active import ActiveKnowledge
from wabot_desktop.core.metrics import Metrics
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.service import PER_PC_SETTINGS, BotService
from wabot_desktop.core.settings import Settings, load_settings
from wabot_desktop.core.store.db import Database, head_revision, known_revisions
from wabot_desktop.core.store.dialect import PG_DRIVER, redacted
from wabot_desktop.core.store.notify import SharedEvents

logger = logging.getLogger(__name__)

SHOP_FILE = "shop.json"
PER_PC_FILE = "shop-this-pc.json"  # this PC's own settings (staff name, language) in shop mode
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 8


# -- the connection's settings -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShopConnection:
    """Where the shop's database is (never the password)."""

    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT
    tls: bool = True

    @property
    def label(self) -> str:
        """``host/database`` as the window shows it."""
        return f"{self.host}/{self.database}"

    @property
    def sslmode(self) -> str:
        return "require" if self.tls else "prefer"

    def url(self, password: str | None) -> URL:
        """The SQLAlchemy URL (psycopg 3) with ``password``; never log it (see ``redacted``)."""
        return URL.create(
            PG_DRIVER,
            username=self.user,
            password=password or None,
            host=self.host,
            port=self.port,
            database=self.database,
            query={"sslmode": self.sslmode},
        )

    def check(self) -> ShopConnection:
        """The same settings, trimmed; raises ShopConnectionError("shop_incomplete") if empty."""
        cleaned = ShopConnection(
            host=self.host.strip(),
            database=self.database.strip(),
            user=self.user.strip(),
            port=int(self.port),
            tls=bool(self.tls),
        )
        if not (cleaned.host and cleaned.database and cleaned.user) or not (
            0 < cleaned.port < 65536
        ):
            raise ShopConnectionError("shop_incomplete")
        return cleaned


def shop_file(paths: AppPaths) -> Path:
    return paths.config_dir / SHOP_FILE


def load_shop(paths: AppPaths) -> ShopConnection | None:
    """The saved shop connection (None: this PC runs its own bot)."""
    path = shop_file(paths)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ShopConnection(
            host=str(data["host"]),
            database=str(data["database"]),
            user=str(data["user"]),
            port=int(data.get("port", DEFAULT_PORT)),
            tls=bool(data.get("tls", True)),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        logger.warning("unreadable %s ignored: this PC runs its own bot", SHOP_FILE)
        return None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
    os.replace(partial, path)


def load_per_pc(paths: AppPaths) -> dict[str, object]:
    """This PC's own settings in shop mode (the staff name, the language)."""
    try:
        data = json.loads((paths.config_dir / PER_PC_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in PER_PC_SETTINGS and isinstance(v, str)}


def save_per_pc(paths: AppPaths, changes: dict[str, object]) -> None:
    merged = {**load_per_pc(paths), **{k: str(v) for k, v in changes.items()}}
    _write_json(paths.config_dir / PER_PC_FILE, merged)


def save_shop(paths: AppPaths, shop: ShopConnection | None) -> None:
    """Remember ``shop`` (None: forget it) across restarts; written whole or not at all."""
    path = shop_file(paths)
    if shop is None:
        path.unlink(missing_ok=True)
        return
    _write_json(path, asdict(shop))


# -- errors and the connection test -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShopInfo:
    """What a successful connection test found."""

    server_version: str
    revision: str
    tls: bool  # the connection is encrypted
    conversations: int


def _classify(exc: BaseException) -> ShopConnectionError:
    """A psycopg connection error as a ShopConnectionError (the password never in it)."""
    sqlstate = getattr(exc, "sqlstate", None)
    message = str(exc)
    low = message.lower()
    wrong_login = (
        "password authentication failed" in low
        or "no password supplied" in low
        or ("role" in low and "does not exist" in low)
    )
    if wrong_login or (sqlstate in ("28P01", "28000") and "pg_hba" not in low):
        return ShopConnectionError("shop_wrong_password")
    if sqlstate == "3D000" or ("database" in low and "does not exist" in low):
        return ShopConnectionError("shop_database_missing")
    if "does not support ssl" in low or "ssl was required" in low:
        return ShopConnectionError("shop_tls_refused")
    if "pg_hba" in low:
        return ShopConnectionError("shop_not_allowed")
    unreachable = (
        "connection refused",
        "could not translate host name",
        "name or service not known",
        "nodename nor servname",
        "timeout expired",
        "timed out",
        "no route to host",
        "network is unreachable",
        "connection to server",
        "server closed the connection",
        "could not connect",
    )
    if any(word in low for word in unreachable):
        return ShopConnectionError("shop_unreachable")
    return ShopConnectionError("shop_error", type(exc).__name__)


def _conninfo(shop: ShopConnection, password: str | None, timeout: int) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        host=shop.host,
        port=str(shop.port),
        dbname=shop.database,
        user=shop.user,
        password=password or "",
        sslmode=shop.sslmode,
        connect_timeout=str(timeout),
        application_name="wabot-staff-test",
    )


def probe_shop(
    shop: ShopConnection, password: str | None, timeout: int = CONNECT_TIMEOUT_S
) -> ShopInfo:
    """Connect once, check the schema matches this program; blocking (run it off the loop).

    Raises:
        ShopConnectionError: why it cannot be used (see its codes).
    """
    import psycopg

    shop = shop.check()
    try:
        conn = psycopg.connect(_conninfo(shop, password, timeout), autocommit=True)
    except psycopg.Error as exc:
        error = _classify(exc)
        logger.info("shop connection test to %s failed: %s", shop.label, error.code)
        raise error from None
    with conn:
        try:
            revision_row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except psycopg.errors.UndefinedTable:
            raise ShopConnectionError("shop_not_wabot") from None
        except psycopg.Error as exc:
            raise _classify(exc) from None
        revision = str(revision_row[0]) if revision_row else ""
        if not revision:
            raise ShopConnectionError("shop_not_wabot")
        if revision != head_revision():
            code = "shop_schema_old" if revision in known_revisions() else "shop_schema_new"
            raise ShopConnectionError(code, revision)
        version = conn.execute("SHOW server_version").fetchone()
        count = conn.execute("SELECT count(*) FROM conversations").fetchone()
        ssl_in_use = bool(conn.pgconn.ssl_in_use)
    logger.info("shop connection test to %s: ok", shop.label)
    return ShopInfo(
        server_version=str(version[0]) if version else "",
        revision=revision,
        tls=ssl_in_use,
        conversations=int(count[0]) if count else 0,
    )


# -- the link's state -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShopConnectionChanged(Event):
    """The staff PC's link to the shop's server went down or came back.

    ``retry_in`` (down only): seconds until the next attempt. After a ``connected`` that follows
    a drop, lists are read again (notifications sent meanwhile were not received).
    """

    connected: bool
    label: str
    retry_in: float | None = None


class _DownError(Exception):
    """The shop's database did not answer (tenacity retries on it)."""


class ShopLink:
    """Watches the connection to the shop's database and reconnects with back-off.

    The check is ``SELECT 1`` every ``interval`` seconds, and at once when the LISTEN connection
    fails. While down, tenacity retries with exponential back-off and jitter (1 s .. 30 s).
    """

    def __init__(self, db: Database, hub: EventHub, label: str, interval: float = 5.0) -> None:
        self._db = db
        self._hub = hub
        self._label = label
        self._interval = interval
        self.connected = True
        self._kick = asyncio.Event()
        self.drops = 0

    def kick(self) -> None:
        """Check now (thread-safe through ``call_soon_threadsafe`` by the caller)."""
        self._kick.set()

    async def ping(self) -> bool:
        """``SELECT 1`` on the monitor's reader (a pooled connection, pre-pinged)."""
        try:
            await asyncio.wait_for(self._db.read(lambda s: s.execute(text("SELECT 1"))), 15)
        except Exception:
            return False
        return True

    def _set(self, connected: bool, retry_in: float | None = None) -> None:
        changed = connected != self.connected
        self.connected = connected
        if changed or not connected:
            if not connected and changed:
                self.drops += 1
                logger.warning("shop server %s unreachable; reconnecting", self._label)
            elif connected:
                logger.info("shop server %s reachable again", self._label)
            self._hub.publish(
                ShopConnectionChanged(connected=connected, label=self._label, retry_in=retry_in)
            )

    async def run(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._kick.wait(), self._interval)
            self._kick.clear()
            if await self.ping():
                if not self.connected:
                    self._set(True)
                continue
            await self._reconnect()

    async def _reconnect(self) -> None:
        wait = wait_exponential_jitter(multiplier=1.0, max=30.0, jitter=0.5)

        def before_sleep(state: Any) -> None:
            upcoming = getattr(state.next_action, "sleep", None)
            self._set(False, float(upcoming) if upcoming is not None else None)

        self._set(False, 1.0)
        async for attempt in AsyncRetrying(
            wait=wait,
            retry=retry_if_exception_type(_DownError),
            before_sleep=before_sleep,
            reraise=True,
        ):
            with attempt:
                if not await self.ping():
                    raise _DownError()
        self._set(True)


# -- the staff PC's core --------------------------------------------------------------------------


class StaffCore:
    """The desktop app's core on a staff PC: the shop's chats, no bot of its own.

    Offers the parts of :class:`~wabot_desktop.core.runtime.Core` the session and the window use
    (``service``, ``hub``, ``settings``, ``stop``); everything that would answer customers or
    talk to Meta is absent (``server``, ``tunnel``, ``engine``, ``outbox``, ``llm`` are None).
    """

    simulator = False
    sandbox = None
    server = None
    tunnel = None
    engine = None
    outbox = None
    llm = None

    def __init__(
        self,
        paths: AppPaths,
        shop: ShopConnection,
        password: str,
        *,
        link_interval: float = 5.0,
    ) -> None:
        self.paths = paths
        self.shop = shop
        self._password = password
        self._link_interval = link_interval
        self.hub = EventHub()
        self.metrics = Metrics()
        self.blocking = BlockingPool("wabot-staff-io", max_workers=2)
        self.settings = Settings()
        self.knowledge = ActiveKnowledge()
        self.db: Database | None = None
        self.shared_events: SharedEvents | None = None
        self.link: ShopLink | None = None
        self._service: BotService | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listen_was_lost = False
        self.started_offline = False

    @property
    def service(self) -> BotService:
        if self._service is None:
            raise RuntimeError("staff core not started")
        return self._service

    @property
    def label(self) -> str:
        return self.shop.label

    async def start(self) -> None:
        """Connect to the shop's database and listen to its events.

        An unreachable server at start is not fatal: the window opens with the "no connection"
        banner and the link reconnects by itself. Every other problem (password, schema...) is.

        Raises:
            ShopConnectionError: the database cannot be used from here.
        """
        try:
            await self.blocking.run(probe_shop, self.shop, self._password)
        except ShopConnectionError as exc:
            if exc.code != "shop_unreachable":
                raise
            self.started_offline = True
        url = self.shop.url(self._password)
        logger.info("staff PC: connected to the shop's database %s", redacted(url))
        self.paths.ensure()
        self.db = Database(self.paths.data_dir / "shop-unused.db", url=url)
        # Never migrate the shop's database from a staff PC: the server's serve does it.
        self._set_settings(Settings())  # this PC's name and language even while offline
        if not self.started_offline:
            try:
                self._set_settings(await self.db.session_run(load_settings))
                found = await self.db.read(knowledge_store.active)
                if found:
                    self.knowledge = ActiveKnowledge(found[1], found[0])
            except Exception:
                logger.exception("reading the shop's settings failed; defaults meanwhile")
        self._service = BotService(
            db=self.db,
            hub=self.hub,
            graph=None,
            outbox=None,
            settings=lambda: self.settings,
            update_settings=self._set_settings,
            media_dir=self.paths.media_dir,
            knowledge=self.knowledge,
            blocking=self.blocking,
            remote_label=self.label,
            per_pc_settings=lambda changes: save_per_pc(self.paths, changes),
        )
        self.link = ShopLink(self.db, self.hub, self.label, interval=self._link_interval)
        self._loop = asyncio.get_running_loop()
        self.shared_events = SharedEvents(
            self.db,
            self.hub,
            on_remote=self._on_shop_event,
            on_listen_lost=self._listen_lost,
            on_listening=self._listening,
        )
        self.shared_events.start()
        self._tasks.append(asyncio.create_task(self.link.run(), name="shop-link"))
        if self.started_offline:
            self.link.connected = True  # so the first check reports the drop
            self.link.kick()

    def _set_settings(self, settings: Settings) -> None:
        # The shop's settings with this PC's own (staff name, language) over them.
        mine: dict[str, Any] = dict(load_per_pc(self.paths))
        self.settings = dataclasses.replace(settings, **mine)

    def _on_shop_event(self, event: Event) -> None:
        # Settings saved on another PC: read them again (the pause switch shows what the
        # server's bot does). Everything else the window reads from the database itself.
        if isinstance(event, SettingsChanged) and self._service is not None:
            self._service.reload_settings_soon()

    def _listen_lost(self) -> None:
        # On the listening thread: check the link now (the banner shows if the server is gone).
        self._listen_was_lost = True
        if self._loop is not None and self.link is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self.link.kick)

    def _listening(self) -> None:
        # Listening again after a loss: notifications sent meanwhile were missed, so the
        # window reads its lists again (a takeover made elsewhere meanwhile shows).
        if not self._listen_was_lost or self._loop is None:
            return
        self._listen_was_lost = False
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._resync)

    def _resync(self) -> None:
        if self._service is not None:
            self._service.reload_settings_soon()  # a pause switched meanwhile
        if self.link is not None and self.link.connected:
            self.hub.publish(ShopConnectionChanged(connected=True, label=self.label))

    async def reload_credentials(self) -> None:
        """Nothing to re-read: a staff PC holds no WhatsApp credentials."""

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.shared_events is not None:
            await self.shared_events.stop()
            self.shared_events = None
        if self._service is not None:
            await self._service.aclose()
        if self.db is not None:
            db, self.db = self.db, None
            await self.blocking.run(db.close)
        self.blocking.shutdown()
        logger.info("staff PC: disconnected from the shop's database")
