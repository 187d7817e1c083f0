"""The bridge hands the core's enums to the widgets as members, not as plain strings."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from wabot_desktop.core import events
from wabot_desktop.core.dto import ConversationMode, LlmState, MessageStatus, TunnelState
from wabot_desktop.core.events import EventHub
from wabot_desktop.gui.bridge import CoreBridge


def test_bridge_signals_carry_the_enum_members(qtbot: QtBot) -> None:
    hub = EventHub()
    bridge = CoreBridge(hub)
    got: list[tuple[object, ...]] = []
    bridge.message_status_changed.connect(lambda *args: got.append(args))
    bridge.mode_changed.connect(lambda *args: got.append(args))
    bridge.llm_state_changed.connect(lambda *args: got.append(args))
    bridge.tunnel_state_changed.connect(lambda *args: got.append(args))
    bridge.start_delivery()
    hub.publish(
        events.MessageStatusChanged(conversation_id=1, message_id=2, status=MessageStatus.READ)
    )
    hub.publish(
        events.ModeChanged(conversation_id=1, mode=ConversationMode.HUMAN, staff_name="Ana")
    )
    hub.publish(events.LlmStateChanged(state=LlmState.MODEL_MISSING, model="qwen2.5:3b"))
    hub.publish(events.TunnelStateChanged(state=TunnelState.UP, public_url="https://x.test"))
    bridge.close()
    assert got == [
        (1, 2, MessageStatus.READ),
        (1, ConversationMode.HUMAN, "Ana"),
        (LlmState.MODEL_MISSING, "qwen2.5:3b", None),
        (TunnelState.UP, "https://x.test", None),
    ]
    kinds = [type(got[0][2]), type(got[1][1]), type(got[2][0]), type(got[3][0])]
    assert kinds == [MessageStatus, ConversationMode, LlmState, TunnelState]
