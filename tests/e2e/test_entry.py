"""The README's run command on a machine with no screen and no accounts shows the bot working."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_default_run_without_display_or_credentials_starts_the_simulator(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WABOT_") and k not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wabot_desktop",
            "--data-dir",
            str(tmp_path),
            "--port",
            "0",
            "--no-tunnel",
            "--ollama-url",
            "http://127.0.0.1:9",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + 30
        lines: list[str] = []
        while time.monotonic() < deadline and not url:
            line = proc.stdout.readline()
            lines.append(line)
            if "listening on " in line:
                url = line.split("listening on ", 1)[1].split()[0]
        assert url, "".join(lines)
        hint = proc.stdout.readline()
        assert "/simulator/send" in hint
        request = urllib.request.Request(
            url + "/simulator/send",
            data=json.dumps({"name": "Ana", "text": "¿A qué hora abren?", "wait": 15}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert answer["replies"], answer
        assert any(r.get("text") for r in answer["replies"])
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        if proc.stdout is not None:
            proc.stdout.close()
