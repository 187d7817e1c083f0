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


class ShopConnectionError(UserFacingError):
    """The shop's database cannot be used from this PC; ``code`` says why (GUI translates).

    Codes: ``shop_incomplete`` (a field is empty), ``shop_wrong_password`` (user or password
    refused), ``shop_unreachable`` (host unknown, port closed, no answer),
    ``shop_database_missing``,
    ``shop_tls_refused`` (the server offers no TLS and TLS is required), ``shop_not_allowed``
    (the server's pg_hba refuses this PC), ``shop_not_wabot`` (no WaBot data: start ``serve``
    on the server first), ``shop_schema_old`` (update the server's WaBot), ``shop_schema_new``
    (update this PC's WaBot), ``shop_no_password`` (none given nor stored), ``shop_error``.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(code + (f": {detail}" if detail else ""))


class ShopOfflineError(UserFacingError):
    """The shop's server cannot be reached right now: the action was not done."""

    code = "shop_offline"


class ServerOnlyError(UserFacingError):
    """A staff PC cannot do this itself (it holds no WhatsApp token): the shop's server does.

    ``what``: ``templates`` (the list comes from Meta) or ``media`` (a customer's file).
    """

    code = "shop_server_only"

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"only the shop's server can fetch {what}")
