"""The price guard: a reply never states an amount of money the shop did not list.

After generation every amount in the reply ($18.500, 18,500.00, 18 mil, USD 25, 25 soles, ...) is
checked against the price list and the numbers in the business facts (delivery costs, policies,
FAQ answers). An amount found in neither is replaced by the listed price when the product the
reply talks about is clear; otherwise the whole reply becomes "let me check with the team" and
the conversation is handed to a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from wabot_desktop.core.knowledge.compose import format_amount, labels
from wabot_desktop.core.knowledge.model import Knowledge, PriceItem
from wabot_desktop.core.knowledge.text import fold

_SYMBOLS = r"(?:US\$|U\$S|R\$|S/\.?|C\$|RD\$|Q\.?|\$|€|£|₡|₲|Bs\.?)"
_CODES = r"(?:USD|EUR|MXN|ARS|COP|CLP|PEN|UYU|BOB|PYG|GTQ|CRC|DOP|BRL|VES|GBP)"
_WORDS = r"(?:pesos?|d[oó]lares?|dollars?|euros?|soles?|bol[ií]vares?|quetzales?|colones?|reales?)"
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
AMOUNT_RE = re.compile(
    rf"(?P<pre>{_SYMBOLS}|\b{_CODES})\s?(?P<n1>{_NUMBER})(?:\s*(?P<mil>mil|k)\b)?"
    rf"|(?<![\w.,])(?P<n2>{_NUMBER})(?:\s*(?P<mil2>mil|k)\b)?\s?"
    rf"(?P<post>{_SYMBOLS}|{_CODES}\b|{_WORDS}\b)"
    rf"|(?<![\w.,])(?P<n3>{_NUMBER})\s+(?P<mil3>mil)\b"
    # a bare number right after a price word: "cuesta 21000", "el total es 5.000", "costs 12"
    rf"|\b(?:cuestan?|salen?|valen?|precio|total|costs?|price)(?:\s+(?:es|de|is|of))?\s+"
    rf"(?P<n4>(?>{_NUMBER}))(?:\s*(?P<mil4>mil|k)\b)?"
    rf"(?=\s*(?:[.,;:!?)]|$)|\s+(?:y|e|o|and|or|cada|each|c/u|la|el|los|las|the)\b)",
    re.IGNORECASE,
)
_ANY_NUMBER_RE = re.compile(rf"(?<![\w])(?:{_NUMBER})(?:\s*mil\b)?", re.IGNORECASE)
TOLERANCE = 0.005
PRODUCT_MATCH = 85


def parse_number(raw: str) -> float:
    """ "18.500" -> 18500; "18,500.00" -> 18500; "12,50" -> 12.5; "1 200" -> 1200."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if "." in text and "," in text:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        return float(text.replace(thousands, "").replace(decimal, "."))
    for sep in (".", ","):
        if sep in text:
            head, _, tail = text.rpartition(sep)
            if text.count(sep) > 1 or len(tail) == 3:
                return float(text.replace(sep, ""))
            return float(head.replace(sep, "") + "." + tail)
    return float(text)


@dataclass(frozen=True, slots=True)
class Amount:
    start: int
    end: int
    value: float
    text: str


def find_amounts(text: str) -> list[Amount]:
    """Every amount of money in ``text`` (a number with a currency, or "N mil")."""
    found = []
    for m in AMOUNT_RE.finditer(text):
        number = m.group("n1") or m.group("n2") or m.group("n3") or m.group("n4")
        value = parse_number(number)
        if m.group("mil") or m.group("mil2") or m.group("mil3") or m.group("mil4"):
            value *= 1000
        start = m.start("n4") if m.group("n4") else m.start()  # keep the price word itself
        found.append(Amount(start, m.end(), value, text[start : m.end()]))
    return found


def _numbers(texts: Iterable[str]) -> set[float]:
    values: set[float] = set()
    for text in texts:
        for m in _ANY_NUMBER_RE.finditer(text):
            raw = m.group(0)
            mil = raw.lower().endswith("mil")
            try:
                value = parse_number(raw[:-3] if mil else raw)
            except ValueError:
                continue
            values.add(value * 1000 if mil else value)
    return values


def allowed_amounts(knowledge: Knowledge) -> set[float]:
    """Prices from the list plus every number the business facts and FAQ answers state."""
    facts = knowledge.facts
    texts = [z.cost for z in facts.delivery_zones] + [facts.policies]
    texts += [f.answer for f in knowledge.faq if f.enabled]
    return {p.price for p in knowledge.prices} | _numbers(texts)


def _is_allowed(value: float, allowed: set[float]) -> bool:
    return any(abs(value - a) <= TOLERANCE * max(1.0, a) for a in allowed)


def _mentioned(name: str, folded: str, words: set[str]) -> bool:
    if name in folded:
        return True
    if fuzz.partial_ratio(name, folded) >= PRODUCT_MATCH and len(name) <= len(folded):
        return True
    # "la torta" names "Torta de chocolate": any significant word of the name, as a word
    return any(len(w) >= 4 and w in words for w in name.split())


def product_in(text: str, prices: Iterable[PriceItem]) -> PriceItem | None:
    """The one listed product ``text`` talks about, or None when none or several match."""
    folded = fold(text)
    words = set(folded.split())
    mentioned = [
        item for item in prices if fold(item.name) and _mentioned(fold(item.name), folded, words)
    ]
    if not mentioned:
        return None
    # Several variants of one product count only when they cost the same.
    if len({fold(i.name) for i in mentioned}) == 1 and len({i.price for i in mentioned}) == 1:
        return mentioned[0]
    return None


@dataclass(frozen=True, slots=True)
class GuardResult:
    text: str
    handoff: bool = False
    invented: tuple[float, ...] = ()
    replaced: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def guard_reply(reply: str, knowledge: Knowledge, customer_text: str = "") -> GuardResult:
    """Check every amount in ``reply``; fix or refuse the reply (see the module docstring)."""
    amounts = find_amounts(reply)
    if not amounts:
        return GuardResult(reply)
    allowed = allowed_amounts(knowledge)
    bad = [a for a in amounts if not _is_allowed(a.value, allowed)]
    if not bad:
        return GuardResult(reply)
    product = product_in(reply, knowledge.prices) or product_in(customer_text, knowledge.prices)
    invented = tuple(a.value for a in bad)
    if product is None or not product.available:
        text = str(labels(knowledge.language)["price_check"])
        return GuardResult(text, handoff=True, invented=invented)
    listed = format_amount(product.price, product.currency or knowledge.currency)
    out, last, swaps = [], 0, []
    for amount in bad:
        out.append(reply[last : amount.start])
        out.append(listed)
        swaps.append((amount.text, listed))
        last = amount.end
    out.append(reply[last:])
    return GuardResult("".join(out), invented=invented, replaced=tuple(swaps))
