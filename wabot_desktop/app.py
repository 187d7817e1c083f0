"""Entry point: parse arguments, then run the GUI (where there is a screen) or ``serve``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wabot_desktop import __version__

if TYPE_CHECKING:
    from wabot_desktop.core.paths import AppPaths
    from wabot_desktop.core.session import Session


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
    parser.add_argument(
        "--self-test", action="store_true", help="check this install and exit (0 = sound)"
    )
    sub = parser.add_subparsers(dest="command")
    backup = sub.add_parser("backup", help="save the shop (chats, settings, knowledge) to FILE")
    backup.add_argument("file")
    backup.add_argument("--data-dir", default=None, help="profile folder to back up")
    restore = sub.add_parser("restore", help="replace the shop with the backup in FILE")
    restore.add_argument("file")
    restore.add_argument("--data-dir", default=None, help="profile folder to restore into")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    migrate = sub.add_parser(
        "migrate-to", help="copy this PC's chats into an empty PostgreSQL database (no secrets)"
    )
    migrate.add_argument("--data-dir", default=None, help="profile folder to copy from")
    migrate.add_argument(
        "--database-url",
        default=None,
        metavar="URL",
        help="postgresql+psycopg://user@host/db (password in the URL or the keyring)",
    )
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
        "--database-url",
        default=None,
        metavar="URL",
        help="a shop's PostgreSQL (postgresql+psycopg://user@host/db; also WABOT_DATABASE_URL;"
        " password in the URL or the keyring)",
    )
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


def check_translations() -> str | None:
    """The compiled catalogs load into Qt (the GUI's language switch depends on them)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTranslator

    from wabot_desktop.core import resources

    for name in ("i18n/wabot_es_419.qm", "i18n/wabot_en.qm"):
        if not QTranslator().load(str(resources.file_path(name))):
            return f"{name} does not load"
    return None


def _say(text: str, *, err: bool = False) -> None:
    (sys.stderr if err else sys.stdout).write(text + "\n")


def run_self_test() -> int:
    from wabot_desktop.core import selftest

    checks = [*selftest.CORE_CHECKS, ("translations", check_translations)]
    results = selftest.run_checks(checks)
    _say(f"wabot-desktop {__version__} self-test (keyring: {selftest.keyring_backend_name()})")
    for name, problem in results:
        _say(f"  {name}: {'ok' if problem is None else 'FAILED: ' + problem}")
    failed = [name for name, problem in results if problem is not None]
    _say("self-test passed" if not failed else "self-test FAILED: " + ", ".join(failed))
    return 0 if not failed else 1


def run_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wabot_desktop.core.backup import create_backup
    from wabot_desktop.core.paths import AppPaths

    paths = AppPaths.resolve(args.data_dir)
    try:
        info = create_backup(paths, Path(args.file))
    except FileNotFoundError as exc:
        _say(f"wabot-desktop: {exc}", err=True)
        return 2
    _say(f"backup written: {info.path} ({info.messages} messages, schema {info.revision})")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wabot_desktop.core.backup import InvalidBackupError, restore_backup
    from wabot_desktop.core.paths import AppPaths

    paths = AppPaths.resolve(args.data_dir)
    if not args.yes:
        answer = input(
            f"This replaces every chat and setting in {paths.data_dir} with {args.file}. "
            "Type 'yes' to continue: "
        )
        if answer.strip().lower() not in ("yes", "si", "sí"):
            _say("restore cancelled", err=True)
            return 1
    try:
        info = restore_backup(paths, Path(args.file))
    except InvalidBackupError as exc:
        _say(f"wabot-desktop: {exc}", err=True)
        return 2
    _say(f"restored {info.messages} messages from {args.file} into {paths.data_dir}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        return run_self_test()
    if args.command == "backup":
        return run_backup(args)
    if args.command == "restore":
        return run_restore(args)
    if args.command == "migrate-to":
        from wabot_desktop.core.store.migrate_to import run_migrate_to

        code, line = run_migrate_to(args.data_dir, args.database_url)
        _say(line, err=code != 0)
        return code
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
    from wabot_desktop.core.paths import AppPaths
    from wabot_desktop.gui.main import run_gui

    paths = AppPaths.resolve(args.data_dir)
    return int(run_gui(args, paths.data_dir, lambda: build_session(args, paths)))


def build_session(args: argparse.Namespace, paths: AppPaths) -> Session:
    """The composition root of the desktop app: one Session owning the core it switches.

    ``serve`` builds its Session in ``core/headless.py`` from the same flags.
    """
    from wabot_desktop.core.runtime import CoreConfig
    from wabot_desktop.core.session import Session

    config = CoreConfig(
        paths=paths,
        host=args.host,
        port=args.port,
        graph_url=args.graph_url,
        ollama_url=args.ollama_url,
        tunnel=not args.no_tunnel,
        data_dir_overridden=args.data_dir is not None,
    )
    return Session(config)
