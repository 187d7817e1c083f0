"""Staff-PC mode's connection to the shop's PostgreSQL (issue 16): the connection test's errors,
and what happens when the link drops (a real TCP relay between the staff PC and the server is
cut and restored)."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import psycopg
import pytest

from tests.helpers import FAST_SETTINGS, wait_for
from tests.pg import PgCluster
from tests.tcp_relay import relayed
from wabot_desktop.core.dto import ConversationMode
from wabot_desktop.core.errors import ShopConnectionError, ShopOfflineError
from wabot_desktop.core.events import Event
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.settings import save_settings
from wabot_desktop.core.shop import (
    ShopConnection,
    ShopConnectionChanged,
    StaffCore,
    load_shop,
    probe_shop,
    save_shop,
)
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.dialect import parse_database_url


def migrated(url: str) -> None:
    db = Database(Path("/nonexistent/wabot.db"), url=parse_database_url(url))
    try:
        db.migrate()
        db.session_run_sync(lambda s: save_settings(s, **FAST_SETTINGS))
    finally:
        db.close()


def shop(cluster: PgCluster, url: str, **changes: object) -> ShopConnection:
    values: dict[str, object] = {
        "host": cluster.host,
        "port": cluster.port,
        "database": url.rsplit("/", 1)[1],
        "user": cluster.user,
        "tls": False,
    }
    values.update(changes)
    return ShopConnection(**values)  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def error_code(call: object) -> str:
    with pytest.raises(ShopConnectionError) as info:
        call()  # type: ignore[operator]
    return str(info.value.code)


def test_a_good_connection_reports_the_server(pg_cluster: PgCluster, pg_url: str) -> None:
    migrated(pg_url)
    info = probe_shop(shop(pg_cluster, pg_url), pg_cluster.password)
    assert info.server_version and info.conversations == 0 and info.tls is False


def test_connection_errors_say_why(
    pg_cluster: PgCluster, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = shop(pg_cluster, pg_url)
    password = pg_cluster.password
    # Nothing migrated yet: not a WaBot database (start serve on the server first).
    assert error_code(lambda: probe_shop(good, password)) == "shop_not_wabot"
    migrated(pg_url)
    assert error_code(lambda: probe_shop(good, "wrong-password-42")) == "shop_wrong_password"
    nobody = shop(pg_cluster, pg_url, user="nobody")
    assert error_code(lambda: probe_shop(nobody, password)) == "shop_wrong_password"
    missing = shop(pg_cluster, pg_url, database="no_such_db")
    assert error_code(lambda: probe_shop(missing, password)) == "shop_database_missing"
    closed = shop(pg_cluster, pg_url, port=closed_port())
    assert error_code(lambda: probe_shop(closed, password)) == "shop_unreachable"
    unknown = shop(pg_cluster, pg_url, host="no-such-host.invalid")
    assert error_code(lambda: probe_shop(unknown, password)) == "shop_unreachable"
    # TLS on (the default) against a server without TLS: refused, said so.
    assert error_code(lambda: probe_shop(shop(pg_cluster, pg_url, tls=True), password)) == (
        "shop_tls_refused"
    )
    empty = shop(pg_cluster, pg_url, host=" ")
    assert error_code(lambda: probe_shop(empty, password)) == "shop_incomplete"
    # Another version's schema: older (the server needs updating) or newer (this PC does).
    with psycopg.connect(pg_cluster.conninfo(good.database), autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0005'")
        assert error_code(lambda: probe_shop(good, password)) == "shop_schema_old"
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        assert error_code(lambda: probe_shop(good, password)) == "shop_schema_new"
    for bad in ("wrong-password-42", password):
        assert bad not in caplog.text


def test_the_saved_connection_holds_no_password(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path)
    assert load_shop(paths) is None
    connection = ShopConnection(host="tienda.local", database="wabot", user="caja1")
    save_shop(paths, connection)
    assert load_shop(paths) == connection
    assert connection.tls is True and "sslmode=require" in str(connection.url("pw-123"))
    saved = (paths.config_dir / "shop.json").read_text(encoding="utf-8")
    assert "pw-123" not in saved and '"tls": true' in saved
    save_shop(paths, None)
    assert load_shop(paths) is None


@pytest.mark.asyncio
async def test_a_dropped_link_is_told_retried_and_no_takeover_is_lost(
    tmp_path: Path, pg_cluster: PgCluster, pg_url: str
) -> None:
    migrated(pg_url)
    # One conversation to take over.
    with psycopg.connect(pg_cluster.conninfo(pg_url.rsplit("/", 1)[1]), autocommit=True) as conn:
        contact = conn.execute(
            "INSERT INTO contacts (wa_id, profile_name) VALUES ('5215550001111', 'Ana')"
            " RETURNING id"
        ).fetchone()
        assert contact is not None
        conversation = conn.execute(
            "INSERT INTO conversations (contact_id, mode, created_at) VALUES (%s, 'bot', 0)"
            " RETURNING id",
            (contact[0],),
        ).fetchone()
        assert conversation is not None
    conversation_id = int(conversation[0])
    async with relayed(pg_cluster.port) as relay:
        connection = shop(pg_cluster, pg_url, port=relay.port)
        staff = StaffCore(
            AppPaths.resolve(tmp_path), connection, pg_cluster.password, link_interval=0.3
        )
        await staff.start()
        events: list[Event] = []
        staff.hub.subscribe(events.append)
        try:
            assert staff.shared_events is not None
            await wait_for(staff.shared_events.listening.is_set, timeout=20)

            def changes() -> list[ShopConnectionChanged]:
                return [e for e in events if isinstance(e, ShopConnectionChanged)]

            await relay.cut()
            await wait_for(
                lambda: any(not c.connected for c in changes()), timeout=30, what="link down"
            )
            down = next(c for c in changes() if not c.connected)
            assert down.label == connection.label and down.retry_in is not None
            # While down, a takeover fails loudly (never shown as done).
            with pytest.raises(ShopOfflineError):
                await staff.service.take_over(conversation_id, "Ana")
            await relay.start()  # the server is back
            await wait_for(
                lambda: bool(changes()) and changes()[-1].connected, timeout=60, what="link up"
            )
            await wait_for(staff.shared_events.listening.is_set, timeout=60, what="listening")
            await staff.service.take_over(conversation_id, "Ana")
            summary = await staff.service.get_conversation(conversation_id)
            assert summary.mode is ConversationMode.HUMAN and summary.staff_name == "Ana"
        finally:
            await staff.stop()
