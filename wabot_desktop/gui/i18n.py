"""UI language: pick it, compile the ``.ts`` files when needed, install the translators.

Source strings are English; Spanish (es-419) is the product's first language, so it is the default
whenever the system language is not English. ``.qm`` files are build output (gitignored):
:func:`ensure_compiled` runs ``lrelease`` when one is missing or older than its ``.ts``. A frozen
build ships the compiled ``.qm`` files and has no ``lrelease``, which is fine.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from wabot_desktop.core.resources import resource_path

logger = logging.getLogger(__name__)

SPANISH = "es_419"
ENGLISH = "en"
LANGUAGES = (SPANISH, ENGLISH)
CATALOG_PREFIX = "wabot_"


def i18n_dir() -> Path:
    """The folder with ``wabot_<lang>.ts`` and the compiled ``.qm`` files."""
    return resource_path("i18n")


def ts_path(language: str) -> Path:
    return i18n_dir() / f"{CATALOG_PREFIX}{language}.ts"


def qm_path(language: str) -> Path:
    return i18n_dir() / f"{CATALOG_PREFIX}{language}.qm"


def _lrelease() -> Path | None:
    import PySide6

    for name in ("lrelease", "lrelease.exe"):
        candidate = Path(PySide6.__file__).parent / name
        if candidate.exists():
            return candidate
    return None


def ensure_compiled(*, force: bool = False) -> list[Path]:
    """Compile each ``.ts`` whose ``.qm`` is missing or stale; returns the ``.qm`` files written."""
    written: list[Path] = []
    tool = _lrelease()
    for ts in sorted(i18n_dir().glob(f"{CATALOG_PREFIX}*.ts")):
        qm = ts.with_suffix(".qm")
        if not force and qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        if tool is None:
            logger.warning("lrelease not found; %s stays uncompiled", ts.name)
            continue
        result = subprocess.run(
            [str(tool), "-silent", str(ts), "-qm", str(qm)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            logger.error("lrelease failed for %s: %s", ts.name, result.stderr.strip())
            continue
        written.append(qm)
    return written


def normalize_language(value: str | None) -> str | None:
    """Map "es", "es-419", "es_MX", "en_US", ... to a supported language; None if unknown/empty."""
    if not value:
        return None
    lowered = value.strip().replace("-", "_").lower()
    if lowered.startswith("es"):
        return SPANISH
    if lowered.startswith("en"):
        return ENGLISH
    return None


def choose_language(
    requested: str | None, setting: str | None, system: QLocale | None = None
) -> str:
    """The UI language: command line, then the saved setting, then the system.

    The system decides only between English and Spanish: any non-English system gets Spanish,
    the product's first language.
    """
    for value in (requested, setting):
        chosen = normalize_language(value)
        if chosen is not None:
            return chosen
    locale = system if system is not None else QLocale.system()
    if locale.language() == QLocale.Language.English:
        return ENGLISH
    return SPANISH


class Translators:
    """The installed translators of the running application (kept alive while installed)."""

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []
        self.language = ENGLISH

    def install(self, language: str) -> bool:
        """Install WaBot's catalog and Qt's own for ``language``; True if WaBot's loaded."""
        self.remove()
        self.language = language
        ensure_compiled()
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before installing translators")
        loaded = False
        ours = QTranslator(app)
        if ours.load(str(qm_path(language))):
            app.installTranslator(ours)
            self._installed.append(ours)
            loaded = True
        else:
            logger.warning("translation catalog for %s not found", language)
        # Qt's own strings (standard dialog buttons, context menus of text fields).
        qt_lang = "es" if language == SPANISH else "en"
        qt_catalog = QTranslator(app)
        translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt_catalog.load(f"qtbase_{qt_lang}", translations):
            app.installTranslator(qt_catalog)
            self._installed.append(qt_catalog)
        QLocale.setDefault(
            QLocale(QLocale.Language.Spanish, QLocale.Country.LatinAmerica)
            if language == SPANISH
            else QLocale(QLocale.Language.English)
        )
        return loaded

    def remove(self) -> None:
        app = QCoreApplication.instance()
        for translator in self._installed:
            if app is not None:
                app.removeTranslator(translator)
        self._installed.clear()
