"""The composer: writing, quick replies with "/", emoji, replies, and the 24-hour lock."""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel, QTextCursor
from PySide6.QtWidgets import (
    QCompleter,
    QGridLayout,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from wabot_desktop.core.dto import ConversationMode, QuickReply
from wabot_desktop.gui.monitor.composer_view import ComposerView

logger = logging.getLogger(__name__)

_SHORTCUT_ROLE = Qt.ItemDataRole.UserRole + 1
_TEXT_ROLE = Qt.ItemDataRole.UserRole + 2
_NAME_PLACEHOLDER = "{nombre}"
# A small, familiar set; any emoji can also be typed or pasted.
EMOJI: tuple[str, ...] = (
    "😀",
    "😂",
    "😊",
    "😍",
    "🙏",
    "👍",
    "👌",
    "👏",
    "🙌",
    "💪",
    "🎉",
    "✅",
    "❤️",
    "🔥",
    "⭐",
    "😉",
    "🤔",
    "😅",
    "😢",
    "😮",
    "👋",
    "🤝",
    "📦",
    "🚚",
    "🛒",
    "💳",
    "💵",
    "🧾",
    "📍",
    "🕐",
    "📞",
    "📷",
    "🎁",
    "✨",
    "🙂",
    "😎",
    "🥳",
    "👀",
    "⏳",
    "❗",
)


def first_name(display_name: str) -> str:
    """The customer's first name for {nombre} ("" when the name is only a number)."""
    for word in display_name.split():
        if any(ch.isalpha() for ch in word):
            return word
    return ""


def expand_quick_reply(text: str, display_name: str) -> str:
    """Fill {nombre} with the customer's first name; tidy the gap if there is no name."""
    name = first_name(display_name)
    expanded = text.replace(_NAME_PLACEHOLDER, name)
    if not name:
        expanded = re.sub(r"[ \t]+([!?,.;:])", r"\1", expanded)
        expanded = re.sub(r"[ \t]{2,}", " ", expanded)
    return expanded


class Composer(QWidget):
    """Composer controller.

    Signals:
        send_requested(str, object): text to send, and the message id it replies to (or None).
        template_requested(): the user wants to choose a template (window closed).
    """

    send_requested = Signal(str, object)
    template_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = ComposerView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._customer_name = ""
        self._quick_replies: list[QuickReply] = []
        self._reply_to: int | None = None
        self._window_open = True
        self._busy = False
        self._quick_model = QStandardItemModel(self)
        self._completer = QCompleter(self._quick_model, self)
        self._completer.setCompletionRole(_SHORTCUT_ROLE)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._completer.setWidget(self.view.edit)
        self._popup = self._completer.popup()
        assert self._popup is not None
        self._popup.setObjectName("quickReplyPopup")
        self.view.edit.completer = self._completer
        self._quick_menu = QMenu(self)
        self.view.quick_button.setMenu(self._quick_menu)
        self.view.emoji_button.setMenu(self._build_emoji_menu())
        self._connect_signals()
        self.set_mode(ConversationMode.BOT, None, "")
        self._rebuild_quick_menu()

    def _connect_signals(self) -> None:
        self.view.edit.submitted.connect(self._on_edit_submitted)
        self.view.send_button.clicked.connect(self._on_edit_submitted)
        self.view.edit.textChanged.connect(self._on_edit_text_changed)
        # QCompleter.activated is overloaded (str, QModelIndex); PySide's stubs cannot index it.
        cast(Any, self._completer.activated)[QModelIndex].connect(self._on_completer_activated)
        self.view.reply_cancel.clicked.connect(self.clear_reply)
        self.view.template_button.clicked.connect(self.template_requested)

    # -- state from the conversation -------------------------------------------------------

    def set_customer_name(self, display_name: str) -> None:
        self._customer_name = display_name

    def set_quick_replies(self, replies: list[QuickReply]) -> None:
        self._quick_replies = list(replies)
        self._quick_model.clear()
        for reply in self._quick_replies:
            preview = " ".join(reply.text.split())
            if len(preview) > 60:
                preview = preview[:60] + "…"
            item = QStandardItem("/" + reply.shortcut + "  —  " + preview)
            item.setData("/" + reply.shortcut, _SHORTCUT_ROLE)
            item.setData(reply.text, _TEXT_ROLE)
            item.setEditable(False)
            self._quick_model.appendRow(item)
        self._rebuild_quick_menu()

    def set_mode(self, mode: ConversationMode, staff_name: str | None, me: str) -> None:
        """Placeholder and hint that say what sending will do in this mode."""
        edit = self.view.edit
        hint = ""
        if not self._window_open:
            edit.setPlaceholderText(self.tr("Free text is locked. Choose a template above."))
        elif mode == ConversationMode.BOT:
            edit.setPlaceholderText(self.tr("Write a message… sending it takes over from the bot"))
            hint = self.tr(
                "When you send a message you take over this chat: the bot stops answering "
                "it until you hand it back."
            )
        elif mode == ConversationMode.NEEDS_HUMAN:
            edit.setPlaceholderText(
                self.tr("Write your answer: the customer is waiting for a person")
            )
        elif staff_name and me and staff_name != me:
            edit.setPlaceholderText(
                self.tr("{name} is answering. If you write, you take the chat.").format(
                    name=staff_name
                )
            )
        else:
            edit.setPlaceholderText(self.tr("Write a message"))
        self.view.hint_label.setText(hint)
        self.view.hint_label.setVisible(bool(hint))

    def set_window_open(self, window_open: bool) -> None:
        """Lock free text when the 24-hour customer service window is closed."""
        self._window_open = window_open
        self.view.window_banner.setVisible(not window_open)
        self._update_enabled()

    def set_busy(self, busy: bool) -> None:
        """A send is in flight: keep the text, block a second send."""
        self._busy = busy
        self._update_enabled()

    @property
    def window_open(self) -> bool:
        return self._window_open

    # -- reply ---------------------------------------------------------------------------------

    def set_reply(self, message_id: int, preview: str) -> None:
        self._reply_to = message_id
        shown = " ".join(preview.split())
        if len(shown) > 120:
            shown = shown[:120] + "…"
        self.view.reply_label.setText(self.tr("Replying to: {text}").format(text=shown))
        self.view.reply_banner.show()
        self.view.edit.setFocus()

    def clear_reply(self) -> None:
        self._reply_to = None
        self.view.reply_banner.hide()

    @property
    def reply_to(self) -> int | None:
        return self._reply_to

    # -- text ----------------------------------------------------------------------------------

    def text(self) -> str:
        return self.view.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.view.edit.setPlainText(text)
        self.view.edit.moveCursor(QTextCursor.MoveOperation.End)

    def clear_after_send(self) -> None:
        self.view.edit.clear()
        self.clear_reply()

    def insert_text(self, text: str) -> None:
        self.view.edit.insertPlainText(text)
        self.view.edit.setFocus()

    # -- slots ---------------------------------------------------------------------------------

    def _on_edit_submitted(self) -> None:
        text = self.text().strip()
        if not text or self._busy or not self._window_open:
            return
        self.send_requested.emit(text, self._reply_to)

    def _on_edit_text_changed(self) -> None:
        text = self.text()
        if text.startswith("/") and not any(ch.isspace() for ch in text) and self._quick_replies:
            self._completer.setCompletionPrefix(text)
            if self._completer.completionCount() > 0:
                rect = self.view.edit.cursorRect()
                rect.setWidth(max(320, self.view.edit.width() // 2))
                self._completer.complete(rect)
                return
        self._hide_popup()

    def _on_completer_activated(self, index: QModelIndex) -> None:
        text = index.data(_TEXT_ROLE)
        if isinstance(text, str):
            self._use_quick_reply(text)

    def _hide_popup(self) -> None:
        if self._popup is not None:
            self._popup.hide()

    def _use_quick_reply(self, text: str) -> None:
        self._hide_popup()
        self.set_text(expand_quick_reply(text, self._customer_name))
        self.view.edit.setFocus()

    # -- internals -----------------------------------------------------------------------------

    def _update_enabled(self) -> None:
        editable = self._window_open and not self._busy
        self.view.edit.setReadOnly(not editable)
        self.view.edit.setEnabled(self._window_open)
        self.view.send_button.setEnabled(editable)
        self.view.emoji_button.setEnabled(self._window_open)
        self.view.quick_button.setEnabled(self._window_open)

    def _rebuild_quick_menu(self) -> None:
        self._quick_menu.clear()
        if not self._quick_replies:
            empty = self._quick_menu.addAction(
                self.tr("No quick replies yet. Add them in Settings.")
            )
            empty.setEnabled(False)
            return
        for reply in self._quick_replies:
            preview = " ".join(reply.text.split())
            if len(preview) > 50:
                preview = preview[:50] + "…"
            action = self._quick_menu.addAction("/" + reply.shortcut + "  —  " + preview)
            action.triggered.connect(
                lambda _checked=False, text=reply.text: self._use_quick_reply(text)
            )

    def _on_emoji_clicked(self, menu: QMenu, emoji: str) -> None:
        menu.close()
        self.insert_text(emoji)

    def _build_emoji_menu(self) -> QMenu:
        menu = QMenu(self)
        grid_host = QWidget(menu)
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(6, 6, 6, 6)
        grid.setSpacing(2)
        for position, emoji in enumerate(EMOJI):
            button = QToolButton(grid_host)
            button.setText(emoji)
            button.setAutoRaise(True)
            button.setFixedSize(34, 34)
            button.clicked.connect(
                lambda _checked=False, value=emoji: self._on_emoji_clicked(menu, value)
            )
            grid.addWidget(button, position // 8, position % 8)
        action = QWidgetAction(menu)
        action.setDefaultWidget(grid_host)
        menu.addAction(action)
        return menu
