"""Choose an approved WhatsApp template and fill its values (used when the 24 h window closed)."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core.dto import TemplateInfo
from wabot_desktop.gui.actions import async_slot, run_action
from wabot_desktop.gui.errors import error_message
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)

_TEMPLATE_ROLE = Qt.ItemDataRole.UserRole + 1


def fill_template(body: str, params: list[str]) -> str:
    """Replace {{1}}, {{2}}, ... in a template body with the given values."""
    for number, value in enumerate(params, start=1):
        body = body.replace("{{" + str(number) + "}}", value or "{{" + str(number) + "}}")
    return body


class TemplateDialog(QDialog):
    """Lists the cached approved templates; "Refresh" fetches them again from WhatsApp."""

    def __init__(self, service: MonitorService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._tasks = TaskOwner("template-dialog")
        self._params: list[QLineEdit] = []
        self.setWindowTitle(self.tr("Send a template"))
        self.setMinimumSize(520, 460)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Templates are messages approved by WhatsApp. They are the only messages you can "
                "send when the customer has not written for more than 24 hours."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list_widget = QListWidget(self)
        self.list_widget.setObjectName("templateList")
        layout.addWidget(self.list_widget, 2)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("templateStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status_label)
        self.params_host = QWidget(self)
        self.params_form = QFormLayout(self.params_host)
        self.params_form.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.params_host)
        preview_title = QLabel(self.tr("The customer will receive:"), self)
        layout.addWidget(preview_title)
        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("templatePreview")
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_label.setWordWrap(True)
        self.preview_label.setFrameShape(QLabel.Shape.StyledPanel)
        self.preview_label.setMargin(8)
        layout.addWidget(self.preview_label, 1)
        self.buttons = QDialogButtonBox(self)
        self.refresh_button = QPushButton(self.tr("Refresh list"), self)
        self.refresh_button.setObjectName("refreshTemplates")
        self.buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.send_button = self.buttons.addButton(
            self.tr("Send template"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.send_button.setObjectName("sendTemplate")
        self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(self.buttons)
        self.list_widget.currentItemChanged.connect(self._on_list_current_changed)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.send_button.setEnabled(False)

    def load(self, *, refresh: bool = False) -> None:
        """Fill the list (cached templates unless ``refresh``)."""
        self.status_label.setText(self.tr("Loading templates…"))
        self._tasks.spawn(self._load(refresh), name="templates")

    def choice(self) -> tuple[TemplateInfo, list[str]] | None:
        item: QListWidgetItem | None = self.list_widget.currentItem()
        if item is None:
            return None
        template = item.data(_TEMPLATE_ROLE)
        if not isinstance(template, TemplateInfo):
            return None
        return template, [edit.text().strip() for edit in self._params]

    def done(self, result: int) -> None:
        self._tasks.close()
        super().done(result)

    async def _load(self, refresh: bool) -> None:
        try:
            templates = await self._service.list_templates(refresh=refresh)
        except Exception as exc:
            logger.info("templates not loaded: %s", type(exc).__name__)
            self.status_label.setText(error_message(exc))
            return
        self._fill(templates)

    @async_slot()
    async def _on_refresh_clicked(self) -> None:
        self.status_label.setText(self.tr("Asking WhatsApp for the current templates…"))
        templates = await run_action(
            self.refresh_button,
            self._service.list_templates(refresh=True),
            parent=self,
            failure=lambda exc: self.status_label.setText(error_message(exc)),
        )
        if templates is not None:
            self._fill(templates)

    def _fill(self, templates: list[TemplateInfo]) -> None:
        self.list_widget.clear()
        for template in templates:
            text = self.tr("{name}  ({language})").format(
                name=template.name, language=template.language
            )
            item = QListWidgetItem(text)
            item.setData(_TEMPLATE_ROLE, template)
            item.setToolTip(template.body_text or "")
            self.list_widget.addItem(item)
        if templates:
            self.status_label.setText("")
            self.list_widget.setCurrentRow(0)
        else:
            self.status_label.setText(
                self.tr("There are no approved templates. Create them in WhatsApp Manager.")
            )

    def _on_list_current_changed(self, current: QListWidgetItem | None, _prev: object) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self._params.clear()
        template = current.data(_TEMPLATE_ROLE) if current is not None else None
        if not isinstance(template, TemplateInfo):
            self.send_button.setEnabled(False)
            self.preview_label.setText("")
            return
        for number in range(1, template.param_count + 1):
            edit = QLineEdit(self.params_host)
            edit.setObjectName(f"templateParam{number}")
            edit.textChanged.connect(self._update_preview)
            self.params_form.addRow(self.tr("Value {number}:").format(number=number), edit)
            self._params.append(edit)
        self._update_preview()

    def _update_preview(self) -> None:
        choice = self.choice()
        if choice is None:
            return
        template, params = choice
        self.preview_label.setText(fill_template(template.body_text or template.name, params))
        self.send_button.setEnabled(all(params))
