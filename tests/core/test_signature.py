"""X-Hub-Signature-256 checks: raw bytes, constant-time compare, every malformed shape rejected."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wabot_desktop.core.whatsapp.signature import SignatureCheck, sign, verify_signature

SECRET = "0123456789abcdef0123456789abcdef"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'
WEBHOOKS_DIR = Path(__file__).resolve().parents[1] / "data" / "webhooks"


def test_sign_matches_a_published_hmac_sha256_vector() -> None:
    # RFC-independent oracle: the well-known HMAC-SHA256("key", "The quick brown fox ...").
    assert sign("key", b"The quick brown fox jumps over the lazy dog") == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_sign_is_lowercase_hex_with_prefix() -> None:
    value = sign(SECRET, BODY)
    assert value.startswith("sha256=")
    digest = value.removeprefix("sha256=")
    assert len(digest) == 64
    assert digest == digest.lower()
    assert digest == hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


def test_valid_signature_is_ok() -> None:
    assert verify_signature(SECRET, BODY, sign(SECRET, BODY)) is SignatureCheck.OK


@pytest.mark.parametrize("path", sorted(WEBHOOKS_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_fixture_verifies_over_its_exact_bytes(path: Path) -> None:
    body = path.read_bytes()  # including invalid UTF-8 and the empty body
    assert verify_signature(SECRET, body, sign(SECRET, body)) is SignatureCheck.OK
    assert verify_signature(SECRET, body + b" ", sign(SECRET, body)) is SignatureCheck.INVALID


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header(header: str | None) -> None:
    assert verify_signature(SECRET, BODY, header) is SignatureCheck.MISSING


def test_signature_made_with_another_secret_is_invalid() -> None:
    assert verify_signature(SECRET, BODY, sign("other-secret", BODY)) is SignatureCheck.INVALID


def test_signature_of_another_body_is_invalid() -> None:
    tampered = BODY.replace(b"[]", b"[{}]")
    assert verify_signature(SECRET, tampered, sign(SECRET, BODY)) is SignatureCheck.INVALID


def test_one_flipped_hex_digit_is_invalid() -> None:
    good = sign(SECRET, BODY)
    last = good[-1]
    bad = good[:-1] + ("0" if last != "0" else "1")
    assert verify_signature(SECRET, BODY, bad) is SignatureCheck.INVALID


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda good: good.removeprefix("sha256="), id="no-prefix"),
        pytest.param(lambda good: "sha1=" + good.removeprefix("sha256="), id="sha1-prefix"),
        pytest.param(lambda good: "sha256", id="prefix-only-no-equals"),
        pytest.param(lambda good: "sha256=", id="empty-digest"),
        pytest.param(lambda good: good[:-2], id="too-short"),
        pytest.param(lambda good: good + "00", id="too-long"),
        pytest.param(lambda good: good[:-1] + "g", id="non-hex-letter"),
        pytest.param(lambda good: good[:-1] + "\u00e9", id="non-ascii-char"),
        pytest.param(lambda good: good[:-1] + "\u0661", id="non-ascii-digit"),
        pytest.param(lambda good: good.replace("=", " = "), id="spaces-around-equals"),
        pytest.param(lambda good: good + ",sha256=" + "0" * 64, id="two-values"),
        pytest.param(lambda good: "Bearer " + good, id="other-scheme"),
    ],
)
def test_malformed_header_is_invalid(make_header: Callable[[str], str]) -> None:
    header = make_header(sign(SECRET, BODY))
    assert verify_signature(SECRET, BODY, header) is SignatureCheck.INVALID


def test_uppercase_hex_is_accepted() -> None:
    digest = sign(SECRET, BODY).removeprefix("sha256=")
    assert digest.upper() != digest  # the vector really has letters to upper-case
    assert verify_signature(SECRET, BODY, "sha256=" + digest.upper()) is SignatureCheck.OK


def test_surrounding_whitespace_is_tolerated() -> None:
    assert verify_signature(SECRET, BODY, " " + sign(SECRET, BODY) + "\t") is SignatureCheck.OK


def test_non_ascii_body_is_hashed_as_raw_bytes_not_reserialised_json() -> None:
    # Meta escapes non-ASCII as \uXXXX; a sender may also send raw UTF-8. Either way the HMAC is
    # over the bytes received, so re-serialising the parsed JSON must NOT verify.
    raw_utf8 = '{"text":{"body":"Caf\u00e9 \u2764\ufe0f @shop"}}'.encode()
    escaped = json.dumps(json.loads(raw_utf8), separators=(",", ":")).encode("ascii")
    assert escaped != raw_utf8
    assert verify_signature(SECRET, raw_utf8, sign(SECRET, raw_utf8)) is SignatureCheck.OK
    assert verify_signature(SECRET, escaped, sign(SECRET, escaped)) is SignatureCheck.OK
    assert verify_signature(SECRET, raw_utf8, sign(SECRET, escaped)) is SignatureCheck.INVALID
    assert verify_signature(SECRET, escaped, sign(SECRET, raw_utf8)) is SignatureCheck.INVALID


def test_non_ascii_secret_is_encoded_as_utf8() -> None:
    secret = "s\u00e9cret"
    expected = hmac.new(secret.encode("utf-8"), BODY, hashlib.sha256).hexdigest()
    assert sign(secret, BODY) == "sha256=" + expected
    assert verify_signature(secret, BODY, sign(secret, BODY)) is SignatureCheck.OK


def test_empty_app_secret_never_accepts(caplog: pytest.LogCaptureFixture) -> None:
    # Anyone can compute HMAC with an empty key: an unconfigured secret must reject everything.
    with caplog.at_level(logging.WARNING, logger="wabot_desktop.core.whatsapp.signature"):
        result = verify_signature("", BODY, sign("", BODY))
    assert result is SignatureCheck.INVALID
    assert "no app secret" in caplog.text


def test_empty_app_secret_with_missing_header_is_still_missing() -> None:
    assert verify_signature("", BODY, None) is SignatureCheck.MISSING


def test_signature_check_values_are_stable_strings() -> None:
    assert [check.value for check in SignatureCheck] == ["ok", "missing", "invalid"]


@settings(max_examples=100, deadline=None)
@given(
    secret=st.text(min_size=1, max_size=40),
    body=st.binary(max_size=512),
    other=st.binary(max_size=512),
)
def test_sign_verify_roundtrip_property(secret: str, body: bytes, other: bytes) -> None:
    header = sign(secret, body)
    assert verify_signature(secret, body, header) is SignatureCheck.OK
    expected = SignatureCheck.OK if other == body else SignatureCheck.INVALID
    assert verify_signature(secret, other, header) is expected
