"""The real window against the real core: webhooks in, Graph API calls out, the UI updates live."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from tests.gui.helpers import (
    GuiEnv,
    choose_in_file_dialog,
    document,
    inbound,
    running_core,
    text,
    until,
)
from tests.helpers import idle
from wabot_desktop.core.dto import ConversationFilter, ConversationMode
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.main_window import MainWindow
from wabot_desktop.gui.monitor.chat_list_model import ChatRole
from wabot_desktop.gui.monitor.template_dialog import TemplateDialog

CUSTOMER = "5215512345678"


class Harness:
    """The window and the core of one test."""

    def __init__(self, env: GuiEnv, window: MainWindow) -> None:
        self.env = env
        self.window = window
        self.chat_list = window.monitor.chat_list
        self.conversation = window.monitor.conversation

    def row_of(self, name: str) -> int:
        model = self.chat_list.model
        for row in range(model.rowCount()):
            if model.index(row, 0).data(Qt.ItemDataRole.DisplayRole) == name:
                return row
        return -1

    def summary(self, name: str) -> object:
        row = self.row_of(name)
        return self.chat_list.model.index(row, 0).data(ChatRole.SUMMARY) if row >= 0 else None

    async def open(self, name: str) -> int:
        await until(lambda: self.row_of(name) >= 0, what=f"row {name}")
        conversation_id = int(
            self.chat_list.model.index(self.row_of(name), 0).data(ChatRole.CONVERSATION_ID)
        )
        self.window.monitor.open_conversation(conversation_id)
        await until(
            lambda: (
                self.conversation.summary is not None
                and self.conversation.summary.id == conversation_id
            ),
            what="summary",
        )
        return conversation_id

    def bubble_texts(self) -> list[str]:
        model = self.conversation.model
        return [
            str(model.index(row, 0).data(Qt.ItemDataRole.DisplayRole))
            for row in range(model.rowCount())
        ]

    def bot_sends(self) -> list[str]:
        return [m["text"]["body"] for m in self.env.graph.sent_messages if m.get("type") == "text"]


@contextlib.asynccontextmanager
async def open_window(qtbot: QtBot, data_dir: Path) -> AsyncIterator[Harness]:
    """The real window on a real core, inside the test's own coroutine.

    Not an async fixture: between a fixture's set-up and the test, qasync's loop is not running,
    and Qt events delivered then would step the core's tasks outside any running loop.
    """
    async with running_core(data_dir, reply="¡Hola! Con gusto le ayudo.") as env:
        window = MainWindow(env.service, enable_tray=False)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        window.start()
        try:
            yield Harness(env, window)
        finally:
            window.shutdown()
            await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_signed_webhook_makes_a_chat_appear_and_update_live(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.customer_says(CUSTOMER, "Lucía Pérez", "Hola, ¿tienen envíos?")
        await until(lambda: harness.row_of("Lucía Pérez") == 0, what="new chat row")
        summary = harness.summary("Lucía Pérez")
        assert summary is not None and summary.unread_count >= 1  # type: ignore[attr-defined]

        await harness.open("Lucía Pérez")
        await until(
            lambda: "¡Hola! Con gusto le ayudo." in harness.bubble_texts(), what="bot bubble"
        )
        assert harness.bubble_texts()[0] == "Hola, ¿tienen envíos?"
        # Opening the chat marks it read, live.
        await until(lambda: harness.summary("Lucía Pérez").unread_count == 0, what="read")  # type: ignore[union-attr]

        # A second customer moves to the top; the first one comes back up when it writes again.
        await env.customer_says("5491133334444", "Jorge", "Buenas")
        await until(lambda: harness.row_of("Jorge") == 0, what="Jorge on top")
        await env.customer_says(CUSTOMER, "Lucía Pérez", "¿Y cuánto cuesta?")
        await until(lambda: harness.row_of("Lucía Pérez") == 0, what="Lucía back on top")
        await until(lambda: "¿Y cuánto cuesta?" in harness.bubble_texts(), what="live bubble")


@pytest.mark.asyncio
async def test_take_over_type_and_send_keeps_the_bot_silent(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.customer_says(CUSTOMER, "Lucía Pérez", "Hola")
        await until(lambda: len(env.graph.sent_messages) == 1, what="bot answer")
        await harness.open("Lucía Pérez")

        take = harness.conversation.view.take_button
        assert take.isVisible() and take.text() == "Tomar control"
        qtbot.mouseClick(take, Qt.MouseButton.LeftButton)
        await until(
            lambda: harness.conversation.summary.mode == ConversationMode.HUMAN,  # type: ignore[union-attr]
            what="takeover",
        )
        assert harness.conversation.view.mode_label.text() == "Atiende Ana"
        await until(lambda: _chip(harness, "Lucía Pérez") == "Atiende Ana", what="list chip")

        edit = harness.conversation.composer.view.edit
        # QTest types ASCII only (it asserts on other characters): accents go in as text.
        edit.insertPlainText("Sí, enviamos a todo el país")
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(edit, "Saludos")
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        await until(lambda: len(env.graph.sent_messages) == 2, what="staff message sent")
        assert env.graph.sent_messages[-1]["text"]["body"] == "Sí, enviamos a todo el país\nSaludos"
        assert edit.toPlainText() == ""
        await until(lambda: "Sí, enviamos a todo el país\nSaludos" in harness.bubble_texts())

        # The customer answers: the bot stays silent while staff holds the chat.
        chats_before = len(env.ollama.chat_requests)
        await env.customer_says(CUSTOMER, "Lucía Pérez", "Perfecto, gracias")
        await until(lambda: "Perfecto, gracias" in harness.bubble_texts(), what="customer bubble")
        await idle(env.core)  # the bot decided on the message, and nothing is on its way
        assert len(env.graph.sent_messages) == 2
        assert len(env.ollama.chat_requests) == chats_before


@pytest.mark.asyncio
async def test_typing_in_a_bot_chat_takes_over_automatically(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.customer_says(CUSTOMER, "Lucía Pérez", "Hola")
        await until(lambda: len(env.graph.sent_messages) == 1, what="bot answer")
        await harness.open("Lucía Pérez")
        composer = harness.conversation.composer
        assert "tomas el control" in composer.view.edit.placeholderText()
        assert composer.view.hint_label.isVisible()
        qtbot.keyClicks(composer.view.edit, "Le escribo yo")
        qtbot.keyClick(composer.view.edit, Qt.Key.Key_Enter)
        await until(lambda: len(env.graph.sent_messages) == 2, what="staff message")
        await until(
            lambda: harness.conversation.summary.mode == ConversationMode.HUMAN,  # type: ignore[union-attr]
            what="automatic takeover",
        )
        assert not composer.view.hint_label.isVisible()


@pytest.mark.asyncio
async def test_handing_back_lets_the_bot_answer_again(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.customer_says(CUSTOMER, "Lucía Pérez", "Hola")
        await until(lambda: len(env.graph.sent_messages) == 1, what="bot answer")
        conversation_id = await harness.open("Lucía Pérez")
        await env.service.take_over(conversation_id, "Ana")
        await until(lambda: harness.conversation.view.hand_back_button.isVisible(), what="button")

        qtbot.mouseClick(harness.conversation.view.hand_back_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: harness.conversation.summary.mode == ConversationMode.BOT,  # type: ignore[union-attr]
            what="hand back",
        )
        assert not harness.conversation.view.hand_back_button.isVisible()
        assert harness.conversation.view.take_button.isVisible()
        await env.customer_says(CUSTOMER, "Lucía Pérez", "¿Siguen ahí?")
        await until(lambda: len(env.graph.sent_messages) == 2, what="bot answers again")
        assert env.graph.sent_messages[-1]["text"]["body"] == "¡Hola! Con gusto le ayudo."


@pytest.mark.asyncio
async def test_a_handoff_keyword_raises_the_notification(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        notified: list[tuple[int, str, str]] = []
        harness.window.notifier.notified.connect(lambda *args: notified.append(args))
        harness.window.notifier.sound = False
        await harness.env.customer_says(CUSTOMER, "Roberto Díaz", "Quiero hablar con una persona")
        await until(lambda: notified, what="notification")
        conversation_id, title, body = notified[0]
        assert title == "Roberto Díaz quiere hablar con una persona"
        assert "Quiero hablar con una persona" in body
        await until(lambda: _chip(harness, "Roberto Díaz") == "Pide una persona", what="list chip")
        needs = harness.chat_list.view.filter_buttons[ConversationFilter.NEEDS_HUMAN]
        await until(lambda: needs.text() == "Piden persona (1)", what="filter count")

        # Clicking the notification opens that chat.
        harness.window.notifier.open_requested.emit(conversation_id)
        await until(lambda: harness.conversation.conversation_id == conversation_id, what="opened")
        await until(lambda: harness.conversation.view.needs_banner.isVisible(), what="banner")
        assert harness.conversation.view.take_button.isVisible()


@pytest.mark.asyncio
async def test_a_message_in_a_chat_staff_holds_alerts_and_one_the_bot_answers_does_not(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        notified: list[tuple[int, str, str]] = []
        harness.window.notifier.notified.connect(lambda *args: notified.append(args))
        harness.window.notifier.sound = False
        await env.customer_says(CUSTOMER, "Lucía Pérez", "Hola")
        await until(lambda: harness.row_of("Lucía Pérez") >= 0, what="row")
        await idle(env.core)
        conversation_id = int(
            harness.chat_list.model.index(harness.row_of("Lucía Pérez"), 0).data(
                ChatRole.CONVERSATION_ID
            )
        )
        await env.service.take_over(conversation_id, "Ana")
        # Several chats write at once (looked at together): only the one staff holds alerts.
        await env.customer_says("5491133334444", "Jorge", "Buenas")
        await env.customer_says(CUSTOMER, "Lucía Pérez", "<b>¿Hay alguien?</b>")
        await env.customer_says("5491155556666", "Marta", "Hola")
        await until(lambda: notified, what="alert")
        await until(lambda: harness.row_of("Marta") >= 0, what="Marta's row")
        await idle(env.core)
        assert [(cid, title) for cid, title, _body in notified] == [
            (conversation_id, "Nuevo mensaje de Lucía Pérez")
        ]
        assert notified[0][2] == "<b>¿Hay alguien?</b>"  # as typed, never markup


@pytest.mark.asyncio
async def test_the_24_hour_window_locks_free_text_and_offers_templates(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.service.set_global_pause(True)  # no bot answer to an old message
        old = time.time() - 25 * 3600
        assert await env.post(inbound(CUSTOMER, "Lucía Pérez", text("Hola de ayer"), timestamp=old))
        await harness.open("Lucía Pérez")
        composer = harness.conversation.composer
        await until(lambda: not composer.window_open, what="lock")
        assert composer.view.window_banner.isVisible()
        assert not composer.view.edit.isEnabled()
        assert not composer.view.send_button.isEnabled()

        qtbot.mouseClick(composer.view.template_button, Qt.MouseButton.LeftButton)
        dialog: TemplateDialog | None = None

        def find_dialog() -> bool:
            nonlocal dialog
            dialog = harness.conversation.findChild(TemplateDialog, "templateDialog")
            return dialog is not None and dialog.list_widget.count() > 0

        await until(find_dialog, what="template list")
        assert dialog is not None
        assert dialog.list_widget.currentItem().text().startswith("hello_world")
        assert dialog.send_button.isEnabled()  # hello_world has no values to fill
        dialog.send_button.click()
        await until(
            lambda: any(m.get("type") == "template" for m in env.graph.sent_messages),
            what="template sent",
        )
        sent = [m for m in env.graph.sent_messages if m.get("type") == "template"][0]
        assert sent["template"]["name"] == "hello_world"
        await until(lambda: len(harness.bubble_texts()) == 2, what="template bubble")


@pytest.mark.asyncio
async def test_search_and_filters(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.customer_says("5215511112222", "María López", "¿Tienen pan de muerto?")
        await env.customer_says("5491133334444", "Jorge Ramírez", "Necesito una factura")
        await env.customer_says(
            "573005556666", "Ferretería Don Pepe", "Quiero hablar con una persona"
        )
        model = harness.chat_list.model
        await until(lambda: model.rowCount() == 3, what="three chats")
        ids = {
            name: int(model.index(harness.row_of(name), 0).data(ChatRole.CONVERSATION_ID))
            for name in ("María López", "Jorge Ramírez", "Ferretería Don Pepe")
        }
        await env.service.take_over(ids["Jorge Ramírez"], "Ana")
        await env.service.mark_conversation_read(ids["María López"])

        def names() -> list[str]:
            return [
                str(model.index(row, 0).data(Qt.ItemDataRole.DisplayRole))
                for row in range(model.rowCount())
            ]

        search = harness.chat_list.view.search_edit
        for query, expected in (
            ("maría", ["María López"]),  # by name
            ("3005556666", ["Ferretería Don Pepe"]),  # by number
            ("factura", ["Jorge Ramírez"]),  # by message text
        ):
            search.setText(query)
            await until(
                lambda expected=expected: names() == expected,
                what=lambda query=query: f"{query}: {names()}",
            )
        search.clear()
        await until(lambda: len(names()) == 3, what="cleared search")

        buttons = harness.chat_list.view.filter_buttons
        for kind, expected in (
            (ConversationFilter.WITH_STAFF, ["Jorge Ramírez"]),
            (ConversationFilter.NEEDS_HUMAN, ["Ferretería Don Pepe"]),
            (ConversationFilter.UNREAD, sorted(["Jorge Ramírez", "Ferretería Don Pepe"])),
        ):
            qtbot.mouseClick(buttons[kind], Qt.MouseButton.LeftButton)
            await until(
                lambda expected=expected: sorted(names()) == expected,
                what=lambda kind=kind: f"{kind}: {names()}",
            )
        qtbot.mouseClick(buttons[ConversationFilter.ALL], Qt.MouseButton.LeftButton)
        await until(lambda: len(names()) == 3, what="all again")

        # Labels are a filter too.
        label = await env.service.create_label("Mayoreo", "#2f7fd0")
        await env.service.set_conversation_labels(ids["María López"], [label.id])
        await harness.window.monitor.reload_labels()
        menu = harness.chat_list.view.label_button.menu()
        action = next(a for a in menu.actions() if a.text() == "Mayoreo")
        action.trigger()
        await until(lambda: names() == ["María López"], what=lambda: f"label: {names()}")
        assert harness.chat_list.view.label_button.text() == "Etiqueta: Mayoreo"


@pytest.mark.asyncio
async def test_pause_switch_pauses_the_bot_everywhere(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        button = harness.window.view.pause_button
        assert button.text() == "Pausar bot"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        await until(lambda: harness.env.service.is_paused(), what="paused")
        await until(lambda: harness.window.view.pause_banner.isVisible(), what="banner")
        assert button.text() == "Reanudar bot"
        await harness.env.customer_says(CUSTOMER, "Lucía Pérez", "Hola")
        await until(lambda: harness.row_of("Lucía Pérez") >= 0, what="row")
        await idle(harness.env.core)  # decided (paused: silent), nothing queued
        assert harness.env.graph.sent_messages == []
        qtbot.mouseClick(harness.window.view.resume_button, Qt.MouseButton.LeftButton)
        await until(lambda: not harness.env.service.is_paused(), what="resumed")
        assert not harness.window.view.pause_banner.isVisible()


@pytest.mark.asyncio
async def test_customer_text_is_shown_as_plain_text(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        name = "Rosa <b>Martínez</b> <img src=x>"
        await harness.env.customer_says(CUSTOMER, name, "<i>hola</i> &amp; adiós")
        await harness.open(name)
        view = harness.conversation.view
        assert view.name_label.text() == name  # painted as typed, never as markup
        await until(lambda: "<i>hola</i> &amp; adiós" in harness.bubble_texts(), what="bubble")
        panel = harness.window.monitor.contact_panel
        view.contact_button.setChecked(True)
        await until(lambda: panel.view.name_value.text() == name, what="panel")
        assert panel.view.name_value.textFormat() == Qt.TextFormat.PlainText
        for label in harness.window.findChildren(QPushButton):
            assert "<b>" not in label.text()


def _chip(harness: Harness, name: str) -> str:
    from wabot_desktop.gui import texts

    summary = harness.summary(name)
    if summary is None:
        return ""
    return texts.mode_text(summary.mode, summary.staff_name)  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_contact_panel_notes_state_export_and_delete(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.customer_says(CUSTOMER, "Lucía Pérez", "Hola")
        conversation_id = await harness.open("Lucía Pérez")
        panel = harness.window.monitor.contact_panel
        qtbot.mouseClick(harness.conversation.view.contact_button, Qt.MouseButton.LeftButton)
        await until(lambda: panel.contact is not None, what="contact loaded")
        assert panel.view.phone_value.text() == "+" + CUSTOMER

        panel.view.notes_edit.setPlainText("Prefiere entrega por la tarde")
        assert panel.view.save_notes_button.isEnabled()
        qtbot.mouseClick(panel.view.save_notes_button, Qt.MouseButton.LeftButton)

        async def notes_saved() -> bool:
            contact = await env.service.get_contact(conversation_id)
            return contact.notes == "Prefiere entrega por la tarde"

        await until(notes_saved, what="notes saved")
        await until(lambda: not panel.view.save_notes_button.isEnabled(), what="saved state")

        panel.view.opt_out_check.click()
        await until(
            lambda: harness.summary("Lucía Pérez").opted_out,  # type: ignore[union-attr]
            what=lambda: (
                f"opt-out {panel.view.opt_out_check.isChecked()} "
                f"{panel.view.opt_out_check.isEnabled()} {harness.summary('Lucía Pérez')}"
            ),
        )

        out = tmp_path / "chat.csv"
        assert await panel.export_to(out, "csv")
        assert out.read_text(encoding="utf-8").startswith("time,author")
        # The same through the menu and the save dialog, as a text file.
        menu = panel.view.export_button.menu()
        assert menu is not None
        [_, as_text] = menu.actions()
        as_text.trigger()
        text_file = tmp_path / "chat.txt"
        await choose_in_file_dialog(panel, "conversationExportDialog", text_file)
        await until(text_file.exists, what="the text export written")

        qtbot.mouseClick(panel.view.delete_button, Qt.MouseButton.LeftButton)
        box = None

        def find_box() -> bool:
            nonlocal box
            box = panel.findChild(QMessageBox, "confirmBox")
            return box is not None and box.isVisible()

        await until(find_box, what="confirmation")
        assert box is not None
        assert "Lucía Pérez" in box.text()
        accept = next(b for b in box.buttons() if b.text() == "Borrar datos")
        accept.click()
        await until(lambda: harness.row_of("Lucía Pérez") == -1, what="row removed")
        await until(
            lambda: (
                harness.conversation.view.stack.currentWidget()
                is harness.conversation.view.empty_page
            ),
            what="conversation closed",
        )
        assert await env.service.count_conversations() == 0


@pytest.mark.asyncio
async def test_media_is_downloaded_and_opened_on_demand(
    qtbot: QtBot, tmp_path: Path, spanish: Translators, light_theme: None
) -> None:
    async with open_window(qtbot, tmp_path / "data") as harness:
        env = harness.env
        await env.service.set_global_pause(True)
        pdf = env.graph.add_media(b"%PDF-1.4 lista de precios", "application/pdf")
        await env.post(inbound(CUSTOMER, "Lucía Pérez", document(pdf, "precios.pdf")))
        await harness.open("Lucía Pérez")
        opened: list[str] = []
        harness.conversation.open_url = lambda url: opened.append(url.toLocalFile())
        view = harness.conversation.view.message_list
        await until(lambda: harness.conversation.model.rowCount() == 1, what="bubble")
        index = harness.conversation.model.index(0, 0)
        await until(lambda: view.visualRect(index).height() > 0, what="the bubble laid out")
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.widget = view
        option.rect = view.visualRect(index)
        layout = harness.conversation.delegate.layout_for(option, index)
        assert layout is not None and layout.action is not None
        assert layout.action_text == "Abrir"
        point = (QPointF(option.rect.topLeft()) + layout.action.center()).toPoint()
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
        await until(lambda: opened, what="file opened")
        assert opened[0].endswith("precios.pdf")
        assert Path(opened[0]).read_bytes() == b"%PDF-1.4 lista de precios"
