"""The headless ``serve`` command: the core on plain asyncio, stopped by SIGTERM/SIGINT.

``serve --simulator`` runs the same pipeline against the in-process sandbox (no Meta account, no
credentials) and prints one line showing how to send it a test message.

While sending is stopped by a rejected access token (Cloud API error 190), the core checks the
token again every ``token_recheck_s`` and resumes by itself once Meta accepts it; SIGHUP reloads
the credentials from the keyring (and WABOT_* variables) and checks at once. Queued replies then
go out once each.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError

from wabot_desktop.core.dto import TunnelState
from wabot_desktop.core.errors import MissingCredentialsError, PortInUseError
from wabot_desktop.core.events import (
    CallbackRegistered,
    Event,
    TokenExpiring,
    TunnelStateChanged,
)
from wabot_desktop.core.logs import close_logging, setup_logging
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import CoreConfig
from wabot_desktop.core.secrets import ENV_VARS, SecretKey
from wabot_desktop.core.session import Session, SessionMode
from wabot_desktop.core.store.db import MigrationFailedError
from wabot_desktop.core.store.dialect import DatabaseUrlError, redacted

logger = logging.getLogger(__name__)

EXIT_CONFIG = 2
# ASCII only, so the hint survives any console encoding.
SIMULATOR_TEST_MESSAGE = {"name": "Ana", "text": "Hola, a que hora abren?", "wait": 10}


def simulator_hint(server_url: str) -> str:
    """The one line telling how to send the simulator a test message."""
    body = json.dumps(SIMULATOR_TEST_MESSAGE, separators=(",", ":"))
    return (
        "wabot-desktop: simulator mode (no Meta account). Send a test message: "
        f"curl -X POST {server_url}/simulator/send -H 'Content-Type: application/json' "
        f"-d '{body}'\n"
    )


# serve --database-url's environment variable (a PostgreSQL URL; issue 16).
DATABASE_URL_ENV = "WABOT_DATABASE_URL"


def config_from_args(args: argparse.Namespace) -> CoreConfig:
    paths = AppPaths.resolve(args.data_dir)
    database_url = getattr(args, "database_url", None) or os.environ.get(DATABASE_URL_ENV) or None
    return CoreConfig(
        paths=paths,
        host=args.host,
        port=args.port,
        graph_url=args.graph_url,
        ollama_url=args.ollama_url,
        llm_provider=getattr(args, "llm_provider", None),
        llm_url=getattr(args, "llm_url", None),
        llm_model=getattr(args, "llm_model", None),
        tunnel=not args.no_tunnel,
        simulator=bool(getattr(args, "simulator", False)),
        data_dir_overridden=args.data_dir is not None,
        settings_overrides=(
            {"voice_model": args.voice_model} if getattr(args, "voice_model", None) else {}
        ),
        database_url=database_url,
        # serve has no GUI on its loop: the webhook server stays on it unless
        # WABOT_SERVER_THREAD=1 (with its own thread, a burst of one customer's webhooks is
        # acked faster than the bot answers, so the bot merges it into fewer replies, which
        # tests/e2e/test_serve.py's payload replay does not expect; see bench/README).
        server_thread=os.environ.get("WABOT_SERVER_THREAD", "0") == "1",
        # A body that arrives alone is committed right on the loop, no hop to the DB thread
        # and back (~0.25 ms of a 1.1 ms ack here); bursts still go to the DB thread. In
        # compare_peers.py (3 rounds): c=1 p50 0.84 vs 1.15 ms, c=64 3,053 vs 2,637 acks/s.
        # Not in the desktop app (there the server's thread would wait on the bot's writes),
        # nor on PostgreSQL (each statement is a network round trip the loop would wait for).
        ingest_inline_max=int(os.environ.get("WABOT_INGEST_INLINE", "0" if database_url else "1")),
    )


async def serve(config: CoreConfig) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code."""
    session = Session(config)  # the same composition root as the desktop app
    session.subscribe_core_events(_print_public_address)
    try:
        await session.start(SessionMode.PRACTICE if config.simulator else SessionMode.LIVE)
    except MissingCredentialsError as exc:
        names = ", ".join(f"{m} ({ENV_VARS[SecretKey(m)]})" for m in exc.missing)
        sys.stderr.write(
            f"wabot-desktop: missing credentials: {names}"
            " (to try the bot without a Meta account: wabot-desktop serve --simulator)\n"
        )
        return EXIT_CONFIG
    except PortInUseError as exc:
        sys.stderr.write(f"wabot-desktop: cannot listen on {exc}: port in use\n")
        return EXIT_CONFIG
    except MigrationFailedError as exc:
        sys.stderr.write(
            "wabot-desktop: the database upgrade failed; your data was restored from"
            f" {exc.backup} and nothing was changed. See the log for details.\n"
        )
        return EXIT_CONFIG
    except DatabaseUrlError as exc:
        sys.stderr.write(f"wabot-desktop: --database-url: {exc}\n")
        return EXIT_CONFIG
    except SQLAlchemyOperationalError as exc:
        if config.database_url is None:
            raise
        # psycopg's message names host and user, never the password.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        sys.stderr.write(
            f"wabot-desktop: cannot use the database {redacted(config.database_url)}: {reason}\n"
        )
        return EXIT_CONFIG
    # Everything built so far lives as long as the process: keep it out of the cyclic GC's
    # scans, whose full passes over a large heap otherwise stall webhook acks for tens of ms.
    gc.collect()
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C raises instead
            loop.add_signal_handler(sig, stop.set)
    background: set[asyncio.Task[None]] = set()

    def start(coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        background.add(task)
        task.add_done_callback(background.discard)

    sighup = getattr(signal, "SIGHUP", None)
    if sighup is not None and not session.practice:
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(
                sighup, lambda: start(reload_credentials(session), "reload-credentials")
            )
    sys.stdout.write(f"wabot-desktop: listening on {session.server_url} (webhook: /webhook)\n")
    if session.practice:
        sys.stdout.write(simulator_hint(session.server_url))
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        logger.info("stopping")
        for task in list(background):
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await session.stop()
    return 0


async def reload_credentials(session: Session) -> None:
    """SIGHUP: read the credentials again; if sending is blocked by the token, check it now."""
    logger.info("reloading credentials (SIGHUP)")
    try:
        await session.reload_credentials()
    except Exception:
        logger.exception("reloading credentials failed")


def _print_public_address(event: Event) -> None:
    """The public URL and Meta's callback are shown in the output, not only in a log."""
    if isinstance(event, TunnelStateChanged) and event.state is TunnelState.UP and event.public_url:
        sys.stdout.write(f"wabot-desktop: public URL {event.public_url}\n")
    elif isinstance(event, TunnelStateChanged) and event.state not in (
        TunnelState.UP,
        TunnelState.STARTING,
    ):
        sys.stdout.write(f"wabot-desktop: public URL down ({event.state}: {event.detail})\n")
    elif isinstance(event, TokenExpiring):
        when = time.strftime("%Y-%m-%d", time.gmtime(event.expires_at))
        sys.stdout.write(
            f"wabot-desktop: the access token expires on {when}; run 'wabot-desktop setup' "
            "with a permanent system-user token\n"
        )
    elif isinstance(event, CallbackRegistered):
        outcome = "registered and read back" if event.ok else "NOT registered"
        sys.stdout.write(f"wabot-desktop: Meta callback {event.callback_url} {outcome}\n")
    else:
        return
    sys.stdout.flush()


def serve_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop for ``serve`` where it is installed (not Windows); else the standard one.

    Only the headless server uses it: the desktop app's loop is qasync's (Qt's event loop).
    uvloop cuts the per-request cost of the HTTP path (socket reads/writes, wake-ups from the
    database thread); behaviour is the same asyncio API.
    """
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_serve(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    config.paths.ensure()
    setup_logging(config.paths.log_file, level=logging.DEBUG if args.verbose else logging.INFO)
    try:
        with asyncio.Runner(loop_factory=serve_loop_factory()) as runner:
            return runner.run(serve(config))
    except KeyboardInterrupt:
        return 0
    finally:
        close_logging()
