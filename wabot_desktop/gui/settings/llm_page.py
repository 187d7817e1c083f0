"""The model-server page: Ollama or any OpenAI-compatible server, its model, key and context.

The API key goes straight to the system keyring through the core (never into the settings, the
database or a log); the page only shows whether one is stored. A server that is not on this PC
shows the privacy warning as the owner types its address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from wabot_desktop.core.errors import KeyringUnavailableError
from wabot_desktop.core.service import (
    LlmResponseError,
    LlmServerSettings,
    LlmUnavailableError,
    ServerPreset,
    leaves_this_pc,
    url_host,
)
from wabot_desktop.gui.actions import async_slot, run_action
from wabot_desktop.gui.settings.service import SettingsService
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)

OLLAMA = "ollama"
OPENAI = "openai"
CUSTOM = ""  # the preset combo's "another server" entry


def _is_lan(host: str) -> bool:
    """A private (LAN) address, which the owner may confirm as their own."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private and not address.is_loopback


class LlmPage(QWidget):
    """Settings page of the model server; :meth:`load` fills it, :meth:`save` applies it."""

    def __init__(self, service: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("llmPage")
        self._service = service
        self._tasks = TaskOwner("llm-page")
        self._presets: list[ServerPreset] = service.llm_presets()
        self._loaded: LlmServerSettings | None = None
        # What each provider's fields hold while the other one is shown.
        self._urls = {OLLAMA: "", OPENAI: ""}
        self._models = {OLLAMA: "", OPENAI: ""}
        self._provider = OLLAMA
        self._confirmed: set[str] = set()
        self._initial_confirmed: set[str] = set()
        self._key_stored = False
        self._refresh_task: asyncio.Task[None] | None = None

        form = QFormLayout(self)
        self._form = form
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        intro = QLabel(
            self.tr(
                "The program that runs the AI model that answers your customers. Changes are "
                "used from the next message on, without restarting."
            ),
            self,
        )
        intro.setWordWrap(True)
        form.addRow(intro)

        self.provider_combo = QComboBox(self)
        self.provider_combo.setObjectName("llmProviderCombo")
        self.provider_combo.addItem(self.tr("Ollama"), OLLAMA)
        self.provider_combo.addItem(self.tr("OpenAI-compatible server"), OPENAI)
        form.addRow(self.tr("Model server:"), self.provider_combo)

        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("llmPresetCombo")
        for item in self._presets:
            self.preset_combo.addItem(item.name, item.id)
        self.preset_combo.addItem(self.tr("Another server (type its address)"), CUSTOM)
        self.preset_label = QLabel(self.tr("Program:"), self)
        form.addRow(self.preset_label, self.preset_combo)

        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("llmUrlEdit")
        form.addRow(self.tr("Address:"), self.url_edit)

        self.confirm_lan_check = QCheckBox(
            self.tr(
                "This address is a computer of my own network (it does not go to the internet)"
            ),
            self,
        )
        self.confirm_lan_check.setObjectName("llmConfirmLan")
        form.addRow("", self.confirm_lan_check)
        form.setRowVisible(self.confirm_lan_check, False)

        self.privacy_label = QLabel(self)
        self.privacy_label.setObjectName("llmPrivacyWarning")
        self.privacy_label.setTextFormat(Qt.TextFormat.PlainText)
        self.privacy_label.setWordWrap(True)
        self.privacy_label.setProperty("level", "warning")
        self.privacy_label.setStyleSheet("QLabel { color: #b35c00; font-weight: bold; }")
        form.addRow("", self.privacy_label)
        form.setRowVisible(self.privacy_label, False)

        model_row = QHBoxLayout()
        self.model_combo = QComboBox(self)
        self.model_combo.setObjectName("llmModelCombo")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        model_row.addWidget(self.model_combo, 1)
        self.refresh_button = QPushButton(self.tr("Refresh list"), self)
        self.refresh_button.setObjectName("llmRefreshModels")
        model_row.addWidget(self.refresh_button)
        form.addRow(self.tr("Model:"), model_row)
        self.models_status = QLabel(self)
        self.models_status.setObjectName("llmModelsStatus")
        self.models_status.setTextFormat(Qt.TextFormat.PlainText)
        self.models_status.setWordWrap(True)
        form.addRow("", self.models_status)

        self.key_label = QLabel(self.tr("API key:"), self)
        self.key_status = QLabel(self)
        self.key_status.setObjectName("llmKeyStatus")
        self.key_status.setTextFormat(Qt.TextFormat.PlainText)
        self.key_status.setWordWrap(True)
        form.addRow(self.key_label, self.key_status)
        key_row = QHBoxLayout()
        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("llmKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("Paste a new key to store or replace it"))
        key_row.addWidget(self.key_edit, 1)
        self.store_key_button = QPushButton(self.tr("Store key"), self)
        self.store_key_button.setObjectName("llmStoreKey")
        key_row.addWidget(self.store_key_button)
        self.delete_key_button = QPushButton(self.tr("Delete key"), self)
        self.delete_key_button.setObjectName("llmDeleteKey")
        key_row.addWidget(self.delete_key_button)
        self.key_row_widget = QWidget(self)
        self.key_row_widget.setLayout(key_row)
        key_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("", self.key_row_widget)
        self.key_help = QLabel(
            self.tr(
                "Optional for servers on this PC. The key is kept in the system's keyring, "
                "never in WaBot's files."
            ),
            self,
        )
        self.key_help.setWordWrap(True)
        form.addRow("", self.key_help)

        self.context_spin = QSpinBox(self)
        self.context_spin.setObjectName("llmContextSpin")
        self.context_spin.setRange(0, 1_048_576)
        self.context_spin.setSingleStep(1024)
        self.context_spin.setSuffix(self.tr(" tokens"))
        self.context_spin.setSpecialValueText(self.tr("What the server uses"))
        form.addRow(self.tr("Context size:"), self.context_spin)
        context_help = QLabel(
            self.tr(
                "How much of the conversation the model reads. Bigger remembers more but needs "
                "more memory."
            ),
            self,
        )
        context_help.setWordWrap(True)
        form.addRow("", context_help)

        self._warning_timer = QTimer(self)
        self._warning_timer.setSingleShot(True)
        self._warning_timer.setInterval(150)
        self._warning_timer.timeout.connect(self._update_privacy)

        self.provider_combo.currentIndexChanged.connect(self._on_provider_changed)
        self.preset_combo.activated.connect(self._on_preset_activated)
        self.url_edit.textChanged.connect(self._on_url_changed)
        self.confirm_lan_check.toggled.connect(self._on_confirm_lan_toggled)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.store_key_button.clicked.connect(self._on_store_key_clicked)
        self.delete_key_button.clicked.connect(self._on_delete_key_clicked)
        self.key_edit.textChanged.connect(self._update_key_buttons)
        self._show_provider(OLLAMA)

    # -- loading and saving --------------------------------------------------------------------

    async def load(self) -> None:
        server = await self._service.llm_server()
        confirmed = await self._service.get_setting("llm_confirmed_hosts")
        self._confirmed = {str(h) for h in confirmed} if isinstance(confirmed, tuple) else set()
        self._initial_confirmed = set(self._confirmed)
        self._loaded = server
        self._urls = {OLLAMA: server.ollama_host, OPENAI: server.openai_base_url}
        self._models = {OLLAMA: server.ollama_model, OPENAI: server.openai_model}
        self.context_spin.setValue(server.context_size)
        self._provider = server.provider if server.provider in (OLLAMA, OPENAI) else OLLAMA
        self.provider_combo.blockSignals(True)
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(self._provider)))
        self.provider_combo.blockSignals(False)
        self._show_provider(self._provider)
        await self._refresh_key_status()
        self.refresh_models()

    def server_settings(self) -> LlmServerSettings:
        """What the page would save (the shown provider's fields as they are now)."""
        self._remember_fields()
        return LlmServerSettings(
            provider=self._provider,
            ollama_host=self._urls[OLLAMA],
            ollama_model=self._models[OLLAMA],
            openai_base_url=self._urls[OPENAI],
            openai_model=self._models[OPENAI],
            context_size=self.context_spin.value(),
        )

    async def save(self) -> None:
        """Apply the page: the core swaps the model server before the next customer turn."""
        server = self.server_settings()
        confirmed = tuple(sorted(self._confirmed))
        if confirmed != tuple(sorted(self._initial_confirmed)):
            await self._service.set_setting("llm_confirmed_hosts", confirmed)
        if server != self._loaded:
            await self._service.set_llm_server(server)
            self._loaded = server
        self._initial_confirmed = set(self._confirmed)

    def close_tasks(self) -> None:
        self._tasks.close()

    # -- provider, preset and address ------------------------------------------------------------

    def _remember_fields(self) -> None:
        self._urls[self._provider] = self.url_edit.text().strip()
        self._models[self._provider] = self.model_combo.currentText().strip()

    def _show_provider(self, provider: str) -> None:
        self._provider = provider
        openai = provider == OPENAI
        for widget in (self.preset_combo, self.key_status, self.key_row_widget, self.key_help):
            self._form.setRowVisible(widget, openai)
        self.url_edit.blockSignals(True)
        self.url_edit.setText(self._urls[provider])
        self.url_edit.blockSignals(False)
        self.url_edit.setPlaceholderText(
            "http://127.0.0.1:1234/v1" if openai else "http://127.0.0.1:11434"
        )
        self._set_models([], self._models[provider])
        self._select_preset_for_url()
        self._update_privacy()

    def _on_provider_changed(self, _index: int) -> None:
        self._remember_fields()
        self._show_provider(str(self.provider_combo.currentData()))
        self.refresh_models()

    def _select_preset_for_url(self) -> None:
        url = self.url_edit.text().strip().rstrip("/")
        current = self.preset_combo.currentData()
        matches = [p.id for p in self._presets if p.base_url == url]
        if current in matches:
            return
        index = self.preset_combo.findData(matches[0] if matches else CUSTOM)
        self.preset_combo.setCurrentIndex(index)
        self._update_key_help()

    def _on_preset_activated(self, _index: int) -> None:
        preset_id = self.preset_combo.currentData()
        found = next((p for p in self._presets if p.id == preset_id), None)
        if found is not None:
            self.url_edit.setText(found.base_url)
            self.refresh_models()
        else:
            self.url_edit.setFocus()
        self._update_key_help()

    def _on_url_changed(self, _text: str) -> None:
        self._select_preset_for_url()
        self._warning_timer.start()

    def _update_privacy(self) -> None:
        url = self.url_edit.text().strip()
        host = url_host(url) if url else ""
        private = _is_lan(host)
        self._form.setRowVisible(self.confirm_lan_check, private)
        self.confirm_lan_check.blockSignals(True)
        self.confirm_lan_check.setChecked(private and host in self._confirmed)
        self.confirm_lan_check.blockSignals(False)
        remote = leaves_this_pc(url, tuple(self._confirmed)) if url else None
        if remote:
            self.privacy_label.setText(
                self.tr(
                    "Conversations leave this PC for {host}: your customers' messages are sent "
                    "to that server."
                ).format(host=remote)
            )
        self._form.setRowVisible(self.privacy_label, bool(remote))

    def _on_confirm_lan_toggled(self, checked: bool) -> None:
        host = url_host(self.url_edit.text().strip())
        if checked:
            self._confirmed.add(host)
        else:
            self._confirmed.discard(host)
        self._update_privacy()

    # -- models --------------------------------------------------------------------------------

    def _set_models(self, names: list[str], current: str) -> None:
        self.model_combo.clear()
        self.model_combo.addItems(names)
        if current and current not in names:
            self.model_combo.insertItem(0, current)
        self.model_combo.setCurrentText(current or (names[0] if names else ""))

    def refresh_models(self) -> None:
        """List the server's models again (after a new address, provider or key)."""
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_task.cancel()
        self._refresh_task = self._tasks.spawn(self._refresh_models(), name="models")

    @property
    def refresh_task(self) -> asyncio.Task[None] | None:
        return self._refresh_task

    def _on_refresh_clicked(self) -> None:
        self.refresh_models()

    async def _refresh_models(self) -> None:
        provider = self._provider
        url = self.url_edit.text().strip()
        if not url:
            self.models_status.setText(self.tr("Type the server's address."))
            return
        self.models_status.setText(self.tr("Asking the server for its models…"))
        self.refresh_button.setEnabled(False)
        try:
            names = await self._service.list_llm_models(provider, url)
        except LlmResponseError:
            self.models_status.setText(
                self.tr(
                    "The server answered with an error (is the key right?). Type the model "
                    "name yourself."
                )
            )
            return
        except (LlmUnavailableError, ValueError):
            self.models_status.setText(
                self.tr("The server does not answer at this address. Is it running?")
            )
            return
        finally:
            self.refresh_button.setEnabled(True)
        if provider != self._provider:
            return  # the owner switched while we asked
        current = self.model_combo.currentText().strip()
        if names is None:
            self.models_status.setText(
                self.tr("This server does not list its models: type the model's name.")
            )
            return
        self._set_models(names, current)
        if not names:
            self.models_status.setText(self.tr("The server has no models yet."))
        else:
            self.models_status.setText(self.tr("%n model(s) on the server.", "", len(names)))

    # -- API key -------------------------------------------------------------------------------

    async def _refresh_key_status(self) -> None:
        stored = await self._service.llm_api_key_stored()
        self._key_stored = stored
        self.key_status.setText(
            self.tr("A key is stored in the system's keyring.")
            if stored
            else self.tr("No key stored.")
        )
        self.store_key_button.setText(self.tr("Replace key") if stored else self.tr("Store key"))
        self._update_key_buttons()
        self._update_key_help()

    def _update_key_buttons(self, _text: str = "") -> None:
        self.store_key_button.setEnabled(bool(self.key_edit.text().strip()))
        self.delete_key_button.setEnabled(self._key_stored)

    def _update_key_help(self) -> None:
        preset_id = self.preset_combo.currentData()
        found = next((p for p in self._presets if p.id == preset_id), None)
        if found is not None and found.key_required:
            self.key_help.setText(
                self.tr(
                    "{name} needs a key (a token of your account). It is kept in the system's "
                    "keyring, never in WaBot's files."
                ).format(name=found.name)
            )
        else:
            self.key_help.setText(
                self.tr(
                    "Optional for servers on this PC. The key is kept in the system's keyring, "
                    "never in WaBot's files."
                )
            )

    @async_slot()
    async def _on_store_key_clicked(self) -> None:
        key = self.key_edit.text().strip()
        if not key:
            return
        done = await run_action(
            [self.store_key_button, self.delete_key_button],
            self._store_key(key),
            parent=self,
        )
        if done:
            self.key_edit.clear()
            await self._refresh_key_status()
            self.refresh_models()

    @async_slot()
    async def _on_delete_key_clicked(self) -> None:
        done = await run_action(
            [self.store_key_button, self.delete_key_button], self._store_key(None), parent=self
        )
        if done:
            await self._refresh_key_status()

    async def _store_key(self, key: str | None) -> bool:
        try:
            await self._service.set_llm_api_key(key)
        except KeyringUnavailableError:
            self.key_status.setText(
                self.tr("This PC has no usable keyring, so the key cannot be stored.")
            )
            raise
        return True
