"""The service-message meter: this month's service replies against Meta's 1,000 free ones.

From 2026-10-01 Meta charges service (non-template) replies beyond 1,000 free per business
number per calendar month, and without a payment method on the account it does not deliver them
(meta-cloud-api.md sections 7.5 and 11). The app has one number, so the count is over every
outbound bot or staff message that is not a template and that Meta accepted, since the first of
the month (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wabot_desktop.core.dto import Author, Direction, MessageStatus
from wabot_desktop.core.store.models import Message

FREE_SERVICE_MESSAGES: Final = 1000
WARNING_RATIO: Final = 0.8
_ACCEPTED: Final = tuple(
    s.value
    for s in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED)
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceMeter:
    """``sent`` service replies in ``month`` ("YYYY-MM") against ``free``."""

    month: str
    sent: int
    free: int = FREE_SERVICE_MESSAGES
    warning: bool = False  # at or above 80 % of the free ones
    over: bool = False  # beyond the free ones: charged (or not delivered without payment)

    def explanation(self, language: str = "es") -> str:
        if language.lower().startswith("en"):
            text = f"{self.sent} of {self.free} free service replies this month."
            if self.over:
                text += (
                    " The rest are charged at Meta's utility rate for each country; without a "
                    "payment method on the WhatsApp account they are not delivered."
                )
            elif self.warning:
                text += (
                    " Close to the limit: after it Meta charges each reply, and without a "
                    "payment method on the WhatsApp account they are not delivered."
                )
            return text
        text = f"{self.sent} de {self.free} respuestas de atención gratis este mes."
        if self.over:
            text += (
                " Las siguientes se cobran a la tarifa de Meta de cada país; sin un medio de pago "
                "en la cuenta de WhatsApp no se entregan."
            )
        elif self.warning:
            text += (
                " Cerca del límite: después Meta cobra cada respuesta, y sin un medio de pago en "
                "la cuenta de WhatsApp no se entregan."
            )
        return text


def month_start(now: float) -> tuple[str, float]:
    moment = datetime.fromtimestamp(now, UTC)
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start.strftime("%Y-%m"), start.timestamp()


def service_meter(session: Session, now: float, free: int = FREE_SERVICE_MESSAGES) -> ServiceMeter:
    """Count this month's service replies (runs on the DB thread)."""
    month, since = month_start(now)
    sent = session.scalar(
        select(func.count(Message.id)).where(
            Message.direction == Direction.OUT.value,
            Message.author.in_((Author.BOT.value, Author.STAFF.value)),
            Message.type != "template",
            Message.status.in_(_ACCEPTED),
            Message.created_at >= since,
        )
    )
    count = int(sent or 0)
    return ServiceMeter(
        month=month, sent=count, free=free, warning=count >= free * WARNING_RATIO, over=count > free
    )
