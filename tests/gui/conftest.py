"""GUI test fixtures: compiled translations, a fresh data folder, the screenshot folder."""

from __future__ import annotations

import faulthandler
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from wabot_desktop.gui import i18n, theme

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(
    os.environ.get("WABOT_SCREENSHOT_DIR", REPO / "test-artifacts" / "screenshots")
)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"GUI screenshots: {SCREENSHOT_DIR}"]


@pytest.fixture(autouse=True)
def _keep_app_running(qapp: QApplication) -> None:
    # As in the app: closing the last window must not quit Qt, which would stop qasync's loop
    # under the running test ("Event loop stopped before Future completed").
    qapp.setQuitOnLastWindowClosed(False)


@pytest.fixture(autouse=True)
def _fail_loudly_on_a_hang() -> Iterator[None]:
    # A GUI test that hangs (a modal dialog, a lost event) dumps every thread's stack and ends
    # the run instead of holding CI until its time limit.
    faulthandler.dump_traceback_later(180, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def spanish(qapp: QApplication) -> Iterator[i18n.Translators]:
    """The Spanish UI (the product's default), removed after the test."""
    translators = i18n.Translators()
    translators.install(i18n.SPANISH)
    yield translators
    translators.remove()
    QLocale.setDefault(QLocale.c())


@pytest.fixture
def light_theme(qapp: QApplication) -> Iterator[None]:
    theme.apply_theme(qapp, "light")
    yield
    theme.apply_theme(qapp, "light")


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
