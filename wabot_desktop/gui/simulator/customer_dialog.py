"""Make up a fake customer for the phone pane: a name and, optionally, a phone number."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

_MIN_DIGITS = 6
_MAX_DIGITS = 15


def phone_digits(text: str) -> str:
    """The digits of a typed phone number ("+52 55 1234-5678" -> "525512345678")."""
    return "".join(ch for ch in text if ch.isdigit())


class NewCustomerDialog(QDialog):
    """Asks for the fake customer's name and number; ``name``/``number`` hold the answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newCustomerDialog")
        self.setWindowTitle(self.tr("New practice customer"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "This customer only exists in practice mode. Nobody receives a message on this "
                "number."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("customerNameEdit")
        self.name_edit.setMaxLength(80)
        self.name_edit.setPlaceholderText(self.tr("For example: María López"))
        form.addRow(self.tr("Name:"), self.name_edit)
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("customerNumberEdit")
        self.number_edit.setMaxLength(24)
        self.number_edit.setPlaceholderText(self.tr("Optional: WaBot makes one up"))
        form.addRow(self.tr("WhatsApp number:"), self.number_edit)
        layout.addLayout(form)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("customerDialogError")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(self)
        self.create_button = self.buttons.addButton(
            self.tr("Create"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.name = ""
        self.number: str | None = None

    def _on_buttons_accepted(self) -> None:
        name = " ".join(self.name_edit.text().split())
        digits = phone_digits(self.number_edit.text())
        if not name:
            self._show_problem(self.tr("Write the customer's name."))
            self.name_edit.setFocus()
            return
        if self.number_edit.text().strip() and not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
            self._show_problem(
                self.tr(
                    "A WhatsApp number has 6 to 15 digits, with the country code "
                    "(for example 52 55 1234 5678)."
                )
            )
            self.number_edit.setFocus()
            return
        self.name = name
        self.number = digits or None
        self.accept()

    def _show_problem(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
