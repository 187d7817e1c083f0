"""Exception hierarchy: every error says who must act.

``UserFacingError`` subclasses are problems the shop owner can fix (credentials, Ollama not
running, port in use); the GUI maps their types to translated messages. The core never builds
sentences for the user: ``code`` is a stable machine-readable name.
"""

from __future__ import annotations


class WabotError(Exception):
    """Base of every error raised on purpose by WaBot Desktop."""


class UserFacingError(WabotError):
    """A problem the user can fix; ``code`` names it for the GUI's translated message."""

    code: str = "user_error"


class UserCancelled(WabotError):  # noqa: N818 - a cancel is not an error to the user
    """The user cancelled an action; never shown as an error."""


class MissingCredentialsError(UserFacingError):
    """Required credentials are not configured."""

    code = "missing_credentials"

    def __init__(self, missing: list[str]) -> None:
        self.missing = list(missing)
        super().__init__("missing credentials: " + ", ".join(self.missing))


class KeyringUnavailableError(UserFacingError):
    """No usable OS keyring: secrets cannot be stored (there is no plaintext fallback)."""

    code = "keyring_unavailable"


class StorageError(WabotError):
    """The database could not be read or written."""


class PortInUseError(UserFacingError):
    """The webhook server could not bind its port."""

    code = "port_in_use"


class AlreadyRunningError(UserFacingError):
    """Another instance already uses this data directory."""

    code = "already_running"


class ConversationNotFoundError(WabotError):
    """A conversation id does not exist (deleted, or never did)."""


class WindowClosedError(UserFacingError):
    """The 24-hour customer service window is closed: only templates may be sent."""

    code = "window_closed"


class SendingBlockedError(UserFacingError):
    """Sending is stopped (for example the access token was rejected)."""

    code = "sending_blocked"
