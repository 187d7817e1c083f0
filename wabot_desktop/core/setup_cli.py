"""``wabot-desktop setup``: the going-live wizard in the terminal (the same flow as the window).

Interactive by default (questions on the terminal, secrets typed without echo). With
``--non-interactive`` every answer comes from flags and one line is printed per check; the "send
a message from your phone" wait is skipped and the registered callback URL is printed instead.

Exit codes: 0 every check passed and the secrets are stored; 3 a check failed (the line names the
step and the fix); 2 missing or malformed arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import re
import sys
from collections.abc import Callable
from typing import Any

from wabot_desktop.core.logs import close_logging, setup_logging
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.secrets import KeyringSecretStore, MemorySecretStore, service_name_for
from wabot_desktop.core.settings import WEEKDAYS, Settings, load_settings, save_settings
from wabot_desktop.core.setup_flow import (
    EXAMPLE_FAQ,
    Answers,
    CheckResult,
    ModelStep,
    PullProgress,
    SetupFlow,
    Status,
    StepId,
    StepResult,
    answers_from_stored,
    parse_hours,
)
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.tunnel import normalize_domain, normalize_public_url

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CHECK_FAILED = 3
_ID_RE = re.compile(r"^\d{5,25}$")
_MARK = {Status.OK: "ok", Status.WARNING: "aviso", Status.ERROR: "ERROR", Status.SKIPPED: "--"}
FIRST_MESSAGE_TIMEOUT = 180.0


def add_setup_arguments(p: argparse.ArgumentParser) -> None:
    """The ``setup`` sub-command's flags (the data dir / graph / ollama flags are shared)."""
    p.add_argument("--non-interactive", action="store_true", help="take every answer from flags")
    p.add_argument("--app-id", default=None, help="Meta App ID")
    p.add_argument("--app-secret", default=None, help="Meta App Secret")
    p.add_argument("--access-token", default=None, help="system-user access token")
    p.add_argument("--phone-number-id", default=None, help="WhatsApp phone number ID")
    p.add_argument("--waba-id", default=None, help="WhatsApp Business Account ID (discovered)")
    p.add_argument("--pin", default=None, help="6-digit PIN, only to register the number")
    p.add_argument("--verify-token", default=None, help="only if you already set one in Meta")
    p.add_argument("--public-url", default=None, help="your own HTTPS base address")
    p.add_argument("--ngrok-authtoken", default=None, help="ngrok authtoken")
    p.add_argument("--ngrok-domain", default=None, help="your static ngrok domain")


def _language() -> str:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "en" if value.lower().startswith("en") else "es"
    return "es"


class Printer:
    def __init__(self, language: str, out: Callable[[str], None]) -> None:
        self.lang = language
        self.out = out

    def check(self, step: StepId, result: CheckResult) -> None:
        text = (
            f"[{_MARK[result.status]}] {step.value}/{result.check}: {result.message.get(self.lang)}"
        )
        if result.fix is not None and result.status in (Status.ERROR, Status.WARNING):
            label = "Fix" if self.lang == "en" else "Solución"
            text += f" {label}: {result.fix.get(self.lang)}"
        if result.link and result.status is not Status.OK:
            text += f" ({result.link})"
        self.out(text)

    def step(self, result: StepResult) -> None:
        for check in result.checks:
            self.check(result.step, check)


def _usage_error(message: str) -> int:
    sys.stderr.write(f"wabot-desktop setup: {message}\n")
    return EXIT_USAGE


def answers_from_args(args: argparse.Namespace) -> Answers | str:
    """The flags as :class:`Answers`, or the usage error text."""
    required = {
        "--app-id": args.app_id,
        "--app-secret": args.app_secret,
        "--access-token": args.access_token,
        "--phone-number-id": args.phone_number_id,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        return "missing " + ", ".join(missing)
    if bool(args.public_url) == bool(args.ngrok_authtoken):
        return "give exactly one of --public-url URL or --ngrok-authtoken TOKEN"
    if args.ngrok_domain and not args.ngrok_authtoken:
        return "--ngrok-domain needs --ngrok-authtoken"
    for name, value in (
        ("--app-id", args.app_id),
        ("--phone-number-id", args.phone_number_id),
        ("--waba-id", args.waba_id),
    ):
        if value and not _ID_RE.match(value):
            return f"{name} must be digits only"
    if args.pin and not re.fullmatch(r"\d{6}", args.pin):
        return "--pin must be 6 digits"
    if not 0 <= args.port <= 65535:
        return "--port must be between 0 and 65535"
    answers = Answers(
        app_id=args.app_id,
        app_secret=args.app_secret,
        access_token=args.access_token,
        phone_number_id=args.phone_number_id,
        waba_id=args.waba_id or "",
        pin=args.pin or "",
        verify_token=args.verify_token or "",
        port=args.port,
    )
    if args.public_url:
        try:
            answers.public_url = normalize_public_url(args.public_url)
        except ValueError as exc:
            return f"--public-url: {exc}"
        answers.public_mode = "own"
    else:
        answers.public_mode = "ngrok"
        answers.ngrok_authtoken = args.ngrok_authtoken
        if args.ngrok_domain:
            try:
                answers.ngrok_domain = normalize_domain(args.ngrok_domain)
            except ValueError as exc:
                return f"--ngrok-domain: {exc}"
    return answers


def _secret_store(args: argparse.Namespace, paths: AppPaths) -> KeyringSecretStore:
    return KeyringSecretStore(service_name_for(paths.data_dir if args.data_dir else None))


def _make_flow(
    args: argparse.Namespace, paths: AppPaths, answers: Answers, db: Database
) -> SetupFlow:
    defaults = Settings()
    secrets = _secret_store(args, paths)

    async def save(values: dict[str, Any]) -> None:
        await db.session_run(lambda s: save_settings(s, **values))

    return SetupFlow(
        secrets=secrets,
        save_settings=save,
        graph_url=args.graph_url or defaults.graph_base_url,
        api_version=defaults.graph_api_version,
        ollama_url=args.ollama_url or defaults.ollama_host,
        ngrok_config=paths.ngrok_dir / "ngrok.yml",
        answers=answers,
    )


async def _non_interactive(flow: SetupFlow, printer: Printer) -> int:
    keyring = flow.keyring_check()
    printer.check(StepId.WELCOME, keyring)
    if keyring.status is Status.ERROR:
        return EXIT_CHECK_FAILED
    for step in (StepId.META_APP, StepId.PUBLIC_ADDRESS, StepId.CONNECT_META):
        result = await flow.run_step(step)
        printer.step(result)
        if not result.ok:
            return EXIT_CHECK_FAILED
    # The model is not needed to go live (the FAQ answers meanwhile): its problems are warnings.
    model = await flow.run_step(StepId.MODEL)
    for check in model.checks:
        if check.status is Status.ERROR:
            check = CheckResult(
                check.check, Status.WARNING, check.message, check.fix, (), check.link
            )
        printer.check(StepId.MODEL, check)
    done = await flow.run_step(StepId.DONE)
    printer.step(done)
    if not done.ok:
        return EXIT_CHECK_FAILED
    printer.out(f"callback: {flow.found.callback_url}")
    return EXIT_OK


class Asker:
    """Questions on the terminal, read in a thread so the local server keeps answering."""

    def __init__(self, printer: Printer) -> None:
        self.printer = printer
        self.lang = printer.lang

    def t(self, es: str, en: str) -> str:
        return en if self.lang == "en" else es

    async def ask(self, label: str, default: str = "", *, secret: bool = False) -> str:
        prompt = f"{label}" + (f" [{default}]" if default and not secret else "") + ": "
        if secret and sys.stdin.isatty():
            reader: Callable[[str], str] = getpass.getpass
        else:
            reader = input
        try:
            value = await asyncio.to_thread(reader, prompt)
        except EOFError:
            raise KeyboardInterrupt from None
        return value.strip() or default

    async def yes(self, label: str, default: bool = True) -> bool:
        hint = self.t("S/n", "Y/n") if default else self.t("s/N", "y/N")
        value = (await self.ask(f"{label} ({hint})")).lower()
        if not value:
            return default
        return value[0] in ("s", "y")


async def _interactive(flow: SetupFlow, printer: Printer) -> int:
    q = Asker(printer)
    a = flow.answers
    out = printer.out
    welcome = flow.step(StepId.WELCOME)
    out(welcome.intro.get(printer.lang))
    result = await flow.run_step(StepId.WELCOME)
    printer.step(result)
    if not result.ok:
        return EXIT_CHECK_FAILED
    if not await q.yes(
        q.t("¿Seguir con la conexión real a WhatsApp?", "Continue with real WhatsApp?")
    ):
        out(q.t("Sigues en el modo de prueba.", "Staying in practice mode."))
        return EXIT_OK

    out("\n" + flow.step(StepId.META_APP).intro.get(printer.lang))
    while True:
        a.app_id = await q.ask(q.t("Identificador de la app", "App ID"), a.app_id)
        a.app_secret = await q.ask(
            q.t("Clave secreta de la app", "App Secret"), a.app_secret, secret=True
        )
        a.access_token = await q.ask(
            q.t("Token de acceso", "Access token"), a.access_token, secret=True
        )
        a.waba_id = await q.ask(
            q.t("Cuenta de WhatsApp Business (vacío: buscarla)", "WABA ID (empty: discover)"),
            a.waba_id,
        )
        a.phone_number_id = await q.ask(
            q.t("Identificador del número", "Phone number ID"), a.phone_number_id
        )
        result = await flow.run_step(StepId.META_APP)
        printer.step(result)
        failed = result.failed
        if failed is not None and failed.check == "register":
            a.pin = await q.ask(
                q.t(
                    "PIN de 6 dígitos para registrar el número",
                    "6-digit PIN to register the number",
                ),
                secret=True,
            )
            result = await flow.run_step(StepId.META_APP)
            printer.step(result)
        if result.ok:
            break
        if not await q.yes(q.t("¿Corregir y verificar de nuevo?", "Fix and check again?")):
            return EXIT_CHECK_FAILED

    out("\n" + flow.step(StepId.PUBLIC_ADDRESS).intro.get(printer.lang))
    while True:
        own = await q.yes(
            q.t(
                "¿Tienes tu propia dirección HTTPS? (no: usar ngrok)",
                "Do you have your own HTTPS address? (no: use ngrok)",
            ),
            a.public_mode == "own",
        )
        if own:
            a.public_mode = "own"
            a.public_url = await q.ask(q.t("Dirección HTTPS", "HTTPS address"), a.public_url)
        else:
            a.public_mode = "ngrok"
            a.ngrok_authtoken = await q.ask(
                q.t("Authtoken de ngrok", "ngrok authtoken"), a.ngrok_authtoken, secret=True
            )
            a.ngrok_domain = await q.ask(
                q.t(
                    "Dominio fijo de ngrok (recomendado, vacío: ninguno)",
                    "ngrok static domain (recommended, empty: none)",
                ),
                a.ngrok_domain,
            )
        result = await flow.run_step(StepId.PUBLIC_ADDRESS)
        printer.step(result)
        if result.ok:
            break
        if flow.tunnel is not None:
            await flow.tunnel.stop()
            flow.tunnel = None
        if not await q.yes(q.t("¿Corregir y verificar de nuevo?", "Fix and check again?")):
            return EXIT_CHECK_FAILED

    out("\n" + flow.step(StepId.CONNECT_META).intro.get(printer.lang))
    while True:
        number = flow.found.display_phone_number
        wait = int(FIRST_MESSAGE_TIMEOUT)
        out(
            q.t(
                f"Ahora envía un mensaje a {number or 'el número del negocio'} desde tu "
                f"teléfono (espero {wait} s)...",
                f"Now send a message to {number or 'your business number'} from your phone "
                f"(waiting {wait} s)...",
            )
        )
        result = await flow.run_step(StepId.CONNECT_META, wait_for_message=FIRST_MESSAGE_TIMEOUT)
        printer.step(result)
        if result.ok:
            break
        failed = result.failed
        if (
            failed is not None
            and failed.check == "first_message"
            and not await q.yes(
                q.t("¿Esperar otra vez? (no: seguir igual)", "Wait again? (no: continue anyway)")
            )
        ):
            break
        if (
            failed is not None
            and failed.check != "first_message"
            and not await q.yes(q.t("¿Verificar de nuevo?", "Check again?"))
        ):
            return EXIT_CHECK_FAILED

    out("\n" + flow.step(StepId.MODEL).intro.get(printer.lang))
    result = await flow.run_step(StepId.MODEL)
    printer.step(result)
    missing = next(
        (c for c in result.checks if c.check == "model" and c.status is Status.WARNING), None
    )
    if missing is not None and await q.yes(
        q.t(f"¿Descargar {a.model} ahora?", f"Download {a.model} now?")
    ):
        pulled = await ModelStep.pull(flow, a.model, _progress_printer(out))
        out("")
        printer.check(StepId.MODEL, pulled)
        if pulled.status is Status.OK:
            printer.step(await flow.run_step(StepId.MODEL))

    out("\n" + flow.step(StepId.SHOP).intro.get(printer.lang))
    while True:
        a.business_name = await q.ask(
            q.t("Nombre del negocio", "Business name"), a.business_name or "Mi tienda"
        )
        hours: dict[str, list[list[str]]] = {}
        defaults = a.business_hours or Settings().business_hours
        for day in WEEKDAYS:
            default = ", ".join(f"{s}-{e}" for s, e in defaults.get(day, [])) or q.t(
                "cerrado", "closed"
            )
            while True:
                text = await q.ask(
                    q.t(
                        f"Horario {day} (09:00-19:00 o cerrado)",
                        f"Hours {day} (09:00-19:00 or closed)",
                    ),
                    default,
                )
                try:
                    hours[day] = parse_hours(text)
                    break
                except ValueError:
                    out(
                        q.t(
                            "Formato: 09:00-13:00, 16:00-20:00 o cerrado",
                            "Format: 09:00-13:00, 16:00-20:00 or closed",
                        )
                    )
        a.business_hours = hours
        a.business_address = await q.ask(q.t("Dirección", "Address"), a.business_address)
        a.payment_methods = await q.ask(
            q.t("Formas de pago", "Payment methods"),
            a.payment_methods or "Efectivo, tarjeta y transferencia",
        )
        if await q.yes(
            q.t(
                "¿Usar las preguntas frecuentes de ejemplo? (las editas después)",
                "Use the example FAQs? (edit them later)",
            )
        ):
            a.faq = EXAMPLE_FAQ
        a.bot_from_day_one = await q.yes(
            q.t(
                "¿El bot responde desde el primer día? (no: el personal primero)",
                "Should the bot answer from day one? (no: staff first)",
            )
        )
        result = await flow.run_step(StepId.SHOP)
        printer.step(result)
        if result.ok:
            break

    result = await flow.run_step(StepId.DONE)
    printer.step(result)
    if not result.ok:
        return EXIT_CHECK_FAILED
    out(
        q.t(
            "Listo. Inicia el bot con: wabot-desktop serve",
            "Done. Start the bot with: wabot-desktop serve",
        )
    )
    return EXIT_OK


def _progress_printer(out: Callable[[str], None]) -> Callable[[PullProgress], None]:
    def show(p: PullProgress) -> None:
        if not p.total:
            return
        eta = f"{int(p.eta_s)} s" if p.eta_s is not None else "?"
        sys.stdout.write(
            f"\r{p.completed / 1e6:8.1f} / {p.total / 1e6:.1f} MB  "
            f"{p.bytes_per_s / 1e6:6.1f} MB/s  {eta}   "
        )
        sys.stdout.flush()

    return show


async def run_setup_async(args: argparse.Namespace) -> int:
    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    printer = Printer(_language(), write)
    answers: Answers
    if args.non_interactive:
        parsed = answers_from_args(args)
        if isinstance(parsed, str):
            return _usage_error(parsed)
        answers = parsed
    else:
        answers = Answers(port=args.port)
    paths = AppPaths.resolve(args.data_dir).ensure()
    db = Database(paths.db_path)
    try:
        await db.run(db.migrate)
        if not args.non_interactive:
            # A re-run starts from what the last one stored.
            settings = await db.session_run(load_settings)
            store = _secret_store(args, paths)
            try:
                usable = KeyringSecretStore.usable()
            except Exception:
                usable = False
            stored = answers_from_stored(store if usable else MemorySecretStore(), settings)
            stored.port = args.port
            answers = stored
        async with _make_flow(args, paths, answers, db) as flow:
            if args.non_interactive:
                return await _non_interactive(flow, printer)
            return await _interactive(flow, printer)
    finally:
        db.close()


def run_setup(args: argparse.Namespace) -> int:
    paths = AppPaths.resolve(args.data_dir).ensure()
    setup_logging(paths.log_file, level=logging.DEBUG if args.verbose else logging.INFO)
    try:
        return asyncio.run(run_setup_async(args))
    except KeyboardInterrupt:
        sys.stderr.write("\nwabot-desktop setup: cancelled, nothing stored\n")
        return EXIT_CHECK_FAILED
    finally:
        close_logging()
