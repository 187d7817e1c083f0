"""Screenshots of the main states at 1366x768, saved for people to look at.

The folder is printed in pytest's header (``GUI screenshots: ...``) and defaults to
``test-artifacts/screenshots``. The 200 % scaling shot runs in a subprocess with
``QT_SCALE_FACTOR=2`` because the scale factor is read once, when the QApplication starts.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.gui.helpers import running_core, until
from tests.gui.seed import seed_busy_list, seed_needs_human, seed_showcase
from wabot_desktop.gui import theme
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.main_window import MainWindow

SIZE = (1366, 768)


def _save(window: MainWindow, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    assert window.grab().save(str(path)), path
    return path


async def _settle(window: MainWindow) -> None:
    """Let pending loads, layouts and repaints finish."""
    # Never QApplication.processEvents() here: it would run other asyncio tasks from inside
    # this one. Sleeping hands control back to qasync's loop, which processes Qt events.
    for _ in range(20):
        await asyncio.sleep(0.03)


@pytest.mark.asyncio
async def test_screenshots_of_main_states(
    qtbot: object, tmp_path: Path, screenshot_dir: Path, spanish: Translators, light_theme: None
) -> None:
    async with running_core(tmp_path / "data") as env:
        window = MainWindow(env.service, enable_tray=False)
        window.resize(*SIZE)
        window.show()
        window.start()
        await _settle(window)
        await until(lambda: window.status_bar.health is not None, what="health")
        _save(window, screenshot_dir, "01_empty")

        await seed_busy_list(env)
        conversation_id = await seed_showcase(env)
        await until(lambda: window.monitor.chat_list.model.rowCount() >= 19, what="rows")
        await _settle(window)
        _save(window, screenshot_dir, "02_busy_list")

        window.monitor.open_conversation(conversation_id)
        bubbles = window.monitor.conversation.model
        await until(lambda: bubbles.rowCount() >= 11, what=lambda: f"bubbles: {bubbles.ids()}")
        await _settle(window)
        _save(window, screenshot_dir, "03_conversation_all_bubbles")

        window.monitor.conversation.view.contact_button.setChecked(True)
        await _settle(window)
        _save(window, screenshot_dir, "04_takeover_with_contact_panel")
        window.monitor.conversation.view.contact_button.setChecked(False)

        needs_id = await seed_needs_human(env)
        window.monitor.open_conversation(needs_id)
        await until(
            lambda: (
                window.monitor.conversation.summary is not None
                and window.monitor.conversation.summary.id == needs_id
            ),
            what="summary",
        )
        await _settle(window)
        _save(window, screenshot_dir, "05_needs_a_person")

        await window.set_paused(True)
        await _settle(window)
        _save(window, screenshot_dir, "06_bot_paused")
        await window.set_paused(False)

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme.apply_theme(app, "dark")
        window.monitor.open_conversation(conversation_id)
        await _settle(window)
        _save(window, screenshot_dir, "07_dark_conversation")
        theme.apply_theme(app, "light")
        window.shutdown()
        window.deleteLater()


@pytest.mark.slow
def test_screenshot_at_200_percent_scaling(tmp_path: Path, screenshot_dir: Path) -> None:
    out = screenshot_dir / "08_scaled_200_percent.png"
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "PYTHONPATH": str(repo)}
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.scaled_screenshot", str(out), str(tmp_path / "data")],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (2 * SIZE[0], 2 * SIZE[1])
