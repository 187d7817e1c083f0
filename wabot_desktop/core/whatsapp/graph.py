"""Async client for the WhatsApp Cloud API (Meta Graph API).

One request per call and no retries: the outbox owns retry policy and branches on the typed
errors from :mod:`wabot_desktop.core.whatsapp.errors`. At most ``max_concurrent`` requests are
on the wire at once (FIFO); the others wait here, not in httpcore's pool, which scans every
queued request against every pooled connection each time one starts or ends (at 50 messages a
second that scan was a measurable part of the event loop's time). Give the ``AsyncClient`` a pool
of the same size (:func:`pool_limits`) so the connections stay alive between requests.
Network failures become ``NetworkError``; non-2xx answers become the error chosen by Meta's
code. The bearer token is sent on every request and never logged; message bodies are never
logged either.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from wabot_desktop.core.dto import TemplateInfo
from wabot_desktop.core.logs import mask_phone
from wabot_desktop.core.whatsapp.errors import (
    AuthError,
    GraphApiError,
    MediaError,
    NetworkError,
    PermanentGraphError,
    error_from_response,
)
from wabot_desktop.core.whatsapp.payloads import mark_read_payload

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v25.0"
DEFAULT_TIMEOUT = 15.0
# Requests on the wire at once: the outbox's lanes, read receipts/typing indicators, media and
# template calls together. httpcore checks every pooled connection (a socket poll each) whenever
# a request starts or ends, so a bounded pool costs the loop less than one that grows with a
# backlog. Sixteen at a ~300 ms round trip are ~50 requests a second, far above a shop's traffic
# (Meta's default throughput limit is 80 messages a second). Read receipts and typing indicators
# take at most DEFAULT_MAX_RECEIPTS of them, so a slow Meta holding receipts never holds back
# the replies.
DEFAULT_MAX_CONCURRENT = 16
DEFAULT_MAX_RECEIPTS = 4
DEFAULT_MAX_MEDIA_BYTES = 100 * 1024 * 1024
# Safety net against a paging loop; 100 templates per page makes this 5000 templates.
_MAX_TEMPLATE_PAGES = 50
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SendResult:
    """Meta accepted a message (acceptance is not delivery: watch the status webhooks)."""

    wamid: str
    wa_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaInfo:
    """Where to download a media object; ``url`` is valid for about 5 minutes."""

    url: str
    mime_type: str | None
    sha256: str | None
    file_size: int | None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


# The media types the Cloud API delivers (supported media types, meta-cloud-api notes) and
# the file extension each is saved with. A file name's extension comes only from this table,
# never from the ``mime_type`` string, which the webhook's sender controls
# (``image/..\..\Startup\evil.bat`` or ``image/../../x.sh`` must never become a path).
MEDIA_EXTENSIONS: dict[str, str] = {
    "audio/aac": ".aac",
    "audio/amr": ".amr",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/ogg": ".ogg",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "video/3gpp": ".3gp",
    "video/mp4": ".mp4",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    "application/vnd.ms-excel": ".xls",
    "application/msword": ".doc",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


def extension_for_mime(mime_type: str | None) -> str:
    """``".jpg"`` for ``"image/jpeg"`` (parameters ignored); ``""`` for anything not listed."""
    if not mime_type:
        return ""
    return MEDIA_EXTENSIONS.get(mime_type.split(";", 1)[0].strip().lower(), "")


def template_params(body_text: str | None) -> tuple[str, ...]:
    """Distinct ``{{1}}``/``{{name}}`` placeholders of a template body, in order of appearance."""
    if not body_text:
        return ()
    return tuple(dict.fromkeys(_PLACEHOLDER_RE.findall(body_text)))


def _template_from_json(item: Mapping[str, Any]) -> TemplateInfo | None:
    name = _str_or_none(item.get("name"))
    if name is None:
        return None
    body_text: str | None = None
    components = item.get("components")
    if isinstance(components, list):
        for component in components:
            if isinstance(component, Mapping) and str(component.get("type", "")).upper() == "BODY":
                body_text = _str_or_none(component.get("text"))
                break
    names = template_params(body_text)
    return TemplateInfo(
        name=name,
        language=_str_or_none(item.get("language")) or "",
        status=_str_or_none(item.get("status")) or "UNKNOWN",
        category=_str_or_none(item.get("category")),
        body_text=body_text,
        param_count=len(names),
        param_names=names,
    )


def pool_limits(max_concurrent: int = DEFAULT_MAX_CONCURRENT) -> httpx.Limits:
    """httpx pool limits matching a client's ``max_concurrent`` (all kept alive)."""
    return httpx.Limits(
        max_connections=max_concurrent,
        max_keepalive_connections=max_concurrent,
        keepalive_expiry=30.0,
    )


class GraphClient:
    """The Cloud API calls the bot needs: send, mark read, media, templates, health."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_version: str = DEFAULT_API_VERSION,
        phone_number_id: str,
        access_token: Callable[[], str | None] | str,
        waba_id: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
        max_receipts: int = DEFAULT_MAX_RECEIPTS,
    ) -> None:
        if not phone_number_id:
            raise ValueError("phone_number_id is required")
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self._http = http
        self._slots = asyncio.Semaphore(max_concurrent)  # FIFO: waiters are served in order
        self._receipt_slots = asyncio.Semaphore(max(1, min(max_receipts, max_concurrent)))
        self.max_concurrent = max_concurrent
        self._base_url = base_url.rstrip("/")
        self._api_version = api_version.strip("/")
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self._access_token = access_token
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def api_version(self) -> str:
        return self._api_version

    def url(self, path: str) -> str:
        """Absolute URL of a Graph path such as ``"<pnid>/messages"``."""
        return f"{self._base_url}/{self._api_version}/{path.lstrip('/')}"

    # -- plumbing -------------------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        token = self._access_token() if callable(self._access_token) else self._access_token
        if not token:
            raise AuthError("no access token configured")
        return {"Authorization": f"Bearer {token}"}

    async def _request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        skip_if: Callable[[], bool] | None = None,
    ) -> httpx.Response | None:
        """One request; raises the typed error for transport failures and non-2xx answers.

        Waits for one of the ``max_concurrent`` slots first. ``skip_if`` is asked once the slot
        is free: True drops the request unsent (returns None).
        """
        headers = self._auth_headers()
        async with self._slots:
            if skip_if is not None and skip_if():
                return None
            try:
                response = await self._http.request(
                    method, url, params=params, json=json, headers=headers, timeout=self._timeout
                )
            except httpx.RequestError as exc:
                raise _network_error(exc, what) from exc
        if not response.is_success:
            raise self._http_error(response, what)
        return response

    async def _call(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        response = await self._request(method, url, what=what, params=params, json=json)
        assert response is not None  # nothing to skip without skip_if
        return response

    def _http_error(self, response: httpx.Response, what: str) -> GraphApiError:
        error = error_from_response(response.status_code, response.content)
        logger.info(
            "Graph %s failed: %s code=%s subcode=%s http=%s fbtrace_id=%s",
            what,
            type(error).__name__,
            error.code,
            error.subcode,
            error.http_status,
            error.fbtrace_id,
        )
        return error

    @staticmethod
    def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            data = response.json()
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            raise PermanentGraphError(
                f"unexpected response to {what}: not a JSON object",
                http_status=response.status_code,
                raw=response.text[:4000],
            )
        return data

    # -- messages -------------------------------------------------------------------------

    async def send(self, payload: Mapping[str, Any]) -> SendResult:
        """POST a message built by :mod:`~wabot_desktop.core.whatsapp.payloads`."""
        url = self.url(f"{quote(self.phone_number_id, safe='')}/messages")
        response = await self._call("POST", url, what="send", json=payload)
        data = self._json_object(response, "send")
        messages = data.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else None
        wamid = _str_or_none(first.get("id")) if isinstance(first, Mapping) else None
        if wamid is None:
            # The message may have been accepted anyway: permanent, so it is not re-sent blindly.
            raise PermanentGraphError(
                "send response has no messages[0].id", http_status=response.status_code, raw=data
            )
        contacts = data.get("contacts")
        contact = contacts[0] if isinstance(contacts, list) and contacts else None
        wa_id = _str_or_none(contact.get("wa_id")) if isinstance(contact, Mapping) else None
        logger.info(
            "sent %s message to %s: %s",
            payload.get("type", "?"),
            mask_phone(wa_id or _str_or_none(payload.get("to"))),
            wamid,
        )
        return SendResult(wamid=wamid, wa_id=wa_id)

    async def mark_read(
        self, message_id: str, *, typing: bool = False, skip_if: Callable[[], bool] | None = None
    ) -> bool:
        """Mark an inbound message read; ``typing`` also shows the typing indicator.

        ``skip_if`` is asked when the request may leave (see ``max_concurrent``): True drops it
        (e.g. the reply is ready by then, so the indicator would only flash). Returns whether it
        was sent.
        """
        url = self.url(f"{quote(self.phone_number_id, safe='')}/messages")
        what = "typing indicator" if typing else "mark read"
        payload = mark_read_payload(message_id, typing)
        async with self._receipt_slots:  # a share of the slots: replies are never held back
            response = await self._request("POST", url, what=what, json=payload, skip_if=skip_if)
        return response is not None

    # -- media ----------------------------------------------------------------------------

    async def get_media(self, media_id: str) -> MediaInfo:
        """Fresh download URL and metadata of a media object (URL valid ~5 minutes)."""
        if not media_id:
            raise ValueError("media_id is empty")
        response = await self._call(
            "GET",
            self.url(quote(media_id, safe="")),
            what="get media",
            params={"phone_number_id": self.phone_number_id},
        )
        data = self._json_object(response, "get media")
        url = _str_or_none(data.get("url"))
        if url is None:
            raise MediaError(
                "media response has no url", http_status=response.status_code, raw=data
            )
        return MediaInfo(
            url=url,
            mime_type=_str_or_none(data.get("mime_type")),
            sha256=_str_or_none(data.get("sha256")),
            file_size=_int_or_none(data.get("file_size")),
        )

    def _check_media_url(self, url: str) -> None:
        scheme, host, _ = _origin(url)
        base_scheme = _origin(self._base_url)[0]
        # The bearer token goes to this URL: never in clear text unless the Graph base URL is
        # plain http as well (the local fakes and the simulator sandbox).
        allowed = ("http", "https") if base_scheme == "http" else ("https",)
        if not host or scheme not in allowed:
            raise MediaError("refusing to download media from an unexpected URL")

    async def download_media(
        self, media_id: str, *, max_bytes: int = DEFAULT_MAX_MEDIA_BYTES
    ) -> tuple[bytes, str | None]:
        """Download a media object; returns ``(data, mime_type)``.

        Raises ``MediaError`` when it is bigger than ``max_bytes`` or its SHA-256 does not match.
        An expired URL (404) is refreshed once.
        """
        info = await self.get_media(media_id)
        result = await self._download(info, max_bytes)
        if result is None:
            logger.info("media URL for %s expired; refreshing it", media_id)
            info = await self.get_media(media_id)
            result = await self._download(info, max_bytes)
            if result is None:
                raise MediaError("media URL not found after refreshing it", http_status=404)
        data, header_mime = result
        if info.sha256 is not None:
            digest = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
            if digest != info.sha256:
                raise MediaError("downloaded media does not match its sha256")
        logger.info("downloaded media %s (%d bytes)", media_id, len(data))
        return data, info.mime_type or header_mime

    async def _download(self, info: MediaInfo, max_bytes: int) -> tuple[bytes, str | None] | None:
        """The bytes at ``info.url``, or ``None`` on 404 (the URL expired)."""
        if info.file_size is not None and info.file_size > max_bytes:
            raise MediaError(f"media is {info.file_size} bytes, the limit is {max_bytes}")
        self._check_media_url(info.url)
        headers = self._auth_headers()
        chunks: list[bytes] = []
        size = 0
        try:
            async with self._http.stream(
                "GET", info.url, headers=headers, timeout=self._timeout, follow_redirects=True
            ) as response:
                if response.status_code == 404:
                    return None
                if not response.is_success:
                    await response.aread()
                    raise self._http_error(response, "download media")
                declared = _int_or_none(response.headers.get("content-length"))
                if declared is not None and declared > max_bytes:
                    raise MediaError(f"media is {declared} bytes, the limit is {max_bytes}")
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaError(f"media exceeds the limit of {max_bytes} bytes")
                    chunks.append(chunk)
                content_type = response.headers.get("content-type")
        except httpx.RequestError as exc:
            raise _network_error(exc, "download media") from exc
        mime = content_type.split(";", 1)[0].strip() if content_type else None
        return b"".join(chunks), mime or None

    # -- templates and health -------------------------------------------------------------

    async def list_templates(self) -> list[TemplateInfo]:
        """Every message template of the WABA (all statuses), following paging."""
        if not self.waba_id:
            raise ValueError("waba_id is required to list templates")
        url: str | None = self.url(f"{quote(self.waba_id, safe='')}/message_templates")
        params: dict[str, str] | None = {
            "fields": "name,language,status,category,components",
            "limit": "100",
        }
        base_origin = _origin(self._base_url)
        seen: set[str] = set()
        templates: list[TemplateInfo] = []
        while url is not None:
            if len(seen) >= _MAX_TEMPLATE_PAGES:
                logger.warning("stopped listing templates after %d pages", _MAX_TEMPLATE_PAGES)
                break
            seen.add(url)
            response = await self._call("GET", url, what="list templates", params=params)
            data = self._json_object(response, "list templates")
            items = data.get("data")
            if isinstance(items, list):
                for item in items:
                    if isinstance(item, Mapping):
                        template = _template_from_json(item)
                        if template is not None:
                            templates.append(template)
            paging = data.get("paging")
            next_url = _str_or_none(paging.get("next")) if isinstance(paging, Mapping) else None
            # The next URL carries all query parameters; follow it only on the Graph host, so
            # the token is never sent elsewhere, and never twice (a paging loop).
            if next_url is not None and (_origin(next_url) != base_origin or next_url in seen):
                logger.warning("not following a template paging link (other host or repeated)")
                next_url = None
            url, params = next_url, None
        return templates

    async def check_health(self) -> bool:
        """True when the phone number is reachable with this token; never raises Graph errors."""
        try:
            await self._call(
                "GET",
                self.url(quote(self.phone_number_id, safe="")),
                what="health check",
                params={"fields": "id"},
            )
        except GraphApiError as exc:
            logger.info("Graph health check failed: %s code=%s", type(exc).__name__, exc.code)
            return False
        return True


def _network_error(exc: httpx.RequestError, what: str) -> NetworkError:
    # str(exc) of httpx errors has no headers (so no token); keep only the class for the log.
    logger.info("Graph %s failed: %s", what, type(exc).__name__)
    return NetworkError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
