"""Storage: migrations match the models, durability PRAGMAs, private file, settings.

The ``db`` fixture runs each test on both engines: the profile's SQLite file and a fresh
PostgreSQL database (tests/pg.py; issue 16).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from wabot_desktop.core.settings import Settings, load_settings, save_settings
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.dialect import parse_database_url
from wabot_desktop.core.store.models import Base


@pytest.fixture
def db(tmp_path: Path, store_url: str | None) -> Database:
    url = parse_database_url(store_url) if store_url else None
    database = Database(tmp_path / "wabot.db", url=url)
    database.migrate()
    yield database
    database.close()


def test_migrating_an_empty_database_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert diff == []
    assert {"contacts", "conversations", "messages", "outbox", "raw_events", "settings"} <= tables
    assert "alembic_version" in tables


def test_migrations_are_idempotent(db: Database) -> None:
    db.migrate()
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == _script_head()


def _script_head() -> str:
    """The one head of the migration chain (two heads = a broken chain after a merge)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from wabot_desktop.core.store.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"migration chain has several heads: {heads}"
    return heads[0]


def test_migration_chain_is_linear_and_numbered() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from wabot_desktop.core.store.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    revisions = list(ScriptDirectory.from_config(config).walk_revisions())
    ids = [r.revision for r in reversed(revisions)]
    assert ids[0] == "0001" and ids == sorted(ids)
    assert _script_head() == ids[-1]


def test_durability_pragmas(db: Database) -> None:
    if db.dialect != "sqlite":
        with db.engine.connect() as connection:
            # PostgreSQL: commits wait for the WAL flush (its default; never turned off by us).
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_database_file_is_private(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("no database file on this PC: the server's data directory is the server's")
    mode = stat.S_IMODE(db.path.stat().st_mode)
    assert mode == 0o600


def test_settings_round_trip_and_defaults(db: Database) -> None:
    assert db.session_run_sync(load_settings) == Settings()
    db.session_run_sync(
        lambda s: save_settings(
            s, debounce_quiet_s=1.5, faq=[["¿Horario?", "9 a 18"]], bot_paused=True
        )
    )
    loaded = db.session_run_sync(load_settings)
    assert loaded.debounce_quiet_s == 1.5
    assert loaded.faq == (("¿Horario?", "9 a 18"),)
    assert loaded.bot_paused is True
    with pytest.raises(KeyError):
        db.session_run_sync(lambda s: save_settings(s, no_such_setting=1))
