"""Keeps the main window attached to the :class:`~wabot_desktop.core.session.Session`'s core.

The Qt-free :class:`Session` owns the running core and switches it (practice <-> live, clearing
practice data, restoring a backup). This is the GUI's half: it builds the main window for the
running core, lets go of the core's parts before a switch stops it and rebuilds them after the
new one started (whoever asked: the window's menu, the set-up wizard), runs one switch at a time
with the mode button disabled and a busy cursor, and handles the menu's Backup, Restore and About.

First run: with no WhatsApp credentials in the keyring or the ``WABOT_*`` variables the session
starts in practice mode. Practice mode has its own profile, so switching never touches the live
chats or settings; "Clear practice data" deletes that profile and starts it afresh.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDir, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from wabot_desktop.core.session import (
    BackupInfo,
    Session,
    SessionChanged,
    SessionMode,
    SessionPhase,
)
from wabot_desktop.gui.about_dialog import AboutDialog
from wabot_desktop.gui.actions import async_slot, chosen_path, confirm, exec_dialog, run_action
from wabot_desktop.gui.main_window import MainWindow
from wabot_desktop.gui.settings.shop_page import shop_error_text

logger = logging.getLogger(__name__)

BACKUP_SUFFIX = ".zip"


class AppSession:
    """The main window of one :class:`Session`, following its core across switches.

    Not a QObject on purpose: the window's signals point here and this points to the window, and
    a Python-owned QObject in such a cycle could be destroyed by the garbage collector on a
    worker thread. :meth:`close_window` breaks the cycle and deletes the window on the GUI thread.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.window: MainWindow | None = None
        self._busy = False
        self._unsubscribe: Callable[[], None] | None = session.subscribe(self._on_session_changed)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, mode: SessionMode | None = None) -> SessionMode:
        """Start the session's core (see :meth:`Session.start`)."""
        return await self.session.start(mode)

    async def stop(self) -> None:
        """Stop the core (close the window first) and stop following the session."""
        await self.session.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def create_window(self, *, enable_tray: bool = True) -> MainWindow:
        """The main window for the running core (call ``start()`` on it once shown)."""
        session = self.session
        window = MainWindow(session.service, simulator=session.simulator, enable_tray=enable_tray)
        window.set_live_available(session.live_available)
        window.mode_switch_requested.connect(self._on_window_mode_switch_requested)
        window.simulator_reset_requested.connect(self._on_window_simulator_reset_requested)
        window.backup_requested.connect(self._on_window_backup_requested)
        window.restore_requested.connect(self._on_window_restore_requested)
        window.about_requested.connect(self._on_window_about_requested)
        window.credentials_changed.connect(self._on_window_credentials_changed)
        window.set_setup_flow_factory(session.open_setup_flow)
        window.set_shop_control(session)
        window.set_shop(session.shop_label, session.shop_connected)
        self.window = window
        if session.shop_error is not None:
            # The saved shop connection did not work at start: this PC's own mode runs.
            self._tell(
                QCoreApplication.translate("AppSession", "Not connected to the shop"),
                QCoreApplication.translate(
                    "AppSession",
                    "WaBot could not connect to the shop's server, so this PC runs its own bot "
                    "for now. {reason} Fix it in Settings, “Shop server”.",
                ).format(reason=shop_error_text(session.shop_error)),
                "shopStartErrorBox",
            )
        return window

    def close_window(self) -> None:
        """Shut the window down (before the core stops) and delete it on the GUI thread."""
        window, self.window = self.window, None
        if window is None:
            return
        window.shutdown()
        window.mode_switch_requested.disconnect(self._on_window_mode_switch_requested)
        window.simulator_reset_requested.disconnect(self._on_window_simulator_reset_requested)
        window.backup_requested.disconnect(self._on_window_backup_requested)
        window.restore_requested.disconnect(self._on_window_restore_requested)
        window.about_requested.disconnect(self._on_window_about_requested)
        window.credentials_changed.disconnect(self._on_window_credentials_changed)
        window.set_setup_flow_factory(None)
        window.set_shop_control(None)
        window.hide()
        window.deleteLater()

    def _on_session_changed(self, change: SessionChanged) -> None:
        window = self.window
        if window is None:
            return
        if change.phase is SessionPhase.STOPPING:
            window.detach_core()
        elif change.phase is SessionPhase.STARTED:
            window.attach_core(self.session.service, self.session.simulator)
            window.set_live_available(change.live_available)
            window.set_shop(self.session.shop_label, self.session.shop_connected)
        elif change.phase is SessionPhase.CREDENTIALS:
            window.set_live_available(change.live_available)

    # -- switching -------------------------------------------------------------------------

    @async_slot(bool)
    async def _on_window_mode_switch_requested(self, practice: bool) -> None:
        mode = SessionMode.PRACTICE if practice else SessionMode.LIVE
        await self._run_exclusive(self.session.switch_mode(mode))

    @async_slot()
    async def _on_window_credentials_changed(self) -> None:
        # The wizard stored new credentials: a live core takes them at once (sending resumes).
        await self._run_exclusive(self.session.reload_credentials())

    @async_slot()
    async def _on_window_simulator_reset_requested(self) -> None:
        await self._run_exclusive(self.session.reset_practice_data())

    async def _run_exclusive(self, work: Coroutine[Any, Any, object]) -> object | None:
        """One switch at a time, with the mode button disabled and a busy cursor meanwhile."""
        window = self.window
        if self._busy or window is None:
            work.close()
            return None
        self._busy = True
        try:
            return await run_action(window.view.mode_button, work, parent=window, busy_cursor=True)
        finally:
            self._busy = False

    # -- backup and restore ----------------------------------------------------------------

    def _profile_words(self) -> str:
        if self.session.practice:
            return QCoreApplication.translate("AppSession", "the practice data")
        return QCoreApplication.translate("AppSession", "your shop")

    async def _choose_file(self, *, save: bool) -> Path | None:
        """A file dialog (Qt's own, so it works the same everywhere); None when cancelled."""
        window = self.window
        dialog = QFileDialog(window)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter(QCoreApplication.translate("AppSession", "WaBot backups (*.zip)"))
        dialog.setDirectory(QDir.homePath())
        if save:
            dialog.setObjectName("backupFileDialog")
            dialog.setWindowTitle(
                QCoreApplication.translate("AppSession", "Save a backup of {what}").format(
                    what=self._profile_words()
                )
            )
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setFileMode(QFileDialog.FileMode.AnyFile)
            dialog.setDefaultSuffix(BACKUP_SUFFIX.lstrip("."))
            stamp = time.strftime("%Y-%m-%d")
            dialog.selectFile(f"wabot-backup-{stamp}{BACKUP_SUFFIX}")
        else:
            dialog.setObjectName("restoreFileDialog")
            dialog.setWindowTitle(QCoreApplication.translate("AppSession", "Restore a backup"))
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        # The window (its parent) may be gone by the time this resumes (WaBot quit from the
        # tray meanwhile): chosen_path reads the choice when the dialog finishes.
        return await chosen_path(dialog)

    def _tell(self, title: str, text: str, name: str) -> QMessageBox:
        box = QMessageBox(self.window)
        box.setObjectName(name)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.button(QMessageBox.StandardButton.Ok).setText(
            QCoreApplication.translate("AppSession", "OK")
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    @async_slot()
    async def _on_window_backup_requested(self) -> None:
        await self.backup()

    async def backup(self, target: Path | None = None) -> BackupInfo | None:
        """Ask where (unless ``target`` is given), then save a backup of the running profile."""
        window = self.window
        if window is None or self._busy:
            return None
        if target is None:
            target = await self._choose_file(save=True)
            if target is None:
                return None
        info = await run_action(
            window.view.app_menu_button,
            self.session.create_backup(target),
            parent=window,
            busy_cursor=True,
        )
        if info is not None:
            self._tell(
                QCoreApplication.translate("AppSession", "Backup saved"),
                QCoreApplication.translate(
                    "AppSession",
                    "The backup of {what} was saved in {file} ({count} messages). It holds the "
                    "chats, the settings and what the bot knows, never your passwords or keys.",
                ).format(what=self._profile_words(), file=str(info.path), count=info.messages),
                "backupDoneBox",
            )
        return info

    @async_slot()
    async def _on_window_restore_requested(self) -> None:
        await self.restore()

    async def restore(self, source: Path | None = None) -> BackupInfo | None:
        """Ask for a backup file (unless ``source`` is given), confirm, then restore it."""
        window = self.window
        if window is None or self._busy:
            return None
        if source is None:
            source = await self._choose_file(save=False)
            if source is None:
                return None
        info = await run_action(None, self.session.check_backup(source), parent=window)
        if info is None or self.window is None:
            return None
        if not await self.confirm_restore(info):
            return None
        restored = await self._run_exclusive(self.session.restore_backup(source))
        if isinstance(restored, BackupInfo):
            self._tell(
                QCoreApplication.translate("AppSession", "Backup restored"),
                QCoreApplication.translate(
                    "AppSession",
                    "{count} messages were restored. The bot answers with the restored data.",
                ).format(count=restored.messages),
                "restoreDoneBox",
            )
            return restored
        return None

    async def confirm_restore(self, info: BackupInfo) -> bool:
        """Ask whether to replace the running profile with the backup ``info`` describes."""
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.created_at))
        return await confirm(
            self.window,
            title=QCoreApplication.translate("AppSession", "Restore this backup?"),
            text=QCoreApplication.translate(
                "AppSession",
                "Replace every chat, setting and everything the bot knows in {what} with the "
                "backup of {when} ({count} messages)?",
            ).format(what=self._profile_words(), when=when, count=info.messages),
            informative=QCoreApplication.translate(
                "AppSession",
                "The bot stops for a moment and starts again with the restored data. The current "
                "data is kept in the “backups” folder of the data folder first.",
            ),
            accept_text=QCoreApplication.translate("AppSession", "Restore"),
            cancel_text=QCoreApplication.translate("AppSession", "Cancel"),
            destructive=True,
        )

    # -- about -----------------------------------------------------------------------------

    @async_slot()
    async def _on_window_about_requested(self) -> None:
        await self.show_about()

    async def show_about(self) -> None:
        """The About box: version, license, data and log folders."""
        parent: QWidget | None = self.window
        dialog = AboutDialog(self.session.about(), parent)
        dialog.finished.connect(dialog.deleteLater)
        await exec_dialog(dialog)
