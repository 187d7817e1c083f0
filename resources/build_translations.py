"""Compile the translation catalogs into the package: ``python resources/build_translations.py``.

``resources/i18n/wabot_<lang>.ts`` are the editable catalogs (Qt Linguist, ``pyside6-lupdate``);
this writes ``wabot_desktop/resources/i18n/wabot_<lang>.qm`` with PySide6's ``lrelease``. The
``.qm`` files are committed, so a wheel, an sdist or a bundle needs no Qt tools to build, and
``tests/gui/test_i18n.py`` fails when a committed ``.qm`` is not what its ``.ts`` compiles to.
With ``--check`` nothing is written: exit 1 names the stale catalogs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "resources" / "i18n"
TARGET = ROOT / "wabot_desktop" / "resources" / "i18n"


def lrelease() -> Path:
    """PySide6's lrelease next to the running interpreter's PySide6."""
    import PySide6

    for name in ("lrelease", "lrelease.exe"):
        candidate = Path(PySide6.__file__).parent / name
        if candidate.exists():
            return candidate
    found = shutil.which("pyside6-lrelease")
    if found:
        return Path(found)
    raise SystemExit("lrelease not found: pip install pyside6-essentials")


def compile_catalog(ts: Path, qm: Path) -> None:
    """Compile one ``.ts`` into ``qm``; raises on an lrelease error."""
    subprocess.run(
        [str(lrelease()), "-silent", str(ts), "-qm", str(qm)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def stale() -> list[str]:
    """Names of the catalogs whose committed ``.qm`` differs from a fresh compile."""
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for ts in sorted(SOURCES.glob("wabot_*.ts")):
            fresh = Path(tmp) / ts.with_suffix(".qm").name
            compile_catalog(ts, fresh)
            committed = TARGET / fresh.name
            if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
                out.append(ts.name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale catalogs")
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        for name in names:
            print(f"stale: {name} (run python resources/build_translations.py)")
        return 1 if names else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for ts in sorted(SOURCES.glob("wabot_*.ts")):
        compile_catalog(ts, TARGET / ts.with_suffix(".qm").name)
        print(f"compiled {ts.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
