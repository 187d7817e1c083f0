"""The window's app menu: Back up, Restore (with confirmation) and About (issue 15).

Real practice core (the simulator), real SQLite, real Qt offscreen. Ollama is a closed port, so
the fallback responder answers from the knowledge's FAQ: after a restore the next customer gets
the restored FAQ's answer. Screenshots of the About box and the restore confirmation in Spanish
at 1366x768 (and at 200 % scaling in a subprocess) go to the screenshot folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from wabot_desktop import __version__
from wabot_desktop.core.knowledge.model import FaqItem
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import CoreConfig, simulator_paths
from wabot_desktop.core.secrets import MemorySecretStore
from wabot_desktop.core.session import Session
from wabot_desktop.core.whatsapp.sandbox import StatusDelays
from wabot_desktop.gui.about_dialog import AboutDialog
from wabot_desktop.gui.app_session import AppSession
from wabot_desktop.gui.i18n import Translators

from .helpers import choose_in_file_dialog, until, visible_child

SIZE = (1366, 768)
REPO = Path(__file__).resolve().parents[2]
QUESTION = "¿Tienen helado de dulce de leche?"
RESTORED = "Sí: el de dulce de leche es el favorito de la casa."
LATER = "Ya no hacemos helado de dulce de leche."
FAST = {"debounce_quiet_s": 0.05, "debounce_max_s": 0.3, "send_gap_s": 0.0, "staff_name": "Ana"}


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture
def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(data_dir: Path, ollama_port: int) -> CoreConfig:
    return CoreConfig(
        paths=AppPaths.resolve(data_dir),
        port=0,
        ollama_url=f"http://127.0.0.1:{ollama_port}",
        tunnel=False,
        settings_overrides={"close_to_tray_hint_shown": True, **FAST},
        sandbox_delays=StatusDelays.instant(),
    )


@contextlib.asynccontextmanager
async def open_app(config: CoreConfig) -> AsyncIterator[AppSession]:
    app = AppSession(Session(config, live_secrets=MemorySecretStore()))
    await app.start()
    window = app.create_window(enable_tray=False)
    window.notifier.sound = False
    window.resize(*SIZE)
    window.show()
    window.start()
    try:
        yield app
    finally:
        app.close_window()
        await app.stop()
        await asyncio.sleep(0.05)


async def _settle() -> None:
    for _ in range(15):
        await asyncio.sleep(0.03)


async def _set_faq_answer(app: AppSession, answer: str) -> None:
    service = app.session.service
    draft = await service.knowledge_draft()
    await service.save_knowledge(
        draft.replace(faq=(FaqItem(question=QUESTION, answer=answer, direct=True),)), answer
    )


async def _ask(app: AppSession, qtbot: QtBot) -> str:
    """A practice customer asks the question; the phone's next bot message."""
    window = app.window
    assert window is not None and window.phone_pane is not None
    pane = window.phone_pane
    await until(lambda: pane.customer is not None, what="a customer on the phone")
    before = len([m for m in pane.model.messages() if not m.from_customer])
    pane.view.edit.setFocus()
    pane.view.edit.insert(QUESTION)
    qtbot.keyClick(pane.view.edit, Qt.Key.Key_Return)
    await until(
        lambda: len([m for m in pane.model.messages() if not m.from_customer]) > before,
        what="the bot's answer on the phone",
    )
    return str([m for m in pane.model.messages() if not m.from_customer][-1].text)


@pytest.mark.asyncio
async def test_backup_then_restore_from_the_menu_and_the_next_customer_gets_the_restored_answer(
    qtbot: QtBot,
    tmp_path: Path,
    closed_port: int,
    screenshot_dir: Path,
    spanish: Translators,
    light_theme: None,
) -> None:
    data_dir = tmp_path / "shop"
    target = tmp_path / "copias" / "heladeria.zip"
    target.parent.mkdir()
    async with open_app(_config(data_dir, closed_port)) as app:
        window = app.window
        assert window is not None and app.session.practice
        view = window.view
        assert [a.text() for a in view.app_menu.actions() if a.text()] == [
            "Hacer una copia de seguridad…",
            "Restaurar una copia de seguridad…",
            "Acerca de WaBot",
        ]
        await _set_faq_answer(app, RESTORED)
        assert await _ask(app, qtbot) == RESTORED

        # Back up from the menu, while the bot runs.
        view.backup_action.trigger()
        await choose_in_file_dialog(window, "backupFileDialog", target)
        done = await visible_child(window, QMessageBox, "backupDoneBox")
        assert isinstance(done, QMessageBox) and str(target) in done.text()
        assert "contraseñas" in done.text()
        done.accept()
        assert target.exists()

        # The knowledge changes after the backup ...
        await _set_faq_answer(app, LATER)
        assert await _ask(app, qtbot) == LATER
        old_pane = window.phone_pane

        # ... and the backup is restored from the menu, after a confirmation.
        view.restore_action.trigger()
        await choose_in_file_dialog(window, "restoreFileDialog", target)
        box = await visible_child(window, QMessageBox, "confirmBox")
        assert isinstance(box, QMessageBox)
        assert box.windowTitle() == "¿Restaurar esta copia de seguridad?"
        assert "los datos de prueba" in box.text() and "mensajes" in box.text()
        await _settle()
        assert box.grab().save(str(screenshot_dir / "30_restore_confirmation.png"))
        assert window.grab().save(str(screenshot_dir / "31_restore_confirmation_window.png"))
        [restore] = [b for b in box.buttons() if b.text() == "Restaurar"]
        assert box.defaultButton() is not restore  # destructive: the safe answer is the default
        restore.click()

        restored = await visible_child(window, QMessageBox, "restoreDoneBox")
        assert isinstance(restored, QMessageBox) and "restaurados" in restored.text()
        restored.accept()
        await until(
            lambda: (
                window.phone_pane is not None
                and window.phone_pane is not old_pane
                and window.view.isEnabled()
            ),
            what="the window attached to the restarted core",
        )
        # The restored shop answers its next customer with the restored knowledge.
        assert await _ask(app, qtbot) == RESTORED
        backups = simulator_paths(AppPaths.resolve(data_dir)).data_dir / "backups"
        assert list(backups.glob("*restore*")), "the replaced data is kept"

        # A file that is not a backup: explained, nothing changes, the bot keeps running.
        junk = tmp_path / "foto.zip"
        junk.write_bytes(b"not a zip")
        window.view.restore_action.trigger()  # a new view: the window was rebuilt for the core
        await choose_in_file_dialog(window, "restoreFileDialog", junk)
        error = await visible_child(window, QMessageBox, "errorBox")
        assert isinstance(error, QMessageBox) and "no es una copia de seguridad" in error.text()
        error.accept()
        assert await _ask(app, qtbot) == RESTORED


@pytest.mark.asyncio
async def test_about_box_shows_version_license_and_folders(
    qtbot: QtBot,
    tmp_path: Path,
    closed_port: int,
    screenshot_dir: Path,
    spanish: Translators,
    light_theme: None,
) -> None:
    data_dir = tmp_path / "shop"
    async with open_app(_config(data_dir, closed_port)) as app:
        window = app.window
        assert window is not None
        window.view.about_action.trigger()
        dialog = await visible_child(window, AboutDialog, "aboutDialog")
        assert isinstance(dialog, AboutDialog)
        assert dialog.windowTitle() == "Acerca de WaBot Desktop"
        assert dialog.version_label.text() == f"Versión {__version__}"
        assert dialog.license_label.text() == "MIT"
        assert str(data_dir.resolve()) in dialog.data_label.text()
        assert str((data_dir / "logs").resolve()) in dialog.log_label.text()
        await _settle()
        assert dialog.grab().save(str(screenshot_dir / "32_about.png"))
        dialog.reject()
        await until(lambda: not dialog.isVisible(), what="About closed")


def test_about_and_restore_confirmation_at_200_percent(
    tmp_path: Path, screenshot_dir: Path
) -> None:
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.scaled_dialogs", str(screenshot_dir), str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("33_about_200.png", "34_restore_confirmation_200.png"):
        assert (screenshot_dir / name).stat().st_size > 10_000


def test_a_failed_upgrade_is_explained_in_spanish_and_english(qapp: object) -> None:
    from PySide6.QtCore import QLocale

    from wabot_desktop.core.backup import InvalidBackupError
    from wabot_desktop.core.store.db import MigrationFailedError
    from wabot_desktop.gui import i18n
    from wabot_desktop.gui.errors import error_message

    backup = Path("/datos/backups/auto-20261202-010000-000000001-upgrade-rev0001.db")
    failure = MigrationFailedError(backup, RuntimeError("disk full"))
    english = error_message(failure)
    assert "did not start" in english and str(backup) in english
    assert "Nothing was changed" in error_message(InvalidBackupError("x"))
    translators = i18n.Translators()
    translators.install(i18n.SPANISH)
    try:
        spanish = error_message(failure)
        assert "no arrancó" in spanish and str(backup) in spanish
        assert "exactamente como estaban" in spanish
        assert "No se cambió nada" in error_message(InvalidBackupError("x"))
    finally:
        translators.remove()
        QLocale.setDefault(QLocale.c())
