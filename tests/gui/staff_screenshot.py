"""Save screenshots of a staff PC in Spanish (run in a subprocess by the tests; issue 16).

Usage: ``[QT_SCALE_FACTOR=2] python -m tests.gui.staff_screenshot OUT_DIR DATA_DIR PREFIX`` with
``WABOT_TEST_PG_URL`` naming an empty test database (password in the URL). Shown: the window
connected to the shop's server with a chat open, the same window while the server does not
answer (the link really cut), and the settings' "Servidor de la tienda" page with the TLS warning
and a connection error.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy.engine import make_url  # noqa: E402

from tests.e2e.test_serve_postgres import seed_pg  # noqa: E402
from tests.gui.helpers import until  # noqa: E402
from tests.gui.scaled_screenshot import run_in_spanish  # noqa: E402
from tests.gui.test_staff_pc import shop_server  # noqa: E402
from tests.helpers import FAST_SETTINGS  # noqa: E402
from tests.tcp_relay import relayed  # noqa: E402
from wabot_desktop.core.paths import AppPaths  # noqa: E402
from wabot_desktop.core.runtime import CoreConfig  # noqa: E402
from wabot_desktop.core.secrets import MemorySecretStore  # noqa: E402
from wabot_desktop.core.session import Session, ShopConnection  # noqa: E402
from wabot_desktop.gui.app_session import AppSession  # noqa: E402
from wabot_desktop.gui.settings_dialog import SettingsDialog  # noqa: E402

SIZE = (1366, 768)
DIALOG = (640, 520)


async def settle() -> None:
    for _ in range(15):
        await asyncio.sleep(0.03)


def save(widget: object, out: Path) -> None:
    if not widget.grab().save(str(out)):  # type: ignore[attr-defined]
        raise SystemExit(f"could not save {out}")


async def shoot(out_dir: Path, data_dir: Path, prefix: str) -> None:
    url = os.environ["WABOT_TEST_PG_URL"]
    parsed = make_url(url)
    seed_pg(url, **{**FAST_SETTINGS, "staff_name": "Ana"})
    async with shop_server(url, data_dir / "server") as server:
        assert parsed.port is not None and parsed.password is not None
        async with relayed(parsed.port) as relay:
            shop = ShopConnection(
                host="127.0.0.1",
                port=relay.port,
                database=str(parsed.database),
                user=str(parsed.username),
                tls=False,
            )
            config = CoreConfig(
                paths=AppPaths.resolve(data_dir / "staff"),
                port=0,
                tunnel=False,
                settings_overrides={"close_to_tray_hint_shown": True},
            )
            session = Session(config, live_secrets=MemorySecretStore())
            app = AppSession(session)
            await session.connect_to_shop(shop, str(parsed.password))
            await session.service.update_settings(staff_name="Ana")
            window = app.create_window(enable_tray=False)
            window.notifier.sound = False
            window.resize(*SIZE)
            window.show()
            window.start()
            try:
                await server.customer_says("5215512340001", "Lucía Pérez", "¿Tienen pan dulce hoy?")
                await until(lambda: len(server.graph.sent_messages) >= 1, what="the bot's reply")
                await server.customer_says("5215512340002", "Jorge Ramírez", "¿Hacen envíos?")
                chats = window.monitor.chat_list.model
                await until(lambda: chats.rowCount() == 2, what="both chats")
                first = (await session.service.list_conversations())[-1].id
                await session.service.take_over(first, "Ana")
                await session.service.send_staff_message(
                    first,
                    "¡Hola Lucía! Sí, salió a las 8. ¿Cuántas piezas quieres?",
                    staff_name="Ana",
                )
                await until(lambda: len(server.graph.sent_messages) >= 2, what="staff reply sent")
                window.monitor.open_conversation(first)
                bubbles = window.monitor.conversation.model
                await until(lambda: bubbles.rowCount() >= 3, what="bubbles")
                await settle()
                await asyncio.sleep(0.5)
                await settle()
                save(window, out_dir / f"{prefix}_window.png")

                await relay.cut()
                await until(lambda: window.shop_banner.isVisible(), timeout=60, what="the banner")
                await settle()
                save(window, out_dir / f"{prefix}_window_offline.png")
                await relay.start()
                await until(lambda: window.shop_banner.isHidden(), timeout=90, what="back up")

                dialog = SettingsDialog(session.service, window, shop=session)
                dialog.resize(*DIALOG)
                dialog.show()
                page = dialog.shop_page
                assert page is not None
                dialog.tabs.setCurrentWidget(page)
                page.tls_check.blockSignals(True)
                page.tls_check.setChecked(False)
                page.tls_check.blockSignals(False)
                page.tls_warning.show()
                page.password_edit.setText("contraseña-equivocada")
                await page.test_connection()
                await settle()
                save(dialog, out_dir / f"{prefix}_shop_page.png")
                dialog.reject()
                await settle()
            finally:
                app.close_window()
                await app.stop()


def main() -> int:
    out_dir, data_dir, prefix = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    return run_in_spanish(lambda: shoot(out_dir, data_dir, prefix))


if __name__ == "__main__":
    raise SystemExit(main())
