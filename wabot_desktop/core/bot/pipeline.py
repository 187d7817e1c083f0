"""What happens after the store commits: events for the GUI, work for the bot.

The ingest writer commits a batch of webhook bodies and hands their outcomes to
:meth:`CommitPipeline.on_committed`; the outbox hands the status changes of its own writes to
:func:`publish_status_changes`. The composition root (core/runtime.py) only wires them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from wabot_desktop.core.events import (
    AccountErrorReceived,
    ConversationUpdated,
    EventHub,
    MessageReceived,
    MessageStatusChanged,
)
from wabot_desktop.core.store.ingest import IngestOutcome, StatusChange

if TYPE_CHECKING:
    from wabot_desktop.core.bot.engine import BotEngine
    from wabot_desktop.core.voice.notes import VoiceNotes


def publish_status_changes(hub: EventHub, changes: Iterable[StatusChange]) -> None:
    """Publish one MessageStatusChanged per stored status change, in order."""
    for change in changes:
        hub.publish(
            MessageStatusChanged(
                conversation_id=change.conversation_id,
                message_id=change.message_id,
                status=change.status,
                error_code=change.error_code,
            )
        )


class CommitPipeline:
    """Turns a committed ingest batch into events and bot work.

    For each new customer message: MessageReceived, then its audio goes to the transcriber
    (before the bot's worker, which waits for the transcript), then the bot is notified if the
    message needs an answer. Status changes and account errors become events; every touched
    conversation gets one ConversationUpdated after the whole batch.
    """

    def __init__(self, hub: EventHub, engine: BotEngine, voice: VoiceNotes | None = None) -> None:
        self._hub = hub
        self._engine = engine
        self._voice = voice

    def on_committed(self, outcomes: list[IngestOutcome]) -> None:
        """The writer's committed-callback (runs on the event loop's thread)."""
        hub = self._hub
        touched: set[int] = set()
        for outcome in outcomes:
            for new in outcome.new_messages:
                hub.publish(
                    MessageReceived(
                        conversation_id=new.conversation_id,
                        message_id=new.message_id,
                        contact_id=new.contact_id,
                    )
                )
                touched.add(new.conversation_id)
                if new.audio and self._voice is not None:
                    self._voice.submit(new.conversation_id, new.message_id)
                if new.needs_bot:
                    self._engine.notify(new.conversation_id)
            publish_status_changes(hub, outcome.status_changes)
            for code in outcome.account_error_codes:
                hub.publish(AccountErrorReceived(error_code=code))
        for conversation_id in touched:
            hub.publish(ConversationUpdated(conversation_id=conversation_id))
