"""Layout of the chat list pane: search box, filter chips, label filter and the list itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core.dto import ConversationFilter
from wabot_desktop.gui.widgets.flow_layout import FlowLayout
from wabot_desktop.gui.widgets.icons import make_icon
from wabot_desktop.gui.widgets.placeholder_list_view import PlaceholderListView


class ChatListView(QWidget):
    """Child widgets of the chat list; :class:`ChatList` connects them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatListPane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(10, 10, 10, 6)
        top_layout.setSpacing(8)

        self.search_edit = QLineEdit(top)
        self.search_edit.setObjectName("chatSearch")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(self.tr("Search name, number or message"))
        self.search_edit.addAction(
            make_icon("search", self.palette().color(QPalette.ColorRole.PlaceholderText)),
            QLineEdit.ActionPosition.LeadingPosition,
        )
        top_layout.addWidget(self.search_edit)

        chips_host = QWidget(top)
        chips = FlowLayout(chips_host, spacing=6)
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[ConversationFilter, QToolButton] = {}
        for kind, text in (
            (ConversationFilter.ALL, self.tr("All")),
            (ConversationFilter.UNREAD, self.tr("Unread")),
            (ConversationFilter.NEEDS_HUMAN, self.tr("Want a person")),
            (ConversationFilter.WITH_STAFF, self.tr("With staff")),
        ):
            button = QToolButton(top)
            button.setObjectName(f"filter_{kind.value}")
            button.setText(text)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            self.filter_group.addButton(button)
            self.filter_buttons[kind] = button
            chips.addWidget(button)
        self.filter_buttons[ConversationFilter.ALL].setChecked(True)
        top_layout.addWidget(chips_host)

        labels_row = QHBoxLayout()
        labels_row.setSpacing(6)
        self.label_button = QToolButton(top)
        self.label_button.setObjectName("labelFilter")
        self.label_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.label_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        labels_row.addWidget(self.label_button)
        labels_row.addStretch(1)
        self.count_label = QLabel(top)
        self.count_label.setObjectName("chatCount")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        labels_row.addWidget(self.count_label)
        top_layout.addLayout(labels_row)
        layout.addWidget(top)

        self.list_view = PlaceholderListView(self)
        self.list_view.setObjectName("chatList")
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setUniformItemSizes(True)  # every row has the same height: fast layout
        self.list_view.setMouseTracking(True)
        self.list_view.setFrameShape(QListView.Shape.NoFrame)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.list_view, 1)
