"""Desktop notifications when a customer asks for a person or a message waits for staff.

Notifications go through the tray icon (``QSystemTrayIcon.showMessage``), which uses the
desktop's own notification service. Sound: PySide6-Essentials has no QtMultimedia (no
QSoundEffect), so the alert sound is ``QApplication.beep()``, the system's alert sound; where the
desktop plays a sound with its notifications, that one is heard too. Without a tray, the window
asks for attention (``QApplication.alert``) instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from wabot_desktop.core.dto import Author, ConversationMode, ConversationSummary, HandoffReason
from wabot_desktop.core.errors import ConversationNotFoundError
from wabot_desktop.gui import texts
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner
from wabot_desktop.gui.tray import TrayIcon

logger = logging.getLogger(__name__)

_PER_CHAT_COOLDOWN_S = 30.0
_PREVIEW_CHARS = 120
_BATCH_INTERVAL_S = 0.1  # new messages are looked at together at most ~10 times a second


class Notifier(QObject):
    """Decides when to alert staff, and shows the alert.

    Signals:
        notified(int, str, str): conversation id, title, body of an alert that was shown.
        open_requested(int): the user clicked the alert for this conversation.
    """

    notified = Signal(int, str, str)
    open_requested = Signal(int)

    def __init__(
        self,
        service: MonitorService,
        window: QWidget,
        tray: TrayIcon | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._window = window
        self._tray = tray
        self._tasks = TaskOwner("notifier")
        self._incoming: dict[int, int] = {}  # conversation id -> first new message id
        self._batcher: asyncio.Task[None] | None = None
        self._last_conversation: int | None = None
        self._last_alert: dict[int, float] = {}
        self.sound = True
        self.clock: Callable[[], float] = time.monotonic
        # Which chat the user is looking at, so it does not alert about itself.
        self.open_conversation: Callable[[], int | None] = lambda: None
        if tray is not None:
            tray.message_clicked.connect(self._on_tray_message_clicked)

    def on_handoff_requested(self, conversation_id: int, reason: HandoffReason) -> None:
        """A customer needs a person: always alert."""
        self._tasks.spawn(self._alert_handoff(conversation_id, reason), name="handoff")

    def on_message_received(self, conversation_id: int, message_id: int) -> None:
        """A customer wrote: alert only if a person (not the bot) must answer it.

        Batched like the chat list's rows: the first message is looked at at once, those that
        arrive meanwhile together (one read for all their chats) at most every
        ``_BATCH_INTERVAL_S``: most chats are the bot's, and a busy shop's every message used
        to cost a read of its own just to find that out.
        """
        self._incoming.setdefault(conversation_id, message_id)  # the chat's first one alerts
        if self._batcher is None or self._batcher.done():
            self._batcher = self._tasks.spawn(self._alert_messages(), name="messages")

    def close(self) -> None:
        self._tasks.close()

    async def _alert_handoff(self, conversation_id: int, reason: HandoffReason) -> None:
        try:
            summary = await self._service.get_conversation(conversation_id)
        except ConversationNotFoundError:
            return
        name = texts.chat_title(summary)
        if reason is HandoffReason.FLOOD:
            title = self.tr("{name} is sending many messages").format(name=name)
        elif reason in (
            HandoffReason.NO_ANSWER,
            HandoffReason.LLM_UNAVAILABLE,
            HandoffReason.BOT_ERROR,
        ):
            title = self.tr("The bot could not answer {name}").format(name=name)
        elif reason is HandoffReason.BACKLOG:
            title = self.tr("{name} has been waiting for an answer").format(name=name)
        else:
            title = self.tr("{name} wants to talk to a person").format(name=name)
        body = self.tr("Click to open the chat and answer.")
        # The newest message is often the bot's "someone will answer you" reply; show what the
        # customer wrote instead.
        recent = await self._service.get_messages(conversation_id, limit=10)
        said = next((m for m in reversed(recent) if m.author == Author.CUSTOMER), None)
        if said is not None:
            body = _preview(said.text or texts.media_kind(said)) + "\n" + body
        self._show(conversation_id, title, body)

    async def _alert_messages(self) -> None:
        while self._incoming:
            batch, self._incoming = self._incoming, {}
            summaries = await self._service.get_conversations(list(batch))
            for summary in summaries:  # chats deleted meanwhile are not in there
                if summary.mode != ConversationMode.BOT:  # else the bot answers it
                    await self._alert_message(summary, batch[summary.id])
            await asyncio.sleep(_BATCH_INTERVAL_S)

    async def _alert_message(self, summary: ConversationSummary, message_id: int) -> None:
        conversation_id = summary.id
        if self._window.isActiveWindow() and self.open_conversation() == conversation_id:
            return  # the user is looking at it
        now = self.clock()
        if now - self._last_alert.get(conversation_id, -1e9) < _PER_CHAT_COOLDOWN_S:
            return
        try:
            message = await self._service.get_message(message_id)
        except ConversationNotFoundError:
            return
        name = texts.chat_title(summary)
        title = self.tr("New message from {name}").format(name=name)
        body = _preview(message.text or texts.media_kind(message))
        self._show(conversation_id, title, body)

    def _show(self, conversation_id: int, title: str, body: str) -> None:
        self._last_conversation = conversation_id
        self._last_alert[conversation_id] = self.clock()
        if self._tray is not None and self._tray.available():
            self._tray.show_message(title, body)
        else:
            QApplication.alert(self._window)
        if self.sound:
            QApplication.beep()
        logger.info("alert shown for conversation %d", conversation_id)
        self.notified.emit(conversation_id, title, body)

    def _on_tray_message_clicked(self) -> None:
        if self._last_conversation is not None:
            self.open_requested.emit(self._last_conversation)


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW_CHARS else flat[: _PREVIEW_CHARS - 1] + "…"
