"""Outbound payload builders: exact body shapes and Meta's limits."""

from __future__ import annotations

from typing import Any

import pytest

from wabot_desktop.core.whatsapp.payloads import (
    ListRow,
    ListSection,
    buttons_message,
    list_message,
    mark_read_payload,
    reaction_message,
    recipient_fields,
    template_body_components,
    template_message,
    text_message,
)

TO = {"to": "+15555550101"}


@pytest.mark.parametrize(
    ("wa_id", "user_id", "expected"),
    [
        ("15555550101", None, {"to": "+15555550101"}),
        ("+15555550101", None, {"to": "+15555550101"}),
        ("5215512345678", "US.1111", {"to": "+5215512345678"}),  # wa_id wins, kept as received
        ("+1 (555) 555-0101", None, {"to": "+1 (555) 555-0101"}),
        (None, "US.1111222233334444555", {"recipient": "US.1111222233334444555"}),
        ("", "CC.ENT.abc123", {"recipient": "CC.ENT.abc123"}),
        ("US.1111", None, {"recipient": "US.1111"}),  # a BSUID passed as wa_id
    ],
)
def test_recipient_fields(wa_id: str | None, user_id: str | None, expected: dict[str, str]) -> None:
    assert recipient_fields(wa_id, user_id) == expected


@pytest.mark.parametrize(("wa_id", "user_id"), [(None, None), ("", ""), ("abc", None), ("+", None)])
def test_recipient_fields_rejects_garbage(wa_id: str | None, user_id: str | None) -> None:
    with pytest.raises(ValueError):
        recipient_fields(wa_id, user_id)


def test_text_message_with_reply_context() -> None:
    payload = text_message(TO, "Hola, ¿en qué te ayudo? 😊", reply_to="wamid.IN1", biz_opaque="c:7")
    assert payload == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+15555550101",
        "type": "text",
        "text": {"body": "Hola, ¿en qué te ayudo? 😊"},
        "context": {"message_id": "wamid.IN1"},
        "biz_opaque_callback_data": "c:7",
    }


def test_text_message_to_bsuid_and_preview() -> None:
    payload = text_message({"recipient": "US.1"}, "see https://x.example", preview_url=True)
    assert payload["recipient"] == "US.1"
    assert "to" not in payload
    assert payload["text"] == {"body": "see https://x.example", "preview_url": True}
    assert "context" not in payload


def test_text_limits() -> None:
    assert text_message(TO, "x" * 4096)["text"]["body"] == "x" * 4096
    with pytest.raises(ValueError):
        text_message(TO, "x" * 4097)
    with pytest.raises(ValueError):
        text_message(TO, "   ")


@pytest.mark.parametrize(
    "to_fields", [{}, {"to": ""}, {"to": "+1", "recipient": "US.1"}, {"phone": "+1"}]
)
def test_bad_to_fields(to_fields: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        text_message(to_fields, "hi")


def test_reaction_message() -> None:
    assert reaction_message(TO, "wamid.IN1", "👍") == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+15555550101",
        "type": "reaction",
        "reaction": {"message_id": "wamid.IN1", "emoji": "👍"},
    }
    assert reaction_message(TO, "wamid.IN1", "")["reaction"]["emoji"] == ""  # removal
    with pytest.raises(ValueError):
        reaction_message(TO, "", "👍")


def test_buttons_message_shape() -> None:
    payload = buttons_message(
        TO,
        "¿Confirmas el pedido?",
        [("yes", "Sí"), ("no", "No")],
        header="Pedido 42",
        footer="Tienda Ana",
        reply_to="wamid.IN1",
    )
    assert payload["type"] == "interactive"
    assert payload["context"] == {"message_id": "wamid.IN1"}
    assert payload["interactive"] == {
        "type": "button",
        "header": {"type": "text", "text": "Pedido 42"},
        "body": {"text": "¿Confirmas el pedido?"},
        "footer": {"text": "Tienda Ana"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "yes", "title": "Sí"}},
                {"type": "reply", "reply": {"id": "no", "title": "No"}},
            ]
        },
    }


@pytest.mark.parametrize(
    ("body", "buttons", "kwargs"),
    [
        ("b", [], {}),
        ("b", [("1", "a"), ("2", "b"), ("3", "c"), ("4", "d")], {}),
        ("b", [("1", "x" * 21)], {}),
        ("b", [("1", "")], {}),
        ("b", [("1", "Same"), ("2", "Same")], {}),
        ("b", [("1", "A"), ("1", "B")], {}),
        ("b", [("i" * 257, "A")], {}),
        ("x" * 1025, [("1", "A")], {}),
        ("", [("1", "A")], {}),
        ("b", [("1", "A")], {"footer": "f" * 61}),
        ("b", [("1", "A")], {"header": "h" * 61}),
    ],
)
def test_buttons_limits(body: str, buttons: list[tuple[str, str]], kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        buttons_message(TO, body, buttons, **kwargs)


def test_buttons_at_the_limits() -> None:
    payload = buttons_message(
        TO,
        "x" * 1024,
        [("1", "t" * 20), ("2", "u" * 20), ("i" * 256, "v")],
        footer="f" * 60,
        header="h" * 60,
    )
    assert len(payload["interactive"]["action"]["buttons"]) == 3


def test_list_message_shape() -> None:
    sections = [
        ListSection(
            title="Tallas",
            rows=[
                ListRow(id="s", title="Chica"),
                ListRow(id="m", title="Mediana", description="M"),
            ],
        ),
        ListSection(title="Otros", rows=[ListRow(id="x", title="Otra talla")]),
    ]
    payload = list_message(TO, "Elige una talla", "Ver tallas", sections, header="Tallas")
    assert payload["interactive"] == {
        "type": "list",
        "header": {"type": "text", "text": "Tallas"},
        "body": {"text": "Elige una talla"},
        "action": {
            "button": "Ver tallas",
            "sections": [
                {
                    "title": "Tallas",
                    "rows": [
                        {"id": "s", "title": "Chica"},
                        {"id": "m", "title": "Mediana", "description": "M"},
                    ],
                },
                {"title": "Otros", "rows": [{"id": "x", "title": "Otra talla"}]},
            ],
        },
    }


def _rows(n: int, prefix: str = "r") -> list[ListRow]:
    return [ListRow(id=f"{prefix}{i}", title=f"Row {i}") for i in range(n)]


@pytest.mark.parametrize(
    ("button", "sections", "kwargs"),
    [
        ("Ver", [], {}),
        ("Ver", [ListSection(title="A", rows=_rows(11))], {}),
        (
            "Ver",
            [ListSection(title="A", rows=_rows(6)), ListSection(title="B", rows=_rows(5, "q"))],
            {},
        ),
        ("Ver", [ListSection(title=f"S{i}", rows=_rows(1, f"s{i}-")) for i in range(11)], {}),
        ("Ver", [ListSection(title="A", rows=[])], {}),
        ("Ver", [ListSection(rows=_rows(1)), ListSection(rows=_rows(1, "q"))], {}),
        ("Ver", [ListSection(title="A", rows=_rows(1)), ListSection(title="B", rows=_rows(1))], {}),
        ("Ver", [ListSection(title="t" * 25, rows=_rows(1))], {}),
        ("Ver", [ListSection(rows=[ListRow(id="i" * 201, title="x")])], {}),
        ("Ver", [ListSection(rows=[ListRow(id="1", title="x" * 25)])], {}),
        ("Ver", [ListSection(rows=[ListRow(id="1", title="x", description="d" * 73)])], {}),
        ("b" * 21, [ListSection(rows=_rows(1))], {}),
        ("", [ListSection(rows=_rows(1))], {}),
        ("Ver", [ListSection(rows=_rows(1))], {"header": "h" * 61}),
        ("Ver", [ListSection(rows=_rows(1))], {"footer": "f" * 61}),
    ],
)
def test_list_limits(button: str, sections: list[ListSection], kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        list_message(TO, "body", button, sections, **kwargs)


def test_list_at_the_limits() -> None:
    sections = [ListSection(title=f"S{i}", rows=_rows(1, f"s{i}-")) for i in range(10)]
    payload = list_message(TO, "x" * 4096, "b" * 20, sections, footer="f" * 60)
    assert len(payload["interactive"]["action"]["sections"]) == 10
    single = list_message(TO, "body", "Ver", [ListSection(rows=_rows(10))])
    assert "title" not in single["interactive"]["action"]["sections"][0]
    with pytest.raises(ValueError):
        list_message(TO, "x" * 4097, "Ver", [ListSection(rows=_rows(1))])


def test_template_message() -> None:
    components = template_body_components(["Ana", "42"])
    payload = template_message(TO, "order_ready", "es_MX", components)
    assert payload == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+15555550101",
        "type": "template",
        "template": {
            "name": "order_ready",
            "language": {"code": "es_MX"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "42"}],
                }
            ],
        },
    }
    bare = template_message(TO, "hello_world", "en_US")
    assert bare["template"] == {"name": "hello_world", "language": {"code": "en_US"}}
    with pytest.raises(ValueError):
        template_message(TO, "", "en_US")
    with pytest.raises(ValueError):
        template_body_components(["Ana", " "])


def test_mark_read_payload() -> None:
    assert mark_read_payload("wamid.IN1") == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN1",
    }
    assert mark_read_payload("wamid.IN1", typing=True) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN1",
        "typing_indicator": {"type": "text"},
    }
    with pytest.raises(ValueError):
        mark_read_payload("")
