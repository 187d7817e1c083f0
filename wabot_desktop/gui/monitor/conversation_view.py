"""Layout of the conversation pane: header with takeover buttons, bubbles, composer."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.gui.monitor.composer import Composer
from wabot_desktop.gui.widgets.elided_label import ElidedLabel
from wabot_desktop.gui.widgets.icons import NEUTRAL, make_icon


class MessageListView(QListView):
    """The bubbles' list: no selection, smooth pixel scrolling, re-layout on resize."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageList")
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setMouseTracking(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalScrollBar().setSingleStep(24)

    def relayout(self) -> None:
        """Ask for a new layout (a bubble changed size)."""
        self.scheduleDelayedItemsLayout()


class ConversationView(QWidget):
    """Child widgets of the conversation pane; :class:`Conversation` connects them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationPane")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack)

        # Page 0: nothing selected
        self.empty_page = QWidget(self.stack)
        self.empty_page.setObjectName("conversationEmpty")
        empty_layout = QVBoxLayout(self.empty_page)
        empty_layout.addStretch(1)
        # No alignment flags here: a layout only gives word-wrapped labels their height for the
        # width they get when they fill their cell; stretches centre the text instead.
        row = QHBoxLayout()
        row.addStretch(1)
        card = QWidget(self.empty_page)
        card.setMinimumWidth(320)
        card.setMaximumWidth(520)
        card_layout = QVBoxLayout(card)
        card_layout.setSpacing(10)
        self.empty_title = QLabel(self.tr("Choose a chat on the left to see it here."), card)
        self.empty_title.setObjectName("emptyTitle")
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_title.setWordWrap(True)
        title_font = QFont(self.empty_title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        self.empty_title.setFont(title_font)
        card_layout.addWidget(self.empty_title)
        self.empty_body = QLabel(
            self.tr(
                "The bot answers every chat on its own. To answer a customer yourself, open "
                'the chat and press "Take over", or simply write. Press "Hand back to bot" '
                "when you are done."
            ),
            card,
        )
        self.empty_body.setObjectName("emptyBody")
        self.empty_body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_body.setWordWrap(True)
        card_layout.addWidget(self.empty_body)
        row.addWidget(card, 4)
        row.addStretch(1)
        empty_layout.addLayout(row)
        empty_layout.addStretch(2)
        self.stack.addWidget(self.empty_page)

        # Page 1: a conversation
        self.chat_page = QWidget(self.stack)
        page = QVBoxLayout(self.chat_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(0)

        self.header = QFrame(self.chat_page)
        self.header.setObjectName("conversationHeader")
        header = QHBoxLayout(self.header)
        header.setContentsMargins(14, 8, 10, 8)
        header.setSpacing(8)
        names = QVBoxLayout()
        names.setSpacing(2)
        self.name_label = ElidedLabel("", self.header)
        self.name_label.setObjectName("conversationName")
        name_font = QFont(self.name_label.font())
        name_font.setPointSizeF(name_font.pointSizeF() * 1.15)
        name_font.setWeight(QFont.Weight.DemiBold)
        self.name_label.setFont(name_font)
        names.addWidget(self.name_label)
        self.subtitle_label = ElidedLabel("", self.header)
        self.subtitle_label.setObjectName("conversationSubtitle")
        names.addWidget(self.subtitle_label)
        header.addLayout(names, 1)

        self.mode_label = QLabel(self.header)
        self.mode_label.setObjectName("modePill")
        self.mode_label.setTextFormat(Qt.TextFormat.PlainText)
        self.mode_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        header.addWidget(self.mode_label)

        icon_color = NEUTRAL
        self.take_button = QPushButton(self.tr("Take over"), self.header)
        self.take_button.setObjectName("takeOverButton")
        self.take_button.setIcon(
            make_icon("hand", QPalette().color(QPalette.ColorRole.HighlightedText))
        )
        self.take_button.setToolTip(
            self.tr("Answer this customer yourself. The bot stays silent in this chat.")
        )
        header.addWidget(self.take_button)
        self.hand_back_button = QPushButton(self.tr("Hand back to bot"), self.header)
        self.hand_back_button.setObjectName("handBackButton")
        self.hand_back_button.setIcon(make_icon("bot", icon_color))
        self.hand_back_button.setToolTip(self.tr("Let the bot answer this chat again."))
        header.addWidget(self.hand_back_button)
        self.contact_button = QToolButton(self.header)
        self.contact_button.setObjectName("contactPanelButton")
        self.contact_button.setCheckable(True)
        self.contact_button.setIcon(make_icon("person", icon_color))
        self.contact_button.setIconSize(QSize(20, 20))
        self.contact_button.setText(self.tr("Customer"))
        self.contact_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.contact_button.setAutoRaise(True)
        self.contact_button.setToolTip(self.tr("Customer details"))
        header.addWidget(self.contact_button)
        page.addWidget(self.header)

        self.needs_banner = QFrame(self.chat_page)
        self.needs_banner.setObjectName("needsHumanBanner")
        banner = QHBoxLayout(self.needs_banner)
        banner.setContentsMargins(14, 6, 14, 6)
        self.needs_label = QLabel(self.needs_banner)
        self.needs_label.setObjectName("needsHumanLabel")
        self.needs_label.setWordWrap(True)
        self.needs_label.setTextFormat(Qt.TextFormat.PlainText)
        banner.addWidget(self.needs_label, 1)
        self.needs_banner.hide()
        page.addWidget(self.needs_banner)

        self.message_list = MessageListView(self.chat_page)
        page.addWidget(self.message_list, 1)

        self.composer = Composer(self.chat_page)
        page.addWidget(self.composer)
        self.stack.addWidget(self.chat_page)
