"""Property tests: the parser survives any JSON value and any mutation of a real payload."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wabot_desktop.core.whatsapp.models import (
    InboundMessage,
    MessageType,
    ParsedWebhook,
    StatusKind,
    StatusUpdate,
)
from wabot_desktop.core.whatsapp.parser import (
    MAX_JSON_DEPTH,
    WebhookBodyError,
    decode_body,
    parse_webhook,
)

WEBHOOKS_DIR = Path(__file__).resolve().parents[1] / "data" / "webhooks"
OUR_PNID = "110011001100110"
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _load_fixtures() -> dict[str, Any]:
    fixtures: dict[str, Any] = {}
    for path in sorted(WEBHOOKS_DIR.glob("*.json")):
        if path.name == "bad_huge_text.json":
            continue  # 256 KB per example would only slow the search down
        try:
            fixtures[path.name] = json.loads(path.read_bytes())
        except ValueError:
            continue  # the deliberately broken bodies
    return fixtures


FIXTURES = _load_fixtures()


def _keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys_in(item) for item in value))
    return set()


# Keys and strings the parser looks for, so random trees reach the deep code paths: every key of
# the real payloads plus the optional ones no fixture happens to carry.
KEYS = sorted(
    _keys_in(list(FIXTURES.values()))
    | {"from_user_id", "recipient_user_id", "new_wa_id", "username", "unsupported"}
)
WORDS = [
    "whatsapp_business_account",
    "messages",
    "user_preferences",
    OUR_PNID,
    "15555550101",
    "1780000000",
    "wamid.X",
    *(t.value for t in MessageType),
    *(k.value for k in StatusKind),
    "queued",  # ours (MessageStatus), never a status Meta sends
    "received",
    "nfm_reply",
    "button_reply",
]

# Text with NUL, control characters and lone surrogates (st.text() leaves surrogates out).
dirty_text = st.text(
    alphabet=st.characters(exclude_categories=()) | st.sampled_from(["\x00", "\ud800", "\udfff"]),
    max_size=12,
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | dirty_text
    | st.sampled_from(WORDS)
)
keys = st.sampled_from(KEYS) | dirty_text
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)
# A WABA envelope whose levels are random, so the entry/change/value loops get real work.
envelopes = st.fixed_dictionaries(
    {"object": st.just("whatsapp_business_account")},
    optional={
        "entry": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "changes": st.lists(
                        st.fixed_dictionaries(
                            {"field": st.sampled_from(["messages", "user_preferences"]) | keys},
                            optional={"value": json_values},
                        )
                        | json_values,
                        max_size=3,
                    )
                },
            )
            | json_values,
            max_size=3,
        )
    },
)


def check_result(result: ParsedWebhook) -> None:
    """Invariants of every parse: right types, clean text, raw that is valid JSON."""
    assert isinstance(result, ParsedWebhook)
    assert result.skipped_invalid >= 0 and result.skipped_foreign >= 0
    assert result.object_type is None or isinstance(result.object_type, str)
    assert_clean(result)
    for message in result.messages:
        assert isinstance(message, InboundMessage)
        assert isinstance(message.type, MessageType)
        assert message.wamid.strip()
        assert message.timestamp is None or isinstance(message.timestamp, int)
        raw = json.loads(message.raw)
        assert isinstance(raw, dict) and raw["id"] == message.wamid
    for status in result.statuses:
        assert isinstance(status, StatusUpdate)
        assert isinstance(status.status, StatusKind)
        assert status.status.value not in ("queued", "received")
        assert json.loads(status.raw)["id"] == status.wamid
    for change in result.other_changes:
        json.loads(change.raw)


def assert_clean(obj: object) -> None:
    if isinstance(obj, str):
        assert "\x00" not in obj
        assert _SURROGATE_RE.search(obj) is None
        obj.encode("utf-8")  # what SQLite and the GUI will need
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for item in dataclasses.fields(obj):
            assert_clean(getattr(obj, item.name))
    elif isinstance(obj, tuple):
        for item in obj:
            assert_clean(item)
    else:
        assert obj is None or isinstance(obj, int | float | bool)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indices) to a subtree of ``value``, the root included."""
    paths = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            paths.extend(paths_of(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths.extend(paths_of(item, (*prefix, index)))
    return paths


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``value`` with the subtree at ``path`` replaced (or deleted if ``new`` is ...)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    if rest:
        copy[head] = replaced(copy[head], rest, new)
    elif new is ...:
        del copy[head]
    else:
        copy[head] = new
    return copy


@settings(max_examples=300, deadline=None)
@given(payload=json_values)
def test_any_json_value_parses_without_raising(payload: Any) -> None:
    check_result(parse_webhook(payload, phone_number_id=OUR_PNID))
    check_result(parse_webhook(payload, phone_number_id=None))


@settings(max_examples=300, deadline=None)
@given(payload=envelopes, filter_on=st.booleans())
def test_random_envelopes_parse_without_raising(payload: Any, filter_on: bool) -> None:
    result = parse_webhook(payload, phone_number_id=OUR_PNID if filter_on else None)
    assert result.object_type == "whatsapp_business_account"
    check_result(result)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(FIXTURES)), data=st.data())
def test_mutated_real_payloads_parse_without_raising(name: str, data: st.DataObject) -> None:
    payload = FIXTURES[name]
    for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="mutations")):
        path = data.draw(st.sampled_from(paths_of(payload)), label="path")
        if path and data.draw(st.booleans(), label="delete"):
            new: Any = ...
        else:
            new = data.draw(json_values, label="replacement")
        payload = replaced(payload, path, new)
    check_result(parse_webhook(payload, phone_number_id=OUR_PNID))
    check_result(parse_webhook(payload, phone_number_id=None))


def test_unmutated_fixtures_satisfy_the_invariants() -> None:
    assert len(FIXTURES) >= 40
    for name, payload in FIXTURES.items():
        result = parse_webhook(payload, phone_number_id=OUR_PNID)
        check_result(result)
        if name.startswith(("text", "image", "status")):
            assert not result.is_empty, name


def test_mutation_helper_copies_instead_of_changing_the_fixture() -> None:
    payload = FIXTURES["text.json"]
    before = json.dumps(payload)
    deepest = max(paths_of(payload), key=len)
    mutated = replaced(payload, deepest, "X")
    deleted = replaced(payload, deepest, ...)
    assert json.dumps(payload) == before
    assert mutated != payload and deleted != payload


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300))
def test_decode_body_raises_only_webhook_body_error_on_bytes(raw: bytes) -> None:
    try:
        decode_body(raw)
    except WebhookBodyError as exc:
        assert exc.reason in {"empty", "utf8", "json", "too_deep"}


# JSON-ish tokens, so the generated text is often almost valid and reaches json.loads.
json_tokens = st.sampled_from(
    [*'[]{}",:0123456789.-+eE \n\\', "true", "false", "null", "\\u0000", "\\ud800", "NaN"]
)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(json_tokens, max_size=120).map("".join))
def test_decode_body_raises_only_webhook_body_error_on_json_like_text(text: str) -> None:
    try:
        value = decode_body(text.encode())
    except WebhookBodyError as exc:
        assert exc.reason in {"empty", "utf8", "json", "too_deep"}
    else:
        check_result(parse_webhook(value, phone_number_id=OUR_PNID))


@settings(max_examples=200, deadline=None)
@given(value=json_values, ensure_ascii=st.booleans())
def test_decode_body_roundtrips_serialised_json(value: Any, ensure_ascii: bool) -> None:
    try:
        body = json.dumps(value, ensure_ascii=ensure_ascii).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate cannot be raw UTF-8; Meta escapes it (ensure_ascii) and so do we.
        body = json.dumps(value, ensure_ascii=True).encode("ascii")
    assert decode_body(body) == value


@settings(max_examples=100, deadline=None)
@given(depth=st.integers(min_value=1, max_value=3 * MAX_JSON_DEPTH), use_objects=st.booleans())
def test_decode_body_depth_limit_is_exact(depth: int, use_objects: bool) -> None:
    opening, closing = (b'{"k":', b"}") if use_objects else (b"[", b"]")
    body = opening * depth + b"0" + closing * depth
    try:
        decode_body(body)
    except WebhookBodyError as exc:
        assert exc.reason == "too_deep"
        assert depth > MAX_JSON_DEPTH
    else:
        assert depth <= MAX_JSON_DEPTH
