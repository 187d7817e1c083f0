"""Shared test helpers: webhook bodies, signing, and a running Core wired to the fakes."""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import Core, CoreConfig
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.whatsapp.signature import sign

WEBHOOKS_DIR = Path(__file__).parent / "data" / "webhooks"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
PHONE_NUMBER_ID = "110011001100110"
WABA_ID = "102030405060708"
CUSTOMER = "15555550101"

_counter = itertools.count(1)

# Fast etiquette for tests: no debounce unless a test asks for it, no pacing.
FAST_SETTINGS: dict[str, object] = {
    "debounce_quiet_s": 0.0,
    "debounce_max_s": 0.0,
    "send_gap_s": 0.0,
    "retry_initial_s": 0.01,
    "retry_max_s": 0.05,
    "llm_timeout_s": 5.0,
    "outside_hours_mode": "answer",
    # The recorded payloads carry 2025 timestamps: without this they are all stale backlog.
    "stale_backlog_hours": 1_000_000.0,
}


def test_secrets() -> MemorySecretStore:
    return MemorySecretStore(
        {
            SecretKey.ACCESS_TOKEN: ACCESS_TOKEN,
            SecretKey.APP_SECRET: APP_SECRET,
            SecretKey.VERIFY_TOKEN: VERIFY_TOKEN,
            SecretKey.PHONE_NUMBER_ID: PHONE_NUMBER_ID,
            SecretKey.WABA_ID: WABA_ID,
        }
    )


def payload_bytes(name: str) -> bytes:
    return (WEBHOOKS_DIR / name).read_bytes()


def signature_headers(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)}


def new_wamid() -> str:
    return f"wamid.TEST{next(_counter):06d}{int(time.time() * 1000) % 100000}"


def message_body(
    messages: list[dict[str, Any]],
    *,
    wa_id: str = CUSTOMER,
    name: str = "Maria Gomez",
    phone_number_id: str = PHONE_NUMBER_ID,
) -> bytes:
    """A compact, Meta-shaped webhook body carrying ``messages`` from one customer."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550101234", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": messages,
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def text_message(
    text: str, *, wa_id: str = CUSTOMER, wamid: str | None = None, timestamp: float | None = None
) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": wamid or new_wamid(),
        "timestamp": str(int(timestamp if timestamp is not None else time.time())),
        "type": "text",
        "text": {"body": text},
    }


def text_body(text: str, **kwargs: Any) -> bytes:
    name = kwargs.pop("name", "Maria Gomez")
    wa_id = kwargs.get("wa_id", CUSTOMER)
    return message_body([text_message(text, **kwargs)], wa_id=wa_id, name=name)


def status_body(wamid: str, status: str, *, error_code: int | None = None) -> bytes:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": CUSTOMER,
    }
    if error_code is not None:
        item["errors"] = [{"code": error_code, "title": "error", "error_data": {"details": "d"}}]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550101234", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [item],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


async def post(
    client: httpx.AsyncClient, url: str, body: bytes, *, signed: bool = True
) -> httpx.Response:
    headers = signature_headers(body) if signed else {"Content-Type": "application/json"}
    return await client.post(url + "/webhook", content=body, headers=headers)


@contextlib.asynccontextmanager
async def running_core(
    tmp_path: Path,
    *,
    graph_url: str,
    ollama_url: str,
    simulator: bool = False,
    database_url: str | None = None,
    **settings: object,
) -> AsyncIterator[Core]:
    """A started Core on 127.0.0.1:<free port> with test credentials and fast settings."""
    overrides = dict(FAST_SETTINGS)
    overrides.update(settings)
    core = Core(
        CoreConfig(
            paths=AppPaths.resolve(tmp_path / "data"),
            host="127.0.0.1",
            port=0,
            graph_url=graph_url,
            ollama_url=ollama_url,
            tunnel=False,
            simulator=simulator,
            secrets=test_secrets(),
            settings_overrides=overrides,
            database_url=database_url,
        )
    )
    await core.start()
    try:
        yield core
    finally:
        await core.stop()
