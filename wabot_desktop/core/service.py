"""BotService: the one facade the GUI (and tests) call. Coroutines in, frozen DTOs out."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from wabot_desktop.core.aio import SHARED_POOL, BlockingPool
from wabot_desktop.core.dto import (
    WINDOW_SECONDS,
    Author,
    ContactDetails,
    ConversationFilter,
    ConversationMode,
    ConversationSummary,
    DatabaseState,
    GraphState,
    HealthSnapshot,
    LabelInfo,
    LlmState,
    MessageView,
    QuickReply,
    TemplateInfo,
    TunnelState,
    UnattributedMessageView,
)
from wabot_desktop.core.errors import (
    SendingBlockedError,
    ServerOnlyError,
    ShopOfflineError,
    WindowClosedError,
)
from wabot_desktop.core.events import (
    BotPauseChanged,
    ConversationDeleted,
    ConversationUpdated,
    Event,
    EventHub,
    MessageQueued,
    ModeChanged,
    SettingsChanged,
    TaskFailed,
)
from wabot_desktop.core.knowledge import io as knowledge_io
from wabot_desktop.core.knowledge import store as knowledge_store
from wabot_desktop.core.knowledge.active import ActiveKnowledge
from wabot_desktop.core.knowledge.checks import HOW_TO_ENABLE, CheckResult, run_checks
from wabot_desktop.core.knowledge.compose import VARIABLES
from wabot_desktop.core.knowledge.compose import Preview as KnowledgePreview
from wabot_desktop.core.knowledge.compose import preview as compose_preview
from wabot_desktop.core.knowledge.io import BadRow, ImportResult, UnreadableFileError
from wabot_desktop.core.knowledge.model import (
    TEXT_KEYS,
    WEEKDAYS,
    Check,
    DeliveryZone,
    Facts,
    FaqItem,
    Knowledge,
    PriceItem,
)
from wabot_desktop.core.knowledge.money import parse_number
from wabot_desktop.core.knowledge.store import VersionInfo
from wabot_desktop.core.llm.base import LlmResponseError, LlmUnavailableError
from wabot_desktop.core.llm.guarded import leaves_this_pc, url_host
from wabot_desktop.core.llm.postprocess import clean_reply
from wabot_desktop.core.llm.presets import (
    PRESETS,
    LlmServerSettings,
    ServerPreset,
    normalize_base_url,
)
from wabot_desktop.core.meter import service_meter
from wabot_desktop.core.settings import Settings, is_setting, load_settings, save_settings
from wabot_desktop.core.store import queries
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.outbox import OutboundSpec, outbox_counts, queue_replies
from wabot_desktop.core.store.turns import mark_all_pending_handled, set_mode
from wabot_desktop.core.textutil import split_message
from wabot_desktop.core.voice.models import (
    OFF,
    ModelDownloadCancelled,
    ModelUnavailableError,
    VoiceModelInfo,
    faster_whisper_available,
    is_model_dir,
    model_infos,
    recommend_model,
    total_ram_bytes,
)
from wabot_desktop.core.whatsapp.errors import GraphApiError
from wabot_desktop.core.whatsapp.graph import GraphClient, extension_for_mime, template_params
from wabot_desktop.core.whatsapp.payloads import (
    recipient_fields,
    template_body_components,
    template_message,
    text_message,
)

if TYPE_CHECKING:
    import threading

    from wabot_desktop.core.bot.outbox import OutboxSender
    from wabot_desktop.core.llm.base import LlmProvider
    from wabot_desktop.core.tunnel import TunnelManager
    from wabot_desktop.core.voice.notes import VoiceNotes

logger = logging.getLogger(__name__)

LLM_PROVIDERS = ("ollama", "openai")

T = TypeVar("T")

# Settings a staff PC keeps for itself when it works on the shop's database (issue 16): each
# PC's staff member has their own name and language; everything else is the shop's.
PER_PC_SETTINGS = frozenset({"staff_name", "language"})


class LlmControl(Protocol):
    """What the running core offers the facade for the model server (``Core`` implements it)."""

    async def read_llm_api_key(self) -> str | None:
        """The model server's API key from the keyring (None: none stored)."""
        ...

    async def store_llm_api_key(self, key: str | None) -> None:
        """Store (or, with None, delete) the model server's API key in the keyring."""
        ...

    def effective_ollama_host(self) -> str:
        """The Ollama address in use."""
        ...


_SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str | None, fallback: str) -> str:
    """A file name the customer chose, made harmless (no paths, no odd characters)."""
    base = Path(name or "").name
    cleaned = _SAFE_NAME_RE.sub("_", base).strip("._")[:100]
    return cleaned or fallback


class BotService:
    """Facade over the core. Every method is safe to call from the event loop."""

    def __init__(
        self,
        *,
        db: Database,
        hub: EventHub,
        graph: GraphClient | None,
        outbox: OutboxSender | None,
        settings: Callable[[], Settings],
        update_settings: Callable[[Settings], None],
        media_dir: Path,
        llm: LlmProvider | None = None,
        tunnel: TunnelManager | None = None,
        simulator: bool = False,
        clock: Callable[[], float] = time.time,
        knowledge: ActiveKnowledge | None = None,
        blocking: BlockingPool | None = None,
        llm_control: LlmControl | None = None,
        voice: VoiceNotes | None = None,
        remote_label: str | None = None,
        per_pc_settings: Callable[[dict[str, object]], None] | None = None,
    ) -> None:
        """Wire the facade to one running core (built by the runtime, never by the GUI).

        ``remote_label`` (``host/database``): a staff PC connected to the shop's server
        (core/shop.py). It has no Graph client and no outbox sender (``graph``/``outbox`` None):
        staff messages are queued rows the server sends; read receipts, templates from Meta
        and media downloads are the server's business. ``per_pc_settings`` saves the settings
        that belong to this PC, not the shop (``PER_PC_SETTINGS``: the staff name, the language);
        the core applies them over the shop's settings.
        """
        self.remote_label = remote_label
        self._save_per_pc = per_pc_settings
        self.knowledge = knowledge or ActiveKnowledge()
        self._blocking = blocking or SHARED_POOL  # file writes (export, media)
        self._llm_control = llm_control
        self.voice = voice
        self.hub = hub
        self._db = db
        self._graph = graph
        self._outbox = outbox
        self._settings = settings
        self._update_settings = update_settings
        self._media_dir = media_dir
        self.llm = llm
        self.tunnel = tunnel
        self.simulator = simulator
        self._clock = clock
        self._reload: asyncio.Task[None] | None = None  # settings saved by another PC
        self._reload_again = False
        self._closed = False
        self.graph_state = GraphState.SANDBOX if simulator else GraphState.UNKNOWN
        self.bot_errors = 0
        self.last_bot_error: str | None = None
        hub.subscribe(self._count_bot_errors)

    def _count_bot_errors(self, event: Event) -> None:
        if isinstance(event, TaskFailed) and event.task == "bot_turn":
            self.bot_errors += 1
            self.last_bot_error = event.error

    # -- chat list and history -------------------------------------------------------------

    async def list_conversations(
        self,
        *,
        filter: ConversationFilter = ConversationFilter.ALL,  # noqa: A002 - the GUI's word
        search: str = "",
        label_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> list[ConversationSummary]:
        """One page of the chat list, newest activity first, filtered and searched."""
        return await self._db.read(
            queries.list_conversations, filter, search, label_id, offset, limit
        )

    async def count_conversations(
        self,
        *,
        filter: ConversationFilter = ConversationFilter.ALL,  # noqa: A002
        search: str = "",
        label_id: int | None = None,
    ) -> int:
        """How many chats match the chat list's filter, search and label."""
        return await self._db.read(queries.count_conversations, filter, search, label_id)

    async def get_conversation(self, conversation_id: int) -> ConversationSummary:
        """One chat-list row (raises ConversationNotFoundError if it is gone)."""
        return await self._db.read(queries.get_conversation, conversation_id)

    async def get_conversations(self, conversation_ids: Sequence[int]) -> list[ConversationSummary]:
        """Several chat-list rows in one read; ids that no longer exist are left out."""
        return await self._db.read(queries.get_conversations, list(conversation_ids))

    async def get_messages(
        self,
        conversation_id: int,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[MessageView]:
        """Oldest first: the newest ``limit`` before ``before_id`` (or overall), or with
        ``after_id`` the first ``limit`` after it."""
        return await self._db.read(
            queries.get_messages, conversation_id, before_id, limit, after_id
        )

    async def get_message(self, message_id: int) -> MessageView:
        """One message of a chat, as the conversation view shows it."""
        return await self._db.read(queries.get_message, message_id)

    async def mark_conversation_read(self, conversation_id: int) -> None:
        """Zero the unread badge and send WhatsApp's read receipt for the newest message."""
        wamid = await self._db.session_run(queries.mark_read, conversation_id)
        self.hub.publish(ConversationUpdated(conversation_id=conversation_id))
        if wamid and self._graph is not None and self._sending_blocked() is None:
            try:
                await self._graph.mark_read(wamid)
            except GraphApiError as exc:
                logger.info("read receipt not sent (code %s)", exc.code)

    # -- takeover ------------------------------------------------------------------------------

    async def take_over(self, conversation_id: int, staff_name: str) -> None:
        """Staff holds the chat: the bot stays silent until hand-back or the quiet period ends."""
        now = self._clock()
        changed = await self._remote_safe(
            self._db.session_run(
                set_mode, conversation_id, ConversationMode.HUMAN, now, staff_name or None
            )
        )
        if changed:
            self.hub.publish(
                ModeChanged(
                    conversation_id=conversation_id,
                    mode=ConversationMode.HUMAN,
                    staff_name=staff_name or None,
                )
            )

    async def hand_back(self, conversation_id: int) -> None:
        """Back to the bot; what the customer wrote meanwhile stays handled by staff."""

        def work(session: Any) -> bool:
            # Only what arrived while staff held the chat is theirs: handing back a chat the bot
            # already holds must not swallow the message it is about to answer.
            if queries.get_conversation(session, conversation_id).mode is ConversationMode.BOT:
                return False
            mark_all_pending_handled(session, conversation_id)
            return set_mode(session, conversation_id, ConversationMode.BOT, self._clock())

        if await self._remote_safe(self._db.session_run(work)):
            self.hub.publish(
                ModeChanged(conversation_id=conversation_id, mode=ConversationMode.BOT)
            )

    async def _remote_safe(self, work: Awaitable[T]) -> T:
        """On a staff PC, a lost connection to the shop's server is ShopOfflineError.

        The window says the action was not done instead of showing a takeover nobody has. (If
        the link broke during the commit itself, the server may have applied it: the window
        reads its lists again when the link is back, so what it shows is the database's state.)
        """
        if self.remote_label is None:
            return await work
        from sqlalchemy.exc import InterfaceError, OperationalError

        try:
            return await work
        except (OperationalError, InterfaceError) as exc:
            logger.warning("shop server unreachable: %s", type(exc.orig or exc).__name__)
            raise ShopOfflineError(self.remote_label) from None

    def _sending_blocked(self) -> str | None:
        return self._outbox.blocked_reason if self._outbox is not None else None

    def _check_can_send(self) -> None:
        blocked = self._sending_blocked()
        if blocked is not None:
            raise SendingBlockedError(blocked)

    async def _queue_staff(
        self,
        conversation_id: int,
        specs_for: Callable[[dict[str, str]], list[OutboundSpec]],
        staff_name: str,
        require_window: bool,
    ) -> MessageView:
        self._check_can_send()
        now = self._clock()

        def work(session: Any) -> tuple[list[int], bool]:
            summary = queries.get_conversation(session, conversation_id)
            if require_window and not summary.window_open(now):
                raise WindowClosedError(conversation_id)
            contact = queries.get_contact(session, conversation_id)
            changed = summary.mode is not ConversationMode.HUMAN or summary.staff_name != (
                staff_name or None
            )
            set_mode(session, conversation_id, ConversationMode.HUMAN, now, staff_name or None)
            mark_all_pending_handled(session, conversation_id)
            queued = queue_replies(
                session,
                conversation_id=conversation_id,
                specs=specs_for(recipient_fields(contact.phone, contact.user_id)),
                author=Author.STAFF,
                staff_name=staff_name or None,
                handled_ids=[],
                now=now,
            )
            return [q.message_id for q in queued], changed

        message_ids, changed = await self._remote_safe(self._db.session_run(work))
        if changed:
            self.hub.publish(
                ModeChanged(
                    conversation_id=conversation_id,
                    mode=ConversationMode.HUMAN,
                    staff_name=staff_name or None,
                )
            )
        for message_id in message_ids:
            self.hub.publish(
                MessageQueued(
                    conversation_id=conversation_id, message_id=message_id, author=Author.STAFF
                )
            )
        if self._outbox is not None:
            self._outbox.wake()
        # (staff PC: the MessageQueued notifications wake the server's outbox)
        return await self.get_message(message_ids[-1])

    async def send_staff_message(
        self,
        conversation_id: int,
        text: str,
        *,
        staff_name: str,
        reply_to_message_id: int | None = None,
    ) -> MessageView:
        """Send staff text (taking the chat over if the bot held it). Long texts are split."""
        text = text.strip()
        if not text:
            raise ValueError("empty message")
        reply_to: str | None = None
        if reply_to_message_id is not None:
            reply_to = (await self.get_message(reply_to_message_id)).wamid

        def specs(to: dict[str, str]) -> list[OutboundSpec]:
            parts = split_message(text)
            return [
                OutboundSpec(
                    type="text",
                    text=part,
                    payload=text_message(to, part, reply_to=reply_to if i == 0 else None),
                    reply_to_wamid=reply_to if i == 0 else None,
                )
                for i, part in enumerate(parts)
            ]

        return await self._queue_staff(conversation_id, specs, staff_name, require_window=True)

    async def list_templates(self, *, refresh: bool = False) -> list[TemplateInfo]:
        """Approved templates, cached in the settings; fetched from the Graph API on refresh."""
        cached = self._settings().template_cache
        graph = self._graph
        if (refresh or not cached) and graph is None:
            if not cached:
                raise ServerOnlyError("templates")  # staff PC: the server fetches them
        elif (refresh or not cached) and graph is not None:
            try:
                fetched = await graph.list_templates()
            except GraphApiError as exc:
                logger.warning("template list not fetched (code %s)", exc.code)
                if not cached:
                    raise
            else:
                cached = tuple(
                    {
                        "name": t.name,
                        "language": t.language,
                        "status": t.status,
                        "category": t.category,
                        "body_text": t.body_text,
                        "param_count": t.param_count,
                    }
                    for t in fetched
                )
                await self.set_setting("template_cache", cached)
        return [
            TemplateInfo(
                name=str(t["name"]),
                language=str(t["language"]),
                status=str(t["status"]),
                category=t.get("category"),
                body_text=t.get("body_text"),
                param_count=int(t.get("param_count") or 0),
                param_names=template_params(t.get("body_text")),
            )
            for t in cached
            if str(t.get("status", "")).upper() == "APPROVED"
        ]

    async def send_template(
        self, conversation_id: int, name: str, language: str, params: list[str], *, staff_name: str
    ) -> MessageView:
        """Send an approved template (works outside the 24-hour window)."""
        body = next(
            (
                t.body_text
                for t in await self.list_templates()
                if t.name == name and t.language == language
            ),
            None,
        )
        shown = body or name
        for index, value in enumerate(params, start=1):
            shown = shown.replace("{{" + str(index) + "}}", value)

        def specs(to: dict[str, str]) -> list[OutboundSpec]:
            components = template_body_components(params) if params else None
            return [
                OutboundSpec(
                    type="template",
                    text=shown,
                    payload=template_message(to, name, language, components),
                )
            ]

        return await self._queue_staff(conversation_id, specs, staff_name, require_window=False)

    # -- switches and settings ---------------------------------------------------------------

    def is_paused(self) -> bool:
        """True while the global pause switch keeps the bot silent everywhere."""
        return self._settings().bot_paused

    async def set_global_pause(self, paused: bool) -> None:
        """Pause or resume the bot in every chat (the window's pause switch)."""
        await self.set_setting("bot_paused", paused)
        # What the database holds now (another PC's save may have landed in between).
        self.hub.publish(BotPauseChanged(paused=self._settings().bot_paused))

    async def get_setting(self, name: str) -> object:
        """The current value of one declared setting (KeyError for unknown names)."""
        if not is_setting(name):
            raise KeyError(name)
        return getattr(self._settings(), name)

    async def set_setting(self, name: str, value: object) -> None:
        """Save one setting; the running core uses the new value at once."""
        await self.update_settings(**{name: value})

    async def update_settings(self, **changes: object) -> Settings:
        """Save several settings in one transaction; returns the settings now in use."""
        for name in changes:
            if not is_setting(name):
                raise KeyError(name)
        shared = dict(changes)
        if self._save_per_pc is not None:
            mine = {k: shared.pop(k) for k in list(shared) if k in PER_PC_SETTINGS}
            if mine:
                await self._blocking.run(self._save_per_pc, mine)
        if shared:
            await self._db.session_run(lambda s: save_settings(s, **shared))
        fresh = await self._db.session_run(load_settings)
        self._update_settings(fresh)
        if shared:
            # On PostgreSQL the other instances (the server's bot, the staff PCs) hear of it.
            self.hub.publish(SettingsChanged())
        return self._settings() if self._save_per_pc is not None else fresh

    async def reload_settings(self) -> Settings:
        """Read the shop's settings and active prompt version again (another PC saved them); a
        moved pause switch is published as BotPauseChanged, so the bot and every window follow
        it."""
        was_paused = self._settings().bot_paused
        found = await self._db.read(knowledge_store.active)
        current = self.knowledge.version
        # Versions only grow (a rollback saves a new one): an older one is a read that began
        # before this PC's own save, never a step back.
        if found is not None and (current is None or found[0].id > current.id):
            self.knowledge.activate(found[1], found[0])  # the prompt editor saved elsewhere
        self._update_settings(await self._db.session_run(load_settings))
        now = self._settings()
        if now.bot_paused != was_paused:
            self.hub.publish(BotPauseChanged(paused=now.bot_paused))
        return now

    def reload_settings_soon(self) -> None:
        """Reload the settings in the background: one read at a time, and one more if another
        save arrives meanwhile (its commit may have come after the running read began)."""
        if self._closed:
            return
        self._reload_again = True
        if self._reload is None or self._reload.done():
            self._reload = asyncio.create_task(self._reload_settings_loop(), name="settings-reload")

    async def _reload_settings_loop(self) -> None:
        while self._reload_again and not self._closed:
            self._reload_again = False
            try:
                await self.reload_settings()
            except Exception:
                # The next save (or the next start) reads them; the running values stay.
                logger.exception("reading the shop's settings again failed")

    async def aclose(self) -> None:
        """Stop a settings reload still running, and start no more (the core is stopping)."""
        self._closed = True
        task, self._reload = self._reload, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # -- contact panel ------------------------------------------------------------------------

    async def get_contact(self, conversation_id: int) -> ContactDetails:
        """The contact panel's details for a chat's customer."""
        return await self._db.read(queries.get_contact, conversation_id)

    async def _update_contact(self, contact_id: int, **values: object) -> None:
        conversation_id = await self._db.session_run(
            lambda s: queries.update_contact(s, contact_id, **values)
        )
        if conversation_id is not None:
            self.hub.publish(ConversationUpdated(conversation_id=conversation_id))

    async def update_contact_notes(self, contact_id: int, notes: str) -> None:
        """Save staff notes about a customer (the contact panel)."""
        await self._update_contact(contact_id, notes=notes)

    async def set_contact_blocked(self, contact_id: int, blocked: bool) -> None:
        """Block or unblock a customer: the bot ignores a blocked one."""
        await self._update_contact(contact_id, blocked=blocked)

    async def set_contact_opt_out(self, contact_id: int, opted_out: bool) -> None:
        """Record that a customer opted out of (or back into) messages."""
        await self._update_contact(contact_id, opted_out=opted_out)

    async def list_labels(self) -> list[LabelInfo]:
        """Every label the shop defined, for filters and the contact panel."""
        return await self._db.read(queries.list_labels)

    async def create_label(self, name: str, color: str) -> LabelInfo:
        """Add a label with a #RRGGBB colour (ValueError for an empty name or bad colour)."""
        name = name.strip()
        if not name:
            raise ValueError("empty label name")
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
            raise ValueError("color must be #RRGGBB")
        return await self._db.session_run(queries.create_label, name, color)

    async def delete_label(self, label_id: int) -> None:
        """Delete a label and take it off every chat."""
        for conversation_id in await self._db.session_run(queries.delete_label, label_id):
            self.hub.publish(ConversationUpdated(conversation_id=conversation_id))

    async def set_conversation_labels(self, conversation_id: int, label_ids: list[int]) -> None:
        """Set exactly these labels on a chat."""
        await self._db.session_run(queries.set_conversation_labels, conversation_id, label_ids)
        self.hub.publish(ConversationUpdated(conversation_id=conversation_id))

    async def list_quick_replies(self) -> list[QuickReply]:
        """The staff's saved quick replies (shortcut and text) for the composer."""
        return [QuickReply(shortcut=s, text=t) for s, t in self._settings().quick_replies]

    async def set_quick_replies(self, replies: list[QuickReply]) -> None:
        """Replace the staff's quick replies (settings dialog)."""
        await self.set_setting(
            "quick_replies", tuple((r.shortcut.lstrip("/"), r.text) for r in replies)
        )

    async def export_conversation(self, conversation_id: int, path: Path, fmt: str) -> None:
        """Write the whole conversation to ``path`` as CSV or plain text (UTF-8)."""
        if fmt not in ("csv", "txt"):
            raise ValueError(fmt)
        contact, messages = await self._db.read(queries.export_rows, conversation_id)

        def write() -> None:
            with path.open("w", encoding="utf-8", newline="") as handle:
                if fmt == "csv":
                    writer = csv.writer(handle)
                    writer.writerow(
                        ["time", "author", "staff", "type", "text", "status", "error_code"]
                    )
                    for m in messages:
                        writer.writerow(
                            [
                                datetime.fromtimestamp(m.created_at).isoformat(timespec="seconds"),
                                m.author.value,
                                m.staff_name or "",
                                m.type,
                                m.text or "",
                                m.status,
                                m.error_code if m.error_code is not None else "",
                            ]
                        )
                else:
                    handle.write(
                        f"{contact.display_name} ({contact.phone or contact.user_id or ''})\n\n"
                    )
                    for m in messages:
                        when = datetime.fromtimestamp(m.created_at).strftime("%Y-%m-%d %H:%M")
                        who = m.staff_name or m.author.value
                        handle.write(
                            f"[{when}] {who}: {m.text if m.text else '[' + m.type + ']'}\n"
                        )

        await self._blocking.run(write)

    async def delete_contact_data(self, contact_id: int) -> None:
        """Delete the contact, the conversation, its messages and downloaded media."""
        conversation_id, paths = await self._db.session_run(queries.delete_contact, contact_id)
        for raw in paths:
            path = Path(raw)
            if path.is_file() and self._media_dir in path.resolve().parents:
                path.unlink()
        if conversation_id is not None:
            folder = self._media_dir / str(conversation_id)
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
            self.hub.publish(ConversationDeleted(conversation_id=conversation_id))

    async def download_media(self, message_id: int) -> Path:
        """Download a customer's media on demand (cached in the media folder)."""
        conversation_id, media_id, filename, mime, existing = await self._db.session_run(
            queries.media_of, message_id
        )
        if existing and Path(existing).is_file():
            return Path(existing)
        if not media_id:
            raise ValueError("message has no media")
        if self._graph is None:
            raise ServerOnlyError("media")  # staff PC: no WhatsApp token here
        data, _ = await self._graph.download_media(media_id)
        extension = "" if filename else extension_for_mime(mime)  # never from the string
        name = safe_filename(filename, f"media-{message_id}{extension}")
        folder = self._media_dir / str(conversation_id)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{message_id}-{name}"
        await self._blocking.run(target.write_bytes, data)
        await self._db.session_run(queries.set_media_path, message_id, str(target))
        return target

    async def resume_sending(self) -> bool:
        """The owner fixed the cause (new token, account unlocked): check with Meta, then resume.

        Returns True when sending resumed (the queued replies go out once each); False when
        Meta still refuses, and sending stays stopped.
        """
        if self._outbox is None or self._graph is None or self._outbox.blocked_reason is None:
            return True
        if not await self._graph.check_health():
            return False
        self._outbox.unblock()
        self.graph_state = GraphState.OK
        return True

    async def list_unattributed(self, limit: int = 200) -> list[UnattributedMessageView]:
        """Customer messages whose webhook named no sender: kept for the owner to read."""
        return await self._db.read(queries.list_unattributed, limit)

    # -- knowledge (prompt, facts, FAQ, prices, texts, checks): thin calls into core/knowledge --

    async def knowledge_draft(self) -> Knowledge:
        """The active version, or (before the first save) what the settings hold."""
        if self.knowledge.ready:
            return self.knowledge.knowledge
        return knowledge_store.from_settings(self._settings())

    async def save_knowledge(self, knowledge: Knowledge, note: str) -> knowledge_store.VersionInfo:
        """Store a new version and make it live at once (the rules' settings follow)."""
        info = await self._db.session_run(
            knowledge_store.save_version, knowledge, note, self._clock()
        )
        self.knowledge.activate(knowledge, info)
        await self.update_settings(**knowledge_store.settings_changes(knowledge))
        return info

    def model_context_tokens(self) -> int | None:
        """The model's context window from Ollama's metadata (None until known)."""
        return self.knowledge.context_tokens

    # The prompt editor's workbench: pure helpers over a draft, and the model for "Try it".

    def knowledge_preview(
        self, draft: Knowledge, *, sample: Sequence[str] | None = None
    ) -> KnowledgePreview:
        """The draft's composed prompt (with a sample chat), its size and unknown variables."""
        return compose_preview(
            draft, self._clock(), context_tokens=self.knowledge.context_tokens, sample=sample
        )

    @staticmethod
    def knowledge_diff(old: Knowledge, new: Knowledge, old_label: str, new_label: str) -> str:
        """A unified text diff between two versions of the knowledge ("" when equal)."""
        return knowledge_store.diff(old, new, old_label, new_label)

    @staticmethod
    def parse_amount(text: str) -> float:
        """A price typed the way the shop writes it ("1.234,50", "$ 99") as a number.

        Raises:
            ValueError: not a number.
        """
        return parse_number(text)

    async def read_knowledge_file(self, path: Path) -> ImportResult:
        """Read an FAQ or price list (CSV or .xlsx) for the editor to import.

        Raises:
            UnreadableFileError: not a table this importer knows.
        """
        return await self._blocking.run(knowledge_io.read_file, path)

    @staticmethod
    def apply_knowledge_import(draft: Knowledge, result: ImportResult) -> Knowledge:
        """The draft with the imported FAQ or price rows in place."""
        return knowledge_io.apply(draft, result)

    async def export_knowledge(self, draft: Knowledge, folder: Path) -> list[Path]:
        """Write the draft's FAQ and price list as tables into ``folder``; returns the files."""
        return await self._blocking.run(knowledge_io.export_all, draft, folder)

    def llm_help_text(self, language: str) -> str:
        """How to enable the local model, in the draft's language ("es" or "en")."""
        model = str(getattr(self.llm, "model", "") or self._settings().llm_model)
        return HOW_TO_ENABLE["es" if language == "es" else "en"].format(model=model)

    async def llm_ready(self) -> bool:
        """Check the model server if needed; True when the model can answer now."""
        llm = self.llm
        if llm is None:
            return False
        if llm.state != LlmState.UP:
            await llm.check()
        return llm.state == LlmState.UP

    async def try_knowledge(
        self, draft: Knowledge, text: str, *, on_token: Callable[[str], None] | None = None
    ) -> str:
        """The model's answer to ``text`` with the unsaved draft (streamed to ``on_token``).

        Raises:
            RuntimeError: no model is configured (check :meth:`llm_ready` first).
            LlmError: the model did not answer.
        """
        if self.llm is None:
            raise RuntimeError("no model configured")
        shown = self.knowledge_preview(draft, sample=[text])
        raw = await self.llm.chat(shown.messages, on_token=on_token)
        return clean_reply(raw, shown.messages[0]["content"])

    async def run_knowledge_checks(
        self, draft: Knowledge, *, on_result: Callable[[CheckResult], None] | None = None
    ) -> list[CheckResult]:
        """Ask the model every check of the draft, one after another; the results."""
        if self.llm is None:
            raise RuntimeError("no model configured")
        return await run_checks(self.llm, draft, on_result=on_result)

    async def knowledge_versions(self) -> list[knowledge_store.VersionInfo]:
        """Every saved version of the bot's knowledge, newest (the active one) first."""
        return await self._db.read(knowledge_store.list_versions)

    async def knowledge_version(self, version_id: int) -> Knowledge:
        """The knowledge as saved in one version (for the diff and rollback)."""
        return await self._db.read(knowledge_store.get_version, version_id)

    async def rollback_knowledge(self, version_id: int) -> knowledge_store.VersionInfo:
        """Make an old version live again (saved as a new version); returns it."""
        old = await self.knowledge_version(version_id)
        info = await self._db.session_run(knowledge_store.rollback, version_id, self._clock())
        self.knowledge.activate(old, info)
        await self.update_settings(**knowledge_store.settings_changes(old))
        return info

    # -- model server (Ollama or any OpenAI-compatible server) ---------------------------------

    def llm_presets(self) -> list[ServerPreset]:
        """Known OpenAI-compatible servers with their usual addresses."""
        return list(PRESETS)

    async def llm_server(self) -> LlmServerSettings:
        """The model server the bot uses now (as the settings page shows it)."""
        settings = self._settings()
        control = self._llm_control
        return LlmServerSettings(
            provider=settings.llm_provider,
            ollama_host=control.effective_ollama_host() if control else settings.ollama_host,
            ollama_model=settings.llm_model,
            openai_base_url=settings.openai_base_url,
            openai_model=settings.openai_model,
            context_size=settings.llm_context_size,
        )

    async def set_llm_server(self, server: LlmServerSettings) -> None:
        """Save the model server; the next customer turn uses it (no restart)."""
        if server.provider not in LLM_PROVIDERS:
            raise ValueError(f"unknown provider {server.provider!r}")
        if server.context_size < 0:
            raise ValueError("context size must be 0 or more")
        from wabot_desktop.core.llm.ollama_provider import normalize_host

        await self.update_settings(
            llm_provider=server.provider,
            ollama_host=normalize_host(server.ollama_host),
            llm_model=server.ollama_model.strip() or self._settings().llm_model,
            openai_base_url=normalize_base_url(server.openai_base_url),
            openai_model=server.openai_model.strip(),
            llm_context_size=server.context_size,
        )

    async def list_llm_models(
        self, provider: str, url: str, *, api_key: str | None = None
    ) -> list[str] | None:
        """Models on a server (OpenAI GET /models, Ollama /api/tags); None: it lists none.

        Without ``api_key`` an OpenAI-compatible server gets the stored key, if any.

        Raises:
            LlmUnavailableError: not reachable, or it refused (LlmResponseError, e.g. a bad key).
        """
        # The clients are imported here: the GUI imports this module before the core starts.
        from wabot_desktop.core.llm.ollama_provider import OllamaProvider
        from wabot_desktop.core.llm.openai_provider import OpenAIProvider

        if provider == "openai":
            if not api_key and self._llm_control is not None:
                api_key = await self._llm_control.read_llm_api_key()
            async with OpenAIProvider(url, "", api_key=api_key) as server:
                return await server.list_models()
        if provider != "ollama":
            raise ValueError(f"unknown provider {provider!r}")
        ollama = OllamaProvider(host=url)
        try:
            return await ollama.list_models()
        finally:
            await ollama.aclose()

    async def llm_api_key_stored(self) -> bool:
        """Whether a model-server API key is in the keyring (the key itself never leaves it)."""
        if self._llm_control is None:
            return False
        return bool(await self._llm_control.read_llm_api_key())

    async def set_llm_api_key(self, key: str | None) -> None:
        """Store (None or "": delete) the model server's API key in the keyring; the next
        turn uses it.

        Raises:
            KeyringUnavailableError: no usable keyring to keep it in.
        """
        if self._llm_control is None:
            raise RuntimeError("no running core to keep the key")
        await self._llm_control.store_llm_api_key((key or "").strip() or None)

    # -- voice notes: the Whisper model ---------------------------------------------------------

    def voice_models(self) -> list[VoiceModelInfo]:
        """The named voice models, smallest first, with whether each is on this PC."""
        if self.voice is None:
            return []
        return model_infos(self.voice.models_dir)

    def recommended_voice_model(self) -> str:
        """The model for this PC's memory ("recomendado para esta PC")."""
        return recommend_model(total_ram_bytes())

    def voice_transcription_available(self) -> bool:
        """faster-whisper is installed and loads on this PC."""
        return faster_whisper_available()

    def is_voice_model_folder(self, path: Path) -> bool:
        """``path`` holds a CTranslate2 Whisper model (offline install)."""
        return is_model_dir(path)

    async def download_voice_model(
        self,
        name: str,
        *,
        progress: Callable[[int, int | None], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        """Download a named voice model now; ``progress`` is called from a worker thread.

        Raises:
            ModelDownloadCancelled: ``cancel`` was set.
            ModelUnavailableError: no network, unknown name, incomplete files.
        """
        if self.voice is None:
            raise ModelUnavailableError("voice notes are not running")
        return await self.voice.download(name, progress=progress, cancel=cancel)

    async def health(self) -> HealthSnapshot:
        """A snapshot of every part's state for the status bar (database, WhatsApp, model...)."""
        try:
            ok = await self._db.read(queries.db_ok)
            database = DatabaseState.OK if ok else DatabaseState.ERROR
            queued, failed = await self._db.read(outbox_counts)
            unattributed = await self._db.read(queries.unattributed_count)
        except Exception:
            logger.exception("database health check failed")
            database, queued, failed, unattributed = DatabaseState.ERROR, 0, 0, 0
        meter: dict[str, object] | None = None
        if not self.simulator:
            try:
                reading = await self._db.read(service_meter, self._clock())
                meter = {**dataclasses.asdict(reading), "explanation": reading.explanation()}
            except Exception:
                logger.exception("service-message meter failed")
        blocked = self._sending_blocked()
        settings = self._settings()
        return HealthSnapshot(
            database=database,
            graph=GraphState.BLOCKED if blocked else self.graph_state,
            llm=self.llm.state if self.llm is not None else LlmState.UNKNOWN,
            llm_model=getattr(self.llm, "model", None) or settings.llm_model,
            tunnel=self.tunnel.state if self.tunnel is not None else TunnelState.DISABLED,
            public_url=self.tunnel.public_url if self.tunnel is not None else None,
            outbox_queued=queued,
            outbox_failed=failed,
            bot_paused=settings.bot_paused,
            simulator=self.simulator,
            sending_blocked_reason=blocked,
            bot_errors=self.bot_errors,
            last_bot_error=self.last_bot_error,
            unattributed_messages=unattributed,
            service_messages=meter,
            llm_provider=str(getattr(self.llm, "provider", "ollama")),
            llm_privacy_warning=getattr(self.llm, "privacy_warning", None) or None,
            llm_remote_host=getattr(self.llm, "remote_host", None),
        )

    def window_open(self, summary: ConversationSummary) -> bool:
        """True while WhatsApp's 24-hour window lets staff send free text to this chat."""
        return summary.window_open(self._clock())


__all__ = [
    "LLM_PROVIDERS",
    "OFF",
    "TEXT_KEYS",
    "VARIABLES",
    "WEEKDAYS",
    "WINDOW_SECONDS",
    "BadRow",
    "BotService",
    "Check",
    "CheckResult",
    "DeliveryZone",
    "Facts",
    "FaqItem",
    "ImportResult",
    "Knowledge",
    "KnowledgePreview",
    "LlmControl",
    "LlmResponseError",
    "LlmServerSettings",
    "LlmUnavailableError",
    "ModelDownloadCancelled",
    "ModelUnavailableError",
    "PriceItem",
    "ServerPreset",
    "Settings",
    "UnreadableFileError",
    "VersionInfo",
    "VoiceModelInfo",
    "leaves_this_pc",
    "safe_filename",
    "url_host",
]
