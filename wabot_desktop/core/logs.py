"""Logging set-up: a rotating file under the log dir, phone numbers masked.

Message bodies, tokens and secrets are never passed to a logger in the first place; the masking
filter is the second line of defence for phone numbers (and anything that looks like a token)
that reach a log line through an id or an exception text.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

# Long digit runs are phone numbers or WhatsApp ids: keep the last 4 digits.
_PHONE_RE = re.compile(r"(?<![\w.])\+?(\d{4,})(\d{4})(?!\d)")
# Bearer tokens and Meta access tokens (EAA...) never appear in clear.
_TOKEN_RE = re.compile(r"(Bearer\s+)\S+|\bEAA[A-Za-z0-9]{10,}")


def mask_phone(value: str | None) -> str:
    """Mask a phone number or wa_id for logs: ``5215512345678`` -> ``*********5678``."""
    if not value:
        return "-"
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_text(text: str) -> str:
    """Mask phone numbers and tokens anywhere in a log line."""
    text = _TOKEN_RE.sub(lambda m: (m.group(1) or "") + "[redacted]", text)
    return _PHONE_RE.sub(lambda m: "*" * len(m.group(1)) + m.group(2), text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's final message with phone numbers and tokens masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def setup_logging(log_file: Path, *, level: int = logging.INFO, console: bool = False) -> None:
    """Send the ``wabot_desktop`` loggers to a rotating file (5 x 2 MB), masked."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("wabot_desktop")
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_wabot", False):
            root.removeHandler(handler)
            handler.close()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(MaskingFilter())
        handler._wabot = True  # type: ignore[attr-defined]
        root.addHandler(handler)


def close_logging() -> None:
    """Close the handlers installed by :func:`setup_logging`."""
    root = logging.getLogger("wabot_desktop")
    for handler in list(root.handlers):
        if getattr(handler, "_wabot", False):
            root.removeHandler(handler)
            handler.close()
