"""Shared test helpers: webhook bodies, signing, waiting on conditions, a Core wired to fakes."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from wabot_desktop.core.clock import REAL_CLOCK, Clock
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import Core, CoreConfig
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.store.ingest import IngestItem
from wabot_desktop.core.store.models import Message
from wabot_desktop.core.store.outbox import outbox_counts
from wabot_desktop.core.whatsapp.parser import decode_body, parse_webhook
from wabot_desktop.core.whatsapp.signature import sign

WEBHOOKS_DIR = Path(__file__).parent / "data" / "webhooks"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
PHONE_NUMBER_ID = "110011001100110"
WABA_ID = "102030405060708"
CUSTOMER = "15555550101"
DISPLAY_PHONE_NUMBER = "15550101234"

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


def ingest_item(name: str) -> IngestItem:
    """The corpus body ``name`` verified and parsed, as the webhook server hands it to ingest."""
    body = payload_bytes(name)
    return IngestItem(
        body, parse_webhook(decode_body(body), phone_number_id=PHONE_NUMBER_ID), time.time()
    )


def message_payloads() -> list[str]:
    """Corpus bodies with customer messages that the compiled path stores (no statuses, no
    echoes, no other changes), by name."""
    return sorted(
        path.name
        for path in WEBHOOKS_DIR.glob("*.json")
        if not path.name.startswith("bad_")
        and (item := ingest_item(path.name)).parsed.messages
        and not item.parsed.statuses
        and not item.parsed.other_changes
    )


def signature_headers(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)}


def new_wamid() -> str:
    return f"wamid.TEST{next(_counter):06d}{int(time.time() * 1000) % 100000}"


# -- webhook bodies (Meta's envelope, cloud-api.md sections 2-3) -------------------------------


def change_value(
    *,
    phone_number_id: str | None = PHONE_NUMBER_ID,
    display_phone_number: str = DISPLAY_PHONE_NUMBER,
    **parts: Any,
) -> dict[str, Any]:
    """A change's ``value``: the business's metadata plus ``parts`` (messages, statuses, ...).

    ``phone_number_id=None`` leaves it out of the metadata.
    """
    metadata: dict[str, Any] = {"display_phone_number": display_phone_number}
    if phone_number_id is not None:
        metadata["phone_number_id"] = phone_number_id
    return {"messaging_product": "whatsapp", "metadata": metadata, **parts}


def webhook_envelope(
    *entries: list[dict[str, Any]], waba_id: str = WABA_ID, **entry_extra: Any
) -> dict[str, Any]:
    """``{"object": "whatsapp_business_account", "entry": [...]}``: one entry per change list.

    Each change is ``{"field": ..., "value": ...}``; ``entry_extra`` goes into every entry.
    """
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": changes, **entry_extra} for changes in entries],
    }


def webhook_body(
    value: dict[str, Any], *, field: str = "messages", waba_id: str = WABA_ID, **entry_extra: Any
) -> bytes:
    """A compact webhook body with one entry and one change (``field``, ``value``)."""
    body = webhook_envelope([{"value": value, "field": field}], waba_id=waba_id, **entry_extra)
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def message_body(
    messages: list[dict[str, Any]],
    *,
    wa_id: str = CUSTOMER,
    name: str = "Maria Gomez",
    phone_number_id: str = PHONE_NUMBER_ID,
) -> bytes:
    """A compact, Meta-shaped webhook body carrying ``messages`` from one customer."""
    value = change_value(
        phone_number_id=phone_number_id,
        contacts=[{"profile": {"name": name}, "wa_id": wa_id}],
        messages=messages,
    )
    return webhook_body(value)


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
    return webhook_body(change_value(statuses=[item]))


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
    clock: Clock = REAL_CLOCK,
    database_url: str | None = None,
    **settings: object,
) -> AsyncIterator[Core]:
    """A started Core on 127.0.0.1:<free port> with test credentials and fast settings
    (``clock``: a core.clock.TestClock to advance instead of sleeping)."""
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
            clock=clock,
            database_url=database_url,
        )
    )
    await core.start()
    try:
        yield core
    finally:
        await core.stop()


# -- waiting on conditions (never sleep, then assert) ----------------------------------------

Predicate = Callable[[], object] | Callable[[], Awaitable[object]]


def _describe(what: str | Callable[[], str], predicate: object) -> str:
    described = what() if callable(what) else what
    return described or getattr(predicate, "__name__", repr(predicate))


async def wait_for(
    predicate: Predicate, timeout: float = 10.0, what: str | Callable[[], str] = ""
) -> None:
    """Yield to the loop until ``predicate()`` is true; fail after ``timeout`` seconds.

    ``predicate`` may be a coroutine function. ``what`` describes the wait in the failure
    message (a callable is evaluated only on failure, so it can show the state reached).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {_describe(what, predicate)}")
        await asyncio.sleep(0.02)


def wait_for_blocking(
    predicate: Callable[[], object], timeout: float = 20.0, what: str | Callable[[], str] = ""
) -> None:
    """:func:`wait_for` for code outside an event loop (a test driving a ``serve`` process)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {_describe(what, predicate)}")
        time.sleep(0.05)


def core_is_idle(core: Core) -> bool:
    """Every acknowledged webhook is parsed, no bot worker runs, every stored customer message
    is decided, nothing is queued to send.

    An acknowledged webhook may still wait for its parse (bodies sent back to back, see
    :func:`parsed`); once parsed, its messages are handed to the engine. So after a webhook was
    answered this holds only once the bot decided and whatever it decided has left.
    """
    assert core.engine is not None and core.db is not None and core.writer is not None
    if core.writer.backlog():
        return False
    if core.engine.busy or (core.outbox is not None and core.outbox.busy):
        return False

    def undecided_and_queued(session: Any) -> tuple[int, int]:
        undecided = session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == "in", Message.handled.is_(False))
        )
        return int(undecided or 0), outbox_counts(session)[0]

    return core.db.session_run_sync(undecided_and_queued) == (0, 0)


async def parsed(core: Core, timeout: float = 10.0) -> None:
    """Wait until every acknowledged webhook is parsed into rows.

    Webhooks sent back to back (a body less than 2 ms after the previous answer) are
    acknowledged as bodies and parsed just after (core/store/writer.py): a test that reads the
    rows right after such a post waits for this first.
    """
    assert core.writer is not None
    writer = core.writer
    await wait_for(lambda: writer.backlog() == 0, timeout, what="the webhooks parsed")


async def idle(core: Core, timeout: float = 10.0) -> None:
    """Wait until :func:`core_is_idle` (then "nothing happened" is safe to assert)."""
    await wait_for(lambda: core_is_idle(core), timeout, what="the core to be idle")
