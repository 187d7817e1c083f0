"""Runs the desktop app: QApplication, translations, one instance per data folder, the core on
qasync's loop (sliced: gui/event_loop.py), the main window and the tray, until the user quits.

``app.py`` builds the :class:`~wabot_desktop.core.session.Session` (the composition root) and
hands it here; the window follows the session's core (``gui/app_session.py``). The first run
without WhatsApp credentials opens in practice mode.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from wabot_desktop import APP_ID, APP_NAME, __version__
from wabot_desktop.core.errors import UserFacingError
from wabot_desktop.gcpolicy import IdleCollector
from wabot_desktop.gui import theme
from wabot_desktop.gui.crash import CrashReporter
from wabot_desktop.gui.errors import error_message
from wabot_desktop.gui.event_loop import new_event_loop
from wabot_desktop.gui.i18n import Translators, choose_language
from wabot_desktop.gui.single_instance import SingleInstance, instance_key, notify_running
from wabot_desktop.gui.widgets.icons import app_icon

if TYPE_CHECKING:
    from wabot_desktop.core.session import Session

logger = logging.getLogger(__name__)


def create_application() -> QApplication:
    """The QApplication with WaBot's names and icon (reused if one exists, as in tests)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("WaBot")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    # Closing the window hides it to the tray; only "Quit" ends the app.
    app.setQuitOnLastWindowClosed(False)
    return app


def run_gui(args: argparse.Namespace, data_dir: Path, make_session: Callable[[], Session]) -> int:
    """Run the desktop app for the data folder ``data_dir``; returns the process exit code.

    ``make_session`` (the composition root in ``app.py``) is called only once no other WaBot
    runs for that folder: a second launch raises the first one's window without loading the
    core.
    """
    app = create_application()
    key = instance_key(data_dir)
    if notify_running(key):
        logger.info("WaBot already runs for this data folder; raised its window")
        return 0
    instance = SingleInstance(key)
    instance.listen()
    session = make_session()
    # The GUI writes the same rotating, masked log as `serve`; every uncaught error goes there
    # with its traceback and the owner sees a dialog naming the file.
    session.open_log(verbose=bool(args.verbose))
    logger.info("WaBot Desktop %s starting (GUI)", __version__)
    theme.apply_theme(app, "system")
    theme.follow_system(app)
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    reporter = CrashReporter(session.log_file, app)
    reporter.install(loop)
    try:
        with loop:
            return int(loop.run_until_complete(_run(app, args, session, instance)))
    finally:
        reporter.uninstall()
        instance.close()
        asyncio.set_event_loop(None)
        session.close_log()


async def _run(
    app: QApplication, args: argparse.Namespace, core_session: Session, instance: SingleInstance
) -> int:
    # Imported here so that `wabot-desktop --help` and the single-instance check stay fast.
    from wabot_desktop.core.session import SessionMode
    from wabot_desktop.gui.app_session import AppSession
    from wabot_desktop.gui.main_window import show_fatal

    session = AppSession(core_session)
    translators = Translators()
    try:
        # --simulator forces practice mode; otherwise live when credentials exist, else practice.
        # A failed database upgrade stops here (its backup restored), never half-migrated.
        await session.start(SessionMode.PRACTICE if getattr(args, "simulator", False) else None)
    except UserFacingError as exc:
        translators.install(choose_language(args.lang, None))
        logger.error("core did not start: %s", getattr(exc, "code", type(exc).__name__))
        show_fatal(error_message(exc))
        return 1
    try:
        setting = await core_session.service.get_setting("language")
        translators.install(choose_language(args.lang, str(setting or "")))
        window = session.create_window()
        quit_requested = asyncio.Event()
        window.quit_requested.connect(quit_requested.set)
        instance.raise_requested.connect(window.raise_window)
        app.aboutToQuit.connect(quit_requested.set)
        window.start()
        window.show()
        # Everything built so far lives until quit: keep it out of the cyclic GC's full passes,
        # which otherwise freeze the window for ~100 ms now and then (bench/gui_history.py).
        gc.collect()
        gc.freeze()
        # From now on the full passes run when the bot is idle, not mid-burst (gcpolicy.py).
        collector = asyncio.create_task(IdleCollector(lambda: core_session.bot_busy).run())
        try:
            await quit_requested.wait()
        finally:
            collector.cancel()
            await asyncio.wait([collector])
        session.close_window()
    finally:
        await session.stop()
    await asyncio.sleep(0)  # let deleteLater and the last queued events run
    return 0
