"""What a customer's phone shows for a message the business sends (Graph send bodies).

:func:`outbound_fields` reads the ``type``-named object of a ``POST /{pnid}/messages`` body
(text, interactive buttons/list, media, location, reaction, template, contacts) into the fields
of a :class:`~wabot_desktop.core.whatsapp.sandbox.models.SandboxMessage`, refusing what Meta
refuses (the :class:`ValueError` text becomes the Graph error's ``details``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wabot_desktop.core.whatsapp.sandbox.models import TEXT_LIMIT, SandboxButton, SandboxListRow


def str_or_none(value: object) -> str | None:
    """``value`` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def outbound_fields(
    kind: str, content: Mapping[str, Any], templates: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the phone shows for a business message of type ``kind``; ValueError if invalid."""
    if kind == "text":
        body = str_or_none(content.get("body"))
        if body is None:
            raise ValueError("The parameter text['body'] is required.")
        if len(body) > TEXT_LIMIT:
            raise ValueError("Param text['body'] must be at most 4096 characters long.")
        return {"text": body}
    if kind == "interactive":
        return _interactive_fields(content)
    if kind in ("image", "audio", "video", "document", "sticker"):
        media_id, link = str_or_none(content.get("id")), str_or_none(content.get("link"))
        if media_id is None and link is None:
            raise ValueError(f"The parameter {kind}['id'] or {kind}['link'] is required.")
        return {
            "text": str_or_none(content.get("caption")),
            "media_id": media_id,
            "media_link": link,
            "voice": bool(content.get("voice")),
        }
    if kind == "location":
        try:
            latitude, longitude = float(content["latitude"]), float(content["longitude"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("latitude and longitude are required") from exc
        return {
            "text": None,
            "latitude": latitude,
            "longitude": longitude,
            "location_name": str_or_none(content.get("name")),
            "location_address": str_or_none(content.get("address")),
        }
    if kind == "reaction":
        target = str_or_none(content.get("message_id"))
        if target is None:
            raise ValueError("The parameter reaction['message_id'] is required.")
        return {"text": None, "reply_to": target, "emoji": str(content.get("emoji") or "")}
    if kind == "template":
        return _template_fields(content, templates)
    if kind == "contacts":
        return {"text": None}
    raise ValueError(f"unsupported message type {kind}")


def _interactive_fields(content: Mapping[str, Any]) -> dict[str, Any]:
    body = content.get("body")
    text = str_or_none(body.get("text")) if isinstance(body, dict) else None
    header = content.get("header")
    footer = content.get("footer")
    action = content.get("action")
    if not isinstance(action, dict):
        raise ValueError("The parameter interactive['action'] is required.")
    fields: dict[str, Any] = {
        "text": text,
        "header": str_or_none(header.get("text")) if isinstance(header, dict) else None,
        "footer": str_or_none(footer.get("text")) if isinstance(footer, dict) else None,
    }
    kind = content.get("type")
    if kind == "button":
        buttons: list[SandboxButton] = []
        for item in action.get("buttons") or ():
            reply = item.get("reply") if isinstance(item, dict) else None
            if not isinstance(reply, dict) or not str_or_none(reply.get("id")):
                raise ValueError("every button needs reply.id and reply.title")
            buttons.append(SandboxButton(id=str(reply["id"]), title=str(reply.get("title", ""))))
        if not 1 <= len(buttons) <= 3:
            raise ValueError("between 1 and 3 buttons are allowed")
        fields["buttons"] = tuple(buttons)
    elif kind == "list":
        rows: list[SandboxListRow] = []
        for section in action.get("sections") or ():
            if not isinstance(section, dict):
                continue
            for row in section.get("rows") or ():
                if not isinstance(row, dict) or not str_or_none(row.get("id")):
                    raise ValueError("every list row needs an id and a title")
                rows.append(
                    SandboxListRow(
                        id=str(row["id"]),
                        title=str(row.get("title", "")),
                        description=str_or_none(row.get("description")),
                        section=str_or_none(section.get("title")),
                    )
                )
        if not 1 <= len(rows) <= 10:
            raise ValueError("between 1 and 10 list rows are allowed")
        fields["list_rows"] = tuple(rows)
        fields["list_button"] = str_or_none(action.get("button"))
    return fields


def _template_fields(content: Mapping[str, Any], templates: list[dict[str, Any]]) -> dict[str, Any]:
    name = str_or_none(content.get("name"))
    language = content.get("language")
    code = str_or_none(language.get("code")) if isinstance(language, dict) else None
    if name is None or code is None:
        raise ValueError("template name and language.code are required")
    known = next(
        (t for t in templates if t.get("name") == name and t.get("language") == code), None
    )
    if known is None:
        raise ValueError(f"Template name does not exist in the translation ({name}, {code})")
    body = next(
        (
            str(c.get("text", ""))
            for c in known.get("components", ())
            if str(c.get("type", "")).upper() == "BODY"
        ),
        name,
    )
    values: list[str] = []
    for component in content.get("components") or ():
        if isinstance(component, dict) and component.get("type") == "body":
            values += [
                str(p.get("text", ""))
                for p in component.get("parameters") or ()
                if isinstance(p, dict)
            ]
    for index, value in enumerate(values, start=1):
        body = body.replace("{{" + str(index) + "}}", value)
    return {"text": body, "template_name": name}
