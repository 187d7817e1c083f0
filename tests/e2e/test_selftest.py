"""``--self-test``, ``--version`` and ``backup``/``restore`` as real processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from wabot_desktop import __version__
from wabot_desktop.core.store.db import current_revision, head_revision

pytestmark = pytest.mark.slow


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("WABOT_")}
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    e["QT_QPA_PLATFORM"] = "offscreen"
    return e


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wabot_desktop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
    )


def texts(db_path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return [row[0] for row in conn.execute("SELECT text FROM messages ORDER BY id")]


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"wabot-desktop {__version__}"


def test_self_test_passes_on_a_sound_install() -> None:
    result = run("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    for check in ("resources", "keyring", "database", "practice", "translations"):
        assert f"{check}: ok" in result.stdout
    assert "self-test passed" in result.stdout


def test_cli_backup_and_restore(tmp_path: Path, rev0001_db: Path) -> None:
    shop = tmp_path / "shop"
    shop.mkdir()
    shutil.copyfile(rev0001_db, shop / "wabot.db")  # an old install: backup works on any schema
    backup = tmp_path / "tienda.zip"
    made = run("backup", str(backup), "--data-dir", str(shop))
    assert made.returncode == 0, made.stderr
    assert "10 messages" in made.stdout

    target = tmp_path / "new-pc"
    # No confirmation: nothing happens.
    refused = run("restore", str(backup), "--data-dir", str(target), stdin="no\n")
    assert refused.returncode == 1
    assert not (target / "wabot.db").exists()
    done = run("restore", str(backup), "--data-dir", str(target), stdin="sí\n")
    assert done.returncode == 0, done.stderr
    assert texts(target / "wabot.db") == texts(rev0001_db)
    # Restoring over it again with --yes keeps the replaced database in backups/.
    again = run("restore", str(backup), "--data-dir", str(target), "--yes")
    assert again.returncode == 0, again.stderr
    assert list((target / "backups").glob("auto-*-restore-rev0001.db"))
    # The restored 0001 database is upgraded at the next start, every message intact.
    from wabot_desktop.core.store.db import Database

    db = Database(target / "wabot.db")
    try:
        db.migrate()
    finally:
        db.close()
    assert current_revision(target / "wabot.db") == head_revision()
    assert texts(target / "wabot.db") == texts(rev0001_db)


def test_cli_restore_refuses_a_file_that_is_no_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    result = run("restore", str(junk), "--data-dir", str(tmp_path / "d"), "--yes")
    assert result.returncode == 2
    assert "not a readable backup" in result.stderr


def test_cli_backup_without_a_database(tmp_path: Path) -> None:
    result = run("backup", str(tmp_path / "b.zip"), "--data-dir", str(tmp_path / "none"))
    assert result.returncode == 2
