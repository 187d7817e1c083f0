"""Webhook body decoding and parsing into the frozen dataclasses of :mod:`.models`.

``decode_body`` turns raw bytes into a JSON value or raises :class:`WebhookBodyError` (the server
answers 400). ``parse_webhook`` never raises: anything it cannot understand is counted in
``skipped_invalid`` and logged without message bodies or phone numbers.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Literal

from wabot_desktop.core.errors import WabotError
from wabot_desktop.core.logs import mask_phone
from wabot_desktop.core.textutil import sanitize_text
from wabot_desktop.core.whatsapp.models import (
    MEDIA_TYPES,
    AccountErrors,
    ApiError,
    ButtonReply,
    Context,
    InboundMessage,
    InteractiveReply,
    Location,
    Media,
    MessageType,
    OtherChange,
    ParsedWebhook,
    Reaction,
    Referral,
    ReferredProduct,
    SenderProfile,
    StatusKind,
    StatusUpdate,
    SystemInfo,
    UserPreference,
)

logger = logging.getLogger(__name__)

WABA_OBJECT = "whatsapp_business_account"
# Real payloads nest about 10 levels; 64 leaves room for new shapes while keeping every later
# recursive step (json.dumps of ``raw``, the store) far from Python's recursion limit.
MAX_JSON_DEPTH = 64

BodyErrorReason = Literal["empty", "utf8", "json", "too_deep"]

# A JSON string literal (escapes included), unrolled so it matches in linear time. An unterminated
# string runs to the end of the text: a pattern that can fail would be retried from every later
# quote, which is quadratic on bodies like ["\"\"\"...
_JSON_STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET_RE = re.compile(r"[^\[\]{}]+")
_BRACKET_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_JSON_WHITESPACE = b" \t\r\n"
# Digit strings longer than this are not timestamps or error codes (and int() of a huge digit
# string is slow and limited).
_MAX_INT_DIGITS = 18
_INT64_MAX = 2**63 - 1


class WebhookBodyError(WabotError, ValueError):
    """The body is not a JSON document we accept; ``reason`` says why."""

    def __init__(self, reason: BodyErrorReason) -> None:
        super().__init__(f"webhook body rejected: {reason}")
        self.reason: BodyErrorReason = reason


def _reject_constant(name: str) -> Any:
    # json.loads accepts NaN/Infinity, which are not JSON and could not be re-serialised as JSON.
    raise ValueError(f"non-standard JSON constant {name}")


# One decoder for every body (json.loads with keyword arguments builds a new one per call).
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _json_depth(text: str) -> int:
    """Maximum bracket nesting of ``text``, ignoring brackets inside string literals."""
    structure = _JSON_STRING_RE.sub("", text)
    brackets = _NOT_BRACKET_RE.sub("", structure)
    if not brackets:
        return 0
    return max(accumulate(_BRACKET_DELTA[c] for c in brackets))


def decode_body(raw: bytes) -> Any:
    """Decode a webhook body: strict UTF-8, bounded nesting, standard JSON."""
    if not raw.strip(_JSON_WHITESPACE):
        raise WebhookBodyError("empty")
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise WebhookBodyError("utf8") from None
    # Checked before json.loads, which recurses once per nesting level. The nesting can never
    # exceed the number of opening brackets, so the walk is only needed for bodies with many.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _json_depth(text) > MAX_JSON_DEPTH:
        raise WebhookBodyError("too_deep")
    if text.startswith("\ufeff"):  # json.loads refuses a BOM; the shared decoder must too
        raise WebhookBodyError("json")
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise WebhookBodyError("too_deep") from None
    except ValueError:  # JSONDecodeError, and int() refusing a huge digit string
        raise WebhookBodyError("json") from None


# --- small typed readers: each returns None for a wrong or missing value -----------------------


def _str(value: object) -> str | None:
    return sanitize_text(value) if isinstance(value, str) else None


def _get_str(obj: dict[str, Any], key: str) -> str | None:
    return _str(obj.get(key))


def _get_dict(obj: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = obj.get(key)
    return value if isinstance(value, dict) else None


def _get_bool(obj: dict[str, Any], key: str) -> bool:
    return obj.get(key) is True


def _int(value: object) -> int | None:
    """A non-negative int from an int or an ASCII digit string (Meta sends timestamps as text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= _INT64_MAX else None
    # int() alone would also accept " 12", "1_000" and non-ASCII digits.
    if (
        isinstance(value, str)
        and 0 < len(value) <= _MAX_INT_DIGITS
        and value.isascii()
        and value.isdigit()
    ):
        return int(value)
    return None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return number if math.isfinite(number) else None


def _dicts(value: object) -> Iterator[dict[str, Any]]:
    """The dict items of ``value`` if it is a list (other items are silently ignored)."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield item


def _clean_json(value: object) -> object:
    """A copy of a JSON value with every string (keys too) sanitised."""
    if isinstance(value, str):
        return sanitize_text(value)
    if isinstance(value, list):
        return [_clean_json(item) for item in value]
    if isinstance(value, dict):
        cleaned: dict[object, object] = {}
        for key, item in value.items():
            clean_key = sanitize_text(key) if isinstance(key, str) else key
            # "i\x00d" must not overwrite a real "id": a clean original key wins a collision.
            if clean_key != key and clean_key in value:
                continue
            cleaned[clean_key] = _clean_json(item)
        return cleaned
    return value


def _compact_json(value: object) -> str:
    """``value`` as compact JSON with sanitised text ("null" if it cannot be serialised)."""
    # Sanitising the strings before dumping (not the dumped text) also removes NULs, which dumps
    # would escape as \u0000 and json.loads would bring back for whoever reads ``raw`` later.
    try:
        return json.dumps(
            _clean_json(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError, RecursionError):
        return "null"


def _api_errors(value: object) -> tuple[ApiError, ...]:
    return tuple(_api_error(item) for item in _dicts(value))


def _api_error(obj: dict[str, Any]) -> ApiError:
    error_data = _get_dict(obj, "error_data") or {}
    return ApiError(
        code=_int(obj.get("code")),
        title=_get_str(obj, "title"),
        message=_get_str(obj, "message"),
        details=_get_str(error_data, "details"),
    )


# --- parsing -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Collector:
    """Mutable accumulator for one body; frozen into a ParsedWebhook at the end."""

    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    account_errors: list[AccountErrors] = field(default_factory=list)
    user_preferences: list[UserPreference] = field(default_factory=list)
    other_changes: list[OtherChange] = field(default_factory=list)
    skipped_invalid: int = 0
    skipped_foreign: int = 0
    foreign_ids: set[str] = field(default_factory=set)

    def invalid(self, what: str, where: str) -> None:
        self.skipped_invalid += 1
        # Only structural positions and kinds: never bodies, names or numbers.
        logger.debug("webhook: skipped invalid %s at %s", what, where)


def parse_webhook(payload: Any, *, phone_number_id: str | None) -> ParsedWebhook:
    """Parse a decoded webhook body; never raises, whatever JSON value it is given."""
    try:
        return _parse(payload, phone_number_id)
    except RecursionError:
        # Only reachable for values nested deeper than decode_body allows (direct callers).
        logger.info("webhook: body nested too deeply, ignored")
        return ParsedWebhook(object_type=None, skipped_invalid=1)


def _parse(payload: Any, our_phone_number_id: str | None) -> ParsedWebhook:
    if not isinstance(payload, dict):
        logger.info("webhook: body is a JSON %s, not an object; ignored", type(payload).__name__)
        return ParsedWebhook(object_type=None, skipped_invalid=1)
    object_type = _get_str(payload, "object")
    if object_type != WABA_OBJECT:
        # Another product on the same app, or the dashboard "Test" sample (no object/entry).
        logger.info("webhook: object %r is not for us; ignored", (object_type or "")[:40])
        return ParsedWebhook(object_type=object_type)

    out = _Collector()
    entries = payload.get("entry")
    if not isinstance(entries, list):
        out.invalid("entry list", "body")
        entries = []
    for entry_index, entry in enumerate(entries):
        where = f"entry[{entry_index}]"
        if not isinstance(entry, dict):
            out.invalid("entry", where)
            continue
        changes = entry.get("changes")
        if not isinstance(changes, list):
            out.invalid("changes list", where)
            continue
        for change_index, change in enumerate(changes):
            _parse_change(out, change, f"{where}.changes[{change_index}]", our_phone_number_id)

    if out.foreign_ids:
        logger.info(
            "webhook: ignored %d item(s) for other phone number id(s) %s",
            out.skipped_foreign,
            ", ".join(sorted(mask_phone(pnid) for pnid in out.foreign_ids)),
        )
    if out.skipped_invalid:
        logger.info("webhook: skipped %d invalid item(s)", out.skipped_invalid)
    return ParsedWebhook(
        object_type=object_type,
        messages=tuple(out.messages),
        statuses=tuple(out.statuses),
        account_errors=tuple(out.account_errors),
        user_preferences=tuple(out.user_preferences),
        other_changes=tuple(out.other_changes),
        skipped_invalid=out.skipped_invalid,
        skipped_foreign=out.skipped_foreign,
    )


def _parse_change(out: _Collector, change: object, where: str, our_pnid: str | None) -> None:
    if not isinstance(change, dict):
        out.invalid("change", where)
        return
    field_name = _get_str(change, "field")
    if field_name is None:
        out.invalid("change field", where)
        return
    value = change.get("value")
    if field_name == "messages":
        if not isinstance(value, dict):
            out.invalid("messages value", where)
            return
        _parse_messages_value(out, value, where, our_pnid)
    elif field_name == "user_preferences":
        if not isinstance(value, dict):
            out.invalid("user_preferences value", where)
            return
        _parse_user_preferences(out, value, where)
    else:
        out.other_changes.append(OtherChange(field=field_name, raw=_compact_json(value)))


def _parse_messages_value(
    out: _Collector, value: dict[str, Any], where: str, our_pnid: str | None
) -> None:
    metadata = _get_dict(value, "metadata") or {}
    pnid = _get_str(metadata, "phone_number_id")
    if our_pnid is not None and pnid != our_pnid:
        # A missing id counts as foreign too: we cannot tell it is ours, so we must not answer.
        out.skipped_foreign += sum(
            len(items)
            for key in ("messages", "statuses", "errors")
            if isinstance(items := value.get(key), list)
        )
        out.foreign_ids.add(pnid or "-")
        return

    contacts = list(_dicts(value.get("contacts")))

    messages = value.get("messages")
    if messages is not None and not isinstance(messages, list):
        out.invalid("messages list", where)
    elif messages:
        for index, item in enumerate(messages):
            message = _parse_message(item, pnid, contacts, single=len(messages) == 1)
            if message is None:
                out.invalid("message", f"{where}.messages[{index}]")
            else:
                out.messages.append(message)

    statuses = value.get("statuses")
    if statuses is not None and not isinstance(statuses, list):
        out.invalid("statuses list", where)
    elif statuses:
        for index, item in enumerate(statuses):
            status = _parse_status(item, pnid, contacts, single=len(statuses) == 1)
            if status is None:
                out.invalid("status", f"{where}.statuses[{index}]")
            else:
                out.statuses.append(status)

    errors = value.get("errors")
    if errors is not None and not isinstance(errors, list):
        out.invalid("errors list", where)
    elif errors:
        parsed: list[ApiError] = []
        for index, item in enumerate(errors):
            if isinstance(item, dict):
                parsed.append(_api_error(item))
            else:
                out.invalid("error", f"{where}.errors[{index}]")
        if parsed:
            out.account_errors.append(AccountErrors(phone_number_id=pnid, errors=tuple(parsed)))
            logger.info(
                "webhook: account-level error code(s) %s",
                ", ".join(str(error.code) for error in parsed),
            )


def _parse_user_preferences(out: _Collector, value: dict[str, Any], where: str) -> None:
    items = value.get("user_preferences")
    if not isinstance(items, list):
        out.invalid("user_preferences list", where)
        return
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            out.invalid("user preference", f"{where}.user_preferences[{index}]")
            continue
        out.user_preferences.append(
            UserPreference(
                wa_id=_get_str(item, "wa_id"),
                user_id=_get_str(item, "user_id"),
                category=_get_str(item, "category"),
                value=_get_str(item, "value"),
                timestamp=_int(item.get("timestamp")),
            )
        )


def _find_contact(
    contacts: list[dict[str, Any]], wa_id: str | None, user_id: str | None, *, single: bool
) -> dict[str, Any] | None:
    """The contacts[] entry for one sender/recipient, matched by wa_id or BSUID."""
    for contact in contacts:
        if wa_id is not None and _get_str(contact, "wa_id") == wa_id:
            return contact
        if user_id is not None and _get_str(contact, "user_id") == user_id:
            return contact
    # One item and one contact cannot be mixed up; this keeps the profile when Meta normalises
    # the number (``wa_id`` "may differ from ``from``", e.g. Brazil/Mexico prefixes), and it
    # identifies the sender of an item that names none (no ``from``/``from_user_id``): the
    # value's only contact is unambiguously who wrote it. With several items or contacts and no
    # match, nothing is guessed.
    if single and len(contacts) == 1:
        return contacts[0]
    return None


def _parse_message(
    obj: object, pnid: str | None, contacts: list[dict[str, Any]], *, single: bool
) -> InboundMessage | None:
    if not isinstance(obj, dict):
        return None
    wamid = _get_str(obj, "id")
    if not wamid or not wamid.strip():
        return None
    from_wa_id = _get_str(obj, "from")
    from_user_id = _get_str(obj, "from_user_id")
    raw_type = _get_str(obj, "type") or ""
    msg_type = MessageType.parse(raw_type)

    sender = SenderProfile()
    contact = _find_contact(contacts, from_wa_id, from_user_id, single=single)
    if contact is not None:
        profile = _get_dict(contact, "profile") or {}
        sender = SenderProfile(
            wa_id=_get_str(contact, "wa_id"),
            user_id=_get_str(contact, "user_id"),
            name=_get_str(profile, "name"),
            username=_get_str(profile, "username"),
        )

    text: str | None = None
    media: Media | None = None
    location: Location | None = None
    reaction: Reaction | None = None
    interactive: InteractiveReply | None = None
    button: ButtonReply | None = None
    system: SystemInfo | None = None
    unsupported_type: str | None = None
    # The type-specific object is keyed by the type name (``"image": {...}``).
    body = _get_dict(obj, raw_type) if raw_type else None

    if msg_type is MessageType.TEXT:
        text = _get_str(body, "body") if body is not None else None
    elif msg_type in MEDIA_TYPES:
        if body is not None:
            media = Media(
                id=_get_str(body, "id"),
                mime_type=_get_str(body, "mime_type"),
                sha256=_get_str(body, "sha256"),
                caption=_get_str(body, "caption"),
                filename=_get_str(body, "filename"),
                voice=_get_bool(body, "voice"),
                animated=_get_bool(body, "animated"),
                url=_get_str(body, "url"),
            )
            text = media.caption
    elif msg_type is MessageType.LOCATION:
        if body is not None:
            location = Location(
                latitude=_float(body.get("latitude")),
                longitude=_float(body.get("longitude")),
                name=_get_str(body, "name"),
                address=_get_str(body, "address"),
                url=_get_str(body, "url"),
            )
    elif msg_type is MessageType.INTERACTIVE:
        if body is not None:
            interactive = _parse_interactive(body)
            if interactive is not None:
                # For a Flow completion the title is absent; ``body`` carries its summary.
                text = (
                    _get_str(_get_dict(body, interactive.kind) or {}, "body")
                    if interactive.kind == "nfm_reply"
                    else interactive.title
                )
    elif msg_type is MessageType.BUTTON:
        if body is not None:
            button = ButtonReply(payload=_get_str(body, "payload"), text=_get_str(body, "text"))
            text = button.text
    elif msg_type is MessageType.REACTION:
        if body is not None:
            reaction = Reaction(
                message_id=_get_str(body, "message_id"), emoji=_get_str(body, "emoji")
            )
            # An absent or empty emoji is a removed reaction: no words.
            text = reaction.emoji or None
    elif msg_type is MessageType.SYSTEM:
        if body is not None:
            system = SystemInfo(
                type=_get_str(body, "type"),
                body=_get_str(body, "body"),
                # Older payloads named the new number ``new_wa_id``.
                wa_id=_get_str(body, "wa_id") or _get_str(body, "new_wa_id"),
            )
            text = system.body
    elif msg_type is MessageType.UNSUPPORTED:
        unsupported_type = _get_str(body, "type") if body is not None else None
    elif msg_type is MessageType.UNKNOWN:
        unsupported_type = raw_type or None
        logger.info("webhook: unknown message type %r kept raw", raw_type[:40])

    return InboundMessage(
        wamid=wamid,
        phone_number_id=pnid,
        from_wa_id=from_wa_id,
        from_user_id=from_user_id,
        timestamp=_int(obj.get("timestamp")),
        type=msg_type,
        raw_type=raw_type,
        text=text,
        sender=sender,
        media=media,
        location=location,
        reaction=reaction,
        interactive=interactive,
        button=button,
        context=_parse_context(_get_dict(obj, "context")),
        referral=_parse_referral(_get_dict(obj, "referral")),
        system=system,
        errors=_api_errors(obj.get("errors")),
        unsupported_type=unsupported_type,
        raw=_compact_json(obj),
    )


def _parse_interactive(obj: dict[str, Any]) -> InteractiveReply | None:
    kind = _get_str(obj, "type")
    if kind is None:
        return None
    reply = _get_dict(obj, kind) or {}
    return InteractiveReply(
        kind=kind,
        id=_get_str(reply, "id"),
        title=_get_str(reply, "title"),
        description=_get_str(reply, "description"),
        response_json=_get_str(reply, "response_json"),
    )


def _parse_context(obj: dict[str, Any] | None) -> Context | None:
    if obj is None:
        return None
    product = _get_dict(obj, "referred_product")
    return Context(
        from_=_get_str(obj, "from"),
        id=_get_str(obj, "id"),
        forwarded=_get_bool(obj, "forwarded"),
        frequently_forwarded=_get_bool(obj, "frequently_forwarded"),
        referred_product=(
            ReferredProduct(
                catalog_id=_get_str(product, "catalog_id"),
                product_retailer_id=_get_str(product, "product_retailer_id"),
            )
            if product is not None
            else None
        ),
    )


def _parse_referral(obj: dict[str, Any] | None) -> Referral | None:
    if obj is None:
        return None
    return Referral(
        source_url=_get_str(obj, "source_url"),
        source_id=_get_str(obj, "source_id"),
        source_type=_get_str(obj, "source_type"),
        headline=_get_str(obj, "headline"),
        body=_get_str(obj, "body"),
        ctwa_clid=_get_str(obj, "ctwa_clid"),
    )


def _parse_status(
    obj: object, pnid: str | None, contacts: list[dict[str, Any]], *, single: bool
) -> StatusUpdate | None:
    if not isinstance(obj, dict):
        return None
    wamid = _get_str(obj, "id")
    if not wamid or not wamid.strip():
        return None
    raw_status = _get_str(obj, "status") or ""
    status = StatusKind.parse(raw_status)
    if status is StatusKind.UNKNOWN:
        logger.info("webhook: unknown status %r kept raw", raw_status[:40])
    recipient_id = _get_str(obj, "recipient_id")
    recipient_user_id = _get_str(obj, "recipient_user_id")
    if recipient_user_id is None:
        contact = _find_contact(contacts, recipient_id, None, single=single)
        if contact is not None:
            recipient_user_id = _get_str(contact, "user_id")

    pricing = _get_dict(obj, "pricing") or {}
    # PMP (July 2025+) has pricing.type + category; legacy CBP has only pricing.category and the
    # same value in conversation.origin.type.
    conversation = _get_dict(obj, "conversation") or {}
    origin = _get_dict(conversation, "origin") or {}
    return StatusUpdate(
        wamid=wamid,
        phone_number_id=pnid,
        status=status,
        raw_status=raw_status,
        timestamp=_int(obj.get("timestamp")),
        recipient_id=recipient_id,
        recipient_user_id=recipient_user_id,
        errors=_api_errors(obj.get("errors")),
        biz_opaque_callback_data=_get_str(obj, "biz_opaque_callback_data"),
        pricing_category=_get_str(pricing, "category") or _get_str(origin, "type"),
        pricing_type=_get_str(pricing, "type"),
        raw=_compact_json(obj),
    )
