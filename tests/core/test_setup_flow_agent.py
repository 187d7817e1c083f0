"""The ngrok agent's first-use download, the 60-day token refresh, the profile flow (no Qt)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.graph import DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_PHONE_NUMBER_ID, FakeGraph
from tests.fakes.ngrok_download import FakeNgrokDownload
from wabot_desktop.core import setup_flow as sf
from wabot_desktop.core.events import Event, EventHub, TokenExpiring, TokenRefreshed
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.settings import load_settings
from wabot_desktop.core.setup_flow import (
    REDACTED,
    Answers,
    GraphSetupClient,
    PullProgress,
    Redactor,
    SetupFlow,
    Status,
    StepId,
)
from wabot_desktop.core.store.db import Database

TOKEN = "EAAGfakeSixtyDayToken0123456789"
NEW_TOKEN = "EAAGfreshSixtyDayToken9876543210"


def _flow(tmp_path: Path, http: httpx.AsyncClient, **kwargs: Any) -> SetupFlow:
    async def save(_values: dict[str, Any]) -> None:
        return None

    return SetupFlow(
        secrets=MemorySecretStore(),
        save_settings=save,
        ngrok_path=tmp_path / "bin" / "ngrok",
        ngrok_config=tmp_path / "ngrok" / "ngrok.yml",
        http=http,
        keyring_usable=lambda: True,
        **kwargs,
    )


@pytest.mark.asyncio
async def test_agent_is_downloaded_with_progress_and_runs(tmp_path: Path) -> None:
    async with FakeNgrokDownload() as cdn, httpx.AsyncClient() as http:
        flow = _flow(tmp_path, http, ngrok_download_url=cdn.url)
        assert not sf.agent_installed(flow)
        missing = await sf.check_agent(flow)
        assert missing.status is Status.ERROR and missing.check == "ngrok_agent"
        seen: list[PullProgress] = []
        result = await sf.install_agent(flow, seen.append)
        assert result.status is Status.OK, result.message.en
        assert "3.99.0-fake" in result.message.es
        assert sf.agent_installed(flow)
        downloading = [p for p in seen if p.status == "downloading"]
        assert len(downloading) > 2
        assert downloading[-1].completed == downloading[-1].total == len(cdn.body)
        assert all(p.bytes_per_s > 0 for p in downloading)
        assert [p.completed for p in downloading] == sorted(p.completed for p in downloading)
        assert seen[-1].status == "installing"
        assert "de" in sf.progress_text(downloading[0]) and "quedan" in sf.progress_text(
            downloading[0]
        )
        # No archive left behind next to the agent.
        assert sorted(p.name for p in (tmp_path / "bin").iterdir()) == ["LICENSE.filler", "ngrok"]
        await flow.aclose()


@pytest.mark.asyncio
async def test_agent_download_cancel_leaves_nothing(tmp_path: Path) -> None:
    slow = FakeNgrokDownload(chunk_size=8 * 1024, chunk_delay=0.05)
    async with slow as cdn, httpx.AsyncClient() as http:
        flow = _flow(tmp_path, http, ngrok_download_url=cdn.url)
        cancel = asyncio.Event()

        def progress(p: PullProgress) -> None:
            if p.completed > 0:
                cancel.set()

        result = await sf.install_agent(flow, progress, cancel)
        assert result.status is Status.SKIPPED
        assert not sf.agent_installed(flow)
        assert list((tmp_path / "bin").iterdir()) == []
        await flow.aclose()


@pytest.mark.asyncio
async def test_agent_download_failures(tmp_path: Path) -> None:
    async with FakeNgrokDownload() as cdn, httpx.AsyncClient() as http:
        flow = _flow(tmp_path, http, ngrok_download_url=cdn.url)
        cdn.status = 404
        failed = await sf.install_agent(flow)
        assert failed.status is Status.ERROR and "HTTP 404" in failed.message.es
        cdn.status, cdn.broken = 200, True
        broken = await sf.install_agent(flow)
        assert broken.status is Status.ERROR and broken.check == "ngrok_download"
        assert not sf.agent_installed(flow)
        assert list((tmp_path / "bin").iterdir()) == []
        # Nothing listens there: the download breaks off.
        flow.ngrok_download_url = "http://127.0.0.1:9/ngrok.tgz"
        offline = await sf.install_agent(flow)
        assert offline.status is Status.ERROR and "cortó" in offline.message.es
        await flow.aclose()


@pytest.mark.asyncio
async def test_owner_points_to_an_installed_agent(tmp_path: Path) -> None:
    async with FakeNgrokDownload() as cdn, httpx.AsyncClient() as http:
        first = _flow(tmp_path / "a", http, ngrok_download_url=cdn.url)
        assert (await sf.install_agent(first)).ok
        flow = _flow(tmp_path / "b", http)
        flow.answers.ngrok_path = str(first.agent_path())
        assert flow.agent_path() == first.agent_path()
        assert (await sf.check_agent(flow)).status is Status.OK
        assert flow.settings_to_save()["ngrok_agent_path"] == str(first.agent_path())
        not_ngrok = tmp_path / "not-ngrok"
        not_ngrok.write_text("#!/bin/sh\nexit 3\n")
        not_ngrok.chmod(0o755)
        flow.answers.ngrok_path = str(not_ngrok)
        assert (await sf.check_agent(flow)).status is Status.ERROR
        await first.aclose()
        await flow.aclose()


def test_default_download_address_is_pyngrok_s() -> None:
    from pyngrok import installer

    assert sf.agent_download_url() == installer.get_ngrok_cdn_url("3")
    assert sf.agent_download_url().startswith("https://")


# -- the 60-day token -------------------------------------------------------------------------


def _graph_client(graph: FakeGraph, http: httpx.AsyncClient) -> GraphSetupClient:
    secrets = [TOKEN, NEW_TOKEN, DEFAULT_APP_SECRET]
    return GraphSetupClient(http, graph.base_url, "v25.0", Redactor(lambda: secrets))


async def _watch_once(hub: EventHub, graph_client: GraphSetupClient, store: Any, **kw: Any) -> None:
    task = asyncio.create_task(
        sf.watch_token_expiry(hub, graph_client, store, DEFAULT_APP_ID, interval=3600, **kw)
    )
    seen: list[Event] = []
    hub.subscribe(seen.append)
    async with asyncio.timeout(10):
        while not any(isinstance(e, TokenExpiring | TokenRefreshed) for e in seen):
            await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.asyncio
async def test_expiring_token_is_refreshed_where_meta_allows(graph: FakeGraph) -> None:
    graph.token_expires_at = int(time.time()) + 3 * 86400
    graph.refreshed_token = NEW_TOKEN
    graph.refreshed_expires_at = int(time.time()) + 60 * 86400
    store = MemorySecretStore()
    store.set(SecretKey.ACCESS_TOKEN, TOKEN)
    store.set(SecretKey.APP_SECRET, DEFAULT_APP_SECRET)
    hub = EventHub()
    events: list[Event] = []
    hub.subscribe(events.append)
    stored: list[str] = []

    async def keep(token: str) -> None:
        stored.append(token)
        store.set(SecretKey.ACCESS_TOKEN, token)

    async with httpx.AsyncClient() as http:
        await _watch_once(hub, _graph_client(graph, http), store, store_token=keep)
    assert stored == [NEW_TOKEN]
    assert [type(e) for e in events] == [TokenRefreshed]
    exchange = graph.requests_to("/oauth/access_token")[0].query
    assert exchange["grant_type"] == "fb_exchange_token"
    assert exchange["set_token_expires_in_60_days"] == "true"
    assert exchange["fb_exchange_token"] == TOKEN


@pytest.mark.asyncio
async def test_token_that_cannot_be_refreshed_warns_a_week_before(graph: FakeGraph) -> None:
    expires = int(time.time()) + 5 * 86400
    graph.token_expires_at = expires
    store = MemorySecretStore()
    store.set(SecretKey.ACCESS_TOKEN, TOKEN)
    store.set(SecretKey.APP_SECRET, DEFAULT_APP_SECRET)
    hub = EventHub()
    events: list[Event] = []
    hub.subscribe(events.append)

    async def keep(token: str) -> None:  # pragma: no cover - Meta refuses the exchange
        raise AssertionError(token)

    async with httpx.AsyncClient() as http:
        await _watch_once(hub, _graph_client(graph, http), store, store_token=keep)
    assert events == [TokenExpiring(expires_at=expires)]


@pytest.mark.asyncio
async def test_refresh_call_keeps_secrets_out_of_details(graph: FakeGraph) -> None:
    graph.refreshed_token = NEW_TOKEN
    async with httpx.AsyncClient() as http:
        client = _graph_client(graph, http)
        answer = await client.call(
            "GET",
            "oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": DEFAULT_APP_ID,
                "client_secret": DEFAULT_APP_SECRET,
                "fb_exchange_token": TOKEN,
            },
        )
    text = answer.exchange.as_text()
    assert TOKEN not in text and DEFAULT_APP_SECRET not in text and NEW_TOKEN not in text
    assert REDACTED in text


# -- the profile flow the window's wizard opens --------------------------------------------------


@pytest.mark.asyncio
async def test_profile_flow_is_prefilled_and_saves_to_the_profile(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "data")
    store = MemorySecretStore()
    store.set(SecretKey.ACCESS_TOKEN, TOKEN)
    store.set(SecretKey.APP_SECRET, DEFAULT_APP_SECRET)
    store.set(SecretKey.PHONE_NUMBER_ID, DEFAULT_PHONE_NUMBER_ID)
    flow = await sf.open_profile_flow(
        paths, data_dir_overridden=True, secrets=store, keyring_usable=lambda: True, port=0
    )
    try:
        assert flow.answers.access_token == TOKEN
        assert flow.answers.phone_number_id == DEFAULT_PHONE_NUMBER_ID
        assert flow.answers.port == 0
        assert flow.answers.business_hours["mon"] == [["09:00", "19:00"]]
        flow.answers.business_name = "Kiosco Lupita"
        flow.answers.ngrok_domain = "lupita.ngrok-free.app"
        flow.answers.ngrok_path = "/opt/ngrok/ngrok"
        stored = await flow.commit()
        assert stored.status is Status.OK
    finally:
        await flow.aclose()
    db = Database(paths.db_path)
    try:
        settings = db.session_run_sync(load_settings)
    finally:
        db.close()
    assert settings.business_name == "Kiosco Lupita"
    assert settings.ngrok_agent_path == "/opt/ngrok/ngrok"
    again = await sf.open_profile_flow(
        paths, data_dir_overridden=True, secrets=store, keyring_usable=lambda: True
    )
    try:
        assert again.answers.ngrok_domain == "lupita.ngrok-free.app"
        assert again.answers.ngrok_path == "/opt/ngrok/ngrok"
        assert again.answers.verify_token == store.get(SecretKey.VERIFY_TOKEN)
    finally:
        await again.aclose()


@pytest.mark.asyncio
async def test_wait_for_the_first_message_can_be_stopped(tmp_path: Path) -> None:
    async with httpx.AsyncClient() as http:
        flow = _flow(tmp_path, http, answers=Answers(port=0, app_secret="s"))
        await flow.ensure_public_path()
        stop = asyncio.Event()
        waiting = asyncio.create_task(sf.wait_first_message(flow, 600, stop))
        await asyncio.sleep(0)
        stop.set()
        async with asyncio.timeout(5):
            result = await waiting
        failed = result.failed
        assert failed is not None and failed.check == "first_message"
        assert "52 / 521" in (failed.fix.es if failed.fix else "")
        assert sf.can_advance(result)  # a soft failure: the owner may go on
        assert flow.results[StepId.CONNECT_META] is result
        await flow.aclose()


def test_model_options_mark_what_fits() -> None:
    options = sf.model_options(8 * 2**30, ["llama3.2:1b"])
    by_name = {o.name: o for o in options}
    assert by_name["qwen2.5:3b"].recommended and by_name["qwen2.5:3b"].fits
    assert not by_name["qwen2.5:7b"].fits
    assert by_name["llama3.2:1b"].installed
