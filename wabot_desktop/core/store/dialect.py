"""The few statements that differ between SQLite (the owner's PC) and PostgreSQL (a shop's server).

Everything else in the store is dialect-neutral SQLAlchemy. Kept here so the rest of the store
has one-line dialect branches: ``insert_for`` (the dialect's INSERT with ``ON CONFLICT``),
``greatest`` (SQLite's two-argument ``max()`` is PostgreSQL's ``GREATEST``), and the database
URL helpers (a password in a URL is never logged).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import GenericFunction

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
# The one driver the app supports for PostgreSQL (psycopg 3).
PG_DRIVER = "postgresql+psycopg"


class greatest(GenericFunction[float]):  # noqa: N801 - SQL function name
    """The larger of its arguments (NULLs are the caller's business: coalesce first)."""

    type = Float()
    inherit_cache = True


@compiles(greatest, SQLITE)
def _greatest_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def dialect_of(session: Session) -> str:
    bind = session.get_bind()
    return str(bind.dialect.name)


def is_postgres(session: Session) -> bool:
    return dialect_of(session) == POSTGRESQL


def insert_for(session: Session, table: Any) -> Any:
    """The dialect's INSERT for ``table`` (both offer ``on_conflict_do_nothing/_do_update``)."""
    return insert_for_dialect(dialect_of(session), table)


def insert_for_dialect(dialect: str, table: Any) -> Any:
    if dialect == POSTGRESQL:
        return postgresql.insert(table)
    return sqlite.insert(table)


class DatabaseUrlError(ValueError):
    """A --database-url / WABOT_DATABASE_URL the app cannot use."""


def parse_database_url(url: str) -> URL:
    """Check a server database URL: ``postgresql+psycopg://user[:password]@host[:port]/db``.

    ``postgresql://`` and ``postgres://`` are accepted and mean psycopg 3.

    Raises:
        DatabaseUrlError: not a PostgreSQL URL, or no database name (the message never
            contains the password).
    """
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseUrlError("the database URL cannot be parsed") from exc
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = POSTGRESQL
    if backend != POSTGRESQL:
        raise DatabaseUrlError(
            f"only PostgreSQL URLs are supported ({PG_DRIVER}://user@host/database), "
            f"not {backend!r}"
        )
    parsed = parsed.set(drivername=PG_DRIVER)
    if not parsed.database:
        raise DatabaseUrlError("the database URL names no database (…/database)")
    return parsed


def redacted(url: str | URL) -> str:
    """The URL as it may appear in logs and messages: the password is never shown."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except Exception:
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def with_password(url: URL, password: str | None) -> URL:
    """``url`` with ``password`` filled in when it carries none (a password in the URL wins)."""
    if url.password or not password:
        return url
    return url.set(password=password)
