"""One-file backup and restore of a shop: the database (chats, settings, knowledge), never secrets.

The backup is a zip holding ``manifest.json`` and ``wabot.db``. The database copy is taken with
SQLite's online backup API, so it is consistent while the app keeps receiving messages. Secrets
live only in the OS keyring and are never part of a backup.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from wabot_desktop import __version__
from wabot_desktop.core.errors import UserFacingError
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.store.db import (
    automatic_backup,
    current_revision,
    known_revisions,
    sqlite_copy,
    sqlite_restore,
)
from wabot_desktop.core.whatsapp.parser import WebhookBodyError, decode_body, parse_webhook

FORMAT = "wabot-desktop-backup"
FORMAT_VERSION = 1
_DB_NAME = "wabot.db"
_MANIFEST = "manifest.json"


class InvalidBackupError(UserFacingError):
    """The file is not a WaBot Desktop backup, is damaged, or comes from a newer version."""

    code = "invalid_backup"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    revision: str | None
    app_version: str
    created_at: float
    messages: int


def _count_messages(db_path: Path) -> int:
    """Messages in the copy: its rows, and those of webhooks acknowledged and not parsed yet
    (pending_webhooks, parsed at the first start after a restore)."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        try:
            stored = int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])
        except sqlite3.OperationalError:
            return 0
        try:
            pending = conn.execute("SELECT phone_number_id, body FROM pending_webhooks").fetchall()
        except sqlite3.OperationalError:  # a schema from before issue 17
            return stored
        wamids: set[str] = set()
        for phone_number_id, body in pending:
            try:
                parsed = parse_webhook(decode_body(bytes(body)), phone_number_id=phone_number_id)
            except WebhookBodyError:
                continue  # kept as its raw copy only when parsed: no message
            wamids.update(message.wamid for message in parsed.messages)
        new = wamids.copy()
        ordered = sorted(wamids)
        for start in range(0, len(ordered), 500):  # under SQLite's bound-parameter limit
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT wamid FROM messages WHERE wamid IN ({marks})"  # noqa: S608
            new.difference_update(row[0] for row in conn.execute(query, chunk))
        return stored + len(new)


def create_backup(paths: AppPaths, target: Path) -> BackupInfo:
    """Write the backup of ``paths``' database to ``target`` (replaced atomically).

    Raises:
        FileNotFoundError: the profile has no database yet.
    """
    if not paths.db_path.exists():
        raise FileNotFoundError(f"no database at {paths.db_path}")
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wabot-backup-") as tmp:
        snapshot = Path(tmp) / _DB_NAME
        sqlite_copy(paths.db_path, snapshot)
        info = BackupInfo(
            path=target,
            revision=current_revision(snapshot),
            app_version=__version__,
            created_at=time.time(),
            messages=_count_messages(snapshot),
        )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": info.app_version,
            "schema_revision": info.revision,
            "created_at": info.created_at,
            "messages": info.messages,
        }
        partial = target.with_name(target.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_MANIFEST, json.dumps(manifest, indent=2))
            zf.write(snapshot, _DB_NAME)
        partial.replace(target)
    return info


def read_backup(source: Path, into: Path) -> BackupInfo:
    """Check ``source`` and extract its database to the folder ``into``.

    Raises:
        InvalidBackupError: not a backup, damaged, or from a schema this version does not know.
    """
    try:
        with zipfile.ZipFile(source) as zf:
            manifest = json.loads(zf.read(_MANIFEST))
            if manifest.get("format") != FORMAT:
                raise InvalidBackupError(f"{source} is not a WaBot Desktop backup")
            if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
                raise InvalidBackupError(f"{source} was made by a newer WaBot Desktop")
            zf.extract(_DB_NAME, into)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidBackupError(f"{source} is not a readable backup: {exc}") from exc
    db = into / _DB_NAME
    with contextlib.closing(sqlite3.connect(db)) as conn:
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError as exc:
            raise InvalidBackupError(f"{source}: damaged database: {exc}") from exc
    if not ok:
        raise InvalidBackupError(f"{source}: damaged database")
    revision = current_revision(db)
    if revision is None or revision not in known_revisions():
        raise InvalidBackupError(f"{source}: schema {revision!r} is unknown to this version")
    return BackupInfo(
        path=source,
        revision=revision,
        app_version=str(manifest.get("app_version", "")),
        created_at=float(manifest.get("created_at", 0.0)),
        messages=_count_messages(db),
    )


def restore_backup(paths: AppPaths, source: Path) -> BackupInfo:
    """Replace the profile's database with the one in ``source``.

    The current database is first saved in the data dir's ``backups`` folder. The app must not be
    running on this profile (the GUI stops its core first). An older backup is upgraded by the
    normal start-up migration.

    Raises:
        InvalidBackupError: see :func:`read_backup`; the current database is left untouched.
    """
    paths.ensure()
    with tempfile.TemporaryDirectory(prefix="wabot-restore-") as tmp:
        info = read_backup(source, Path(tmp))
        if paths.db_path.exists() and paths.db_path.stat().st_size > 0:
            revision = current_revision(paths.db_path) or "none"
            automatic_backup(paths.db_path, paths.data_dir / "backups", revision, "restore")
        sqlite_restore(Path(tmp) / _DB_NAME, paths.db_path)
    return info
