"""Translated words shared by several views: modes, delivery states, media kinds, dates.

Context "Texts" for lupdate; every string is a literal so the extractor finds it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QTime

from wabot_desktop.core.dto import (
    Author,
    ConversationMode,
    ConversationSummary,
    MessageStatus,
    MessageView,
)


def chat_title(summary: ConversationSummary) -> str:
    """Name shown for a chat: profile name, else number, else @username."""
    if summary.display_name.strip():
        return summary.display_name.strip()
    if summary.phone:
        return format_phone(summary.phone)
    if summary.username:
        return "@" + summary.username
    return QCoreApplication.translate("Texts", "Unknown customer")


def format_phone(phone: str | None) -> str:
    """WhatsApp ids are digits with the country code; show them as +<digits>."""
    if not phone:
        return ""
    return phone if phone.startswith("+") else "+" + phone


def mode_text(mode: ConversationMode | str, staff_name: str | None) -> str:
    """Short words for who answers a chat (list chip and header)."""
    if mode == ConversationMode.NEEDS_HUMAN:
        return QCoreApplication.translate("Texts", "Wants a person")
    if mode == ConversationMode.HUMAN:
        if staff_name:
            return QCoreApplication.translate("Texts", "Staff: {name}").format(name=staff_name)
        return QCoreApplication.translate("Texts", "Staff")
    return QCoreApplication.translate("Texts", "Bot")


def mode_sentence(mode: ConversationMode | str, staff_name: str | None) -> str:
    """A longer sentence for the conversation header."""
    if mode == ConversationMode.NEEDS_HUMAN:
        return QCoreApplication.translate(
            "Texts", "The customer asked for a person. The bot is silent until someone answers."
        )
    if mode == ConversationMode.HUMAN:
        if staff_name:
            return QCoreApplication.translate(
                "Texts", "{name} is answering this chat. The bot is silent."
            ).format(name=staff_name)
        return QCoreApplication.translate(
            "Texts", "Staff are answering this chat. The bot is silent."
        )
    return QCoreApplication.translate("Texts", "The bot is answering this chat.")


def author_prefix(author: Author | None, staff_name: str | None) -> str:
    """Prefix of a chat-list preview: who wrote the last message ("" for the customer)."""
    if author == Author.BOT:
        return QCoreApplication.translate("Texts", "Bot: ")
    if author == Author.STAFF:
        if staff_name:
            return QCoreApplication.translate("Texts", "{name}: ").format(name=staff_name)
        return QCoreApplication.translate("Texts", "Staff: ")
    return ""


def media_kind(message: MessageView) -> str:
    """The media card's title for a message type."""
    kind = message.type
    if kind == "image":
        return QCoreApplication.translate("Texts", "Photo")
    if kind == "audio":
        if message.media_voice:
            return QCoreApplication.translate("Texts", "Voice message")
        return QCoreApplication.translate("Texts", "Audio")
    if kind == "video":
        return QCoreApplication.translate("Texts", "Video")
    if kind == "document":
        return QCoreApplication.translate("Texts", "Document")
    if kind == "sticker":
        return QCoreApplication.translate("Texts", "Sticker")
    if kind == "location":
        return QCoreApplication.translate("Texts", "Location")
    if kind == "contacts":
        return QCoreApplication.translate("Texts", "Contact card")
    if kind == "order":
        return QCoreApplication.translate("Texts", "Order")
    if kind == "template":
        return QCoreApplication.translate("Texts", "Template")
    return QCoreApplication.translate("Texts", "Message")


def unsupported_text(message: MessageView) -> str:
    """Body shown for a message WaBot cannot display."""
    return QCoreApplication.translate(
        "Texts", "This message type cannot be shown here. Open WhatsApp on your phone to see it."
    )


def status_words(status: MessageStatus) -> str:
    """Delivery state of an outbound message, for tooltips and screen readers."""
    if status == MessageStatus.QUEUED:
        return QCoreApplication.translate("Texts", "Waiting to be sent")
    if status == MessageStatus.SENT:
        return QCoreApplication.translate("Texts", "Sent")
    if status == MessageStatus.DELIVERED:
        return QCoreApplication.translate("Texts", "Delivered")
    if status in (MessageStatus.READ, MessageStatus.PLAYED):
        return QCoreApplication.translate("Texts", "Read")
    if status == MessageStatus.FAILED:
        return QCoreApplication.translate("Texts", "Not sent")
    return ""


def failure_reason(error_code: int | None, error_title: str | None) -> str:
    """Why WhatsApp did not deliver a message, in words a shop owner understands."""
    if error_code in (131047, 470):
        return QCoreApplication.translate(
            "Texts", "Not sent: more than 24 hours since the customer's last message."
        )
    if error_code == 131026:
        return QCoreApplication.translate(
            "Texts", "Not delivered: this number cannot receive WhatsApp messages."
        )
    if error_code == 131049:
        return QCoreApplication.translate(
            "Texts", "Not delivered: WhatsApp limits how many marketing messages a person gets."
        )
    if error_code == 131050:
        return QCoreApplication.translate(
            "Texts", "Not delivered: the customer stopped marketing messages."
        )
    if error_code in (130429, 131048, 131056):
        return QCoreApplication.translate(
            "Texts", "Not sent: too many messages in a short time. Try again in a few minutes."
        )
    if error_code in (131052, 131053):
        return QCoreApplication.translate("Texts", "Not sent: the file could not be processed.")
    if error_code == 190:
        return QCoreApplication.translate(
            "Texts",
            "Not sent: the WhatsApp connection expired. Enter a new token in “Configure "
            "WhatsApp…” (the mode menu), then try sending again.",
        )
    if error_code in (131031, 368):
        return QCoreApplication.translate(
            "Texts", "Not sent: Meta has restricted this WhatsApp account."
        )
    if error_code in (132000, 132001, 132012):
        return QCoreApplication.translate(
            "Texts", "Not sent: the template does not exist or its values are wrong."
        )
    if error_code is not None:
        return QCoreApplication.translate("Texts", "Not sent (WhatsApp error {code}).").format(
            code=error_code
        )
    if error_title:
        return QCoreApplication.translate("Texts", "Not sent ({reason}).").format(
            reason=error_title
        )
    return QCoreApplication.translate("Texts", "Not sent.")


def _local(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts)


def clock(ts: float) -> str:
    """The time of a message, e.g. "14:05"."""
    moment = _local(ts)
    return QLocale().toString(QTime(moment.hour, moment.minute), "HH:mm")


def list_time(ts: float | None, now: float) -> str:
    """Time in the chat list: today's clock, "Yesterday", a weekday, or a short date."""
    if ts is None:
        return ""
    moment = _local(ts).date()
    today = _local(now).date()
    days = (today - moment).days
    if days <= 0:
        return clock(ts)
    if days == 1:
        return QCoreApplication.translate("Texts", "Yesterday")
    locale = QLocale()
    if days < 7:
        return locale.dayName(moment.isoweekday(), QLocale.FormatType.LongFormat)
    return locale.toString(QDate(moment.year, moment.month, moment.day), "dd/MM/yy")


def day_header(ts: float, now: float) -> str:
    """The date chip between messages of different days."""
    moment = _local(ts).date()
    today = _local(now).date()
    days = (today - moment).days
    if days <= 0:
        return QCoreApplication.translate("Texts", "Today")
    if days == 1:
        return QCoreApplication.translate("Texts", "Yesterday")
    locale = QLocale()
    if days < 7:
        return locale.dayName(moment.isoweekday(), QLocale.FormatType.LongFormat).capitalize()
    date = QDate(moment.year, moment.month, moment.day)
    return locale.toString(date, QLocale.FormatType.LongFormat)


def date_time(ts: float | None) -> str:
    """A full date and time (contact panel)."""
    if ts is None:
        return "—"
    moment = _local(ts)
    date = QDate(moment.year, moment.month, moment.day)
    return (
        QLocale().toString(date, QLocale.FormatType.ShortFormat)
        + " "
        + QLocale().toString(QTime(moment.hour, moment.minute), "HH:mm")
    )


def same_day(a: float, b: float) -> bool:
    return _local(a).date() == _local(b).date()
