"""The going-live wizard window: the steps of ``core.setup_flow`` as pages, checked one by one.

The owner moves with "Atrás" / "Verificar y seguir"; any step in the list on the left opens
alone and re-checks alone ("Verificar"). The wizard starts pre-filled from what an earlier run
stored (the flow is built by ``core.setup_flow.open_profile_flow``). It never switches modes
itself: on success it emits :attr:`SetupWizard.completed` and whoever opened it goes live.

While the app is already live, the steps that need this PC's webhook port (public address and
connect Meta) are not offered (``skip``): the running core holds the port and keeps the callback
registered by itself; the token step (the usual reason to come back) is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from wabot_desktop.core import setup_flow as sf
from wabot_desktop.core.setup_flow import SetupFlow, Status, StepId, StepResult
from wabot_desktop.gui.actions import async_slot, run_action
from wabot_desktop.gui.settings.service import SettingsService
from wabot_desktop.gui.wizard.pages import PAGE_TYPES, ModelPage, StepPage, WelcomePage

logger = logging.getLogger(__name__)

_MARKS = {Status.OK: "✓", Status.WARNING: "!", Status.ERROR: "✗", Status.SKIPPED: "✓"}


_STYLE = """
#wizardSteps { border: none; padding: 12px 6px; font-size: 11pt; }
#wizardSteps::item { padding: 8px 8px; }
#wizardTitle { font-size: 17pt; font-weight: 600; }
#wizardIntro { font-size: 10.5pt; }
#wizardCheck { border: 1px solid palette(mid); border-radius: 6px; }
#wizardCheckMark { font-weight: 700; font-size: 12pt; }
#wizardCheckMark[status="ok"] { color: #1e7e34; }
#wizardCheckMark[status="warning"] { color: #a05a00; }
#wizardCheckMark[status="error"] { color: #c0262d; }
#wizardCheckFix { font-style: italic; }
#wizardLink, #wizardDetailsButton { color: palette(link); text-decoration: underline;
    border: none; padding: 0 4px; text-align: left; }
#wizardDetailsButton:disabled { color: palette(mid); text-decoration: none; }
"""


def ui_language() -> str:
    """The wizard's language: the app's (QLocale's default, set from its translators)."""
    return "en" if QLocale().name().lower().startswith("en") else "es"


class SetupWizard(QDialog):
    """The wizard. ``flow`` stays open after the dialog closes (the opener closes it).

    Signals:
        completed(): every needed check passed and the secrets are stored: go live.
        practice_chosen(): the owner chose to stay in practice mode.
        checked(object): a step was checked; its StepResult.
    """

    completed = Signal()
    practice_chosen = Signal()
    checked = Signal(object)  # the StepResult of every "Verificar" (also for tests)

    def __init__(
        self,
        flow: SetupFlow,
        *,
        start_at: StepId = StepId.WELCOME,
        skip: Iterable[StepId] = (),
        language: str | None = None,
        service: SettingsService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``service`` (the running core's facade) shows the voice-model picker on the model
        step; without one (no core yet) voice notes are left to the settings dialog."""
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowTitle(self.tr("Connect WhatsApp"))
        self.setMinimumSize(760, 520)
        self.resize(1000, 680)
        self.flow = flow
        self.language = language or ui_language()
        self.skip = frozenset(skip)
        self.went_live = False
        self._running: asyncio.Future[StepResult] | None = None
        self._closing: set[asyncio.Future[None]] = set()
        # A step whose check failed softly (no model yet, no message from the phone): the
        # owner sees the causes first; the next click goes on without checking again.
        self._soft_seen: StepId | None = None
        self._closed = False

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.step_list = QListWidget(self)
        self.step_list.setObjectName("wizardSteps")
        self.step_list.setFixedWidth(230)
        self.step_list.setWordWrap(True)
        layout.addWidget(self.step_list)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 12, 12)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("wizardStack")
        right.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(20, 0, 0, 0)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("wizardClose")
        self.back_button = QPushButton(self.tr("Back"), self)
        self.back_button.setObjectName("wizardBack")
        self.verify_button = QPushButton(self.tr("Check"), self)
        self.verify_button.setObjectName("wizardVerify")
        self.next_button = QPushButton(self.tr("Check and continue"), self)
        self.next_button.setObjectName("wizardNext")
        self.next_button.setDefault(True)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.next_button)
        right.addLayout(buttons)
        layout.addLayout(right, 1)

        self.pages: dict[StepId, StepPage] = {}
        for step in flow.steps:
            page = PAGE_TYPES[step.id](flow, self.language, self.stack)
            page.load()
            page.busy_changed.connect(self._on_page_busy_changed)
            self.pages[step.id] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(step.title.get(self.language), self.step_list)
            item.setData(Qt.ItemDataRole.UserRole, step.id.value)
            if step.id in self.skip:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setToolTip(
                    self.tr("Not needed now: WaBot is live and keeps this step up to date.")
                )
        model_page = self.pages.get(StepId.MODEL)
        if isinstance(model_page, ModelPage):
            model_page.set_voice_service(service)
        welcome = self.pages[StepId.WELCOME]
        assert isinstance(welcome, WelcomePage)
        welcome.practice_requested.connect(self._on_practice_requested)
        self.step_list.currentRowChanged.connect(self._on_step_row_changed)
        self.close_button.clicked.connect(self.reject)
        self.back_button.clicked.connect(self._on_back_clicked)
        self.verify_button.clicked.connect(self._on_verify_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.setStyleSheet(_STYLE)
        self.current = start_at
        self.go_to(start_at)

    # -- navigation ------------------------------------------------------------------------

    @property
    def page(self) -> StepPage:
        return self.pages[self.current]

    def go_to(self, step: StepId) -> None:
        if self.current in self.pages:
            self.pages[self.current].store()
        self._soft_seen = None
        self.current = step
        page = self.pages[step]
        page.load()
        self.stack.setCurrentWidget(page)
        row = [s.id for s in self.flow.steps].index(step)
        self.step_list.blockSignals(True)
        self.step_list.setCurrentRow(row)
        self.step_list.blockSignals(False)
        self._show_buttons()

    def _show_buttons(self) -> None:
        step = self.current
        busy = self._running is not None or self.page.busy
        self.back_button.setEnabled(
            not busy and sf.previous_step_skipping(step, self.skip) is not None
        )
        self.verify_button.setEnabled(not busy)
        self.next_button.setEnabled(not busy)
        if step is StepId.DONE:
            self.next_button.setText(self.tr("Save and go live"))
            self.verify_button.setVisible(False)
        elif step is StepId.WELCOME:
            self.next_button.setText(self.tr("Start"))
            self.verify_button.setVisible(False)
        elif self._soft_seen is step:
            self.next_button.setText(self.tr("Continue anyway"))
            self.verify_button.setVisible(True)
        else:
            self.next_button.setText(self.tr("Check and continue"))
            self.verify_button.setVisible(True)
        self.step_list.setEnabled(not busy)

    def _mark(self, result: StepResult) -> None:
        row = [s.id for s in self.flow.steps].index(result.step)
        item = self.step_list.item(row)
        title = self.flow.step(result.step).title.get(self.language)
        item.setText(f"{_MARKS[result.status]}  {title}")
        item.setData(Qt.ItemDataRole.UserRole + 1, result.status.value)

    def _on_step_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.flow.steps):
            step = self.flow.steps[row].id
            if step not in self.skip and step is not self.current:
                self.go_to(step)

    def _on_page_busy_changed(self, _busy: bool) -> None:
        self._show_buttons()

    # -- actions ---------------------------------------------------------------------------

    async def verify_current(self) -> StepResult | None:
        """Check the current step alone (the "Verificar" button)."""
        if self._running is not None:
            return None
        page = self.page
        future = asyncio.ensure_future(page.verify())
        self._running = future
        self._show_buttons()
        try:
            result = await run_action(None, future, parent=self)
        finally:
            self._running = None
            if isValid(self) and not self._closed:
                self._show_buttons()
        if not isValid(self) or self._closed:
            return None
        if result is not None:
            self._mark(result)
            self._soft_seen = None
            self.checked.emit(result)
        return result

    async def advance(self) -> None:
        """The "Verificar y seguir" button: check when needed, then the next step (or finish)."""
        step = self.current
        if step is StepId.WELCOME:
            # Practice mode is the welcome page's own button (practice_requested), not an answer.
            result = self.flow.results.get(step) or await self.verify_current()
        elif self._soft_seen is step:
            result = self.flow.results.get(step)
        else:
            result = await self.verify_current()
        if result is None or not sf.can_advance(result):
            return
        if result.failed is not None and self._soft_seen is not step:
            self._soft_seen = step
            self._show_buttons()
            return
        if step is StepId.DONE:
            if result.ok:
                await self._finish()
            return
        following = sf.next_step_skipping(step, self.flow.answers, self.skip)
        if following is not None:
            self.go_to(following)

    async def _finish(self) -> None:
        # The wizard's own server and tunnel stop now: the live core needs the port.
        for page in self.pages.values():
            await page.cancel_work()
        self.went_live = True
        self._closed = True
        self.completed.emit()
        self.accept()

    def _on_practice_requested(self) -> None:
        self.practice_chosen.emit()
        self.reject()

    @async_slot()
    async def _on_verify_clicked(self) -> None:
        await self.verify_current()

    @async_slot()
    async def _on_next_clicked(self) -> None:
        await self.advance()

    def _on_back_clicked(self) -> None:
        before = sf.previous_step_skipping(self.current, self.skip)
        if before is not None:
            self.go_to(before)

    # -- closing -----------------------------------------------------------------------------

    def reject(self) -> None:
        self._closed = True
        for page in self.pages.values():
            page.store()
        if self._running is not None:
            self._running.cancel()
        for page in self.pages.values():
            task = asyncio.ensure_future(page.cancel_work())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        super().reject()

    async def wait_closed(self) -> None:
        """Wait until downloads and waits stopped by closing have ended (before deleting)."""
        while self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.reject()
        event.accept()
