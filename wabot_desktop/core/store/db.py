"""Engine set-up (WAL, foreign keys, synchronous=FULL), migrations, and the DB executors.

Every write runs on one single-worker executor, so writes never interleave and the event loop
never blocks on SQLite. Reads that need no write (the monitor's lists and pages, the bot's
history) run on a reader thread of their own with a read-only connection (:meth:`Database.read`):
SQLite's WAL lets them read a consistent snapshot while the writer commits, so a window paging
through a long chat never makes a webhook wait for its commit.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from wabot_desktop.core.errors import UserFacingError
from wabot_desktop.core.store.leases import Leases

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Alembic finds its scripts as package data ("package:folder" goes through importlib.resources),
# the same from a wheel, an editable install and the PyInstaller bundle.
MIGRATIONS = "wabot_desktop.core.store:migrations"

# Automatic pre-migration backups kept in the data dir's ``backups`` folder.
KEEP_BACKUPS = 5
BACKUP_PREFIX = "auto-"


class MigrationFailedError(UserFacingError):
    """A schema upgrade failed; the database was put back as it was before the upgrade."""

    code = "migration_failed"

    def __init__(self, backup: Path, cause: BaseException) -> None:
        self.backup = backup
        self.cause = cause
        super().__init__(f"database upgrade failed ({cause!r}); restored {backup}")


def _create_private_file(path: Path) -> None:
    """Create the database file with mode 0600 before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    if os.name == "posix":
        path.chmod(0o600)


def make_engine(db_path: Path) -> Engine:
    """An engine for ``db_path`` with the durability PRAGMAs on every connection."""
    _create_private_file(db_path)
    engine = create_engine(
        f"sqlite:///{db_path}",
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=2,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def make_read_engine(db_path: Path, pool_size: int = 2) -> Engine:
    """A second engine for ``db_path`` whose connections can only read (``query_only``).

    Kept apart from :func:`make_engine` on purpose: the writer's pool stays as it is, and a read
    by mistake turned into a write fails loudly instead of competing with the writer. WAL mode is
    a property of the file (set by the writer's connections), so readers never block the writer
    nor it them.
    """
    engine = create_engine(
        f"sqlite:///{db_path}",
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")  # one snapshot for everything the read function does

    return engine


def make_server_engine(url: URL) -> Engine:
    """An engine for a shop's PostgreSQL server (issue 16): psycopg 3, checked connections."""
    return create_engine(
        url,
        pool_size=2,
        max_overflow=4,
        pool_pre_ping=True,
        # Keepalives: a dead server or network is noticed in about half a minute, not hours.
        connect_args={
            "application_name": "wabot-desktop",
            "connect_timeout": 10,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        },
    )


# Several ``serve`` instances may start at once on one PostgreSQL database: the first to take
# this transaction-scoped advisory lock migrates, the others wait and then find the schema current.
_MIGRATION_LOCK = 0x7761_626F_7430_0001  # "wabot0" + 1


def run_migrations(engine: Engine) -> None:
    """Upgrade the schema to the newest Alembic revision (no-op when current)."""
    from alembic import command

    config = _alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def head_revision() -> str:
    """The newest schema revision this program knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def current_revision(db_path: Path) -> str | None:
    """The schema revision stored in ``db_path`` (None: empty or not yet migrated)."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:  # no alembic_version table
            return None
    return str(row[0]) if row else None


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API (consistent while others write).

    The copy is written next to ``target`` and moved into place, so ``target`` is never half
    written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _create_private_file(partial)
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
        contextlib.closing(sqlite3.connect(partial)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    os.replace(partial, target)


def sqlite_restore(source: Path, target: Path) -> None:
    """Replace the content of database ``target`` with ``source`` (backup API, WAL-safe).

    Nothing may hold ``target`` open in this process (dispose engines first).
    """
    _create_private_file(target)
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        src.backup(dst)


def prune_backups(backups_dir: Path, keep: int = KEEP_BACKUPS) -> None:
    """Delete all but the ``keep`` newest automatic backups."""
    found = sorted(backups_dir.glob(f"{BACKUP_PREFIX}*.db"), key=lambda p: p.name)
    for old in found[: max(0, len(found) - keep)]:
        old.unlink(missing_ok=True)


def automatic_backup(
    db_path: Path, backups_dir: Path, revision: str, reason: str = "upgrade"
) -> Path:
    """Snapshot ``db_path`` into ``backups_dir`` (the last ``KEEP_BACKUPS`` are kept).

    Names sort by time: ``auto-YYYYmmdd-HHMMSS-<ns>-<reason>-rev<revision>.db``.
    """
    # One clock read for both parts: two reads could straddle a second and mis-sort the name.
    taken = time.time_ns()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(taken // 1_000_000_000))
    ns = taken % 1_000_000_000
    name = f"{BACKUP_PREFIX}{stamp}-{ns:09d}-{reason}-rev{revision}.db"
    target = backups_dir / name
    sqlite_copy(db_path, target)
    prune_backups(backups_dir)
    logger.info("database backed up (%s): %s", reason, target)
    return target


def migrate_with_backup(
    engine: Engine,
    db_path: Path,
    backups_dir: Path,
    upgrade: Callable[[Engine], None] = run_migrations,
) -> Path | None:
    """Upgrade the schema; an existing, older database is backed up first.

    Returns the backup made (None: new or current database, nothing to back up).

    Raises:
        MigrationFailedError: the upgrade failed; the database was restored from the backup.
    """
    revision = current_revision(db_path)
    if revision is None or revision == head_revision():
        upgrade(engine)
        return None
    backup = automatic_backup(db_path, backups_dir, revision)
    try:
        upgrade(engine)
    except Exception as exc:
        logger.exception("database upgrade from revision %s failed; restoring %s", revision, backup)
        engine.dispose()
        sqlite_restore(backup, db_path)
        raise MigrationFailedError(backup, exc) from exc
    logger.info("database upgraded from revision %s to %s", revision, head_revision())
    return backup


class Database:
    """The engine, a session factory, and the single worker thread all DB writes run on; plus
    a read-only engine with two reader threads: one for the monitor (:meth:`read`), one for
    the bot's turns (:meth:`bot_read`).

    Each reader is a single thread, so its reads finish in the order they were asked (the bot's
    turns reach the model in arrival order), and neither waits for the other nor for the writer.
    """

    def __init__(self, db_path: Path, url: URL | None = None) -> None:
        """SQLite at ``db_path``; or, with ``url``, a shop's PostgreSQL server (issue 16).

        ``path`` stays the profile's database path either way (its folder holds backups/media).
        """
        self.path = db_path
        self.url = url
        self.engine = make_engine(db_path) if url is None else make_server_engine(url)
        self.dialect = str(self.engine.dialect.name)
        # Several instances on one PostgreSQL: who works on which conversation (no-op on SQLite).
        self.leases = Leases(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wabot-db")
        # Held by every job of the DB thread; the ingest writer takes it to commit a small
        # batch on the webhook server's thread instead (no hop), so writes still never
        # interleave (core/store/writer.py).
        self.write_lock = threading.Lock()
        # Jobs that go before whatever else is queued on the DB thread (the ingest writer's
        # drains: an acknowledgement waits for them). See :meth:`submit_first`.
        self._first: collections.deque[Callable[[], object]] = collections.deque()
        self.closed = False
        # SQLite: a read-only engine of its own (WAL readers never wait for the writer). A
        # PostgreSQL server serves concurrent readers itself: the same engine, its own threads.
        self.read_engine = make_read_engine(db_path, pool_size=2) if url is None else self.engine
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        self._readers = {
            lane: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"wabot-db-read-{lane}")
            for lane in ("gui", "bot")
        }

    @property
    def backups_dir(self) -> Path:
        return self.path.parent / "backups"

    def migrate(self) -> None:
        """Upgrade to the newest schema, after an automatic backup (see migrate_with_backup).

        On PostgreSQL the server's own backups apply (pg_dump); the migrations run in one
        transaction (transactional DDL), so a failed upgrade leaves the schema as it was.
        """
        if self.url is not None:
            run_migrations(self.engine)
            return
        migrate_with_backup(self.engine, self.path, self.backups_dir)

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(*args)`` on the DB thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._locked, fn, *args)

    def submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        """Queue ``fn(*args)`` on the DB thread without awaiting it (callable from any thread).

        For code that answers its own callers (the ingest writer posts one result per batch
        back to the loop) and so needs no asyncio future per call.
        """
        return self._executor.submit(self._locked, fn, *args)

    def submit_first(self, fn: Callable[[], object], /) -> None:
        """Queue ``fn()`` on the DB thread ahead of the jobs already waiting there.

        It runs before the next job the DB thread starts (so it waits at most for the one in
        progress), and a job queued behind it still runs right after it: with a flood of
        ``fn`` jobs, they and the other work take turns, neither starves. ``fn`` reports its
        own result and errors (nothing is returned). Raises RuntimeError once closed.
        """
        self._first.append(fn)
        try:
            self._executor.submit(self._locked, _nothing)
        except RuntimeError:
            with contextlib.suppress(ValueError):
                self._first.remove(fn)
            raise

    def _run_first(self) -> None:
        # Only jobs queued before this call: one queued meanwhile waits for the next turn.
        for _ in range(len(self._first)):
            try:
                job = self._first.popleft()
            except IndexError:
                return
            try:
                job()
            except Exception:
                logger.exception("DB job failed")

    def _locked(self, fn: Callable[..., T], /, *args: Any) -> T:
        with self.write_lock:
            if self._first:
                self._run_first()
            return fn(*args)

    async def session_run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(session, *args)`` in a transaction on the DB thread; commit on success."""

        def work() -> T:
            with self.sessions.begin() as session:
                return fn(session, *args)

        return await self.run(work)

    async def read(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(session, *args)`` on the monitor's reader thread, in a read-only snapshot.

        For functions that only read: a write raises (the connection is ``query_only``). It sees
        every commit that finished before the call; it never waits for the writer's queue.
        """
        return await self._read_on("gui", fn, *args)

    async def bot_read(self, fn: Callable[..., T], /, *args: Any) -> T:
        """:meth:`read` on the bot's reader thread (a turn's state and history)."""
        return await self._read_on("bot", fn, *args)

    async def _read_on(self, lane: str, fn: Callable[..., T], /, *args: Any) -> T:
        def work() -> T:
            with self.read_sessions.begin() as session:
                return fn(session, *args)

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers[lane], work)

    def session_run_sync(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Synchronous variant for start-up code and tests (never call from the event loop)."""
        with self.sessions.begin() as session:
            return fn(session, *args)

    def raw_transaction(self, fn: Callable[..., T], /, *args: Any) -> T:
        """``fn(cursor, dialect, *args)`` in one transaction on a DBAPI connection of the
        writer's pool, committed on success (one fsync on SQLite), rolled back on failure.

        No ORM session (its begin/commit bookkeeping cost more than a one-body batch's
        statements): for the webhook hot path (core/store/writer.py), on the DB thread or with
        :attr:`write_lock` held. The same pooled connection the sessions use (so what is set on
        it, e.g. a PRAGMA, holds for both); a connection that failed is invalidated and the
        next call gets a fresh one.
        """
        if self.closed:
            raise RuntimeError("database closed")
        fairy = self.engine.raw_connection()
        dbapi = fairy.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            if self.dialect == "sqlite":
                cursor.execute("BEGIN")  # isolation_level None: no implicit transaction
            result = fn(cursor, self.engine.dialect, *args)
            dbapi.commit()
            return result
        except BaseException:
            with contextlib.suppress(Exception):
                dbapi.rollback()
            with contextlib.suppress(Exception):
                fairy.invalidate()
            raise
        finally:
            with contextlib.suppress(Exception):
                cursor.close()
            fairy.close()  # back to the pool (a no-op after invalidate)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.shutdown(wait=True)
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
        self._executor.shutdown(wait=True)
        with self.write_lock:
            self.closed = True
        self.leases.close()
        self.engine.dispose()


def new_session(db: Database) -> Session:
    return db.sessions()


def _nothing() -> None:
    """The placeholder job that makes the DB thread run :meth:`Database.submit_first` jobs."""
