"""The part of BotService the GUI calls, as a Protocol.

Models and widgets are typed against this Protocol instead of the concrete facade so they stay
testable with the real core and readable on their own; ``core.service.BotService`` satisfies it.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import Protocol

from wabot_desktop.core.dto import (
    ContactDetails,
    ConversationFilter,
    ConversationSummary,
    HealthSnapshot,
    LabelInfo,
    MessageView,
    QuickReply,
    TemplateInfo,
)
from wabot_desktop.core.events import EventHub


class MonitorService(Protocol):
    """Coroutines of the core facade used by the GUI."""

    hub: EventHub

    async def list_conversations(
        self,
        *,
        filter: ConversationFilter = ...,
        search: str = ...,
        label_id: int | None = ...,
        offset: int = ...,
        limit: int = ...,
    ) -> list[ConversationSummary]: ...

    async def count_conversations(
        self, *, filter: ConversationFilter = ..., search: str = ..., label_id: int | None = ...
    ) -> int: ...

    async def get_conversation(self, conversation_id: int) -> ConversationSummary: ...

    async def get_conversations(
        self, conversation_ids: Sequence[int]
    ) -> list[ConversationSummary]: ...

    async def get_messages(
        self,
        conversation_id: int,
        *,
        before_id: int | None = ...,
        after_id: int | None = ...,
        limit: int = ...,
    ) -> list[MessageView]: ...

    async def get_message(self, message_id: int) -> MessageView: ...

    async def mark_conversation_read(self, conversation_id: int) -> None: ...

    async def take_over(self, conversation_id: int, staff_name: str) -> None: ...

    async def hand_back(self, conversation_id: int) -> None: ...

    async def send_staff_message(
        self,
        conversation_id: int,
        text: str,
        *,
        staff_name: str,
        reply_to_message_id: int | None = ...,
    ) -> MessageView: ...

    async def list_templates(self, *, refresh: bool = ...) -> list[TemplateInfo]: ...

    async def send_template(
        self, conversation_id: int, name: str, language: str, params: list[str], *, staff_name: str
    ) -> MessageView: ...

    async def set_global_pause(self, paused: bool) -> None: ...

    def is_paused(self) -> bool: ...

    async def get_contact(self, conversation_id: int) -> ContactDetails: ...

    async def update_contact_notes(self, contact_id: int, notes: str) -> None: ...

    async def set_contact_blocked(self, contact_id: int, blocked: bool) -> None: ...

    async def set_contact_opt_out(self, contact_id: int, opted_out: bool) -> None: ...

    async def list_labels(self) -> list[LabelInfo]: ...

    async def create_label(self, name: str, color: str) -> LabelInfo: ...

    async def delete_label(self, label_id: int) -> None: ...

    async def set_conversation_labels(self, conversation_id: int, label_ids: list[int]) -> None: ...

    async def list_quick_replies(self) -> list[QuickReply]: ...

    async def set_quick_replies(self, replies: list[QuickReply]) -> None: ...

    async def export_conversation(
        self, conversation_id: int, path: pathlib.Path, fmt: str
    ) -> None: ...

    async def delete_contact_data(self, contact_id: int) -> None: ...

    async def download_media(self, message_id: int) -> pathlib.Path: ...

    async def health(self) -> HealthSnapshot: ...

    async def resume_sending(self) -> bool: ...

    async def get_setting(self, name: str) -> object: ...

    async def set_setting(self, name: str, value: object) -> None: ...
