"""One page per step of ``core.setup_flow``: the page renders the step's inputs and checks.

A page reads the answers into its widgets (:meth:`StepPage.load`), writes them back
(:meth:`StepPage.store`) and runs its step's check alone (:meth:`StepPage.verify`), so any step
re-checks without the others. Long work (tunnel, downloads, the wait for the owner's message,
the model's test question) is awaited on qasync's loop; nothing here blocks the GUI thread.
"""

from __future__ import annotations

import asyncio
import contextlib

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core import setup_flow as sf
from wabot_desktop.core.service import leaves_this_pc
from wabot_desktop.core.setup_flow import (
    CheckResult,
    Field,
    ModelStep,
    PullProgress,
    SetupFlow,
    Status,
    StepId,
    StepResult,
    Text,
)
from wabot_desktop.gui.settings.service import SettingsService
from wabot_desktop.gui.widgets.voice_model_picker import VoiceModelPicker
from wabot_desktop.gui.wizard.checks import CheckList, link_button, plain_label

FIRST_MESSAGE_TIMEOUT = 180.0

_DAYS = (
    ("mon", Text("Lunes", "Monday")),
    ("tue", Text("Martes", "Tuesday")),
    ("wed", Text("Miércoles", "Wednesday")),
    ("thu", Text("Jueves", "Thursday")),
    ("fri", Text("Viernes", "Friday")),
    ("sat", Text("Sábado", "Saturday")),
    ("sun", Text("Domingo", "Sunday")),
)


class StepPage(QWidget):
    """The common frame of a page: title, intro, the form, the checks of the last verify."""

    step_id: StepId = StepId.WELCOME
    busy_changed = Signal(bool)

    def __init__(self, flow: SetupFlow, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.language = language
        self.step = flow.step(self.step_id)
        self.setObjectName(f"wizardPage_{self.step_id.value}")
        self.widgets: dict[str, QWidget] = {}
        self.field_rows: dict[str, QWidget] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("wizardPageScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(self.scroll_area)
        content.setObjectName("wizardPageContent")
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(20, 16, 20, 16)
        self.body.setSpacing(10)
        self.title = QLabel(self.t(self.step.title), content)
        self.title.setObjectName("wizardTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(self.title)
        self.intro = plain_label(self.t(self.step.intro), content, name="wizardIntro")
        self.body.addWidget(self.intro)
        self.link_buttons: list[QPushButton] = []
        if self.step.links:
            links = QHBoxLayout()
            for text, url in self.step.links:
                self.link_buttons.append(link_button(self.t(text), url, content))
                links.addWidget(self.link_buttons[-1])
            links.addStretch(1)
            self.body.addLayout(links)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.body.addLayout(self.form)
        self.build(content)
        self.checks = CheckList(language, content)
        self.body.addWidget(self.checks)
        self.body.addStretch(1)
        self.scroll_area.setWidget(content)
        outer.addWidget(self.scroll_area)
        self._busy = False

    # -- helpers ---------------------------------------------------------------------------

    def t(self, text: Text) -> str:
        return text.get(self.language)

    def field(self, name: str) -> Field:
        return next(f for f in self.step.inputs if f.name == name)

    def add_field(self, name: str, parent: QWidget) -> QWidget:
        """A widget for one declared input, added to the form with its help and link."""
        spec = self.field(name)
        widget: QWidget
        show: QPushButton | None = None
        if spec.kind == "secret":
            edit = QLineEdit(parent)
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            show = QPushButton(QCoreApplication.translate("StepPage", "Show"), parent)
            show.setObjectName(f"show_{name}")
            show.setCheckable(True)
            show.toggled.connect(lambda on: _set_echo(edit, on))
            widget = edit
        elif spec.kind == "int":
            spin = QSpinBox(parent)
            spin.setRange(0, 65535)
            widget = spin
        elif spec.kind == "bool":
            widget = QCheckBox(self.t(spec.label), parent)
        else:
            widget = QLineEdit(parent)
        widget.setObjectName(f"field_{name}")
        self.widgets[name] = widget
        row: QWidget = widget
        if spec.link or spec.help or show is not None:
            row = QWidget(parent)
            box = QVBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            line = QHBoxLayout()
            line.addWidget(widget, 1)
            if show is not None:
                line.addWidget(show)
            if spec.link:
                line.addWidget(
                    link_button(
                        QCoreApplication.translate("StepPage", "Where is it?"), spec.link, row
                    )
                )
            box.addLayout(line)
            if spec.help:
                box.addWidget(plain_label(self.t(spec.help), row, name="wizardHelp"))
        self.field_rows[name] = row
        if spec.kind == "bool":
            self.form.addRow(row)
        else:
            label = QLabel(self.t(spec.label), parent)
            label.setTextFormat(Qt.TextFormat.PlainText)
            self.form.addRow(label, row)
        return widget

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_changed.emit(busy)

    @property
    def busy(self) -> bool:
        return self._busy

    # -- the step ----------------------------------------------------------------------------

    def build(self, parent: QWidget) -> None:
        for spec in self.step.inputs:
            self.add_field(spec.name, parent)

    def load(self) -> None:
        """Answers -> widgets."""
        answers = self.flow.answers
        for name, widget in self.widgets.items():
            value = getattr(answers, name)
            if isinstance(widget, QLineEdit):
                widget.setText(str(value))
            elif isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))

    def store(self) -> None:
        """Widgets -> answers."""
        answers = self.flow.answers
        for name, widget in self.widgets.items():
            if isinstance(widget, QLineEdit):
                setattr(answers, name, widget.text().strip())
            elif isinstance(widget, QSpinBox):
                setattr(answers, name, widget.value())
            elif isinstance(widget, QCheckBox):
                setattr(answers, name, widget.isChecked())

    async def verify(self) -> StepResult:
        """Run this step's check alone and show every check with its "detalles"."""
        self.store()
        self.checks.clear()
        self.checks.show_note(QCoreApplication.translate("StepPage", "Checking…"))
        try:
            result = await self.flow.run_step(self.step_id)
        finally:
            self.checks.note.hide()
        self.show_result(result)
        return result

    def show_result(self, result: StepResult) -> None:
        self.checks.show_checks(result.checks)

    async def cancel_work(self) -> None:
        """Stop a download or a wait in progress (the wizard is closing)."""


def _set_echo(edit: QLineEdit, shown: bool) -> None:
    edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)


class ProgressRow(QWidget):
    """A download's bar, its "12 MB de 45 MB · 2 MB/s · quedan 0:16" line and a cancel."""

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = language
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("wizardProgress")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        layout.addWidget(self.bar, 1)
        self.label = QLabel("", self)
        self.label.setObjectName("wizardProgressText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("wizardCancelDownload")
        layout.addWidget(self.cancel_button)
        self.cancel = asyncio.Event()
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.last: PullProgress | None = None
        self.hide()

    def _on_cancel_clicked(self) -> None:
        self.cancel.set()

    def begin(self) -> asyncio.Event:
        self.cancel = asyncio.Event()
        self.bar.setValue(0)
        self.bar.setRange(0, 0)  # busy until the size is known
        self.label.setText("")
        self.last = None
        self.show()
        return self.cancel

    def update_progress(self, progress: PullProgress) -> None:
        self.last = progress
        if progress.total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * progress.completed / progress.total))
        self.label.setText(sf.progress_text(progress, self.language))

    def end(self) -> None:
        self.hide()


# -- 1. welcome ---------------------------------------------------------------------------------


class WelcomePage(StepPage):
    step_id = StepId.WELCOME
    practice_requested = Signal()

    def build(self, parent: QWidget) -> None:
        # The step's one input (practice mode, a yes/no question in `wabot-desktop setup`) is
        # this button here: no checkbox beside it that does the same.
        self.practice_button = QPushButton(self.tr("Stay in practice mode"), parent)
        self.practice_button.setObjectName("wizardPracticeButton")
        self.practice_button.clicked.connect(self.practice_requested.emit)
        row = QHBoxLayout()
        row.addWidget(self.practice_button)
        row.addStretch(1)
        self.body.addLayout(row)


# -- 2. the Meta app ------------------------------------------------------------------------------


class MetaAppPage(StepPage):
    step_id = StepId.META_APP


# -- 3. the public address ------------------------------------------------------------------------


class PublicAddressPage(StepPage):
    step_id = StepId.PUBLIC_ADDRESS

    def build(self, parent: QWidget) -> None:
        choice = QWidget(parent)
        box = QVBoxLayout(choice)
        box.setContentsMargins(0, 0, 0, 0)
        self.ngrok_radio = QRadioButton(self.tr("ngrok (free, recommended)"), choice)
        self.ngrok_radio.setObjectName("wizardNgrokRadio")
        self.own_radio = QRadioButton(self.tr("I have my own HTTPS address"), choice)
        self.own_radio.setObjectName("wizardOwnRadio")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.ngrok_radio)
        self.mode_group.addButton(self.own_radio)
        box.addWidget(self.ngrok_radio)
        box.addWidget(self.own_radio)
        self.form.addRow(QLabel(self.t(self.field("public_mode").label), parent), choice)
        self.add_field("ngrok_authtoken", parent)
        self.add_field("ngrok_domain", parent)
        # The agent: downloaded on first use, or the owner's installed one.
        self.agent_box = QWidget(parent)
        self.agent_box.setObjectName("wizardAgentBox")
        agent = QGridLayout(self.agent_box)
        agent.setContentsMargins(0, 0, 0, 0)
        self.agent_label = plain_label("", self.agent_box, name="wizardAgentState")
        agent.addWidget(self.agent_label, 0, 0, 1, 3)
        self.download_button = QPushButton(self.tr("Download ngrok"), self.agent_box)
        self.download_button.setObjectName("wizardDownloadAgent")
        self.download_button.clicked.connect(self._on_download_clicked)
        self.choose_button = QPushButton(self.tr("It is installed: choose the program…"))
        self.choose_button.setObjectName("wizardChooseAgent")
        self.choose_button.clicked.connect(self._on_choose_clicked)
        agent.addWidget(self.download_button, 1, 0)
        agent.addWidget(self.choose_button, 1, 1)
        agent.setColumnStretch(2, 1)
        self.agent_progress = ProgressRow(self.language, self.agent_box)
        agent.addWidget(self.agent_progress, 2, 0, 1, 3)
        self.agent_checks = CheckList(self.language, self.agent_box)
        agent.addWidget(self.agent_checks, 3, 0, 1, 3)
        self.agent_caption = QLabel(self.tr("ngrok program"), parent)
        self.form.addRow(self.agent_caption, self.agent_box)
        self.add_field("public_url", parent)
        self.add_field("port", parent)
        self.ngrok_radio.toggled.connect(self._show_mode)
        self._download_task: asyncio.Task[CheckResult] | None = None

    def _rows_for(self, names: tuple[str, ...], visible: bool) -> None:
        for name in names:
            self.form.setRowVisible(self.field_rows[name], visible)

    def _show_mode(self) -> None:
        ngrok = self.ngrok_radio.isChecked()
        self._rows_for(("ngrok_authtoken", "ngrok_domain"), ngrok)
        self.form.setRowVisible(self.agent_box, ngrok)
        self._rows_for(("public_url",), not ngrok)
        self.show_agent_state()

    def show_agent_state(self) -> None:
        path = self.flow.agent_path()
        if sf.agent_installed(self.flow):
            self.agent_label.setText(self.tr("ngrok is on this PC: {path}").format(path=str(path)))
            self.download_button.setText(self.tr("Download again"))
        else:
            self.agent_label.setText(
                self.tr(
                    "ngrok is not on this PC yet. WaBot downloads it (about 10 MB) from "
                    "ngrok's official address the first time."
                )
            )
            self.download_button.setText(self.tr("Download ngrok"))

    def load(self) -> None:
        super().load()
        own = self.flow.answers.public_mode == "own"
        self.own_radio.setChecked(own)
        self.ngrok_radio.setChecked(not own)
        self._show_mode()

    def store(self) -> None:
        super().store()
        self.flow.answers.public_mode = "own" if self.own_radio.isChecked() else "ngrok"

    async def verify(self) -> StepResult:
        self.store()
        if self.flow.answers.public_mode == "ngrok" and not sf.agent_installed(self.flow):
            missing = await sf.check_agent(self.flow)
            result = StepResult(self.step_id, (missing,))
            self.flow.results[self.step_id] = result
            self.show_result(result)
            return result
        return await super().verify()

    # -- the agent ----------------------------------------------------------------------

    def _on_download_clicked(self) -> None:
        if self._download_task is None or self._download_task.done():
            self._download_task = asyncio.ensure_future(self.download_agent())

    async def download_agent(self) -> CheckResult:
        cancel = self.agent_progress.begin()
        self.download_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.agent_checks.clear()
        self.set_busy(True)
        try:
            result = await sf.install_agent(self.flow, self.agent_progress.update_progress, cancel)
        finally:
            self.agent_progress.end()
            self.download_button.setEnabled(True)
            self.choose_button.setEnabled(True)
            self.set_busy(False)
        self.agent_checks.show_checks([result])
        self.show_agent_state()
        return result

    def _on_choose_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the ngrok program"))
        if path:
            asyncio.ensure_future(self.use_agent(path))

    async def use_agent(self, path: str) -> CheckResult:
        """The owner's installed agent: checked (``ngrok --version``) before it is used."""
        previous = self.flow.answers.ngrok_path
        self.flow.answers.ngrok_path = path
        result = await sf.check_agent(self.flow)
        if result.status is Status.ERROR:
            self.flow.answers.ngrok_path = previous
        self.agent_checks.show_checks([result])
        self.show_agent_state()
        return result

    async def cancel_work(self) -> None:
        task = self._download_task
        if task is not None and not task.done():
            self.agent_progress.cancel.set()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task


# -- 4. connect Meta ------------------------------------------------------------------------------


class ConnectMetaPage(StepPage):
    step_id = StepId.CONNECT_META
    message_timeout = FIRST_MESSAGE_TIMEOUT

    def build(self, parent: QWidget) -> None:
        self.callback_combo = QComboBox(parent)
        self.callback_combo.setObjectName("field_callback_mode")
        self.callback_combo.addItem(self.tr("The app's subscription (recommended)"), "app")
        self.callback_combo.addItem(self.tr("Only this phone number (override)"), "phone")
        self.form.addRow(
            QLabel(self.t(self.field("callback_mode").label), parent), self.callback_combo
        )
        self.wait_box = QWidget(parent)
        wait = QHBoxLayout(self.wait_box)
        wait.setContentsMargins(0, 0, 0, 0)
        self.wait_label = plain_label("", self.wait_box, name="wizardWaitLabel")
        wait.addWidget(self.wait_label, 1)
        self.stop_button = QPushButton(self.tr("Stop waiting"), self.wait_box)
        self.stop_button.setObjectName("wizardStopWaiting")
        wait.addWidget(self.stop_button)
        self.wait_box.hide()
        self.retry_box = QWidget(parent)
        retry = QHBoxLayout(self.retry_box)
        retry.setContentsMargins(0, 0, 0, 0)
        self.retry_button = QPushButton(self.tr("Wait for my message again"), self.retry_box)
        self.retry_button.setObjectName("wizardWaitAgain")
        retry.addWidget(self.retry_button)
        retry.addStretch(1)
        self.retry_box.hide()
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self._stop = asyncio.Event()
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._deadline = 0.0
        self._wait_task: asyncio.Task[StepResult] | None = None

    def load(self) -> None:
        index = self.callback_combo.findData(self.flow.answers.callback_mode)
        self.callback_combo.setCurrentIndex(max(index, 0))

    def store(self) -> None:
        self.flow.answers.callback_mode = (
            "phone" if self.callback_combo.currentData() == "phone" else "app"
        )

    async def verify(self) -> StepResult:
        result = await super().verify()
        if not any(c.status is Status.ERROR for c in result.checks):
            result = await self.wait_for_message()
        return result

    async def wait_for_message(self) -> StepResult:
        """The "send a message from your phone" wait, shown live (the causes on timeout)."""
        self._stop = asyncio.Event()
        self.retry_box.hide()
        earlier = self.flow.results.get(self.step_id)
        if earlier is not None:  # the subscription and callback; the wait replaces the rest
            self.checks.show_checks([c for c in earlier.checks if c.check != "first_message"])
        # The checks (the subscription, the callback) stay; the wait shows below them.
        self.body.insertWidget(self.body.indexOf(self.checks) + 1, self.wait_box)
        self.wait_box.show()
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + self.message_timeout
        self._tick()
        self._timer.start()
        self.set_busy(True)
        try:
            result = await sf.wait_first_message(self.flow, self.message_timeout, self._stop)
        finally:
            self._timer.stop()
            self.wait_box.hide()
            self.set_busy(False)
        self.show_result(result)
        failed = result.failed
        if failed is not None and failed.check == "first_message":
            self.body.insertWidget(self.body.indexOf(self.checks) + 1, self.retry_box)
            self.retry_box.show()
        return result

    def _tick(self) -> None:
        left = max(0, int(self._deadline - asyncio.get_event_loop().time()))
        number = self.flow.found.display_phone_number or self.flow.answers.phone_number_id
        self.wait_label.setText(
            self.tr(
                "Now send any message from your own phone to the business number {number}. "
                "Waiting… {seconds} s left."
            ).format(number=number, seconds=left)
        )

    def _on_stop_clicked(self) -> None:
        self._stop.set()

    def _on_retry_clicked(self) -> None:
        if self._wait_task is None or self._wait_task.done():
            self._wait_task = asyncio.ensure_future(self.wait_for_message())

    async def cancel_work(self) -> None:
        self._stop.set()
        task = self._wait_task
        if task is not None and not task.done():
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task


# -- 5. the model ---------------------------------------------------------------------------------


class ModelPage(StepPage):
    step_id = StepId.MODEL

    def build(self, parent: QWidget) -> None:
        self._content = parent
        # Which model server: Ollama on this PC (the rows below) or an OpenAI-compatible one.
        provider_box = QWidget(parent)
        provider_line = QHBoxLayout(provider_box)
        provider_line.setContentsMargins(0, 0, 0, 0)
        self.ollama_radio = QRadioButton(self.tr("Ollama on this PC"), provider_box)
        self.ollama_radio.setObjectName("wizardProviderOllama")
        self.openai_radio = QRadioButton(self.tr("Another OpenAI-compatible server"), provider_box)
        self.openai_radio.setObjectName("wizardProviderOpenAI")
        self.provider_group = QButtonGroup(provider_box)
        self.provider_group.addButton(self.ollama_radio)
        self.provider_group.addButton(self.openai_radio)
        provider_line.addWidget(self.ollama_radio)
        provider_line.addWidget(self.openai_radio)
        provider_line.addStretch(1)
        self.form.addRow(QLabel(self.tr("Model server:"), parent), provider_box)
        self.ollama_radio.setChecked(True)
        self.ram_label = plain_label("", parent, name="wizardRamLabel")
        self.body.addWidget(self.ram_label)
        self.model_combo = QComboBox(parent)
        self.model_combo.setObjectName("field_model")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.pull_button = QPushButton(self.tr("Download model"), parent)
        self.pull_button.setObjectName("wizardPullModel")
        self.pull_button.clicked.connect(self._on_pull_clicked)
        row = QWidget(parent)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.model_combo, 1)
        line.addWidget(self.pull_button)
        self.form.addRow(QLabel(self.t(self.field("model").label), parent), row)
        self._model_row = row
        self.pull_progress = ProgressRow(self.language, parent)
        self.form.addRow(self.pull_progress)
        self.ctx_spin = QSpinBox(parent)
        self.ctx_spin.setObjectName("field_num_ctx")
        self.ctx_spin.setRange(2048, 32768)
        self.ctx_spin.setSingleStep(1024)
        self.ctx_spin.setSuffix(self.tr(" tokens"))
        ctx_box = QWidget(parent)
        ctx = QVBoxLayout(ctx_box)
        ctx.setContentsMargins(0, 0, 0, 0)
        ctx.addWidget(self.ctx_spin)
        ctx.addWidget(
            plain_label(
                self.tr(
                    "Set explicitly: Ollama uses 4,096 by default on most PCs and silently "
                    "cuts longer prompts."
                ),
                ctx_box,
                name="wizardHelp",
            )
        )
        self.form.addRow(QLabel(self.t(self.field("num_ctx").label), parent), ctx_box)
        self._ctx_box = ctx_box
        self.build_openai(parent)
        self.pull_checks = CheckList(self.language, parent)
        self.body.addWidget(self.pull_checks)
        self._pull_task: asyncio.Task[CheckResult] | None = None
        self._models_task: asyncio.Task[None] | None = None
        self.voice_picker: VoiceModelPicker | None = None
        self.provider_group.buttonToggled.connect(self._on_provider_toggled)
        self.show_options()
        self._show_provider()

    def build_openai(self, parent: QWidget) -> None:
        """The OpenAI-compatible server's rows (the same presets as the settings page)."""
        box = QWidget(parent)
        box.setObjectName("wizardOpenAIBox")
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.preset_combo = QComboBox(box)
        self.preset_combo.setObjectName("wizardOpenAIPreset")
        for item in sf.PRESETS:
            self.preset_combo.addItem(item.name, item.id)
        self.preset_combo.addItem(self.tr("Another server (type its address)"), "")
        form.addRow(QLabel(self.tr("Program:"), box), self.preset_combo)
        self.url_edit = QLineEdit(box)
        self.url_edit.setObjectName("field_openai_base_url")
        self.url_edit.setPlaceholderText("http://127.0.0.1:1234/v1")
        form.addRow(QLabel(self.tr("Address:"), box), self.url_edit)
        self.privacy_label = plain_label("", box, name="wizardPrivacyWarning")
        self.privacy_label.setStyleSheet("QLabel { color: #b35c00; font-weight: bold; }")
        self.privacy_label.hide()
        form.addRow(self.privacy_label)
        model_row = QWidget(box)
        model_line = QHBoxLayout(model_row)
        model_line.setContentsMargins(0, 0, 0, 0)
        self.openai_model_combo = QComboBox(model_row)
        self.openai_model_combo.setObjectName("field_openai_model")
        self.openai_model_combo.setEditable(True)
        self.openai_model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        model_line.addWidget(self.openai_model_combo, 1)
        self.refresh_button = QPushButton(self.tr("Refresh list"), model_row)
        self.refresh_button.setObjectName("wizardOpenAIRefresh")
        model_line.addWidget(self.refresh_button)
        form.addRow(QLabel(self.tr("Model:"), box), model_row)
        self.models_status = plain_label("", box, name="wizardHelp")
        form.addRow(self.models_status)
        self.key_edit = QLineEdit(box)
        self.key_edit.setObjectName("field_llm_api_key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("Optional for servers on this PC"))
        form.addRow(QLabel(self.tr("API key:"), box), self.key_edit)
        form.addRow(
            plain_label(
                self.tr(
                    "The key is kept in the system's keyring when you finish, never in WaBot's "
                    "files."
                ),
                box,
                name="wizardHelp",
            )
        )
        self.openai_ctx_spin = QSpinBox(box)
        self.openai_ctx_spin.setObjectName("field_openai_context_size")
        self.openai_ctx_spin.setRange(0, 1_048_576)
        self.openai_ctx_spin.setSingleStep(1024)
        self.openai_ctx_spin.setSuffix(self.tr(" tokens"))
        self.openai_ctx_spin.setSpecialValueText(self.tr("What the server uses"))
        form.addRow(QLabel(self.tr("Context size:"), box), self.openai_ctx_spin)
        self.openai_box = box
        self.form.addRow(box)
        self.preset_combo.activated.connect(self._on_preset_activated)
        self.url_edit.textChanged.connect(self._on_url_changed)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)

    # -- the provider ---------------------------------------------------------------------------

    @property
    def provider(self) -> str:
        return "openai" if self.openai_radio.isChecked() else "ollama"

    def _on_provider_toggled(self, _button: object, checked: bool) -> None:
        if checked:
            self._show_provider()

    def _show_provider(self) -> None:
        openai = self.provider == "openai"
        for widget in (self._model_row, self._ctx_box):
            self.form.setRowVisible(widget, not openai)
        pulling = self._pull_task is not None and not self._pull_task.done()
        self.pull_progress.setVisible(not openai and pulling)
        self.ram_label.setVisible(not openai)
        self.pull_checks.setVisible(not openai)
        for button in self.link_buttons:  # "Descargar Ollama"
            button.setVisible(not openai)
        self.form.setRowVisible(self.openai_box, openai)

    def _on_preset_activated(self, _index: int) -> None:
        found = next((p for p in sf.PRESETS if p.id == self.preset_combo.currentData()), None)
        if found is None:
            self.url_edit.setFocus()
            return
        self.url_edit.setText(found.base_url)
        self.refresh_models()

    def _select_preset_for_url(self) -> None:
        url = self.url_edit.text().strip().rstrip("/")
        if self.preset_combo.currentData() in [p.id for p in sf.PRESETS if p.base_url == url]:
            return
        match = next((p.id for p in sf.PRESETS if p.base_url == url), "")
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(match))

    def _on_url_changed(self, _text: str) -> None:
        self._select_preset_for_url()
        self._update_privacy()

    def _update_privacy(self) -> None:
        url = self.url_edit.text().strip()
        host = leaves_this_pc(url) if url else None
        if host:
            self.privacy_label.setText(
                self.tr(
                    "Conversations leave this PC for {host}: your customers' messages are sent "
                    "to that server."
                ).format(host=host)
            )
        self.privacy_label.setVisible(bool(host))

    def _on_refresh_clicked(self) -> None:
        self.refresh_models()

    def refresh_models(self) -> None:
        """Ask the server for its models (with the typed key) and fill the model list."""
        if self._models_task is not None and not self._models_task.done():
            self._models_task.cancel()
        self._models_task = asyncio.ensure_future(self._refresh_models())

    @property
    def models_task(self) -> asyncio.Task[None] | None:
        return self._models_task

    async def _refresh_models(self) -> None:
        self.store()
        self.models_status.setText(self.tr("Asking the server for its models…"))
        self.refresh_button.setEnabled(False)
        try:
            check, names = await sf.OpenAIServerCheck.list_models(self.flow)
        finally:
            self.refresh_button.setEnabled(True)
        if check.status is Status.ERROR:
            self.models_status.setText(self.t(check.message))
            return
        current = self.openai_model_combo.currentText().strip()
        if names is None:
            self.models_status.setText(
                self.tr("This server does not list its models: type the model's name.")
            )
            return
        self._set_openai_models(list(names), current)
        self.models_status.setText(self.tr("%n model(s) on the server.", "", len(names)))

    def _set_openai_models(self, names: list[str], current: str) -> None:
        self.openai_model_combo.clear()
        self.openai_model_combo.addItems(names)
        if current and current not in names:
            self.openai_model_combo.insertItem(0, current)
        self.openai_model_combo.setCurrentText(current or (names[0] if names else ""))

    # -- the voice model ------------------------------------------------------------------------

    def set_voice_service(self, service: SettingsService | None) -> None:
        """Show the voice-model picker: it needs the core's facade (the models folder, the
        download), so a wizard opened without one (the command line) leaves voice notes to
        the settings dialog."""
        if service is None or self.voice_picker is not None:
            return
        box = QWidget(self._content)
        box.setObjectName("wizardVoiceBox")
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.voice_picker = VoiceModelPicker(service, box)
        self.voice_picker.setObjectName("wizardVoicePicker")
        form.addRow(QLabel(self.tr("Voice notes:"), box), self.voice_picker)
        # Below the model server's rows and its memory note, above the checks.
        self.body.insertWidget(self.body.indexOf(self.checks), box)
        self.voice_picker.load(self.flow.answers.voice_model)

    def show_options(self) -> None:
        found = self.flow.found
        ram = found.ram_bytes if found.ram_bytes is not None else sf.total_ram_bytes()
        options = sf.model_options(ram, found.models)
        current = self.model_combo.currentText().strip() or self.flow.answers.model
        self.model_combo.clear()
        for option in options:
            marks = []
            if option.installed:
                marks.append(self.tr("installed"))
            if option.recommended:
                marks.append(self.tr("recommended"))
            if option.fits:
                marks.append(self.tr("fits this PC"))
            else:
                marks.append(self.tr("too big for this PC"))
            size = f", {sf.format_bytes(option.size_bytes)}" if option.size_bytes else ""
            self.model_combo.addItem(f"{option.name} ({' · '.join(marks)}{size})", option.name)
        best = sf.recommend_model(ram)
        index = self.model_combo.findData(current or best)
        if index >= 0:
            self.model_combo.setCurrentIndex(index)
        elif current:
            self.model_combo.setEditText(current)
        gib = (ram or 0) / 2**30
        self.ram_label.setText(
            self.tr("This PC has {ram} GB of memory: {model} fits this PC.").format(
                ram=f"{gib:.0f}", model=best
            )
            if ram
            else self.tr(
                "The memory of this PC could not be read: {model} is the safe choice."
            ).format(model=best)
        )

    def chosen_model(self) -> str:
        index = self.model_combo.currentIndex()
        text = self.model_combo.currentText().strip()
        data = self.model_combo.itemData(index) if index >= 0 else None
        if data and self.model_combo.itemText(index) == text:
            return str(data)
        return text.split(" (", 1)[0].strip()

    def load(self) -> None:
        a = self.flow.answers
        self.ctx_spin.setValue(a.num_ctx)
        self.show_options()
        (self.openai_radio if a.llm_provider == "openai" else self.ollama_radio).setChecked(True)
        self.url_edit.setText(a.openai_base_url)
        self._set_openai_models([], a.openai_model)
        self.key_edit.setText(a.llm_api_key)
        self.openai_ctx_spin.setValue(a.openai_context_size)
        if self.voice_picker is not None:
            self.voice_picker.load(a.voice_model)
        self._show_provider()

    def store(self) -> None:
        a = self.flow.answers
        model = self.chosen_model()
        if model:
            a.model = model
        a.num_ctx = self.ctx_spin.value()
        a.llm_provider = "openai" if self.provider == "openai" else "ollama"
        a.openai_base_url = self.url_edit.text().strip()
        a.openai_model = self.openai_model_combo.currentText().strip()
        a.llm_api_key = self.key_edit.text().strip()
        a.openai_context_size = self.openai_ctx_spin.value()
        if self.voice_picker is not None and self.voice_picker.is_valid():
            a.voice_model = self.voice_picker.value()

    async def verify(self) -> StepResult:
        result = await super().verify()
        self.show_options()
        if self.provider == "openai":
            names = self.flow.found.openai_models
            self._set_openai_models(list(names or ()), self.flow.answers.openai_model)
        return result

    def _on_pull_clicked(self) -> None:
        if self._pull_task is None or self._pull_task.done():
            self._pull_task = asyncio.ensure_future(self.pull())

    async def pull(self) -> CheckResult:
        self.store()
        cancel = self.pull_progress.begin()
        self.pull_button.setEnabled(False)
        self.pull_checks.clear()
        self.set_busy(True)
        try:
            result = await ModelStep.pull(
                self.flow, self.flow.answers.model, self.pull_progress.update_progress, cancel
            )
        finally:
            self.pull_progress.end()
            self.pull_button.setEnabled(True)
            self.set_busy(False)
        self.pull_checks.show_checks([result])
        self.show_options()
        return result

    async def cancel_work(self) -> None:
        task = self._pull_task
        if task is not None and not task.done():
            self.pull_progress.cancel.set()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task
        listing = self._models_task
        if listing is not None and not listing.done():
            listing.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await listing
        if self.voice_picker is not None:
            download = self.voice_picker.download_task
            self.voice_picker.close_tasks()
            if download is not None and not download.done():
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await download


# -- 6. the shop ----------------------------------------------------------------------------------


class ShopPage(StepPage):
    step_id = StepId.SHOP

    def build(self, parent: QWidget) -> None:
        self.add_field("business_name", parent)
        hours = QWidget(parent)
        hours.setObjectName("wizardHours")
        grid = QGridLayout(hours)
        grid.setContentsMargins(0, 0, 0, 0)
        self.hour_edits: dict[str, QLineEdit] = {}
        for row, (day, name) in enumerate(_DAYS):
            grid.addWidget(QLabel(self.t(name), hours), row // 2, (row % 2) * 2)
            edit = QLineEdit(hours)
            edit.setObjectName(f"hours_{day}")
            edit.setPlaceholderText(self.tr("09:00-13:00, 16:00-20:00 or closed"))
            grid.addWidget(edit, row // 2, (row % 2) * 2 + 1)
            self.hour_edits[day] = edit
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.form.addRow(QLabel(self.t(self.field("business_hours").label), parent), hours)
        self.add_field("business_address", parent)
        self.add_field("payment_methods", parent)
        faq_box = QWidget(parent)
        faq = QVBoxLayout(faq_box)
        faq.setContentsMargins(0, 0, 0, 0)
        self.faq_table = QTableWidget(0, 2, faq_box)
        self.faq_table.setObjectName("wizardFaq")
        self.faq_table.setHorizontalHeaderLabels([self.tr("Question"), self.tr("Answer")])
        self.faq_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.faq_table.verticalHeader().hide()
        self.faq_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.faq_table.setMinimumHeight(130)
        faq.addWidget(self.faq_table)
        buttons = QHBoxLayout()
        add = QPushButton(self.tr("Add question"), faq_box)
        add.setObjectName("wizardFaqAdd")
        add.clicked.connect(lambda: self._add_faq("", ""))
        remove = QPushButton(self.tr("Remove selected"), faq_box)
        remove.setObjectName("wizardFaqRemove")
        remove.clicked.connect(self._remove_faq)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        faq.addLayout(buttons)
        self.form.addRow(QLabel(self.t(self.field("faq").label), parent), faq_box)
        mode = QWidget(parent)
        box = QVBoxLayout(mode)
        box.setContentsMargins(0, 0, 0, 0)
        self.bot_radio = QRadioButton(self.tr("The bot answers from day one"), mode)
        self.bot_radio.setObjectName("wizardBotFirst")
        self.staff_radio = QRadioButton(
            self.tr("Staff answers first (the bot starts paused; you switch it on later)"), mode
        )
        self.staff_radio.setObjectName("wizardStaffFirst")
        self.staff_radio.setMinimumWidth(0)
        group = QButtonGroup(self)
        group.addButton(self.bot_radio)
        group.addButton(self.staff_radio)
        box.addWidget(self.bot_radio)
        box.addWidget(self.staff_radio)
        self.form.addRow(QLabel(self.tr("Who answers"), parent), mode)

    def _add_faq(self, question: str, answer: str) -> None:
        row = self.faq_table.rowCount()
        self.faq_table.insertRow(row)
        self.faq_table.setItem(row, 0, QTableWidgetItem(question))
        self.faq_table.setItem(row, 1, QTableWidgetItem(answer))

    def _remove_faq(self) -> None:
        rows = sorted({index.row() for index in self.faq_table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.faq_table.removeRow(row)

    def load(self) -> None:
        super().load()
        a = self.flow.answers
        stored = a.business_hours if any(a.business_hours.values()) else sf.default_hours()
        for day, edit in self.hour_edits.items():
            ranges = stored.get(day)
            if ranges is None:
                edit.setText("")
            elif ranges:
                edit.setText(", ".join(f"{s}-{e}" for s, e in ranges))
            else:
                edit.setText(self.tr("closed"))
        self.faq_table.setRowCount(0)
        for question, answer in a.faq or sf.EXAMPLE_FAQ:  # prefilled for a typical shop
            self._add_faq(question, answer)
        self.bot_radio.setChecked(a.bot_from_day_one)
        self.staff_radio.setChecked(not a.bot_from_day_one)

    def store(self) -> None:
        super().store()
        a = self.flow.answers
        hours: dict[str, list[list[str]]] = {}
        closed = {self.tr("closed").lower(), "cerrado", "closed"}
        for day, edit in self.hour_edits.items():
            text = edit.text().strip()
            if text.lower() in closed:
                text = ""
            try:
                hours[day] = sf.parse_hours(text)
            except ValueError:
                hours[day] = [[text, ""]]  # the step's check names the day
        a.business_hours = hours
        faq = []
        for row in range(self.faq_table.rowCount()):
            q, ans = self.faq_table.item(row, 0), self.faq_table.item(row, 1)
            question = q.text().strip() if q is not None else ""
            answer = ans.text().strip() if ans is not None else ""
            if question and answer:
                faq.append((question, answer))
        a.faq = tuple(faq)
        a.bot_from_day_one = self.bot_radio.isChecked()


# -- 7. done --------------------------------------------------------------------------------------


class DonePage(StepPage):
    step_id = StepId.DONE

    def build(self, parent: QWidget) -> None:
        self.summary = plain_label("", parent, name="wizardSummary")
        self.body.addWidget(self.summary)

    def load(self) -> None:
        a, f = self.flow.answers, self.flow.found
        lines = [
            self.tr("Number: {number} ({name})").format(
                number=f.display_phone_number or a.phone_number_id or "-",
                name=f.verified_name or "-",
            ),
            self.tr("Public address: {url}").format(
                url=f.callback_url or f.public_url or a.public_url or a.ngrok_domain or "-"
            ),
            self.tr("Model: {model} (context {ctx})").format(model=a.model or "-", ctx=a.num_ctx),
            self.tr("Shop: {name}").format(name=a.business_name or "-"),
            self.tr("The bot answers from day one")
            if a.bot_from_day_one
            else self.tr("Staff answers first (the bot starts paused)"),
        ]
        self.summary.setText("\n".join(lines))


PAGE_TYPES: dict[StepId, type[StepPage]] = {
    StepId.WELCOME: WelcomePage,
    StepId.META_APP: MetaAppPage,
    StepId.PUBLIC_ADDRESS: PublicAddressPage,
    StepId.CONNECT_META: ConnectMetaPage,
    StepId.MODEL: ModelPage,
    StepId.SHOP: ShopPage,
    StepId.DONE: DonePage,
}
