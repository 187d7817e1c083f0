"""``migrate-to``: copy a shop's SQLite history into an empty PostgreSQL database (issue 16).

Everything the database holds is copied: chats, contacts, messages, statuses, the outbox, raw
webhooks, labels, knowledge versions and settings. The database never holds secrets (they live
in the keyring) and none are copied; the shop's secrets stay in this PC's keyring.

The target gets the schema from the same Alembic migrations, must be empty, and is filled in one
transaction: a failure leaves it empty. The copy is then verified by counting every table on
both sides. The SQLite file is read in one read transaction (a consistent snapshot) and never
changed, apart from being upgraded to the current schema first (with the usual backup) and
having the webhooks it acknowledged but had not parsed yet (after a crash) parsed into rows, as
its next start would: PostgreSQL gets rows, never bodies that several instances could each
parse at their first start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.models import Base

logger = logging.getLogger(__name__)

_CHUNK = 2000


class TargetNotEmptyError(RuntimeError):
    """The PostgreSQL database already holds a shop's data: nothing was copied."""


class CountMismatchError(RuntimeError):
    """The copy's row counts differ from the source's (the target transaction was rolled back)."""


@dataclass(slots=True)
class CopyReport:
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows (equal on both sides)
    nul_stripped: int = 0  # text values with NUL characters PostgreSQL cannot store


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children (foreign keys)


def _clean(row: dict[str, Any], report: CopyReport) -> dict[str, Any]:
    for key, value in row.items():
        if isinstance(value, str) and "\x00" in value:
            row[key] = value.replace("\x00", "")
            report.nul_stripped += 1
    return row


def copy_sqlite_to_postgres(source: Database, target: Database) -> CopyReport:
    """Copy every table of ``source`` (SQLite) into ``target`` (PostgreSQL, migrated, empty).

    Raises:
        TargetNotEmptyError: a table of the target has rows.
        CountMismatchError: the counts after the copy differ (nothing is kept).
    """
    assert source.dialect == "sqlite" and target.dialect == "postgresql"
    report = CopyReport()
    with source.engine.connect() as src, target.engine.begin() as dst:
        # ``src`` reads in one transaction (begun at its first statement): one snapshot.
        for table in _tables():
            if dst.scalar(select(func.count()).select_from(table)):
                raise TargetNotEmptyError(f"the database already has data (table {table.name})")
        for table in _tables():
            copied = 0
            result = src.execution_options(stream_results=True).execute(select(table))
            for chunk in result.mappings().partitions(_CHUNK):
                rows = [_clean(dict(r), report) for r in chunk]
                dst.execute(insert(table), rows)
                copied += len(rows)
            report.counts[table.name] = copied
        # Ids were copied as they are: the sequences continue after the highest one.
        for table in _tables():
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and _is_integer(pk[0]):
                dst.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f"COALESCE((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                    ),
                    {"t": table.name, "c": pk[0].name},
                )
        for table in _tables():
            source_rows = int(src.scalar(select(func.count()).select_from(table)) or 0)
            target_rows = int(dst.scalar(select(func.count()).select_from(table)) or 0)
            if source_rows != target_rows or target_rows != report.counts[table.name]:
                raise CountMismatchError(
                    f"{table.name}: {source_rows} rows in SQLite, {target_rows} copied"
                )
    logger.info("copied the SQLite history to PostgreSQL: %s", report.counts)
    return report


def _is_integer(column: Any) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def run_migrate_to(data_dir: str | None, database_url: str | None) -> tuple[int, str]:
    """The ``migrate-to`` command: (exit code, one line for the user). Never shows a password."""
    import asyncio
    import math
    import os

    from wabot_desktop.core.paths import AppPaths
    from wabot_desktop.core.runtime import default_secret_store
    from wabot_desktop.core.secrets import SecretKey
    from wabot_desktop.core.store.dialect import (
        DatabaseUrlError,
        parse_database_url,
        redacted,
        with_password,
    )
    from wabot_desktop.core.store.writer import IngestWriter

    raw_url = database_url or os.environ.get("WABOT_DATABASE_URL")
    if not raw_url:
        return 2, "wabot-desktop: migrate-to needs --database-url (or WABOT_DATABASE_URL)"
    try:
        url = parse_database_url(raw_url)
    except DatabaseUrlError as exc:
        return 2, f"wabot-desktop: --database-url: {exc}"
    paths = AppPaths.resolve(data_dir)
    if not paths.db_path.exists() or paths.db_path.stat().st_size == 0:
        return 2, f"wabot-desktop: no shop database in {paths.data_dir}"
    if not url.password:
        store = default_secret_store(paths, data_dir is not None)
        url = with_password(url, store.get(SecretKey.DATABASE_PASSWORD))
    source = Database(paths.db_path)
    target: Database | None = None
    try:
        source.migrate()
        if asyncio.run(IngestWriter(source).flush(math.inf)):
            return 1, "wabot-desktop: nothing copied: acknowledged webhooks could not be parsed"
        target = Database(paths.db_path, url=url)
        target.migrate()
        report = copy_sqlite_to_postgres(source, target)
    except (TargetNotEmptyError, CountMismatchError) as exc:
        return 1, f"wabot-desktop: nothing copied: {exc}"
    except Exception as exc:
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            return 2, f"wabot-desktop: cannot use the database {redacted(url)}: {reason}"
        raise
    finally:
        source.close()
        if target is not None:
            target.close()
    total = sum(report.counts.values())
    messages = report.counts.get("messages", 0)
    line = (
        f"copied {total} rows ({messages} messages) to {redacted(url)}; "
        "every table's count checked. Start the server with: "
        "wabot-desktop serve --database-url URL"
    )
    if report.nul_stripped:
        line += f" ({report.nul_stripped} texts had NUL characters removed)"
    return 0, line
