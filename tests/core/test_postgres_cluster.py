"""The throw-away PostgreSQL cluster the two-engine tests use (tests/pg.py) really runs."""

from __future__ import annotations

import os

import psycopg

from tests.pg import PgCluster, postgres_missing_reason


def test_cluster_runs_as_a_non_root_user_with_a_password(pg_cluster: PgCluster) -> None:
    with psycopg.connect(pg_cluster.conninfo()) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        owner = conn.execute("SELECT pg_catalog.current_setting('data_directory')").fetchone()
    assert version is not None and int(version[0]) >= 130000
    assert owner is not None
    # The server process never runs as root (postgres refuses; the fixture uses runuser).
    stat = os.stat(owner[0])
    assert stat.st_uid != 0


def test_ci_never_skips_postgresql() -> None:
    """Under CI=true the PostgreSQL tests must run: .ci/run installs the server."""
    if os.environ.get("CI", "").lower() == "true":
        assert postgres_missing_reason() is None
