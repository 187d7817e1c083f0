"""The public HTTPS address Meta calls: an ngrok tunnel driven by pyngrok, or the owner's own URL.

``TunnelManager`` owns one ngrok agent (pyngrok keeps one process per ``ngrok_path``) and one HTTP
endpoint pointing at the local webhook server. Every state change is published as a
``TunnelStateChanged`` event whose ``detail`` is a machine-readable reason (see the ``DETAIL_*``
constants, or an ``ERR_NGROK_<n>`` code reported by the agent).

Things pyngrok does that this module works around on purpose:

* It downloads the agent when ``ngrok_path`` does not exist. We check first and report
  ``AGENT_MISSING``; nothing here ever triggers a download or any other network access.
* Its ``startup_timeout`` is not enforced while the agent prints nothing (it blocks in
  ``readline()`` while holding its process-registry lock). ``connect()`` therefore runs in an
  executor under our own timeout, and on timeout we kill the stuck agent directly.
* Its process objects keep their stdout pipe open after the agent dies; we close it once nobody
  reads it any more, so a long-running app does not leak one pipe per reconnect.

pyngrok is imported lazily inside functions: importing this module is cheap and never builds
pyngrok's import-time default config (which reads ``PYNGROK_NGROK_PATH``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit, urlunsplit

from wabot_desktop.core.aio import SHARED_POOL, BlockingPool
from wabot_desktop.core.clock import REAL_CLOCK, Clock
from wabot_desktop.core.dto import TunnelState as TunnelState  # defined with the shared vocabulary
from wabot_desktop.core.events import EventHub, TunnelStateChanged

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyngrok.conf import PyngrokConfig
    from pyngrok.log import NgrokLog
    from pyngrok.process import NgrokProcess

logger = logging.getLogger(__name__)

WEBHOOK_PATH: Final = "/webhook"

# Machine-readable ``detail`` values (the GUI maps them to translated text).
DETAIL_OWN_URL: Final = "own_url"
DETAIL_STOPPED: Final = "stopped"
DETAIL_RECONNECTING: Final = "reconnecting"
DETAIL_NOT_FOUND: Final = "agent_not_found"
DETAIL_NOT_EXECUTABLE: Final = "agent_not_executable"
DETAIL_AUTH_FAILED: Final = "auth_failed"
DETAIL_TIMEOUT: Final = "timeout"
DETAIL_START_FAILED: Final = "start_failed"
DETAIL_INVALID_OWN_URL: Final = "invalid_own_url"
DETAIL_INVALID_DOMAIN: Final = "invalid_domain"
DETAIL_AGENT_EXITED: Final = "agent_exited"
DETAIL_AGENT_UNREACHABLE: Final = "agent_unreachable"
# How long a probe that found the API silent waits to tell an exited agent from a stuck one.
_EXIT_CHECK_S: Final = 1.0
DETAIL_TUNNEL_MISSING: Final = "tunnel_missing"

# ngrok error codes that mean "the authtoken is missing, malformed or rejected".
_AUTH_ERROR_CODES: Final = frozenset(
    {"ERR_NGROK_105", "ERR_NGROK_106", "ERR_NGROK_107", "ERR_NGROK_4018"}
)
_AUTH_MARKERS: Final = ("authentication failed", "authtoken", "auth token", "unauthorized")
_NGROK_CODE_RE: Final = re.compile(r"ERR_NGROK_\d+")

# Watchdog reconnect backoff (delays computed by tenacity's wait_exponential).
_BACKOFF_FIRST: Final = 2.0
_BACKOFF_MAX: Final = 300.0
# How long to wait for pyngrok's own clean-up once a stuck agent has been killed.
_ABORT_GRACE: Final = 5.0
_THREAD_JOIN_TIMEOUT: Final = 2.0
_REQUEST_TIMEOUT_MAX: Final = 4.0


# States the watchdog retries on its own; the others need the owner (install ngrok, fix the token).
_RETRYABLE: Final = frozenset({TunnelState.DOWN, TunnelState.ERROR})


def normalize_public_url(url: str) -> str:
    """``url`` as a canonical ``https://host[:port][/path]`` without a trailing slash.

    Raises ``ValueError`` unless it is an absolute https URL without credentials, query or fragment.
    """
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() != "https":
        raise ValueError("public URL must start with https://")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise ValueError("public URL needs a host name and no credentials")
    if parts.query or parts.fragment or " " in text:
        raise ValueError("public URL must not contain a query, fragment or spaces")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("public URL has an invalid port") from exc
    netloc = parts.hostname.lower() + (f":{port}" if port not in (None, 443) else "")
    return urlunsplit(("https", netloc, parts.path.rstrip("/"), "", ""))


def normalize_domain(domain: str) -> str:
    """A reserved ngrok domain as a bare lower-case host name (an https:// prefix is accepted)."""
    text = domain.strip()
    if "://" in text:
        text = urlsplit(normalize_public_url(text)).netloc
    text = text.rstrip("/").lower()
    if not text or any(ch in text for ch in "/?#@ :"):
        raise ValueError("domain must be a bare host name such as shop.ngrok.app")
    return text


def _force_https(url: str) -> str:
    """ngrok's public URL, always as https (Meta only calls https webhooks)."""
    parts = urlsplit(url)
    return urlunsplit(("https", parts.netloc, parts.path.rstrip("/"), "", ""))


def _registered_process(ngrok_path: str) -> NgrokProcess | None:
    """The process pyngrok registered for ``ngrok_path``, read without taking its lock.

    pyngrok's public accessors take a lock that a stuck ``connect()`` holds forever (or start a
    new agent), so this peeks at its registry instead; it degrades to ``None`` if that changes.
    """
    from pyngrok import process

    registry: dict[str, NgrokProcess] = getattr(process, "_current_processes", {})
    return registry.get(ngrok_path)


def _kill_popen(agent: NgrokProcess) -> None:
    """SIGKILL the agent's process without waiting and without pyngrok's lock."""
    with contextlib.suppress(OSError):
        agent.proc.kill()


def _release_pipes(agent: NgrokProcess) -> None:
    """Close the dead agent's stdout pipe once pyngrok's monitor thread stopped reading it."""
    if agent.proc.poll() is None:
        return
    monitor: threading.Thread | None = getattr(agent, "_monitor_thread", None)
    if monitor is not None and monitor is not threading.current_thread():
        monitor.join(_THREAD_JOIN_TIMEOUT)
        if monitor.is_alive():
            return
    stdout = agent.proc.stdout
    if stdout is not None:
        with contextlib.suppress(OSError, ValueError):
            stdout.close()


@dataclass(eq=False)
class _Attempt:
    """One connect attempt: the agent it spawned (captured from pyngrok's log callback)."""

    ngrok_path: str
    agent: NgrokProcess | None = None

    def on_log(self, _log: NgrokLog) -> None:
        # Runs on pyngrok's threads while the new process is registered: remember it so that
        # its pipe can be closed even when pyngrok drops it after a failed start.
        if self.agent is None:
            self.agent = _registered_process(self.ngrok_path)

    def spawned(self) -> NgrokProcess | None:
        if self.agent is None:
            self.agent = _registered_process(self.ngrok_path)
        return self.agent


class TunnelManager:
    """Keeps a public HTTPS URL pointing at the local webhook server."""

    def __init__(
        self,
        *,
        local_port: int,
        hub: EventHub,
        ngrok_path: Path | None,
        config_path: Path,
        authtoken: str | None,
        domain: str | None = None,
        own_url: str | None = None,
        connect_timeout: float = 20.0,
        watchdog_interval: float = 30.0,
        clock: Clock = REAL_CLOCK,
        blocking: BlockingPool | None = None,
    ) -> None:
        if connect_timeout <= 0 or watchdog_interval <= 0:
            raise ValueError("connect_timeout and watchdog_interval must be positive")
        self._local_port = local_port
        self._hub = hub
        self._ngrok_path = ngrok_path
        self._config_path = config_path
        self._authtoken = authtoken or None
        self._domain = domain or None
        self._own_url = own_url or None
        self._connect_timeout = connect_timeout
        self._watchdog_interval = watchdog_interval
        self._clock = clock  # the watchdog's checks and back-off
        self._blocking = blocking or SHARED_POOL  # pyngrok's blocking calls

        self._state = TunnelState.DISABLED
        self._public_url: str | None = None
        self._detail: str | None = None

        self._lock = asyncio.Lock()
        self._wanted = False  # start() called and stop() not since
        self._generation = 0  # bumped by stop(): an in-flight start must not come UP afterwards
        self._inflight: _Attempt | None = None
        self._config: PyngrokConfig | None = None
        self._agent: NgrokProcess | None = None
        self._raw_public_url: str | None = None  # as ngrok reported it (pyngrok's tunnel key)

    # -- public state ---------------------------------------------------------------------------

    @property
    def state(self) -> TunnelState:
        return self._state

    @property
    def public_url(self) -> str | None:
        return self._public_url

    @property
    def detail(self) -> str | None:
        return self._detail

    @property
    def webhook_url(self) -> str | None:
        """The URL to register with Meta, or ``None`` while there is no public URL."""
        return None if self._public_url is None else self._public_url + WEBHOOK_PATH

    # -- start / stop ---------------------------------------------------------------------------

    async def start(self) -> str | None:
        """Bring the public URL up; returns it, or ``None`` (see ``state`` and ``detail``).

        Raises ``ValueError`` when ``own_url`` is not an https URL or ``domain`` is malformed.
        """
        self._wanted = True
        if self._own_url is not None:
            try:
                url = normalize_public_url(self._own_url)
            except ValueError:
                self._set_state(TunnelState.ERROR, None, DETAIL_INVALID_OWN_URL)
                raise
            self._set_state(TunnelState.UP, url, DETAIL_OWN_URL)
            logger.info("tunnel: using the owner's public URL %s", url)
            return url
        async with self._lock:
            if self._state is TunnelState.UP and self._agent_alive():
                return self._public_url
            return await self._start_agent(reconnect=False)

    async def stop(self) -> None:
        """Remove the endpoint and kill this config's agent; the state becomes ``DISABLED``."""
        self._wanted = False
        self._generation += 1
        inflight = self._inflight
        if inflight is not None:
            # Do not wait up to connect_timeout for a start that is about to be thrown away.
            agent = inflight.spawned()
            if agent is not None:
                _kill_popen(agent)
        async with self._lock:
            config, agent, raw_url = self._config, self._agent, self._raw_public_url
            self._forget_agent()
            if config is not None:
                await self._blocking.start(
                    functools.partial(self._shutdown_blocking, config, agent, raw_url)
                )
            self._set_state(TunnelState.DISABLED, None, DETAIL_STOPPED)

    # -- watchdog -------------------------------------------------------------------------------

    async def run_watchdog(self) -> None:
        """Check the tunnel every ``watchdog_interval`` and reconnect (with backoff) when lost.

        Runs until cancelled; ``CancelledError`` propagates. Only agent mode is watched.
        """
        failures = 0
        while True:
            await self._clock.sleep(
                self._retry_delay(failures) if failures else self._watchdog_interval
            )
            try:
                healthy = await self._watchdog_tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("tunnel watchdog check failed")
                healthy = False
            failures = 0 if healthy else failures + 1

    def _retry_delay(self, failures: int) -> float:
        """Delay before reconnect attempt ``failures + 1``: exponential, computed by tenacity."""
        from tenacity import RetryCallState, Retrying, wait_exponential

        first = min(_BACKOFF_FIRST, self._watchdog_interval)
        wait = wait_exponential(
            multiplier=first, min=first, max=max(_BACKOFF_MAX, self._watchdog_interval)
        )
        retry_state = RetryCallState(Retrying(), None, (), {})
        retry_state.attempt_number = failures
        return float(wait(retry_state))

    async def _watchdog_tick(self) -> bool:
        """One check; ``False`` when a reconnect was attempted and failed (back off)."""
        if not self._wanted or self._own_url is not None:
            return True
        async with self._lock:
            if not self._is_wanted():  # stop() may have run while we waited for the lock
                return True
            if self._state is TunnelState.UP:
                config, agent, raw_url = self._config, self._agent, self._raw_public_url
                if config is None or raw_url is None:
                    return True
                problem = await self._blocking.start(
                    functools.partial(self._probe_blocking, config, agent, raw_url)
                )
                if problem is None:
                    return True
                logger.warning("tunnel: lost (%s), reconnecting", problem)
                self._forget_agent()
                self._set_state(TunnelState.DOWN, None, problem)
                await self._blocking.start(functools.partial(self._kill_blocking, config, agent))
            if (
                self._state not in _RETRYABLE
                or self._detail == DETAIL_INVALID_DOMAIN  # a settings problem: the owner must act
                or not self._is_wanted()
            ):
                return True
            return await self._start_agent(reconnect=True) is not None

    # -- internals (event loop thread) ----------------------------------------------------------

    def _set_state(self, state: TunnelState, public_url: str | None, detail: str | None) -> None:
        if (state, public_url, detail) == (self._state, self._public_url, self._detail):
            return
        self._state, self._public_url, self._detail = state, public_url, detail
        self._hub.publish(TunnelStateChanged(state=state, public_url=public_url, detail=detail))

    def _is_wanted(self) -> bool:
        # A method, not the attribute: stop() can flip it while a coroutine awaits.
        return self._wanted

    def _forget_agent(self) -> None:
        self._config = None
        self._agent = None
        self._raw_public_url = None

    def _agent_alive(self) -> bool:
        return self._agent is not None and self._agent.proc.poll() is None

    def _redact(self, text: str) -> str:
        return text.replace(self._authtoken, "***") if self._authtoken else text

    def _resolve_agent_path(self) -> Path:
        if self._ngrok_path is not None:
            return self._ngrok_path
        from pyngrok.conf import PyngrokConfig

        # pyngrok's default location ($PYNGROK_NGROK_PATH or ~/.config/ngrok/ngrok), read now.
        return Path(PyngrokConfig().ngrok_path)

    def _make_config(self, path: Path, attempt: _Attempt) -> PyngrokConfig:
        from pyngrok.conf import PyngrokConfig

        callback: Callable[[NgrokLog], None] = attempt.on_log
        return PyngrokConfig(
            ngrok_path=str(path),
            config_path=str(self._config_path),
            auth_token=self._authtoken,
            ngrok_version="v3",
            startup_timeout=max(1, math.ceil(self._connect_timeout)),
            request_timeout=min(_REQUEST_TIMEOUT_MAX, self._connect_timeout),
            log_event_callback=callback,
        )

    async def _start_agent(self, *, reconnect: bool) -> str | None:
        """Spawn/reuse the agent and open the endpoint. Caller holds ``self._lock``."""
        from pyngrok.exception import PyngrokError

        generation = self._generation
        try:
            domain = normalize_domain(self._domain) if self._domain else None
        except ValueError:
            self._set_state(TunnelState.ERROR, None, DETAIL_INVALID_DOMAIN)
            raise
        path = self._resolve_agent_path()
        if not path.is_file():
            logger.warning("tunnel: ngrok agent not found at %s", path)
            self._set_state(TunnelState.AGENT_MISSING, None, DETAIL_NOT_FOUND)
            return None
        if not os.access(path, os.X_OK):
            logger.warning("tunnel: ngrok agent at %s is not executable", path)
            self._set_state(TunnelState.AGENT_MISSING, None, DETAIL_NOT_EXECUTABLE)
            return None

        self._set_state(TunnelState.STARTING, None, DETAIL_RECONNECTING if reconnect else None)
        attempt = _Attempt(str(path))
        config = self._make_config(path, attempt)
        future = self._blocking.start(
            functools.partial(self._connect_blocking, config, attempt, domain)
        )
        self._inflight = attempt
        try:
            raw_url = await asyncio.wait_for(asyncio.shield(future), self._connect_timeout)
        except TimeoutError:
            logger.warning("tunnel: agent did not come up within %.1f s", self._connect_timeout)
            await self._abort(future, config, attempt)
            self._fail(generation, TunnelState.ERROR, DETAIL_TIMEOUT)
            return None
        except asyncio.CancelledError:
            self._abort_on_cancel(future, attempt)
            raise
        except (PyngrokError, OSError) as exc:
            await self._blocking.start(
                functools.partial(self._kill_blocking, config, attempt.agent)
            )
            if isinstance(exc, PermissionError):
                self._fail(generation, TunnelState.AGENT_MISSING, DETAIL_NOT_EXECUTABLE)
                return None
            state, detail = self._classify(exc)
            logger.warning("tunnel: could not start ngrok (%s): %s", detail, self._redact(str(exc)))
            self._fail(generation, state, detail)
            return None
        except Exception:  # a bad config file (yaml), pyngrok internals...
            logger.exception("tunnel: unexpected error while starting ngrok")
            await self._blocking.start(
                functools.partial(self._kill_blocking, config, attempt.agent)
            )
            self._fail(generation, TunnelState.ERROR, DETAIL_START_FAILED)
            return None
        finally:
            self._inflight = None

        if generation != self._generation or not self._wanted:
            # stop() ran while we were connecting: throw the fresh tunnel away.
            await self._blocking.start(
                functools.partial(self._shutdown_blocking, config, attempt.agent, raw_url)
            )
            return None
        self._config = config
        self._agent = attempt.agent
        self._raw_public_url = raw_url
        public_url = _force_https(raw_url)
        self._set_state(TunnelState.UP, public_url, None)
        logger.info("tunnel: up at %s -> local port %d", public_url, self._local_port)
        return public_url

    def _fail(self, generation: int, state: TunnelState, detail: str) -> None:
        """Record a failed start, unless stop() has already taken over."""
        if generation == self._generation and self._wanted:
            self._set_state(state, None, detail)

    @staticmethod
    def _classify(exc: BaseException) -> tuple[TunnelState, str]:
        """AUTH_FAILED or ERROR, with the ngrok error code as detail when there is one."""
        text = " ".join(
            part for part in (str(exc), getattr(exc, "ngrok_error", None) or "") if part
        )
        match = _NGROK_CODE_RE.search(text)
        code = match.group(0) if match else None
        if code is not None:
            if code in _AUTH_ERROR_CODES:
                return TunnelState.AUTH_FAILED, code
            return TunnelState.ERROR, code
        lowered = text.lower()
        if any(marker in lowered for marker in _AUTH_MARKERS):
            return TunnelState.AUTH_FAILED, DETAIL_AUTH_FAILED
        return TunnelState.ERROR, DETAIL_START_FAILED

    async def _abort(
        self, future: asyncio.Future[str], config: PyngrokConfig, attempt: _Attempt
    ) -> None:
        """Kill an agent stuck in startup, let pyngrok's thread unwind, then clean up."""
        agent = attempt.spawned()
        if agent is not None:
            _kill_popen(agent)
        done, _ = await asyncio.wait({future}, timeout=_ABORT_GRACE)
        if future in done and not future.cancelled():
            future.exception()  # retrieved: it is expected to have failed
        else:
            logger.error("tunnel: pyngrok did not return after the agent was killed")
            return
        await self._blocking.start(functools.partial(self._kill_blocking, config, agent))

    @staticmethod
    def _abort_on_cancel(future: asyncio.Future[str], attempt: _Attempt) -> None:
        """start() was cancelled mid-connect: kill the agent now, tidy up when pyngrok returns."""
        agent = attempt.spawned()
        if agent is not None:
            _kill_popen(agent)

        def tidy(done: asyncio.Future[str]) -> None:
            if not done.cancelled():
                done.exception()
            spawned = attempt.spawned()
            if spawned is not None:
                _kill_popen(spawned)
                if getattr(spawned, "_monitor_thread", None) is None:
                    _release_pipes(spawned)

        future.add_done_callback(tidy)

    # -- internals (executor threads) -----------------------------------------------------------

    def _connect_blocking(
        self, config: PyngrokConfig, attempt: _Attempt, domain: str | None
    ) -> str:
        from pyngrok import ngrok

        options: dict[str, Any] = {}
        if domain is not None:
            # Config v3 (/api/endpoints) names a reserved domain by the endpoint's url.
            options["url"] = f"https://{domain}"
        tunnel = ngrok.connect(
            addr=str(self._local_port), proto="http", pyngrok_config=config, **options
        )
        attempt.spawned()  # an agent that was already running printed no log line
        public_url = tunnel.public_url
        if not public_url:  # pyngrok already checks; keeps the type narrow
            raise OSError("ngrok returned no public URL")
        return str(public_url)

    @staticmethod
    def _probe_blocking(
        config: PyngrokConfig, agent: NgrokProcess | None, raw_url: str
    ) -> str | None:
        """``None`` when the agent runs and still serves our endpoint, else a DOWN detail."""
        from pyngrok import ngrok
        from pyngrok.exception import PyngrokError

        if agent is None:
            agent = _registered_process(config.ngrok_path)
        if agent is None or agent.proc.poll() is not None or not agent.api_url:
            return DETAIL_AGENT_EXITED
        try:
            data = ngrok.api_request(
                f"{agent.api_url}/api/endpoints", method="GET", timeout=config.request_timeout
            )
        except (PyngrokError, OSError) as exc:
            logger.info("tunnel: agent API did not answer: %s", exc)
            # poll() says "still running" while another thread is inside wait() on the same
            # process (Popen skips waitpid then), so a dead agent could read as unreachable:
            # wait() with a short timeout waits its turn for that lock.
            try:
                agent.proc.wait(_EXIT_CHECK_S)
            except subprocess.TimeoutExpired:
                return DETAIL_AGENT_UNREACHABLE
            return DETAIL_AGENT_EXITED
        items = data.get("endpoints") or data.get("tunnels") or []
        urls = {
            str(item.get("url") or item.get("public_url"))
            for item in items
            if isinstance(item, dict)
        }
        if raw_url in urls or _force_https(raw_url) in urls:
            return None
        return DETAIL_TUNNEL_MISSING

    @staticmethod
    def _kill_blocking(config: PyngrokConfig, agent: NgrokProcess | None) -> None:
        """Kill this config's agent (and ``agent`` if it is another process), close its pipes."""
        from pyngrok import ngrok

        ngrok.kill(config)
        if agent is not None:
            if agent.proc.poll() is None:
                _kill_popen(agent)
                with contextlib.suppress(OSError, ValueError):
                    agent.proc.wait(_THREAD_JOIN_TIMEOUT)
            _release_pipes(agent)

    @staticmethod
    def _shutdown_blocking(
        config: PyngrokConfig, agent: NgrokProcess | None, raw_url: str | None
    ) -> None:
        """Remove our endpoint (politely), then kill the agent."""
        from pyngrok import ngrok, process
        from pyngrok.exception import PyngrokError

        running = process.is_process_running(config.ngrok_path)
        # disconnect() may call install_ngrok(), which downloads when the binary is gone.
        if raw_url is not None and running and os.path.exists(config.ngrok_path):
            try:
                ngrok.disconnect(raw_url, config)
            except (PyngrokError, OSError) as exc:
                logger.info("tunnel: could not remove the endpoint before stopping: %s", exc)
        TunnelManager._kill_blocking(config, agent)
        logger.info("tunnel: ngrok agent stopped")
