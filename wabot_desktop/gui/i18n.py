"""UI language: pick it and install the translators.

Source strings are English; Spanish (es-419) is the product's first language, so it is the default
whenever the system language is not English. The editable catalogs are ``resources/i18n/*.ts`` in
the repository; their compiled ``.qm`` files are committed as package data
(``wabot_desktop/resources/i18n``) by ``python resources/build_translations.py``, and a test fails
when a committed ``.qm`` differs from what its ``.ts`` compiles to. The installed app never
compiles anything or writes into its own folder.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from wabot_desktop.core import resources

logger = logging.getLogger(__name__)

SPANISH = "es_419"
ENGLISH = "en"
LANGUAGES = (SPANISH, ENGLISH)
CATALOG_PREFIX = "wabot_"


def qm_resource(language: str) -> str:
    """The bundled compiled catalog of ``language`` (a resource path)."""
    return f"i18n/{CATALOG_PREFIX}{language}.qm"


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
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before installing translators")
        loaded = False
        ours = QTranslator(app)
        try:
            catalog = str(resources.file_path(qm_resource(language)))
        except FileNotFoundError:
            catalog = ""
        if catalog and ours.load(catalog):
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
