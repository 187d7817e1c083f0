"""Typed Graph API errors, chosen by Meta's error ``code`` (then by HTTP status).

Callers branch on the exception type (or ``is_transient``), never on message strings. The table
follows section 7.2 of ``shared/docs/meta-cloud-api.md``: the transient set is 1, 2, 4, 80007,
130429, 131000, 131016, 131056, 131057, 133004, HTTP 429/5xx and network errors; everything
else is permanent and must not be retried with the same body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from wabot_desktop.core.errors import UserFacingError, WabotError

logger = logging.getLogger(__name__)

# Bodies are kept in ``raw`` for diagnosis; a proxy's HTML page can be big, keep the start only.
_MAX_RAW_TEXT = 4000


class GraphApiError(WabotError):
    """A Graph API call failed.

    Attributes:
        code: Meta's error code (``error.code``), ``None`` when the body had none.
        subcode: ``error.error_subcode``.
        http_status: HTTP status of the response, ``None`` for network errors.
        title: ``error.title``/``error_user_title``/``error.type`` (whichever is present).
        message: ``error.message`` (Meta's English text; never shown to users as is).
        details: ``error.error_data.details``.
        fbtrace_id: Meta's trace id, useful when contacting Meta support.
        raw: the parsed error body (dict) or the undecodable body text (str).
    """

    is_transient: ClassVar[bool] = False

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        subcode: int | None = None,
        http_status: int | None = None,
        title: str | None = None,
        details: str | None = None,
        fbtrace_id: str | None = None,
        raw: dict[str, Any] | str | None = None,
    ) -> None:
        self.code = code
        self.subcode = subcode
        self.http_status = http_status
        self.title = title
        self.message = message
        self.details = details
        self.fbtrace_id = fbtrace_id
        self.raw: dict[str, Any] | str = raw if raw is not None else {}
        super().__init__(self._summary())

    def _summary(self) -> str:
        parts: list[str] = []
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.subcode is not None:
            parts.append(f"subcode={self.subcode}")
        if self.http_status is not None:
            parts.append(f"http={self.http_status}")
        head = " ".join(parts)
        text = self.message or self.title or ""
        if head and text:
            return f"[{head}] {text}"
        return head or text or type(self).__name__

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, subcode={self.subcode!r}, "
            f"http_status={self.http_status!r}, message={self.message!r})"
        )


class TransientGraphError(GraphApiError):
    """Worth retrying later with backoff (the outbox decides when)."""

    is_transient = True


class RateLimitError(TransientGraphError):
    """App, WABA or throughput rate limit (4, 80007, 130429, HTTP 429): back off."""


class PairRateLimitError(TransientGraphError):
    """Too many messages to the same user too quickly (131056): slow down for that user."""


class ServerError(TransientGraphError):
    """Meta-side failure or maintenance (1, 2, 131000, 131016, 131057, 133004, HTTP 5xx).

    A 5xx may still have been accepted: retrying a send can duplicate it.
    """


class NetworkError(TransientGraphError):
    """No usable HTTP response: connection refused/reset, DNS, TLS, timeouts."""


class PermanentGraphError(GraphApiError):
    """Retrying the same request will fail again."""


class AuthError(PermanentGraphError, UserFacingError):  # type: ignore[misc]
    """The access token is invalid or expired (0, 190): stop all sending, ask for a new token.

    ``code`` stays Meta's integer code like on every ``GraphApiError``; the GUI's
    machine-readable name for this problem is ``user_code`` (``"token_invalid"``).
    """

    # The ignore above: UserFacingError.code is a str name, GraphApiError.code is Meta's int.
    # Keeping Meta's code on every Graph error matters more (the outbox stores it).
    user_code: ClassVar[str] = "token_invalid"


class PermissionDeniedError(PermanentGraphError):
    """Missing capability or permission (3, 10, 200-299, 131005): check token scopes/assets."""


class ReEngagementError(PermanentGraphError):
    """More than 24 h since the customer's last message (131047): only templates may be sent."""


class UndeliverableError(PermanentGraphError):
    """The message cannot be delivered to this user (131026 and per-user refusals)."""


class RecipientNotAllowedError(PermanentGraphError):
    """Test number: the recipient is not in the allowed list (131030)."""


class InvalidRequestError(PermanentGraphError):
    """Bad parameter or payload (100, 131008, 131009, 131021, 135000): fix, don't retry."""


class AccountRestrictedError(PermanentGraphError):
    """The account is locked, restricted or misconfigured (131031, 368, 130497, 131042, ...).

    The operator must act (Meta's Business Manager, billing, registration).
    """


class TemplateError(PermanentGraphError):
    """Template problem (132xxx): wrong name/language, parameters, paused or disabled."""


class BlockedUserError(PermanentGraphError):
    """The business blocked this user (130403)."""


class MediaError(PermanentGraphError):
    """Media cannot be uploaded, attached or downloaded (131053, 131052, size/hash checks)."""


_BY_CODE: dict[int, type[GraphApiError]] = {
    # Graph-wide rate limits (4 app, 17 user, 32 page, 613 custom) and WhatsApp's own.
    4: RateLimitError,
    17: RateLimitError,
    32: RateLimitError,
    613: RateLimitError,
    80007: RateLimitError,
    130429: RateLimitError,
    131056: PairRateLimitError,
    1: ServerError,
    2: ServerError,
    131000: ServerError,
    131016: ServerError,
    131057: ServerError,
    133004: ServerError,
    0: AuthError,
    190: AuthError,
    3: PermissionDeniedError,
    10: PermissionDeniedError,
    131005: PermissionDeniedError,
    131047: ReEngagementError,
    131026: UndeliverableError,
    131049: UndeliverableError,  # marketing per-user limit: not for >= 24 h
    131050: UndeliverableError,  # user stopped marketing messages
    130472: UndeliverableError,  # user in a Meta experiment group
    131030: RecipientNotAllowedError,
    100: InvalidRequestError,
    131008: InvalidRequestError,
    131009: InvalidRequestError,
    131021: InvalidRequestError,
    131051: InvalidRequestError,
    131062: InvalidRequestError,  # BSUID recipient not supported for this message
    135000: InvalidRequestError,
    368: AccountRestrictedError,
    130497: AccountRestrictedError,
    131031: AccountRestrictedError,
    131037: AccountRestrictedError,  # display name not approved
    131042: AccountRestrictedError,  # payment method
    131045: AccountRestrictedError,  # phone registration
    131048: AccountRestrictedError,  # spam rate limit: quality problem, stop bulk sends
    131063: AccountRestrictedError,  # marketing templates disabled for Cloud API
    131064: AccountRestrictedError,  # template classification violations
    130403: BlockedUserError,
    131052: MediaError,
    131053: MediaError,
}

# Codes after which nothing at all can be sent until the operator acts.
_STOP_ALL_CODES = frozenset({131031, 368})


def error_class_for(code: int | None, http_status: int | None) -> type[GraphApiError]:
    """The exception class for a Meta error ``code``; the HTTP status decides unknown codes."""
    if code is not None:
        known = _BY_CODE.get(code)
        if known is not None:
            return known
        if 200 <= code <= 299:
            return PermissionDeniedError
        if 132000 <= code <= 132999:
            return TemplateError
        if 133000 <= code <= 133999:
            # (De)registration problems other than 133004: shown to the operator.
            return AccountRestrictedError
    if http_status is not None:
        if http_status == 429 and code is None:
            return RateLimitError
        if http_status >= 500:
            return ServerError
    return PermanentGraphError


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_str(value: object) -> str | None:
    if isinstance(value, str) and value:
        return value
    return None


def _decode_body(body: bytes | str | Mapping[str, Any] | None) -> dict[str, Any] | str | None:
    """JSON object from ``body``; the (shortened) text when it is not a JSON object."""
    if body is None:
        return None
    if isinstance(body, Mapping):
        return dict(body)
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return text[:_MAX_RAW_TEXT]
    if isinstance(parsed, dict):
        return parsed
    return text[:_MAX_RAW_TEXT]


def error_from_response(
    http_status: int | None, body: bytes | str | Mapping[str, Any] | None
) -> GraphApiError:
    """Build the typed error for a failed response; never raises, whatever ``body`` holds.

    ``body`` is normally ``{"error": {message, type, code, error_subcode, error_data{details},
    fbtrace_id}}``; a bare error object (``{"code", "title", "message", "error_data"}`` as in
    status webhooks) is accepted too, with ``http_status=None``.
    """
    try:
        return _error_from_response(http_status, body)
    except Exception:  # last resort: a parsing bug must never hide the real failure
        logger.exception("could not parse a Graph API error body (http %s)", http_status)
        cls = error_class_for(None, http_status)
        return cls(f"HTTP {http_status}", http_status=http_status, raw="<unparsable>")


def _error_from_response(
    http_status: int | None, body: bytes | str | Mapping[str, Any] | None
) -> GraphApiError:
    decoded = _decode_body(body)
    error: Mapping[str, Any] | None = None
    if isinstance(decoded, dict):
        candidate = decoded.get("error")
        if isinstance(candidate, Mapping):
            error = candidate
        elif "code" in decoded:
            error = decoded
    if error is None:
        cls = error_class_for(None, http_status)
        message = f"HTTP {http_status}" if http_status is not None else "unknown Graph API error"
        return cls(message, http_status=http_status, raw=decoded)
    code = _as_int(error.get("code"))
    error_data = error.get("error_data")
    details = _as_str(error_data.get("details")) if isinstance(error_data, Mapping) else None
    title = (
        _as_str(error.get("title"))
        or _as_str(error.get("error_user_title"))
        or _as_str(error.get("type"))
    )
    cls = error_class_for(code, http_status)
    return cls(
        _as_str(error.get("message")) or "",
        code=code,
        subcode=_as_int(error.get("error_subcode")),
        http_status=http_status,
        title=title,
        details=details,
        fbtrace_id=_as_str(error.get("fbtrace_id")),
        raw=decoded,
    )


def stops_all_sending(exc: BaseException) -> bool:
    """True when no further message can be sent until the operator acts (token, account)."""
    if isinstance(exc, AuthError):
        return True
    return isinstance(exc, AccountRestrictedError) and exc.code in _STOP_ALL_CODES
