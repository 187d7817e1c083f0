"""Layout of the composer: reply banner, window-closed banner, text box and buttons."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.gui.widgets.icons import NEUTRAL, make_icon

_MAX_LINES = 6


class ComposerEdit(QPlainTextEdit):
    """Multi-line text box: Enter sends, Shift+Enter breaks the line.

    Signals:
        submitted(): Enter was pressed (outside the quick-reply popup).
    """

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.completer: QCompleter | None = None
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit_height)
        self._fit_height()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self.completer.popup() if self.completer is not None else None
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if (
            popup is not None
            and popup.isVisible()
            and (enter or event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Tab))
        ):
            event.ignore()  # the completer's popup handles these keys
            return
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        if enter:
            # Shift+Enter: a new line, never a paragraph separator.
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self._wanted_height())

    def _wanted_height(self) -> int:
        fm = QFontMetrics(self.font())
        lines = max(1, min(_MAX_LINES, int(self.document().size().height())))
        margins = self.contentsMargins()
        doc_margin = int(self.document().documentMargin() * 2)
        return lines * fm.lineSpacing() + margins.top() + margins.bottom() + doc_margin + 2

    def _fit_height(self) -> None:
        self.setFixedHeight(self._wanted_height())


class ComposerView(QWidget):
    """Child widgets of the composer; :class:`Composer` connects them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 8)
        outer.setSpacing(6)

        # "Replying to ..." banner
        self.reply_banner = QFrame(self)
        self.reply_banner.setObjectName("replyBanner")
        self.reply_banner.setFrameShape(QFrame.Shape.StyledPanel)
        reply_layout = QHBoxLayout(self.reply_banner)
        reply_layout.setContentsMargins(8, 4, 4, 4)
        self.reply_label = QLabel(self.reply_banner)
        self.reply_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reply_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        reply_layout.addWidget(self.reply_label, 1)
        self.reply_cancel = QToolButton(self.reply_banner)
        self.reply_cancel.setObjectName("replyCancel")
        self.reply_cancel.setAutoRaise(True)
        self.reply_cancel.setIcon(make_icon("close", NEUTRAL))
        self.reply_cancel.setToolTip(self.tr("Cancel the reply"))
        reply_layout.addWidget(self.reply_cancel)
        self.reply_banner.hide()
        outer.addWidget(self.reply_banner)

        # 24-hour window closed: free text is locked
        self.window_banner = QFrame(self)
        self.window_banner.setObjectName("windowBanner")
        self.window_banner.setFrameShape(QFrame.Shape.StyledPanel)
        window_layout = QHBoxLayout(self.window_banner)
        window_layout.setContentsMargins(10, 6, 6, 6)
        self.window_label = QLabel(self.window_banner)
        self.window_label.setObjectName("windowLabel")
        self.window_label.setWordWrap(True)
        self.window_label.setTextFormat(Qt.TextFormat.PlainText)
        self.window_label.setText(
            self.tr(
                "More than 24 hours have passed since this customer's last message. WhatsApp "
                "only lets you send an approved template until they write again."
            )
        )
        window_layout.addWidget(self.window_label, 1)
        self.template_button = QPushButton(self.tr("Choose a template…"), self.window_banner)
        self.template_button.setObjectName("templateButton")
        window_layout.addWidget(self.template_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.window_banner.hide()
        outer.addWidget(self.window_banner)

        row = QHBoxLayout()
        row.setSpacing(6)
        icon_color = NEUTRAL
        self.emoji_button = QToolButton(self)
        self.emoji_button.setObjectName("emojiButton")
        self.emoji_button.setAutoRaise(True)
        self.emoji_button.setIcon(make_icon("emoji", icon_color))
        self.emoji_button.setIconSize(QSize(22, 22))
        self.emoji_button.setToolTip(self.tr("Emoji"))
        self.emoji_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        row.addWidget(self.emoji_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.quick_button = QToolButton(self)
        self.quick_button.setObjectName("quickRepliesButton")
        self.quick_button.setAutoRaise(True)
        self.quick_button.setText("/")
        self.quick_button.setToolTip(self.tr("Quick replies (type / in the message box)"))
        self.quick_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        row.addWidget(self.quick_button, 0, Qt.AlignmentFlag.AlignBottom)

        self.edit = ComposerEdit(self)
        self.edit.setObjectName("composerEdit")
        row.addWidget(self.edit, 1)

        self.send_button = QToolButton(self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setIcon(make_icon("send", QPalette().color(QPalette.ColorRole.Highlight)))
        self.send_button.setIconSize(QSize(24, 24))
        self.send_button.setAutoRaise(True)
        self.send_button.setToolTip(self.tr("Send (Enter). Shift+Enter starts a new line."))
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        outer.addLayout(row)

        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("composerHint")
        self.hint_label.setTextFormat(Qt.TextFormat.PlainText)
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()
        outer.addWidget(self.hint_label)
