"""Graph API error classification: codes and HTTP statuses to exception types."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fakes.graph import graph_error_body
from wabot_desktop.core.errors import UserFacingError, WabotError
from wabot_desktop.core.whatsapp.errors import (
    AccountRestrictedError,
    AuthError,
    BlockedUserError,
    GraphApiError,
    InvalidRequestError,
    MediaError,
    NetworkError,
    PairRateLimitError,
    PermanentGraphError,
    PermissionDeniedError,
    RateLimitError,
    RecipientNotAllowedError,
    ReEngagementError,
    ServerError,
    TemplateError,
    TransientGraphError,
    UndeliverableError,
    error_class_for,
    error_from_response,
    stops_all_sending,
)

# (code, http status, expected class)
CODE_TABLE: list[tuple[int | None, int, type[GraphApiError]]] = [
    (4, 400, RateLimitError),
    (80007, 400, RateLimitError),
    (130429, 400, RateLimitError),
    (None, 429, RateLimitError),
    (131056, 400, PairRateLimitError),
    (1, 500, ServerError),
    (2, 503, ServerError),
    (131000, 500, ServerError),
    (131016, 503, ServerError),
    (131057, 400, ServerError),
    (133004, 503, ServerError),
    (None, 500, ServerError),
    (None, 502, ServerError),
    (987654, 500, ServerError),  # unknown code on 5xx
    (0, 401, AuthError),
    (190, 401, AuthError),
    (190, 400, AuthError),
    (3, 400, PermissionDeniedError),
    (10, 403, PermissionDeniedError),
    (200, 403, PermissionDeniedError),
    (294, 403, PermissionDeniedError),
    (131005, 403, PermissionDeniedError),
    (131047, 400, ReEngagementError),
    (131026, 400, UndeliverableError),
    (131030, 400, RecipientNotAllowedError),
    (100, 400, InvalidRequestError),
    (131008, 400, InvalidRequestError),
    (131009, 400, InvalidRequestError),
    (131021, 400, InvalidRequestError),
    (135000, 400, InvalidRequestError),
    (131031, 400, AccountRestrictedError),
    (368, 400, AccountRestrictedError),
    (130497, 400, AccountRestrictedError),
    (131042, 400, AccountRestrictedError),
    (133010, 400, AccountRestrictedError),
    (132000, 400, TemplateError),
    (132001, 404, TemplateError),
    (132015, 400, TemplateError),
    (130403, 400, BlockedUserError),
    (131053, 400, MediaError),
    (987654, 400, PermanentGraphError),  # unknown code on 4xx
    (None, 400, PermanentGraphError),
    (None, 404, PermanentGraphError),
    (131047, 500, ReEngagementError),  # the code decides, not the HTTP status
]

TRANSIENT_CODES = {1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133004}


@pytest.mark.parametrize(("code", "status", "expected"), CODE_TABLE)
def test_classification_table(code: int | None, status: int, expected: type[GraphApiError]) -> None:
    body = graph_error_body(code, http_status=status) if code is not None else {}
    error = error_from_response(status, json.dumps(body).encode())
    assert type(error) is expected
    assert error_class_for(code, status) is expected
    assert error.code == code
    assert error.http_status == status
    assert isinstance(error, WabotError)
    assert error.is_transient is issubclass(expected, TransientGraphError)


def test_retryable_set() -> None:
    """Section 7.2's retryable set, and nothing else among the known codes."""
    for code in TRANSIENT_CODES:
        assert error_class_for(code, 400).is_transient, code
    for table_code, status, _ in CODE_TABLE:
        if table_code is not None and table_code not in TRANSIENT_CODES and status < 500:
            assert not error_class_for(table_code, status).is_transient, table_code


def test_transient_and_permanent_bases() -> None:
    assert NetworkError.is_transient
    assert issubclass(NetworkError, TransientGraphError)
    transient: list[type[GraphApiError]] = [RateLimitError, PairRateLimitError, ServerError]
    for cls in transient:
        assert cls.is_transient
    permanent: list[type[GraphApiError]] = [
        AuthError,
        ReEngagementError,
        UndeliverableError,
        TemplateError,
        MediaError,
    ]
    for cls in permanent:
        assert issubclass(cls, PermanentGraphError)
        assert not cls.is_transient


def test_fields_are_parsed() -> None:
    body = {
        "error": {
            "message": "(#131047) Re-engagement message",
            "type": "OAuthException",
            "code": 131047,
            "error_subcode": 2494010,
            "error_data": {
                "messaging_product": "whatsapp",
                "details": "Message failed to send because more than 24 hours have passed",
            },
            "fbtrace_id": "AbCdEf123",
        }
    }
    error = error_from_response(400, json.dumps(body))
    assert isinstance(error, ReEngagementError)
    assert error.code == 131047
    assert error.subcode == 2494010
    assert error.http_status == 400
    assert error.message == "(#131047) Re-engagement message"
    assert error.title == "OAuthException"
    assert error.details == "Message failed to send because more than 24 hours have passed"
    assert error.fbtrace_id == "AbCdEf123"
    assert error.raw == body
    assert "131047" in str(error)
    # dict bodies and string codes are accepted too
    same = error_from_response(400, {"error": {**body["error"], "code": "131047"}})
    assert isinstance(same, ReEngagementError)
    assert same.code == 131047


def test_status_webhook_error_object() -> None:
    """A bare error object (as in a failed status webhook) classifies the same way."""
    error = error_from_response(
        None,
        {
            "code": 131026,
            "title": "Message undeliverable",
            "message": "Message undeliverable",
            "error_data": {"details": "Message Undeliverable."},
        },
    )
    assert isinstance(error, UndeliverableError)
    assert error.title == "Message undeliverable"
    assert error.http_status is None


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, b"<html><body>Bad gateway</body></html>", ServerError),
        (502, None, ServerError),
        (400, b"\xff\xfe\x00garbage", PermanentGraphError),
        (400, "null", PermanentGraphError),
        (400, "[1, 2, 3]", PermanentGraphError),
        (400, '{"error": "just a string"}', PermanentGraphError),
        (400, '{"error": {"code": "abc", "message": 5}}', PermanentGraphError),
        (400, '{"error": {"code": true}}', PermanentGraphError),
        (400, '{"error": {"code": 100, "error_data": "x", "fbtrace_id": 7}}', InvalidRequestError),
        (429, "", RateLimitError),
        (400, "[" * 100_000, PermanentGraphError),  # RecursionError in json
        (400, '{"error": {"code": 1', PermanentGraphError),  # truncated JSON
    ],
)
def test_garbage_bodies_never_raise(
    status: int, body: bytes | str | None, expected: type[GraphApiError]
) -> None:
    error = error_from_response(status, body)
    assert type(error) is expected
    assert error.http_status == status
    assert str(error)


def test_raw_text_is_kept_but_bounded() -> None:
    error = error_from_response(502, "<html>" + "x" * 100_000)
    assert isinstance(error.raw, str)
    assert error.raw.startswith("<html>")
    assert len(error.raw) <= 4000


@given(status=st.integers(min_value=100, max_value=599), body=st.binary(max_size=300))
def test_any_bytes_give_an_error(status: int, body: bytes) -> None:
    assert isinstance(error_from_response(status, body), GraphApiError)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


@given(
    status=st.integers(min_value=400, max_value=599),
    error=st.dictionaries(
        st.sampled_from(["code", "message", "error_subcode", "error_data", "type", "fbtrace_id"]),
        _json,
    ),
)
def test_any_error_object_gives_an_error(status: int, error: dict[str, Any]) -> None:
    result = error_from_response(status, {"error": error})
    assert isinstance(result, GraphApiError)
    assert result.code is None or isinstance(result.code, int)


def test_auth_error_is_user_facing() -> None:
    error = error_from_response(401, graph_error_body(190, http_status=401))
    assert isinstance(error, AuthError)
    assert isinstance(error, UserFacingError)
    assert error.user_code == "token_invalid"
    assert error.code == 190
    assert error.subcode == 463


@pytest.mark.parametrize(
    ("error", "stops"),
    [
        (AuthError("x", code=190), True),
        (AuthError("no token"), True),
        (AccountRestrictedError("x", code=131031), True),
        (AccountRestrictedError("x", code=368), True),
        (AccountRestrictedError("x", code=130497), False),
        (AccountRestrictedError("x", code=131042), False),
        (RateLimitError("x", code=130429), False),
        (ReEngagementError("x", code=131047), False),
        (NetworkError("x"), False),
        (ValueError("x"), False),
    ],
)
def test_stops_all_sending(error: BaseException, stops: bool) -> None:
    assert stops_all_sending(error) is stops
