"""Layout of the customer's phone pane: customer picker, AI notice, chat, composer."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAction, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.gui.simulator.phone_delegate import PhoneBubbleDelegate
from wabot_desktop.gui.simulator.phone_model import PhoneChatModel
from wabot_desktop.gui.widgets.elided_label import ElidedLabel
from wabot_desktop.gui.widgets.icons import NEUTRAL, make_icon
from wabot_desktop.gui.widgets.placeholder_list_view import PlaceholderListView

OLLAMA_DOWNLOAD_URL = "https://ollama.com/download"
_TEXT_LIMIT = 4096  # WhatsApp's limit for a text message


class PhoneMessageList(PlaceholderListView):
    """The phone's chat: no selection, pixel scrolling, re-layout on resize."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phoneMessageList")
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(PlaceholderListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setMouseTracking(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalScrollBar().setSingleStep(24)

    def leaveEvent(self, event: QEvent) -> None:
        # The mouse left: no button stays highlighted.
        delegate = self.itemDelegate()
        if isinstance(delegate, PhoneBubbleDelegate):
            delegate.clear_hover()
        self.viewport().unsetCursor()
        self.viewport().update()
        super().leaveEvent(event)


class PhonePaneView(QFrame):
    """Child widgets of the phone pane; :class:`PhonePane` connects them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phonePane")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(6)

        title_row = QHBoxLayout()
        title_row.setSpacing(6)
        self.title_label = QLabel(self.tr("Customer's phone"), self)
        self.title_label.setObjectName("phoneTitle")
        title_font = QFont(self.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.1)
        title_font.setWeight(QFont.Weight.DemiBold)
        self.title_label.setFont(title_font)
        title_row.addWidget(self.title_label, 1)
        self.new_customer_button = QToolButton(self)
        self.new_customer_button.setObjectName("newCustomerButton")
        self.new_customer_button.setText(self.tr("New customer…"))
        self.new_customer_button.setToolTip(
            self.tr("Make up another customer, with a name and a phone number")
        )
        title_row.addWidget(self.new_customer_button)
        outer.addLayout(title_row)

        # The combo has a row of its own: "name (+number)" needs the width.
        self.customer_combo = QComboBox(self)
        self.customer_combo.setObjectName("customerCombo")
        self.customer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.customer_combo.setMinimumContentsLength(12)
        self.customer_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.customer_combo.setToolTip(self.tr("Which fake customer you are writing as"))
        self.customer_combo.setAccessibleName(self.tr("Customer"))
        outer.addWidget(self.customer_combo)

        # Ollama missing: the fallback answers from the FAQ (shown only then).
        self.llm_notice = QFrame(self)
        self.llm_notice.setObjectName("llmNotice")
        notice_layout = QVBoxLayout(self.llm_notice)
        notice_layout.setContentsMargins(10, 6, 10, 6)
        self.llm_notice_label = QLabel(self.llm_notice)
        self.llm_notice_label.setObjectName("llmNoticeLabel")
        self.llm_notice_label.setWordWrap(True)
        # Rich text only for our own translated words and the download link.
        self.llm_notice_label.setTextFormat(Qt.TextFormat.RichText)
        self.llm_notice_label.setOpenExternalLinks(True)
        self.llm_notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        notice_layout.addWidget(self.llm_notice_label)
        self.llm_notice.hide()
        outer.addWidget(self.llm_notice)

        # The phone itself: header with the business, the chat, the composer.
        self.phone = QFrame(self)
        self.phone.setObjectName("phoneFrame")
        phone_layout = QVBoxLayout(self.phone)
        phone_layout.setContentsMargins(0, 0, 0, 0)
        phone_layout.setSpacing(0)

        header = QFrame(self.phone)
        header.setObjectName("phoneHeader")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(12, 6, 12, 6)
        header_layout.setSpacing(0)
        self.business_label = ElidedLabel("", header)
        self.business_label.setObjectName("phoneBusinessName")
        name_font = QFont(self.business_label.font())
        name_font.setWeight(QFont.Weight.DemiBold)
        self.business_label.setFont(name_font)
        header_layout.addWidget(self.business_label)
        self.presence_label = QLabel(self.tr("online"), header)
        self.presence_label.setObjectName("phonePresence")
        self.presence_label.setTextFormat(Qt.TextFormat.PlainText)
        header_layout.addWidget(self.presence_label)
        phone_layout.addWidget(header)

        self.message_list = PhoneMessageList(self.phone)
        self.model = PhoneChatModel(self.message_list)
        self.delegate = PhoneBubbleDelegate(self.message_list)
        self.message_list.setModel(self.model)
        self.message_list.setItemDelegate(self.delegate)
        self.message_list.set_placeholder_text(
            self.tr(
                "Write in the box below as if you were a customer. Your message reaches the bot "
                "like a real WhatsApp message, and its answer shows up here and in the chat list."
            )
        )
        phone_layout.addWidget(self.message_list, 1)

        self.error_label = QLabel(self.phone)
        self.error_label.setObjectName("phoneError")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setContentsMargins(10, 4, 10, 4)
        self.error_label.hide()
        phone_layout.addWidget(self.error_label)

        composer = QFrame(self.phone)
        composer.setObjectName("phoneComposer")
        composer_layout = QHBoxLayout(composer)
        composer_layout.setContentsMargins(6, 6, 6, 6)
        composer_layout.setSpacing(4)
        self.attach_button = QToolButton(composer)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setText("+")
        self.attach_button.setToolTip(self.tr("Send a photo, a location or a voice message"))
        self.attach_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.attach_button.setAutoRaise(True)
        self.attach_menu = QMenu(self.attach_button)
        self.attach_menu.setObjectName("attachMenu")
        self.attach_menu.setToolTipsVisible(True)
        self.photo_action = QAction(make_icon("image", NEUTRAL), self.tr("Photo"), self.attach_menu)
        self.photo_action.setObjectName("photoAction")
        self.photo_action.setToolTip(
            self.tr("A sample picture; what you typed in the box goes with it as its caption")
        )
        self.location_action = QAction(
            make_icon("location", NEUTRAL), self.tr("Location"), self.attach_menu
        )
        self.location_action.setObjectName("locationAction")
        self.location_action.setToolTip(self.tr("Share a location pin, as from a phone's map"))
        self.voice_action = QAction(
            make_icon("voice", NEUTRAL), self.tr("Voice message"), self.attach_menu
        )
        self.voice_action.setObjectName("voiceAction")
        self.voice_action.setToolTip(self.tr("A short voice message (a second of silence)"))
        for action in (self.photo_action, self.location_action, self.voice_action):
            self.attach_menu.addAction(action)
        self.attach_button.setMenu(self.attach_menu)
        composer_layout.addWidget(self.attach_button)
        self.edit = QLineEdit(composer)
        self.edit.setObjectName("phoneEdit")
        self.edit.setPlaceholderText(self.tr("Message"))
        self.edit.setMaxLength(_TEXT_LIMIT)
        self.edit.setClearButtonEnabled(False)
        composer_layout.addWidget(self.edit, 1)
        self.send_button = QToolButton(composer)
        self.send_button.setObjectName("phoneSendButton")
        self.send_button.setIcon(make_icon("send", QPalette().color(QPalette.ColorRole.Highlight)))
        self.send_button.setIconSize(QSize(22, 22))
        self.send_button.setAutoRaise(True)
        self.send_button.setToolTip(self.tr("Send as the customer (Enter)"))
        composer_layout.addWidget(self.send_button)
        phone_layout.addWidget(composer)
        outer.addWidget(self.phone, 1)
