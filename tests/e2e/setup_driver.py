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
    assert proc.stdout is not None
    lines: list[str] = []
    url = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            url = match.group(1)
            break
    health: Any = None
    if url is not None:
        # Wait until the tunnel (own URL) is up and the callback was re-registered.
        while time.monotonic() < deadline:
            health = httpx.get(url + "/health", timeout=5).json()
            if health.get("tunnel") == "up":
                break
            time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=30)
    return {"url": url, "health": health, "output": "".join(lines) + rest, "exit": proc.returncode}


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
