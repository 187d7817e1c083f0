"""Upgrades keep every chat: a database of the first released schema (0001) migrates to head,
after an automatic backup; a failing migration puts the database back as it was."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from wabot_desktop.core.settings import load_settings
from wabot_desktop.core.store.db import (
    KEEP_BACKUPS,
    Database,
    MigrationFailedError,
    current_revision,
    head_revision,
    migrate_with_backup,
    run_migrations,
)

_MESSAGE_COLUMNS = ", ".join(
    "m." + c
    for c in (
        "wamid",
        "direction",
        "author",
        "staff_name",
        "type",
        "text",
        "status",
        "wa_timestamp",
    )
)


def messages(db_path: Path) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            f"SELECT c.wa_id, c.profile_name, {_MESSAGE_COLUMNS} FROM messages m"
            " JOIN conversations v ON v.id = m.conversation_id"
            " JOIN contacts c ON c.id = v.contact_id ORDER BY m.id"
        ).fetchall()
    return [tuple(row) for row in rows]


@pytest.fixture
def old_db(tmp_path: Path, rev0001_db: Path) -> Path:
    path = tmp_path / "data" / "wabot.db"
    path.parent.mkdir(parents=True)
    shutil.copyfile(rev0001_db, path)
    return path


def test_fixture_is_the_first_released_schema(rev0001_db: Path) -> None:
    assert current_revision(rev0001_db) == "0001"
    assert len(messages(rev0001_db)) == 10


def test_rev0001_database_upgrades_with_every_message_intact(old_db: Path) -> None:
    before = messages(old_db)
    db = Database(old_db)
    try:
        db.migrate()
        settings = db.session_run_sync(load_settings)
    finally:
        db.close()
    assert current_revision(old_db) == head_revision()
    assert messages(old_db) == before
    assert any("Ñúñez" in str(row[1]) and "🎂" in str(row[7]) for row in before)
    assert settings.business_name == "Panadería La Esperanza"
    assert "tres leches" in settings.extra_facts
    # The automatic backup is the untouched 0001 database.
    backups = sorted((old_db.parent / "backups").glob("auto-*.db"))
    assert len(backups) == 1 and backups[0].name.endswith("-upgrade-rev0001.db")
    assert current_revision(backups[0]) == "0001"
    assert messages(backups[0]) == before


def test_current_database_is_not_backed_up_again(old_db: Path) -> None:
    db = Database(old_db)
    try:
        db.migrate()
        db.migrate()
    finally:
        db.close()
    assert len(list((old_db.parent / "backups").glob("auto-*.db"))) == 1


def test_new_database_needs_no_backup(tmp_path: Path) -> None:
    db = Database(tmp_path / "wabot.db")
    try:
        db.migrate()
    finally:
        db.close()
    assert current_revision(tmp_path / "wabot.db") == head_revision()
    assert not (tmp_path / "backups").exists()


def test_a_failing_migration_restores_the_backup(old_db: Path) -> None:
    before = messages(old_db)

    def half_then_fail(engine: Engine) -> None:
        # The real first step runs and commits, then the next one breaks.
        from alembic import command
        from alembic.config import Config

        from wabot_desktop.core.store.db import MIGRATIONS

        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        assert current_revision(old_db) == "0002"
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM messages")
        raise RuntimeError("disk full in the middle of the upgrade")

    db = Database(old_db)
    try:
        with pytest.raises(MigrationFailedError) as failure:
            migrate_with_backup(db.engine, old_db, db.backups_dir, upgrade=half_then_fail)
    finally:
        db.close()
    assert failure.value.code == "migration_failed"
    assert failure.value.backup.exists()
    assert current_revision(old_db) == "0001"
    assert messages(old_db) == before
    # And the next start upgrades for real.
    db = Database(old_db)
    try:
        db.migrate()
    finally:
        db.close()
    assert current_revision(old_db) == head_revision()
    assert messages(old_db) == before


def test_only_the_last_backups_are_kept(old_db: Path) -> None:
    from wabot_desktop.core.store.db import automatic_backup

    made = [automatic_backup(old_db, old_db.parent / "backups", "0001") for _ in range(8)]
    kept = sorted((old_db.parent / "backups").glob("auto-*.db"))
    assert kept == sorted(made[-KEEP_BACKUPS:])


def test_run_migrations_still_upgrades_directly(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.db")
    try:
        run_migrations(db.engine)
    finally:
        db.close()
    assert current_revision(tmp_path / "x.db") == head_revision()


def _indexes(db_path: Path, table: str) -> set[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(f"PRAGMA index_list({table})").fetchall()
    return {str(row[1]) for row in rows}


def test_upgrade_drops_the_unread_raw_events_time_index_and_keeps_the_bodies(old_db: Path) -> None:
    """0008: every webhook paid for an index no query reads; the bodies themselves stay."""
    with contextlib.closing(sqlite3.connect(old_db)) as conn:
        conn.execute(
            "INSERT INTO raw_events (received_at, body_sha256, body) VALUES (1.5, 'ab', '{}')"
        )
        conn.commit()
        before = conn.execute("SELECT * FROM raw_events ORDER BY id").fetchall()
    assert "ix_raw_events_received_at" in _indexes(old_db, "raw_events")
    db = Database(old_db)
    try:
        db.migrate()
    finally:
        db.close()
    assert "ix_raw_events_received_at" not in _indexes(old_db, "raw_events")
    with contextlib.closing(sqlite3.connect(old_db)) as conn:
        assert conn.execute("SELECT * FROM raw_events ORDER BY id").fetchall() == before
