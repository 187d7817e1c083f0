"""Layout of the contact panel: who the customer is, labels, notes, and data actions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


def _value_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # customer-controlled
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _help_label(parent: QWidget, text: str) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("helpText")
    label.setWordWrap(True)
    label.setContentsMargins(22, 0, 0, 4)
    return label


class ContactPanelView(QScrollArea):
    """Child widgets of the contact panel; :class:`ContactPanel` connects them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)

        title_row = QHBoxLayout()
        self.title_label = QLabel(self.tr("Customer details"), body)
        title_font = QFont(self.title_label.font())
        title_font.setWeight(QFont.Weight.DemiBold)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.1)
        self.title_label.setFont(title_font)
        title_row.addWidget(self.title_label, 1)
        self.close_button = QToolButton(body)
        self.close_button.setObjectName("contactPanelClose")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Close"))
        title_row.addWidget(self.close_button)
        layout.addLayout(title_row)

        info = QFormLayout()
        info.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        info.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.name_value = _value_label(body, "contactName")
        self.phone_value = _value_label(body, "contactPhone")
        self.username_value = _value_label(body, "contactUsername")
        self.first_value = _value_label(body, "contactFirstSeen")
        self.last_value = _value_label(body, "contactLastSeen")
        info.addRow(self.tr("Name:"), self.name_value)
        info.addRow(self.tr("Number:"), self.phone_value)
        self.username_caption = QLabel(self.tr("User:"), body)
        info.addRow(self.username_caption, self.username_value)
        info.addRow(self.tr("First contact:"), self.first_value)
        info.addRow(self.tr("Last contact:"), self.last_value)
        layout.addLayout(info)

        self.labels_box = QGroupBox(self.tr("Labels"), body)
        self.labels_layout = QVBoxLayout(self.labels_box)
        self.labels_layout.setSpacing(2)
        self.no_labels = QLabel(self.tr("No labels yet. Create them in Settings."), self.labels_box)
        self.no_labels.setWordWrap(True)
        self.labels_layout.addWidget(self.no_labels)
        layout.addWidget(self.labels_box)

        notes_box = QGroupBox(self.tr("Notes (only you see them)"), body)
        notes_layout = QVBoxLayout(notes_box)
        self.notes_edit = QPlainTextEdit(notes_box)
        self.notes_edit.setObjectName("contactNotes")
        self.notes_edit.setPlaceholderText(
            self.tr("For example: prefers delivery in the afternoon")
        )
        self.notes_edit.setMinimumHeight(70)
        self.notes_edit.setMaximumHeight(120)
        notes_layout.addWidget(self.notes_edit)
        self.save_notes_button = QPushButton(self.tr("Save notes"), notes_box)
        self.save_notes_button.setObjectName("saveNotes")
        self.save_notes_button.setEnabled(False)
        notes_layout.addWidget(self.save_notes_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(notes_box)

        state_box = QGroupBox(self.tr("Messages"), body)
        state_layout = QVBoxLayout(state_box)
        self.opt_out_check = QCheckBox(self.tr("Unsubscribed"), state_box)
        self.opt_out_check.setObjectName("contactOptOut")
        state_layout.addWidget(self.opt_out_check)
        state_layout.addWidget(
            _help_label(state_box, self.tr("Asked not to get messages. The bot does not write."))
        )
        self.blocked_check = QCheckBox(self.tr("Blocked"), state_box)
        self.blocked_check.setObjectName("contactBlocked")
        state_layout.addWidget(self.blocked_check)
        state_layout.addWidget(
            _help_label(state_box, self.tr("The bot ignores this customer's messages."))
        )
        layout.addWidget(state_box)

        data_box = QGroupBox(self.tr("Conversation data"), body)
        data_layout = QVBoxLayout(data_box)
        self.export_button = QToolButton(data_box)
        self.export_button.setObjectName("exportButton")
        self.export_button.setText(self.tr("Export conversation"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        data_layout.addWidget(self.export_button)
        self.delete_button = QPushButton(self.tr("Delete customer data…"), data_box)
        self.delete_button.setObjectName("deleteCustomerData")
        data_layout.addWidget(self.delete_button)
        layout.addWidget(data_box)
        layout.addStretch(1)
