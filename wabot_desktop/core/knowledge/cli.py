"""``knowledge import|export`` and ``checks run``: the knowledge without a window."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from wabot_desktop.core.dto import LlmState
from wabot_desktop.core.knowledge import io as kio
from wabot_desktop.core.knowledge import store
from wabot_desktop.core.knowledge.checks import HOW_TO_ENABLE, run_checks
from wabot_desktop.core.knowledge.model import Knowledge
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.settings import Settings, load_settings
from wabot_desktop.core.store.db import Database


def _out(line: str, *, error: bool = False) -> None:
    stream = sys.stderr if error else sys.stdout
    stream.write(line + "\n")
    stream.flush()


EXIT_OK, EXIT_FAIL, EXIT_UNREADABLE, EXIT_BAD_ROWS = 0, 1, 2, 3


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    knowledge = sub.add_parser("knowledge", help="import/export the FAQ and the price list")
    ksub = knowledge.add_subparsers(dest="knowledge_command", required=True)
    imp = ksub.add_parser("import", help="import an FAQ or price list (.csv or .xlsx)")
    imp.add_argument("file")
    imp.add_argument("--data-dir", default=None)
    exp = ksub.add_parser("export", help="write faq/precios .csv and .xlsx into DIR")
    exp.add_argument("dir")
    exp.add_argument("--data-dir", default=None)
    checks = sub.add_parser("checks", help="the owner's checks")
    csub = checks.add_subparsers(dest="checks_command", required=True)
    run = csub.add_parser("run", help="run the checks against the active version")
    run.add_argument("--data-dir", default=None)
    run.add_argument("--ollama-url", default=None)


def _open(data_dir: str | None) -> tuple[Database, Settings, Knowledge]:
    paths = AppPaths.resolve(data_dir).ensure()
    db = Database(paths.db_path)
    db.migrate()
    settings = db.session_run_sync(load_settings)
    found = db.session_run_sync(store.active)
    knowledge = found[1] if found else store.from_settings(settings)
    return db, settings, knowledge


def run(args: argparse.Namespace) -> int:
    if args.command == "knowledge" and args.knowledge_command == "import":
        return _import(Path(args.file), args.data_dir)
    if args.command == "knowledge":
        db, _, knowledge = _open(args.data_dir)
        db.close()
        for path in kio.export_all(knowledge, Path(args.dir)):
            _out(str(path))
        return EXIT_OK
    return _checks(args.data_dir, args.ollama_url)


def _import(path: Path, data_dir: str | None) -> int:
    try:
        result = kio.read_file(path)
    except kio.UnreadableFileError as exc:
        _out(f"No se pudo leer {path}: {exc}", error=True)
        return EXIT_UNREADABLE
    what = "preguntas frecuentes" if result.kind == "faq" else "productos"
    if result.bad_rows:
        for bad in result.bad_rows:
            _out(f"línea {bad.line}: {bad.message}", error=True)
        _out(f"No se importó nada: {len(result.bad_rows)} filas con errores.", error=True)
        return EXIT_BAD_ROWS
    db, _, knowledge = _open(data_dir)
    try:
        note = f"Importado {path.name}: {result.count} {what}"
        db.session_run_sync(store.save_version, kio.apply(knowledge, result), note, time.time())
    finally:
        db.close()
    _out(f"Importados {result.count} {what} de {path.name}.")
    return EXIT_OK


def _checks(data_dir: str | None, ollama_url: str | None) -> int:
    from wabot_desktop.core.llm.ollama_provider import OllamaProvider

    db, settings, knowledge = _open(data_dir)
    db.close()
    if not knowledge.checks:
        _out("No hay revisiones definidas.")
        return EXIT_OK

    async def go() -> int:
        async with OllamaProvider(
            host=ollama_url or settings.ollama_host, model=settings.llm_model
        ) as llm:
            if await llm.check() is not LlmState.UP:
                _out(HOW_TO_ENABLE[knowledge.language].format(model=settings.llm_model))
                return EXIT_FAIL
            failed = 0

            def show(result: object) -> None:
                nonlocal failed
                from wabot_desktop.core.knowledge.checks import CheckResult

                assert isinstance(result, CheckResult)
                failed += not result.passed
                mark = "PASA " if result.passed else "FALLA"
                detail = ""
                if result.missing:
                    detail += " falta: " + ", ".join(result.missing)
                if result.forbidden:
                    detail += " no debe decir: " + ", ".join(result.forbidden)
                if result.error:
                    detail += f" error: {result.error}"
                _out(f"{mark} {result.check.question}{detail}")

            await run_checks(llm, knowledge, on_result=show)
            return EXIT_OK if failed == 0 else EXIT_FAIL

    return asyncio.run(go())
