"""Shared helpers of the GUI tests: a real core with fake Graph and Ollama, webhook builders.

GUI tests are ``async`` and run on qasync's loop (tests/conftest.py). They wait with
:func:`until`, which yields to the loop, instead of ``qtbot.waitUntil``: a blocking wait inside a
running task would re-enter the loop from within that task.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtWidgets import QFileDialog, QLineEdit, QWidget

from tests.fakes.graph import DEFAULT_PHONE_NUMBER_ID, DEFAULT_WABA_ID, FakeGraph
from tests.fakes.ollama import FakeOllama
from tests.helpers import change_value, parsed, wait_for, webhook_envelope
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import Core, CoreConfig
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.whatsapp.signature import sign

APP_SECRET = "test-app-secret"
ACCESS_TOKEN = "test-access-token"

FAST_SETTINGS: dict[str, object] = {
    "debounce_quiet_s": 0.05,
    "debounce_max_s": 0.3,
    "send_gap_s": 0.0,
    "retry_initial_s": 0.05,
    "staff_name": "Ana",
    "close_to_tray_hint_shown": True,
    "language": "es_419",
}

_wamids = itertools.count(1)

until = wait_for  # the GUI tests' name for tests.helpers.wait_for (yields to the loop)


def _envelope(value: dict[str, Any]) -> dict[str, Any]:
    value = change_value(phone_number_id=DEFAULT_PHONE_NUMBER_ID, **value)
    return webhook_envelope([{"field": "messages", "value": value}], waba_id=DEFAULT_WABA_ID)


def new_wamid() -> str:
    return f"wamid.GUITEST{next(_wamids):06d}"


def inbound(
    wa_id: str,
    name: str,
    message: dict[str, Any],
    *,
    timestamp: float | None = None,
    wamid: str | None = None,
) -> dict[str, Any]:
    """A webhook with one customer message (``message`` holds type + its object)."""
    body = {
        "from": wa_id,
        "id": wamid or new_wamid(),
        "timestamp": str(int(timestamp if timestamp is not None else time.time())),
        **message,
    }
    return _envelope(
        {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [body]}
    )


def inbound_many(
    wa_id: str, name: str, bodies: list[str], *, start: float | None = None
) -> dict[str, Any]:
    """One webhook carrying several text messages from one customer, one second apart."""
    first = start if start is not None else time.time() - len(bodies)
    messages = [
        {
            "from": wa_id,
            "id": new_wamid(),
            "timestamp": str(int(first + offset)),
            "type": "text",
            "text": {"body": body},
        }
        for offset, body in enumerate(bodies)
    ]
    return _envelope(
        {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": messages}
    )


def text(body: str, *, reply_to: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "text", "text": {"body": body}}
    if reply_to:
        message["context"] = {"from": "15550101234", "id": reply_to}
    return message


def image(media_id: str, caption: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": media_id, "mime_type": "image/jpeg", "sha256": "x"}
    if caption:
        obj["caption"] = caption
    return {"type": "image", "image": obj}


def voice(media_id: str) -> dict[str, Any]:
    return {
        "type": "audio",
        "audio": {"id": media_id, "mime_type": "audio/ogg; codecs=opus", "voice": True},
    }


def document(media_id: str, filename: str, caption: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": media_id, "mime_type": "application/pdf", "filename": filename}
    if caption:
        obj["caption"] = caption
    return {"type": "document", "document": obj}


def location(lat: float, lon: float, name: str, address: str) -> dict[str, Any]:
    return {
        "type": "location",
        "location": {"latitude": lat, "longitude": lon, "name": name, "address": address},
    }


def status(wamid: str, wa_id: str, kind: str, *, error_code: int | None = None) -> dict[str, Any]:
    """A delivery status webhook for one of our messages."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": kind,
        "timestamp": str(int(time.time())),
        "recipient_id": wa_id,
    }
    if error_code is not None:
        item["errors"] = [
            {
                "code": error_code,
                "title": "Message failed",
                "message": "Message failed",
                "error_data": {"details": "details"},
            }
        ]
    return _envelope({"statuses": [item]})


@dataclass
class GuiEnv:
    """A running core wired to fake Graph and Ollama servers."""

    core: Core
    graph: FakeGraph
    ollama: FakeOllama
    http: httpx.AsyncClient
    posted: list[int] = field(default_factory=list)

    @property
    def service(self) -> Any:
        return self.core.service

    async def post(self, payload: dict[str, Any]) -> int:
        """POST a signed webhook to the core; returns the HTTP status."""
        body = json.dumps(payload).encode("utf-8")
        response = await self.http.post(
            self.core.server_url + "/webhook",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": sign(APP_SECRET, body),
            },
        )
        self.posted.append(response.status_code)
        if response.status_code == 200:
            await parsed(self.core)  # the tests go on once the message is a row
        return response.status_code

    async def customer_says(self, wa_id: str, name: str, body: str, **kwargs: Any) -> str:
        """A customer text message; returns its wamid."""
        wamid = new_wamid()
        status_code = await self.post(inbound(wa_id, name, text(body, **kwargs), wamid=wamid))
        assert status_code == 200
        return wamid


@contextlib.asynccontextmanager
async def running_core(
    data_dir: Path,
    *,
    reply: str | None = None,
    database_url: str | None = None,
    **settings: object,
) -> AsyncIterator[GuiEnv]:
    """Start fake Graph + Ollama and a real core in ``data_dir`` (on ``database_url``'s
    PostgreSQL if given, else SQLite); stop everything afterwards."""
    overrides = {**FAST_SETTINGS, **settings}
    ollama_kwargs: dict[str, Any] = {}
    if reply is not None:
        ollama_kwargs["reply"] = reply
    async with FakeGraph() as graph, FakeOllama(**ollama_kwargs) as ollama:
        secrets = MemorySecretStore(
            {
                SecretKey.ACCESS_TOKEN: ACCESS_TOKEN,
                SecretKey.APP_SECRET: APP_SECRET,
                SecretKey.VERIFY_TOKEN: "test-verify-token",
                SecretKey.PHONE_NUMBER_ID: DEFAULT_PHONE_NUMBER_ID,
                SecretKey.WABA_ID: DEFAULT_WABA_ID,
            }
        )
        config = CoreConfig(
            paths=AppPaths.resolve(data_dir),
            port=0,
            graph_url=graph.base_url,
            ollama_url=ollama.host,
            tunnel=False,
            simulator=False,
            secrets=secrets,
            settings_overrides=overrides,
            database_url=database_url,
        )
        core = Core(config)
        await core.start()
        try:
            async with httpx.AsyncClient(timeout=10.0) as http:
                yield GuiEnv(core=core, graph=graph, ollama=ollama, http=http)
        finally:
            await core.stop()


async def visible_child(parent: QWidget, kind: type[QWidget], name: str) -> QWidget:
    """The visible child widget of ``kind`` named ``name`` (waits for it to show)."""
    found: list[QWidget] = []

    def look() -> bool:
        found[:] = [w for w in parent.findChildren(kind, name) if w.isVisible()]
        return bool(found)

    await until(look, what=name)
    return found[0]


async def choose_in_file_dialog(parent: QWidget, name: str, path: Path) -> None:
    """In the open file dialog ``name``, choose ``path`` as a user does: go to its folder, type
    its name in the box, press Save/Open/Choose."""
    dialog = await visible_child(parent, QFileDialog, name)
    assert isinstance(dialog, QFileDialog)
    dialog.setDirectory(str(path.parent))
    await until(
        lambda: Path(dialog.directory().absolutePath()) == path.parent, what="the folder shown"
    )
    for _ in range(15):  # the folder's listing loads in the background
        await asyncio.sleep(0.03)
    name_box = dialog.findChild(QLineEdit, "fileNameEdit")
    assert isinstance(name_box, QLineEdit)
    name_box.setText(path.name)
    await until(lambda: dialog.selectedFiles() == [str(path)], what=f"{path.name} selected")
    dialog.accept()
