"""Uncaught errors in the GUI: logged with the traceback, the owner told where the log is."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from wabot_desktop.core.logs import close_logging, setup_logging
from wabot_desktop.gui.crash import CrashReporter
from wabot_desktop.gui.i18n import Translators


@pytest.fixture
def reporter(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[CrashReporter, list[str]]]:
    log_file = tmp_path / "logs" / "wabot.log"
    setup_logging(log_file)
    shown: list[str] = []
    reporter = CrashReporter(log_file, qapp)
    # The dialog is modal: record what it would say instead of blocking the test.
    monkeypatch.setattr(reporter, "_show", lambda: shown.append(reporter.message()))
    try:
        yield reporter, shown
    finally:
        reporter.uninstall()
        close_logging()


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_qt_slot_is_logged_and_shown_in_spanish(
    qtbot: QtBot, reporter: tuple[CrashReporter, list[str]], spanish: Translators
) -> None:
    crash, shown = reporter
    crash.install()

    def broken_slot() -> None:
        raise ZeroDivisionError("boom in a slot")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: bool(shown), timeout=3000)
    log = crash.log_file.read_text(encoding="utf-8")
    assert "uncaught error (main thread)" in log
    assert "Traceback" in log and "ZeroDivisionError: boom in a slot" in log
    assert str(crash.log_file) in shown[0]
    assert "registro" in shown[0].lower()  # Spanish, not the English source text


def test_an_unawaited_task_failure_and_a_thread_failure_are_logged(
    qtbot: QtBot, reporter: tuple[CrashReporter, list[str]]
) -> None:
    crash, shown = reporter
    loop = asyncio.new_event_loop()
    try:
        crash.install(loop)
        try:
            raise KeyError("lost in a task")
        except KeyError as exc:
            loop.call_exception_handler(
                {"message": "Task exception was never retrieved", "exception": exc}
            )
        thread = threading.Thread(target=lambda: 1 / 0, name="worker-x")
        thread.start()
        thread.join()
    finally:
        crash.uninstall(loop)
        loop.close()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=3000)
    log = crash.log_file.read_text(encoding="utf-8")
    assert "KeyError: 'lost in a task'" in log
    assert "uncaught error (thread worker-x)" in log and "ZeroDivisionError" in log
    assert crash.reported == 2
