"""Engine set-up (WAL, foreign keys, synchronous=FULL), migrations, and the DB executor.

All database work runs on one single-worker executor, so writes never interleave and the event
loop never blocks on SQLite.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Alembic finds its scripts as package data ("package:folder" goes through importlib.resources),
# the same from a wheel, an editable install and the PyInstaller bundle.
MIGRATIONS = "wabot_desktop.core.store:migrations"


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


def run_migrations(engine: Engine) -> None:
    """Upgrade the schema to the newest Alembic revision (no-op when current)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """The engine, a session factory, and the single worker thread all DB work runs on."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path
        self.engine = make_engine(db_path)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wabot-db")

    def migrate(self) -> None:
        run_migrations(self.engine)

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(*args)`` on the DB thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    async def session_run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(session, *args)`` in a transaction on the DB thread; commit on success."""

        def work() -> T:
            with self.sessions.begin() as session:
                return fn(session, *args)

        return await self.run(work)

    def session_run_sync(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Synchronous variant for start-up code and tests (never call from the event loop)."""
        with self.sessions.begin() as session:
            return fn(session, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()


def new_session(db: Database) -> Session:
    return db.sessions()
