"""Compose the system prompt from a :class:`Knowledge` document.

Variables the template may use: {negocio} {horario} {direccion} {pagos} {faq} {precios} {hoy}
(and the older {business_name}). Everything the template does not place itself is appended after
the "Datos del negocio" heading, so the model always sees the facts and the price list. Customer
text never enters the system message (see :mod:`wabot_desktop.core.llm.prompt`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wabot_desktop.core import resources
from wabot_desktop.core.knowledge.model import WEEKDAYS, Facts, Knowledge, PriceItem
from wabot_desktop.core.llm.prompt import fill_placeholders, normalize_language

VARIABLES = ("negocio", "horario", "direccion", "pagos", "faq", "precios", "hoy")
LEGACY_VARIABLES = ("business_name", "hours", "address", "payment_methods", "extra_facts")
_VAR_RE = re.compile(r"\{([^{}\s]*)\}")
CHARS_PER_TOKEN = 3.5  # rough figure for Spanish/English text with small local models
DEFAULT_CONTEXT_TOKENS = 4096
REPLY_RESERVE_TOKENS = 512


@lru_cache(maxsize=4)
def labels(language: str) -> dict[str, object]:
    data = json.loads(resources.read_text(f"knowledge/labels_{normalize_language(language)}.json"))
    assert isinstance(data, dict)
    return data


def _label(language: str, key: str) -> str:
    return str(labels(language)[key])


def unknown_variables(template: str) -> list[str]:
    """Names in braces the template uses that are not variables (in order, no repeats)."""
    known = set(VARIABLES) | set(LEGACY_VARIABLES)
    seen: list[str] = []
    for match in _VAR_RE.finditer(template):
        name = match.group(1)
        if name not in known and name not in seen:
            seen.append(name)
    return seen


def shop_zone(facts: Facts) -> tzinfo | None:
    """The shop's time zone; None = the PC's local zone."""
    if facts.time_zone:
        try:
            return ZoneInfo(facts.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return None


def shop_now(facts: Facts, now: float) -> datetime:
    zone = shop_zone(facts)
    moment = datetime.fromtimestamp(now, zone) if zone else datetime.fromtimestamp(now)
    return moment


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def _ranges(facts: Facts, day: date) -> list[tuple[int, int]]:
    if day.isoformat() in facts.closed_dates:
        return []
    out = []
    for item in facts.hours.get(WEEKDAYS[day.weekday()], []):
        try:
            start, end = item
            out.append((_minutes(start), _minutes(end)))
        except (TypeError, ValueError):
            continue
    return out


def is_open(facts: Facts, moment: datetime) -> bool:
    """Open at ``moment`` (shop-local): weekday ranges (breaks between them), minus closed dates."""
    minute = moment.hour * 60 + moment.minute
    for start, end in _ranges(facts, moment.date()):
        if start <= minute < end or (end < start and minute >= start):
            return True
    yesterday = moment.date() - timedelta(days=1)
    return any(end < start and minute < end for start, end in _ranges(facts, yesterday))


def today_text(facts: Facts, now: float, language: str) -> str:
    moment = shop_now(facts, now)
    weekday = list(labels(language)["weekdays"])[moment.weekday()]  # type: ignore[call-overload]
    state = _label(language, "open_now" if is_open(facts, moment) else "closed_now")
    return f"{weekday} {moment.date().isoformat()} {moment:%H:%M} ({state})"


def hours_text(facts: Facts, language: str) -> str:
    days = list(labels(language)["weekdays"])  # type: ignore[call-overload]
    lines = []
    for index, key in enumerate(WEEKDAYS):
        ranges = facts.hours.get(key, [])
        shown = ", ".join(f"{r[0]}-{r[1]}" for r in ranges if len(r) == 2)
        lines.append(f"{days[index]}: {shown or _label(language, 'closed')}")
    if facts.closed_dates:
        lines.append(f"{_label(language, 'closed_dates')}: {', '.join(facts.closed_dates)}")
    return "\n".join(lines)


def address_text(facts: Facts, language: str) -> str:
    parts = [facts.address.strip()]
    if facts.map_link.strip():
        parts.append(f"{_label(language, 'map')}: {facts.map_link.strip()}")
    return "\n".join(p for p in parts if p)


def payments_text(facts: Facts) -> str:
    return ", ".join(p.strip() for p in facts.payment_methods if p.strip())


def format_amount(value: float, currency: str) -> str:
    """18500 -> "$18.500"; 12.5 -> "$12,50" (the Latin American way)."""
    whole = f"{value:,.2f}" if value != int(value) else f"{int(value):,}"
    local = whole.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    symbol = currency or "$"
    return f"{symbol}{local}" if len(symbol) <= 2 else f"{local} {symbol}"


def price_line(item: PriceItem, knowledge: Knowledge) -> str:
    name = item.name + (f" ({item.variants})" if item.variants.strip() else "")
    amount = format_amount(item.price, item.currency or knowledge.currency)
    unavailable = "" if item.available else f" [{_label(knowledge.language, 'unavailable')}]"
    return f"- {name}: {amount}{unavailable}"


def prices_text(knowledge: Knowledge) -> str:
    return "\n".join(price_line(item, knowledge) for item in knowledge.prices)


def faq_text(knowledge: Knowledge) -> str:
    q, a = _label(knowledge.language, "q"), _label(knowledge.language, "a")
    return "\n".join(
        f"{q}: {f.question.strip()}\n{a}: {f.answer.strip()}"
        for f in knowledge.faq
        if f.enabled and f.question.strip() and f.answer.strip()
    )


def delivery_text(facts: Facts) -> str:
    return "\n".join(
        f"- {z.name}: {z.cost}" if z.cost else f"- {z.name}" for z in facts.delivery_zones if z.name
    )


def variable_values(knowledge: Knowledge, now: float) -> dict[str, str]:
    facts, lang = knowledge.facts, knowledge.language
    values = {
        "negocio": facts.name.strip(),
        "horario": hours_text(facts, lang),
        "direccion": address_text(facts, lang),
        "pagos": payments_text(facts),
        "faq": faq_text(knowledge),
        "precios": prices_text(knowledge),
        "hoy": today_text(facts, now, lang),
    }
    values.update(
        business_name=values["negocio"],
        hours=values["horario"],
        address=values["direccion"],
        payment_methods=values["pagos"],
        extra_facts=facts.policies.strip(),
    )
    return values


def system_prompt(knowledge: Knowledge, now: float) -> str:
    """The full system message: the filled template, then every fact it did not place itself."""
    values = variable_values(knowledge, now)
    used = {m.group(1) for m in _VAR_RE.finditer(knowledge.prompt)}
    lang = knowledge.language
    sections: list[tuple[str, str, str]] = [
        ("hoy", _label(lang, "today"), values["hoy"]),
        ("negocio", _label(lang, "name"), values["negocio"]),
        ("horario", _label(lang, "hours"), values["horario"]),
        ("direccion", _label(lang, "address"), values["direccion"]),
        ("pagos", _label(lang, "payments"), values["pagos"]),
        ("", _label(lang, "delivery"), delivery_text(knowledge.facts)),
        ("extra_facts", _label(lang, "policies"), knowledge.facts.policies.strip()),
        ("faq", _label(lang, "faq"), values["faq"]),
        ("precios", _label(lang, "prices"), values["precios"]),
    ]
    legacy = {"negocio": "business_name", "horario": "hours", "direccion": "address"}
    legacy["pagos"] = "payment_methods"
    lines = [_label(lang, "facts") + ":"]
    for var, title, text in sections:
        if not text or (var and (var in used or legacy.get(var) in used)):
            continue
        if "\n" in text:
            lines.append(f"{title}:\n{text}")
        else:
            lines.append(f"- {title}: {text}")
    instructions = fill_placeholders(knowledge.prompt, values).strip()
    return instructions + "\n\n" + "\n".join(lines)


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


@dataclass(frozen=True, slots=True)
class Budget:
    """How the model's context window is shared."""

    context_tokens: int
    system_tokens: int
    reply_tokens: int = REPLY_RESERVE_TOKENS

    @property
    def history_tokens(self) -> int:
        return max(0, self.context_tokens - self.system_tokens - self.reply_tokens)

    @property
    def history_chars(self) -> int:
        return int(self.history_tokens * CHARS_PER_TOKEN)

    @property
    def fits(self) -> bool:
        return self.system_tokens + self.reply_tokens < self.context_tokens


def budget(system: str, context_tokens: int | None) -> Budget:
    return Budget(context_tokens or DEFAULT_CONTEXT_TOKENS, estimate_tokens(system))


@dataclass(frozen=True, slots=True)
class Preview:
    messages: list[dict[str, str]]
    text: str  # the whole prompt as the model receives it, role by role
    tokens: int
    budget: Budget
    unknown: list[str]


def preview(
    knowledge: Knowledge,
    now: float,
    context_tokens: int | None = None,
    sample: Sequence[str] | None = None,
) -> Preview:
    """The composed prompt with a sample conversation, its size and the unknown variables."""
    system = system_prompt(knowledge, now)
    customer = list(sample) if sample else [_label(knowledge.language, "sample_customer")]
    messages = [{"role": "system", "content": system}]
    messages += [{"role": "user", "content": text} for text in customer]
    text = "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in messages)
    b = budget(system, context_tokens)
    return Preview(messages, text, estimate_tokens(text), b, unknown_variables(knowledge.prompt))
