"""Suite-wide set-up: Qt platform, event loops, strict logging, test data paths."""

from __future__ import annotations

import os
from pathlib import Path

# Before any QApplication exists: offscreen when there is no display, xcb under Xvfb.
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never let a test reach the user's real keyring or an installed ngrok.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
# Voice-model downloads (huggingface_hub reads this at import) go to a closed loopback port:
# the real download path runs and fails offline, and no test reaches huggingface.co.
os.environ.setdefault("HF_ENDPOINT", "http://127.0.0.1:9")

import pytest  # noqa: E402

# Issue 16: the throw-away PostgreSQL cluster and the two-engine ``store_url`` fixture.
pytest_plugins = ("tests.pg",)

DATA_DIR = Path(__file__).parent / "data"
WEBHOOKS_DIR = DATA_DIR / "webhooks"


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, object]:
    """GUI tests run their asyncio code on the app's loop (qasync's, sliced; Qt events processed
    while awaiting)."""
    if "tests/gui" in str(item.path).replace(os.sep, "/"):
        from PySide6.QtWidgets import QApplication

        from wabot_desktop.gui.event_loop import new_event_loop

        return {"qasync": lambda: new_event_loop(QApplication.instance() or QApplication([]))}
    import asyncio

    return {"asyncio": asyncio.new_event_loop}


@pytest.fixture
def webhooks_dir() -> Path:
    return WEBHOOKS_DIR


@pytest.fixture(scope="session")
def rev0001_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shop's database at schema 0001 (tests/rev0001.py), built once; copy it, never open it
    for writing."""
    from tests.rev0001 import build

    return build(tmp_path_factory.mktemp("rev0001") / "wabot_rev0001.db")
