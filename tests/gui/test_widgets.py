"""Widgets on their own: composer keys and quick replies, status bar words, tray tooltip."""

from __future__ import annotations

from typing import Any, cast

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.helpers import until
from wabot_desktop.core.dto import ConversationMode, GraphState, HealthSnapshot, QuickReply
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.monitor.composer import Composer, expand_quick_reply, first_name
from wabot_desktop.gui.status_bar import StatusBar
from wabot_desktop.gui.tray import TrayIcon


def _composer(qtbot: QtBot) -> tuple[Composer, list[tuple[str, object]]]:
    composer = Composer()
    qtbot.addWidget(composer)
    composer.resize(700, 160)
    composer.show()
    sent: list[tuple[str, object]] = []
    composer.send_requested.connect(lambda text, reply: sent.append((text, reply)))
    return composer, sent


def test_enter_sends_and_shift_enter_breaks_the_line(qtbot: QtBot, spanish: Translators) -> None:
    composer, sent = _composer(qtbot)
    edit = composer.view.edit
    qtbot.keyClicks(edit, "linea uno")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, "linea dos")
    assert sent == []
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert sent == [("linea uno\nlinea dos", None)]
    composer.clear_after_send()
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # nothing to send
    assert len(sent) == 1
    composer.set_reply(42, "¿Tienen envíos?")
    assert composer.view.reply_banner.isVisible()
    assert composer.view.reply_label.text() == "Respondiendo a: ¿Tienen envíos?"
    edit.insertPlainText("Sí 😊")
    qtbot.keyClick(edit, Qt.Key.Key_Enter)
    assert sent[-1] == ("Sí 😊", 42)


def test_quick_replies_fill_in_the_customer_name(qtbot: QtBot, spanish: Translators) -> None:
    composer, sent = _composer(qtbot)
    composer.set_customer_name("María Fernanda López")
    composer.set_quick_replies(
        [
            QuickReply(shortcut="hola", text="¡Hola {nombre}! ¿En qué te ayudo?"),
            QuickReply(shortcut="horario", text="Abrimos de 9 a 19 h."),
        ]
    )
    edit = composer.view.edit
    qtbot.keyClicks(edit, "/hol")
    popup = composer._completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    assert composer._completer.completionCount() == 1
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit.toPlainText() == "¡Hola María! ¿En qué te ayudo?")
    assert sent == []  # choosing a quick reply does not send it
    assert expand_quick_reply("¡Hola {nombre}!", "+52 55 1234") == "¡Hola!"
    assert first_name("  Don Pepe ") == "Don"


def test_locked_window_disables_free_text(qtbot: QtBot, spanish: Translators) -> None:
    composer, sent = _composer(qtbot)
    composer.set_window_open(False)
    composer.set_mode(ConversationMode.HUMAN, "Ana", "Ana")
    assert composer.view.window_banner.isVisible()
    assert not composer.view.edit.isEnabled()
    assert "plantilla" in composer.view.edit.placeholderText()
    with qtbot.waitSignal(composer.template_requested):
        qtbot.mouseClick(composer.view.template_button, Qt.MouseButton.LeftButton)
    composer.set_window_open(True)
    composer.set_mode(ConversationMode.BOT, None, "Ana")
    assert composer.view.edit.isEnabled()
    assert composer.view.hint_label.isVisible()
    assert sent == []


def _health(**changes: object) -> HealthSnapshot:
    values: dict[str, object] = {
        "database": "ok",
        "graph": "ok",
        "llm": "up",
        "llm_model": "qwen2.5:3b",
        "tunnel": "up",
        "public_url": "https://tienda.ngrok.app",
        "outbox_queued": 0,
        "outbox_failed": 0,
        "bot_paused": False,
        "simulator": False,
    }
    values.update(changes)
    return HealthSnapshot(**values)  # type: ignore[arg-type]


def test_status_bar_says_what_is_up_in_words(qtbot: QtBot, spanish: Translators) -> None:
    bar = StatusBar(cast(Any, None))
    qtbot.addWidget(bar)
    bar.show_health(_health())
    assert bar.whatsapp.text() == "WhatsApp: conectado"
    assert bar.tunnel.text() == "Enlace público: activo"
    assert "tienda.ngrok.app" in bar.tunnel.toolTip()
    assert bar.llm.text() == "IA: qwen2.5:3b lista"
    assert bar.outbox.text() == "Salida: todo enviado"
    bar.show_health(
        _health(graph="blocked", llm="down", tunnel="down", outbox_queued=3, outbox_failed=1)
    )
    assert bar.whatsapp.text() == "WhatsApp: envío detenido" and bar.whatsapp.level == "error"
    assert bar.llm.text() == "IA: Ollama no está abierto"
    assert bar.tunnel.text() == "Enlace público: caído, reintentando"
    assert bar.outbox.text() == "Salida: 3 en espera, 1 fallidos"


def test_tray_tooltip_shows_bot_connection_and_unread(qtbot: QtBot, spanish: Translators) -> None:
    tray = TrayIcon()
    tray.set_state(paused=True, connected=False, unread=3, waiting=1)
    tip = tray.tooltip()
    assert "Bot en pausa" in tip and "sin conexión" in tip
    assert "3 chats sin leer" in tip and "1 espera a una persona" in tip
    assert tray.pause_action.isChecked()
    opened: list[bool] = []
    tray.open_requested.connect(lambda: opened.append(True))
    tray.open_action.trigger()
    assert opened == [True]


class _BlockedService:
    """The facade's two calls the status bar makes; Meta accepts on the second try."""

    def __init__(self) -> None:
        self.attempts = 0
        self.graph = "blocked"

    async def resume_sending(self) -> bool:
        self.attempts += 1
        if self.attempts >= 2:
            self.graph = "ok"
            return True
        return False

    async def health(self) -> HealthSnapshot:
        return _health(graph=self.graph)


@pytest.mark.asyncio
async def test_blocked_sending_offers_try_again_without_a_restart(
    qtbot: QtBot, spanish: Translators
) -> None:

    service = _BlockedService()
    bar = StatusBar(cast(Any, service))
    qtbot.addWidget(bar)
    bar.show()
    bar.show_health(_health(graph=GraphState.BLOCKED))
    assert bar.resume_button.isVisible() and bar.resume_button.text() == "Reintentar envío"
    assert "«Configurar WhatsApp…»" in bar.whatsapp.toolTip()  # where a new token goes
    bar.resume_button.click()
    await until(lambda: service.attempts == 1 and bar.resume_button.isEnabled(), what="1st try")
    assert "sigue rechazando" in bar.currentMessage()
    assert bar.resume_button.isVisible()  # still blocked
    bar.resume_button.click()
    await until(lambda: not bar.resume_button.isVisible(), what="sending resumed")
    assert service.attempts == 2
    assert "Se reanudó el envío" in bar.currentMessage()
    assert bar.whatsapp.text() == "WhatsApp: conectado"
    assert not bar.resume_button.isVisible()
