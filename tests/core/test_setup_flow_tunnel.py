"""The wizard's public-address and connect steps with the real pyngrok driving the fake agent."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.fakes.forward import ForwardTransport
from tests.fakes.graph import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_PHONE_NUMBER_ID,
    DEFAULT_WABA_ID,
    FakeGraph,
)
from tests.helpers import wait_for
from wabot_desktop.core.events import CallbackRegistered, Event
from wabot_desktop.core.secrets import MemorySecretStore, SecretKey
from wabot_desktop.core.setup_flow import Answers, CallbackKeeper, SetupFlow, Status, StepId
from wabot_desktop.core.tunnel import TunnelState

FAKE_AGENT = Path(__file__).resolve().parents[1] / "fakes" / "ngrok_agent.py"
TOKEN = "EAAGfakeSystemUserToken1234567890"
AUTHTOKEN = "2abcFakeNgrokAuthtoken_0123456789"


class Rig:
    def __init__(self, graph: FakeGraph, tmp_path: Path) -> None:
        self.graph = graph
        self.agent = tmp_path / "bin" / "ngrok"
        self.agent.parent.mkdir()
        shutil.copyfile(FAKE_AGENT, self.agent)
        self.agent.chmod(0o755)
        self.config = tmp_path / "ngrok" / "ngrok.yml"
        self.calls_log = tmp_path / "agent-calls.jsonl"
        self.forward = ForwardTransport({})
        self.http = httpx.AsyncClient(transport=self.forward, timeout=10)
        self.flow: SetupFlow | None = None

    def make_flow(self, **changes: Any) -> SetupFlow:
        answers = Answers(
            app_id=DEFAULT_APP_ID,
            app_secret=DEFAULT_APP_SECRET,
            access_token=TOKEN,
            waba_id=DEFAULT_WABA_ID,
            phone_number_id=DEFAULT_PHONE_NUMBER_ID,
            public_mode="ngrok",
            ngrok_authtoken=AUTHTOKEN,
            port=0,
        )
        for key, value in changes.items():
            setattr(answers, key, value)

        async def save(_values: dict[str, Any]) -> None:
            return None

        flow = SetupFlow(
            secrets=MemorySecretStore(),
            save_settings=save,
            graph_url=self.graph.base_url,
            ngrok_path=self.agent,
            ngrok_config=self.config,
            http=self.http,
            keyring_usable=lambda: True,
            answers=answers,
            tunnel_watchdog_interval=0.2,
            tunnel_connect_timeout=10.0,
        )

        def local() -> str:
            assert flow.server is not None
            return f"http://127.0.0.1:{flow.server.port}"

        # ngrok forwards its public addresses to the local server.
        self.forward.add("*.ngrok-free.app", local)
        self.forward.add("shop.ngrok.app", local)
        self.flow = flow
        return flow

    def calls(self, event: str) -> list[dict[str, Any]]:
        if not self.calls_log.exists():
            return []
        lines = [json.loads(line) for line in self.calls_log.read_text().splitlines() if line]
        return [c for c in lines if c.get("event") == event]


@pytest_asyncio.fixture
async def rig(
    graph: FakeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Rig]:
    for var in ("FAKE_NGROK_FAIL", "FAKE_NGROK_SILENT", "NGROK_AUTHTOKEN", "NGROK_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    r = Rig(graph, tmp_path)
    monkeypatch.setenv("FAKE_NGROK_LOG", str(r.calls_log))
    yield r
    if r.flow is not None:
        await r.flow.aclose()
    await r.http.aclose()
    from pyngrok import conf, ngrok

    ngrok.kill(conf.PyngrokConfig(ngrok_path=str(r.agent), config_path=str(r.config)))


@pytest.mark.asyncio
async def test_ngrok_with_static_domain_proves_the_path(rig: Rig) -> None:
    flow = rig.make_flow(ngrok_domain="shop.ngrok.app")
    result = await flow.run_step(StepId.PUBLIC_ADDRESS)
    assert result.status is Status.OK, [c.message.en for c in result.checks]
    assert flow.found.public_url == "https://shop.ngrok.app"
    assert flow.server is not None and flow.server.handshakes == 1
    [start] = rig.calls("start")
    assert AUTHTOKEN in start["argv"] or any(AUTHTOKEN in str(a) for a in start["argv"])
    texts = "\n".join(c.detalles() for c in result.checks)
    assert AUTHTOKEN not in texts and flow.answers.verify_token not in texts


@pytest.mark.asyncio
async def test_ngrok_without_domain_warns(rig: Rig) -> None:
    flow = rig.make_flow()
    result = await flow.run_step(StepId.PUBLIC_ADDRESS)
    tunnel = next(c for c in result.checks if c.check == "tunnel")
    assert tunnel.status is Status.WARNING and "dominio fijo" in tunnel.message.es
    assert next(c for c in result.checks if c.check == "self_check").status is Status.OK


@pytest.mark.asyncio
async def test_ngrok_auth_failure(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NGROK_FAIL", "1")
    flow = rig.make_flow()
    result = await flow.run_step(StepId.PUBLIC_ADDRESS)
    failed = result.failed
    assert failed is not None and failed.check == "tunnel"
    assert "rechazó el authtoken" in failed.message.es
    assert flow.tunnel is None


@pytest.mark.asyncio
async def test_missing_agent(rig: Rig) -> None:
    rig.agent.unlink()
    result = await rig.make_flow().run_step(StepId.PUBLIC_ADDRESS)
    assert result.failed is not None and "no está instalado" in result.failed.message.es


@pytest.mark.asyncio
async def test_url_change_re_registers_the_callback_and_reads_it_back(rig: Rig) -> None:
    flow = rig.make_flow()
    result = await flow.run_step(StepId.CONNECT_META)
    assert result.ok, [c.message.en for c in result.checks]
    first = flow.found.callback_url
    assert rig.graph.effective_callback() == first

    secrets = MemorySecretStore(
        {
            SecretKey.ACCESS_TOKEN: TOKEN,
            SecretKey.APP_SECRET: DEFAULT_APP_SECRET,
            SecretKey.VERIFY_TOKEN: flow.answers.verify_token,
            SecretKey.PHONE_NUMBER_ID: DEFAULT_PHONE_NUMBER_ID,
        }
    )
    keeper = CallbackKeeper(
        hub=flow.hub, graph=flow.graph, secrets=secrets, app_id=DEFAULT_APP_ID, mode="app"
    )
    events: list[Event] = []
    flow.hub.subscribe(events.append)
    keeper.attach()
    tunnel = flow.tunnel
    assert tunnel is not None
    [pid] = [c["pid"] for c in rig.calls("start")]
    watchdog = asyncio.create_task(tunnel.run_watchdog())
    try:
        os.kill(pid, signal.SIGKILL)  # the agent dies; a new one gets a new address
        await wait_for(
            lambda: (
                any(isinstance(e, CallbackRegistered) for e in events)
                and tunnel.state is TunnelState.UP
            )
        )
        await keeper.wait_idle()
    finally:
        watchdog.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watchdog
        await keeper.aclose()
    assert tunnel.public_url is not None
    second = tunnel.public_url + "/webhook"
    assert second != first
    [registered] = [e for e in events if isinstance(e, CallbackRegistered)]
    assert registered.ok and registered.callback_url == second
    assert registered.effective_url == second
    assert rig.graph.effective_callback() == second
    # It was read back: a GET of the app subscription and of the phone's webhook_configuration.
    reads = rig.graph.requests_to(f"{DEFAULT_APP_ID}/subscriptions", "GET")
    assert len(reads) == 2
    assert rig.graph.requests_to(DEFAULT_PHONE_NUMBER_ID, "GET")[-1].query["fields"] == (
        "webhook_configuration"
    )
