"""``serve --simulator`` as a real process: no account, no credentials, the bot answers."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.serve import ServeProcess, wait_until

pytestmark = pytest.mark.slow

_CURL_RE = re.compile(r"(curl -X POST (http://\S+)/simulator/send .*)$")


def fresh_env() -> dict[str, str]:
    """The environment of a machine with no accounts: no WABOT_* variables, no keyring."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WABOT_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_line(server: ServeProcess, pattern: re.Pattern[str], timeout: float = 10.0) -> str:
    def printed() -> str | None:
        return next((line for line in list(server.output) if pattern.search(line)), None)

    wait_until(printed, timeout, what=lambda: "line not printed:\n" + "".join(server.output))
    line = printed()
    assert line is not None
    return line


def test_serve_simulator_answers_without_any_account(tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = [
        "--simulator",
        "--data-dir", str(data),
        "--port", "0",
        "--no-tunnel",
        "--ollama-url", f"http://127.0.0.1:{closed_port()}",
    ]  # fmt: skip
    server = ServeProcess(args, fresh_env()).start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        hint = wait_for_line(server, _CURL_RE)
        match = _CURL_RE.search(hint)
        assert match is not None and match.group(2) == server.url
        # The printed command is a working shell command: send exactly what it sends.
        words = shlex.split(match.group(1))
        body = words[words.index("-d") + 1]
        with httpx.Client(timeout=20, trust_env=False) as client:
            sent = client.post(
                server.url + "/simulator/send",
                content=body.encode(),
                headers={"Content-Type": "application/json"},
            )
            assert sent.status_code == 200, sent.text
            data_sent = sent.json()
            assert data_sent["wamid"].startswith("wamid.SIM")
            # "wait" in the hint: the reply is already in the answer.
            assert data_sent["replies"], data_sent
            assert data_sent["replies"][0]["text"].startswith("Atendemos de lunes a viernes")

            # Another customer without "wait": the reply shows up in /simulator/messages.
            other = client.post(
                server.url + "/simulator/send",
                json={"name": "Beto", "wa_id": "12025550142", "text": "¿Hacen envíos?"},
            )
            assert other.status_code == 200 and other.json()["replies"] == []
            messages: list[dict[str, object]] = []

            def reply_read() -> bool:
                messages[:] = client.get(
                    server.url + "/simulator/messages", params={"wa_id": "12025550142"}
                ).json()["messages"]
                return bool(messages) and messages[0]["status"] == "read"

            wait_until(reply_read, timeout=10, what=lambda: f"the bot reply, read: {messages}")
            assert str(messages[0]["text"]).startswith("¡Sí! Hacemos envíos")
            assert messages[0]["status"] == "read"
    finally:
        code = server.terminate()
    assert code == 0, "".join(server.output)
    # Live data untouched: everything lives in the simulator's own folder.
    assert (data / "simulator" / "wabot.db").is_file()
    assert not (data / "wabot.db").exists()


def test_serve_without_credentials_points_to_the_simulator(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wabot_desktop", "serve", "--data-dir", str(tmp_path),
         "--port", "0", "--no-tunnel"],
        env=fresh_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "serve --simulator" in result.stderr
