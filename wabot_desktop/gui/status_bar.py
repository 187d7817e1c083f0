"""Status bar: WhatsApp connection, public link (tunnel), the AI model, and the outbox."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QPushButton, QStatusBar, QWidget

from wabot_desktop.core.dto import DatabaseState, GraphState, HealthSnapshot, LlmState, TunnelState
from wabot_desktop.gui.bridge import CoreBridge
from wabot_desktop.gui.service_api import MonitorService
from wabot_desktop.gui.tasks import TaskOwner
from wabot_desktop.gui.widgets.status_indicator import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    RED,
    StatusIndicator,
)

logger = logging.getLogger(__name__)

_POLL_MS = 15_000

_DEBOUNCE_MS = 400


class StatusBar(QStatusBar):
    """Shows the core's health; refreshed on events (debounced) and every few seconds.

    Signals:
        health_changed(object): a new HealthSnapshot arrived.
    """

    health_changed = Signal(object)

    def __init__(self, service: MonitorService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self._service = service
        self._tasks = TaskOwner("status-bar")
        self.health: HealthSnapshot | None = None
        self.whatsapp = StatusIndicator("statusWhatsApp", self)
        self.tunnel = StatusIndicator("statusTunnel", self)
        self.llm = StatusIndicator("statusLlm", self)
        self.outbox = StatusIndicator("statusOutbox", self)
        # Shown only while sending is stopped (190, locked account): the owner's way to resume
        # after fixing the cause, without restarting the app.
        self.resume_button = QPushButton(self.tr("Try sending again"), self)
        self.resume_button.setObjectName("resumeSending")
        self.resume_button.setVisible(False)
        self.resume_button.clicked.connect(self.resume_sending)
        self.addPermanentWidget(self.resume_button)
        for indicator in (self.whatsapp, self.tunnel, self.llm, self.outbox):
            self.addPermanentWidget(indicator)
        self.setSizeGripEnabled(False)
        self._poll = QTimer(self)
        self._poll.setInterval(_POLL_MS)
        self._poll.timeout.connect(self.refresh)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)

    def connect_bridge(self, bridge: CoreBridge) -> None:
        for signal in (
            bridge.llm_state_changed,
            bridge.tunnel_state_changed,
            bridge.send_blocked,
            bridge.send_unblocked,
            bridge.message_queued,
            bridge.reply_sent,
            bridge.message_status_changed,
            bridge.bot_pause_changed,
            bridge.task_failed,
        ):
            signal.connect(self.schedule_refresh)

    def start(self) -> None:
        self.refresh()
        self._poll.start()

    def stop(self) -> None:
        self._poll.stop()
        self._debounce.stop()
        self._tasks.close()

    def schedule_refresh(self, *_args: object) -> None:
        self._debounce.start()

    def refresh(self) -> None:
        if self._tasks.pending == 0:
            self._tasks.spawn(self._load(), name="health")

    def resume_sending(self) -> None:
        """Ask the core to check the connection again and resume the queued replies."""
        self.resume_button.setEnabled(False)
        self._tasks.spawn(self._resume(), name="resume-sending")

    async def _resume(self) -> None:
        try:
            resumed = await self._service.resume_sending()
        finally:
            self.resume_button.setEnabled(True)
        if resumed:
            self.showMessage(self.tr("Sending resumed: the waiting replies are going out."), 8000)
        else:
            self.showMessage(
                self.tr("WhatsApp still rejects the connection. Check the token and try again."),
                10000,
            )
        self.show_health(await self._service.health())

    async def _load(self) -> None:
        health = await self._service.health()
        self.show_health(health)

    def show_health(self, health: HealthSnapshot) -> None:
        """Update every indicator from a snapshot."""
        self.health = health
        self._show_whatsapp(health)
        self.resume_button.setVisible(health.graph == GraphState.BLOCKED)
        self._show_tunnel(health)
        self._show_llm(health)
        self._show_outbox(health)
        self.health_changed.emit(health)

    def _show_whatsapp(self, health: HealthSnapshot) -> None:
        graph = health.graph
        if health.database != DatabaseState.OK:
            self.whatsapp.set_state(
                RED,
                self.tr("Database error"),
                level="error",
                tooltip=self.tr("The chat history cannot be saved. Check free disk space."),
            )
        elif graph == GraphState.OK:
            self.whatsapp.set_state(GREEN, self.tr("WhatsApp: connected"), level="ok")
        elif graph == GraphState.SANDBOX:
            self.whatsapp.set_state(
                BLUE,
                self.tr("WhatsApp: simulator"),
                level="ok",
                tooltip=self.tr("Practice mode: nothing is sent to real customers."),
            )
        elif graph == GraphState.BLOCKED:
            self.whatsapp.set_state(
                RED,
                self.tr("WhatsApp: sending stopped"),
                level="error",
                tooltip=self.tr(
                    "WhatsApp rejected the connection (for example, the access token "
                    "expired). Messages wait in the outbox. Enter a new token in “Configure "
                    "WhatsApp…” (the mode menu); sending resumes by itself."
                ),
            )
        elif graph == GraphState.ERROR:
            self.whatsapp.set_state(
                RED,
                self.tr("WhatsApp: not reachable"),
                level="error",
                tooltip=self.tr("Check the internet connection and the WhatsApp settings."),
            )
        else:
            self.whatsapp.set_state(GREY, self.tr("WhatsApp: checking…"), level="unknown")

    def _show_tunnel(self, health: HealthSnapshot) -> None:
        state = health.tunnel
        url_tip = (
            self.tr("WhatsApp delivers messages to this computer through {url}").format(
                url=health.public_url
            )
            if health.public_url
            else ""
        )
        if state == TunnelState.UP:
            self.tunnel.set_state(GREEN, self.tr("Public link: on"), level="ok", tooltip=url_tip)
        elif state == TunnelState.STARTING:
            self.tunnel.set_state(ORANGE, self.tr("Public link: connecting…"), level="warning")
        elif state == TunnelState.DOWN:
            self.tunnel.set_state(
                RED,
                self.tr("Public link: down, retrying"),
                level="error",
                tooltip=self.tr("Customers' messages wait at WhatsApp until the link is back."),
            )
        elif state == TunnelState.AGENT_MISSING:
            self.tunnel.set_state(RED, self.tr("Public link: ngrok is missing"), level="error")
        elif state == TunnelState.AUTH_FAILED:
            self.tunnel.set_state(RED, self.tr("Public link: ngrok key rejected"), level="error")
        elif state == TunnelState.ERROR:
            self.tunnel.set_state(RED, self.tr("Public link: error"), level="error")
        else:
            self.tunnel.set_state(
                GREY,
                self.tr("Public link: off"),
                level="off",
                tooltip=self.tr("No tunnel is running (own public address or practice mode)."),
            )

    def _show_llm(self, health: HealthSnapshot) -> None:
        state = health.llm
        model = health.llm_model
        if state == LlmState.UP:
            self.llm.set_state(GREEN, self.tr("AI: {model} ready").format(model=model), level="ok")
        elif state == LlmState.LOADING:
            self.llm.set_state(
                ORANGE, self.tr("AI: {model} loading…").format(model=model), level="warning"
            )
        elif state == LlmState.MODEL_MISSING:
            self.llm.set_state(
                RED,
                self.tr("AI: model {model} missing").format(model=model),
                level="error",
                tooltip=self.tr(
                    "Download it with “ollama pull {model}” in a terminal, or choose another model."
                ).format(model=model),
            )
        elif state == LlmState.CIRCUIT_OPEN:
            self.llm.set_state(
                ORANGE,
                self.tr("AI: paused after errors"),
                level="warning",
                tooltip=self.tr("The AI failed several times. WaBot tries again shortly."),
            )
        elif state == LlmState.DOWN and health.llm_provider == "openai":
            self.llm.set_state(
                RED,
                self.tr("AI: the model server is not reachable"),
                level="error",
                tooltip=self.tr("Check that the model server is running and its address."),
            )
        elif state == LlmState.DOWN:
            self.llm.set_state(
                RED,
                self.tr("AI: Ollama is not running"),
                level="error",
                tooltip=self.tr(
                    "Start Ollama. Meanwhile the bot answers from your FAQ or hands chats "
                    "to a person."
                ),
            )
        else:
            self.llm.set_state(GREY, self.tr("AI: checking…"), level="unknown")
        host = health.llm_remote_host
        if host:
            # Privacy stays visible: customer messages leave the PC for the model server.
            warning = self.tr("Conversations leave this PC for {host}.").format(host=host)
            if state == LlmState.UP:
                self.llm.set_state(
                    ORANGE,
                    self.tr("AI: {model} ready, outside this PC").format(model=model),
                    level="warning",
                    tooltip=warning,
                )
            else:
                self.llm.setToolTip(self.llm.toolTip() + "\n" + warning)

    def _show_outbox(self, health: HealthSnapshot) -> None:
        queued, failed = health.outbox_queued, health.outbox_failed
        if failed:
            text = self.tr("Outbox: {queued} waiting, {failed} failed").format(
                queued=queued, failed=failed
            )
            self.outbox.set_state(
                RED,
                text,
                level="error",
                tooltip=self.tr("Failed messages show a red mark and the reason in their chat."),
            )
        elif queued:
            self.outbox.set_state(
                ORANGE,
                self.tr("Outbox: {queued} waiting").format(queued=queued),
                level="warning",
            )
        else:
            self.outbox.set_state(GREEN, self.tr("Outbox: all sent"), level="ok")
