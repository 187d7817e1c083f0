"""How one check's outcome looks in the wizard: a mark, the message, the fix, a link, "detalles".

Every text is plain text (never rich text): messages quote what the owner typed and what Meta
answered. The "detalles" dialog shows the requests and answers of the check with secrets
already removed by ``core.setup_flow`` (its :class:`Redactor`).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core.setup_flow import CheckResult, Status, Text

_MARKS = {Status.OK: "✓", Status.WARNING: "!", Status.ERROR: "✗", Status.SKIPPED: "–"}


def plain_label(text: str, parent: QWidget | None = None, *, name: str = "") -> QLabel:
    """A word-wrapped plain-text label (customer and Meta texts are never HTML)."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def link_button(text: str, url: str, parent: QWidget | None = None) -> QPushButton:
    """A flat button that opens ``url`` in the browser (no rich-text links anywhere)."""
    button = QPushButton(text, parent)
    button.setObjectName("wizardLink")
    button.setFlat(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setToolTip(url)
    button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl(url)))
    return button


class DetailsDialog(QDialog):
    """What a check sent and received, secrets removed, with a copy button for support."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wizardDetailsDialog")
        self.setWindowTitle(self.tr("Details: {check}").format(check=title))
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                self.tr(
                    "What WaBot sent and what it got back. Passwords, tokens and the PIN "
                    "are replaced by ***, so you can send this to whoever helps you."
                ),
                self,
            )
        )
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("wizardDetailsText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setPlainText(text or self.tr("This check made no request."))
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton(self.tr("Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class CheckRow(QFrame):
    """One check: mark, message, fix, link and the "detalles" button."""

    def __init__(self, result: CheckResult, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result = result
        self.setObjectName("wizardCheck")
        self.setProperty("status", result.status.value)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(8)
        self.mark = QLabel(_MARKS[result.status], self)
        self.mark.setObjectName("wizardCheckMark")
        self.mark.setProperty("status", result.status.value)
        self.mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.mark.setFixedWidth(20)
        layout.addWidget(self.mark)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.message = plain_label(result.message.get(language), self, name="wizardCheckMessage")
        texts.addWidget(self.message)
        self.fix: QLabel | None = None
        if result.fix is not None and result.status in (Status.ERROR, Status.WARNING):
            self.fix = plain_label(result.fix.get(language), self, name="wizardCheckFix")
            texts.addWidget(self.fix)
        actions = QHBoxLayout()
        actions.setSpacing(4)
        if result.link and result.status is not Status.OK:
            actions.addWidget(link_button(self.tr("Open the page"), result.link, self))
        self.details_button = QPushButton(self.tr("details"), self)
        self.details_button.setObjectName("wizardDetailsButton")
        self.details_button.setFlat(True)
        self.details_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.details_button.setVisible(bool(result.details))  # nothing was sent: no link
        self.details_button.clicked.connect(self.show_details)
        actions.addWidget(self.details_button)
        actions.addStretch(1)
        texts.addLayout(actions)
        layout.addLayout(texts, 1)
        self.details_dialog: DetailsDialog | None = None

    def show_details(self) -> None:
        if self.details_dialog is None:
            self.details_dialog = DetailsDialog(self.result.check, self.result.detalles(), self)
        self.details_dialog.show()
        self.details_dialog.raise_()


class CheckList(QWidget):
    """The checks of the last "Verificar" of one step (or a note while it runs)."""

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wizardChecks")
        self.language = language
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.note = plain_label("", self, name="wizardChecksNote")
        self.note.hide()
        self._layout.addWidget(self.note)
        self.rows: list[CheckRow] = []

    def clear(self) -> None:
        for row in self.rows:
            row.hide()
            row.deleteLater()
        self.rows = []
        self.note.hide()

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    def show_checks(self, checks: Sequence[CheckResult]) -> None:
        self.clear()
        for result in checks:
            row = CheckRow(result, self.language, self)
            self._layout.addWidget(row)
            self.rows.append(row)

    def add_check(self, result: CheckResult) -> None:
        row = CheckRow(result, self.language, self)
        self._layout.addWidget(row)
        self.rows.append(row)

    def row(self, check: str) -> CheckRow | None:
        return next((r for r in self.rows if r.result.check == check), None)


def tr_text(text: Text, language: str) -> str:
    return text.get(language)
