"""JSON bodies for ``POST /{phone-number-id}/messages``, checked against Meta's limits.

Pure functions: no I/O, no logging. Every builder raises ``ValueError`` for a body Meta would
reject with error 100/131008/131009, so a bad reply fails here instead of burning a request.
Limits are from section 4 of ``shared/docs/meta-cloud-api.md``; lengths are counted in Python
characters (code points).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wabot_desktop.core.textutil import WHATSAPP_TEXT_LIMIT

TEXT_BODY_LIMIT = WHATSAPP_TEXT_LIMIT
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
BUTTONS_BODY_LIMIT = 1024
HEADER_TEXT_LIMIT = 60
FOOTER_LIMIT = 60
LIST_BODY_LIMIT = 4096
LIST_BUTTON_LIMIT = 20
MAX_LIST_SECTIONS = 10
MAX_LIST_ROWS = 10
LIST_SECTION_TITLE_LIMIT = 24
LIST_ROW_ID_LIMIT = 200
LIST_ROW_TITLE_LIMIT = 24
LIST_ROW_DESCRIPTION_LIMIT = 72

_PHONE_CHARS = frozenset("+-() 0123456789")


@dataclass(frozen=True, slots=True, kw_only=True)
class ListRow:
    """One choosable row of a list message."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSection:
    """A titled group of rows (the title is required when there are several sections)."""

    title: str | None = None
    rows: Sequence[ListRow] = field(default_factory=tuple)


def is_bsuid(value: str) -> bool:
    """True for a business-scoped user id (``US.123...``, ``CC.ENT....``), not a phone number."""
    return "." in value


def recipient_fields(wa_id: str | None, user_id: str | None) -> dict[str, str]:
    """``{"to": "+<number>"}`` or ``{"recipient": "<BSUID>"}``; ``wa_id`` wins when present.

    A phone number is kept as received (Meta rewrites some prefixes; the received ``wa_id`` is
    what works); only a missing ``+`` is added, so Meta does not assume the business's country.
    """
    value = (wa_id or "").strip() or (user_id or "").strip()
    if not value:
        raise ValueError("no recipient: both wa_id and user_id are empty")
    if is_bsuid(value):
        return {"recipient": value}
    if not set(value) <= _PHONE_CHARS or not any(ch.isdigit() for ch in value):
        raise ValueError("recipient is neither a phone number nor a BSUID")
    return {"to": value if value.startswith("+") else "+" + value}


def _check_text(name: str, value: str, limit: int, *, required: bool = True) -> None:
    if required and not value.strip():
        raise ValueError(f"{name} is empty")
    if len(value) > limit:
        raise ValueError(f"{name} is {len(value)} characters, the limit is {limit}")


def _envelope(
    to_fields: Mapping[str, str],
    kind: str,
    content: Any,
    *,
    reply_to: str | None = None,
    biz_opaque: str | None = None,
) -> dict[str, Any]:
    target = {key: value for key, value in to_fields.items() if key in ("to", "recipient")}
    if len(target) != 1 or not next(iter(target.values()), ""):
        raise ValueError("to_fields must hold exactly one of 'to' or 'recipient'")
    payload: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **target,
        "type": kind,
        kind: content,
    }
    if reply_to is not None:
        if not reply_to:
            raise ValueError("reply_to is empty")
        payload["context"] = {"message_id": reply_to}
    if biz_opaque is not None:
        payload["biz_opaque_callback_data"] = biz_opaque
    return payload


def text_message(
    to_fields: Mapping[str, str],
    body: str,
    *,
    reply_to: str | None = None,
    preview_url: bool = False,
    biz_opaque: str | None = None,
) -> dict[str, Any]:
    """A text message (body <= 4096 characters; the outbox splits longer replies first)."""
    _check_text("text body", body, TEXT_BODY_LIMIT)
    text: dict[str, Any] = {"body": body}
    if preview_url:
        text["preview_url"] = True
    return _envelope(to_fields, "text", text, reply_to=reply_to, biz_opaque=biz_opaque)


def reaction_message(to_fields: Mapping[str, str], message_id: str, emoji: str) -> dict[str, Any]:
    """React to ``message_id`` with ``emoji``; an empty ``emoji`` removes the reaction."""
    if not message_id:
        raise ValueError("message_id is empty")
    return _envelope(to_fields, "reaction", {"message_id": message_id, "emoji": emoji})


def buttons_message(
    to_fields: Mapping[str, str],
    body: str,
    buttons: Sequence[tuple[str, str]],
    *,
    header: str | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
    biz_opaque: str | None = None,
) -> dict[str, Any]:
    """Interactive reply buttons; ``buttons`` are ``(id, title)`` pairs, 1 to 3 of them."""
    _check_text("body", body, BUTTONS_BODY_LIMIT)
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        raise ValueError(f"{len(buttons)} buttons, between 1 and {MAX_BUTTONS} are allowed")
    ids = [button_id for button_id, _ in buttons]
    titles = [title for _, title in buttons]
    for button_id, title in buttons:
        _check_text("button id", button_id, BUTTON_ID_LIMIT)
        _check_text("button title", title, BUTTON_TITLE_LIMIT)
    if len(set(titles)) != len(titles):
        raise ValueError("button titles must be unique")
    if len(set(ids)) != len(ids):
        raise ValueError("button ids must be unique")
    interactive: dict[str, Any] = {"type": "button"}
    if header is not None:
        _check_text("header", header, HEADER_TEXT_LIMIT)
        interactive["header"] = {"type": "text", "text": header}
    interactive["body"] = {"text": body}
    if footer is not None:
        _check_text("footer", footer, FOOTER_LIMIT)
        interactive["footer"] = {"text": footer}
    interactive["action"] = {
        "buttons": [
            {"type": "reply", "reply": {"id": button_id, "title": title}}
            for button_id, title in buttons
        ]
    }
    return _envelope(
        to_fields, "interactive", interactive, reply_to=reply_to, biz_opaque=biz_opaque
    )


def list_message(
    to_fields: Mapping[str, str],
    body: str,
    button: str,
    sections: Sequence[ListSection],
    *,
    header: str | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
    biz_opaque: str | None = None,
) -> dict[str, Any]:
    """Interactive list: up to 10 sections and 10 rows in total; row ids unique."""
    _check_text("body", body, LIST_BODY_LIMIT)
    _check_text("list button", button, LIST_BUTTON_LIMIT)
    if not 1 <= len(sections) <= MAX_LIST_SECTIONS:
        raise ValueError(f"{len(sections)} sections, between 1 and {MAX_LIST_SECTIONS} allowed")
    total_rows = sum(len(section.rows) for section in sections)
    if total_rows > MAX_LIST_ROWS:
        raise ValueError(f"{total_rows} rows, at most {MAX_LIST_ROWS} are allowed in total")
    seen_ids: set[str] = set()
    out_sections: list[dict[str, Any]] = []
    for section in sections:
        if not section.rows:
            raise ValueError("every section needs at least one row")
        out: dict[str, Any] = {}
        if section.title is not None:
            _check_text("section title", section.title, LIST_SECTION_TITLE_LIMIT)
            out["title"] = section.title
        elif len(sections) > 1:
            raise ValueError("section titles are required when there are several sections")
        rows: list[dict[str, str]] = []
        for row in section.rows:
            _check_text("row id", row.id, LIST_ROW_ID_LIMIT)
            _check_text("row title", row.title, LIST_ROW_TITLE_LIMIT)
            if row.id in seen_ids:
                raise ValueError("row ids must be unique")
            seen_ids.add(row.id)
            entry = {"id": row.id, "title": row.title}
            if row.description is not None:
                _check_text(
                    "row description", row.description, LIST_ROW_DESCRIPTION_LIMIT, required=False
                )
                entry["description"] = row.description
            rows.append(entry)
        out["rows"] = rows
        out_sections.append(out)
    interactive: dict[str, Any] = {"type": "list"}
    if header is not None:
        _check_text("header", header, HEADER_TEXT_LIMIT)
        interactive["header"] = {"type": "text", "text": header}
    interactive["body"] = {"text": body}
    if footer is not None:
        _check_text("footer", footer, FOOTER_LIMIT)
        interactive["footer"] = {"text": footer}
    interactive["action"] = {"button": button, "sections": out_sections}
    return _envelope(
        to_fields, "interactive", interactive, reply_to=reply_to, biz_opaque=biz_opaque
    )


def template_body_components(values: Sequence[str]) -> list[dict[str, Any]]:
    """``components`` filling a template's positional body parameters ``{{1}}``, ``{{2}}``..."""
    for value in values:
        if not value.strip():
            raise ValueError("template parameters must not be empty")
    return [{"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}]


def template_message(
    to_fields: Mapping[str, str],
    name: str,
    language_code: str,
    components: Sequence[Mapping[str, Any]] | None = None,
    *,
    biz_opaque: str | None = None,
) -> dict[str, Any]:
    """A template message (the only kind allowed outside the 24-hour window)."""
    if not name:
        raise ValueError("template name is empty")
    if not language_code:
        raise ValueError("template language code is empty")
    template: dict[str, Any] = {"name": name, "language": {"code": language_code}}
    if components:
        template["components"] = [dict(component) for component in components]
    return _envelope(to_fields, "template", template, biz_opaque=biz_opaque)


def mark_read_payload(message_id: str, typing: bool = False) -> dict[str, Any]:
    """Mark an inbound message read; ``typing`` also shows "typing..." (up to 25 s)."""
    if not message_id:
        raise ValueError("message_id is empty")
    payload: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": message_id,
    }
    if typing:
        payload["typing_indicator"] = {"type": "text"}
    return payload
