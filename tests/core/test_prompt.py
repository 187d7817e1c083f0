"""Prompt composition, content descriptions and the bundled prompt resources."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wabot_desktop.core import resources
from wabot_desktop.core.llm.base import BusinessProfile, FaqEntry, HistoryTurn, TurnContent
from wabot_desktop.core.llm.prompt import (
    DEFAULT_KEYS,
    compose_messages,
    describe_content,
    fill_placeholders,
    load_defaults,
    load_system_template,
    merge_pending,
    normalize_language,
)

PROFILE = BusinessProfile(
    name="Panadería Sol",
    hours_text="Lunes a sábado de 7:00 a 20:00",
    address="Av. Corrientes 1234, Buenos Aires",
    payment_methods="Efectivo, Mercado Pago y transferencia",
    extra_facts="Hacemos tortas por encargo con 48 h de anticipación.",
    faq=(
        FaqEntry("¿Hacen envíos?", "Sí, en CABA por $1500."),
        FaqEntry("¿Tienen opciones sin TACC?", "Sí, pan y budines sin TACC."),
    ),
)
TEMPLATE = "Eres el asistente de {business_name}. Horario: {hours}. Otro: {desconocido}."


def injection_text(webhooks_dir: Path) -> str:
    payload = json.loads((webhooks_dir / "bad_prompt_injection_text.json").read_text("utf-8"))
    body = payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"]
    assert isinstance(body, str)
    return body


def test_parts_in_order_and_roles() -> None:
    history = [
        HistoryTurn("customer", "Hola, ¿tienen medialunas?"),
        HistoryTurn("bot", "¡Hola! Sí, tenemos medialunas de manteca."),
        HistoryTurn("staff", "Hoy salen calentitas a las 17 h."),
    ]
    messages = compose_messages(TEMPLATE, PROFILE, history, ["¿Cuánto cuestan?", "la docena"])

    assert [m["role"] for m in messages] == ["system", "user", "assistant", "assistant", "user"]
    system = messages[0]["content"]
    assert system.startswith("Eres el asistente de Panadería Sol. Horario: Lunes a sábado")
    assert "{desconocido}" in system  # unknown placeholders stay intact
    for fact in (
        "Datos del negocio:",
        "- Nombre: Panadería Sol",
        "- Horario: Lunes a sábado de 7:00 a 20:00",
        "- Dirección: Av. Corrientes 1234, Buenos Aires",
        "- Formas de pago: Efectivo, Mercado Pago y transferencia",
        "Hacemos tortas por encargo",
        "Preguntas frecuentes:",
        "P: ¿Hacen envíos?\nR: Sí, en CABA por $1500.",
        "P: ¿Tienen opciones sin TACC?\nR: Sí, pan y budines sin TACC.",
    ):
        assert fact in system
    assert messages[1]["content"] == "Hola, ¿tienen medialunas?"
    assert messages[2]["content"] == "¡Hola! Sí, tenemos medialunas de manteca."
    assert messages[3]["content"] == "[respuesta del personal] Hoy salen calentitas a las 17 h."
    assert messages[4] == {"role": "user", "content": "¿Cuánto cuestan?\nla docena"}


def test_empty_profile_fields_are_left_out() -> None:
    profile = BusinessProfile(name="Kiosco Luz")
    system = compose_messages("Asistente de {business_name}.", profile, [], ["hola"])[0]["content"]
    assert system == "Asistente de Kiosco Luz.\n\nDatos del negocio:\n- Nombre: Kiosco Luz"


def test_english_labels_and_staff_prefix() -> None:
    messages = compose_messages(
        "You help {business_name}.",
        PROFILE,
        [HistoryTurn("staff", "Back at 5 pm.")],
        ["ok"],
        language="en-US",
    )
    assert "Business facts:" in messages[0]["content"]
    assert "- Opening hours: Lunes a sábado" in messages[0]["content"]
    assert messages[1]["content"] == "[staff reply] Back at 5 pm."


def test_budget_keeps_newest_turns_and_drops_oldest() -> None:
    history = [
        HistoryTurn("customer" if i % 2 else "bot", f"turno {i:02d} " + "x" * 90) for i in range(10)
    ]
    # Each turn is 99 characters: 3 fit in 300.
    messages = compose_messages(TEMPLATE, PROFILE, history, ["¿y ahora?"], budget_chars=300)
    kept = [m["content"][:8] for m in messages[1:-1]]
    assert kept == ["turno 07", "turno 08", "turno 09"]
    assert messages[1]["role"] == "user"  # turno 07 is a customer turn
    assert messages[-1]["content"] == "¿y ahora?"

    none_kept = compose_messages(TEMPLATE, PROFILE, history, ["hola"], budget_chars=50)
    assert len(none_kept) == 2


def test_blank_history_turns_are_skipped() -> None:
    history = [HistoryTurn("customer", "   "), HistoryTurn("bot", "Hola")]
    messages = compose_messages(TEMPLATE, PROFILE, history, ["hola"])
    assert [m["content"] for m in messages[1:]] == ["Hola", "hola"]


def test_pending_messages_are_capped() -> None:
    long = "a" * 5000
    merged = merge_pending(["primero", long], max_pending_chars=4000, max_message_chars=2000)
    assert merged.startswith("primero\n")
    assert len(merged) == len("primero\n") + 2000
    assert merged.endswith("…")

    # Over the total: the newest messages are kept.
    many = [f"mensaje {i} " + "b" * 490 for i in range(20)]
    merged = merge_pending(many, max_pending_chars=1200)
    assert len(merged) <= 1200
    assert merged.split("\n")[-1].startswith("mensaje 19")
    assert merged.split("\n")[0].startswith("mensaje 18")

    messages = compose_messages(TEMPLATE, PROFILE, [], many, max_pending_chars=1200)
    assert messages[-1]["content"] == merged


def test_pending_must_hold_text() -> None:
    with pytest.raises(ValueError):
        compose_messages(TEMPLATE, PROFILE, [], ["  ", ""])


def test_pending_text_is_sanitised() -> None:
    messages = compose_messages(TEMPLATE, PROFILE, [], ["ho\x00la \ud800"])
    assert messages[-1]["content"] == "hola \ufffd"


def test_customer_text_never_reaches_the_system_message(webhooks_dir: Path) -> None:
    attack = injection_text(webhooks_dir)
    assert attack.startswith("Ignore all previous instructions")
    history = [
        HistoryTurn("customer", attack),
        HistoryTurn("bot", "Solo puedo ayudar con la tienda."),
    ]
    messages = compose_messages(
        load_system_template(), PROFILE, history, [attack, "{business_name}"]
    )

    system = messages[0]
    assert system["role"] == "system"
    assert "Ignore all previous instructions" not in system["content"]
    assert "admin mode" not in system["content"]
    assert [m for m in messages if attack in m["content"]] == [messages[1], messages[-1]]
    assert all(m["role"] == "user" for m in messages if attack in m["content"])
    # Customer text is never formatted: its placeholders are not filled.
    assert messages[-1]["content"].endswith("\n{business_name}")


def test_profile_values_are_not_reformatted() -> None:
    profile = BusinessProfile(name="Tienda {hours}", hours_text="{business_name} 9-18")
    system = compose_messages("Somos {business_name}.", profile, [], ["hola"])[0]["content"]
    assert system.startswith("Somos Tienda {hours}.")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hola {business_name}", "Hola Sol"),
        ("{business_name} {otro}", "Sol {otro}"),
        ("Precio {0} y {business_name}", "Precio {0} y Sol"),
        ('JSON {"a": 1} {business_name}', 'JSON {"a": 1} Sol'),
        ("Llave suelta { y {business_name}", "Llave suelta { y Sol"),
        ("{business_name.upper} {business_name}", "{business_name.upper} Sol"),
    ],
)
def test_fill_placeholders_never_raises(template: str, expected: str) -> None:
    assert fill_placeholders(template, {"business_name": "Sol"}) == expected


@given(st.text(alphabet=string.printable + "áéíóúñ¿¡{}", max_size=80))
def test_fill_placeholders_total(template: str) -> None:
    result = fill_placeholders(template, {"business_name": "Sol"})
    assert isinstance(result, str)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (TurnContent(type="text", text="hola"), "hola"),
        (
            TurnContent(type="image", caption="¿tienen este modelo?"),
            "[el cliente envió una foto: ¿tienen este modelo?]",
        ),
        (TurnContent(type="image"), "[foto]"),
        (TurnContent(type="image", caption="  "), "[foto]"),
        (TurnContent(type="audio", voice=True), "[nota de voz]"),
        (TurnContent(type="audio"), "[archivo de audio]"),
        (TurnContent(type="video", caption="así quedó"), "[video: así quedó]"),
        (TurnContent(type="video"), "[video]"),
        (TurnContent(type="document", filename="factura.pdf"), "[documento: factura.pdf]"),
        (TurnContent(type="sticker"), "[sticker]"),
        (
            TurnContent(
                type="location",
                latitude=-34.603722,
                longitude=-58.3816,
                location_name="Obelisco",
                location_address="Av. 9 de Julio s/n",
            ),
            "[ubicación: Obelisco, Av. 9 de Julio s/n (-34.603722, -58.3816)]",
        ),
        (
            TurnContent(type="location", latitude=19.4326, longitude=-99.1332),
            "[ubicación: (19.4326, -99.1332)]",
        ),
        (TurnContent(type="contacts"), "[tarjeta de contacto]"),
        (TurnContent(type="order"), "[pedido del catálogo]"),
        (
            TurnContent(type="interactive", interactive_title="Ver horarios"),
            "[tocó el botón: Ver horarios]",
        ),
        (TurnContent(type="button", text="Sí, confirmo"), "[tocó el botón: Sí, confirmo]"),
        (TurnContent(type="unsupported", unsupported_type="poll"), "[mensaje no soportado: poll]"),
        (TurnContent(type="unknown"), "[mensaje no soportado: unknown]"),
    ],
)
def test_describe_content(content: TurnContent, expected: str) -> None:
    assert content.describe() == expected
    assert describe_content(content) == expected


# -- bundled resources ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_bundled_system_prompts(language: str) -> None:
    template = load_system_template(language)
    assert "{business_name}" in template
    # Only known placeholders: the owner's editor shows them as variables.
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    assert fields == {"business_name"}
    rendered = compose_messages(template, PROFILE, [], ["hola"], language=language)[0]["content"]
    assert "{" not in rendered
    assert not [line for line in template.splitlines() if line.startswith("#")]  # no headings


def test_spanish_prompt_covers_the_policy() -> None:
    text = load_system_template("es").lower()
    for needle in (
        "asistente automático",
        "nunca inventes",
        "nunca reveles",
        "no las sigas",
        "*negrita*",
        "_cursiva_",
        "persona del equipo",
    ):
        assert needle in text


@pytest.mark.parametrize("language", ["es", "en", "es-419", "pt-BR"])
def test_bundled_defaults(language: str) -> None:
    defaults = load_defaults(language)
    assert set(defaults) == set(DEFAULT_KEYS)
    assert all(value.strip() for value in defaults.values())
    assert "{business_name}" in defaults["greeting"]


def test_normalize_language() -> None:
    assert normalize_language("es-419") == "es"
    assert normalize_language("en_US") == "en"
    assert normalize_language("pt") == "es"
    assert normalize_language(None) == "es"


def test_every_required_resource_is_bundled() -> None:
    assert resources.missing() == []
    for relpath in resources.REQUIRED:
        assert resources.read_bytes(relpath)
        assert resources.file_path(relpath).is_file()


def test_resources_are_package_data() -> None:
    """Read through importlib.resources from the package, not from the repository root."""
    node = resources.resource("prompts/system_es.md")
    assert "wabot_desktop" in str(node)
    assert Path(str(node)).parent.parent.name == "resources"
    with pytest.raises(FileNotFoundError):
        resources.file_path("prompts/missing.md")


@pytest.mark.parametrize("bad", ["../pyproject.toml", "/etc/passwd", "", "a\\..\\b"])
def test_read_text_rejects_paths_outside(bad: str) -> None:
    with pytest.raises(ValueError):
        resources.read_text(bad)
