"""``X-Hub-Signature-256`` check for webhook POSTs (HMAC-SHA256 of the raw body, app secret key)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import string
from enum import StrEnum

logger = logging.getLogger(__name__)

_PREFIX = "sha256="
_HEX_DIGITS = frozenset(string.hexdigits)
_DIGEST_HEX_LEN = hashlib.sha256().digest_size * 2


class SignatureCheck(StrEnum):
    """Outcome of a signature check: the server answers 401 for MISSING, 403 for INVALID."""

    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"


def sign(app_secret: str, body: bytes) -> str:
    """Return the ``X-Hub-Signature-256`` value Meta would send for ``body``."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(app_secret: str, body: bytes, header: str | None) -> SignatureCheck:
    """Check ``header`` (``sha256=<hex>``) against the HMAC-SHA256 of the raw ``body`` bytes."""
    if header is None or not header.strip():
        return SignatureCheck.MISSING
    if not app_secret:
        # An unset secret must never turn into "everything is signed": HMAC with an empty key is
        # computable by anyone.
        logger.warning("webhook signature rejected: no app secret configured")
        return SignatureCheck.INVALID
    value = header.strip()
    if value[: len(_PREFIX)].lower() != _PREFIX:
        return SignatureCheck.INVALID
    given = value[len(_PREFIX) :]
    # Validate the shape first so compare_digest only ever sees ASCII hex of the right length
    # (it raises TypeError on non-ASCII str input).
    if len(given) != _DIGEST_HEX_LEN or not all(c in _HEX_DIGITS for c in given):
        return SignatureCheck.INVALID
    expected = sign(app_secret, body)[len(_PREFIX) :]
    if hmac.compare_digest(expected, given.lower()):
        return SignatureCheck.OK
    return SignatureCheck.INVALID
