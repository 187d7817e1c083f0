"""The customer's phone beside the monitor in simulator mode.

Pick or make up a fake customer, then write, send a photo, a location or a voice message, or tap
the buttons the bot sent. Every action goes through the :class:`Simulator` facade, which builds
the Cloud API webhook a real phone would cause, signs it and POSTs it to WaBot's own webhook
server; what the business sends back arrives through the sandbox's Graph API stand-in and shows
up here, with ticks and the "typing…" indicator, as on the customer's WhatsApp.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from wabot_desktop.core.dto import LlmState
from wabot_desktop.core.simulator import SandboxCustomer, SandboxError, SandboxMessage, Simulator
from wabot_desktop.gui import texts
from wabot_desktop.gui.actions import async_slot, exec_dialog, run_action
from wabot_desktop.gui.bridge import CoreBridge, SandboxBridge
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.simulator.customer_dialog import NewCustomerDialog
from wabot_desktop.gui.simulator.phone_model import PhoneRole
from wabot_desktop.gui.simulator.phone_pane_view import OLLAMA_DOWNLOAD_URL, PhonePaneView
from wabot_desktop.gui.tasks import TaskOwner
from wabot_desktop.gui.theme import chat_colors

logger = logging.getLogger(__name__)

# "Share location" sends a pin without a name, as a phone's current location does (Zócalo, CDMX).
PRESET_LOCATION = (19.432608, -99.133209)


@dataclass(frozen=True, slots=True)
class _Choice:
    """A reply button or list row offered in a menu."""

    wamid: str
    choice_id: str
    title: str
    description: str | None
    is_row: bool


def _menu_text(text: str) -> str:
    """A customer-chosen title as a menu item (a lone "&" would become a shortcut)."""
    return text.replace("&", "&&")


class PhonePane(QWidget):
    """Controller of the phone pane.

    Signals:
        customer_changed(str): the wa_id of the customer now shown ("" for none).
        action_failed(str): a customer action did not reach WaBot (the shown explanation).
    """

    customer_changed = Signal(str)
    action_failed = Signal(str)

    def __init__(
        self, service: MonitorService, simulator: Simulator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("phonePaneHost")
        self._service = service
        self._simulator = simulator
        self._tasks = TaskOwner("phone-pane")
        self._customer: SandboxCustomer | None = None
        self._llm_state = LlmState.UNKNOWN
        self._llm_model = ""
        self._choices: list[_Choice] = []
        self.sandbox_bridge = SandboxBridge(simulator, self)
        self.view = PhonePaneView(self)
        self.model = self.view.model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.view.business_label.setText(simulator.business_name)
        self._connect_signals()

    def _connect_signals(self) -> None:
        view = self.view
        # Sandbox events (the customer's side)
        self.sandbox_bridge.message_added.connect(self._on_sandbox_message_added)
        self.sandbox_bridge.message_changed.connect(self._on_sandbox_message_changed)
        self.sandbox_bridge.typing_changed.connect(self._on_sandbox_typing_changed)
        self.sandbox_bridge.customer_added.connect(self._on_sandbox_customer_added)
        # Customer picker
        view.customer_combo.currentIndexChanged.connect(
            self._on_customer_combo_current_index_changed
        )
        view.new_customer_button.clicked.connect(self._on_new_customer_button_clicked)
        # Composer and attachments
        view.send_button.clicked.connect(self._on_send_button_clicked)
        view.edit.returnPressed.connect(self._on_send_button_clicked)
        view.photo_action.triggered.connect(self._on_photo_action_triggered)
        view.location_action.triggered.connect(self._on_location_action_triggered)
        view.voice_action.triggered.connect(self._on_voice_action_triggered)
        # The bot's buttons and lists
        view.delegate.button_tapped.connect(self._on_delegate_button_tapped)
        view.delegate.list_opened.connect(self._on_delegate_list_opened)
        view.message_list.activated.connect(self._on_message_list_activated)
        self.model.rowsInserted.connect(lambda *_args: view.message_list.scrollToBottom())

    def connect_bridge(self, bridge: CoreBridge) -> None:
        """Follow the AI's state (the notice about Ollama)."""
        bridge.llm_state_changed.connect(self._on_bridge_llm_state_changed)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Show the sandbox's customers (making up a first one), then follow its events."""
        customers = self._simulator.customers()
        for customer in customers:
            self._add_customer_item(customer)
        if not customers:
            # A first customer, so a new shop owner can type right away.
            self._add_customer_item(self._simulator.add_customer(self.tr("Test customer")))
        self.sandbox_bridge.start_delivery()
        self._tasks.spawn(self._load_health(), name="health")
        self.refresh_business_name()

    def close_pane(self) -> None:
        """Stop following the sandbox and cancel pending work (before the core stops)."""
        self._tasks.close()
        self.sandbox_bridge.close()

    def refresh_business_name(self) -> None:
        """Show the business's name from the settings in the phone's header."""
        self._tasks.spawn(self._load_business_name(), name="business-name")

    async def _load_business_name(self) -> None:
        name = str(await self._service.get_setting("business_name") or "").strip()
        self.view.business_label.setText(name or self._simulator.business_name)

    async def _load_health(self) -> None:
        health = await self._service.health()
        self._show_llm_state(health.llm, health.llm_model)

    # -- customers -------------------------------------------------------------------------

    @property
    def customer(self) -> SandboxCustomer | None:
        """The customer whose phone is shown."""
        return self._customer

    def select_customer(self, wa_id: str) -> None:
        combo = self.view.customer_combo
        index = combo.findData(wa_id)
        if index >= 0:
            combo.setCurrentIndex(index)

    @staticmethod
    def _customer_text(customer: SandboxCustomer) -> str:
        number = texts.format_phone(customer.wa_id)
        if customer.name == number:
            return number
        return f"{customer.name} ({number})"

    def _add_customer_item(self, customer: SandboxCustomer) -> None:
        combo = self.view.customer_combo
        index = combo.findData(customer.wa_id)
        if index >= 0:
            combo.setItemText(index, self._customer_text(customer))
            return
        combo.addItem(self._customer_text(customer), customer.wa_id)

    def _on_sandbox_customer_added(self, customer: object) -> None:
        if isinstance(customer, SandboxCustomer):
            self._add_customer_item(customer)

    def _on_customer_combo_current_index_changed(self, index: int) -> None:
        wa_id = self.view.customer_combo.itemData(index) if index >= 0 else None
        customer = self._simulator.customer(str(wa_id)) if wa_id else None
        self._customer = customer
        if customer is None:
            self.model.set_chat(None, [])
        else:
            self.model.set_chat(customer.wa_id, self._simulator.messages(customer))
        self._show_typing(customer is not None and self._simulator.is_typing(customer))
        self.view.error_label.hide()
        self.view.message_list.scrollToBottom()
        self.customer_changed.emit(customer.wa_id if customer is not None else "")

    @async_slot()
    async def _on_new_customer_button_clicked(self) -> None:
        dialog = NewCustomerDialog(self)
        accepted = await exec_dialog(dialog)
        name, number = dialog.name, dialog.number
        dialog.deleteLater()
        if accepted != NewCustomerDialog.DialogCode.Accepted:
            return
        try:
            customer = self._simulator.add_customer(name, number)
        except ValueError:  # the dialog checks the number; this is a last guard
            logger.info("sandbox refused a new customer")
            return
        self._add_customer_item(customer)
        self.select_customer(customer.wa_id)
        self.view.edit.setFocus()

    # -- the customer's actions ------------------------------------------------------------

    async def _act(self, work: Awaitable[str]) -> str | None:
        """Run one customer action with the composer's controls disabled meanwhile."""
        view = self.view
        result = await run_action(
            [view.send_button, view.attach_button],
            work,
            parent=self,
            failure=self._on_action_failed,
        )
        if result is not None:
            view.error_label.hide()
        return result

    def _on_action_failed(self, exc: BaseException) -> None:
        if isinstance(exc, SandboxError):
            logger.info("simulated message not accepted: %s", exc)
            text = self.tr(
                "WaBot did not receive this message (its webhook server did not answer). "
                "Try again in a moment."
            )
        else:
            logger.error("simulated customer action failed", exc_info=exc)
            text = self.tr("This could not be sent. The details were saved in WaBot's log file.")
        self.view.error_label.setText(text)
        self.view.error_label.show()
        self.action_failed.emit(text)

    @async_slot()
    async def _on_send_button_clicked(self) -> None:
        text = self.view.edit.text()
        customer = self._customer
        if customer is None or not text.strip():
            return
        self.view.edit.clear()
        await self._act(self._simulator.send_text(customer, text))

    @async_slot()
    async def _on_photo_action_triggered(self) -> None:
        customer = self._customer
        if customer is None:
            return
        caption = self.view.edit.text().strip()
        self.view.edit.clear()
        await self._act(self._simulator.send_photo(customer, caption or None))

    @async_slot()
    async def _on_location_action_triggered(self) -> None:
        customer = self._customer
        if customer is None:
            return
        latitude, longitude = PRESET_LOCATION
        await self._act(self._simulator.send_location(customer, latitude, longitude))

    @async_slot()
    async def _on_voice_action_triggered(self) -> None:
        customer = self._customer
        if customer is None:
            return
        await self._act(self._simulator.send_voice_note(customer))

    # -- the bot's buttons and lists -------------------------------------------------------

    def _message(self, wamid: str) -> tuple[SandboxCustomer, SandboxMessage] | None:
        message = self._simulator.message(wamid)
        customer = self._simulator.customer(message.wa_id) if message is not None else None
        if message is None or customer is None:
            return None
        return customer, message

    @async_slot(str, str, str)
    async def _on_delegate_button_tapped(self, wamid: str, button_id: str, title: str) -> None:
        found = self._message(wamid)
        if found is not None:
            await self._act(self._simulator.tap_button(found[0], wamid, button_id, title))

    def _on_delegate_list_opened(self, wamid: str, position: QPoint) -> None:
        found = self._message(wamid)
        if found is not None:
            self._choices_menu(found[1]).popup(position)

    def _on_message_list_activated(self, index: QModelIndex) -> None:
        # Enter on a message with buttons or a list: the same choices, from the keyboard.
        message = index.data(PhoneRole.MESSAGE)
        if not isinstance(message, SandboxMessage) or message.from_customer:
            return
        if not (message.buttons or message.list_rows):
            return
        rect = self.view.message_list.visualRect(index)
        position = self.view.message_list.viewport().mapToGlobal(rect.bottomLeft())
        self._choices_menu(message).popup(position)

    def _choices_menu(self, message: SandboxMessage) -> QMenu:
        """A menu with a message's reply buttons, or its list's rows under their sections."""
        menu = QMenu(self)
        menu.setObjectName("phoneChoicesMenu")
        menu.aboutToHide.connect(menu.deleteLater)
        # One menu is open at a time; its actions carry their position in this list.
        self._choices = []
        section: str | None = None
        for button in message.buttons:
            action = menu.addAction(_menu_text(button.title))
            action.setData(len(self._choices))
            self._choices.append(_Choice(message.wamid, button.id, button.title, None, False))
        for row in message.list_rows:
            if row.section and row.section != section:
                section = row.section
                menu.addSection(_menu_text(row.section))
            label = row.title if not row.description else f"{row.title} · {row.description}"
            action = menu.addAction(_menu_text(label))
            action.setData(len(self._choices))
            self._choices.append(_Choice(message.wamid, row.id, row.title, row.description, True))
        menu.triggered.connect(self._on_choices_menu_triggered)
        return menu

    def _on_choices_menu_triggered(self, action: QAction) -> None:
        # Read the action now: the menu (and its actions) is deleted once it closes.
        number = action.data()
        if isinstance(number, int) and 0 <= number < len(self._choices):
            self._tasks.spawn(self._choose(self._choices[number]), name="choice")

    async def _choose(self, choice: _Choice) -> None:
        found = self._message(choice.wamid)
        if found is None:
            return
        customer = found[0]
        if choice.is_row:
            await self._act(
                self._simulator.choose_list_row(
                    customer, choice.wamid, choice.choice_id, choice.title, choice.description
                )
            )
        else:
            await self._act(
                self._simulator.tap_button(customer, choice.wamid, choice.choice_id, choice.title)
            )

    # -- sandbox events --------------------------------------------------------------------

    def _on_sandbox_message_added(self, message: object) -> None:
        if isinstance(message, SandboxMessage):
            self.model.add_message(message)

    def _on_sandbox_message_changed(self, message: object) -> None:
        if isinstance(message, SandboxMessage):
            self.model.update_message(message)

    def _on_sandbox_typing_changed(self, wa_id: str, typing: bool) -> None:
        if self._customer is not None and wa_id == self._customer.wa_id:
            self._show_typing(typing)

    def _show_typing(self, typing: bool) -> None:
        label = self.view.presence_label
        label.setText(self.tr("typing…") if typing else self.tr("online"))
        label.setProperty("typing", typing)
        label.style().unpolish(label)
        label.style().polish(label)

    @property
    def typing_shown(self) -> bool:
        """True while the header says the business is typing."""
        return bool(self.view.presence_label.property("typing"))

    # -- the AI notice ---------------------------------------------------------------------

    def _on_bridge_llm_state_changed(self, state: LlmState, model: str, _detail: object) -> None:
        self._show_llm_state(state, model)

    def _show_llm_state(self, state: LlmState, model: str) -> None:
        self._llm_state = state
        self._llm_model = model
        notice = self.view.llm_notice_label
        if state == LlmState.DOWN:
            # The link's colour by hand: rich text in a styled label ignores the palette's.
            color = chat_colors(self.palette()).link.name()
            link = f'<a href="{OLLAMA_DOWNLOAD_URL}" style="color: {color}">ollama.com/download</a>'
            notice.setText(
                self.tr(
                    "The bot is answering from your frequently asked questions. Its answers will "
                    "be smarter with Ollama, the free AI program: download it from {link}, "
                    "install it and restart WaBot."
                ).format(link=link)
            )
            self.view.llm_notice.show()
        elif state == LlmState.MODEL_MISSING:
            notice.setText(
                self.tr(
                    "The bot is answering from your frequently asked questions: Ollama is "
                    "running, but the AI model {model} is not downloaded yet."
                ).format(model=_escape(model))
            )
            self.view.llm_notice.show()
        else:
            self.view.llm_notice.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.view.delegate.clear_cache()
            self._show_llm_state(self._llm_state, self._llm_model)
        super().changeEvent(event)

    @property
    def llm_state(self) -> LlmState:
        """The AI state the notice shows."""
        return self._llm_state


def _escape(text: str) -> str:
    """Plain text inside the notice's rich text (a model name is a setting, not our words)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
