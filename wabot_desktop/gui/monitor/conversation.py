"""The open conversation: live bubbles, takeover and hand-back, sending, media and templates."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox, QVBoxLayout, QWidget

from wabot_desktop.core.dto import Author, ConversationMode, ConversationSummary, MessageView
from wabot_desktop.core.errors import ConversationNotFoundError, WindowClosedError
from wabot_desktop.gui import texts
from wabot_desktop.gui.actions import async_slot, exec_dialog, run_action
from wabot_desktop.gui.errors import show_error
from wabot_desktop.gui.monitor import audio_player
from wabot_desktop.gui.monitor.bubble_delegate import BubbleDelegate
from wabot_desktop.gui.monitor.conversation_model import ConversationModel, MessageRole
from wabot_desktop.gui.monitor.conversation_view import ConversationView
from wabot_desktop.gui.monitor.template_dialog import TemplateDialog
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)

StaffNameProvider = Callable[[], Awaitable[str | None]]

_OLDER_THRESHOLD_PX = 160
_BOTTOM_SLACK_PX = 24
_FOLLOW_ROWS = 150  # rows kept while following the newest messages (live ones relayout all)
_READ_DELAY_MS = 200  # a customer message in the open chat is marked read after this
_READ_INTERVAL_S = 1.0  # and read receipts go out at most once a second
# File types opened directly with the system's viewer. Anything else a customer sends (an .exe,
# a script, a shortcut) is only shown in its folder, never run by a click.
SAFE_TO_OPEN = frozenset(
    {
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp",
        ".ogg", ".opus", ".mp3", ".m4a", ".aac", ".amr", ".wav",
        ".mp4", ".3gp", ".mov", ".webm", ".mkv",
        ".pdf", ".txt", ".csv", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
        ".odt", ".ods", ".odp", ".rtf",
    }
)  # fmt: skip


def map_url(latitude: float, longitude: float) -> QUrl:
    """A web map centred on a shared location."""
    return QUrl(
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
        f"#map=17/{latitude:.6f}/{longitude:.6f}"
    )


class Conversation(QWidget):
    """Conversation controller.

    Signals:
        contact_panel_toggled(bool): the "customer details" button was toggled.
        summary_changed(object): the open conversation's summary was (re)loaded.
        conversation_closed(): the open conversation disappeared (deleted).
    """

    contact_panel_toggled = Signal(bool)
    summary_changed = Signal(object)
    conversation_closed = Signal()

    def __init__(
        self,
        service: MonitorService,
        staff_name: StaffNameProvider,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._staff_name = staff_name
        self._tasks = TaskOwner("conversation-pane")
        self.view = ConversationView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.model = ConversationModel(service, self)
        self.delegate = BubbleDelegate(self)
        self.view.message_list.setModel(self.model)
        self.view.message_list.setItemDelegate(self.delegate)
        self.player: audio_player.AudioPlayer | None = None
        self._playback_checked = False
        self.delegate.can_play = self._can_play
        self.composer = self.view.composer
        self.summary: ConversationSummary | None = None
        self.me = ""  # this staff member's name, set by the monitor
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl  # tests replace it
        self.now: Callable[[], float] = time.time
        self._stick_to_bottom = True
        # (message id, its top in the viewport): the bubble to keep in place while rows are
        # inserted or dropped above or below it; dropped at the next user scroll.
        self._anchor: tuple[int, int] | None = None
        self._adjusting_scroll = False
        self._window_timer = QTimer(self)
        self._window_timer.setInterval(60_000)  # the 24-hour window closes by itself
        self._summary_task: asyncio.Task[None] | None = None
        self._summary_again = False
        self._read_timer = QTimer(self)
        self._read_timer.setSingleShot(True)
        self._read_timer.setInterval(_READ_DELAY_MS)
        self._last_read = -1e9  # time.monotonic() of the last read receipt
        self._connect_signals()
        self.view.stack.setCurrentWidget(self.view.empty_page)

    def _connect_signals(self) -> None:
        # Header
        self.view.take_button.clicked.connect(self._on_take_button_clicked)
        self.view.hand_back_button.clicked.connect(self._on_hand_back_button_clicked)
        self.view.contact_button.toggled.connect(self.contact_panel_toggled)
        # Bubbles
        scroll = self.view.message_list.verticalScrollBar()
        scroll.valueChanged.connect(self._on_scroll_value_changed)
        scroll.rangeChanged.connect(self._on_scroll_range_changed)
        self.view.message_list.customContextMenuRequested.connect(self._on_list_context_menu)
        self.delegate.media_action_requested.connect(self._on_delegate_media_action)
        self.model.conversation_loaded.connect(self._on_model_conversation_loaded)
        self.model.older_loaded.connect(self._on_model_older_loaded)
        self.model.rowsAboutToBeInserted.connect(self._on_model_rows_about_to_change)
        self.model.rowsAboutToBeRemoved.connect(self._on_model_rows_about_to_change)
        self.model.newer_loaded.connect(self._on_model_newer_loaded)
        self.model.message_added.connect(self._on_model_message_added)
        self.model.message_changed.connect(self._on_model_message_changed)
        # Composer
        self.composer.send_requested.connect(self._on_composer_send_requested)
        self.composer.template_requested.connect(self._on_composer_template_requested)
        # Timers
        self._window_timer.timeout.connect(self._update_window_state)
        self._read_timer.timeout.connect(self._mark_read)

    # -- public --------------------------------------------------------------------------------

    @property
    def conversation_id(self) -> int | None:
        return self.model.conversation_id

    def open_conversation(self, conversation_id: int | None) -> None:
        """Show a conversation (None: the empty page)."""
        if conversation_id == self.model.conversation_id:
            return
        if self.player is not None:
            self.player.stop()  # a voice note of another chat does not play on
        self.summary = None
        self._stick_to_bottom = True
        self._anchor = None
        self.delegate.clear_cache()
        self.composer.clear_reply()
        self.composer.set_text("")
        self.model.set_conversation(conversation_id)
        if conversation_id is None:
            self._window_timer.stop()
            self.view.stack.setCurrentWidget(self.view.empty_page)
            return
        self.view.stack.setCurrentWidget(self.view.chat_page)
        self.view.name_label.setText("")
        self.view.subtitle_label.setText("")
        self._window_timer.start()
        self.refresh_summary()
        self._last_read = -1e9
        self._read_timer.start(_READ_DELAY_MS)

    def refresh_summary(self) -> None:
        """Re-read the open conversation's header; a burst of events makes one more read."""
        if self.model.conversation_id is None:
            return
        if self._summary_task is not None and not self._summary_task.done():
            self._summary_again = True
            return
        self._summary_task = self._tasks.spawn(self._load_summaries(), name="summary")

    async def _load_summaries(self) -> None:
        while True:
            self._summary_again = False
            conversation_id = self.model.conversation_id
            if conversation_id is None:
                return
            await self._load_summary(conversation_id)
            if not self._summary_again:
                return

    def on_message_added(self, conversation_id: int, message_id: int) -> None:
        self.model.on_message_added(conversation_id, message_id)

    def on_message_changed(self, conversation_id: int, message_id: int) -> None:
        self.model.on_message_changed(conversation_id, message_id)

    def on_conversation_changed(self, conversation_id: int) -> None:
        if conversation_id == self.model.conversation_id:
            self.refresh_summary()

    def on_conversation_deleted(self, conversation_id: int) -> None:
        if conversation_id == self.model.conversation_id:
            self.open_conversation(None)
            self.conversation_closed.emit()

    def close_conversation(self) -> None:
        if self.player is not None:
            self.player.stop()
        self._window_timer.stop()
        self._read_timer.stop()
        self.model.close()
        self._tasks.close()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ApplicationPaletteChange,
            QEvent.Type.FontChange,
            QEvent.Type.ApplicationFontChange,
        ):
            self.delegate.clear_cache()  # bubble colours come from the palette, sizes from fonts
        super().changeEvent(event)

    # -- summary and header --------------------------------------------------------------------

    async def _load_summary(self, conversation_id: int) -> None:
        try:
            summary = await self._service.get_conversation(conversation_id)
        except ConversationNotFoundError:
            self.on_conversation_deleted(conversation_id)
            return
        if conversation_id != self.model.conversation_id:
            return
        self.summary = summary
        self._update_header()
        self.summary_changed.emit(summary)

    def _update_header(self) -> None:
        summary = self.summary
        if summary is None:
            return
        self.view.name_label.setText(texts.chat_title(summary))
        details = [texts.format_phone(summary.phone)]
        if summary.username:
            details.append("@" + summary.username)
        # Who answers is in the pill next to it (its tooltip has the long sentence).
        self.view.subtitle_label.setText("  ·  ".join(d for d in details if d))
        self.view.mode_label.setText(texts.mode_text(summary.mode, summary.staff_name))
        self.view.mode_label.setToolTip(texts.mode_sentence(summary.mode, summary.staff_name))
        self.view.mode_label.setProperty("mode", summary.mode.value)
        self.view.mode_label.style().unpolish(self.view.mode_label)
        self.view.mode_label.style().polish(self.view.mode_label)
        held_by_me = summary.mode == ConversationMode.HUMAN and summary.staff_name in (
            self.me or None,
            None,
        )
        self.view.take_button.setVisible(not held_by_me)
        if summary.mode == ConversationMode.HUMAN and not held_by_me:
            self.view.take_button.setText(
                self.tr("Take over from {name}").format(name=summary.staff_name or "")
            )
        else:
            self.view.take_button.setText(self.tr("Take over"))
        self.view.hand_back_button.setVisible(summary.mode != ConversationMode.BOT)
        self.view.needs_banner.setVisible(summary.mode == ConversationMode.NEEDS_HUMAN)
        self.view.needs_label.setText(
            self.tr(
                "This customer asked to talk to a person. The bot will not answer until you "
                "reply or hand the chat back."
            )
        )
        self.composer.set_customer_name(summary.display_name)
        self._update_window_state()

    def _update_window_state(self) -> None:
        summary = self.summary
        if summary is None:
            return
        self.composer.set_window_open(summary.window_open(self.now()))
        self.composer.set_mode(summary.mode, summary.staff_name, self.me)

    # -- takeover ------------------------------------------------------------------------------

    @async_slot()
    async def _on_take_button_clicked(self) -> None:
        conversation_id = self.model.conversation_id
        if conversation_id is None:
            return
        name = await self._staff_name()
        if not name:
            return
        await run_action(
            self.view.take_button,
            self._service.take_over(conversation_id, name),
            parent=self,
        )
        self.refresh_summary()

    @async_slot()
    async def _on_hand_back_button_clicked(self) -> None:
        conversation_id = self.model.conversation_id
        if conversation_id is None:
            return
        await run_action(
            self.view.hand_back_button, self._service.hand_back(conversation_id), parent=self
        )
        self.refresh_summary()

    # -- sending -------------------------------------------------------------------------------

    @async_slot(str, object)
    async def _on_composer_send_requested(self, text: str, reply_to: object) -> None:
        conversation_id = self.model.conversation_id
        if conversation_id is None:
            return
        name = await self._staff_name()
        if not name:
            return
        self.composer.set_busy(True)
        try:
            sent = await run_action(
                None,
                self._service.send_staff_message(
                    conversation_id,
                    text,
                    staff_name=name,
                    reply_to_message_id=reply_to if isinstance(reply_to, int) else None,
                ),
                parent=self,
                failure=self._on_send_failed,
            )
        finally:
            self.composer.set_busy(False)
        if sent is not None:
            self.composer.clear_after_send()
            self._show_sent(sent)
        self.composer.view.edit.setFocus()

    def _show_sent(self, sent: MessageView) -> None:
        self._stick_to_bottom = True
        self._anchor = None
        # Sent from far up the history: show the newest page, which has the new message.
        if not self.model.jump_to_newest():
            self.model.upsert(sent)
        self.refresh_summary()

    def _on_send_failed(self, exc: BaseException) -> None:
        show_error(self, exc)
        if isinstance(exc, WindowClosedError):
            self.refresh_summary()

    @async_slot()
    async def _on_composer_template_requested(self) -> None:
        conversation_id = self.model.conversation_id
        if conversation_id is None:
            return
        name = await self._staff_name()
        if not name:
            return
        dialog = TemplateDialog(self._service, self)
        dialog.setObjectName("templateDialog")
        dialog.load()
        if await exec_dialog(dialog) != TemplateDialog.DialogCode.Accepted:
            dialog.deleteLater()
            return
        choice = dialog.choice()
        dialog.deleteLater()
        if choice is None:
            return
        template, params = choice
        sent = await run_action(
            self.composer.view.template_button,
            self._service.send_template(
                conversation_id, template.name, template.language, params, staff_name=name
            ),
            parent=self,
        )
        if sent is not None:
            self._show_sent(sent)

    # -- reading -------------------------------------------------------------------------------

    def _schedule_read(self) -> None:
        # A throttle: a customer writing in bursts into the open chat gets one read receipt
        # (a database write and a Graph call) a second at most, not one per message.
        if self._read_timer.isActive():
            return
        wait_s = _READ_INTERVAL_S - (time.monotonic() - self._last_read)
        self._read_timer.start(max(_READ_DELAY_MS, int(wait_s * 1000)))

    def _mark_read(self) -> None:
        conversation_id = self.model.conversation_id
        summary = self.summary
        if conversation_id is None or not self.isVisible():
            return
        if summary is not None and summary.unread_count == 0:
            return
        self._last_read = time.monotonic()
        self._tasks.spawn(self._service.mark_conversation_read(conversation_id), name="read")

    # -- scrolling and paging ------------------------------------------------------------------

    def _on_scroll_value_changed(self, value: int) -> None:
        scroll = self.view.message_list.verticalScrollBar()
        if not self._adjusting_scroll:
            self._stick_to_bottom = (
                value >= scroll.maximum() - _BOTTOM_SLACK_PX and not self.model.has_newer
            )
            self._anchor = None
        if value <= _OLDER_THRESHOLD_PX and scroll.maximum() > 0:
            self._fetch_older()
        elif value >= scroll.maximum() - _OLDER_THRESHOLD_PX and self.model.has_newer:
            self.model.fetch_newer()

    def _on_scroll_range_changed(self, _minimum: int, maximum: int) -> None:
        scroll = self.view.message_list.verticalScrollBar()
        self._adjusting_scroll = True
        try:
            if self._anchor is not None:
                self._restore_anchor()
            elif self._stick_to_bottom:
                scroll.setValue(maximum)
        finally:
            self._adjusting_scroll = False
        if maximum == 0 and self.model.has_older and self.model.rowCount() > 0:
            self._fetch_older()  # the first page does not fill the view: load more

    def _fetch_older(self) -> None:
        self.model.fetch_older()

    def _capture_anchor(self) -> tuple[int, int] | None:
        view = self.view.message_list
        index = view.indexAt(QPoint(view.viewport().width() // 2, 0))
        if not index.isValid():
            return None
        message_id = index.data(MessageRole.MESSAGE_ID)
        if not isinstance(message_id, int):
            return None
        return message_id, view.visualRect(index).top()

    def _restore_anchor(self) -> None:
        """Scroll so that the anchored bubble is where it was (lays out pending rows first)."""
        if self._anchor is None:
            return
        message_id, top = self._anchor
        row = self.model.row_of(message_id)
        if row < 0:
            self._anchor = None
            return
        view = self.view.message_list
        delta = view.visualRect(self.model.index(row, 0)).top() - top
        if delta:
            scroll = view.verticalScrollBar()
            adjusting, self._adjusting_scroll = self._adjusting_scroll, True
            try:
                scroll.setValue(scroll.value() + delta)
            finally:
                self._adjusting_scroll = adjusting

    def _on_model_rows_about_to_change(self, *_args: object) -> None:
        # Rows come or go above or below what the user reads: keep that bubble in place.
        if not self._stick_to_bottom and self._anchor is None:
            self._anchor = self._capture_anchor()

    def _on_model_conversation_loaded(self, _conversation_id: int) -> None:
        self._stick_to_bottom = True
        self._anchor = None
        self.view.message_list.scrollToBottom()

    def _on_model_older_loaded(self, _count: int) -> None:
        # The anchor keeps the bubbles the user was reading in place; it is dropped at the next
        # user scroll. Restored once the page is in and the rows beyond the limit are out: one
        # layout of the rows, before anything is painted.
        self._restore_anchor()
        if self.view.message_list.verticalScrollBar().maximum() == 0 and self.model.has_older:
            QTimer.singleShot(0, self._fetch_older)

    def _on_model_newer_loaded(self, _count: int) -> None:
        self._restore_anchor()
        scroll = self.view.message_list.verticalScrollBar()
        if not self.model.has_newer and scroll.value() >= scroll.maximum() - _BOTTOM_SLACK_PX:
            # Paged down to the newest message: follow new ones from here (no further scroll
            # event may come, the view being at its end already).
            self._stick_to_bottom = True
            self._anchor = None

    def _on_model_message_added(self, message_id: int) -> None:
        message = self.model.message(message_id)
        if message is not None and message.author == Author.CUSTOMER:
            self._schedule_read()
        if self._stick_to_bottom:
            QTimer.singleShot(0, self.view.message_list.scrollToBottom)
        # Live messages keep coming: bound the rows held around what the user reads. Following
        # the newest messages, far fewer rows are needed (scrolling up reads them again).
        if self._stick_to_bottom:
            self.model.trim_around(self.model.rowCount() - 1, _FOLLOW_ROWS)
        else:
            view = self.view.message_list
            viewport = view.viewport()
            row = view.indexAt(QPoint(viewport.width() // 2, viewport.height() // 2)).row()
            self.model.trim_around(row)
        self._restore_anchor()

    def _on_model_message_changed(self, message_id: int) -> None:
        row = self.model.row_of(message_id)
        if row >= 0:
            self.delegate.sizeHintChanged.emit(self.model.index(row, 0))

    # -- bubbles' actions ----------------------------------------------------------------------

    def _on_list_context_menu(self, pos: QPoint) -> None:
        index = self.view.message_list.indexAt(pos)
        if not index.isValid():
            return
        message = index.data(MessageRole.MESSAGE)
        if not isinstance(message, MessageView):
            return
        menu = QMenu(self)
        menu.setObjectName("bubbleMenu")
        reply = menu.addAction(self.tr("Reply"))
        reply.setEnabled(bool(message.wamid) and self.composer.window_open)
        reply.triggered.connect(lambda: self._start_reply(index))
        copy = menu.addAction(self.tr("Copy text"))
        copy.setEnabled(bool(message.text))
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(message.text or ""))
        menu.popup(self.view.message_list.viewport().mapToGlobal(pos))

    def _start_reply(self, index: QModelIndex) -> None:
        message = index.data(MessageRole.MESSAGE)
        if isinstance(message, MessageView):
            preview = message.text or texts.media_kind(message)
            self.composer.set_reply(message.id, preview)

    @async_slot(int, str)
    async def _on_delegate_media_action(self, message_id: int, action: str) -> None:
        message = self.model.message(message_id)
        if message is None:
            return
        if action == "map" and message.latitude is not None and message.longitude is not None:
            self.open_url(map_url(message.latitude, message.longitude))
            return
        if action == "stop" and self.player is not None:
            self.player.stop()
            return
        path = await run_action(
            None, self._service.download_media(message_id), parent=self, busy_cursor=True
        )
        if path is None:
            return
        if action == "play" and self.player is not None:
            self.player.play(message_id, Path(path))
        else:
            self.open_file(Path(path))
        self.model.on_message_changed(message.conversation_id, message_id)

    def _can_play(self) -> bool:
        """Whether voice notes play here; checked once, when the first audio card shows."""
        if not self._playback_checked:
            self._playback_checked = True
            if audio_player.available():
                self.player = audio_player.AudioPlayer(self)
                self.player.playing_changed.connect(self._on_player_playing_changed)
        return self.player is not None

    def _on_player_playing_changed(self, message_id: int) -> None:
        self.delegate.playing_id = message_id  # the card's action reads "Stop" while it plays
        self.view.message_list.viewport().update()

    def open_file(self, path: Path) -> None:
        """Open a downloaded file with the system viewer, or show its folder if risky."""
        if path.suffix.lower() in SAFE_TO_OPEN:
            self.open_url(QUrl.fromLocalFile(str(path)))
            return
        box = QMessageBox(self)
        box.setObjectName("unsafeFileBox")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("File saved"))
        box.setText(
            self.tr(
                "This kind of file could be harmful, so WaBot does not open it. It was saved in "
                "the folder that opens now; open it only if you trust the customer."
            )
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.open_url(QUrl.fromLocalFile(str(path.parent)))
