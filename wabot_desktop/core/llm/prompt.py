"""Build the chat messages sent to the model.

Trust boundary: the system message holds only the owner's template and business facts. Customer
text (history and pending messages) only ever appears in ``user`` messages, so an instruction a
customer types can never become part of the system prompt. That holds for voice notes too: a
transcript (core/voice) is customer text, marked ``VOICE_NOTE_MARK`` in its user message; the
system message only gains a fixed note saying such transcripts may be misheard.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import string
from collections.abc import Mapping, Sequence

from wabot_desktop.core import resources
from wabot_desktop.core.dto import Author
from wabot_desktop.core.llm.base import (
    AUDIO_MARK,
    VOICE_NOTE_MARK,
    BusinessProfile,
    HistoryTurn,
    TurnContent,
)
from wabot_desktop.core.textutil import sanitize_text

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"
DEFAULT_KEYS = (
    "handoff",
    "away",
    "greeting",
    "backlog_apology",
    "opt_out_confirm",
    "opt_in_confirm",
    "media_unreadable",
    "no_answer",
    "thanks",
)

# Added to the system message when the prompt holds a transcribed voice note (fixed text).
VOICE_NOTE_HINT = {
    "es": (
        f"Los mensajes que empiezan con {VOICE_NOTE_MARK} son notas de voz del cliente "
        "transcritas automáticamente: pueden tener errores de reconocimiento. Si algo no se "
        "entiende, pide amablemente que lo aclare."
    ),
    "en": (
        f"Messages starting with {VOICE_NOTE_MARK} are the customer's voice notes, transcribed "
        "automatically: they may contain recognition errors. If something is unclear, kindly "
        "ask the customer to clarify."
    ),
}

# Prefix of staff turns shown to the model as assistant messages.
STAFF_PREFIX = {"es": "[respuesta del personal] ", "en": "[staff reply] "}

_LABELS = {
    "es": {
        "facts": "Datos del negocio",
        "name": "Nombre",
        "hours": "Horario",
        "address": "Dirección",
        "payment_methods": "Formas de pago",
        "extra_facts": "Otros datos",
        "faq": "Preguntas frecuentes",
        "q": "P",
        "a": "R",
    },
    "en": {
        "facts": "Business facts",
        "name": "Name",
        "hours": "Opening hours",
        "address": "Address",
        "payment_methods": "Payment methods",
        "extra_facts": "Other facts",
        "faq": "Frequently asked questions",
        "q": "Q",
        "a": "A",
    },
}
# Headings that start the facts block; postprocess uses them to tell instructions from facts.
FACTS_HEADINGS = tuple(labels["facts"] + ":" for labels in _LABELS.values())

_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ELLIPSIS = "…"


def normalize_language(language: str | None) -> str:
    """``"es-419"`` -> ``"es"``; anything unsupported -> ``"es"``."""
    if not language:
        return DEFAULT_LANGUAGE
    base = language.replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


# The bundled prompt files are read-only package data: read once per process, not per turn.
@functools.lru_cache(maxsize=8)
def _bundled_system_template(language: str) -> str:
    return resources.read_text(f"prompts/system_{language}.md")


@functools.lru_cache(maxsize=8)
def _bundled_defaults(language: str) -> tuple[tuple[str, str], ...]:
    raw = json.loads(resources.read_text(f"prompts/defaults_{language}.json"))
    if not isinstance(raw, dict):
        raise ValueError("defaults file must hold a JSON object")
    return tuple((str(key), str(value)) for key, value in raw.items())


def load_system_template(language: str = DEFAULT_LANGUAGE) -> str:
    """The bundled default system prompt template for ``language``."""
    return _bundled_system_template(normalize_language(language))


def load_defaults(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The bundled canned texts (keys in ``DEFAULT_KEYS``); may contain ``{business_name}``."""
    return dict(_bundled_defaults(normalize_language(language)))


class _KeepUnknown(dict[str, str]):
    """format_map mapping that leaves ``{unknown}`` placeholders as they were."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_placeholders(template: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` placeholders from ``values``; unknown ones stay intact.

    Templates are edited by the owner, so stray braces (``{0}``, ``{a.b}``, a lone ``{``) must not
    raise: such a template falls back to replacing only the plain ``{name}`` placeholders.
    """
    if _plain_fields_only(template):
        try:
            return template.format_map(_KeepUnknown(values))
        except (ValueError, IndexError, KeyError, AttributeError, TypeError):
            pass
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _plain_fields_only(template: str) -> bool:
    # "{0}", "{a.b}", "{a[0]}", "{a!r}", "{a:>9}" would index, reach attributes or reformat.
    try:
        for _, name, spec, conversion in string.Formatter().parse(template):
            if name is None:
                continue
            if spec or conversion or not _IDENTIFIER_RE.fullmatch(name):
                return False
    except ValueError:
        return False
    return True


def placeholder_values(profile: BusinessProfile) -> dict[str, str]:
    """Values for the placeholders a template may use."""
    return {
        "business_name": profile.name.strip(),
        "hours": profile.hours_text.strip(),
        "address": profile.address.strip(),
        "payment_methods": profile.payment_methods.strip(),
        "extra_facts": profile.extra_facts.strip(),
    }


def render_system_prompt(template: str, profile: BusinessProfile) -> str:
    """The instructions part of the system message: the template with placeholders filled."""
    return fill_placeholders(template, placeholder_values(profile)).strip()


def business_facts(profile: BusinessProfile, *, language: str = DEFAULT_LANGUAGE) -> str:
    """The "Datos del negocio" block: only the fields the owner filled in, then the FAQ."""
    labels = _LABELS[normalize_language(language)]
    lines = [labels["facts"] + ":"]
    for key, value in (
        ("name", profile.name),
        ("hours", profile.hours_text),
        ("address", profile.address),
        ("payment_methods", profile.payment_methods),
    ):
        if value.strip():
            lines.append(f"- {labels[key]}: {value.strip()}")
    if profile.extra_facts.strip():
        lines.append(f"- {labels['extra_facts']}:\n{profile.extra_facts.strip()}")
    faq = [e for e in profile.faq if e.question.strip() and e.answer.strip()]
    if faq:
        lines.append("")
        lines.append(labels["faq"] + ":")
        for entry in faq:
            lines.append(f"{labels['q']}: {entry.question.strip()}")
            lines.append(f"{labels['a']}: {entry.answer.strip()}")
    return "\n".join(lines)


def build_system_message(
    template: str, profile: BusinessProfile, *, language: str = DEFAULT_LANGUAGE
) -> str:
    """Instructions followed by the business facts.

    The result is kept for the same template, profile and language (every turn of the bot asks
    for it, and they change only when the owner saves settings): the cache key is the content
    itself, so a changed setting is a new key and never serves a stale prompt.
    """
    try:
        return _system_message(template, profile, language)
    except TypeError:  # an unhashable profile (a list for the FAQ): built each time
        return _build_system_message(template, profile, language)


def _build_system_message(template: str, profile: BusinessProfile, language: str) -> str:
    return (
        render_system_prompt(template, profile)
        + "\n\n"
        + business_facts(profile, language=language)
    )


@functools.lru_cache(maxsize=32)
def _system_message(template: str, profile: BusinessProfile, language: str) -> str:
    return _build_system_message(template, profile, language)


def describe_content(content: TurnContent) -> str:
    """Text for the model of one message (see ``TurnContent.describe``)."""
    return content.describe()


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= len(_ELLIPSIS):
        return text[:limit]
    return text[: limit - len(_ELLIPSIS)].rstrip() + _ELLIPSIS


def _history_message(turn: HistoryTurn, staff_prefix: str) -> dict[str, str] | None:
    text = sanitize_text(turn.content).strip()
    if not text:
        return None
    if turn.author == Author.CUSTOMER:
        return {"role": "user", "content": text}
    if turn.author == Author.STAFF:
        return {"role": "assistant", "content": staff_prefix + text}
    return {"role": "assistant", "content": text}


def merge_pending(
    pending: Sequence[str], *, max_pending_chars: int = 4000, max_message_chars: int = 2000
) -> str:
    """The pending customer messages as one text, newest kept when they do not all fit."""
    if max_pending_chars < 1 or max_message_chars < 1:
        raise ValueError("limits must be positive")
    per_message = min(max_pending_chars, max_message_chars)
    parts = [_truncate(p, per_message) for p in (sanitize_text(x).strip() for x in pending) if p]
    kept: list[str] = []
    used = 0
    for part in reversed(parts):
        cost = len(part) + (1 if kept else 0)
        if used + cost > max_pending_chars:
            break
        kept.append(part)
        used += cost
    return "\n".join(reversed(kept))


def _is_transcript(text: str) -> bool:
    if VOICE_NOTE_MARK not in text and AUDIO_MARK not in text:
        return False  # the common case, without splitting every history turn into lines
    return any(line.startswith((VOICE_NOTE_MARK, AUDIO_MARK)) for line in text.splitlines())


def compose_messages(
    system_template: str,
    profile: BusinessProfile,
    history: Sequence[HistoryTurn],
    pending: Sequence[str],
    *,
    budget_chars: int = 6000,
    max_pending_chars: int = 4000,
    max_message_chars: int = 2000,
    language: str = DEFAULT_LANGUAGE,
) -> list[dict[str, str]]:
    """Messages for ``ollama`` chat: system, recent history, then the pending customer text.

    ``budget_chars`` bounds the history only: the newest turns that fit are kept, oldest dropped
    first. ``pending`` are the customer messages not answered yet (already described as text);
    they become one final user message.

    Raises:
        ValueError: ``pending`` holds no text.
    """
    if budget_chars < 0:
        raise ValueError("budget_chars must not be negative")
    lang = normalize_language(language)
    final_text = merge_pending(
        pending, max_pending_chars=max_pending_chars, max_message_chars=max_message_chars
    )
    if not final_text:
        raise ValueError("no pending customer text to answer")

    turns: list[dict[str, str]] = []
    used = 0
    for turn in reversed(history):
        message = _history_message(turn, STAFF_PREFIX[lang])
        if message is None:
            continue
        cost = len(message["content"])
        if used + cost > budget_chars:
            break
        turns.append(message)
        used += cost
    turns.reverse()

    system = build_system_message(system_template, profile, language=lang)
    if any(_is_transcript(m["content"]) for m in (*turns, {"content": final_text})):
        system += "\n\n" + VOICE_NOTE_HINT[lang]
    messages = [{"role": "system", "content": system}, *turns]
    messages.append({"role": "user", "content": final_text})
    logger.debug(
        "composed prompt: system %d chars, %d/%d history turns (%d chars), pending %d chars",
        len(system),
        len(turns),
        len(history),
        used,
        len(final_text),
    )
    return messages
