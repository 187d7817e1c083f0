"""Core events to Qt signals: the one adaptor between the core's EventHub and the widgets.

The core publishes plain dataclass events on its hub (house style 4). :class:`CoreBridge`
subscribes once and re-emits each event as a typed Qt signal. Events that arrive before the main
window has connected are kept (up to a limit) and delivered by :meth:`CoreBridge.start_delivery`.
In simulator mode :class:`SandboxBridge` does the same for the sandbox's customer-side events.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from wabot_desktop.core import events
from wabot_desktop.core.events import EventHub
from wabot_desktop.core.simulator import SandboxEvent, Simulator

logger = logging.getLogger(__name__)

_MAX_PENDING = 2000


class CoreBridge(QObject):
    """Re-emits core events as Qt signals.

    Signals:
        event_received(object): every event, after its typed signal (tests, logging).
        message_received(int, int): conversation id, message id of a new customer message.
        message_queued(int, int): conversation id, message id of a new outbound message.
        reply_sent(int, int): conversation id, message id that Meta accepted.
        message_status_changed(int, int, object): conversation id, message id, new MessageStatus.
        message_updated(int, int): conversation id, message id (a transcript arrived).
        mode_changed(int, object, object): conversation id, ConversationMode, staff name or None.
        handoff_requested(int, object): conversation id, HandoffReason.
        conversation_updated(int): conversation id whose list row changed.
        conversation_deleted(int): conversation id that no longer exists.
        llm_state_changed(object, str, object): LlmState, model, detail or None.
        send_blocked(str, object): reason, error code or None.
        send_unblocked(): sending resumed.
        account_error_received(int): Meta error code.
        tunnel_state_changed(object, object, object): TunnelState, public url or None, detail or
            None.
        bot_pause_changed(bool): the global pause switch.
        task_failed(str, str): task name, error.
    """

    event_received = Signal(object)
    message_received = Signal(int, int)
    message_queued = Signal(int, int)
    reply_sent = Signal(int, int)
    # The enums travel as ``object`` so slots receive the members, not plain strings.
    message_status_changed = Signal(int, int, object)
    message_updated = Signal(int, int)
    mode_changed = Signal(int, object, object)
    handoff_requested = Signal(int, object)
    conversation_updated = Signal(int)
    conversation_deleted = Signal(int)
    llm_state_changed = Signal(object, str, object)
    send_blocked = Signal(str, object)
    send_unblocked = Signal()
    account_error_received = Signal(int)
    tunnel_state_changed = Signal(object, object, object)
    bot_pause_changed = Signal(bool)
    task_failed = Signal(str, str)

    def __init__(self, hub: EventHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._delivering = False
        self._pending: deque[events.Event] = deque(maxlen=_MAX_PENDING)
        self._unsubscribe: Callable[[], None] | None = hub.subscribe(self._on_hub_event)

    def start_delivery(self) -> None:
        """Deliver the events kept so far, then every new one as it comes."""
        self._delivering = True
        while self._pending:
            self._emit(self._pending.popleft())

    def close(self) -> None:
        """Stop listening to the hub."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_hub_event(self, event: events.Event) -> None:
        if not self._delivering:
            if len(self._pending) == self._pending.maxlen:
                logger.warning("bridge buffer full; dropping the oldest event")
            self._pending.append(event)
            return
        self._emit(event)

    def _emit(self, event: events.Event) -> None:  # noqa: C901 - one branch per event type
        match event:
            case events.MessageReceived(conversation_id=cid, message_id=mid):
                self.message_received.emit(cid, mid)
            case events.MessageQueued(conversation_id=cid, message_id=mid):
                self.message_queued.emit(cid, mid)
            case events.ReplySent(conversation_id=cid, message_id=mid):
                self.reply_sent.emit(cid, mid)
            case events.MessageStatusChanged(conversation_id=cid, message_id=mid, status=status):
                self.message_status_changed.emit(cid, mid, status)
            case events.MessageUpdated(conversation_id=cid, message_id=mid):
                self.message_updated.emit(cid, mid)
            case events.ModeChanged(conversation_id=cid, mode=mode, staff_name=staff):
                self.mode_changed.emit(cid, mode, staff)
            case events.HandoffRequested(conversation_id=cid, reason=reason):
                self.handoff_requested.emit(cid, reason)
            case events.ConversationUpdated(conversation_id=cid):
                self.conversation_updated.emit(cid)
            case events.ConversationDeleted(conversation_id=cid):
                self.conversation_deleted.emit(cid)
            case events.LlmStateChanged(state=state, model=model, detail=detail):
                self.llm_state_changed.emit(state, model, detail)
            case events.SendBlocked(reason=reason, error_code=code):
                self.send_blocked.emit(reason, code)
            case events.SendUnblocked():
                self.send_unblocked.emit()
            case events.AccountErrorReceived(error_code=code):
                self.account_error_received.emit(code)
            case events.TunnelStateChanged(state=state, public_url=url, detail=detail):
                self.tunnel_state_changed.emit(state, url, detail)
            case events.BotPauseChanged(paused=paused):
                self.bot_pause_changed.emit(paused)
            case events.TaskFailed(task=task, error=error):
                self.task_failed.emit(task, error)
            case _:
                logger.debug("no signal for %s", type(event).__name__)
        self.event_received.emit(event)


class SandboxBridge(QObject):
    """Re-emits the simulator's customer-side events (the phone pane's) as Qt signals.

    The :class:`~wabot_desktop.core.simulator.Simulator` calls its listeners on the event
    loop's thread, like the hub; as with :class:`CoreBridge`, events that arrive before the pane
    has connected are kept and delivered by :meth:`start_delivery`.

    Signals:
        message_added(object): a new SandboxMessage in a customer's chat (either direction).
        message_changed(object): a SandboxMessage snapshot whose status changed.
        typing_changed(str, bool): customer wa_id; whether the business shows "typing…".
        customer_added(object): a new SandboxCustomer.
    """

    message_added = Signal(object)
    message_changed = Signal(object)
    typing_changed = Signal(str, bool)
    customer_added = Signal(object)

    def __init__(self, simulator: Simulator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._delivering = False
        self._pending: deque[SandboxEvent] = deque(maxlen=_MAX_PENDING)
        self._unsubscribe: Callable[[], None] | None = simulator.subscribe(self._on_sandbox_event)

    def start_delivery(self) -> None:
        """Deliver the events kept so far, then every new one as it comes."""
        self._delivering = True
        while self._pending:
            self._emit(self._pending.popleft())

    def close(self) -> None:
        """Stop listening to the sandbox."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_sandbox_event(self, event: SandboxEvent) -> None:
        if self._delivering:
            self._emit(event)
        else:
            self._pending.append(event)

    def _emit(self, event: SandboxEvent) -> None:
        if event.kind == "message" and event.message is not None:
            self.message_added.emit(event.message)
        elif event.kind == "status" and event.message is not None:
            self.message_changed.emit(event.message)
        elif event.kind == "typing":
            self.typing_changed.emit(event.wa_id, event.typing)
        elif event.kind == "customer" and event.customer is not None:
            self.customer_added.emit(event.customer)
