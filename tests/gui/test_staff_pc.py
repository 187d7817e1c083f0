"""The staff PC in the window (issue 16), in Spanish: the settings' "Servidor de la tienda" page
against a real PostgreSQL (its connection test's errors, the TLS warning), connecting at run time
(no restart), the window in shop mode showing a chat a server instance stored, live, and the way
back to "this PC runs the bot". The server here is a real core on the same database in this
process (the e2e tests run two ``serve`` processes)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.e2e.test_serve_postgres import seed_pg
from tests.gui.helpers import GuiEnv, running_core, until
from tests.helpers import FAST_SETTINGS
from tests.pg import PgCluster
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import CoreConfig
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.session import Session, SessionMode, ShopConnection
from wabot_desktop.core.shop import save_shop
from wabot_desktop.gui.app_session import AppSession
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.main_window import MainWindow
from wabot_desktop.gui.settings.shop_page import ShopPage
from wabot_desktop.gui.settings_dialog import SettingsDialog

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

CUSTOMER = "5215512340000"


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread() -> Iterator[None]:
    yield
    gc.collect()


@contextlib.asynccontextmanager
async def shop_server(pg_url: str, data_dir: Path) -> AsyncIterator[GuiEnv]:
    """A server instance of the shop (a real core on ``pg_url``), with fake Graph and Ollama."""
    async with running_core(data_dir, reply="¡Hola! Sí, tenemos.", database_url=pg_url) as env:
        yield env


@contextlib.asynccontextmanager
async def staff_app(
    data_dir: Path, secrets: MemorySecretStore | None = None
) -> AsyncIterator[AppSession]:
    config = CoreConfig(
        paths=AppPaths.resolve(data_dir),
        port=0,
        tunnel=False,
        settings_overrides={"close_to_tray_hint_shown": True},
    )
    app = AppSession(Session(config, live_secrets=secrets or MemorySecretStore()))
    await app.start()
    window = app.create_window(enable_tray=False)
    window.notifier.sound = False
    window.resize(1366, 768)
    window.show()
    window.start()
    try:
        yield app
    finally:
        app.close_window()
        await app.stop()
        await asyncio.sleep(0.05)


async def open_shop_page(window: MainWindow) -> tuple[SettingsDialog, ShopPage, asyncio.Task[None]]:
    task = asyncio.ensure_future(window.open_settings(shop_page=True))
    found: list[SettingsDialog] = []

    def look() -> bool:
        found[:] = [d for d in window.findChildren(SettingsDialog) if d.isVisible()]
        return bool(found)

    await until(look, what="settings dialog")
    dialog = found[0]
    assert dialog.shop_page is not None
    assert dialog.tabs.currentWidget() is dialog.shop_page
    return dialog, dialog.shop_page, task


async def answer_confirm(parent: QWidget, button_text: str) -> str:
    boxes: list[QMessageBox] = []

    def look() -> bool:
        boxes[:] = [b for b in parent.findChildren(QMessageBox, "confirmBox") if b.isVisible()]
        return bool(boxes)

    await until(look, what="confirmation box")
    box = boxes[0]
    text = box.text()
    next(b for b in box.buttons() if b.text() == button_text).click()
    return text


def fill(page: ShopPage, cluster: PgCluster, database: str, password: str) -> None:
    page.host_edit.setText(cluster.host)
    page.port_spin.setValue(cluster.port)
    page.database_edit.setText(database)
    page.user_edit.setText(cluster.user)
    page.password_edit.setText(password)


async def test_connecting_to_the_shop_from_settings_and_back(
    qtbot: QtBot,
    tmp_path: Path,
    pg_cluster: PgCluster,
    pg_url: str,
    spanish: Translators,
    caplog: pytest.LogCaptureFixture,
    screenshot_dir: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    seed_pg(pg_url, **FAST_SETTINGS)
    database = pg_url.rsplit("/", 1)[1]
    async with (
        shop_server(pg_url, tmp_path / "server") as server,
        staff_app(tmp_path / "staff") as app,
    ):
        window = app.window
        assert window is not None and app.session.mode is SessionMode.PRACTICE
        dialog, page, task = await open_shop_page(window)
        assert page.tls_check.isChecked()  # TLS on by default
        assert "Esta PC ejecuta el bot" in page.state_label.text()

        # Wrong password: said plainly, nothing changes.
        fill(page, pg_cluster, database, "wrong-password-7")
        page.tls_check.blockSignals(True)
        page.tls_check.setChecked(False)  # (the warning itself is checked below)
        page.tls_check.blockSignals(False)
        assert not await page.test_connection()
        assert "rechazó el usuario o la contraseña" in page.result_label.text()
        # A host that does not answer.
        page.port_spin.setValue(1)
        assert not await page.test_connection()
        assert "El servidor no responde" in page.result_label.text()
        page.port_spin.setValue(pg_cluster.port)
        # No such database.
        page.database_edit.setText("no_such_db")
        page.password_edit.setText(pg_cluster.password)
        assert not await page.test_connection()
        assert "no tiene una base de datos con ese nombre" in page.result_label.text()
        page.database_edit.setText(database)
        # TLS on (the default) against this test server, which offers none.
        page.tls_check.setChecked(True)
        assert not await page.test_connection()
        assert "no acepta conexiones cifradas (TLS)" in page.result_label.text()
        # Unticking TLS asks first (keep it: still ticked), then really turns it off.
        page.tls_check.setChecked(False)
        question = await answer_confirm(page, "Mantener el cifrado")
        assert "Sin TLS" in question
        await until(page.tls_check.isChecked, what="TLS kept")
        assert page.tls_warning.isHidden()
        page.tls_check.setChecked(False)
        await answer_confirm(page, "Desactivar el cifrado")
        await until(lambda: not page.tls_warning.isHidden(), what="TLS warning")
        assert not page.tls_check.isChecked()
        assert await page.test_connection()
        assert "La conexión funciona" in page.result_label.text()
        assert app.session.mode is SessionMode.PRACTICE  # a test changes nothing

        # Connect: the running app switches at once, the dialog closes.
        assert await page.connect_shop()
        await task
        assert not shiboken6.isValid(dialog) or not dialog.isVisible()
        assert app.session.mode is SessionMode.SHOP
        window = app.window
        assert window is not None
        where = f"127.0.0.1/{database}"
        assert window.view.mode_button.text() == f"Tienda: {where}"
        assert window.shop_status.text() == f"Conectado a la tienda: {where}"
        assert not window.shop_status.isHidden() and window.shop_banner.isHidden()
        assert window.view.simulator_banner.isHidden() and window.phone_pane is None
        assert not window.view.knowledge_action.isVisible()  # edited on the server

        # A customer writes to the shop's server: the chat shows in this window, live.
        await server.customer_says(CUSTOMER, "Lucía Pérez", "¿Tienen pan dulce?")
        chat_list = window.monitor.chat_list
        await until(lambda: chat_list.model.rowCount() == 1, what="the chat on the staff PC")

        # The pause switch on this PC pauses the server's bot (and resumes it).
        button = window.view.pause_button
        assert button.isVisible() and button.text() == "Pausar bot"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        await until(lambda: server.service.is_paused(), timeout=20, what="the server paused")
        assert window.view.pause_banner.isVisible()
        window.resize(1366, 768)
        await asyncio.sleep(0.3)
        assert window.grab().save(str(screenshot_dir / "50_staff_pc_paused.png"))
        qtbot.mouseClick(window.view.resume_button, Qt.MouseButton.LeftButton)
        await until(lambda: not server.service.is_paused(), timeout=20, what="server resumed")
        assert not window.view.pause_banner.isVisible()

        # Back to this PC's own bot (practice mode here: no WhatsApp credentials).
        dialog, page, task = await open_shop_page(window)
        assert f"Conectado a la tienda: {where}" in page.state_label.text()
        assert not page.local_button.isHidden()
        done = asyncio.ensure_future(page.run_bot_here())
        await answer_confirm(page, "Usar el bot aquí")
        assert await done
        await task
        assert app.session.mode is SessionMode.PRACTICE
        window = app.window
        assert window is not None and window.shop_label is None
        assert window.view.mode_button.text() == "Modo de prueba"
        assert window.shop_status.isHidden()

    for text in (caplog.text, *(p.read_text("utf-8", "replace") for p in tmp_path.rglob("*.json"))):
        assert pg_cluster.password not in text and "wrong-password-7" not in text


async def test_a_saved_shop_that_refuses_at_start_opens_this_pcs_mode_and_says_why(
    qtbot: QtBot, tmp_path: Path, pg_cluster: PgCluster, pg_url: str, spanish: Translators
) -> None:
    seed_pg(pg_url, **FAST_SETTINGS)
    data_dir = tmp_path / "staff"
    save_shop(
        AppPaths.resolve(data_dir),
        ShopConnection(
            host=pg_cluster.host,
            port=pg_cluster.port,
            database=pg_url.rsplit("/", 1)[1],
            user=pg_cluster.user,
            tls=False,
        ),
    )
    secrets = MemorySecretStore({SecretKey.DATABASE_PASSWORD: "changed-on-the-server"})
    async with staff_app(data_dir, secrets) as app:
        assert app.session.mode is SessionMode.PRACTICE
        window = app.window
        assert window is not None
        boxes: list[QMessageBox] = []

        def look() -> bool:
            boxes[:] = [b for b in window.findChildren(QMessageBox, "shopStartErrorBox")]
            return bool(boxes)

        await until(look, what="the start-up notice")
        assert "no pudo conectarse al servidor de la tienda" in boxes[0].text()
        assert "rechazó el usuario o la contraseña" in boxes[0].text()
        assert app.session.shop is not None  # kept: fixed in Settings, then connected again
