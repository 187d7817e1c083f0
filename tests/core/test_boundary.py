"""The core never loads Qt or the GUI (house style rule 2)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import wabot_desktop.core


def test_core_modules_import_without_qt() -> None:
    names = sorted(
        m.name
        for m in pkgutil.walk_packages(wabot_desktop.core.__path__, "wabot_desktop.core.")
        if ".migrations" not in m.name
    )
    assert "wabot_desktop.core.server" in names and "wabot_desktop.core.bot.engine" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync', 'shiboken6')"
        " or m.startswith('wabot_desktop.gui'))\n"
        "print('\\n'.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, (
        f"Qt/GUI modules loaded by the core:\n{result.stdout}{result.stderr}"
    )
