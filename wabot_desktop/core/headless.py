"""The headless ``serve`` command: the core on plain asyncio, stopped by SIGTERM/SIGINT.

``serve --simulator`` runs the same pipeline against the in-process sandbox (no Meta account, no
credentials) and prints one line showing how to send it a test message.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import signal
import sys

from wabot_desktop.core.errors import MissingCredentialsError, PortInUseError
from wabot_desktop.core.logs import close_logging, setup_logging
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import Core, CoreConfig
from wabot_desktop.core.secrets import ENV_VARS, SecretKey

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


def config_from_args(args: argparse.Namespace) -> CoreConfig:
    paths = AppPaths.resolve(args.data_dir)
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
    )


async def serve(config: CoreConfig) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code."""
    core = Core(config)
    try:
        await core.start()
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
    # Everything built so far lives as long as the process: keep it out of the cyclic GC's
    # scans, whose full passes over a large heap otherwise stall webhook acks for tens of ms.
    gc.collect()
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C raises instead
            loop.add_signal_handler(sig, stop.set)
    sys.stdout.write(f"wabot-desktop: listening on {core.server_url} (webhook: /webhook)\n")
    if core.simulator:
        sys.stdout.write(simulator_hint(core.server_url))
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        logger.info("stopping")
        await core.stop()
    return 0


def run_serve(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    config.paths.ensure()
    setup_logging(config.paths.log_file, level=logging.DEBUG if args.verbose else logging.INFO)
    try:
        return asyncio.run(serve(config))
    except KeyboardInterrupt:
        return 0
    finally:
        close_logging()
