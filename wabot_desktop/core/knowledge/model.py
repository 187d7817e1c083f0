"""What the bot knows and how it talks, as one versionable document.

A :class:`Knowledge` document holds the system prompt template, the business facts, the FAQ, the
price list, the canned texts and the owner's checks. It is stored as JSON in the
``knowledge_versions`` table (see :mod:`.store`); the defaults come from the package resources.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from wabot_desktop.core import resources
from wabot_desktop.core.llm.prompt import load_defaults, load_system_template, normalize_language
from wabot_desktop.core.settings import DEFAULT_HANDOFF_KEYWORDS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Canned texts the owner edits (keys of resources/prompts/defaults_*.json).
TEXT_KEYS = ("greeting", "away", "handoff", "opt_out_confirm", "media_unreadable", "no_answer")


@dataclass(frozen=True, slots=True)
class DeliveryZone:
    name: str
    cost: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    name: str = "Mi tienda"
    # weekday -> [[start, end], ...] "HH:MM"; several ranges = a break in between
    hours: dict[str, list[list[str]]] = field(default_factory=dict)
    closed_dates: tuple[str, ...] = ()  # "YYYY-MM-DD"
    address: str = ""
    map_link: str = ""
    payment_methods: tuple[str, ...] = ()
    delivery_zones: tuple[DeliveryZone, ...] = ()
    policies: str = ""
    time_zone: str = ""  # IANA name; "" = the PC's


@dataclass(frozen=True, slots=True)
class FaqItem:
    question: str
    answer: str
    enabled: bool = True
    direct: bool = False  # answer from the FAQ without asking the model


@dataclass(frozen=True, slots=True)
class PriceItem:
    name: str
    price: float
    variants: str = ""
    currency: str = ""
    available: bool = True


@dataclass(frozen=True, slots=True)
class Check:
    question: str
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Knowledge:
    language: str = "es"
    prompt: str = ""
    facts: Facts = field(default_factory=Facts)
    faq: tuple[FaqItem, ...] = ()
    prices: tuple[PriceItem, ...] = ()
    texts: dict[str, str] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    currency: str = "$"  # the shop's default currency symbol/code
    # Etiquette the rules read (core/bot/rules.py), versioned with the texts they go with.
    greeting_enabled: bool = False
    away_outside_hours: bool = False  # False: answer as usual outside hours
    handoff_keywords: tuple[str, ...] = DEFAULT_HANDOFF_KEYWORDS

    def replace(self, **changes: Any) -> Knowledge:
        return replace(self, **changes)

    def text(self, key: str) -> str:
        """The owner's canned text for ``key``, or the bundled default for the language."""
        return self.texts.get(key) or load_defaults(self.language).get(key, "")

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, indent=1)

    @classmethod
    def from_json(cls, raw: str) -> Knowledge:
        return from_dict(json.loads(raw))


def _tuple(items: Any, make: Any) -> tuple[Any, ...]:
    return tuple(make(item) for item in (items or ()))


def from_dict(data: dict[str, Any]) -> Knowledge:
    """Rebuild a document from its JSON form; missing keys take their defaults."""
    facts_raw = dict(data.get("facts") or {})
    facts = Facts(
        name=str(facts_raw.get("name", "Mi tienda")),
        hours={
            str(k): [list(map(str, r)) for r in v]
            for k, v in (facts_raw.get("hours") or {}).items()
        },
        closed_dates=tuple(map(str, facts_raw.get("closed_dates") or ())),
        address=str(facts_raw.get("address", "")),
        map_link=str(facts_raw.get("map_link", "")),
        payment_methods=tuple(map(str, facts_raw.get("payment_methods") or ())),
        delivery_zones=_tuple(
            facts_raw.get("delivery_zones"),
            lambda z: DeliveryZone(name=str(z.get("name", "")), cost=str(z.get("cost", ""))),
        ),
        policies=str(facts_raw.get("policies", "")),
        time_zone=str(facts_raw.get("time_zone", "")),
    )
    return Knowledge(
        language=normalize_language(str(data.get("language") or "es")),
        prompt=str(data.get("prompt", "")),
        facts=facts,
        faq=_tuple(
            data.get("faq"),
            lambda f: FaqItem(
                question=str(f["question"]),
                answer=str(f["answer"]),
                enabled=bool(f.get("enabled", True)),
                direct=bool(f.get("direct", False)),
            ),
        ),
        prices=_tuple(
            data.get("prices"),
            lambda p: PriceItem(
                name=str(p["name"]),
                price=float(p["price"]),
                variants=str(p.get("variants", "")),
                currency=str(p.get("currency", "")),
                available=bool(p.get("available", True)),
            ),
        ),
        texts={str(k): str(v) for k, v in (data.get("texts") or {}).items()},
        checks=_tuple(
            data.get("checks"),
            lambda c: Check(
                question=str(c["question"]),
                must_contain=tuple(map(str, c.get("must_contain") or ())),
                must_not_contain=tuple(map(str, c.get("must_not_contain") or ())),
            ),
        ),
        currency=str(data.get("currency", "$")),
        greeting_enabled=bool(data.get("greeting_enabled", False)),
        away_outside_hours=bool(data.get("away_outside_hours", False)),
        handoff_keywords=tuple(map(str, data.get("handoff_keywords", DEFAULT_HANDOFF_KEYWORDS))),
    )


def default_knowledge(language: str = "es") -> Knowledge:
    """The starting document: bundled prompt, weekday hours, starter checks."""
    lang = normalize_language(language)
    starter = json.loads(resources.read_text(f"knowledge/starter_{lang}.json"))
    base = from_dict(starter)
    return base.replace(language=lang, prompt=load_system_template(lang))
