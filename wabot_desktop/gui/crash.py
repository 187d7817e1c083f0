"""Uncaught errors in the desktop app: logged with their traceback, shown to the owner in words.

Three doors lead here: ``sys.excepthook`` (the main thread, and Python exceptions raised in Qt
slots, which PySide6 hands to it), the asyncio loop's exception handler (a task nobody awaited
failed) and ``threading.excepthook`` (a worker thread). Each writes the traceback to the rotating
log (``core.logs.setup_logging`` runs first) and, on the GUI thread, shows one plain-text dialog
naming the log file, so "the details were saved in the log file" is true.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from wabot_desktop import APP_NAME

logger = logging.getLogger("wabot_desktop.crash")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class CrashReporter(QObject):
    """Logs every uncaught exception and tells the owner where the details are."""

    def __init__(self, log_file: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.reported = 0
        self._dialog_open = False
        self._previous_hook: Callable[..., Any] = sys.excepthook
        self._previous_thread_hook: Callable[..., Any] = threading.excepthook

    def message(self) -> str:
        """The dialog's text (plain text; the log path is shown, never the traceback)."""
        return self.tr(
            "Something went wrong in WaBot. Your chats are safe and the bot keeps working.\n\n"
            "The details were saved in the log file:\n{path}\n\n"
            "If it happens again, send that file to whoever helps you with WaBot."
        ).format(path=str(self.log_file))

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Become the handler of the three doors (until :meth:`uninstall`)."""
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_hook
        if loop is not None:
            loop.set_exception_handler(self._loop_handler)

    def uninstall(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Give the hooks back (tests, shutdown)."""
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook
        if loop is not None:
            loop.set_exception_handler(None)

    def report(self, exc_info: ExcInfo, where: str) -> None:
        """Log ``exc_info`` with its traceback and show the dialog (once at a time)."""
        self.reported += 1
        logger.critical("uncaught error (%s)", where, exc_info=exc_info)
        app = QCoreApplication.instance()
        if not isinstance(app, QApplication):
            return
        if QThread.currentThread() is not app.thread():
            QTimer.singleShot(0, app, self._show)  # the dialog belongs to the GUI thread
            return
        # Never inside the handler itself: a modal dialog here would nest event loops.
        QTimer.singleShot(0, self._show)

    def _show(self) -> None:
        if self._dialog_open:
            return
        self._dialog_open = True
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, self.message())
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.exec()
        finally:
            self._dialog_open = False

    def _excepthook(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, value, tb)
            return
        self.report((kind, value, tb), "main thread")

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        self.report((args.exc_type, args.exc_value, args.exc_traceback), f"thread {name}")

    def _loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if not isinstance(exc, BaseException):
            logger.error("asyncio: %s", context.get("message", "error without exception"))
            return
        task = context.get("task") or context.get("future")
        name = task.get_name() if isinstance(task, asyncio.Task) else "asyncio"
        self.report((type(exc), exc, exc.__traceback__), f"task {name}")
