"""Pick the Whisper model that transcribes voice notes (settings page and setup wizard).

Off, one of the named models (with "recommended for this PC" from its memory), or a folder the
owner points to (an offline install). A named model can be downloaded right here, with a real
progress bar (bytes, speed) and a Cancel button; otherwise the core downloads it the first time
a voice note arrives.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core.service import (
    OFF,
    ModelDownloadCancelled,
    ModelUnavailableError,
    VoiceModelInfo,
)
from wabot_desktop.gui.settings.service import SettingsService
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)

FOLDER = "\x00folder"  # the combo's "a folder on this PC" entry


def _gigabytes(size: int) -> str:
    return QLocale().toString(size / 1024**3, "f", 1)


class VoiceModelPicker(QWidget):
    """The model choice and its download; :meth:`value` is the ``voice_model`` setting.

    Signals:
        changed(): the choice changed.
        download_finished(bool): a download ended (True: the model is ready).
        progressed(int, object): bytes done and total (None: unknown), on the GUI thread.
    """

    changed = Signal()
    download_finished = Signal(bool)
    progressed = Signal(int, object)

    def __init__(self, service: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voiceModelPicker")
        self._service = service
        self._tasks = TaskOwner("voice-model-picker")
        self._infos: dict[str, VoiceModelInfo] = {}
        self._cancel: threading.Event | None = None
        self._download: asyncio.Task[None] | None = None
        self._started_at = 0.0
        self._busy = False
        self._expected_bytes = 0
        self.last_error = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox(self)
        self.combo.setObjectName("voiceModelCombo")
        layout.addWidget(self.combo)

        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setObjectName("voiceModelFolder")
        self.folder_edit.setPlaceholderText(self.tr("Folder with model.bin and config.json"))
        folder_row.addWidget(self.folder_edit, 1)
        self.browse_button = QPushButton(self.tr("Choose folder…"), self)
        self.browse_button.setObjectName("voiceModelBrowse")
        folder_row.addWidget(self.browse_button)
        self.folder_widget = QWidget(self)
        folder_row.setContentsMargins(0, 0, 0, 0)
        self.folder_widget.setLayout(folder_row)
        layout.addWidget(self.folder_widget)

        self.status = QLabel(self)
        self.status.setObjectName("voiceModelStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        download_row = QHBoxLayout()
        self.download_button = QPushButton(self.tr("Download now"), self)
        self.download_button.setObjectName("voiceModelDownload")
        download_row.addWidget(self.download_button)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("voiceModelProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        download_row.addWidget(self.progress, 1)
        self.cancel_button = QPushButton(self.tr("Cancel download"), self)
        self.cancel_button.setObjectName("voiceModelCancel")
        download_row.addWidget(self.cancel_button)
        layout.addLayout(download_row)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("voiceModelProgressText")
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.progress_label)

        self.combo.currentIndexChanged.connect(self._on_combo_changed)
        self.folder_edit.textChanged.connect(self._on_folder_changed)
        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.progressed.connect(self._on_progressed)
        self._show_progress(False)

    # -- filling and reading -------------------------------------------------------------------

    def load(self, setting: str) -> None:
        """Show the ``voice_model`` setting's value."""
        self._infos = {info.name: info for info in self._service.voice_models()}
        recommended = self._service.recommended_voice_model()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(self.tr("Off: answer that the bot cannot listen to audio"), OFF)
        descriptions = {
            "base": self.tr("base: light, for a modest PC"),
            "small": self.tr("small: good Spanish on a normal PC"),
            "large-v3-turbo": self.tr("large-v3-turbo: the best, for a strong PC"),
        }
        for name, info in self._infos.items():
            text = self.tr("{model} (uses about {ram} GB of memory)").format(
                model=descriptions.get(name, name), ram=_gigabytes(info.ram_bytes)
            )
            if name == recommended:
                text += " · " + self.tr("recommended for this PC")
            self.combo.addItem(text, name)
        self.combo.addItem(self.tr("A model in a folder of this PC (offline install)"), FOLDER)
        value = setting.strip()
        if not value or value.lower() == OFF:
            index = 0
        elif value in self._infos:
            index = self.combo.findData(value)
        else:
            index = self.combo.findData(FOLDER)
            self.folder_edit.blockSignals(True)
            self.folder_edit.setText(value)
            self.folder_edit.blockSignals(False)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        if not self._service.voice_transcription_available():
            self.combo.setCurrentIndex(0)
            self.combo.setEnabled(False)
        self._update()

    def value(self) -> str:
        """The ``voice_model`` setting for the current choice."""
        data = str(self.combo.currentData())
        if data == FOLDER:
            return self.folder_edit.text().strip() or OFF
        return data

    def is_valid(self) -> bool:
        """False for a folder choice whose folder does not hold a model."""
        if self.combo.currentData() != FOLDER:
            return True
        text = self.folder_edit.text().strip()
        return bool(text) and self._service.is_voice_model_folder(Path(text).expanduser())

    def select(self, choice: str) -> None:
        """Pick ``choice`` (a model name, ``off``, or a folder path)."""
        if choice in self._infos or choice == OFF:
            self.combo.setCurrentIndex(self.combo.findData(choice))
        else:
            self.combo.setCurrentIndex(self.combo.findData(FOLDER))
            self.folder_edit.setText(choice)

    @property
    def downloading(self) -> bool:
        return self._busy

    @property
    def download_task(self) -> asyncio.Task[None] | None:
        return self._download

    # -- state ---------------------------------------------------------------------------------

    def _on_combo_changed(self, _index: int) -> None:
        if not self._busy:
            self.progress_label.clear()  # the last download's outcome was about another model
            self.progress_label.hide()
        self._update()
        self.changed.emit()

    def _on_folder_changed(self, _text: str) -> None:
        self._update()
        self.changed.emit()

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Folder of the voice model"), self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)

    def _update(self) -> None:
        data = self.combo.currentData()
        folder = data == FOLDER
        self.folder_widget.setVisible(folder)
        info = self._infos.get(str(data))
        busy = self.downloading
        self.download_button.setVisible(info is not None and not info.downloaded and not busy)
        if not self._service.voice_transcription_available():
            self.status.setText(
                self.tr("Voice notes cannot be transcribed on this PC (faster-whisper is missing).")
            )
        elif data == OFF:
            self.status.setText(
                self.tr(
                    'Voice notes get the "can\'t listen" reply or go to a person, as chosen below.'
                )
            )
        elif folder:
            if not self.folder_edit.text().strip():
                self.status.setText(self.tr("Choose the folder where the model is."))
            elif self.is_valid():
                self.status.setText(self.tr("The folder holds a voice model: ready."))
            else:
                self.status.setText(
                    self.tr("This folder does not hold a voice model (model.bin and config.json).")
                )
        elif info is not None and info.downloaded:
            self.status.setText(self.tr("Downloaded: ready on this PC."))
        elif info is not None and not busy:
            self.status.setText(
                self.tr(
                    "Not on this PC yet ({size} MB). Download it now, or it downloads by itself "
                    "when the first voice note arrives."
                ).format(size=info.download_bytes // 1024**2)
            )

    def _show_progress(self, shown: bool) -> None:
        self.progress.setVisible(shown)
        self.cancel_button.setVisible(shown)
        self.progress_label.setVisible(shown or bool(self.progress_label.text()))

    # -- download ------------------------------------------------------------------------------

    def start_download(self) -> None:
        """Download the chosen named model now."""
        name = str(self.combo.currentData())
        if name not in self._infos or self.downloading:
            return
        self._cancel = threading.Event()
        self._busy = True
        self._expected_bytes = self._infos[name].download_bytes
        self._started_at = time.monotonic()
        self.last_error = ""
        self.progress.setValue(0)
        self.progress.setRange(0, 0)  # busy until the first bytes tell the size
        self.progress_label.setText(self.tr("Connecting…"))
        self._show_progress(True)
        self.download_button.hide()
        self.combo.setEnabled(False)
        self.status.setText(self.tr("Downloading {model}…").format(model=name))
        self._download = self._tasks.spawn(self._run_download(name, self._cancel), name="download")

    def cancel_download(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Cancelling…"))

    async def _run_download(self, name: str, cancel: threading.Event) -> None:
        ok = False
        try:
            await self._service.download_voice_model(
                name, progress=self.progressed.emit, cancel=cancel
            )
            ok = True
        except ModelDownloadCancelled:
            self.progress_label.setText(self.tr("Download cancelled."))
        except ModelUnavailableError as exc:
            logger.warning("voice model download failed: %s", exc)
            self.last_error = str(exc)
            self.progress_label.setText(
                self.tr("The download failed. Check the internet connection and try again.")
            )
        finally:
            self._busy = False
            self.cancel_button.setEnabled(True)
            self.progress.setVisible(False)
            self.cancel_button.setVisible(False)
            self.combo.setEnabled(True)
        if ok:
            self.progress_label.setText(self.tr("Download complete."))
        self._infos = {info.name: info for info in self._service.voice_models()}
        self._update()
        self.download_finished.emit(ok)

    def _on_progressed(self, done: int, total: object) -> None:
        if self._cancel is not None and self._cancel.is_set():
            return
        elapsed = max(time.monotonic() - self._started_at, 1e-3)
        speed = done / elapsed
        locale = QLocale()
        done_mb = locale.toString(done / 1024**2, "f", 1)
        speed_mb = locale.toString(speed / 1024**2, "f", 1)
        if isinstance(total, int) and total > 0:
            # huggingface_hub learns the files' sizes one by one (the small ones first): the
            # model's known size keeps the bar from jumping to the end and back.
            total = max(total, self._expected_bytes)
            self.progress.setRange(0, 1000)
            self.progress.setValue(min(1000, done * 1000 // total))
            self.progress_label.setText(
                self.tr("{done} MB of {total} MB · {speed} MB/s").format(
                    done=done_mb, total=locale.toString(total / 1024**2, "f", 1), speed=speed_mb
                )
            )
        else:
            self.progress.setRange(0, 0)
            self.progress_label.setText(
                self.tr("{done} MB · {speed} MB/s").format(done=done_mb, speed=speed_mb)
            )

    def close_tasks(self) -> None:
        """Stop a running download (the dialog closes)."""
        if self._cancel is not None:
            self._cancel.set()
        self._tasks.close()
