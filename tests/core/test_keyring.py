"""Secrets in a real Secret Service (gnome-keyring in a private D-Bus session)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wabot_desktop.core.errors import KeyringUnavailableError
from wabot_desktop.core.secrets import (
    REQUIRED_FOR_LIVE,
    EnvOverlaySecretStore,
    KeyringSecretStore,
    MemorySecretStore,
    SecretKey,
    missing_secrets,
)

HAVE_SECRET_SERVICE = bool(
    shutil.which("gnome-keyring-daemon") and shutil.which("dbus-run-session")
)

SCRIPT = textwrap.dedent(
    """
    import time
    from wabot_desktop.core.errors import KeyringUnavailableError
    from wabot_desktop.core.secrets import KeyringSecretStore, SecretKey
    assert KeyringSecretStore.usable(), "Secret Service backend not usable"
    store = KeyringSecretStore("wabot-desktop:test")
    # --daemonize can return before the daemon serves the unlocked collection (seen under load).
    for attempt in range(40):
        try:
            store.set(SecretKey.ACCESS_TOKEN, "EAAB-tóken-ñ-123")
            break
        except KeyringUnavailableError:
            if attempt == 39:
                raise
            time.sleep(0.25)
    assert store.get(SecretKey.ACCESS_TOKEN) == "EAAB-tóken-ñ-123"
    store.delete(SecretKey.ACCESS_TOKEN)
    assert store.get(SecretKey.ACCESS_TOKEN) is None
    store.delete(SecretKey.ACCESS_TOKEN)  # deleting twice is fine
    print("roundtrip-ok")
    """
)


@pytest.mark.skipif(
    not HAVE_SECRET_SERVICE,
    reason="gnome-keyring and dbus-run-session needed (.ci/run installs them)",
)
def test_secret_service_round_trip(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "WABOT_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(tmp_path),
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
    )
    script = tmp_path / "roundtrip.py"
    script.write_text(SCRIPT)
    inner = (
        "echo -n test-password | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null "
        f"&& {sys.executable} {script}"
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", inner],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "roundtrip-ok" in result.stdout
    # Nothing was written to a plaintext file in the home folder.
    leaked = [p for p in home.rglob("*") if p.is_file() and b"EAAB-t" in p.read_bytes()]
    assert leaked == []


def test_no_plaintext_fallback_when_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    assert KeyringSecretStore.usable() is False
    with pytest.raises(KeyringUnavailableError):
        KeyringSecretStore("wabot-desktop:test").set(SecretKey.APP_SECRET, "x")


def test_env_variables_override_the_store() -> None:
    inner = MemorySecretStore({SecretKey.ACCESS_TOKEN: "from-keyring", SecretKey.APP_SECRET: "s"})
    store = EnvOverlaySecretStore(inner, environ={"WABOT_ACCESS_TOKEN": "from-env"})
    assert store.get(SecretKey.ACCESS_TOKEN) == "from-env"
    assert store.get(SecretKey.APP_SECRET) == "s"
    assert missing_secrets(store, REQUIRED_FOR_LIVE) == [
        SecretKey.VERIFY_TOKEN,
        SecretKey.PHONE_NUMBER_ID,
    ]
