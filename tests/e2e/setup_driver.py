"""Runs inside ``dbus-run-session`` with an unlocked gnome-keyring (see test_setup_cli.py).

Reads a JSON plan (argv[1]), runs each ``setup`` command as a subprocess, optionally starts
``serve`` afterwards and reads /health, then reads and deletes every stored secret; writes what
happened as JSON to argv[2].
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from wabot_desktop.core.errors import KeyringUnavailableError
from wabot_desktop.core.secrets import KeyringSecretStore, SecretKey, service_name_for


def wait_for_keyring() -> None:
    """``--daemonize`` can return before the unlocked collection is served (seen under load)."""
    probe = KeyringSecretStore("wabot-desktop:probe")
    for attempt in range(80):
        try:
            probe.set(SecretKey.PIN, "probe")
            probe.delete(SecretKey.PIN)
            return
        except KeyringUnavailableError:
            if attempt == 79:
                raise
            time.sleep(0.25)


def run_serve(data_dir: str, port: int, timeout: float) -> dict[str, Any]:
    """Start ``serve``, wait for it to listen, the tunnel to be up and the callback registered."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wabot_desktop",
            "serve",
            "--data-dir",
            data_dir,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout

    def wait_line(pattern: str) -> re.Match[str] | None:
        while time.monotonic() < deadline and proc.poll() is None:
            for line in list(lines):
                match = re.search(pattern, line)
                if match:
                    return match
            time.sleep(0.05)
        return None

    listening = wait_line(r"listening on (http://\S+)")
    health: Any = None
    if listening is not None and wait_line(r"Meta callback \S+ registered and read back"):
        health = httpx.get(listening.group(1) + "/health", timeout=5).json()
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    reader.join(10)
    return {
        "url": listening.group(1) if listening else None,
        "health": health,
        "output": "".join(lines),
        "exit": proc.returncode,
    }


def main() -> int:
    plan = json.loads(Path(sys.argv[1]).read_text())
    wait_for_keyring()
    report: dict[str, Any] = {"runs": []}
    for run in plan["runs"]:
        env = dict(os.environ, **run.get("env", {}))
        done = subprocess.run(
            [sys.executable, "-m", "wabot_desktop", "setup", *run["args"]],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        report["runs"].append(
            {
                "name": run["name"],
                "exit": done.returncode,
                "stdout": done.stdout,
                "stderr": done.stderr,
            }
        )
    serve = plan.get("serve")
    if serve:
        report["serve"] = run_serve(serve["data_dir"], serve["port"], 60)
    forget = plan.get("forget")
    if forget:
        store = KeyringSecretStore(service_name_for(Path(forget).resolve()))
        report["stored"] = {key.value: store.get(key) for key in SecretKey}
        for key in SecretKey:
            store.delete(key)
        report["after_delete"] = {key.value: store.get(key) for key in SecretKey}
    Path(sys.argv[2]).write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
