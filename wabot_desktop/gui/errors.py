"""Core exceptions to translated words, and the one ``show_error`` every screen uses."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from wabot_desktop.core import errors

logger = logging.getLogger(__name__)


def error_message(exc: BaseException) -> str:
    """A sentence a shop owner understands, chosen by exception type or ``code``."""
    # lupdate only sees literal strings, so every message is spelled out here.
    code = getattr(exc, "code", None)
    if isinstance(exc, errors.WindowClosedError) or code == "window_closed":
        return QCoreApplication.translate(
            "Errors",
            "More than 24 hours have passed since this customer last wrote. WhatsApp only "
            "allows an approved template until they write again.",
        )
    if isinstance(exc, errors.SendingBlockedError) or code == "sending_blocked":
        return QCoreApplication.translate(
            "Errors",
            "Sending is stopped: WhatsApp rejected the connection (for example, the access "
            "token expired). Replies wait in the outbox: enter a new token in “Configure "
            "WhatsApp…” (the mode menu); sending resumes by itself.",
        )
    if isinstance(exc, errors.ShopOfflineError) or code == "shop_offline":
        return QCoreApplication.translate(
            "Errors",
            "No connection to the shop's server right now, so this was not done. Try again when "
            "the warning at the top of the window is gone.",
        )
    if isinstance(exc, errors.ServerOnlyError) or code == "shop_server_only":
        return QCoreApplication.translate(
            "Errors",
            "This PC is connected to the shop's server and holds no WhatsApp connection of its "
            "own: this is done on the server.",
        )
    if isinstance(exc, errors.ConversationNotFoundError):
        return QCoreApplication.translate("Errors", "This chat no longer exists.")
    if isinstance(exc, errors.StorageError):
        return QCoreApplication.translate(
            "Errors", "The chat history could not be read or saved. Check free disk space."
        )
    if isinstance(exc, errors.MissingCredentialsError):
        return QCoreApplication.translate(
            "Errors",
            "WhatsApp is not connected yet. Connect it with “Connect WhatsApp…” in the mode "
            "menu; meanwhile, practise in simulator mode.",
        )
    if isinstance(exc, errors.KeyringUnavailableError):
        return QCoreApplication.translate(
            "Errors", "This computer has no secure password store, so WaBot cannot keep your keys."
        )
    if isinstance(exc, errors.PortInUseError):
        return QCoreApplication.translate(
            "Errors",
            "Another program is using WaBot's network port. Close it, or start WaBot with "
            "another port (for example “wabot-desktop --port 8081”).",
        )
    if code == "migration_failed":
        # core/store/db.py MigrationFailedError: the pre-upgrade backup was put back.
        backup = getattr(exc, "backup", None)
        return QCoreApplication.translate(
            "Errors",
            "WaBot could not update its database to this version, so it did not start: your "
            "chats and settings were put back exactly as they were before the update (from "
            "the backup {backup}). Install the previous version again, or send WaBot's log "
            "file to whoever supports you.",
        ).format(backup=str(backup) if backup is not None else "-")
    if code == "invalid_backup":
        return QCoreApplication.translate(
            "Errors",
            "This file is not a WaBot backup, it is damaged, or it was made by a newer version "
            "of WaBot. Nothing was changed.",
        )
    if isinstance(exc, errors.AlreadyRunningError):
        return QCoreApplication.translate("Errors", "WaBot is already open with this data folder.")
    if isinstance(exc, PermissionError):
        return QCoreApplication.translate(
            "Errors", "WaBot is not allowed to write there. Choose another folder."
        )
    if isinstance(exc, OSError):
        return QCoreApplication.translate("Errors", "The file could not be read or written.")
    if isinstance(exc, errors.UserFacingError):
        return QCoreApplication.translate("Errors", "WaBot could not do that ({code}).").format(
            code=code or type(exc).__name__
        )
    return QCoreApplication.translate(
        "Errors", "Something went wrong. The details were saved in WaBot's log file."
    )


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox | None:
    """Tell the user that an action failed; cancellations are not errors.

    The box is opened window-modal and returns at once (``open()``, not ``exec()``) so the event
    loop, and with it the bot, keeps running while it is shown.
    """
    if isinstance(exc, errors.UserCancelled):
        return None
    if isinstance(exc, errors.UserFacingError):
        logger.info("action failed: %s (%s)", type(exc).__name__, getattr(exc, "code", ""))
    else:
        logger.error("action failed", exc_info=exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("WaBot")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(error_message(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.button(QMessageBox.StandardButton.Ok).setText(QCoreApplication.translate("Errors", "OK"))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("errorBox")
    box.open()
    return box
