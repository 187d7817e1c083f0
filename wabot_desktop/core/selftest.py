"""``--self-test``: is this install sound? Used by the packaging tests and by support.

Each check returns None (passed) or a short reason. Nothing touches the user's real profile: the
practice round trip runs on a throw-away data folder with the fallback responder (Ollama is
pointed at a closed port, so the bot answers with its rules and canned texts).
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from wabot_desktop.core import resources
from wabot_desktop.core.headless import SIMULATOR_TEST_MESSAGE
from wabot_desktop.core.paths import AppPaths

Check = tuple[str, Callable[[], str | None]]


def check_resources() -> str | None:
    gone = resources.missing()
    return ("missing: " + ", ".join(gone)) if gone else None


def check_keyring() -> str | None:
    import keyring

    backend = keyring.get_keyring()
    # Not a failure on a headless machine without a keyring daemon: report it, but only a
    # broken keyring import fails the test. A plaintext backend would be a packaging bug.
    name = type(backend).__module__ + "." + type(backend).__name__
    if "Plaintext" in name or "keyrings.alt" in name:
        return f"plaintext keyring backend bundled: {name}"
    return None


def keyring_backend_name() -> str:
    import keyring

    backend = keyring.get_keyring()
    return type(backend).__module__ + "." + type(backend).__name__


def check_database() -> str | None:
    from wabot_desktop.core.store.db import Database, current_revision, head_revision

    with tempfile.TemporaryDirectory(prefix="wabot-selftest-db-") as tmp:
        db = Database(Path(tmp) / "wabot.db")
        try:
            db.migrate()
        finally:
            db.close()
        revision = current_revision(Path(tmp) / "wabot.db")
    if revision != head_revision():
        return f"schema at {revision}, expected {head_revision()}"
    return None


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _round_trip(data_dir: Path) -> str | None:
    """A practice message answered by the bot, built the way the app builds it (a Session)."""
    from wabot_desktop.core.runtime import CoreConfig
    from wabot_desktop.core.secrets import MemorySecretStore
    from wabot_desktop.core.session import Session, SessionMode
    from wabot_desktop.core.whatsapp.sandbox import StatusDelays

    config = CoreConfig(
        paths=AppPaths.resolve(data_dir),
        port=0,
        tunnel=False,
        ollama_url=f"http://127.0.0.1:{_closed_port()}",
        # A throw-away profile: no need to wait for a customer's next line or paced sends.
        settings_overrides={"debounce_quiet_s": 0.1, "send_gap_s": 0.0},
        sandbox_delays=StatusDelays.instant(),
    )
    # Live credentials are never read: the check runs in practice mode only, and an empty
    # in-memory store keeps the owner's keyring out of it.
    session = Session(config, live_secrets=MemorySecretStore())
    await session.start(SessionMode.PRACTICE)
    try:
        async with httpx.AsyncClient(timeout=20, trust_env=False) as client:
            response = await client.post(
                session.server_url + "/simulator/send", json=SIMULATOR_TEST_MESSAGE
            )
        if response.status_code != 200:
            return f"simulator answered HTTP {response.status_code}"
        replies = response.json().get("replies") or []
        if not replies or not str(replies[0].get("text", "")).strip():
            return "the bot did not answer the practice message"
        return None
    finally:
        await session.stop()


def check_practice_round_trip() -> str | None:
    with tempfile.TemporaryDirectory(prefix="wabot-selftest-") as tmp:
        return asyncio.run(_round_trip(Path(tmp)))


CORE_CHECKS: list[Check] = [
    ("resources", check_resources),
    ("keyring", check_keyring),
    ("database", check_database),
    ("practice", check_practice_round_trip),
]


def run_checks(checks: list[Check]) -> list[tuple[str, str | None]]:
    """Run every check (one failing does not stop the others)."""
    results: list[tuple[str, str | None]] = []
    for name, check in checks:
        try:
            results.append((name, check()))
        except Exception as exc:  # a crash in a check is that check's failure
            results.append((name, f"{type(exc).__name__}: {exc}"))
    return results
