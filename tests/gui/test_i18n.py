"""Translations: complete Spanish, placeholders kept, catalogs compile and load."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from wabot_desktop.gui import i18n

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%n")
REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "resources" / "i18n"


def _ts_path(language: str) -> Path:
    return SOURCES / f"{i18n.CATALOG_PREFIX}{language}.ts"


def _messages(language: str) -> list[tuple[str, str, ET.Element]]:
    tree = ET.parse(_ts_path(language))
    found = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found.append((name, message.findtext("source") or "", message))
    return found


def _translations(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    assert translation is not None
    forms = [form.text or "" for form in translation.iter("numerusform")]
    return forms or [translation.text or ""]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_translation_keeps_the_source_placeholders(language: str) -> None:
    problems = []
    for context, source, message in _messages(language):
        translation = message.find("translation")
        assert translation is not None
        if translation.get("type") == "unfinished" and message.get("numerus") != "yes":
            continue  # English falls back to the source text itself
        expected = sorted(_PLACEHOLDER.findall(source))
        for text in _translations(message):
            if sorted(_PLACEHOLDER.findall(text)) != expected:
                problems.append(f"{context}: {source!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def test_spanish_is_complete() -> None:
    unfinished = [
        f"{context}: {source!r}"
        for context, source, message in _messages(i18n.SPANISH)
        if message.find("translation").get("type") in ("unfinished", "vanished", "obsolete")  # type: ignore[union-attr]
        or not all(t.strip() for t in _translations(message))
    ]
    assert not unfinished, "\n".join(unfinished)


def test_catalogs_cover_every_string_in_the_sources(tmp_path: Path) -> None:
    """Running lupdate on the sources finds nothing new: the .ts files are up to date."""
    repo = Path(__file__).resolve().parents[2]
    sources = sorted(str(p) for p in (repo / "wabot_desktop" / "gui").rglob("*.py"))
    fresh = tmp_path / "fresh.ts"
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    if not lupdate.exists():
        pytest.skip("pyside6-lupdate is not installed next to this interpreter")
    subprocess.run(
        [str(lupdate), *sources, "-source-language", "en", "-target-language", "es_419",
         "-locations", "none", "-ts", str(fresh)],
        check=True, capture_output=True,
    )  # fmt: skip
    wanted = {(c, s) for c, s, _ in _messages_of(fresh)}
    have = {(c, s) for c, s, _ in _messages(i18n.SPANISH)}
    assert wanted - have == set(), "run pyside6-lupdate and translate the new strings"


def _messages_of(path: Path) -> list[tuple[str, str, ET.Element]]:
    tree = ET.parse(path)
    return [
        (context.findtext("name") or "", message.findtext("source") or "", message)
        for context in tree.getroot().iter("context")
        for message in context.iter("message")
    ]


def test_committed_catalogs_are_fresh() -> None:
    """The committed .qm files are exactly what the .ts sources compile to (never stale)."""
    result = subprocess.run(
        [sys.executable, str(REPO / "resources" / "build_translations.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_compiled_catalog_translates(qapp: QApplication) -> None:
    translators = i18n.Translators()
    try:
        assert translators.install(i18n.SPANISH)
        assert QCoreApplication.translate("ChatListView", "All") == "Todos"
        assert QCoreApplication.translate("ChatList", "%n chat(s)", None, 1) == "1 chat"
        assert QCoreApplication.translate("ChatList", "%n chat(s)", None, 3) == "3 chats"
        assert translators.install(i18n.ENGLISH)
        assert QCoreApplication.translate("ChatListView", "All") == "All"
        assert QCoreApplication.translate("ChatList", "%n chat(s)", None, 1) == "1 chat"
    finally:
        translators.remove()
        QLocale.setDefault(QLocale.c())


@pytest.mark.parametrize(
    ("requested", "setting", "system", "expected"),
    [
        (None, "", QLocale(QLocale.Language.English, QLocale.Country.UnitedStates), "en"),
        (None, "", QLocale(QLocale.Language.Spanish, QLocale.Country.Mexico), "es_419"),
        (None, "", QLocale(QLocale.Language.Portuguese, QLocale.Country.Brazil), "es_419"),
        (None, "", QLocale.c(), "es_419"),
        (None, "en", QLocale(QLocale.Language.Spanish, QLocale.Country.Mexico), "en"),
        ("es-MX", "en", QLocale(QLocale.Language.English), "es_419"),
        ("fr", "", QLocale(QLocale.Language.English), "en"),
    ],
)
def test_language_follows_flag_then_setting_then_system(
    requested: str | None, setting: str, system: QLocale, expected: str
) -> None:
    assert i18n.choose_language(requested, setting, system) == expected
