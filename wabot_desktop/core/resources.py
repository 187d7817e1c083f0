"""Bundled read-only files (prompts, icons, translations) from the top-level ``resources/`` folder.

``resources/`` sits next to the package in a source checkout and is copied to
``sys._MEIPASS/resources`` by PyInstaller (``datas`` in build.spec). It is not package data, so
``importlib.resources`` cannot find it; this module resolves both layouts the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath


def resources_dir() -> Path:
    """The folder holding the bundled resources (frozen or source checkout)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    # wabot_desktop/core/resources.py -> parents[2] is the repository root.
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(relpath: str) -> Path:
    """Absolute path of ``relpath`` (POSIX separators) inside the resources folder.

    Raises:
        ValueError: ``relpath`` is absolute or climbs out of the folder.
    """
    pure = PurePosixPath(relpath)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise ValueError(f"invalid resource path: {relpath!r}")
    return resources_dir().joinpath(*pure.parts)


def read_text(relpath: str) -> str:
    """The UTF-8 text of a bundled file, e.g. ``read_text("prompts/system_es.md")``."""
    return resource_path(relpath).read_text(encoding="utf-8")


def read_bytes(relpath: str) -> bytes:
    """The raw bytes of a bundled file."""
    return resource_path(relpath).read_bytes()
