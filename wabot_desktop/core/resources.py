"""Bundled read-only files (prompts, icons, compiled translations, sample media).

They are package data of ``wabot_desktop.resources`` and are read through
:mod:`importlib.resources` only, so a wheel, an editable install and a PyInstaller bundle (which
collects them with the package) find them the same way. Nothing here guesses paths from
``__file__`` or ``sys._MEIPASS``, and nothing ever writes into the package folder.

The editable sources that are not needed at run time (the ``.ts`` translation catalogs, the
brand artwork) live in the repository's top-level ``resources/`` folder.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

PACKAGE = "wabot_desktop.resources"

# Files extracted for APIs that need a real path (Qt loads icons and catalogs by file name). For
# an ordinary install ``as_file`` returns the file itself and extracts nothing.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)
_paths: dict[str, Path] = {}


def _parts(relpath: str) -> tuple[str, ...]:
    pure = PurePosixPath(relpath)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in relpath:
        raise ValueError(f"invalid resource path: {relpath!r}")
    return pure.parts


def resource(relpath: str) -> Traversable:
    """The bundled file ``relpath`` (POSIX separators), e.g. ``resource("icons/wabot.svg")``.

    Raises:
        ValueError: ``relpath`` is absolute or climbs out of the resources.
    """
    node: Traversable = resources.files(PACKAGE)
    for part in _parts(relpath):
        node = node.joinpath(part)
    return node


def exists(relpath: str) -> bool:
    """Whether the bundled file ``relpath`` is there."""
    return resource(relpath).is_file()


def read_text(relpath: str) -> str:
    """The UTF-8 text of a bundled file, e.g. ``read_text("prompts/system_es.md")``."""
    return resource(relpath).read_text(encoding="utf-8")


def read_bytes(relpath: str) -> bytes:
    """The raw bytes of a bundled file."""
    return resource(relpath).read_bytes()


def file_path(relpath: str) -> Path:
    """A real file-system path of a bundled file, valid until the process exits.

    Raises:
        FileNotFoundError: the file is not bundled (a broken install).
    """
    cached = _paths.get(relpath)
    if cached is not None:
        return cached
    node = resource(relpath)
    if not node.is_file():
        raise FileNotFoundError(f"bundled resource missing: {relpath}")
    path = _extracted.enter_context(resources.as_file(node))
    _paths[relpath] = path
    return path


# Every file the program reads at run time. ``--self-test`` and the packaging checks verify
# them, so a wheel or bundle that misses one fails at build time, not at a customer's message.
REQUIRED = (
    "prompts/system_es.md",
    "prompts/system_en.md",
    "prompts/defaults_es.json",
    "prompts/defaults_en.json",
    "knowledge/starter_es.json",
    "knowledge/starter_en.json",
    "knowledge/labels_es.json",
    "knowledge/labels_en.json",
    "icons/wabot.svg",
    "i18n/wabot_es_419.qm",
    "i18n/wabot_en.qm",
    "media/photo.png",
    "media/voice_note.ogg",
)


def missing() -> list[str]:
    """The required resources that are not bundled (empty for a sound install)."""
    return [relpath for relpath in REQUIRED if not exists(relpath)]
