"""TunnelManager against real pyngrok driving the fake agent in tests/fakes/ngrok_agent.py.

Each test copies the fake into its own tmp_path (so the exec bit never depends on git) and uses its
own config file; pyngrok keys its global process registry by ngrok_path, so tests never share an
agent, and every agent is killed at teardown.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import socket
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import wait_for
from wabot_desktop.core.clock import TestClock
from wabot_desktop.core.events import Event, EventHub, TunnelStateChanged
from wabot_desktop.core.tunnel import (
    TunnelManager,
    TunnelState,
    normalize_domain,
    normalize_public_url,
)

FAKE_AGENT = Path(__file__).resolve().parents[1] / "fakes" / "ngrok_agent.py"
LOCAL_PORT = 8765
SECRET = "tok-s3cr3t-never-logged"


@dataclass
class Rig:
    """One test's fake agent, config and event log."""

    agent: Path
    config: Path
    calls_log: Path
    hub: EventHub = field(default_factory=EventHub)
    events: list[TunnelStateChanged] = field(default_factory=list)
    managers: list[TunnelManager] = field(default_factory=list)

    def manager(self, **overrides: Any) -> TunnelManager:
        kwargs: dict[str, Any] = {
            "local_port": LOCAL_PORT,
            "hub": self.hub,
            "ngrok_path": self.agent,
            "config_path": self.config,
            "authtoken": SECRET,
            "connect_timeout": 10.0,
            "watchdog_interval": 0.2,
        }
        kwargs.update(overrides)
        manager = TunnelManager(**kwargs)
        self.managers.append(manager)
        return manager

    def calls(self, event: str | None = None) -> list[dict[str, Any]]:
        """What the fake agent(s) recorded, oldest first."""
        if not self.calls_log.exists():
            return []
        lines = self.calls_log.read_text(encoding="utf-8").splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
        return [e for e in entries if event is None or e["event"] == event]

    def agent_pids(self) -> list[int]:
        return [int(e["pid"]) for e in self.calls("start")]

    def states(self) -> list[tuple[str, str | None]]:
        return [(e.state, e.detail) for e in self.events]


def _pid_exited(pid: int) -> bool:
    """The process is gone or a zombie (it exited; its parent has not reaped it yet)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    # Gone before the open, or reaped between the open and the read.
    except (FileNotFoundError, ProcessLookupError):
        return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    for var in ("FAKE_NGROK_FAIL", "FAKE_NGROK_SILENT", "NGROK_AUTHTOKEN", "NGROK_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    agent = tmp_path / "bin" / "ngrok"
    agent.parent.mkdir()
    shutil.copyfile(FAKE_AGENT, agent)
    agent.chmod(0o755)
    calls_log = tmp_path / "agent-calls.jsonl"
    monkeypatch.setenv("FAKE_NGROK_LOG", str(calls_log))
    rig = Rig(agent=agent, config=tmp_path / "ngrok" / "ngrok.yml", calls_log=calls_log)

    def collect(event: Event) -> None:
        if isinstance(event, TunnelStateChanged):
            rig.events.append(event)

    rig.hub.subscribe(collect)
    yield rig

    from pyngrok import conf, ngrok

    ngrok.kill(conf.PyngrokConfig(ngrok_path=str(agent), config_path=str(rig.config)))
    for pid in rig.agent_pids():
        assert not _pid_alive(pid), f"fake agent {pid} outlived its test"


# -- agent mode --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_start_brings_tunnel_up_then_stop_kills_agent(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    manager = rig.manager()
    assert manager.state is TunnelState.DISABLED
    assert manager.webhook_url is None

    url = await manager.start()

    assert url is not None
    assert url.startswith("https://fake-") and url.endswith(".ngrok-free.app")
    assert manager.state is TunnelState.UP
    assert manager.public_url == url
    assert manager.detail is None
    assert manager.webhook_url == url + "/webhook"
    [start] = rig.calls("start")
    argv = start["argv"]
    assert argv[:4] == ["start", "--none", "--log", "stdout"]
    assert argv[argv.index("--config") + 1] == str(rig.config)
    assert argv[argv.index("--authtoken") + 1] == SECRET
    posts = [c for c in rig.calls("api") if c["method"] == "POST"]
    assert [p["path"] for p in posts] == ["/api/endpoints"]
    assert posts[0]["body"]["upstream"] == {"url": f"http://localhost:{LOCAL_PORT}"}
    assert rig.config.exists()  # pyngrok wrote its minimal config, in our path
    pid = start["pid"]
    assert _pid_alive(pid)

    # Starting again while up is a no-op.
    assert await manager.start() == url
    assert len([c for c in rig.calls("api") if c["method"] == "POST"]) == 1

    await manager.stop()

    assert manager.state is TunnelState.DISABLED
    assert manager.public_url is None and manager.webhook_url is None
    assert not _pid_alive(pid)
    assert any(c["method"] == "DELETE" for c in rig.calls("api"))
    from pyngrok import process

    assert not process.is_process_running(str(rig.agent))
    assert [(e.state, e.public_url, e.detail) for e in rig.events] == [
        ("starting", None, None),
        ("up", url, None),
        ("disabled", None, "stopped"),
    ]
    assert SECRET not in caplog.text


@pytest.mark.asyncio
async def test_reserved_domain_is_requested(rig: Rig) -> None:
    manager = rig.manager(domain="https://Shop-Demo.ngrok.app/")

    url = await manager.start()

    assert url == "https://shop-demo.ngrok.app"
    [post] = [c for c in rig.calls("api") if c["method"] == "POST"]
    assert post["body"]["url"] == "https://shop-demo.ngrok.app"
    await manager.stop()


@pytest.mark.asyncio
async def test_auth_failure(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NGROK_FAIL", "1")
    manager = rig.manager()

    assert await manager.start() is None

    assert manager.state is TunnelState.AUTH_FAILED
    assert manager.detail == "ERR_NGROK_107"
    assert manager.public_url is None
    assert rig.states() == [("starting", None), ("auth_failed", "ERR_NGROK_107")]
    from pyngrok import process

    assert not process.is_process_running(str(rig.agent))


@pytest.mark.asyncio
async def test_other_agent_error(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NGROK_FAIL", "network")
    manager = rig.manager()

    assert await manager.start() is None

    assert manager.state is TunnelState.ERROR
    assert manager.detail == "start_failed"


@pytest.mark.asyncio
async def test_missing_agent_never_downloads(
    rig: Rig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str] = []

    def tripwire(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args))
        raise AssertionError("network or download attempted")

    import pyngrok.installer

    monkeypatch.setattr(pyngrok.installer, "install_ngrok", tripwire)
    monkeypatch.setattr(socket.socket, "connect", tripwire)
    manager = rig.manager(ngrok_path=tmp_path / "nowhere" / "ngrok")

    assert await manager.start() is None

    assert manager.state is TunnelState.AGENT_MISSING
    assert manager.detail == "agent_not_found"
    assert rig.states() == [("agent_missing", "agent_not_found")]
    assert attempts == []
    assert not rig.config.exists()


@pytest.mark.asyncio
async def test_default_agent_path_missing(
    rig: Rig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyngrok.installer

    monkeypatch.setattr(pyngrok.installer, "install_ngrok", pytest.fail)
    monkeypatch.setenv("PYNGROK_NGROK_PATH", str(tmp_path / "default" / "ngrok"))
    manager = rig.manager(ngrok_path=None)

    assert await manager.start() is None

    assert manager.state is TunnelState.AGENT_MISSING


@pytest.mark.asyncio
async def test_agent_not_executable(rig: Rig) -> None:
    rig.agent.chmod(0o644)
    manager = rig.manager()

    assert await manager.start() is None

    assert (manager.state, manager.detail) == (TunnelState.AGENT_MISSING, "agent_not_executable")


@pytest.mark.asyncio
async def test_silent_agent_times_out_and_is_killed(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NGROK_SILENT", "1")
    manager = rig.manager(connect_timeout=3.0)
    started = time.monotonic()

    assert await manager.start() is None

    elapsed = time.monotonic() - started
    assert 3.0 <= elapsed < 6.0
    assert (manager.state, manager.detail) == (TunnelState.ERROR, "timeout")
    [pid] = rig.agent_pids()
    assert not _pid_alive(pid)
    assert rig.states() == [("starting", None), ("error", "timeout")]


@pytest.mark.asyncio
async def test_stop_during_start_abandons_it(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NGROK_SILENT", "1")
    manager = rig.manager(connect_timeout=15.0)
    start = asyncio.create_task(manager.start())
    await wait_for(lambda: bool(rig.agent_pids()))
    started = time.monotonic()

    await manager.stop()

    assert time.monotonic() - started < 5.0
    assert await start is None
    assert manager.state is TunnelState.DISABLED
    assert rig.states() == [("starting", None), ("disabled", "stopped")]
    assert not any(_pid_alive(pid) for pid in rig.agent_pids())


@pytest.mark.asyncio
async def test_cancelled_start_kills_agent(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NGROK_SILENT", "1")
    manager = rig.manager(connect_timeout=15.0)
    start = asyncio.create_task(manager.start())
    await wait_for(lambda: bool(rig.agent_pids()))

    start.cancel()
    with pytest.raises(asyncio.CancelledError):
        await start

    await wait_for(lambda: not any(_pid_alive(pid) for pid in rig.agent_pids()))


# -- own URL mode ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_own_url_mode_needs_no_agent(rig: Rig) -> None:
    manager = rig.manager(own_url=" HTTPS://Shop.Example.com/wabot/ ", ngrok_path=None)

    url = await manager.start()

    assert url == "https://shop.example.com/wabot"
    assert manager.state is TunnelState.UP
    assert manager.webhook_url == "https://shop.example.com/wabot/webhook"
    assert rig.calls() == []
    await manager.stop()
    assert manager.state is TunnelState.DISABLED
    assert rig.states() == [("up", "own_url"), ("disabled", "stopped")]


@pytest.mark.asyncio
async def test_own_url_must_be_https(rig: Rig) -> None:
    manager = rig.manager(own_url="http://shop.example.com")

    with pytest.raises(ValueError):
        await manager.start()

    assert (manager.state, manager.detail) == (TunnelState.ERROR, "invalid_own_url")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://a.example.com", "https://a.example.com"),
        ("https://A.Example.com:443/", "https://a.example.com"),
        ("https://a.example.com:8443/x//", "https://a.example.com:8443/x"),
    ],
)
def test_normalize_public_url(raw: str, expected: str) -> None:
    assert normalize_public_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "http://a.example.com",
        "a.example.com",
        "https://",
        "https://u:p@a.com",
        "https://a.com/?q=1",
    ],
)
def test_normalize_public_url_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_public_url(raw)


def test_normalize_domain() -> None:
    assert normalize_domain(" Shop.ngrok.app ") == "shop.ngrok.app"
    assert normalize_domain("https://shop.ngrok.app/") == "shop.ngrok.app"
    with pytest.raises(ValueError):
        normalize_domain("shop.ngrok.app/path")


# -- watchdog ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_watchdog_reconnects_after_agent_killed(rig: Rig) -> None:
    clock = TestClock()
    manager = rig.manager(watchdog_interval=30.0, clock=clock)
    first_url = await manager.start()
    [first_pid] = rig.agent_pids()
    watchdog = asyncio.create_task(manager.run_watchdog())
    try:
        for _ in range(3):  # a few healthy checks
            await clock.wait_for_sleepers(1, seconds=30.0)
            await clock.advance(30.0)
        await clock.wait_for_sleepers(1, seconds=30.0)  # the last check is done
        assert manager.state is TunnelState.UP
        assert len(rig.agent_pids()) == 1

        os.kill(first_pid, signal.SIGKILL)
        # Only check once it is dead: a check while it dies sees "unreachable", not "exited".
        await wait_for(lambda: _pid_exited(first_pid))
        await clock.advance(30.0)
        await wait_for(lambda: len(rig.agent_pids()) == 2 and manager.state is TunnelState.UP)
    finally:
        watchdog.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watchdog

    second_pid = rig.agent_pids()[1]
    assert second_pid != first_pid and _pid_alive(second_pid)
    assert manager.public_url is not None and manager.public_url.startswith("https://")
    assert [(e.state, e.public_url, e.detail) for e in rig.events] == [
        ("starting", None, None),
        ("up", first_url, None),
        ("down", None, "agent_exited"),
        ("starting", None, "reconnecting"),
        ("up", manager.public_url, None),
    ]
    await manager.stop()
    assert not _pid_alive(second_pid)


@pytest.mark.asyncio
async def test_watchdog_notices_vanished_endpoint(rig: Rig) -> None:
    manager = rig.manager()
    await manager.start()
    [post] = [c for c in rig.calls("api") if c["method"] == "POST"]
    from pyngrok import process
    from pyngrok.conf import PyngrokConfig

    config = PyngrokConfig(ngrok_path=str(rig.agent), config_path=str(rig.config))
    api_url = process.get_process(config).api_url
    request = urllib.request.Request(
        f"{api_url}/api/endpoints/{post['body']['name']}", method="DELETE"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 204

    watchdog = asyncio.create_task(manager.run_watchdog())
    try:
        await wait_for(lambda: ("down", "tunnel_missing") in rig.states())
        await wait_for(lambda: manager.state is TunnelState.UP)
    finally:
        watchdog.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watchdog
    await manager.stop()


@pytest.mark.asyncio
async def test_watchdog_retries_failed_reconnects(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = rig.manager()
    await manager.start()
    [first_pid] = rig.agent_pids()
    monkeypatch.setenv("FAKE_NGROK_FAIL", "network")
    watchdog = asyncio.create_task(manager.run_watchdog())
    try:
        os.kill(first_pid, signal.SIGKILL)
        # Two failed reconnects, backing off in between (no tight loop).
        await wait_for(lambda: rig.states().count(("error", "start_failed")) >= 2)
        monkeypatch.delenv("FAKE_NGROK_FAIL")
        await wait_for(lambda: manager.state is TunnelState.UP)
    finally:
        watchdog.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watchdog
    assert rig.states()[:6] == [
        ("starting", None),
        ("up", None),
        ("down", "agent_exited"),
        ("starting", "reconnecting"),
        ("error", "start_failed"),
        ("starting", "reconnecting"),
    ]
    spawned = [entry["time"] for entry in rig.calls("start")]
    assert spawned[2] - spawned[1] >= 0.15  # backed off before retrying
    await manager.stop()


@pytest.mark.asyncio
async def test_watchdog_leaves_permanent_failures_alone(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NGROK_FAIL", "1")
    clock = TestClock()
    manager = rig.manager(watchdog_interval=30.0, clock=clock)
    await manager.start()
    watchdog = asyncio.create_task(manager.run_watchdog())
    for _ in range(3):  # three checks, each one back asleep before the next
        await clock.wait_for_sleepers(1, seconds=30.0)
        await clock.advance(30.0)
    await clock.wait_for_sleepers(1, seconds=30.0)
    watchdog.cancel()
    with pytest.raises(asyncio.CancelledError):
        await watchdog

    assert manager.state is TunnelState.AUTH_FAILED
    assert len(rig.agent_pids()) == 1  # no retry without the owner fixing the token


def test_backoff_grows_and_is_capped(rig: Rig) -> None:
    manager = rig.manager(watchdog_interval=30.0)
    delays = [manager._retry_delay(n) for n in range(1, 12)]
    assert delays[:4] == [2.0, 4.0, 8.0, 16.0]
    assert delays == sorted(delays)
    assert delays[-1] == 300.0


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = "import sys, wabot_desktop.core.tunnel; print('pyngrok' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "False"
