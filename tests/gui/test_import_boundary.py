"""The GUI talks to the core only through its facades (issue 10).

Every ``gui/*.py`` is parsed (not imported) and every import in it is checked, wherever it sits:
module level, inside functions, under ``if TYPE_CHECKING:``, and ``importlib.import_module`` /
``__import__`` calls with a literal name. From ``wabot_desktop.core`` the GUI may import only the
modules below; what it needs of paths, secrets, the runtime, the model server, the sandbox or the
store comes through them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import wabot_desktop.gui

CORE = "wabot_desktop.core"
ALLOWED = frozenset(
    {
        CORE,
        f"{CORE}.service",  # BotService (+ the prompt editor's knowledge value types)
        f"{CORE}.session",  # Session: modes, credentials status, folders, backup, About
        f"{CORE}.simulator",  # the phone pane's facade over the sandbox
        f"{CORE}.events",
        f"{CORE}.dto",
        f"{CORE}.errors",
        f"{CORE}.resources",
        # Issue 11: the Qt wizard renders the Qt-free wizard's steps and checks.
        f"{CORE}.setup_flow",
    }
)
GUI_DIR = Path(wabot_desktop.gui.__file__).parent


def _module_of(path: Path) -> str:
    relative = path.relative_to(GUI_DIR.parent.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name of a relative import (``from ..core import x`` in a gui module)."""
    base = current.split(".")
    if not is_package:
        base.pop()
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imported_core_modules(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Every ``wabot_desktop.core`` module the source imports (with its line)."""
    found: list[str] = []

    def note(name: str, line: int) -> None:
        if name == CORE or name.startswith(CORE + "."):
            found.append(f"{name} (line {line})")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                note(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _resolve(module, is_package, node.level, node.module)
            if base == CORE or base == "wabot_desktop":
                # ``from wabot_desktop.core import session`` names modules of the package too.
                for alias in node.names:
                    child = f"{base}.{alias.name}"
                    if base == CORE and alias.name != "*":
                        note(child, node.lineno)
                    elif base == "wabot_desktop" and alias.name == "core":
                        note(CORE, node.lineno)
                if base == CORE:
                    note(CORE, node.lineno)
            else:
                note(base, node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    note(first.value, node.lineno)
    return found


def _violations(found: list[str]) -> list[str]:
    # ``from wabot_desktop.core import X`` shows as ``wabot_desktop.core.X``: the package's
    # ``__init__`` defines no names, so X is always a module and is checked like one.
    return [entry for entry in found if entry.split(" ", 1)[0] not in ALLOWED]


def test_gui_imports_from_core_only_its_facades() -> None:
    files = sorted(GUI_DIR.rglob("*.py"))
    assert len(files) > 20 and any(p.name == "app_session.py" for p in files)
    problems: list[str] = []
    for path in files:
        module = _module_of(path)
        found = imported_core_modules(
            path.read_text("utf-8"), module, is_package=path.name == "__init__.py"
        )
        problems += [f"{path.relative_to(GUI_DIR)}: {entry}" for entry in _violations(found)]
    assert problems == [], "the GUI imports core modules behind the facades:\n" + "\n".join(
        problems
    )


def test_the_scan_sees_every_kind_of_import() -> None:
    source = """
from __future__ import annotations
import importlib
from typing import TYPE_CHECKING
from wabot_desktop.core.service import BotService
from wabot_desktop.core import events, runtime
import wabot_desktop.core.paths
from ..core.secrets import SecretKey
if TYPE_CHECKING:
    from wabot_desktop.core.llm.base import LlmState

def later():
    from wabot_desktop.core.whatsapp import sandbox
    importlib.import_module("wabot_desktop.core.store.db")
"""
    found = imported_core_modules(source, "wabot_desktop.gui.example")
    bad = sorted(entry.split(" ", 1)[0] for entry in _violations(found))
    assert bad == [
        "wabot_desktop.core.llm.base",
        "wabot_desktop.core.paths",
        "wabot_desktop.core.runtime",
        "wabot_desktop.core.secrets",
        "wabot_desktop.core.store.db",
        "wabot_desktop.core.whatsapp",
    ]
    names = {entry.split(" ", 1)[0] for entry in found}
    assert {"wabot_desktop.core.service", "wabot_desktop.core.events"} <= names
