"""Smoke test of an INSTALLED wheel, run by .ci/run with the fresh venv's interpreter.

Usage: ``VENV/bin/python tests/smoke/installed.py SOURCE_TREE`` from a folder outside the source
tree. It proves what a user who typed ``pip install .`` gets:

1. the package is imported from the venv (not the source tree) and every bundled resource the
   source tree has is installed too (a wheel missing a prompt, icon or catalog fails here);
2. the headless default run (``wabot-desktop`` with no display, an empty HOME, no keyring)
   prints its simulator line, and a simulated customer message gets a Spanish bot reply;
3. a GUI start offscreen loads the Spanish catalog and the application icon, and writes its log.

Exit 0 when all pass; otherwise the failing step is printed and the exit code is 1.
Standard library only (plus the installed app), so it needs no test dependencies.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

_HINT = re.compile(r"curl -X POST (http://\S+)/simulator/send .* -d '(\{.*\})'")


def fail(step: str, detail: str) -> None:
    print(f"SMOKE FAIL [{step}]: {detail}", file=sys.stderr)
    sys.exit(1)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def user_env(home: Path) -> dict[str, str]:
    """A new user's environment: empty HOME, no display, no D-Bus session, no WABOT_* variables."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WABOT_", "XDG_", "QT_", "DBUS_"))
        and k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH")
    }
    env["HOME"] = str(home)
    env["LANG"] = "es_MX.UTF-8"
    return env


def check_resources(source_tree: Path) -> None:
    import wabot_desktop
    from wabot_desktop.core import resources

    installed = Path(wabot_desktop.__file__).resolve().parent
    if source_tree.resolve() in installed.parents:
        fail("resources", f"imported from the source tree ({installed}), not the wheel")
    missing = resources.missing()
    if missing:
        fail("resources", f"required resources not installed: {missing}")
    source = source_tree / "wabot_desktop" / "resources"
    wanted = {
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    have = {
        p.relative_to(installed / "resources").as_posix()
        for p in (installed / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    if wanted - have:
        fail("resources", f"in the source tree but not in the wheel: {sorted(wanted - have)}")
    if not (installed / "core" / "store" / "migrations" / "env.py").is_file():
        fail("resources", "Alembic migrations not installed")
    print(f"smoke: {len(have)} resource files installed with the package at {installed}")


def check_headless_reply(venv_bin: Path, home: Path) -> None:
    exe = venv_bin / ("wabot-desktop.exe" if os.name == "nt" else "wabot-desktop")
    args = [
        str(exe),
        "--port",
        "0",
        "--no-tunnel",
        "--ollama-url",
        f"http://127.0.0.1:{closed_port()}",
    ]
    started = time.monotonic()
    proc = subprocess.Popen(
        args, env=user_env(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=home,
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        url = body = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                fail("headless", "exited before the simulator line:\n" + "".join(lines))
            lines.append(line)
            match = _HINT.search(line)
            if match:
                url, body = match.group(1), match.group(2)
                break
        if not url:
            fail("headless", "no simulator line within 60 s:\n" + "".join(lines))
        request = urllib.request.Request(
            url + "/simulator/send", data=body.encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        replies = [r.get("text", "") for r in answer.get("replies", [])]
        if not replies or not replies[0].strip():
            fail(
                "headless",
                f"no bot reply to the first customer message: {answer}\n" + "".join(lines),
            )
        if any(word in " ".join(lines) for word in ("Traceback", "FileNotFoundError")):
            fail("headless", "an error was printed:\n" + "".join(lines))
        print(
            f"smoke: first simulated reply after {time.monotonic() - started:.1f} s: {replies[0][:60]!r}"
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("headless", "did not stop on SIGTERM within 20 s")


_GUI_CHECK = """
import sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
from wabot_desktop.gui import i18n
from wabot_desktop.gui.widgets.icons import app_icon
app = QApplication(sys.argv)
translators = i18n.Translators()
assert translators.install(i18n.SPANISH), "Spanish catalog not loaded"
assert QCoreApplication.translate("ChatListView", "All") == "Todos", "catalog does not translate"
icon = app_icon()
assert not icon.isNull() and not icon.pixmap(64, 64).isNull(), "application icon not found"
print("gui-ok")
"""


def check_gui_offscreen(venv_python: Path, home: Path) -> None:
    env = user_env(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [str(venv_python), "-c", _GUI_CHECK], env=env, capture_output=True, text=True, timeout=120,
        cwd=home,
    )  # fmt: skip
    output = result.stdout + result.stderr
    if result.returncode != 0 or "gui-ok" not in result.stdout:
        fail("gui", output)
    if "Cannot open file" in output or "not found" in output:
        fail("gui", "Qt could not open a bundled file:\n" + output)
    print("smoke: offscreen GUI loads the Spanish catalog and the icon")


def package_files() -> set[str]:
    """Every file of the installed package but byte-code caches."""
    import wabot_desktop

    root = Path(wabot_desktop.__file__).resolve().parent
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source_tree = Path(sys.argv[1]).resolve()
    venv_bin = Path(sys.executable).parent
    check_resources(source_tree)
    before = package_files()
    with tempfile.TemporaryDirectory(prefix="wabot-home-") as tmp:
        home = Path(tmp)
        check_headless_reply(venv_bin, home)
        check_gui_offscreen(Path(sys.executable), home)
    written = package_files() - before
    if written:
        fail("read-only install", f"the app wrote into its own package folder: {sorted(written)}")
    print("smoke: installed wheel OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
