"""The voice-notes page: the Whisper model, how much of the PC it may use, and the fallback."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.gui.settings.service import SettingsService
from wabot_desktop.gui.widgets.voice_model_picker import VoiceModelPicker

REPLY = "reply"
HANDOFF = "handoff"


class VoicePage(QWidget):
    """Settings page of voice notes; :meth:`load` fills it, :meth:`save` applies it."""

    def __init__(self, service: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voicePage")
        self._service = service
        self._loaded: dict[str, object] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        intro = QLabel(
            self.tr(
                "Customers' voice notes are turned into text on this PC (nothing is sent "
                "anywhere), and the bot answers what they said."
            ),
            self,
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.picker = VoiceModelPicker(service, self)
        form.addRow(self.tr("Voice model:"), self.picker)

        self.cpu_spin = QSpinBox(self)
        self.cpu_spin.setObjectName("voiceCpuSpin")
        self.cpu_spin.setRange(0, 64)
        self.cpu_spin.setSpecialValueText(self.tr("Half of the PC's cores"))
        form.addRow(self.tr("Processor cores:"), self.cpu_spin)
        cpu_help = QLabel(
            self.tr("Fewer cores leave the PC freer for other work; the text takes longer."), self
        )
        cpu_help.setWordWrap(True)
        form.addRow("", cpu_help)

        self.length_spin = QSpinBox(self)
        self.length_spin.setObjectName("voiceMaxSeconds")
        self.length_spin.setRange(10, 3600)
        self.length_spin.setSingleStep(30)
        self.length_spin.setSuffix(self.tr(" seconds"))
        form.addRow(self.tr("Longest voice note:"), self.length_spin)
        length_help = QLabel(
            self.tr("A longer voice note goes to a person instead of keeping the PC busy."), self
        )
        length_help.setWordWrap(True)
        form.addRow("", length_help)

        fallback = QWidget(self)
        fallback_layout = QVBoxLayout(fallback)
        fallback_layout.setContentsMargins(0, 0, 0, 0)
        self.reply_radio = QRadioButton(
            self.tr("Reply that the bot cannot listen to audio and ask for text"), fallback
        )
        self.reply_radio.setObjectName("voiceFallbackReply")
        self.handoff_radio = QRadioButton(self.tr("Pass the chat to a person"), fallback)
        self.handoff_radio.setObjectName("voiceFallbackHandoff")
        self.fallback_group = QButtonGroup(self)
        self.fallback_group.addButton(self.reply_radio)
        self.fallback_group.addButton(self.handoff_radio)
        fallback_layout.addWidget(self.reply_radio)
        fallback_layout.addWidget(self.handoff_radio)
        fallback_label = QLabel(self.tr("When a voice note cannot be understood:"), self)
        fallback_label.setWordWrap(True)
        form.addRow(fallback_label)
        form.addRow("", fallback)

    async def load(self) -> None:
        names = ("voice_model", "voice_cpu_threads", "voice_max_seconds", "voice_fallback")
        self._loaded = {name: await self._service.get_setting(name) for name in names}
        self.picker.load(str(self._loaded["voice_model"]))
        self.cpu_spin.setValue(int(str(self._loaded["voice_cpu_threads"])))
        self.length_spin.setValue(round(float(str(self._loaded["voice_max_seconds"]))))
        handoff = self._loaded["voice_fallback"] == HANDOFF
        (self.handoff_radio if handoff else self.reply_radio).setChecked(True)

    def is_valid(self) -> bool:
        return self.picker.is_valid()

    def changes(self) -> dict[str, object]:
        """The settings this page changes (only those that differ from what was loaded)."""
        values: dict[str, object] = {
            "voice_model": self.picker.value(),
            "voice_cpu_threads": self.cpu_spin.value(),
            "voice_max_seconds": float(self.length_spin.value()),
            "voice_fallback": HANDOFF if self.handoff_radio.isChecked() else REPLY,
        }
        return {k: v for k, v in values.items() if self._loaded.get(k) != v}

    async def save(self) -> None:
        """Apply the page (the next voice note uses it); check :meth:`is_valid` first."""
        changes = self.changes()
        if changes:
            await self._service.update_settings(**changes)
            self._loaded.update(changes)

    def close_tasks(self) -> None:
        self.picker.close_tasks()
