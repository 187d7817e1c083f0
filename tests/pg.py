"""A throw-away PostgreSQL cluster for the tests (issue 16), and the two-engine store fixture.

One cluster per test session: ``initdb`` + ``pg_ctl`` in a temp dir, on a free 127.0.0.1 port,
with a password (scram) for TCP so the tests go through the same URL + password path as a shop.
PostgreSQL refuses to run as root: as root the cluster runs as the ``postgres`` system user that
Debian's ``postgresql`` package creates (``runuser -u postgres``); otherwise as the current user.

The binaries come from the distribution's package (.ci/run installs ``postgresql``). Without them
the PostgreSQL half of the tests is skipped with a reason, except under ``CI=true``, where a
missing server is a failure (CI must always run them).

Each test asking for a database gets a fresh, empty one (``CREATE DATABASE``) in that cluster.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_USER = "wabot"
PG_PASSWORD = "wabot-test-only"  # a throw-away cluster on 127.0.0.1 that lives for one session


def _pg_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin dir (Debian: /usr/lib/postgresql/<v>/bin)."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if found:
        return Path(max(found, key=lambda p: int(Path(p).parent.parent.name))).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class PgCluster:
    host: str
    port: int
    user: str
    password: str
    bindir: Path

    def url(self, database: str, *, with_password: bool = True) -> str:
        auth = f"{self.user}:{self.password}" if with_password else self.user
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={database}"
        )

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL (password in the URL)."""
        import psycopg

        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_cluster_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def _start_cluster(bindir: Path, *, durable: bool = False) -> tuple[PgCluster, Path]:
    root = Path(tempfile.mkdtemp(prefix="wabot-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    pwfile = root / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        shutil.chown(pwfile, "postgres")
    root.chmod(0o700)
    subprocess.run(
        _as_cluster_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_USER,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    # fsync off: a throw-away cluster; the tests check behaviour. bench/ starts it ``durable``
    # (PostgreSQL's defaults: fsync, synchronous_commit on).
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_cluster_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "server.log"),
                "-w",
                "-t",
                "120",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    return PgCluster("127.0.0.1", port, PG_USER, PG_PASSWORD, bindir), root


def _stop_cluster(cluster: PgCluster, root: Path) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):
        subprocess.run(
            _as_cluster_user(
                [
                    str(cluster.bindir / "pg_ctl"),
                    "-D",
                    str(root / "data"),
                    "-m",
                    "immediate",
                    "stop",
                ]
            ),
            check=True,
            capture_output=True,
        )
    shutil.rmtree(root, ignore_errors=True)


def postgres_missing_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here (None: they can)."""
    bindir = _pg_bindir()
    if bindir is None:
        return "PostgreSQL server binaries not installed (apt-get install postgresql; .ci/run does)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as a non-root user"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return None


def require_postgres() -> None:
    """Skip (locally) or fail (under CI=true) when no PostgreSQL server can be started."""
    reason = postgres_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    require_postgres()
    bindir = _pg_bindir()
    assert bindir is not None
    cluster, root = _start_cluster(bindir)
    try:
        yield cluster
    finally:
        _stop_cluster(cluster, root)


_names = itertools.count(1)


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """A fresh, empty PostgreSQL database for this test (SQLAlchemy URL with the password)."""
    return pg_cluster.create_database(f"t{os.getpid()}_{next(_names)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """Run a storage test on both engines: None = the profile's SQLite file, else a PG URL."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_url"))
