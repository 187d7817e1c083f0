"""Logging set-up: a rotating file under the log dir, phone numbers masked.

Message bodies, tokens and secrets are never passed to a logger in the first place; the masking
filter is the second line of defence for phone numbers (and anything that looks like a token)
that reach a log line through an id or an exception text. The whole formatted line is masked,
tracebacks included, and so is every secret-looking query-string value (``hub.verify_token=``,
``access_token=``...), which aiohttp's own messages carry in the raw request line.

aiohttp's loggers (``aiohttp.*``) go to the same masked handlers and never to stderr. Repeated
warnings are rate-limited: one line per cause (logger + message template + exception type) per
minute; the next line of that cause says how many were held back.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

# Long digit runs are phone numbers or WhatsApp ids: keep the last 4 digits.
_PHONE_RE = re.compile(r"(?<![\w.])\+?(\d{4,})(\d{4})(?!\d)")
# Bearer tokens and Meta access tokens (EAA...) never appear in clear.
_TOKEN_RE = re.compile(r"(Bearer\s+)\S+|\bEAA[A-Za-z0-9]{10,}")
# Query-string (or form) values whose name says secret: hub.verify_token=..., access_token=...
_PARAM_RE = re.compile(r"([\w.%-]+)=([^&\s'\"#;,]+)")
_SEGMENT_RE = re.compile(r"[._%-]+")
_SECRET_WORDS = frozenset(
    {"token", "secret", "password", "passwd", "signature", "challenge", "key", "apikey", "auth"}
)
RATE_LIMIT_WINDOW_S = 60.0
_LOGGER_NAMES = ("wabot_desktop", "aiohttp")


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
    if "=" in text:
        text = _PARAM_RE.sub(_mask_param, text)
    return _PHONE_RE.sub(lambda m: "*" * len(m.group(1)) + m.group(2), text)


def _mask_param(match: re.Match[str]) -> str:
    name = match.group(1)
    if any(seg in _SECRET_WORDS for seg in _SEGMENT_RE.split(name.lower())):
        return f"{name}=[redacted]"
    return match.group(0)


class MaskingFilter(logging.Filter):
    """Rewrites each record's final message with phone numbers and tokens masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted record: message, exception text and stack."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


class RateLimitFilter(logging.Filter):
    """One WARNING-or-worse line per cause per ``window_s``; the next one carries the count."""

    def __init__(
        self, window_s: float = RATE_LIMIT_WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._window = window_s
        self._clock = clock
        self._lock = threading.Lock()
        # cause -> (time the last line was written, lines held back since)
        self._seen: dict[tuple[str, str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        decided = getattr(record, "_wabot_rate", None)  # a second handler: same decision
        if decided is not None:
            return bool(decided)
        keep = self._decide(record)
        record._wabot_rate = keep
        return keep

    def _decide(self, record: logging.LogRecord) -> bool:
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        cause = (record.name, str(record.msg), exc_type)
        now = self._clock()
        with self._lock:
            last = self._seen.get(cause)
            if last is not None and now - last[0] < self._window:
                self._seen[cause] = (last[0], last[1] + 1)
                return False
            held = last[1] if last is not None else 0
            self._seen[cause] = (now, 0)
            if len(self._seen) > 1000:  # causes are few; never let the table grow unbounded
                self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self._window}
        if held:
            record.msg = f"{record.getMessage()} (and {held} more like it in the last minute)"
            record.args = None
        return True


def setup_logging(log_file: Path, *, level: int = logging.INFO, console: bool = False) -> None:
    """Send the ``wabot_desktop`` and ``aiohttp`` loggers to a rotating file (5 x 2 MB), masked."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    close_logging()
    root = logging.getLogger("wabot_desktop")
    root.setLevel(level)
    # aiohttp's own errors (aborted bodies, bad request lines) carry raw request lines: they
    # go through the same masked, rate-limited handlers, never to stderr.
    aiohttp_logger = logging.getLogger("aiohttp")
    aiohttp_logger.setLevel(max(level, logging.INFO))
    aiohttp_logger.propagate = False
    formatter = MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler())
    rate_limit = RateLimitFilter()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(rate_limit)
        handler.addFilter(MaskingFilter())
        handler._wabot = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        aiohttp_logger.addHandler(handler)


def close_logging() -> None:
    """Close the handlers installed by :func:`setup_logging`."""
    closed: set[int] = set()
    for name in _LOGGER_NAMES:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if getattr(handler, "_wabot", False):
                logger.removeHandler(handler)
                if id(handler) not in closed:
                    closed.add(id(handler))
                    handler.close()
