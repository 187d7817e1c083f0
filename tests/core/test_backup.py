"""One-file backup and restore: taken while webhooks arrive, restored with every acknowledged
message, and a restored shop answers its next customer with the restored knowledge."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.core.test_data_path import wait_for
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import new_wamid, post, running_core, text_body
from wabot_desktop.core.backup import InvalidBackupError, create_backup, restore_backup
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.store.db import current_revision, head_revision

FACTS = "Pastel de tres leches: $450 por encargo. Empanadas: $180 la docena."
LATER_FACTS = "Este texto se escribió después de la copia."


def stored_wamids(db_path: Path, *, pending: bool = True) -> set[str]:
    """Inbound wamids kept in ``db_path``: message rows and, unless ``pending`` is False, the
    messages of bodies acknowledged but not parsed yet (a burst's; parsed at the next start)."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        wamids = {row[0] for row in conn.execute("SELECT wamid FROM messages WHERE direction='in'")}
        if pending:
            for (body,) in conn.execute("SELECT body FROM pending_webhooks"):
                for entry in json.loads(body)["entry"]:
                    for change in entry["changes"]:
                        wamids.update(m["id"] for m in change["value"].get("messages", []))
    return wamids


def setting(db_path: Path, key: str) -> object:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        row = conn.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
    return json.loads(row[0]) if row else None


def backup_wamids(backup: Path, tmp: Path) -> set[str]:
    with zipfile.ZipFile(backup) as zf:
        zf.extract("wabot.db", tmp)
    return stored_wamids(tmp / "wabot.db")


@pytest.mark.asyncio
async def test_backup_while_webhooks_arrive_then_restore_keeps_every_acked_message(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    acked: list[str] = []
    acked_before_first_backup: set[str] = set()
    first = tmp_path / "first.zip"
    final = tmp_path / "final.zip"
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, extra_facts=FACTS
    ) as core:
        half_acked = asyncio.Event()

        async def customer(n: int) -> None:
            wa_id = f"5215500000{n:03d}"
            for i in range(15):
                wamid = new_wamid()
                body = text_body(
                    f"Mensaje {i} de la clienta {n}: ¿tienen empanadas? 🥟",
                    wa_id=wa_id,
                    wamid=wamid,
                    name=f"Clienta {n}",
                )
                response = await post(client, core.server_url, body)
                assert response.status_code == 200, response.text
                acked.append(wamid)
                if len(acked) >= 30:
                    half_acked.set()

        async def backup_midway() -> None:
            await half_acked.wait()
            acked_before_first_backup.update(acked)
            await asyncio.to_thread(create_backup, core.paths, first)

        await asyncio.gather(*(customer(n) for n in range(4)), backup_midway())
        # Still running (the bot may be answering): the final copy has every acked message.
        info = await asyncio.to_thread(create_backup, core.paths, final)
        assert info.revision == head_revision()
        assert info.messages >= len(acked)
        live_paths = core.paths

    assert len(acked) == 60
    extract = tmp_path / "x1"
    assert acked_before_first_backup <= backup_wamids(first, extract)
    with zipfile.ZipFile(final) as zf:
        assert set(zf.namelist()) == {"manifest.json", "wabot.db"}
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "wabot-desktop-backup"

    # The shop changes after the backup; restoring brings back the backed-up state.
    async with running_core(
        tmp_path, graph_url=graph.base_url, ollama_url=ollama.host, extra_facts=LATER_FACTS
    ):
        pass
    restore_backup(live_paths, final)
    assert set(acked) <= stored_wamids(live_paths.db_path)
    assert setting(live_paths.db_path, "extra_facts") == FACTS
    # The replaced database was kept in the backups folder.
    assert list((live_paths.data_dir / "backups").glob("auto-*-restore-rev*.db"))

    # Into a brand-new profile too, and that shop answers its next customer with the
    # restored knowledge.
    fresh = AppPaths.resolve(tmp_path / "fresh" / "data")
    restore_backup(fresh, final)
    assert set(acked) <= stored_wamids(fresh.db_path)
    ollama.reset()
    async with running_core(
        tmp_path / "fresh", graph_url=graph.base_url, ollama_url=ollama.host
    ) as restored:
        assert restored.settings.extra_facts == FACTS
        # Bodies the copy held unparsed are parsed at this start: every one is a message now.
        await wait_for(lambda: set(acked) <= stored_wamids(fresh.db_path, pending=False))
        response = await post(
            client,
            restored.server_url,
            text_body("¿Cuánto cuesta el tres leches?", wa_id="5215599999999", name="Nueva"),
        )
        assert response.status_code == 200
        # The restored chats' unanswered messages may be answered first (start-up recovery).
        await wait_for(
            lambda: any(m["to"] == "+5215599999999" for m in graph.sent_messages), timeout=30
        )
        asked = [json.dumps(r, ensure_ascii=False) for r in ollama.chat_requests]
        new_customer = [r for r in asked if "tres leches?" in r]
        assert new_customer and all(FACTS in r for r in new_customer)


def test_backup_never_contains_secrets(tmp_path: Path) -> None:
    from wabot_desktop.core.secrets import SecretKey
    from wabot_desktop.core.store.db import Database

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    db = Database(paths.db_path)
    try:
        db.migrate()
        with contextlib.closing(sqlite3.connect(paths.db_path)) as conn:
            names = {row[0] for row in conn.execute("SELECT key FROM settings")}
    finally:
        db.close()
    assert not names & {key.value for key in SecretKey}
    info = create_backup(paths, tmp_path / "b.zip")
    assert info.messages == 0
    raw = (tmp_path / "b.zip").read_bytes()
    assert b"test-access-token" not in raw and b"test-app-secret" not in raw


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "data")
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("hola")
    with pytest.raises(InvalidBackupError):
        restore_backup(paths, bogus)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "something-else"}))
    with pytest.raises(InvalidBackupError):
        restore_backup(paths, other)
    assert not paths.db_path.exists()


def test_restore_refuses_a_newer_schema(tmp_path: Path) -> None:
    from wabot_desktop.core.store.db import Database

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    db = Database(paths.db_path)
    db.migrate()
    db.close()
    backup = tmp_path / "b.zip"
    create_backup(paths, backup)
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(newer, "w") as dst:
        dst.writestr("manifest.json", src.read("manifest.json"))
        src.extract("wabot.db", tmp_path / "n")
        with contextlib.closing(sqlite3.connect(tmp_path / "n" / "wabot.db")) as conn:
            conn.execute("UPDATE alembic_version SET version_num='9999'")
            conn.commit()
        dst.write(tmp_path / "n" / "wabot.db", "wabot.db")
    target = AppPaths.resolve(tmp_path / "target")
    with pytest.raises(InvalidBackupError, match="9999"):
        restore_backup(target, newer)
    assert current_revision(paths.db_path) == head_revision()
