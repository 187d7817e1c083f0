"""Versions of the knowledge document in the database: save, list, diff, roll back.

Every save appends a row (time + note); the newest row is the active version. A rollback appends
a copy of the old version, so the history only grows and "what was live when" stays readable.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wabot_desktop.core.knowledge.model import (
    Facts,
    FaqItem,
    Knowledge,
    default_knowledge,
    from_dict,
)
from wabot_desktop.core.llm.prompt import load_system_template, normalize_language
from wabot_desktop.core.settings import Settings
from wabot_desktop.core.store.models import KnowledgeVersion

_SETTING_TEXTS = {
    "greeting": "greeting_message",
    "away": "away_message",
    "handoff": "handoff_message",
    "opt_out_confirm": "opt_out_confirm",
}


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: int
    created_at: float
    note: str


def _info(row: KnowledgeVersion) -> VersionInfo:
    return VersionInfo(row.id, row.created_at, row.note)


def from_settings(settings: Settings) -> Knowledge:
    """The first version of a profile that has none: what the settings told the bot so far."""
    lang = normalize_language(settings.language or None)
    base = default_knowledge(lang)
    facts = Facts(
        name=settings.business_name,
        hours={k: [list(r) for r in v] for k, v in settings.business_hours.items()},
        closed_dates=tuple(settings.closed_dates),
        address=settings.business_address,
        payment_methods=tuple(
            p.strip() for p in settings.payment_methods.replace(";", ",").split(",") if p.strip()
        ),
        policies="\n".join(t for t in (settings.business_hours_text, settings.extra_facts) if t),
        time_zone=base.facts.time_zone,
    )
    texts = {
        key: getattr(settings, name)
        for key, name in _SETTING_TEXTS.items()
        if getattr(settings, name)
    }
    return base.replace(
        prompt=settings.system_prompt or load_system_template(lang),
        facts=facts,
        faq=tuple(FaqItem(question=q, answer=a) for q, a in settings.faq),
        texts=texts,
        greeting_enabled=settings.greeting_enabled,
        away_outside_hours=settings.outside_hours_mode == "away",
        handoff_keywords=tuple(settings.handoff_keywords),
    )


def settings_changes(knowledge: Knowledge) -> dict[str, Any]:
    """The settings the rules read (hours, closed dates, canned texts) for ``knowledge``."""
    changes: dict[str, Any] = {
        "business_name": knowledge.facts.name,
        "business_hours": {k: [list(r) for r in v] for k, v in knowledge.facts.hours.items()},
        "closed_dates": list(knowledge.facts.closed_dates),
        "greeting_enabled": knowledge.greeting_enabled,
        "outside_hours_mode": "away" if knowledge.away_outside_hours else "answer",
        "handoff_keywords": list(knowledge.handoff_keywords),
    }
    for key, name in _SETTING_TEXTS.items():
        changes[name] = knowledge.texts.get(key, "")
    return changes


def _newest(session: Session) -> KnowledgeVersion | None:
    return session.scalars(
        select(KnowledgeVersion).order_by(KnowledgeVersion.id.desc()).limit(1)
    ).first()


def active(session: Session) -> tuple[VersionInfo, Knowledge] | None:
    row = _newest(session)
    return None if row is None else (_info(row), Knowledge.from_json(row.document))


def active_or_seed(
    session: Session, settings: Settings, now: float
) -> tuple[VersionInfo, Knowledge]:
    """The active version; a profile without one gets version 1 from its settings."""
    found = active(session)
    if found is not None:
        return found
    knowledge = from_settings(settings)
    return save_version(session, knowledge, _seed_note(knowledge.language), now), knowledge


def _seed_note(language: str) -> str:
    return "Versión inicial" if language == "es" else "Initial version"


def save_version(session: Session, knowledge: Knowledge, note: str, now: float) -> VersionInfo:
    row = KnowledgeVersion(created_at=now, note=note.strip(), document=knowledge.to_json())
    session.add(row)
    session.flush()
    return _info(row)


def list_versions(session: Session) -> list[VersionInfo]:
    rows = session.scalars(select(KnowledgeVersion).order_by(KnowledgeVersion.id.desc()))
    return [_info(r) for r in rows]


def get_version(session: Session, version_id: int) -> Knowledge:
    row = session.get(KnowledgeVersion, version_id)
    if row is None:
        raise KeyError(version_id)
    return Knowledge.from_json(row.document)


def rollback(session: Session, version_id: int, now: float, note: str | None = None) -> VersionInfo:
    """Make ``version_id`` active again (as a new version that copies it)."""
    knowledge = get_version(session, version_id)
    if note is None:
        note = (
            f"Restaurada la versión {version_id}"
            if knowledge.language == "es"
            else f"Restored version {version_id}"
        )
    return save_version(session, knowledge, note, now)


def readable(knowledge: Knowledge) -> list[str]:
    """A line-per-fact rendering for diffs (the prompt line by line, then each field)."""
    data = asdict(knowledge)
    lines = ["[prompt]", *knowledge.prompt.splitlines()]
    keys: tuple[str, ...] = ("facts", "faq", "prices", "texts", "checks", "currency", "language")
    keys += ("greeting_enabled", "away_outside_hours", "handoff_keywords")
    for key in keys:
        value = data[key]
        if isinstance(value, list):
            lines.append(f"[{key}]")
            lines += [json.dumps(item, ensure_ascii=False, sort_keys=True) for item in value]
        elif isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [
                f"{k}: {json.dumps(v, ensure_ascii=False, sort_keys=True)}"
                for k, v in sorted(value.items())
            ]
        else:
            lines.append(f"[{key}] {value}")
    return lines


def diff(old: Knowledge, new: Knowledge, old_label: str = "a", new_label: str = "b") -> str:
    """Unified diff between two versions ("" when they are the same)."""
    return "\n".join(
        difflib.unified_diff(
            readable(old), readable(new), fromfile=old_label, tofile=new_label, lineterm=""
        )
    )


__all__ = [
    "VersionInfo",
    "active",
    "active_or_seed",
    "diff",
    "from_dict",
    "from_settings",
    "get_version",
    "list_versions",
    "rollback",
    "save_version",
    "settings_changes",
]
