"""The webhooks a customer's phone makes WhatsApp send: Cloud API bodies, signed and posted.

:func:`envelope` and friends build Meta's shapes (``shared/docs/meta-cloud-api.md`` sections
2-3); :class:`WebhookPoster` signs each body with the sandbox's app secret and POSTs it to the
core's real ``/webhook`` (loopback only, never through a proxy).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

import httpx

from wabot_desktop.core.whatsapp.sandbox.control import is_loopback_host
from wabot_desktop.core.whatsapp.sandbox.models import SandboxCredentials, SandboxError
from wabot_desktop.core.whatsapp.signature import sign

logger = logging.getLogger(__name__)

_STATUS_RETRIES = 3


def change_value(credentials: SandboxCredentials, **parts: Any) -> dict[str, Any]:
    """A ``messages`` change value: the business's metadata plus ``parts``."""
    return {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": credentials.display_phone_number,
            "phone_number_id": credentials.phone_number_id,
        },
        **parts,
    }


def envelope(credentials: SandboxCredentials, value: dict[str, Any]) -> bytes:
    """The webhook body Meta posts: one entry, one ``messages`` change carrying ``value``."""
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": credentials.waba_id, "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def status_item(wamid: str, status: str, wa_id: str) -> dict[str, Any]:
    """One entry of a status webhook's ``statuses`` (free service pricing, as in a chat)."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": wa_id,
    }
    if status in ("sent", "delivered"):
        item["pricing"] = {
            "billable": False,
            "pricing_model": "PMP",
            "type": "free_customer_service",
            "category": "service",
        }
    return item


class WebhookPoster:
    """Signs and posts webhook bodies to the core; owns the background status deliveries."""

    def __init__(self, credentials: SandboxCredentials) -> None:
        self._credentials = credentials
        self._url: str | None = None
        self._http: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str | None:
        return self._url

    def set_url(self, url: str) -> None:
        if not is_loopback_host(urlsplit(url).hostname):
            raise ValueError("the sandbox only posts to a loopback webhook URL")
        self._url = url

    @property
    def busy(self) -> bool:
        """Status webhooks are still to be posted (waiting for their delay or on their way)."""
        return bool(self._tasks)

    def open(self) -> None:
        # Never through a proxy: every request of the sandbox goes to the loopback interface.
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(10.0), trust_env=False)

    async def detach(self) -> None:
        """Stop posting: forget the URL, cancel the pending deliveries."""
        self._url = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` in the background until it ends or :meth:`detach` cancels it."""
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def post(self, body: bytes) -> None:
        """POST a signed body to the core; raises :class:`SandboxError` unless it answers 200."""
        url, http = self._url, self._http
        if url is None or http is None:
            raise SandboxError("the simulator is not connected to a webhook server")
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(self._credentials.app_secret, body),
        }
        try:
            response = await http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SandboxError(f"webhook server unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise SandboxError(
                f"webhook server answered {response.status_code}: {response.text[:200]}",
                status=response.status_code,
            )

    async def post_statuses(
        self, wa_id: str, statuses: list[tuple[str, str]], opaque: str | None = None
    ) -> None:
        """Status webhooks for ``(wamid, status)`` pairs; retried a few times, then dropped."""
        items = [status_item(w, s, wa_id) for w, s in statuses]
        if opaque:
            for item in items:
                item["biz_opaque_callback_data"] = opaque
        value = change_value(self._credentials, statuses=items, contacts=[{"wa_id": wa_id}])
        body = envelope(self._credentials, value)
        for attempt in range(_STATUS_RETRIES):
            try:
                await self.post(body)
                return
            except SandboxError as exc:
                if exc.status is None and self._url is None:
                    return  # detached
                logger.info("status webhook not accepted (attempt %d): %s", attempt + 1, exc)
                await asyncio.sleep(0.5 * (attempt + 1))
        logger.warning("status webhook dropped after %d attempts", _STATUS_RETRIES)
