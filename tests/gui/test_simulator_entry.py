"""The real entry point, first launch: an empty profile and no credentials open the simulator.

The test runs ``wabot-desktop --data-dir <empty>`` in a fresh process (this module's ``main``),
types a question in the phone pane as soon as the window shows, and measures the time from the
process start to the bot's first reply in the pane. Ollama's URL is a closed loopback port, so
the fallback responder answers. The child process fails on any non-loopback connection.

Usage (what the test runs): ``python -m tests.gui.test_simulator_entry DATA_DIR OLLAMA_PORT
LAUNCHED_AT`` (the parent's ``time.monotonic()`` just before it started the process, so the
measured time includes the interpreter's start); the last line of its output is a JSON report.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

QUESTION = "¿Cuál es el horario de atención?"
TARGET_S = 5.0


def test_first_launch_of_the_app_opens_the_simulator_and_answers_in_the_pane(
    tmp_path: Path,
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = int(sock.getsockname()[1])
    repo = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WABOT_")}
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            "DISPLAY": env.get("DISPLAY") or ":0",  # app.has_display(): the GUI, not serve
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PYTHONPATH": str(repo),
        }
    )
    data_dir = tmp_path / "first-run"
    launched_at = time.monotonic()  # system-wide clock: the child measures from here
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.gui.test_simulator_entry",
            str(data_dir),
            str(closed_port),
            repr(launched_at),
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\nprocess start -> first bot reply in the pane: {report['reply_s']:.2f} s ({report})")
    assert report["simulator"] is True
    assert report["exit_code"] == 0
    assert report["blocked"] == []
    assert "9:00 a 19:00" in report["reply"]
    assert (data_dir / "simulator").is_dir()
    # Measured on the development machine: about 3.5 s. The bound leaves room for a busy CI
    # machine; the in-process test holds the 5 s target for the window-to-reply part.
    assert report["reply_s"] < 2 * TARGET_S


# -- the child process -----------------------------------------------------------------------


def _guard_network(blocked: list[str]) -> None:
    """Refuse (and record) every connection or name lookup that is not loopback."""

    def loopback(host: Any) -> bool:
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if not isinstance(host, str):
            return False
        if host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(host.split("%", 1)[0].strip("[]")).is_loopback
        except ValueError:
            return False

    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if not isinstance(address, str | bytes) and not loopback(address[0]):
            blocked.append(str(address[0]))
            raise ConnectionRefusedError("test guard: loopback only")
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not loopback(host):
            blocked.append(str(host))
            raise socket.gaierror("test guard: loopback only")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo


def main() -> int:
    data_dir, ollama_port, launched_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
    blocked: list[str] = []
    _guard_network(blocked)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from wabot_desktop import app

    qapp = QApplication(sys.argv[:1])  # run_gui reuses it
    report: dict[str, Any] = {"simulator": None, "reply": "", "blocked": blocked}

    def poll() -> None:
        # Plain Qt code on a timer: it must not await inside qasync's loop.
        from wabot_desktop.gui.main_window import MainWindow

        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            return
        window = windows[0]
        pane = window.phone_pane
        report["simulator"] = pane is not None
        if pane is None:
            timer.stop()
            window.request_quit()
            return
        if "ready_s" not in report and pane.customer is not None:
            report["ready_s"] = time.monotonic() - launched_at
            pane.view.edit.setText(QUESTION)
            pane.view.send_button.click()
            return
        replies = [m for m in pane.model.messages() if not m.from_customer]
        if "ready_s" in report and replies:
            report["reply_s"] = time.monotonic() - launched_at
            report["reply"] = replies[0].text or ""
            timer.stop()
            window.request_quit()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(poll)
    timer.start()
    report["exit_code"] = app.main(
        [
            "--data-dir",
            data_dir,
            "--ollama-url",
            f"http://127.0.0.1:{ollama_port}",
            "--lang",
            "es",
        ]
    )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
