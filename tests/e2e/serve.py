"""Run ``python -m wabot_desktop serve`` as a real subprocess for end-to-end tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.helpers import (
    ACCESS_TOKEN,
    APP_SECRET,
    FAST_SETTINGS,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    wait_for_blocking,
)
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.settings import save_settings
from wabot_desktop.core.store.db import Database

_LISTEN_RE = re.compile(r"listening on (http://\S+)")


def seed_settings(data_dir: Path, **settings: Any) -> None:
    """Write settings into the profile before the server starts (as the GUI would)."""
    paths = AppPaths.resolve(data_dir).ensure()
    db = Database(paths.db_path)
    try:
        db.migrate()
        db.session_run_sync(lambda s: save_settings(s, **settings))
    finally:
        db.close()


def live_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WABOT_")}
    env.update(
        WABOT_ACCESS_TOKEN=ACCESS_TOKEN,
        WABOT_APP_SECRET=APP_SECRET,
        WABOT_VERIFY_TOKEN=VERIFY_TOKEN,
        WABOT_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(extra)
    return env


def rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on the profile's database (read from outside the running server)."""
    db = Database(AppPaths.resolve(data_dir).db_path)
    try:
        with db.engine.connect() as connection:
            return [tuple(r) for r in connection.exec_driver_sql(sql).all()]
    finally:
        db.close()


def settled(data_dir: Path) -> bool:
    """Every stored customer message is decided and no reply is queued (read from outside).

    The 200 means stored, and a decision and its replies are committed together: once this
    holds after a webhook's 200, whatever the bot was going to send has left.
    """
    undecided = rows(data_dir, "SELECT count(*) FROM messages WHERE direction='in' AND handled=0")
    queued = rows(data_dir, "SELECT count(*) FROM outbox WHERE state='queued'")
    return undecided[0][0] == 0 and queued[0][0] == 0


wait_until = wait_for_blocking  # the e2e tests' name for tests.helpers.wait_for_blocking


class ServeProcess:
    """A running ``serve``; ``url`` is its base URL once started."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.env = env
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.output: list[str] = []
        self._reader: threading.Thread | None = None

    def start(self, timeout: float = 30.0) -> ServeProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wabot_desktop", "serve", *self.args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        found = threading.Event()

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line)
                match = _LISTEN_RE.search(line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        if not found.wait(timeout):
            self.kill()
            raise AssertionError("serve did not start:\n" + "".join(self.output))
        return self

    def terminate(self, timeout: float = 20.0) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self._finish(timeout)

    def kill(self) -> int:
        assert self.proc is not None
        self.proc.kill()
        return self._finish(10)

    def _finish(self, timeout: float) -> int:
        assert self.proc is not None
        code = self.proc.wait(timeout)
        if self._reader is not None:
            self._reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code


def serve_args(data_dir: Path, graph_url: str, ollama_url: str | None) -> list[str]:
    ollama = ["--ollama-url", ollama_url] if ollama_url is not None else []
    return [
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--graph-url",
        graph_url,
        *ollama,
        "--no-tunnel",
    ]


FAST = dict(FAST_SETTINGS)
