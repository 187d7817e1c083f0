"""The simulated customers' side: what they send, and the receipts their phones report.

Each action (:meth:`Customers.send_text`, :meth:`Customers.tap_button`, ...) builds a real Cloud
API webhook body, signs it and POSTs it to the core's ``/webhook`` (see :mod:`.webhooks`); the
message then shows in the customer's chat as ``pending``, ``delivered`` once the core answered
200, or ``failed``. Every business message the Graph routes accept gets ``sent``, ``delivered``
and (with ``auto_read``) ``read`` status webhooks after :class:`StatusDelays`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from wabot_desktop.core.logs import mask_phone
from wabot_desktop.core.whatsapp.sandbox.chats import Chats
from wabot_desktop.core.whatsapp.sandbox.media import (
    PHOTO_MIME,
    VOICE_NOTE_MIME,
    MediaStore,
    placeholder_ogg,
    placeholder_png,
    sha256_b64,
)
from wabot_desktop.core.whatsapp.sandbox.models import (
    STATUS_RANK,
    TEXT_LIMIT,
    SandboxCredentials,
    SandboxCustomer,
    SandboxError,
    SandboxEvent,
    SandboxMessage,
    SandboxStatus,
    StatusDelays,
)
from wabot_desktop.core.whatsapp.sandbox.webhooks import WebhookPoster, change_value, envelope

logger = logging.getLogger(__name__)


class Customers:
    """The customers' actions and their phones' status receipts.

    ``delays`` and ``auto_read`` may change at any time (they apply to the next business
    message). ``auto_read`` True: the customer "reads" every business message (``read`` after
    ``delays.read``); False: only :meth:`read` sends read statuses (a pane that knows what is on
    screen).
    """

    def __init__(
        self,
        credentials: SandboxCredentials,
        chats: Chats,
        media: MediaStore,
        poster: WebhookPoster,
        *,
        delays: StatusDelays,
        auto_read: bool,
    ) -> None:
        self.delays = delays
        self.auto_read = auto_read
        self._credentials = credentials
        self._chats = chats
        self._media = media
        self._poster = poster

    # -- what a customer does -------------------------------------------------------------

    async def send_text(
        self, customer: SandboxCustomer, text: str, *, reply_to: str | None = None
    ) -> str:
        if not text.strip():
            raise ValueError("empty message")
        if len(text) > TEXT_LIMIT:
            raise ValueError(f"text is longer than {TEXT_LIMIT} characters")
        return await self._send(
            customer, "text", {"text": {"body": text}}, text=text, reply_to=reply_to
        )

    async def send_image_placeholder(
        self, customer: SandboxCustomer, caption: str | None = None
    ) -> str:
        photo = placeholder_png()
        media_id = self._media.add(photo, PHOTO_MIME)
        image: dict[str, Any] = {
            "mime_type": PHOTO_MIME,
            "sha256": sha256_b64(photo),
            "id": media_id,
        }
        if caption:
            image["caption"] = caption
        return await self._send(
            customer,
            "image",
            {"image": image},
            text=caption or None,
            media_id=media_id,
            media_mime=PHOTO_MIME,
        )

    async def send_voice_placeholder(self, customer: SandboxCustomer) -> str:
        note = placeholder_ogg()
        media_id = self._media.add(note, VOICE_NOTE_MIME)
        audio = {
            "mime_type": VOICE_NOTE_MIME,
            "sha256": sha256_b64(note),
            "id": media_id,
            "voice": True,
        }
        return await self._send(
            customer,
            "audio",
            {"audio": audio},
            media_id=media_id,
            media_mime=VOICE_NOTE_MIME,
            voice=True,
        )

    async def send_location(
        self,
        customer: SandboxCustomer,
        latitude: float,
        longitude: float,
        name: str | None = None,
        address: str | None = None,
    ) -> str:
        if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
            raise ValueError("latitude/longitude out of range")
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if name:
            location["name"] = name
        if address:
            location["address"] = address
        return await self._send(
            customer,
            "location",
            {"location": location},
            latitude=latitude,
            longitude=longitude,
            location_name=name or None,
            location_address=address or None,
        )

    async def tap_button(
        self, customer: SandboxCustomer, message_wamid: str, button_id: str, title: str
    ) -> str:
        message = self._business_message(customer, message_wamid)
        if not message.buttons:
            raise ValueError("that message has no reply buttons")
        if button_id not in {b.id for b in message.buttons}:
            raise ValueError("that message has no button with this id")
        interactive = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        return await self._send(
            customer,
            "interactive",
            {"interactive": interactive},
            text=title,
            reply_to=message_wamid,
            interactive_id=button_id,
        )

    async def choose_list_row(
        self,
        customer: SandboxCustomer,
        message_wamid: str,
        row_id: str,
        title: str,
        description: str | None = None,
    ) -> str:
        message = self._business_message(customer, message_wamid)
        if not message.list_rows:
            raise ValueError("that message is not a list")
        if row_id not in {r.id for r in message.list_rows}:
            raise ValueError("that list has no row with this id")
        reply: dict[str, str] = {"id": row_id, "title": title}
        if description:
            reply["description"] = description
        interactive = {"type": "list_reply", "list_reply": reply}
        return await self._send(
            customer,
            "interactive",
            {"interactive": interactive},
            text=title,
            reply_to=message_wamid,
            interactive_id=row_id,
        )

    async def read(self, customer: SandboxCustomer) -> int:
        chat = self._chats.chat(customer)
        unread = [
            m.wamid
            for m in chat.messages
            if not m.from_customer and m.status in ("sent", "delivered") and m.type != "reaction"
        ]
        for wamid in unread:
            self._chats.set_status(wamid, "read")
        if unread:
            self._poster.spawn(
                self._poster.post_statuses(chat.customer.wa_id, [(w, "read") for w in unread])
            )
        return len(unread)

    def _business_message(self, customer: SandboxCustomer, wamid: str) -> SandboxMessage:
        message = self._chats.message(wamid)
        if message is None or message.from_customer or message.wa_id != customer.wa_id:
            raise ValueError("unknown message for this customer")
        return message

    async def _send(
        self,
        customer: SandboxCustomer,
        kind: str,
        content: dict[str, Any],
        *,
        text: str | None = None,
        reply_to: str | None = None,
        **fields: Any,
    ) -> str:
        chat = self._chats.chat(customer)
        wamid = self._chats.new_wamid()
        item: dict[str, Any] = {
            "from": chat.customer.wa_id,
            "id": wamid,
            "timestamp": str(int(time.time())),
            "type": kind,
        }
        if reply_to is not None:
            item["context"] = {"from": self._credentials.display_phone_number, "id": reply_to}
        item.update(content)
        value = change_value(
            self._credentials,
            contacts=[{"profile": {"name": chat.customer.name}, "wa_id": chat.customer.wa_id}],
            messages=[item],
        )
        message = SandboxMessage(
            wamid=wamid,
            wa_id=chat.customer.wa_id,
            from_customer=True,
            type=kind,
            text=text,
            status="pending",
            time=time.time(),
            reply_to=reply_to,
            **fields,
        )
        self._chats.store(message)
        self._chats.publish(SandboxEvent(kind="message", wa_id=message.wa_id, message=message))
        try:
            await self._poster.post(envelope(self._credentials, value))
        except SandboxError:
            self._chats.set_status(wamid, "failed")
            raise
        self._chats.set_status(wamid, "delivered")
        logger.info("simulated %s message from %s", kind, mask_phone(chat.customer.wa_id))
        return wamid

    # -- what the customer's phone reports back -------------------------------------------

    def business_sent(self, message: SandboxMessage, opaque: str | None) -> None:
        """The Graph routes accepted ``message``: its status webhooks follow (when attached)."""
        if self._poster.url is not None:
            self._poster.spawn(self._deliver_statuses(message, opaque))

    async def _deliver_statuses(self, message: SandboxMessage, opaque: str | None) -> None:
        """``sent``, ``delivered`` and (auto-read) ``read`` for one business message."""
        start = asyncio.get_running_loop().time()
        customer = self._chats.chat(message.wa_id).customer
        steps: list[tuple[SandboxStatus, float]] = [("sent", self.delays.sent)]
        if message.type != "reaction":  # reactions only ever get "sent"
            steps.append(("delivered", self.delays.delivered))
            if self.auto_read:
                steps.append(("read", self.delays.read))
        for status, delay in steps:
            wait = start + delay - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)
            current = self._chats.message(message.wamid)
            if current is None or STATUS_RANK.get(current.status, 0) >= STATUS_RANK[status]:
                continue  # read() got there first
            self._chats.set_status(message.wamid, status)
            await self._poster.post_statuses(customer.wa_id, [(message.wamid, status)], opaque)
