"""Realistic chats for screenshot and list tests, created through the real webhook pipeline."""

from __future__ import annotations

from tests.gui.helpers import (
    GuiEnv,
    document,
    image,
    inbound,
    location,
    status,
    until,
    voice,
)

CUSTOMERS = [
    ("5215511112222", "María Fernanda López"),
    ("5491133334444", "Jorge Ramírez"),
    ("573005556666", "Ferretería Don Pepe"),
    ("51987654321", "Lucía Quispe"),
    ("56911223344", "Camila Rojas"),
    ("593991234567", "Andrés Villacís"),
    ("5215598765432", "Rosa <b>Martínez</b>"),
    ("50688887777", "Diego Solís"),
    ("5215500001111", "Sofía Hernández Castillo de la Vega"),
    ("5491100002222", "Pedro"),
    ("573001112233", "Valentina Gómez"),
    ("51911122233", "Carlos Mendoza"),
    ("5215544443333", "Guadalupe Torres"),
    ("50255556666", "Ana Lucía Morales"),
    ("59899887766", "Martín Pereira"),
    ("5215577778888", "Panadería La Espiga"),
    ("56999887766", "Ignacio Fuentes"),
    ("5491144445555", "Florencia Díaz"),
]

QUESTIONS = [
    "Hola, ¿tienen envíos a domicilio?",
    "¿Cuánto cuesta el kilo de café de Chiapas?",
    "Buenas tardes, ¿a qué hora abren el sábado?",
    "¿Aceptan pago con tarjeta o transferencia?",
    "Quiero 3 docenas de conchas para mañana 🙏",
    "¿Tienen la talla M en azul?",
]


async def seed_busy_list(env: GuiEnv, count: int = len(CUSTOMERS)) -> None:
    """Many chats, each with a question and the bot's answer."""
    for index, (wa_id, name) in enumerate(CUSTOMERS[:count]):
        await env.customer_says(wa_id, name, QUESTIONS[index % len(QUESTIONS)])
    await until(lambda: len(env.graph.sent_messages) >= count, timeout=20, what="bot replies")


def sent_to(env: GuiEnv, wa_id: str) -> list[tuple[dict[str, object], str]]:
    """(payload, wamid) of every message the fake Graph accepted for one customer."""
    return [
        (payload, wamid)
        for payload, wamid in zip(env.graph.sent_messages, env.graph.sent_wamids, strict=True)
        if "".join(ch for ch in str(payload.get("to", "")) if ch.isdigit()) == wa_id
    ]


async def seed_showcase(
    env: GuiEnv, wa_id: str = "5215512345678", name: str = "Lucía Pérez"
) -> int:
    """One chat with every kind of bubble; returns its conversation id."""
    service = env.service
    # Customer text -> bot answer
    await env.customer_says(wa_id, name, "Hola, buenas tardes. ¿Tienen pasteles de tres leches?")
    await until(lambda: len(sent_to(env, wa_id)) >= 1, what="bot answer")
    conversation_id = (await service.list_conversations(search=wa_id))[0].id
    bot_wamid = sent_to(env, wa_id)[0][1]
    # A reply quoting the bot
    await env.customer_says(
        wa_id, name, "¡Perfecto! ¿Y hacen envíos a Coyoacán?", reply_to=bot_wamid
    )
    await until(lambda: len(sent_to(env, wa_id)) >= 2, what="second bot answer")
    # Media from the customer (the bot answers only once per burst; pause it for the rest)
    await service.set_global_pause(True)
    photo = env.graph.add_media(b"\xff\xd8\xff fake jpeg", "image/jpeg")
    await env.post(inbound(wa_id, name, image(photo, "Este es el diseño que me gusta 🎂")))
    note = env.graph.add_media(b"OggS fake", "audio/ogg")
    await env.post(inbound(wa_id, name, voice(note)))
    await env.post(
        inbound(
            wa_id,
            name,
            location(19.3467, -99.1617, "Casa", "Av. Universidad 1234, Coyoacán, CDMX"),
        )
    )
    pdf = env.graph.add_media(b"%PDF-1.4 fake", "application/pdf")
    await env.post(inbound(wa_id, name, document(pdf, "Cotización pastel boda.pdf")))
    # Staff takes over and answers; one of the answers fails at WhatsApp
    await service.set_global_pause(False)
    await service.send_staff_message(
        conversation_id, "¡Hola Lucía! Soy Ana. Sí hacemos envíos a Coyoacán 😊", staff_name="Ana"
    )
    await service.send_staff_message(
        conversation_id, "El pastel para 20 personas cuesta $850.", staff_name="Ana"
    )
    await until(lambda: len(sent_to(env, wa_id)) >= 4, what="staff sends")
    ok_wamid = _wamid_of(env, "Soy Ana")
    failed_wamid = _wamid_of(env, "cuesta $850")
    await env.post(status(ok_wamid, wa_id, "delivered"))
    await env.post(status(ok_wamid, wa_id, "read"))
    await env.post(status(failed_wamid, wa_id, "failed", error_code=131026))
    await env.customer_says(wa_id, name, "Gracias 🙌")
    return conversation_id


def _wamid_of(env: GuiEnv, fragment: str) -> str:
    """The wamid the fake Graph gave to the text message containing ``fragment``."""
    for payload, wamid in zip(env.graph.sent_messages, env.graph.sent_wamids, strict=True):
        if fragment in payload.get("text", {}).get("body", ""):
            return wamid
    raise AssertionError(f"no sent message contains {fragment!r}")


async def seed_needs_human(
    env: GuiEnv, wa_id: str = "5491155556666", name: str = "Roberto Díaz"
) -> int:
    """A customer who asked for a person; returns the conversation id."""
    await env.customer_says(wa_id, name, "Quiero hablar con una persona, por favor")
    found: list[int] = []

    async def handed_off() -> bool:
        rows = await env.service.list_conversations(search=wa_id)
        if rows and rows[0].mode.value == "needs_human":
            found.append(rows[0].id)
        return bool(found)

    await until(handed_off, timeout=10, what="the handoff")
    return found[0]
