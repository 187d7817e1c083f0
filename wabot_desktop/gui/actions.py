"""One shape for user-triggered async actions (house style 9), and awaitable dialogs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import qasync
from PySide6.QtCore import QDir, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from wabot_desktop.core.errors import UserCancelled
from wabot_desktop.gui.errors import show_error

logger = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")
Control = QWidget | QAction


def async_slot(
    *types: type,
) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, None]]:
    """``qasync.asyncSlot`` with type hints (qasync ships none): a coroutine method as a slot."""
    return cast(
        Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, None]],
        qasync.asyncSlot(*types),
    )


async def run_action(
    controls: Control | Sequence[Control] | None,
    work: Awaitable[T],
    *,
    parent: QWidget | None,
    failure: Callable[[BaseException], None] | None = None,
    busy_cursor: bool = False,
) -> T | None:
    """Disable ``controls``, await ``work``, report failures, re-enable.

    Returns the result, or ``None`` when the action failed or was cancelled (the failure has
    already been shown by then, through ``failure`` or :func:`show_error`).
    """
    if controls is None:
        items: list[Control] = []
    elif isinstance(controls, QWidget | QAction):
        items = [controls]
    else:
        items = list(controls)
    was_enabled = [item.isEnabled() for item in items]
    for item in items:
        item.setEnabled(False)
    if busy_cursor:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
    try:
        return await work
    except UserCancelled:
        return None
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if failure is not None:
            failure(exc)
        else:
            show_error(parent, exc)
        return None
    finally:
        if busy_cursor:
            QGuiApplication.restoreOverrideCursor()
        for item, enabled in zip(items, was_enabled, strict=True):
            # The control may have been deleted while we waited (window closed).
            try:
                item.setEnabled(enabled)
            except RuntimeError:
                logger.debug("control gone before re-enabling")


async def exec_dialog(dialog: QDialog) -> int:
    """Open ``dialog`` window-modal and wait for its result without a nested event loop."""
    loop = asyncio.get_event_loop()
    done: asyncio.Future[int] = loop.create_future()

    def _finished(result: int) -> None:
        if not done.done():
            done.set_result(result)

    dialog.finished.connect(_finished)
    dialog.open()
    return await done


async def choose_path(
    parent: QWidget | None,
    title: str,
    *,
    folder: bool = False,
    name_filter: str = "",
    directory: str = "",
    object_name: str = "",
) -> Path | None:
    """An existing file (or, with ``folder``, a folder) the user picks; None when cancelled.
    It opens in ``directory``, or the user's home folder (never the program's own folder).

    Awaited, never a nested event loop: ``QFileDialog.getOpenFileName`` inside a coroutine runs
    the other tasks' steps from within this one's and asyncio refuses them ("Cannot enter into
    task"), which left the bot's tasks stuck while the dialog was open.
    """
    dialog = QFileDialog(parent, title, directory or QDir.homePath())
    if object_name:
        dialog.setObjectName(object_name)
    if folder:
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        if name_filter:
            dialog.setNameFilter(name_filter)
    return await chosen_path(dialog)


async def chosen_path(dialog: QFileDialog) -> Path | None:
    """Open a set-up file dialog, await it (no nested loop) and delete it; the path the user
    chose, or None when cancelled."""
    chosen: list[str] = []
    # Read the choice when the dialog finishes: its parent may be gone when this resumes.
    dialog.fileSelected.connect(chosen.append)
    dialog.finished.connect(dialog.deleteLater)
    accepted = await exec_dialog(dialog)
    if accepted != QFileDialog.DialogCode.Accepted or not chosen or not chosen[0]:
        return None
    return Path(chosen[0])


async def confirm(
    parent: QWidget | None,
    *,
    title: str,
    text: str,
    accept_text: str,
    cancel_text: str,
    destructive: bool = False,
    informative: str = "",
) -> bool:
    """Ask a yes/no question with explicit button words; True when the user accepted."""
    box = QMessageBox(parent)
    box.setObjectName("confirmBox")
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    accept = box.addButton(accept_text, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(cancel_text, QMessageBox.ButtonRole.RejectRole)
    # A destructive question defaults to the safe answer.
    box.setDefaultButton(cancel if destructive else accept)
    box.setEscapeButton(cancel)
    await exec_dialog(box)
    accepted = box.clickedButton() is accept
    box.deleteLater()
    return accepted
