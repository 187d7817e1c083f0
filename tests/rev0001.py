"""A shop's database at schema 0001 with real-looking chats, built for the tests.

What an install of the first released schema left on disk: the schema comes from migration
0001 itself (migrations are never edited once released), the rows are the ones below. The
``rev0001_db`` fixture (tests/conftest.py) builds it once per test run; the upgrade, restore and
self-test tests migrate copies of it. Built, not committed: no database file lives in the repo.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from wabot_desktop.core.store.db import MIGRATIONS

CHATS = [
    (
        "5215512345678",
        "María José Ñúñez",
        [
            ("in", "customer", "Hola, ¿tienen pastel de tres leches para mañana? 🎂"),
            ("out", "bot", "¡Hola María José! Sí, lo tenemos por encargo. ¿Para cuántas personas?"),
            ("in", "customer", "Para 12 personas, por favor."),
            ("out", "staff", "Listo, queda apartado a su nombre. Son $450."),
        ],
    ),
    (
        "5491122334455",
        "Andrés Gómez",
        [
            ("in", "customer", "¿A qué hora abren los sábados?"),
            ("out", "bot", "Los sábados abrimos de 9 a 14 h."),
            ("in", "customer", "¡Gracias! 👍"),
        ],
    ),
    (
        "573001112233",
        "Lucía",
        [
            ("in", "customer", "Buenas noches, ¿hacen envíos a Chapinero?"),
            ("out", "bot", "Sí, hacemos envíos en Bogotá; el costo depende de la zona."),
            ("in", "customer", "Perfecto. Quiero 2 docenas de empanadas.\nDe carne y de queso."),
        ],
    ),
]
SETTINGS = {
    "business_name": "Panadería La Esperanza",
    "business_hours_text": "Lunes a viernes de 8 a 19 h; sábados de 9 a 14 h.",
    "extra_facts": "Pastel de tres leches: $450 (12 porciones), por encargo con 1 día.\n"
    "Empanadas: $180 la docena.",
    "faq": [["¿Hacen envíos?", "Sí, en toda Bogotá; el costo depende de la zona."]],
    "language": "es",
}


def build(target: Path) -> Path:
    """Write the revision-0001 database to ``target`` (replaced if it exists); returns it."""
    target.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{target}")
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    conn = sqlite3.connect(target)
    t = 1_764_000_000.0
    for key, value in SETTINGS.items():
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value)))
    for n, (wa_id, name, messages) in enumerate(CHATS):
        contact = conn.execute(
            "INSERT INTO contacts (wa_id, profile_name, first_seen_at, last_seen_at)"
            " VALUES (?, ?, ?, ?)",
            (wa_id, name, t, t + 600),
        ).lastrowid
        conversation = conn.execute(
            "INSERT INTO conversations (contact_id, created_at, last_message_at,"
            " last_message_preview, last_message_author) VALUES (?, ?, ?, ?, ?)",
            (contact, t, t + 60 * len(messages), messages[-1][2][:80], messages[-1][1]),
        ).lastrowid
        for i, (direction, author, text) in enumerate(messages):
            conn.execute(
                "INSERT INTO messages (conversation_id, wamid, direction, author, staff_name,"
                " type, text, status, wa_timestamp, created_at, handled)"
                " VALUES (?, ?, ?, ?, ?, 'text', ?, ?, ?, ?, 1)",
                (
                    conversation,
                    f"wamid.HBgN{n:02d}{i:04d}FIXTURE0001",
                    direction,
                    author,
                    "Rosa" if author == "staff" else None,
                    text,
                    "received" if direction == "in" else "read",
                    int(t) + 60 * i,
                    t + 60 * i,
                ),
            )
        t += 3600
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("VACUUM")
    conn.close()
    return target
