"""The prompt editor: how the bot talks, what it knows, its texts, versions, try it, checks.

The window edits an unsaved draft (a :class:`Knowledge`); "Save version" stores it and makes it
live at once. It talks to the core only through the ``BotService`` facade (see
:class:`KnowledgeService`). Customer text (in "Try it") is shown as plain text only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

# The knowledge's value types come re-exported from the facade (the GUI imports nothing from
# core.knowledge or core.llm); previews, diffs, imports and the model go through BotService.
from wabot_desktop.core.service import (
    TEXT_KEYS,
    VARIABLES,
    WEEKDAYS,
    Check,
    CheckResult,
    DeliveryZone,
    Facts,
    FaqItem,
    ImportResult,
    Knowledge,
    KnowledgePreview,
    PriceItem,
    UnreadableFileError,
    VersionInfo,
)
from wabot_desktop.gui.actions import async_slot, choose_path, run_action


class KnowledgeService(Protocol):
    """The BotService methods the editor uses."""

    async def knowledge_draft(self) -> Knowledge: ...

    def knowledge_preview(
        self, draft: Knowledge, *, sample: Sequence[str] | None = None
    ) -> KnowledgePreview: ...

    def knowledge_diff(
        self, old: Knowledge, new: Knowledge, old_label: str, new_label: str
    ) -> str: ...

    def parse_amount(self, text: str) -> float: ...

    async def read_knowledge_file(self, path: Path) -> ImportResult: ...

    def apply_knowledge_import(self, draft: Knowledge, result: ImportResult) -> Knowledge: ...

    async def export_knowledge(self, draft: Knowledge, folder: Path) -> list[Path]: ...

    def llm_help_text(self, language: str) -> str: ...

    async def llm_ready(self) -> bool: ...

    async def try_knowledge(
        self, draft: Knowledge, text: str, *, on_token: Callable[[str], None] | None = None
    ) -> str: ...

    async def run_knowledge_checks(
        self, draft: Knowledge, *, on_result: Callable[[CheckResult], None] | None = None
    ) -> list[CheckResult]: ...

    async def save_knowledge(self, knowledge: Knowledge, note: str) -> VersionInfo: ...

    async def knowledge_versions(self) -> list[VersionInfo]: ...

    async def knowledge_version(self, version_id: int) -> Knowledge: ...

    async def rollback_knowledge(self, version_id: int) -> VersionInfo: ...

    def model_context_tokens(self) -> int | None: ...


def _split(text: str, sep: str = ",") -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(sep) if part.strip())


def _hours(text: str) -> list[list[str]]:
    ranges = []
    for part in _split(text):
        start, _, end = part.partition("-")
        if start.strip() and end.strip():
            ranges.append([start.strip(), end.strip()])
    return ranges


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def _checked(table: QTableWidget, row: int, column: int) -> bool:
    item = table.item(row, column)
    return item is not None and item.checkState() == Qt.CheckState.Checked


def _check_item(on: bool) -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
    item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
    return item


def _table(parent: QWidget, headers: Sequence[str], narrow: Sequence[int] = ()) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    for column in narrow:  # yes/no and short columns take only what they need
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    table.verticalHeader().setVisible(False)
    return table


class PromptEditorWindow(QMainWindow):
    """See the module docstring.

    Signals:
        saved(int): a version was saved or restored (its id).
    """

    saved = Signal(int)

    def __init__(self, service: KnowledgeService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promptEditor")
        self.setWindowTitle(self.tr("What the bot knows and how it talks"))
        self._service = service
        self._draft = Knowledge()
        self._loading = False
        self._versions: list[VersionInfo] = []
        self.last_results: list[CheckResult] = []
        self.last_import: ImportResult | None = None

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.tabs = QTabWidget(central)
        layout.addWidget(self.tabs)
        bottom = QHBoxLayout()
        self.note_edit = QLineEdit(central)
        self.note_edit.setPlaceholderText(self.tr("Short note for this version (what changed)"))
        self.save_button = QPushButton(self.tr("Save version"), central)
        self.save_button.setObjectName("saveVersion")
        self.status_label = QLabel(central)
        bottom.addWidget(self.note_edit, 1)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)
        layout.addWidget(self.status_label)
        self.setCentralWidget(central)

        self._build_prompt_tab()
        self._build_knowledge_tab()
        self._build_texts_tab()
        self._build_versions_tab()
        self._build_try_tab()
        self._build_checks_tab()
        self.save_button.clicked.connect(self._on_save_clicked)

    # -- tabs ------------------------------------------------------------------------------

    def _build_prompt_tab(self) -> None:
        tab = QWidget(self.tabs)
        layout = QVBoxLayout(tab)
        layout.addWidget(
            QLabel(self.tr("Instructions for the bot. Click a chip to insert it."), tab)
        )
        chips = QHBoxLayout()
        self.chips: dict[str, QPushButton] = {}
        for name in VARIABLES:
            chip = QPushButton("{" + name + "}", tab)
            chip.setObjectName(f"chip_{name}")
            chip.clicked.connect(lambda _=False, n=name: self.insert_variable(n))
            chips.addWidget(chip)
            self.chips[name] = chip
        chips.addStretch(1)
        layout.addLayout(chips)
        self.prompt_edit = QPlainTextEdit(tab)
        self.prompt_edit.setObjectName("promptEdit")
        layout.addWidget(self.prompt_edit, 3)
        self.unknown_label = QLabel(tab)
        self.unknown_label.setObjectName("unknownVariables")
        self.unknown_label.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.unknown_label)
        self.tokens_label = QLabel(tab)
        layout.addWidget(self.tokens_label)
        layout.addWidget(
            QLabel(self.tr("Preview: the prompt exactly as the model receives it"), tab)
        )
        self.preview_edit = QPlainTextEdit(tab)
        self.preview_edit.setReadOnly(True)
        layout.addWidget(self.preview_edit, 2)
        self.prompt_edit.textChanged.connect(self.refresh_preview)
        self.tabs.addTab(tab, self.tr("How the bot talks"))

    def _build_knowledge_tab(self) -> None:
        scroll = QScrollArea(self.tabs)
        scroll.setWidgetResizable(True)
        tab = QWidget(scroll)
        layout = QVBoxLayout(tab)
        form = QFormLayout()
        self.name_edit = QLineEdit(tab)
        self.address_edit = QLineEdit(tab)
        self.map_edit = QLineEdit(tab)
        self.payments_edit = QLineEdit(tab)
        self.payments_edit.setPlaceholderText(self.tr("Cash, transfer, card"))
        self.closed_edit = QLineEdit(tab)
        self.closed_edit.setPlaceholderText("2026-12-25, 2027-01-01")
        self.zone_edit = QLineEdit(tab)
        self.zone_edit.setPlaceholderText(self.tr("Empty = this computer's time zone"))
        form.addRow(self.tr("Business name"), self.name_edit)
        self.hour_edits: dict[str, QLineEdit] = {}
        day_names = (
            self.tr("Monday"), self.tr("Tuesday"), self.tr("Wednesday"), self.tr("Thursday"),
            self.tr("Friday"), self.tr("Saturday"), self.tr("Sunday"),
        )  # fmt: skip
        for key, label in zip(WEEKDAYS, day_names, strict=True):
            edit = QLineEdit(tab)
            edit.setPlaceholderText(self.tr("09:00-13:00, 14:00-19:00 (empty = closed)"))
            self.hour_edits[key] = edit
            form.addRow(label, edit)
        form.addRow(self.tr("Closed dates"), self.closed_edit)
        form.addRow(self.tr("Address"), self.address_edit)
        form.addRow(self.tr("Map link"), self.map_edit)
        form.addRow(self.tr("Payment methods"), self.payments_edit)
        form.addRow(self.tr("Time zone"), self.zone_edit)
        layout.addLayout(form)
        layout.addWidget(
            QLabel(self.tr("Delivery zones and costs (one per line: zone: cost)"), tab)
        )
        self.delivery_edit = QPlainTextEdit(tab)
        self.delivery_edit.setMaximumHeight(70)
        layout.addWidget(self.delivery_edit)
        layout.addWidget(QLabel(self.tr("Policies (returns, orders, anything else)"), tab))
        self.policies_edit = QPlainTextEdit(tab)
        self.policies_edit.setMaximumHeight(70)
        layout.addWidget(self.policies_edit)

        layout.addWidget(QLabel(self.tr("Frequently asked questions"), tab))
        self.faq_table = _table(
            tab,
            [self.tr("Question"), self.tr("Answer"), self.tr("On"), self.tr("Direct answer")],
            (2, 3),
        )
        self.faq_table.setMinimumHeight(160)
        layout.addWidget(self.faq_table)
        layout.addWidget(
            QLabel(self.tr("Prices come from this list only; other amounts are never sent."), tab)
        )
        self.price_table = _table(
            tab,
            [self.tr("Product"), self.tr("Variants"), self.tr("Price"), self.tr("Currency"),
             self.tr("Available")],
            (2, 3, 4),
        )  # fmt: skip
        self.price_table.setMinimumHeight(160)
        layout.addWidget(self.price_table)
        buttons = QHBoxLayout()
        self.add_faq_button = QPushButton(self.tr("Add question"), tab)
        self.add_price_button = QPushButton(self.tr("Add product"), tab)
        self.import_button = QPushButton(self.tr("Import CSV/Excel…"), tab)
        self.export_button = QPushButton(self.tr("Export…"), tab)
        for button in (self.add_faq_button, self.add_price_button, self.import_button,
                       self.export_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.import_label = QLabel(tab)
        self.import_label.setWordWrap(True)
        self.import_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.import_label)
        scroll.setWidget(tab)
        self.add_faq_button.clicked.connect(lambda: self._add_faq_row(FaqItem("", "")))
        self.add_price_button.clicked.connect(lambda: self._add_price_row(PriceItem("", 0.0)))
        self.import_button.clicked.connect(self._on_import_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        for edit in (self.name_edit, self.address_edit, self.map_edit, self.payments_edit,
                     self.closed_edit, self.zone_edit, *self.hour_edits.values()):  # fmt: skip
            edit.textChanged.connect(self.refresh_preview)
        self.faq_table.itemChanged.connect(self.refresh_preview)
        self.price_table.itemChanged.connect(self.refresh_preview)
        self.tabs.addTab(scroll, self.tr("What the bot knows"))

    def _build_texts_tab(self) -> None:
        tab = QWidget(self.tabs)
        layout = QFormLayout(tab)
        labels = {
            "greeting": self.tr("Greeting"),
            "away": self.tr("Away (outside hours)"),
            "handoff": self.tr("Passing to a person"),
            "opt_out_confirm": self.tr("Opt-out confirmation"),
            "media_unreadable": self.tr("Can't read this message"),
            "no_answer": self.tr("Fallback (no answer)"),
        }
        self.text_edits: dict[str, QPlainTextEdit] = {}
        for key in TEXT_KEYS:
            edit = QPlainTextEdit(tab)
            edit.setMaximumHeight(80)
            self.text_edits[key] = edit
            layout.addRow(labels[key], edit)
        hint = QLabel(self.tr("Empty = the default text for the language (shown in grey)."), tab)
        layout.addRow(hint)
        self.greeting_check = QCheckBox(self.tr("Greet new customers with the greeting"), tab)
        self.away_check = QCheckBox(
            self.tr("Outside opening hours, send the away text instead of answering"), tab
        )
        self.handoff_edit = QLineEdit(tab)
        self.handoff_edit.setPlaceholderText(self.tr("person, human, agent"))
        layout.addRow(self.greeting_check)
        layout.addRow(self.away_check)
        layout.addRow(self.tr("Words that pass the chat to a person"), self.handoff_edit)
        self.tabs.addTab(tab, self.tr("Texts"))

    def _build_versions_tab(self) -> None:
        tab = QWidget(self.tabs)
        layout = QHBoxLayout(tab)
        left = QVBoxLayout()
        self.versions_list = QListWidget(tab)
        self.versions_list.setObjectName("versionsList")
        left.addWidget(self.versions_list)
        self.rollback_button = QPushButton(self.tr("Make this version active"), tab)
        self.rollback_button.setObjectName("rollback")
        left.addWidget(self.rollback_button)
        layout.addLayout(left, 1)
        self.diff_view = QPlainTextEdit(tab)
        self.diff_view.setReadOnly(True)
        self.diff_view.setPlaceholderText(self.tr("Choose a version to see what changed since it."))
        layout.addWidget(self.diff_view, 2)
        self.versions_list.currentRowChanged.connect(self._on_version_selected)
        self.rollback_button.clicked.connect(self._on_rollback_clicked)
        self.tabs.addTab(tab, self.tr("Versions"))

    def _build_try_tab(self) -> None:
        tab = QWidget(self.tabs)
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel(self.tr("Talk to the local model with the unsaved draft."), tab))
        self.chat_view = QPlainTextEdit(tab)
        self.chat_view.setReadOnly(True)
        layout.addWidget(self.chat_view, 1)
        row = QHBoxLayout()
        self.try_edit = QLineEdit(tab)
        self.try_edit.setPlaceholderText(self.tr("Write as a customer would…"))
        self.try_button = QPushButton(self.tr("Send"), tab)
        row.addWidget(self.try_edit, 1)
        row.addWidget(self.try_button)
        layout.addLayout(row)
        self.speed_label = QLabel(tab)
        layout.addWidget(self.speed_label)
        self.try_button.clicked.connect(self._on_try_clicked)
        self.try_edit.returnPressed.connect(self._on_try_clicked)
        self.tabs.addTab(tab, self.tr("Try it"))

    def _build_checks_tab(self) -> None:
        tab = QWidget(self.tabs)
        layout = QVBoxLayout(tab)
        layout.addWidget(
            QLabel(self.tr("Example questions and what the answer must (not) contain."), tab)
        )
        self.checks_table = _table(
            tab,
            [self.tr("Question"), self.tr("Must contain"), self.tr("Must not contain"),
             self.tr("Result")],
        )  # fmt: skip
        layout.addWidget(self.checks_table, 1)
        row = QHBoxLayout()
        self.add_check_button = QPushButton(self.tr("Add check"), tab)
        self.run_checks_button = QPushButton(self.tr("Test all"), tab)
        self.run_checks_button.setObjectName("runChecks")
        row.addWidget(self.add_check_button)
        row.addWidget(self.run_checks_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.checks_label = QLabel(tab)
        self.checks_label.setWordWrap(True)
        layout.addWidget(self.checks_label)
        self.add_check_button.clicked.connect(lambda: self._add_check_row(Check("")))
        self.run_checks_button.clicked.connect(self._on_run_checks_clicked)
        self.tabs.addTab(tab, self.tr("Checks"))

    # -- loading and collecting ------------------------------------------------------------

    async def load(self) -> None:
        """Show the active version (or the settings before the first save) and the history."""
        self.populate(await self._service.knowledge_draft())
        await self._reload_versions()

    def populate(self, knowledge: Knowledge) -> None:
        self._loading = True
        try:
            self._draft = knowledge
            self.prompt_edit.setPlainText(knowledge.prompt)
            facts = knowledge.facts
            self.name_edit.setText(facts.name)
            for key, edit in self.hour_edits.items():
                edit.setText(", ".join(f"{r[0]}-{r[1]}" for r in facts.hours.get(key, [])))
            self.closed_edit.setText(", ".join(facts.closed_dates))
            self.address_edit.setText(facts.address)
            self.map_edit.setText(facts.map_link)
            self.payments_edit.setText(", ".join(facts.payment_methods))
            self.zone_edit.setText(facts.time_zone)
            self.delivery_edit.setPlainText(
                "\n".join(f"{z.name}: {z.cost}" if z.cost else z.name for z in facts.delivery_zones)
            )
            self.policies_edit.setPlainText(facts.policies)
            self.faq_table.setRowCount(0)
            for entry in knowledge.faq:
                self._add_faq_row(entry)
            self.price_table.setRowCount(0)
            for item in knowledge.prices:
                self._add_price_row(item)
            for key, text_edit in self.text_edits.items():
                text_edit.setPlainText(knowledge.texts.get(key, ""))
                text_edit.setPlaceholderText(Knowledge(language=knowledge.language).text(key))
            self.greeting_check.setChecked(knowledge.greeting_enabled)
            self.away_check.setChecked(knowledge.away_outside_hours)
            self.handoff_edit.setText(", ".join(knowledge.handoff_keywords))
            self.checks_table.setRowCount(0)
            for check in knowledge.checks:
                self._add_check_row(check)
        finally:
            self._loading = False
        self.refresh_preview()

    def _add_faq_row(self, entry: FaqItem) -> None:
        row = self.faq_table.rowCount()
        self.faq_table.insertRow(row)
        self.faq_table.setItem(row, 0, QTableWidgetItem(entry.question))
        self.faq_table.setItem(row, 1, QTableWidgetItem(entry.answer))
        self.faq_table.setItem(row, 2, _check_item(entry.enabled))
        self.faq_table.setItem(row, 3, _check_item(entry.direct))

    def _add_price_row(self, item: PriceItem) -> None:
        row = self.price_table.rowCount()
        self.price_table.insertRow(row)
        self.price_table.setItem(row, 0, QTableWidgetItem(item.name))
        self.price_table.setItem(row, 1, QTableWidgetItem(item.variants))
        self.price_table.setItem(row, 2, QTableWidgetItem(f"{item.price:g}" if item.name else ""))
        self.price_table.setItem(row, 3, QTableWidgetItem(item.currency))
        self.price_table.setItem(row, 4, _check_item(item.available))

    def _add_check_row(self, check: Check) -> None:
        row = self.checks_table.rowCount()
        self.checks_table.insertRow(row)
        self.checks_table.setItem(row, 0, QTableWidgetItem(check.question))
        self.checks_table.setItem(row, 1, QTableWidgetItem(", ".join(check.must_contain)))
        self.checks_table.setItem(row, 2, QTableWidgetItem(", ".join(check.must_not_contain)))
        result = QTableWidgetItem("")
        result.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.checks_table.setItem(row, 3, result)

    def collect(self) -> Knowledge:
        """The draft as the widgets show it now."""
        zones = []
        for line in self.delivery_edit.toPlainText().splitlines():
            name, _, cost = line.partition(":")
            if name.strip():
                zones.append(DeliveryZone(name.strip(), cost.strip()))
        facts = Facts(
            name=self.name_edit.text().strip(),
            hours={key: _hours(edit.text()) for key, edit in self.hour_edits.items()},
            closed_dates=_split(self.closed_edit.text()),
            address=self.address_edit.text().strip(),
            map_link=self.map_edit.text().strip(),
            payment_methods=_split(self.payments_edit.text()),
            delivery_zones=tuple(zones),
            policies=self.policies_edit.toPlainText().strip(),
            time_zone=self.zone_edit.text().strip(),
        )
        faq = []
        for row in range(self.faq_table.rowCount()):
            question, answer = _cell(self.faq_table, row, 0), _cell(self.faq_table, row, 1)
            if question or answer:
                faq.append(
                    FaqItem(question, answer, _checked(self.faq_table, row, 2),
                            _checked(self.faq_table, row, 3))
                )  # fmt: skip
        prices = []
        for row in range(self.price_table.rowCount()):
            name = _cell(self.price_table, row, 0)
            try:
                price = self._service.parse_amount(_cell(self.price_table, row, 2) or "0")
            except ValueError:
                price = 0.0
            if name:
                prices.append(
                    PriceItem(name, price, _cell(self.price_table, row, 1),
                              _cell(self.price_table, row, 3), _checked(self.price_table, row, 4))
                )  # fmt: skip
        checks = []
        for row in range(self.checks_table.rowCount()):
            question = _cell(self.checks_table, row, 0)
            if question:
                checks.append(
                    Check(question, _split(_cell(self.checks_table, row, 1)),
                          _split(_cell(self.checks_table, row, 2)))
                )  # fmt: skip
        texts = {k: e.toPlainText().strip() for k, e in self.text_edits.items()}
        return self._draft.replace(
            prompt=self.prompt_edit.toPlainText(),
            facts=facts,
            faq=tuple(faq),
            prices=tuple(prices),
            texts={k: v for k, v in texts.items() if v},
            checks=tuple(checks),
            greeting_enabled=self.greeting_check.isChecked(),
            away_outside_hours=self.away_check.isChecked(),
            handoff_keywords=_split(self.handoff_edit.text()),
        )

    # -- prompt tab ------------------------------------------------------------------------

    def insert_variable(self, name: str) -> None:
        self.prompt_edit.insertPlainText("{" + name + "}")
        self.prompt_edit.setFocus()

    def refresh_preview(self) -> None:
        if self._loading:
            return
        draft = self.collect()
        shown = self._service.knowledge_preview(draft)
        self.preview_edit.setPlainText(shown.text)
        if shown.unknown:
            names = ", ".join("{" + n + "}" for n in shown.unknown)
            self.unknown_label.setText(self.tr("Unknown variables: {names}").format(names=names))
        else:
            self.unknown_label.setText("")
        text = self.tr("About {tokens} tokens of {context} in the model's context window")
        self.tokens_label.setText(
            text.format(tokens=shown.tokens, context=shown.budget.context_tokens)
        )

    # -- saving and versions ---------------------------------------------------------------

    @async_slot()
    async def _on_save_clicked(self) -> None:
        await self.save_version()

    async def save_version(self) -> VersionInfo | None:
        draft = self.collect()
        note = self.note_edit.text().strip() or self.tr("Changes")
        info = await run_action(
            self.save_button, self._service.save_knowledge(draft, note), parent=self
        )
        if info is None:
            return None
        self._draft = draft
        self.note_edit.clear()
        self.status_label.setText(
            self.tr("Version {id} saved: the bot uses it now.").format(id=info.id)
        )
        await self._reload_versions()
        self.saved.emit(info.id)
        return info

    async def _reload_versions(self) -> None:
        self._versions = await self._service.knowledge_versions()
        self.versions_list.clear()
        for index, version in enumerate(self._versions):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(version.created_at))
            label = f"{version.id} · {when} · {version.note}"
            if index == 0:
                label += "  " + self.tr("(active)")
            item = QListWidgetItem(label)
            self.versions_list.addItem(item)

    @async_slot(int)
    async def _on_version_selected(self, row: int) -> None:
        if not 0 <= row < len(self._versions):
            self.diff_view.clear()
            return
        version = self._versions[row]
        old = await self._service.knowledge_version(version.id)
        text = self._service.knowledge_diff(old, self.collect(), f"v{version.id}", self.tr("draft"))
        self.diff_view.setPlainText(text or self.tr("No differences with the draft."))

    @async_slot()
    async def _on_rollback_clicked(self) -> None:
        await self.rollback_selected()

    async def rollback_selected(self) -> VersionInfo | None:
        row = self.versions_list.currentRow()
        if not 0 <= row < len(self._versions):
            return None
        version_id = self._versions[row].id
        info = await run_action(
            self.rollback_button, self._service.rollback_knowledge(version_id), parent=self
        )
        if info is None:
            return None
        self.populate(await self._service.knowledge_version(info.id))
        self.status_label.setText(
            self.tr("Version {old} is active again (as version {id}).").format(
                old=version_id, id=info.id
            )
        )
        await self._reload_versions()
        self.saved.emit(info.id)
        return info

    # -- import / export -------------------------------------------------------------------

    @async_slot()
    async def _on_import_clicked(self) -> None:
        path = await choose_path(
            self,
            self.tr("Import FAQ or price list"),
            name_filter=self.tr("Tables (*.csv *.xlsx)"),
            object_name="knowledgeImportDialog",
        )
        if path is not None:
            await self.import_file(path)

    async def import_file(self, path: Path) -> ImportResult | None:
        """Read ``path`` into the draft (FAQ or prices); nothing changes if a row is bad."""
        try:
            result = await self._service.read_knowledge_file(path)
        except UnreadableFileError as exc:
            self.import_label.setText(
                self.tr("Could not read {file}: {error}").format(file=path.name, error=str(exc))
            )
            return None
        self.last_import = result
        if result.bad_rows:
            lines = [
                self.tr("Line {line}: {problem}").format(line=b.line, problem=b.message)
                for b in result.bad_rows
            ]
            head = self.tr("Nothing was imported; fix these rows and try again:")
            self.import_label.setText("\n".join([head, *lines]))
            return result
        self.populate(self._service.apply_knowledge_import(self.collect(), result))
        self.import_label.setText(
            self.tr("Imported {count} rows from {file} (save a version to use them).").format(
                count=result.count, file=path.name
            )
        )
        return result

    @async_slot()
    async def _on_export_clicked(self) -> None:
        folder = await choose_path(
            self, self.tr("Export to folder"), folder=True, object_name="knowledgeExportDialog"
        )
        if folder is not None:
            written = await self._service.export_knowledge(self.collect(), folder)
            self.import_label.setText(
                self.tr("Exported: {files}").format(files=", ".join(p.name for p in written))
            )

    # -- try it and checks -----------------------------------------------------------------

    async def _llm_or_explain(self, label: QLabel) -> bool:
        """True when the local model answers; else False after telling how to enable it."""
        if await self._service.llm_ready():
            return True
        label.setText(self._service.llm_help_text(self._draft.language))
        return False

    @async_slot()
    async def _on_try_clicked(self) -> None:
        await self.try_message()

    async def try_message(self) -> str | None:
        text = self.try_edit.text().strip()
        ready = await self._llm_or_explain(self.speed_label)
        if not text or not ready:
            return None
        self.try_edit.clear()
        draft = self.collect()
        self.chat_view.appendPlainText(self.tr("Customer: {text}").format(text=text))
        self.chat_view.appendPlainText(self.tr("Bot: "))
        started = time.perf_counter()
        first: list[float] = []
        pieces: list[str] = []

        def token(piece: str) -> None:
            if not first:
                first.append(time.perf_counter())
            pieces.append(piece)
            self.chat_view.insertPlainText(piece)

        try:
            answer = await self._service.try_knowledge(draft, text, on_token=token)
        except Exception as exc:  # shown, not raised: the draft stays editable
            self.speed_label.setText(
                self.tr("The model did not answer: {error}").format(error=type(exc).__name__)
            )
            return None
        done = time.perf_counter()
        if first:
            rate = len(pieces) / max(done - first[0], 1e-6)
            self.speed_label.setText(
                self.tr("First token after {ttft} ms · {rate} tokens/s").format(
                    ttft=round((first[0] - started) * 1000), rate=round(rate, 1)
                )
            )
        return answer

    @async_slot()
    async def _on_run_checks_clicked(self) -> None:
        await self.run_all_checks()

    async def run_all_checks(self) -> list[CheckResult]:
        if not await self._llm_or_explain(self.checks_label):
            return []
        draft = self.collect()
        rows = {c.question: r for r in range(self.checks_table.rowCount())
                for c in [Check(_cell(self.checks_table, r, 0))]}  # fmt: skip

        def show(result: CheckResult) -> None:
            row = rows.get(result.check.question)
            if row is None:
                return
            item = self.checks_table.item(row, 3)
            if item is not None:
                mark = self.tr("Pass") if result.passed else self.tr("Fail")
                item.setText(f"{mark}: {result.answer}" if result.answer else mark)
                item.setToolTip(result.answer)

        self.run_checks_button.setEnabled(False)
        try:
            self.last_results = await self._service.run_knowledge_checks(draft, on_result=show)
        finally:
            self.run_checks_button.setEnabled(True)
        passed = sum(r.passed for r in self.last_results)
        self.checks_label.setText(
            self.tr("{passed} of {total} checks pass.").format(
                passed=passed, total=len(self.last_results)
            )
        )
        return self.last_results
