"""Secrets live only in the OS keyring, behind a small interface.

``KeyringSecretStore`` uses the ``keyring`` library; ``MemorySecretStore`` is for tests and the
simulator; ``EnvOverlaySecretStore`` lets headless servers (no keyring) pass WABOT_* variables.
There is no plaintext fallback: when no usable keyring exists, :class:`KeyringUnavailableError`
is raised and the caller tells the user.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from wabot_desktop.core.errors import KeyringUnavailableError

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "wabot-desktop"


class SecretKey(StrEnum):
    """Names of the secrets the app stores."""

    ACCESS_TOKEN = "access_token"
    APP_SECRET = "app_secret"
    VERIFY_TOKEN = "verify_token"
    PHONE_NUMBER_ID = "phone_number_id"
    WABA_ID = "waba_id"
    NGROK_AUTHTOKEN = "ngrok_authtoken"
    PIN = "pin"  # the two-step PIN chosen when registering the number
    LLM_API_KEY = "llm_api_key"  # OpenAI-compatible server (optional; HF router needs one)
    DATABASE_PASSWORD = "database_password"  # the shop's PostgreSQL (serve --database-url)


ENV_VARS: dict[SecretKey, str] = {
    SecretKey.ACCESS_TOKEN: "WABOT_ACCESS_TOKEN",
    SecretKey.APP_SECRET: "WABOT_APP_SECRET",
    SecretKey.VERIFY_TOKEN: "WABOT_VERIFY_TOKEN",
    SecretKey.PHONE_NUMBER_ID: "WABOT_PHONE_NUMBER_ID",
    SecretKey.WABA_ID: "WABOT_WABA_ID",
    SecretKey.NGROK_AUTHTOKEN: "WABOT_NGROK_AUTHTOKEN",
    SecretKey.PIN: "WABOT_PIN",
    SecretKey.LLM_API_KEY: "WABOT_LLM_API_KEY",
    SecretKey.DATABASE_PASSWORD: "WABOT_DATABASE_PASSWORD",
}

# What the webhook path needs to run live.
REQUIRED_FOR_LIVE: tuple[SecretKey, ...] = (
    SecretKey.ACCESS_TOKEN,
    SecretKey.APP_SECRET,
    SecretKey.VERIFY_TOKEN,
    SecretKey.PHONE_NUMBER_ID,
)


class SecretStore(Protocol):
    """Get, set and delete named secrets."""

    def get(self, key: SecretKey) -> str | None: ...

    def set(self, key: SecretKey, value: str) -> None: ...

    def delete(self, key: SecretKey) -> None: ...


class MemorySecretStore:
    """In-memory secrets (tests, simulator)."""

    def __init__(self, values: Mapping[SecretKey, str] | None = None) -> None:
        self._values: dict[SecretKey, str] = dict(values or {})

    def get(self, key: SecretKey) -> str | None:
        return self._values.get(key)

    def set(self, key: SecretKey, value: str) -> None:
        self._values[key] = value

    def delete(self, key: SecretKey) -> None:
        self._values.pop(key, None)


def service_name_for(data_dir: Path | None) -> str:
    """Keyring service name: one per profile, so a ``--data-dir`` profile has its own secrets."""
    if data_dir is None:
        return KEYRING_SERVICE
    digest = hashlib.sha256(str(data_dir).encode("utf-8")).hexdigest()[:10]
    return f"{KEYRING_SERVICE}:{digest}"


class KeyringSecretStore:
    """Secrets in the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    def __init__(self, service: str = KEYRING_SERVICE) -> None:
        self._service = service

    @staticmethod
    def usable() -> bool:
        """True when keyring has a real backend (not the fail or null backends, not plaintext)."""
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        name = type(backend).__module__ + "." + type(backend).__name__
        return not (isinstance(backend, fail.Keyring) or "null" in name or "Plaintext" in name)

    def get(self, key: SecretKey) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            value: str | None = keyring.get_password(self._service, key.value)
        except (KeyringError, RuntimeError) as exc:
            raise KeyringUnavailableError(type(exc).__name__) from exc
        return value

    def set(self, key: SecretKey, value: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        if not self.usable():
            raise KeyringUnavailableError("no secure keyring backend")
        try:
            keyring.set_password(self._service, key.value, value)
        except (KeyringError, RuntimeError) as exc:
            raise KeyringUnavailableError(type(exc).__name__) from exc

    def delete(self, key: SecretKey) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self._service, key.value)
        except PasswordDeleteError:
            return
        except (KeyringError, RuntimeError) as exc:
            raise KeyringUnavailableError(type(exc).__name__) from exc


class EnvOverlaySecretStore:
    """WABOT_* environment variables first, then the wrapped store (if it is usable)."""

    def __init__(self, inner: SecretStore | None, environ: Mapping[str, str] | None = None) -> None:
        self._inner = inner
        self._environ = os.environ if environ is None else environ

    def get(self, key: SecretKey) -> str | None:
        value = self._environ.get(ENV_VARS[key])
        if value:
            return value
        if self._inner is None:
            return None
        try:
            return self._inner.get(key)
        except KeyringUnavailableError:
            logger.info("keyring unavailable; only WABOT_* variables are read")
            self._inner = None
            return None

    def set(self, key: SecretKey, value: str) -> None:
        if self._inner is None:
            raise KeyringUnavailableError("no keyring")
        self._inner.set(key, value)

    def delete(self, key: SecretKey) -> None:
        if self._inner is not None:
            self._inner.delete(key)


def missing_secrets(store: SecretStore, required: tuple[SecretKey, ...]) -> list[SecretKey]:
    """The required keys that have no value in ``store``."""
    return [key for key in required if not store.get(key)]
