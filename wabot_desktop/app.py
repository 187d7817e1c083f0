"""Entry point: parse arguments, then run the GUI (where there is a screen) or ``serve``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from wabot_desktop import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wabot-desktop",
        description="WaBot Desktop: WhatsApp Business bot with a local LLM.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")

    def add_common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", default=None, help="keep all data in this folder")
        p.add_argument("--host", default="127.0.0.1", help="webhook server address")
        p.add_argument("--port", type=int, default=8080, help="webhook server port (0 = any)")
        p.add_argument("--graph-url", default=None, help="replace https://graph.facebook.com")
        p.add_argument("--ollama-url", default=None, help="Ollama server URL")
        p.add_argument("--no-tunnel", action="store_true", help="do not start the ngrok tunnel")
        p.add_argument("--simulator", action="store_true", help="simulator mode (no Meta account)")
        p.add_argument("--verbose", action="store_true", help="debug logging")

    add_common(parser)
    parser.add_argument("--lang", default=None, help="UI language (es, en)")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run headless (no window)")
    add_common(serve)
    serve.add_argument(
        "--voice-model",
        default=None,
        metavar="NAME_OR_PATH",
        help="voice-note transcription: small, base, large-v3-turbo, a model folder, or off",
    )
    from wabot_desktop.core.setup_cli import add_setup_arguments

    setup = sub.add_parser("setup", help="connect Meta, the tunnel and Ollama, checking each step")
    add_common(setup)
    add_setup_arguments(setup)
    from wabot_desktop.core.knowledge.cli import add_commands

    add_commands(sub)
    serve.add_argument(
        "--llm-provider", choices=("ollama", "openai"), default=None, help="model server kind"
    )
    serve.add_argument("--llm-url", default=None, help="OpenAI-compatible base URL (…/v1)")
    serve.add_argument(
        "--llm-model", default=None, help="model name on that server (key: WABOT_LLM_API_KEY)"
    )
    return parser


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _first_run_simulator(args: argparse.Namespace) -> bool:
    """No WhatsApp credentials anywhere: the default run shows the bot working in the simulator."""
    from wabot_desktop.core.paths import AppPaths
    from wabot_desktop.core.runtime import default_secret_store, should_start_in_simulator

    paths = AppPaths.resolve(args.data_dir)
    return should_start_in_simulator(default_secret_store(paths, args.data_dir is not None))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "setup":
        from wabot_desktop.core.setup_cli import run_setup

        return run_setup(args)
    if args.command in ("knowledge", "checks"):
        from wabot_desktop.core.knowledge.cli import run

        return run(args)
    if args.command == "serve":
        # The explicit headless contract: missing credentials are an error (exit 2).
        from wabot_desktop.core.headless import run_serve

        return run_serve(args)
    if not has_display():
        from wabot_desktop.core.headless import run_serve

        if not args.simulator and _first_run_simulator(args):
            args.simulator = True
        return run_serve(args)
    from wabot_desktop.gui.main import run_gui

    return int(run_gui(args))
