"""The app speaks "tú" to the shop owner: no "usted" forms in the owner-facing Spanish.

The window, Settings and tray always said "haz clic", "elige", "tus chats"; the setup wizard and
the prompt editor once said "Escriba", "Haga clic", "copie su authtoken y péguelo aquí". These
tests read the Spanish side of the core's bilingual texts (``Text(es, en)`` in the setup flow,
``q.t(es, en)`` in the setup CLI, the knowledge checks' hint) and every Spanish translation of
the GUI catalog, and fail on a verb form or pronoun that only "usted" uses. What the bot says to
customers (its default replies, the owner's prompt) is not checked: a shop may well say "usted"
to its customers.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wabot_desktop.core.knowledge.checks import HOW_TO_ENABLE

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "wabot_desktop" / "core"
SPANISH_CATALOG = REPO / "resources" / "i18n" / "wabot_es_419.ts"

# Forms that only "usted" uses (imperatives, with or without a pronoun). Ambiguous ones are left
# out on purpose: "vuelva", "espere", "abra" or "guarde" are also the third person's subjunctive
# ("hasta que vuelva a escribir", "en cuanto se guarde un token").
_USTED = re.compile(
    r"\b(?:usted|ustedes|escriba|escríbal[ao]s?|haga|hágal[ao]s?|elija|elíjal[ao]s?|revise"
    r"|copie|cópiel[ao]s?|pegue|péguel[ao]s?|pulse|instale|instálel[ao]s?|ejecute|intente"
    r"|verifique|verifíquel[ao]s?|agregue|agréguel[ao]s?|libere|indique|asigne|reserve"
    r"|corrija|converse|consulte|genere|inicie|envíe|seleccione|presione|descargue"
    r"|descárguel[ao]s?|ábral[ao]s?|si prefiere)\b",
    re.IGNORECASE,
)
# After a clitic pronoun the form is a subjunctive about someone else ("cuando un cliente le
# escriba"): "usted" imperatives put their pronouns after the verb ("escríbale").
_CLITIC_BEFORE = re.compile(r"\b(?:le|les|me|te|se|nos|lo|la|los|las)\s+$", re.IGNORECASE)


def _says_usted(text: str) -> bool:
    return any(not _CLITIC_BEFORE.search(text[: found.start()]) for found in _USTED.finditer(text))


def _spanish_of_calls(path: Path) -> list[tuple[int, str]]:
    """The first argument of every ``Text(...)`` and ``<x>.t(...)`` call: the Spanish side."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        named_text = isinstance(func, ast.Name) and func.id == "Text"
        method_t = isinstance(func, ast.Attribute) and func.attr == "t"
        if not (named_text or method_t) or len(node.args) < 2:
            continue
        first = node.args[0]
        text = first.value if isinstance(first, ast.Constant) else ast.unparse(first)
        found.append((node.lineno, str(text)))
    return found


@pytest.mark.parametrize("name", ["setup_flow.py", "setup_cli.py"])
def test_the_setup_texts_say_tu(name: str) -> None:
    texts = _spanish_of_calls(CORE / name)
    assert len(texts) > 20  # the walk found the texts
    usted = [(line, text) for line, text in texts if _says_usted(text)]
    assert usted == []


def test_the_knowledge_checks_hint_says_tu() -> None:
    assert not _says_usted(HOW_TO_ENABLE["es"])
    assert "instálalo" in HOW_TO_ENABLE["es"]


def test_the_spanish_catalog_says_tu() -> None:
    usted = []
    for context in ET.parse(SPANISH_CATALOG).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            forms = [form.text or "" for form in translation.iter("numerusform")]
            for text in forms or [translation.text or ""]:
                if _says_usted(text):
                    usted.append((name, text))
    assert usted == []


def test_the_pattern_tells_usted_from_tu() -> None:
    for usted in ("Escriba su dirección", "copie su authtoken y péguelo aquí", "Haga clic"):
        assert _says_usted(usted), usted
    for tu in (
        "Escribe la dirección",
        "copia tu authtoken y pégalo aquí",
        "Haz clic",
        "Ábrelo",
        "Cuando un cliente le escriba a tu número",
    ):
        assert not _says_usted(tu), tu
