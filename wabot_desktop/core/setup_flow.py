"""The going-live wizard's steps and checks, Qt-free: the Qt pages and the terminal only render it.

Each step is a :class:`Step` with its ``inputs`` (typed :class:`Field` declarations) and an async
``check(flow)`` returning a :class:`StepResult`: one :class:`CheckResult` per check, each with a
status (ok / warning / error), a plain-Spanish explanation with the fix (English too) and a
"detalles" record of every request sent and answer received, with secrets removed. Any step can
be re-checked alone: it reads the answers in :class:`Answers` and the facts earlier steps found
(``flow.found``), and never needs the previous steps to have run in the same process, except the
public-address step's running server/tunnel, which the connect step starts itself when missing.

Secrets (access token, app secret, verify token, ngrok authtoken, PIN) are kept in memory while
the wizard runs and, on :meth:`SetupFlow.commit`, written only to the OS keyring through
:mod:`wabot_desktop.core.secrets`. With no usable keyring, nothing is stored and the result says
what to install. Non-secret answers go to the settings declared in :mod:`core.settings`.

Meta calls and their answers: shared/docs/meta-cloud-api.md sections 1.4, 6, 7.5 and 11.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import secrets as pysecrets
import shutil
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from aiohttp import web

from wabot_desktop.core.aio import run_blocking
from wabot_desktop.core.errors import KeyringUnavailableError
from wabot_desktop.core.events import (
    CallbackRegistered,
    Event,
    EventHub,
    TokenExpiring,
    TokenRefreshed,
    TunnelStateChanged,
)
from wabot_desktop.core.llm.guarded import leaves_this_pc
from wabot_desktop.core.llm.presets import PRESETS as PRESETS  # the wizard lists them
from wabot_desktop.core.llm.presets import normalize_base_url
from wabot_desktop.core.secrets import KeyringSecretStore, SecretKey, SecretStore
from wabot_desktop.core.settings import WEEKDAYS, Settings
from wabot_desktop.core.tunnel import (
    WEBHOOK_PATH,
    TunnelManager,
    TunnelState,
    normalize_domain,
    normalize_public_url,
)
from wabot_desktop.core.whatsapp.signature import SignatureCheck, verify_signature

logger = logging.getLogger(__name__)

PRICING_URL: Final = "https://developers.facebook.com/docs/whatsapp/pricing"
APPS_URL: Final = "https://developers.facebook.com/apps"
SYSTEM_USERS_URL: Final = "https://business.facebook.com/settings/system-users"
NGROK_TOKEN_URL: Final = "https://dashboard.ngrok.com/get-started/your-authtoken"
NGROK_DOMAIN_URL: Final = "https://dashboard.ngrok.com/domains"
OLLAMA_URL: Final = "https://ollama.com/download"
FREE_SERVICE_MESSAGES: Final = 1000
SERVICE_PRICING_FROM: Final = "2026-10-01"
REQUIRED_SCOPES: Final = ("whatsapp_business_messaging", "whatsapp_business_management")
REGISTER_LIMIT_CODE: Final = 133016
REDACTED: Final = "***"
# Keys whose values are always removed from "detalles", wherever they appear.
_SECRET_KEYS: Final = frozenset(
    {
        "access_token",
        "input_token",
        "verify_token",
        "hub.verify_token",
        "pin",
        "client_secret",
        "app_secret",
        "authtoken",
        "authorization",
        "fb_exchange_token",
    }
)
_PIN_RE: Final = re.compile(r"^\d{6}$")
_ID_RE: Final = re.compile(r"^\d{5,25}$")
_DEFAULT_CONTEXT: Final = 8192


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    SKIPPED = "skipped"


_RANK: Final = {Status.OK: 0, Status.SKIPPED: 0, Status.WARNING: 1, Status.ERROR: 2}


class StepId(StrEnum):
    WELCOME = "welcome"
    META_APP = "meta_app"
    PUBLIC_ADDRESS = "public_address"
    CONNECT_META = "connect_meta"
    MODEL = "model"
    SHOP = "shop"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Text:
    """A user-facing text in Spanish (es-419, first) and English."""

    es: str
    en: str

    def get(self, language: str = "es") -> str:
        return self.en if language.lower().startswith("en") else self.es


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its answer, with secrets removed (the "detalles" record)."""

    method: str
    url: str
    request: Any = None
    status: int | None = None
    response: Any = None
    error: str | None = None

    def as_text(self) -> str:
        lines = [f"{self.method} {self.url}"]
        if self.request is not None:
            lines.append("  -> " + json.dumps(self.request, ensure_ascii=False, sort_keys=True))
        if self.status is not None:
            lines.append(f"  <- HTTP {self.status}")
        if self.response is not None:
            lines.append("  <- " + json.dumps(self.response, ensure_ascii=False, sort_keys=True))
        if self.error:
            lines.append(f"  !! {self.error}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check."""

    check: str  # machine-readable name, e.g. "token", "register"
    status: Status
    message: Text
    fix: Text | None = None
    details: tuple[Exchange, ...] = ()
    link: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in (Status.OK, Status.SKIPPED, Status.WARNING)

    def detalles(self) -> str:
        return "\n".join(e.as_text() for e in self.details)


@dataclass(frozen=True, slots=True)
class StepResult:
    """Every check of one step; ``status`` is the worst of them."""

    step: StepId
    checks: tuple[CheckResult, ...]

    @property
    def status(self) -> Status:
        if not self.checks:
            return Status.OK
        return max((c.status for c in self.checks), key=lambda s: _RANK[s])

    @property
    def ok(self) -> bool:
        return self.status is not Status.ERROR

    @property
    def failed(self) -> CheckResult | None:
        return next((c for c in self.checks if c.status is Status.ERROR), None)


FieldKind = Literal["text", "secret", "choice", "bool", "int", "hours", "faq"]


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a step (the renderer picks a widget or a prompt by ``kind``)."""

    name: str  # attribute of Answers
    label: Text
    kind: FieldKind = "text"
    required: bool = False
    help: Text | None = None
    link: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(slots=True)
class Answers:
    """Everything the owner typed or chose; secrets stay in memory until ``commit``."""

    app_id: str = ""
    app_secret: str = ""
    access_token: str = ""
    waba_id: str = ""
    phone_number_id: str = ""
    pin: str = ""
    verify_token: str = ""
    public_mode: Literal["ngrok", "own"] = "ngrok"
    public_url: str = ""
    ngrok_authtoken: str = ""
    ngrok_domain: str = ""
    ngrok_path: str = ""  # an agent the owner installed; "" = the one the app downloads
    port: int = 8080
    callback_mode: Literal["app", "phone"] = "app"
    model: str = ""
    num_ctx: int = _DEFAULT_CONTEXT
    # The model server: Ollama on this PC, or any OpenAI-compatible server (the same settings
    # the settings dialog writes). The API key is a secret: keyring only, on ``commit``.
    llm_provider: Literal["ollama", "openai"] = "ollama"
    openai_base_url: str = ""
    openai_model: str = ""
    openai_context_size: int = 0  # tokens; 0 = the server's own (llm_context_size)
    llm_api_key: str = ""
    voice_model: str = ""  # the voice_model setting; "" = leave it as it is
    business_name: str = ""
    business_hours: dict[str, list[list[str]]] = field(default_factory=dict)
    business_address: str = ""
    payment_methods: str = ""
    faq: tuple[tuple[str, str], ...] = ()
    bot_from_day_one: bool = True
    practice_mode: bool = False

    @property
    def uses_openai(self) -> bool:
        return self.llm_provider == "openai"

    def secret_values(self) -> list[str]:
        values = [self.app_secret, self.access_token, self.verify_token, self.ngrok_authtoken]
        values.append(self.pin)
        values.append(self.llm_api_key)
        if self.app_id and self.app_secret:
            values.append(f"{self.app_id}|{self.app_secret}")
        return [v for v in values if v]

    def secrets_to_store(self) -> dict[SecretKey, str]:
        pairs = {
            SecretKey.ACCESS_TOKEN: self.access_token,
            SecretKey.APP_SECRET: self.app_secret,
            SecretKey.VERIFY_TOKEN: self.verify_token,
            SecretKey.PHONE_NUMBER_ID: self.phone_number_id,
            SecretKey.WABA_ID: self.waba_id,
            SecretKey.NGROK_AUTHTOKEN: self.ngrok_authtoken if self.public_mode == "ngrok" else "",
            SecretKey.PIN: self.pin,
            SecretKey.LLM_API_KEY: self.llm_api_key.strip() if self.uses_openai else "",
        }
        return {k: v for k, v in pairs.items() if v}


def generate_verify_token() -> str:
    """A random verify token (the owner never types one)."""
    return pysecrets.token_urlsafe(24)


# -- redaction ----------------------------------------------------------------------------------


class Redactor:
    """Removes secret values (and values of secret-named keys) from what goes into "detalles"."""

    def __init__(self, values: Callable[[], Iterable[str]]) -> None:
        self._values = values

    def text(self, value: str) -> str:
        for secret in sorted((v for v in self._values() if v), key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        return value

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if not parts.query:
            return self.text(url)
        query = [
            (k, REDACTED if k.lower() in _SECRET_KEYS else v) for k, v in parse_qsl(parts.query)
        ]
        return self.text(urlunsplit(parts._replace(query=urlencode(query, safe="|,*"))))

    def data(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                str(k): REDACTED if str(k).lower() in _SECRET_KEYS else self.data(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


# -- Graph calls --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphAnswer:
    status: int | None
    data: Any
    exchange: Exchange

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and isinstance(self.data, dict)

    @property
    def error_code(self) -> int | None:
        if isinstance(self.data, dict) and isinstance(self.data.get("error"), dict):
            code = self.data["error"].get("code")
            return code if isinstance(code, int) else None
        return None

    @property
    def error_message(self) -> str:
        if isinstance(self.data, dict) and isinstance(self.data.get("error"), dict):
            return str(self.data["error"].get("message") or "")
        return ""


class GraphSetupClient:
    """The setup endpoints of meta-cloud-api.md section 6, every call recorded and redacted."""

    def __init__(
        self, http: httpx.AsyncClient, base_url: str, api_version: str, redactor: Redactor
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._version = api_version.strip("/")
        self._redact = redactor

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> GraphAnswer:
        url = f"{self._base}/{self._version}/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        shown_url = self._redact.url(str(httpx.URL(url, params=dict(params or {}))))
        shown_body = self._redact.data(dict(body)) if body is not None else None
        try:
            response = await self._http.request(
                method, url, params=params, json=body, headers=headers, timeout=20.0
            )
        except httpx.HTTPError as exc:
            exchange = Exchange(method, shown_url, shown_body, error=type(exc).__name__)
            return GraphAnswer(None, None, exchange)
        try:
            data: Any = response.json()
        except ValueError:
            data = self._redact.text(response.text[:500])
        exchange = Exchange(
            method, shown_url, shown_body, response.status_code, self._redact.data(data)
        )
        return GraphAnswer(response.status_code, data, exchange)


def _graph_failure(check: str, answer: GraphAnswer, what: Text) -> CheckResult:
    """A generic explanation of a failed Graph call by its error code."""
    code = answer.error_code
    details = (answer.exchange,)
    if answer.status is None:
        return CheckResult(
            check,
            Status.ERROR,
            Text(
                f"No se pudo conectar con Meta para {what.es}.",
                f"Could not reach Meta to {what.en}.",
            ),
            Text(
                "Revisa la conexión a internet de esta PC y vuelve a intentarlo.",
                "Check this PC's internet connection and try again.",
            ),
            details,
        )
    if code == 190 or code == 0 or answer.status == 401:
        return CheckResult(
            check,
            Status.ERROR,
            Text(
                "El token de acceso venció o no es válido.",
                "The access token expired or is not valid.",
            ),
            _PERMANENT_TOKEN_FIX,
            details,
            SYSTEM_USERS_URL,
        )
    if code is not None and (code == 10 or 200 <= code <= 299 or code == 131005):
        return CheckResult(
            check,
            Status.ERROR,
            Text(
                f"El token no tiene permiso para {what.es}.",
                f"The token has no permission to {what.en}.",
            ),
            _PERMISSIONS_FIX,
            details,
            SYSTEM_USERS_URL,
        )
    return CheckResult(
        check,
        Status.ERROR,
        Text(
            f"Meta rechazó el pedido para {what.es} (código {code}): {answer.error_message}",
            f"Meta refused the request to {what.en} (code {code}): {answer.error_message}",
        ),
        Text(
            "Revisa los datos que escribiste; si sigue igual, copia los detalles para soporte.",
            "Check what you typed; if it persists, copy the details for support.",
        ),
        details,
    )


_PERMANENT_TOKEN_FIX: Final = Text(
    "Crea un token permanente: Configuración del negocio > Usuarios del sistema > Agregar "
    "(rol administrador) > Asignar activos (la app con control total y la cuenta de WhatsApp) > "
    "Generar token, sin vencimiento, con los permisos whatsapp_business_messaging y "
    "whatsapp_business_management. Pégalo aquí.",
    "Create a permanent token: Business Settings > System users > Add (admin role) > Assign "
    "assets (the app with full control and the WhatsApp account) > Generate token, never "
    "expiring, with the whatsapp_business_messaging and whatsapp_business_management "
    "permissions. Paste it here.",
)
_PERMISSIONS_FIX: Final = Text(
    "Genera el token de nuevo marcando los permisos whatsapp_business_messaging y "
    "whatsapp_business_management, y asigna la cuenta de WhatsApp al usuario del sistema.",
    "Generate the token again with the whatsapp_business_messaging and "
    "whatsapp_business_management permissions, and assign the WhatsApp account to the "
    "system user.",
)


# -- the local server the wizard starts -----------------------------------------------------------


class SetupServer:
    """The local webhook endpoint while the wizard runs: the GET handshake and signed POSTs.

    A POST with a valid signature is counted as "a message arrived" (the connect step waits for
    one); its content is not stored (the real server does that once the app is live).
    """

    def __init__(self, verify_token: Callable[[], str], app_secret: Callable[[], str]) -> None:
        self._verify_token = verify_token
        self._app_secret = app_secret
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.handshakes = 0
        self.messages: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self, port: int, host: str = "127.0.0.1") -> int:
        app = web.Application()
        app.router.add_get(WEBHOOK_PATH, self._get)
        app.router.add_post(WEBHOOK_PATH, self._post)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def wait_for_message(self, timeout: float) -> dict[str, Any] | None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._arrived.wait()
        return self.messages[0] if self.messages else None

    async def _get(self, request: web.Request) -> web.Response:
        query = request.query
        expected = self._verify_token()
        if (
            query.get("hub.mode") == "subscribe"
            and expected
            and query.get("hub.verify_token") == expected
            and query.get("hub.challenge") is not None
        ):
            self.handshakes += 1
            return web.Response(text=query["hub.challenge"], content_type="text/plain")
        return web.Response(status=403, text="Forbidden")

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.read()
        check = verify_signature(
            self._app_secret(), body, request.headers.get("X-Hub-Signature-256")
        )
        if check is not SignatureCheck.OK:
            return web.Response(status=401, text="Unauthorized")
        with contextlib.suppress(ValueError):
            payload = json.loads(body)
            for entry in payload.get("entry") or []:
                for change in entry.get("changes") or []:
                    value = change.get("value") or {}
                    for message in value.get("messages") or []:
                        if isinstance(message, dict):
                            self.messages.append(
                                {"from": message.get("from"), "type": message.get("type")}
                            )
                            self._arrived.set()
        return web.Response(text="OK")


# -- the flow -------------------------------------------------------------------------------------


ProgressCallback = Callable[["PullProgress"], None]


@dataclass(frozen=True, slots=True)
class PullProgress:
    status: str
    completed: int
    total: int
    bytes_per_s: float
    eta_s: float | None


@dataclass(slots=True)
class Found:
    """Facts the checks discovered (no secrets)."""

    app_name: str = ""
    token_expires_at: int | None = None
    display_phone_number: str = ""
    verified_name: str = ""
    quality_rating: str = ""
    code_verification_status: str = ""
    registered: bool | None = None
    public_url: str = ""
    callback_url: str = ""
    effective_callback: str = ""
    ollama_version: str = ""
    models: tuple[str, ...] = ()
    openai_models: tuple[str, ...] | None = None  # None: not asked, or the server lists none
    recommended_model: str = ""
    ram_bytes: int | None = None
    register_attempts: int = 0
    owner_wa_id: str = ""  # who sent the first message (the owner's phone)


class SetupFlow:
    """The wizard's state and services; steps read and write it.

    Args:
        secrets: where :meth:`commit` stores the secrets (normally the profile's keyring store).
        save_settings: writes non-secret settings (``core.settings.save_settings`` in a session).
        graph_url / api_version / ollama_url: where Meta and Ollama are.
        ngrok_path / ngrok_config: the agent pyngrok drives (``None``: pyngrok's default path).
        http: the client for Graph, Ollama probes and the public-URL self-check.
    """

    def __init__(
        self,
        *,
        secrets: SecretStore,
        save_settings: Callable[[dict[str, Any]], Awaitable[None]],
        graph_url: str = "https://graph.facebook.com",
        api_version: str = "v25.0",
        ollama_url: str = "http://127.0.0.1:11434",
        ngrok_path: Path | None = None,
        ngrok_config: Path,
        ngrok_download_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        keyring_usable: Callable[[], bool] | None = None,
        answers: Answers | None = None,
        tunnel_connect_timeout: float = 20.0,
        tunnel_watchdog_interval: float = 30.0,
    ) -> None:
        self.answers = answers or Answers()
        self._tunnel_timing = (tunnel_connect_timeout, tunnel_watchdog_interval)
        self.found = Found()
        self.secrets = secrets
        self._save_settings = save_settings
        self.graph_url = graph_url
        self.api_version = api_version
        self.ollama_url = ollama_url.rstrip("/")
        self.ngrok_path = ngrok_path
        self.ngrok_config = ngrok_config
        self.ngrok_download_url = ngrok_download_url
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(timeout=20.0)
        self._keyring_usable = keyring_usable or KeyringSecretStore.usable
        self.redactor = Redactor(self.answers.secret_values)
        self.graph = GraphSetupClient(self.http, graph_url, api_version, self.redactor)
        self.hub = EventHub()
        self.server: SetupServer | None = None
        self.tunnel: TunnelManager | None = None
        self.results: dict[StepId, StepResult] = {}
        if not self.answers.verify_token:
            self.answers.verify_token = generate_verify_token()

    @property
    def steps(self) -> tuple[Step, ...]:
        return STEPS

    def step(self, step_id: StepId) -> Step:
        return next(s for s in STEPS if s.id is step_id)

    async def run_step(self, step_id: StepId, **kwargs: Any) -> StepResult:
        result = await self.step(step_id).check(self, **kwargs)
        self.results[step_id] = result
        return result

    async def aclose(self) -> None:
        """Stop the wizard's server and tunnel; close its HTTP client."""
        if self.tunnel is not None:
            with contextlib.suppress(Exception):
                await self.tunnel.stop()
            self.tunnel = None
        if self.server is not None:
            await self.server.stop()
            self.server = None
        if self._own_http:
            await self.http.aclose()
        closers, self._closers = self._closers, []
        for close in reversed(closers):
            with contextlib.suppress(Exception):
                await close()

    def on_close(self, close: Callable[[], Awaitable[None]]) -> None:
        """Run ``close`` when the flow closes (a profile flow closes its database)."""
        self._closers.append(close)

    def agent_path(self) -> Path:
        """The ngrok agent the tunnel runs: the owner's, the configured one, or pyngrok's."""
        if self.answers.ngrok_path.strip():
            return Path(self.answers.ngrok_path.strip()).expanduser()
        if self.ngrok_path is not None:
            return self.ngrok_path
        return default_agent_path()

    async def __aenter__(self) -> SetupFlow:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def app_token(self) -> str:
        return f"{self.answers.app_id}|{self.answers.app_secret}"

    # -- secrets --------------------------------------------------------------------------------

    def keyring_check(self) -> CheckResult:
        try:
            usable = self._keyring_usable()
        except Exception:
            usable = False
        if usable:
            return CheckResult(
                "keyring",
                Status.OK,
                Text(
                    "Las claves se guardarán en el llavero seguro del sistema.",
                    "Secrets will be stored in the system's secure keyring.",
                ),
            )
        return CheckResult("keyring", Status.ERROR, _NO_KEYRING, _NO_KEYRING_FIX)

    async def commit(self) -> CheckResult:
        """Store every secret in the keyring and the non-secret answers in the settings.

        With no usable keyring nothing at all is stored (no plain-text fallback).
        """
        # The keyring is a synchronous OS call (D-Bus): never on the event loop.
        keyring = await run_blocking(self.keyring_check)
        if keyring.status is Status.ERROR:
            return keyring
        stored = await run_blocking(self._store_secrets)
        if stored is None:
            return CheckResult("keyring", Status.ERROR, _NO_KEYRING, _NO_KEYRING_FIX)
        await self._save_settings(self.settings_to_save())
        return CheckResult(
            "stored",
            Status.OK,
            Text(
                f"Se guardaron {len(stored)} datos en el llavero y la configuración.",
                f"Stored {len(stored)} items in the keyring and the settings.",
            ),
        )

    def _store_secrets(self) -> list[SecretKey] | None:
        stored: list[SecretKey] = []
        try:
            for key, value in self.answers.secrets_to_store().items():
                self.secrets.set(key, value)
                stored.append(key)
            if not self.answers.pin:
                self.secrets.delete(SecretKey.PIN)
            if self.answers.public_mode != "ngrok":
                self.secrets.delete(SecretKey.NGROK_AUTHTOKEN)
            if self.answers.uses_openai and not self.answers.llm_api_key.strip():
                self.secrets.delete(SecretKey.LLM_API_KEY)  # the owner emptied the key field
        except KeyringUnavailableError:
            for key in stored:
                with contextlib.suppress(KeyringUnavailableError):
                    self.secrets.delete(key)
            return None
        return stored

    def settings_to_save(self) -> dict[str, Any]:
        a = self.answers
        values: dict[str, Any] = {
            "graph_base_url": self.graph_url,
            "graph_api_version": self.api_version,
            "ollama_host": self.ollama_url,
            "meta_app_id": a.app_id,
            "callback_mode": a.callback_mode,
            "ngrok_domain": a.ngrok_domain if a.public_mode == "ngrok" else "",
            "ngrok_agent_path": a.ngrok_path.strip() if a.public_mode == "ngrok" else "",
            "own_public_url": a.public_url if a.public_mode == "own" else "",
            "llm_num_ctx": a.num_ctx,
        }
        if a.model:
            values["llm_model"] = a.model
        values["llm_provider"] = a.llm_provider
        if a.llm_provider == "openai":
            values["openai_base_url"] = normalize_base_url(a.openai_base_url)
            values["openai_model"] = a.openai_model.strip()
            values["llm_context_size"] = max(0, a.openai_context_size)
        if a.voice_model.strip():
            values["voice_model"] = a.voice_model.strip()
        values.update(shop_settings(a))
        return values

    # -- server / tunnel ------------------------------------------------------------------------

    async def ensure_public_path(self) -> tuple[list[CheckResult], str | None]:
        """Start the local server and the tunnel (or take the own URL); returns the public URL."""
        checks: list[CheckResult] = []
        a = self.answers
        if self.server is None:
            server = SetupServer(lambda: self.answers.verify_token, lambda: self.answers.app_secret)
            try:
                await server.start(a.port)
            except OSError:
                checks.append(
                    CheckResult(
                        "local_server",
                        Status.ERROR,
                        Text(
                            f"El puerto {a.port} de esta PC está ocupado por otro programa.",
                            f"Port {a.port} on this PC is used by another program.",
                        ),
                        Text(
                            "Cierra el otro programa (¿WaBot ya está abierto?) o elige otro "
                            "puerto.",
                            "Close the other program (is WaBot already open?) or pick "
                            "another port.",
                        ),
                    )
                )
                return checks, None
            self.server = server
        checks.append(
            CheckResult(
                "local_server",
                Status.OK,
                Text(
                    f"El servidor local escucha en el puerto {self.server.port}.",
                    f"The local server listens on port {self.server.port}.",
                ),
            )
        )
        if a.public_mode == "own":
            try:
                url = normalize_public_url(a.public_url)
            except ValueError:
                checks.append(
                    CheckResult(
                        "public_url",
                        Status.ERROR,
                        Text(
                            "La dirección propia debe empezar con https:// y no llevar parámetros.",
                            "Your own address must start with https:// and have no query.",
                        ),
                        Text(
                            "Escribe la dirección base, por ejemplo https://tienda.ejemplo.com",
                            "Type the base address, e.g. https://shop.example.com",
                        ),
                    )
                )
                return checks, None
            self.found.public_url = url
            return checks, url
        if self.tunnel is not None and self.tunnel.public_url:
            self.found.public_url = self.tunnel.public_url
            return checks, self.tunnel.public_url
        if not a.ngrok_authtoken:
            checks.append(
                CheckResult(
                    "tunnel",
                    Status.ERROR,
                    Text("Falta el authtoken de ngrok.", "The ngrok authtoken is missing."),
                    Text(
                        "Crea una cuenta gratis en ngrok, copia tu authtoken y pégalo aquí.",
                        "Create a free ngrok account, copy its authtoken and paste it here.",
                    ),
                    link=NGROK_TOKEN_URL,
                )
            )
            return checks, None
        try:
            domain = normalize_domain(a.ngrok_domain) if a.ngrok_domain else None
        except ValueError:
            checks.append(
                CheckResult(
                    "tunnel",
                    Status.ERROR,
                    Text("El dominio de ngrok no es válido.", "The ngrok domain is not valid."),
                    Text(
                        "Escribe solo el nombre, por ejemplo mitienda.ngrok-free.app",
                        "Type only the name, e.g. myshop.ngrok-free.app",
                    ),
                    link=NGROK_DOMAIN_URL,
                )
            )
            return checks, None
        assert self.server.port is not None
        tunnel = TunnelManager(
            local_port=self.server.port,
            hub=self.hub,
            ngrok_path=self.agent_path(),
            config_path=self.ngrok_config,
            authtoken=a.ngrok_authtoken,
            domain=domain,
            connect_timeout=self._tunnel_timing[0],
            watchdog_interval=self._tunnel_timing[1],
        )
        tunnel_url = await tunnel.start()
        if tunnel_url is None:
            checks.append(_tunnel_failure(tunnel.state, tunnel.detail))
            await tunnel.stop()
            return checks, None
        url = tunnel_url
        self.tunnel = tunnel
        checks.append(
            CheckResult(
                "tunnel",
                Status.OK if domain else Status.WARNING,
                Text(f"El túnel de ngrok está abierto: {url}", f"The ngrok tunnel is up: {url}")
                if domain
                else Text(
                    f"El túnel está abierto ({url}), pero sin dominio fijo la dirección cambia "
                    "en cada reinicio; la app la vuelve a registrar en Meta sola.",
                    f"The tunnel is up ({url}), but without a static domain the address "
                    "changes on every restart; the app re-registers it with Meta by itself.",
                ),
                None
                if domain
                else Text(
                    "Recomendado: reserva tu dominio gratis en ngrok y escríbelo aquí.",
                    "Recommended: claim your free ngrok domain and type it here.",
                ),
                link=None if domain else NGROK_DOMAIN_URL,
            )
        )
        self.found.public_url = url
        return checks, url

    async def self_check(self, public_url: str) -> CheckResult:
        """GET verify on our own public URL with a random challenge: the path Meta will use."""
        challenge = pysecrets.token_hex(8)
        url = public_url + WEBHOOK_PATH
        params = {
            "hub.mode": "subscribe",
            "hub.verify_token": self.answers.verify_token,
            "hub.challenge": challenge,
        }
        shown = self.redactor.url(str(httpx.URL(url, params=params)))
        try:
            response = await self.http.get(url, params=params, timeout=15.0)
        except httpx.HTTPError as exc:
            return CheckResult(
                "self_check",
                Status.ERROR,
                Text(
                    f"Esta PC no se pudo llamar a sí misma por {url}.",
                    f"This PC could not call itself through {url}.",
                ),
                Text(
                    "Si usas tu propia dirección, revisa que apunte a este puerto de esta PC y "
                    "que el certificado HTTPS sea válido; con ngrok, vuelve a abrir el túnel.",
                    "If you use your own address, check it forwards to this port on this PC "
                    "and has a valid HTTPS certificate; with ngrok, open the tunnel again.",
                ),
                (Exchange("GET", shown, error=type(exc).__name__),),
            )
        exchange = Exchange("GET", shown, status=response.status_code, response=response.text[:200])
        if response.status_code == 200 and response.text == challenge:
            return CheckResult(
                "self_check",
                Status.OK,
                Text(
                    f"La dirección pública llega a esta PC: {url}",
                    f"The public address reaches this PC: {url}",
                ),
                details=(exchange,),
            )
        return CheckResult(
            "self_check",
            Status.ERROR,
            Text(
                f"La dirección {url} respondió otra cosa (HTTP {response.status_code}): no "
                "llega a este programa.",
                f"{url} answered something else (HTTP {response.status_code}): it does not "
                "reach this program.",
            ),
            Text(
                "Revisa que la dirección apunte a esta PC y al puerto elegido.",
                "Check the address forwards to this PC and the chosen port.",
            ),
            (exchange,),
        )


_NO_KEYRING: Final = Text(
    "No hay un llavero seguro del sistema disponible: las claves no se pueden guardar y no se "
    "guardó nada (nunca se guardan en texto plano).",
    "No secure system keyring is available: secrets cannot be stored and nothing was stored "
    "(they are never saved as plain text).",
)
_NO_KEYRING_FIX: Final = Text(
    "En Linux instala y abre un llavero (gnome-keyring o KWallet; en un servidor sin pantalla: "
    "gnome-keyring con dbus-run-session), en Windows y macOS el llavero ya viene con el sistema. "
    "Luego repite la configuración.",
    "On Linux install and unlock a keyring (gnome-keyring or KWallet; on a headless server: "
    "gnome-keyring under dbus-run-session); Windows and macOS have one built in. Then run the "
    "setup again.",
)


def _tunnel_failure(state: TunnelState, detail: str | None) -> CheckResult:
    if state is TunnelState.AUTH_FAILED:
        return CheckResult(
            "tunnel",
            Status.ERROR,
            Text("ngrok rechazó el authtoken.", "ngrok rejected the authtoken."),
            Text(
                "Copia de nuevo el authtoken desde tu panel de ngrok (sin espacios).",
                "Copy the authtoken again from your ngrok dashboard (no spaces).",
            ),
            link=NGROK_TOKEN_URL,
        )
    if state is TunnelState.AGENT_MISSING:
        return CheckResult(
            "tunnel",
            Status.ERROR,
            Text(
                "El programa ngrok no está instalado en esta PC.",
                "The ngrok program is not installed on this PC.",
            ),
            Text(
                "Instálalo desde ngrok.com/download (o indica dónde está) y vuelve a verificar.",
                "Install it from ngrok.com/download (or point to it) and check again.",
            ),
            link="https://ngrok.com/download",
        )
    return CheckResult(
        "tunnel",
        Status.ERROR,
        Text(
            f"No se pudo abrir el túnel de ngrok ({detail}).",
            f"Could not open the ngrok tunnel ({detail}).",
        ),
        Text(
            "Revisa la conexión a internet y que el dominio sea tuyo; vuelve a intentarlo.",
            "Check the internet connection and that the domain is yours; try again.",
        ),
    )


# -- steps ----------------------------------------------------------------------------------------


class Step:
    """One wizard page: its inputs and its check."""

    id: StepId
    title: Text
    intro: Text
    inputs: tuple[Field, ...] = ()
    links: tuple[tuple[Text, str], ...] = ()

    async def check(self, flow: SetupFlow, **kwargs: Any) -> StepResult:
        raise NotImplementedError


class WelcomeStep(Step):
    id = StepId.WELCOME
    title = Text("Bienvenida", "Welcome")
    intro = Text(
        "Para atender WhatsApp de verdad necesitas: una cuenta de desarrollador de Meta (gratis), "
        "un número de teléfono que NO esté en uso en la app WhatsApp ni en WhatsApp Business "
        "(la API de Meta y la app del teléfono no pueden compartir el número en una app propia: "
        "lo más simple es un segundo número, por ejemplo un chip nuevo), esta PC encendida con "
        "internet, y unos 20 minutos.\n\n"
        "Costos: Meta cobra cada mensaje de plantilla según el país. Desde el "
        f"{SERVICE_PRICING_FROM}, las respuestas de atención (los mensajes normales dentro de "
        f"las 24 horas) son gratis solo hasta {FREE_SERVICE_MESSAGES} por número por mes; las "
        "siguientes se cobran, y sin un medio de pago en la cuenta no se entregan. Consulta los "
        "precios actuales de Meta antes de empezar. ngrok y Ollama tienen planes gratis.\n\n"
        "Si prefieres, sigue en el modo de prueba y configura esto más tarde.",
        "To answer real WhatsApp you need: a Meta developer account (free), a phone number that "
        "is NOT in use in the WhatsApp or WhatsApp Business app (Meta's API and the phone app "
        "cannot share the number in a self-made app: a second number, e.g. a new SIM, is the "
        "simple way), this PC switched on with internet, and about 20 minutes.\n\n"
        "Costs: Meta charges each template message by country. From "
        f"{SERVICE_PRICING_FROM}, service replies (normal messages within 24 hours) are free only "
        f"up to {FREE_SERVICE_MESSAGES} per number per month; the rest are charged, and without "
        "a payment method on the account they are not delivered. Check Meta's current prices "
        "before you start. ngrok and Ollama have free plans.\n\n"
        "If you prefer, stay in practice mode (the simulator) and set this up later.",
    )
    inputs = (
        Field(
            "practice_mode",
            Text("Seguir en modo de prueba por ahora", "Stay in practice mode for now"),
            "bool",
        ),
    )
    links = ((Text("Precios de Meta", "Meta's prices"), PRICING_URL),)

    async def check(self, flow: SetupFlow, **kwargs: Any) -> StepResult:
        checks = [
            CheckResult(
                "pricing",
                Status.OK,
                Text(
                    f"Las primeras {FREE_SERVICE_MESSAGES} respuestas de cada mes son gratis; "
                    "consulta los precios actuales de Meta.",
                    f"The first {FREE_SERVICE_MESSAGES} replies each month are free; check "
                    "Meta's current prices.",
                ),
                link=PRICING_URL,
            ),
            await run_blocking(flow.keyring_check),
        ]
        return StepResult(self.id, tuple(checks))


class MetaAppStep(Step):
    id = StepId.META_APP
    title = Text("App de Meta", "Meta app")
    intro = Text(
        "1. Abre developers.facebook.com/apps, crea una app de tipo Empresa y agrega el producto "
        "WhatsApp.\n2. En WhatsApp > Configuración de la API copia el identificador del número y "
        "el de la cuenta de WhatsApp Business.\n3. En Configuración > Básica copia el "
        "identificador de la app y la clave secreta.\n4. Crea un token permanente de usuario del "
        "sistema (el token temporal vence en 24 horas).",
        "1. Open developers.facebook.com/apps, create a Business app and add the WhatsApp "
        "product.\n2. In WhatsApp > API Setup copy the phone number ID and the WhatsApp "
        "Business Account ID.\n3. In Settings > Basic copy the App ID and the App Secret.\n4. "
        "Create a permanent system-user token (the temporary token expires in 24 hours).",
    )
    inputs = (
        Field("app_id", Text("Identificador de la app", "App ID"), required=True, link=APPS_URL),
        Field("app_secret", Text("Clave secreta de la app", "App Secret"), "secret", True),
        Field(
            "access_token",
            Text("Token de acceso", "Access token"),
            "secret",
            True,
            link=SYSTEM_USERS_URL,
        ),
        Field(
            "waba_id",
            Text(
                "Cuenta de WhatsApp Business (opcional)", "WhatsApp Business Account ID (optional)"
            ),
            help=Text(
                "Si la dejas vacía, se busca con el token.",
                "Leave empty to discover it from the token.",
            ),
        ),
        Field(
            "phone_number_id", Text("Identificador del número", "Phone number ID"), required=True
        ),
        Field(
            "pin",
            Text(
                "PIN de 6 dígitos (solo para registrar el número)",
                "6-digit PIN (only to register the number)",
            ),
            "secret",
        ),
    )
    links = ((Text("Tus apps de Meta", "Your Meta apps"), APPS_URL),)

    async def check(self, flow: SetupFlow, **kwargs: Any) -> StepResult:
        checks: list[CheckResult] = []
        form = self._check_form(flow.answers)
        if form is not None:
            return StepResult(self.id, (form,))
        token = await self._check_token(flow)
        checks.extend(token)
        if any(c.status is Status.ERROR for c in token):
            return StepResult(self.id, tuple(checks))
        phone = await self._check_phone(flow)
        checks.append(phone)
        if phone.status is Status.ERROR:
            return StepResult(self.id, tuple(checks))
        in_waba = await self._check_in_waba(flow)
        checks.append(in_waba)
        if in_waba.status is Status.ERROR:
            return StepResult(self.id, tuple(checks))
        checks.append(await self._check_registration(flow))
        return StepResult(self.id, tuple(checks))

    @staticmethod
    def _check_form(a: Answers) -> CheckResult | None:
        bad = [
            name
            for name, value in (("app_id", a.app_id), ("phone_number_id", a.phone_number_id))
            if not _ID_RE.match(value.strip())
        ]
        if a.waba_id and not _ID_RE.match(a.waba_id.strip()):
            bad.append("waba_id")
        if not a.app_secret.strip() or not a.access_token.strip():
            bad.append("app_secret" if not a.app_secret.strip() else "access_token")
        if a.pin and not _PIN_RE.match(a.pin):
            bad.append("pin")
        if not bad:
            return None
        return CheckResult(
            "form",
            Status.ERROR,
            Text(
                "Faltan datos o no tienen el formato esperado: " + ", ".join(bad),
                "Missing or malformed: " + ", ".join(bad),
            ),
            Text(
                "Los identificadores son solo números; el PIN son 6 dígitos. Cópialos de nuevo "
                "desde el panel de Meta.",
                "IDs are digits only; the PIN is 6 digits. Copy them again from Meta's dashboard.",
            ),
        )

    @staticmethod
    async def _check_token(flow: SetupFlow) -> list[CheckResult]:
        a = flow.answers
        answer = await flow.graph.call(
            "GET",
            "debug_token",
            params={"input_token": a.access_token, "access_token": flow.app_token()},
        )
        what = Text("revisar el token", "check the token")
        if not answer.ok:
            return [_graph_failure("token", answer, what)]
        data = answer.data.get("data") if isinstance(answer.data.get("data"), dict) else {}
        details = (answer.exchange,)
        if not data.get("is_valid"):
            return [
                CheckResult(
                    "token",
                    Status.ERROR,
                    Text("El token venció o fue revocado.", "The token expired or was revoked."),
                    _PERMANENT_TOKEN_FIX,
                    details,
                    SYSTEM_USERS_URL,
                )
            ]
        if str(data.get("app_id") or "") != a.app_id:
            other = data.get("application") or data.get("app_id")
            return [
                CheckResult(
                    "token",
                    Status.ERROR,
                    Text(
                        f"El token es de otra app ({other}), no de la app indicada.",
                        f"The token belongs to another app ({other}), not the one given.",
                    ),
                    Text(
                        "Genera el token para esta app, o corrige el identificador de la app.",
                        "Generate the token for this app, or fix the App ID.",
                    ),
                    details,
                )
            ]
        scopes = {str(s) for s in data.get("scopes") or []}
        missing = [s for s in REQUIRED_SCOPES if s not in scopes]
        if missing:
            return [
                CheckResult(
                    "token",
                    Status.ERROR,
                    Text(
                        "Al token le faltan permisos: " + ", ".join(missing),
                        "The token lacks permissions: " + ", ".join(missing),
                    ),
                    _PERMISSIONS_FIX,
                    details,
                    SYSTEM_USERS_URL,
                )
            ]
        flow.found.app_name = str(data.get("application") or "")
        results: list[CheckResult] = []
        expires = int(data.get("expires_at") or 0)
        flow.found.token_expires_at = expires or None
        now = time.time()
        if expires and expires - now < 2 * 86400:
            results.append(
                CheckResult(
                    "token",
                    Status.WARNING,
                    Text(
                        "Este token es temporal: vence en menos de 24 horas y el bot dejará de "
                        "responder.",
                        "This token is temporary: it expires within 24 hours and the bot will stop "
                        "answering.",
                    ),
                    _PERMANENT_TOKEN_FIX,
                    details,
                    SYSTEM_USERS_URL,
                )
            )
        elif expires:
            when = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%d")
            results.append(
                CheckResult(
                    "token",
                    Status.WARNING,
                    Text(
                        f"El token vence el {when}; la app te avisará una semana antes.",
                        f"The token expires on {when}; the app will warn you a week before.",
                    ),
                    _PERMANENT_TOKEN_FIX,
                    details,
                    SYSTEM_USERS_URL,
                )
            )
        else:
            results.append(
                CheckResult(
                    "token",
                    Status.OK,
                    Text(
                        f"Token válido y permanente de la app {flow.found.app_name or a.app_id}.",
                        f"Valid permanent token of app {flow.found.app_name or a.app_id}.",
                    ),
                    details=details,
                )
            )
        if not a.waba_id:
            results.append(_discover_waba(flow, data, answer.exchange))
        return results

    @staticmethod
    async def _check_phone(flow: SetupFlow) -> CheckResult:
        a = flow.answers
        answer = await flow.graph.call(
            "GET",
            a.phone_number_id,
            token=a.access_token,
            params={
                "fields": "display_phone_number,verified_name,quality_rating,"
                "code_verification_status,platform_type,status"
            },
        )
        if not answer.ok:
            if answer.error_code == 100:
                return CheckResult(
                    "phone",
                    Status.ERROR,
                    Text(
                        "No existe un número con ese identificador para este token.",
                        "No phone number with that ID is visible to this token.",
                    ),
                    Text(
                        "Copia el identificador del número (no el número de teléfono) desde "
                        "WhatsApp > Configuración de la API.",
                        "Copy the phone number ID (not the phone number) from WhatsApp > API "
                        "Setup.",
                    ),
                    (answer.exchange,),
                )
            return _graph_failure("phone", answer, Text("leer el número", "read the number"))
        d = answer.data
        f = flow.found
        f.display_phone_number = str(d.get("display_phone_number") or "")
        f.verified_name = str(d.get("verified_name") or "")
        f.quality_rating = str(d.get("quality_rating") or "")
        f.code_verification_status = str(d.get("code_verification_status") or "")
        # platform_type CLOUD_API = registered on the Cloud API; NOT_APPLICABLE = not registered.
        f.registered = str(d.get("platform_type") or "") == "CLOUD_API"
        status = Status.OK
        extra_es = extra_en = ""
        if f.quality_rating == "RED":
            status = Status.WARNING
            extra_es, extra_en = (
                " La calidad está en ROJO: evita mensajes masivos.",
                (" Quality is RED: avoid bulk messages."),
            )
        if f.code_verification_status not in ("VERIFIED", ""):
            status = Status.WARNING
            extra_es += " El número aún no verificó su código: verifícalo en el panel de Meta."
            extra_en += " The number has not verified its code yet: verify it in Meta's dashboard."
        return CheckResult(
            "phone",
            status,
            Text(
                f"Número {f.display_phone_number} ({f.verified_name}), calidad "
                f"{f.quality_rating or '?'}, verificación {f.code_verification_status or '?'}."
                + extra_es,
                f"Number {f.display_phone_number} ({f.verified_name}), quality "
                f"{f.quality_rating or '?'}, verification {f.code_verification_status or '?'}."
                + extra_en,
            ),
            details=(answer.exchange,),
        )

    @staticmethod
    async def _check_in_waba(flow: SetupFlow) -> CheckResult:
        a = flow.answers
        answer = await flow.graph.call(
            "GET",
            f"{a.waba_id}/phone_numbers",
            token=a.access_token,
            params={"fields": "id,display_phone_number,verified_name"},
        )
        if not answer.ok:
            return _graph_failure(
                "in_waba", answer, Text("listar los números de la cuenta", "list the numbers")
            )
        ids = [
            str(item.get("id")) for item in answer.data.get("data") or [] if isinstance(item, dict)
        ]
        if a.phone_number_id in ids:
            return CheckResult(
                "in_waba",
                Status.OK,
                Text(
                    f"El número pertenece a la cuenta de WhatsApp Business {a.waba_id}.",
                    f"The number belongs to WhatsApp Business Account {a.waba_id}.",
                ),
                details=(answer.exchange,),
            )
        return CheckResult(
            "in_waba",
            Status.ERROR,
            Text(
                f"El número no pertenece a la cuenta de WhatsApp Business {a.waba_id} "
                f"(la cuenta tiene: {', '.join(ids) or 'ninguno'}).",
                f"The number is not in WhatsApp Business Account {a.waba_id} "
                f"(the account has: {', '.join(ids) or 'none'}).",
            ),
            Text(
                "Usa el identificador de cuenta que aparece junto al número en WhatsApp > "
                "Configuración de la API, o deja la cuenta vacía para buscarla con el token.",
                "Use the account ID shown next to the number in WhatsApp > API Setup, or leave "
                "it empty to discover it from the token.",
            ),
            (answer.exchange,),
        )

    @staticmethod
    async def _check_registration(flow: SetupFlow) -> CheckResult:
        a = flow.answers
        if flow.found.registered:
            return CheckResult(
                "register",
                Status.OK,
                Text(
                    "El número ya está registrado en la API de Meta.",
                    "The number is already registered with Meta's API.",
                ),
            )
        if not a.pin:
            return CheckResult(
                "register",
                Status.ERROR,
                Text(
                    "El número no está registrado en la API de Meta y no puede recibir ni "
                    "enviar mensajes.",
                    "The number is not registered with Meta's API and cannot send or receive.",
                ),
                Text(
                    "Elige un PIN de 6 dígitos (si el número ya tiene verificación en dos pasos, "
                    "usa ese PIN) y verifica de nuevo. Meta permite solo 10 intentos cada 72 "
                    "horas.",
                    "Choose a 6-digit PIN (if the number has two-step verification, use that "
                    "PIN) and check again. Meta allows only 10 attempts per 72 hours.",
                ),
            )
        flow.found.register_attempts += 1
        answer = await flow.graph.call(
            "POST",
            f"{a.phone_number_id}/register",
            token=a.access_token,
            body={"messaging_product": "whatsapp", "pin": a.pin},
        )
        if answer.ok and answer.data.get("success"):
            flow.found.registered = True
            return CheckResult(
                "register",
                Status.OK,
                Text(
                    "Número registrado en la API de Meta con tu PIN.",
                    "Number registered with Meta's API with your PIN.",
                ),
                details=(answer.exchange,),
            )
        if answer.error_code == REGISTER_LIMIT_CODE:
            return CheckResult(
                "register",
                Status.ERROR,
                Text(
                    "Meta bloqueó el registro: hubo más de 10 intentos en 72 horas.",
                    "Meta blocked registration: more than 10 attempts in 72 hours.",
                ),
                Text(
                    "Espera 72 horas desde el primer intento y prueba una sola vez con el PIN "
                    "correcto.",
                    "Wait 72 hours from the first attempt, then try once with the right PIN.",
                ),
                (answer.exchange,),
            )
        return _graph_failure(
            "register", answer, Text("registrar el número", "register the number")
        )


def _discover_waba(flow: SetupFlow, data: Mapping[str, Any], exchange: Exchange) -> CheckResult:
    ids: list[str] = []
    for scope in data.get("granular_scopes") or []:
        if isinstance(scope, dict) and scope.get("scope") in REQUIRED_SCOPES:
            for target in scope.get("target_ids") or []:
                if str(target) not in ids:
                    ids.append(str(target))
    if len(ids) == 1:
        flow.answers.waba_id = ids[0]
        return CheckResult(
            "waba",
            Status.OK,
            Text(
                f"Cuenta de WhatsApp Business encontrada: {ids[0]}.",
                f"WhatsApp Business Account found: {ids[0]}.",
            ),
            details=(exchange,),
        )
    return CheckResult(
        "waba",
        Status.ERROR,
        Text(
            "No se pudo saber cuál es la cuenta de WhatsApp Business"
            + (
                f" (el token ve varias: {', '.join(ids)})." if ids else " (el token no ve ninguna)."
            ),
            "Could not tell which WhatsApp Business Account to use"
            + (
                f" (the token sees several: {', '.join(ids)})."
                if ids
                else " (the token sees none)."
            ),
        ),
        Text(
            "Escribe el identificador de la cuenta (WhatsApp > Configuración de la API), o asigna "
            "la cuenta al usuario del sistema y genera el token de nuevo.",
            "Type the account ID (WhatsApp > API Setup), or assign the account to the system "
            "user and generate the token again.",
        ),
        (exchange,),
    )


class PublicAddressStep(Step):
    id = StepId.PUBLIC_ADDRESS
    title = Text("Dirección pública", "Public address")
    intro = Text(
        "Meta necesita una dirección HTTPS para entregar los mensajes a esta PC. Lo más simple es "
        "ngrok (gratis): crea una cuenta, copia tu authtoken y reserva tu dominio fijo gratis "
        "para que la dirección no cambie. Si ya tienes tu propia dirección HTTPS que llega a esta "
        "PC, elígela.",
        "Meta needs an HTTPS address to deliver messages to this PC. The simplest is ngrok "
        "(free): create an account, copy your authtoken and claim your free static domain so the "
        "address never changes. If you already have your own HTTPS address that reaches this "
        "PC, choose it.",
    )
    inputs = (
        Field(
            "public_mode",
            Text("Cómo llega Meta a esta PC", "How Meta reaches this PC"),
            "choice",
            True,
            choices=("ngrok", "own"),
        ),
        Field(
            "ngrok_authtoken",
            Text("Authtoken de ngrok", "ngrok authtoken"),
            "secret",
            link=NGROK_TOKEN_URL,
        ),
        Field(
            "ngrok_domain",
            Text("Dominio fijo de ngrok (recomendado)", "ngrok static domain (recommended)"),
            link=NGROK_DOMAIN_URL,
        ),
        Field("public_url", Text("Tu dirección HTTPS", "Your HTTPS address")),
        Field("port", Text("Puerto local", "Local port"), "int"),
    )

    async def check(self, flow: SetupFlow, **kwargs: Any) -> StepResult:
        checks, url = await flow.ensure_public_path()
        if url is not None:
            checks.append(await flow.self_check(url))
        return StepResult(self.id, tuple(checks))


@dataclass(frozen=True, slots=True)
class CallbackOutcome:
    checks: tuple[CheckResult, ...]
    effective: str | None


async def point_callback(
    graph: GraphSetupClient,
    *,
    mode: Literal["app", "phone"],
    callback_url: str,
    verify_token: str,
    access_token: str,
    phone_number_id: str,
    app_id: str = "",
    app_secret: str = "",
) -> CallbackOutcome:
    """Point Meta's callback at ``callback_url`` and read the effective one back (section 1.4).

    Used by the wizard and, while the app runs live, whenever the tunnel's URL changes.
    """
    checks: list[CheckResult] = []
    if mode == "app":
        app_token = f"{app_id}|{app_secret}"
        answer = await graph.call(
            "POST",
            f"{app_id}/subscriptions",
            params={
                "object": "whatsapp_business_account",
                "callback_url": callback_url,
                "verify_token": verify_token,
                "fields": "messages,smb_message_echoes",
                "access_token": app_token,
            },
        )
        if not (answer.ok and answer.data.get("success")):
            return CallbackOutcome(
                (
                    _graph_failure(
                        "callback", answer, Text("registrar la dirección", "register the address")
                    ),
                ),
                None,
            )
        back = await graph.call(
            "GET", f"{app_id}/subscriptions", params={"access_token": app_token}
        )
        registered = ""
        if back.ok:
            for item in back.data.get("data") or []:
                if (
                    isinstance(item, dict)
                    and item.get("object") == "whatsapp_business_account"
                    and item.get("active", True)
                ):
                    registered = str(item.get("callback_url") or "")
        details: tuple[Exchange, ...] = (answer.exchange, back.exchange)
    else:
        answer = await graph.call(
            "POST",
            phone_number_id,
            token=access_token,
            body={
                "webhook_configuration": {
                    "override_callback_uri": callback_url,
                    "verify_token": verify_token,
                }
            },
        )
        if not (answer.ok and answer.data.get("success")):
            return CallbackOutcome(
                (
                    _graph_failure(
                        "callback", answer, Text("registrar la dirección", "register the address")
                    ),
                ),
                None,
            )
        registered = callback_url
        details = (answer.exchange,)
    # What Meta will actually use: phone override > WABA override > app callback.
    effective_answer = await graph.call(
        "GET", phone_number_id, token=access_token, params={"fields": "webhook_configuration"}
    )
    config = effective_answer.data.get("webhook_configuration") if effective_answer.ok else None
    effective = None
    if isinstance(config, dict):
        for key in ("phone_number", "whatsapp_business_account", "application"):
            if config.get(key):
                effective = str(config[key])
                break
    details = (*details, effective_answer.exchange)
    if effective is None and mode == "app":
        effective = registered or None
    if effective == callback_url:
        checks.append(
            CheckResult(
                "callback",
                Status.OK,
                Text(
                    f"Meta entrega los mensajes a {callback_url} (leído de vuelta).",
                    f"Meta delivers messages to {callback_url} (read back).",
                ),
                details=details,
            )
        )
    else:
        checks.append(
            CheckResult(
                "callback",
                Status.ERROR,
                Text(
                    "Meta sigue entregando los mensajes a otra dirección "
                    f"({effective or 'ninguna'}).",
                    f"Meta still delivers messages to another address ({effective or 'none'}).",
                ),
                Text(
                    "Otra app o una configuración anterior tiene prioridad "
                    "(número > cuenta > app): usa la opción del número, o borra la otra en el "
                    "panel de Meta.",
                    "Another app or an earlier setting takes precedence "
                    "(number > account > app): "
                    "use the phone-number option, or remove the other one in Meta's dashboard.",
                ),
                details,
            )
        )
    return CallbackOutcome(tuple(checks), effective)


class CallbackKeeper:
    """While the app runs live: when the tunnel's public URL changes, re-point Meta's callback.

    Subscribes to ``TunnelStateChanged`` on ``hub``; every new public URL is registered with
    :func:`point_callback` (app subscription or phone-number override, as the wizard chose) and
    read back; a :class:`CallbackRegistered` event tells the status bar the outcome.
    """

    def __init__(
        self,
        *,
        hub: EventHub,
        graph: GraphSetupClient,
        secrets: SecretStore,
        app_id: str,
        mode: Literal["app", "phone"],
    ) -> None:
        self._hub = hub
        self._graph = graph
        self._secrets = secrets
        self._app_id = app_id
        self._mode: Literal["app", "phone"] = mode
        self._registered: str | None = None
        self._task: asyncio.Task[CallbackOutcome | None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.outcomes: list[CallbackOutcome] = []

    def attach(self) -> None:
        self._unsubscribe = self._hub.subscribe(self._on_event)

    async def aclose(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _on_event(self, event: Event) -> None:
        if not isinstance(event, TunnelStateChanged) or event.state != TunnelState.UP.value:
            return
        if not event.public_url or event.public_url + WEBHOOK_PATH == self._registered:
            return
        previous = self._task
        self._task = asyncio.get_running_loop().create_task(
            self._register_after(previous, event.public_url + WEBHOOK_PATH)
        )

    async def _register_after(
        self, previous: asyncio.Task[CallbackOutcome | None] | None, callback_url: str
    ) -> CallbackOutcome | None:
        if previous is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await previous
        return await self.register(callback_url)

    async def wait_idle(self) -> None:
        while self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._task)

    async def register(self, callback_url: str) -> CallbackOutcome | None:
        get = self._secrets.get
        access_token = get(SecretKey.ACCESS_TOKEN) or ""
        verify_token = get(SecretKey.VERIFY_TOKEN) or ""
        phone_number_id = get(SecretKey.PHONE_NUMBER_ID) or ""
        if not (access_token and verify_token and phone_number_id):
            return None
        try:
            outcome = await point_callback(
                self._graph,
                mode=self._mode,
                callback_url=callback_url,
                verify_token=verify_token,
                access_token=access_token,
                phone_number_id=phone_number_id,
                app_id=self._app_id,
                app_secret=get(SecretKey.APP_SECRET) or "",
            )
        except Exception:
            logger.exception("re-registering the callback failed")
            return None
        ok = not any(c.status is Status.ERROR for c in outcome.checks)
        if ok:
            self._registered = callback_url
        logger.info("callback %s registered with Meta: ok=%s", callback_url, ok)
        self.outcomes.append(outcome)
        self._hub.publish(
            CallbackRegistered(callback_url=callback_url, ok=ok, effective_url=outcome.effective)
        )
        return outcome


TOKEN_WARN_BEFORE_S: Final = 7 * 86400
TOKEN_CHECK_INTERVAL_S: Final = 12 * 3600


async def token_expiry(graph: GraphSetupClient, access_token: str, app_token: str) -> int | None:
    """``expires_at`` of ``access_token`` from debug_token (0 = never), or None if unknown."""
    answer = await graph.call(
        "GET", "debug_token", params={"input_token": access_token, "access_token": app_token}
    )
    data = answer.data.get("data") if answer.ok else None
    if not isinstance(data, dict):
        return None
    try:
        return int(data.get("expires_at") or 0)
    except (TypeError, ValueError):
        return None


async def watch_token_expiry(
    hub: EventHub,
    graph: GraphSetupClient,
    secrets: SecretStore,
    app_id: str,
    *,
    interval: float = TOKEN_CHECK_INTERVAL_S,
    clock: Callable[[], float] = time.time,
    store_token: Callable[[str], Awaitable[None]] | None = None,
) -> None:
    """While live: from a week before an expiring (60-day) token's end, refresh it where Meta
    allows (``store_token`` keeps the new one: keyring, then the core's credentials) and say so
    (``TokenRefreshed``); else warn the owner (``TokenExpiring``: status bar and tray)."""
    while True:
        token = secrets.get(SecretKey.ACCESS_TOKEN) or ""
        app_secret = secrets.get(SecretKey.APP_SECRET) or ""
        if token and app_secret and app_id:
            app_token = f"{app_id}|{app_secret}"
            expires = await token_expiry(graph, token, app_token)
            if expires and expires - clock() < TOKEN_WARN_BEFORE_S:
                renewed = await _try_refresh(graph, app_id, app_secret, token, store_token)
                new_expiry = await token_expiry(graph, renewed, app_token) if renewed else None
                if renewed and new_expiry is not None and (new_expiry == 0 or new_expiry > expires):
                    logger.info("the access token was refreshed (expires_at=%s)", new_expiry)
                    hub.publish(TokenRefreshed(expires_at=new_expiry))
                else:
                    logger.warning("the access token expires soon (%s)", expires)
                    hub.publish(TokenExpiring(expires_at=expires))
            # Logged once the answer was handled (and any event published).
            logger.info("access token checked (expires_at=%s)", expires)
        await asyncio.sleep(interval)


async def _try_refresh(
    graph: GraphSetupClient,
    app_id: str,
    app_secret: str,
    token: str,
    store_token: Callable[[str], Awaitable[None]] | None,
) -> str | None:
    if store_token is None:
        return None
    renewed = await refresh_token(graph, app_id=app_id, app_secret=app_secret, access_token=token)
    if renewed is None:
        return None
    try:
        await store_token(renewed)
    except Exception:
        logger.exception("the refreshed access token could not be stored")
        return None
    return renewed


class ConnectMetaStep(Step):
    id = StepId.CONNECT_META
    title = Text("Conectar Meta con esta PC", "Connect Meta to this PC")
    intro = Text(
        "La app se suscribe a tu cuenta de WhatsApp Business y le dice a Meta que entregue los "
        "mensajes en esta PC. Después, envía un mensaje al número del negocio desde tu teléfono.",
        "The app subscribes to your WhatsApp Business Account and tells Meta to deliver messages "
        "to this PC. Then send a message to the business number from your phone.",
    )
    inputs = (
        Field(
            "callback_mode",
            Text("Dónde registrar la dirección", "Where to register the address"),
            "choice",
            choices=("app", "phone"),
        ),
    )

    async def check(
        self, flow: SetupFlow, *, wait_for_message: float | None = None, **kwargs: Any
    ) -> StepResult:
        a = flow.answers
        checks: list[CheckResult] = []
        public = flow.found.public_url if flow.server is not None else ""
        if not public:
            path_checks, url = await flow.ensure_public_path()
            if url is None:
                return StepResult(self.id, tuple(path_checks))
            public = url
        checks.append(await self._subscribe(flow))
        if checks[-1].status is Status.ERROR:
            return StepResult(self.id, tuple(checks))
        callback = public + WEBHOOK_PATH
        outcome = await point_callback(
            flow.graph,
            mode=a.callback_mode,
            callback_url=callback,
            verify_token=a.verify_token,
            access_token=a.access_token,
            phone_number_id=a.phone_number_id,
            app_id=a.app_id,
            app_secret=a.app_secret,
        )
        checks.extend(outcome.checks)
        flow.found.callback_url = callback
        flow.found.effective_callback = outcome.effective or ""
        if any(c.status is Status.ERROR for c in outcome.checks):
            return StepResult(self.id, tuple(checks))
        if wait_for_message is None:
            checks.append(
                CheckResult(
                    "first_message",
                    Status.SKIPPED,
                    Text(
                        f"Dirección registrada en Meta: {callback}",
                        f"Address registered with Meta: {callback}",
                    ),
                )
            )
        else:
            checks.append(await self._wait(flow, wait_for_message))
        return StepResult(self.id, tuple(checks))

    @staticmethod
    async def _subscribe(flow: SetupFlow) -> CheckResult:
        a = flow.answers
        post = await flow.graph.call("POST", f"{a.waba_id}/subscribed_apps", token=a.access_token)
        if not (post.ok and post.data.get("success")):
            return _graph_failure(
                "subscribed_apps", post, Text("suscribir la app a la cuenta", "subscribe the app")
            )
        get = await flow.graph.call("GET", f"{a.waba_id}/subscribed_apps", token=a.access_token)
        apps = []
        if get.ok:
            for item in get.data.get("data") or []:
                info = item.get("whatsapp_business_api_data") if isinstance(item, dict) else None
                if isinstance(info, dict):
                    apps.append(str(info.get("id")))
        if a.app_id in apps:
            return CheckResult(
                "subscribed_apps",
                Status.OK,
                Text(
                    "La app está suscrita a la cuenta de WhatsApp Business.",
                    "The app is subscribed to the WhatsApp Business Account.",
                ),
                details=(post.exchange, get.exchange),
            )
        return CheckResult(
            "subscribed_apps",
            Status.ERROR,
            Text(
                "La app no figura como suscrita a la cuenta de WhatsApp Business: los mensajes "
                "reales no llegarían (aunque la prueba del panel funcione).",
                "The app is not listed as subscribed to the WhatsApp Business Account: real "
                "messages would not arrive (even if the dashboard test works).",
            ),
            Text(
                "Revisa que el token tenga control total de la cuenta y vuelve a verificar.",
                "Check the token has full control of the account and check again.",
            ),
            (post.exchange, get.exchange),
        )

    @staticmethod
    async def _wait(flow: SetupFlow, timeout: float) -> CheckResult:
        assert flow.server is not None
        message = await flow.server.wait_for_message(timeout)
        if message is not None:
            flow.found.owner_wa_id = str(message.get("from") or "")
            return CheckResult(
                "first_message",
                Status.OK,
                Text(
                    f"¡Llegó tu mensaje desde {message.get('from')}!",
                    f"Your message from {message.get('from')} arrived!",
                ),
            )
        return CheckResult(
            "first_message",
            Status.ERROR,
            Text(
                f"No llegó ningún mensaje en {int(timeout)} segundos.",
                f"No message arrived in {int(timeout)} seconds.",
            ),
            Text(
                "Causas comunes: la app no está suscrita a la cuenta; el número no está "
                "registrado; con el número de prueba, tu teléfono no está en la lista de "
                "destinatarios permitidos; en México (52 / 521) y Argentina (54 / 549) Meta "
                "puede escribir el número con otro prefijo: agrégalo a la lista tal como llega; "
                "enviaste el mensaje a otro número.",
                "Common causes: the app is not subscribed to the account; the number is not "
                "registered; with the test number, your phone is not on the allowed-recipient "
                "list; in Mexico (52 / 521) and Argentina (54 / 549) Meta may write the number "
                "with another prefix: add it to the list as it arrives; the message went to "
                "another number.",
            ),
        )


# -- the model ------------------------------------------------------------------------------------

# (model, approximate download size in bytes, minimum RAM in GiB), smallest first.
MODEL_CHOICES: Final[tuple[tuple[str, int, float], ...]] = (
    ("qwen2.5:1.5b", 1_000_000_000, 0.0),
    ("qwen2.5:3b", 1_900_000_000, 8.0),
    ("qwen2.5:7b", 4_700_000_000, 16.0),
)


def total_ram_bytes() -> int | None:
    """Physical memory of this PC, or ``None`` where it cannot be read."""
    with contextlib.suppress(ValueError, OSError, AttributeError):
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    return None


def recommend_model(ram_bytes: int | None) -> str:
    gib = (ram_bytes or 0) / 2**30
    best = MODEL_CHOICES[0][0]
    for name, _size, min_gib in MODEL_CHOICES:
        if gib >= min_gib:
            best = name
    return best


def ollama_models_dir() -> Path:
    env = os.environ.get("OLLAMA_MODELS")
    return Path(env) if env else Path.home() / ".ollama" / "models"


def _free_disk(path: Path) -> int | None:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    with contextlib.suppress(OSError):
        return shutil.disk_usage(probe).free
    return None


class ModelStep(Step):
    id = StepId.MODEL
    title = Text("El modelo de lenguaje", "The language model")
    intro = Text(
        "El bot piensa con Ollama, un programa gratis que corre el modelo en esta PC, o con otro "
        "servidor compatible con OpenAI (LM Studio, llama.cpp, vLLM…). Mientras no esté, el bot "
        "responde con las preguntas frecuentes.",
        "The bot thinks with Ollama, a free program that runs the model on this PC, or with "
        "another OpenAI-compatible server (LM Studio, llama.cpp, vLLM…). Until it is there, the "
        "bot answers with the FAQs.",
    )
    inputs = (
        Field("model", Text("Modelo", "Model")),
        Field("num_ctx", Text("Tamaño del contexto", "Context size"), "int"),
    )
    links = ((Text("Descargar Ollama", "Download Ollama"), OLLAMA_URL),)

    async def check(self, flow: SetupFlow, **kwargs: Any) -> StepResult:
        if flow.answers.llm_provider == "openai":
            return StepResult(self.id, await OpenAIServerCheck.run(flow))
        checks: list[CheckResult] = []
        probe = await self.detect(flow)
        checks.append(probe)
        if probe.status is Status.ERROR:
            return StepResult(self.id, tuple(checks))
        flow.found.ram_bytes = total_ram_bytes()
        flow.found.recommended_model = recommend_model(flow.found.ram_bytes)
        model = flow.answers.model or flow.found.recommended_model
        flow.answers.model = model
        if not any(_same_model(model, m) for m in flow.found.models):
            checks.append(
                CheckResult(
                    "model",
                    Status.WARNING,
                    Text(
                        f"El modelo {model} no está instalado; descárgalo (cabe en esta PC).",
                        f"Model {model} is not installed; download it (fits this PC).",
                    ),
                    Text(
                        "Presiona «Descargar modelo»; mientras tanto el bot usa las preguntas "
                        "frecuentes.",
                        "Press “Download model”; meanwhile the bot uses the FAQs.",
                    ),
                )
            )
            return StepResult(self.id, tuple(checks))
        checks.append(await self.test_question(flow))
        return StepResult(self.id, tuple(checks))

    @staticmethod
    async def detect(flow: SetupFlow) -> CheckResult:
        url = flow.ollama_url + "/api/version"
        try:
            response = await flow.http.get(url, timeout=5.0)
            version = response.json().get("version")
            tags = await flow.http.get(flow.ollama_url + "/api/tags", timeout=10.0)
            models = [str(m.get("model") or m.get("name")) for m in tags.json().get("models") or []]
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            details = (Exchange("GET", url, error=type(exc).__name__),)
            if shutil.which("ollama"):
                return CheckResult(
                    "ollama",
                    Status.ERROR,
                    Text(
                        "Ollama está instalado pero no está abierto.",
                        "Ollama is installed but not running.",
                    ),
                    Text(
                        "Ábrelo desde el menú de inicio, o en una terminal escribe: ollama serve",
                        "Open it from the start menu, or in a terminal type: ollama serve",
                    ),
                    details,
                    OLLAMA_URL,
                )
            return CheckResult(
                "ollama",
                Status.ERROR,
                Text(
                    "Ollama no está instalado en esta PC. Mientras tanto el bot responde con las "
                    "preguntas frecuentes.",
                    "Ollama is not installed on this PC. Meanwhile the bot answers with the FAQs.",
                ),
                Text(
                    "Descárgalo gratis de ollama.com/download, instálalo y vuelve a verificar.",
                    "Download it free from ollama.com/download, install it and check again.",
                ),
                details,
                OLLAMA_URL,
            )
        flow.found.ollama_version = str(version or "")
        flow.found.models = tuple(models)
        return CheckResult(
            "ollama",
            Status.OK,
            Text(
                f"Ollama {version} funciona; modelos instalados: {', '.join(models) or 'ninguno'}.",
                f"Ollama {version} is running; installed models: {', '.join(models) or 'none'}.",
            ),
            details=(
                Exchange("GET", url, status=response.status_code, response={"version": version}),
            ),
        )

    @staticmethod
    async def pull(
        flow: SetupFlow,
        model: str,
        on_progress: ProgressCallback | None = None,
        cancel: asyncio.Event | None = None,
    ) -> CheckResult:
        """Download ``model`` with progress (bytes, speed, time left); ``cancel`` stops it."""
        size = next((s for n, s, _ in MODEL_CHOICES if n == model), 0)
        free = _free_disk(ollama_models_dir())
        if free is not None and size and free < size * 1.2:
            return CheckResult(
                "pull",
                Status.ERROR,
                Text(
                    f"No hay espacio en disco: el modelo ocupa unos {size / 1e9:.1f} GB y quedan "
                    f"{free / 1e9:.1f} GB.",
                    f"Not enough disk space: the model takes about {size / 1e9:.1f} GB and "
                    f"{free / 1e9:.1f} GB are free.",
                ),
                Text(
                    "Libera espacio o elige un modelo más chico.",
                    "Free some space or choose a smaller model.",
                ),
            )
        started = time.monotonic()
        url = flow.ollama_url + "/api/pull"
        state: dict[str, Any] = {"status": "", "error": None, "http": None}

        async def stream() -> None:
            # Read to the end, even after an error line: leaving httpx's stream iterators
            # half-way leaves async generators to the garbage collector (qasync's loop has no
            # async-generator hooks). Cancelling is done by cancelling this task instead.
            async with flow.http.stream(
                "POST", url, json={"model": model, "stream": True}, timeout=None
            ) as response:
                state["http"] = response.status_code
                async for line in response.aiter_lines():
                    if not line.strip() or state["error"] is not None:
                        continue
                    item = json.loads(line)
                    if item.get("error"):
                        state["error"] = item
                        continue
                    state["status"] = str(item.get("status") or "")
                    total, done = int(item.get("total") or 0), int(item.get("completed") or 0)
                    if on_progress is not None and (total or state["status"]):
                        elapsed = max(time.monotonic() - started, 1e-6)
                        speed = done / elapsed
                        eta = (total - done) / speed if speed > 0 and total else None
                        on_progress(PullProgress(state["status"], done, total, speed, eta))

        try:
            finished = await run_cancellable(stream(), cancel)
        except (httpx.HTTPError, ValueError) as exc:
            return CheckResult(
                "pull",
                Status.ERROR,
                Text(f"La descarga de {model} se cortó.", f"The download of {model} broke off."),
                Text(
                    "Revisa que Ollama siga abierto y la conexión; vuelve a intentarlo (continúa "
                    "donde quedó).",
                    "Check Ollama is still running and the connection; try again (it resumes).",
                ),
                (Exchange("POST", url, {"model": model}, error=type(exc).__name__),),
            )
        if not finished:
            return CheckResult(
                "pull", Status.SKIPPED, Text("Descarga cancelada.", "Download cancelled.")
            )
        item = state["error"]
        if item is not None:
            return CheckResult(
                "pull",
                Status.ERROR,
                Text(
                    f"Ollama no pudo descargar {model}: {item['error']}",
                    f"Ollama could not download {model}: {item['error']}",
                ),
                Text(
                    "Revisa el nombre del modelo y la conexión, y vuelve a intentarlo.",
                    "Check the model name and the connection, and try again.",
                ),
                (Exchange("POST", url, {"model": model}, state["http"], item),),
            )
        last_status = state["status"]
        if last_status != "success":
            return CheckResult(
                "pull",
                Status.ERROR,
                Text("La descarga terminó sin confirmar.", "The download did not finish."),
                Text("Vuelve a intentarlo.", "Try again."),
            )
        flow.answers.model = model
        flow.found.models = (*flow.found.models, model)
        return CheckResult(
            "pull", Status.OK, Text(f"Modelo {model} descargado.", f"Model {model} downloaded.")
        )

    @staticmethod
    async def test_question(flow: SetupFlow) -> CheckResult:
        """Warm the model up with the explicit context size, then ask a test question."""
        model, num_ctx = flow.answers.model, flow.answers.num_ctx
        url = flow.ollama_url + "/api/chat"
        options = {"num_ctx": num_ctx}
        body = {
            "model": model,
            "messages": [{"role": "user", "content": "Hola, ¿a qué hora abren?"}],
            "stream": False,
            "options": options,
            "keep_alive": "30m",
        }
        try:
            warm = await flow.http.post(
                url,
                json={"model": model, "messages": [], "stream": False, "options": options},
                timeout=300.0,
            )
            warm.raise_for_status()
            response = await flow.http.post(url, json=body, timeout=300.0)
            response.raise_for_status()
            reply = str(response.json().get("message", {}).get("content") or "")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            return CheckResult(
                "test_question",
                Status.ERROR,
                Text(
                    f"El modelo {model} no respondió la pregunta de prueba.",
                    f"Model {model} did not answer the test question.",
                ),
                Text(
                    "Prueba un modelo más chico o cierra otros programas pesados.",
                    "Try a smaller model or close other heavy programs.",
                ),
                (Exchange("POST", url, body, error=type(exc).__name__),),
            )
        return CheckResult(
            "test_question",
            Status.OK if reply else Status.WARNING,
            Text(
                f"El modelo {model} (contexto {num_ctx}) respondió: {reply[:200]}",
                f"Model {model} (context {num_ctx}) answered: {reply[:200]}",
            ),
            details=(Exchange("POST", url, body, response.status_code, {"content": reply[:200]}),),
        )


class OpenAIServerCheck:
    """The model step's check for an OpenAI-compatible server: its models, a test answer.

    Uses the wizard's HTTP client (like the Ollama check), so every request lands in
    "detalles" with the API key removed (it is one of the answers' secret values).
    """

    TEST_QUESTION: Final = "Hola, ¿a qué hora abren?"

    @staticmethod
    def _headers(flow: SetupFlow) -> dict[str, str]:
        key = flow.answers.llm_api_key.strip()
        return {"Authorization": f"Bearer {key}"} if key else {}

    @classmethod
    async def list_models(cls, flow: SetupFlow) -> tuple[CheckResult, tuple[str, ...] | None]:
        """GET {base}/models; the names (None: this server lists none) and the check."""
        base = normalize_base_url(flow.answers.openai_base_url)
        url = base + "/models"
        try:
            response = await flow.http.get(url, headers=cls._headers(flow), timeout=10.0)
        except httpx.HTTPError as exc:
            return (
                CheckResult(
                    "openai_server",
                    Status.ERROR,
                    Text(
                        f"El servidor no responde en {base}.",
                        f"The server does not answer at {base}.",
                    ),
                    Text(
                        "Revisa la dirección y que el programa del servidor esté abierto.",
                        "Check the address and that the server program is running.",
                    ),
                    (Exchange("GET", url, error=type(exc).__name__),),
                ),
                None,
            )
        if response.status_code in (401, 403):
            return (
                CheckResult(
                    "openai_server",
                    Status.ERROR,
                    Text(
                        "El servidor rechazó la clave de API.",
                        "The server refused the API key.",
                    ),
                    Text(
                        "Pega la clave correcta (un token de tu cuenta) y vuelve a verificar.",
                        "Paste the right key (a token of your account) and check again.",
                    ),
                    (Exchange("GET", url, status=response.status_code),),
                ),
                None,
            )
        names: list[str] | None = None
        if response.status_code == 200:
            try:
                data = response.json().get("data")
                names = [str(m["id"]) for m in data if isinstance(m, dict) and m.get("id")]
            except (ValueError, AttributeError, TypeError):
                names = None
        listed = tuple(names) if names is not None else None
        flow.found.openai_models = listed
        text = (
            Text(
                f"El servidor {base} responde; modelos: {', '.join(listed) or 'ninguno'}.",
                f"The server {base} answers; models: {', '.join(listed) or 'none'}.",
            )
            if listed is not None
            else Text(
                f"El servidor {base} responde pero no lista sus modelos.",
                f"The server {base} answers but does not list its models.",
            )
        )
        details = (
            Exchange(
                "GET", url, status=response.status_code, response={"models": list(listed or ())}
            ),
        )
        return CheckResult("openai_server", Status.OK, text, details=details), listed

    @classmethod
    async def run(cls, flow: SetupFlow) -> tuple[CheckResult, ...]:
        a = flow.answers
        checks: list[CheckResult] = []
        base = normalize_base_url(a.openai_base_url)
        host = leaves_this_pc(base)
        if host:
            checks.append(
                CheckResult(
                    "privacy",
                    Status.WARNING,
                    Text(
                        f"Las conversaciones salen de esta PC hacia {host}: los mensajes de tus "
                        "clientes se envían a ese servidor.",
                        f"Conversations leave this PC for {host}: your customers' messages are "
                        "sent to that server.",
                    ),
                )
            )
        listing, names = await cls.list_models(flow)
        checks.append(listing)
        if listing.status is Status.ERROR:
            return tuple(checks)
        model = a.openai_model.strip() or (names[0] if names else "")
        if not model:
            checks.append(
                CheckResult(
                    "model",
                    Status.ERROR,
                    Text("Escribe el nombre del modelo.", "Type the model's name."),
                    Text(
                        "El servidor no dice qué modelos tiene: copia el nombre desde su programa.",
                        "The server does not say which models it has: copy the name from it.",
                    ),
                )
            )
            return tuple(checks)
        a.openai_model = model
        if names and model not in names:
            checks.append(
                CheckResult(
                    "model",
                    Status.WARNING,
                    Text(
                        f"El servidor no lista el modelo {model}.",
                        f"The server does not list model {model}.",
                    ),
                    Text("Elige uno de la lista.", "Choose one from the list."),
                )
            )
        checks.append(await cls.test_answer(flow, base, model))
        return tuple(checks)

    @classmethod
    async def test_answer(cls, flow: SetupFlow, base: str, model: str) -> CheckResult:
        """POST {base}/chat/completions with a short test question."""
        url = base + "/chat/completions"
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": "user", "content": cls.TEST_QUESTION}],
            "stream": False,
            "max_tokens": 64,
        }
        try:
            response = await flow.http.post(
                url, json=body, headers=cls._headers(flow), timeout=300.0
            )
            response.raise_for_status()
            choices = response.json().get("choices") or []
            reply = str((choices[0].get("message") or {}).get("content") or "") if choices else ""
        except (httpx.HTTPError, ValueError, AttributeError, TypeError) as exc:
            status = exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else None
            return CheckResult(
                "test_question",
                Status.ERROR,
                Text(
                    f"El modelo {model} no respondió la pregunta de prueba.",
                    f"Model {model} did not answer the test question.",
                ),
                Text(
                    "Revisa el nombre del modelo y que el servidor lo tenga cargado.",
                    "Check the model's name and that the server has it loaded.",
                ),
                (Exchange("POST", url, body, status=status, error=type(exc).__name__),),
            )
        return CheckResult(
            "test_question",
            Status.OK if reply else Status.WARNING,
            Text(
                f"El modelo {model} respondió: {reply[:200]}",
                f"Model {model} answered: {reply[:200]}",
            ),
            details=(Exchange("POST", url, body, response.status_code, {"content": reply[:200]}),),
        )


def _same_model(wanted: str, installed: str) -> bool:
    def full(name: str) -> str:
        return name if ":" in name else name + ":latest"

    return full(wanted) == full(installed)


# -- the shop -------------------------------------------------------------------------------------

EXAMPLE_FAQ: Final[tuple[tuple[str, str], ...]] = (
    ("¿Hacen envíos a domicilio?", "Sí, hacemos envíos en la ciudad en 24 a 48 horas."),
    ("¿Qué formas de pago aceptan?", "Efectivo, tarjeta y transferencia."),
    ("¿Tienen estacionamiento?", "Sí, frente a la tienda."),
)
_DAY_ES: Final = dict(
    zip(
        WEEKDAYS,
        ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        strict=True,
    )
)
_HHMM: Final = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def default_hours() -> dict[str, list[list[str]]]:
    """The opening hours a new shop starts from (the settings' defaults)."""
    return {day: [list(r) for r in ranges] for day, ranges in Settings().business_hours.items()}


def hours_text(hours: Mapping[str, Sequence[Sequence[str]]]) -> str:
    parts = []
    for day in WEEKDAYS:
        ranges = hours.get(day) or []
        if ranges:
            parts.append(f"{_DAY_ES[day]} " + ", ".join(f"{a}-{b}" for a, b in ranges))
        else:
            parts.append(f"{_DAY_ES[day]} cerrado")
    return "; ".join(parts).capitalize() + "."


def parse_hours(text: str) -> list[list[str]]:
    """``"09:00-13:00, 16:00-20:00"`` -> ranges; empty or "cerrado"/"closed" -> []."""
    text = text.strip().lower()
    if not text or text in ("cerrado", "closed", "-"):
        return []
    ranges = []
    for chunk in text.split(","):
        start, _, end = chunk.strip().partition("-")
        start, end = start.strip(), end.strip()
        if not (_HHMM.match(start) and _HHMM.match(end)) or start >= end:
            raise ValueError(chunk)
        ranges.append([start, end])
    return ranges


def shop_settings(a: Answers) -> dict[str, Any]:
    """The settings (declared in core/settings.py) the shop step writes; empty answers are left."""
    values: dict[str, Any] = {}
    if a.business_name:
        values["business_name"] = a.business_name
    if a.business_hours:
        values["business_hours"] = {d: a.business_hours.get(d, []) for d in WEEKDAYS}
        values["business_hours_text"] = hours_text(a.business_hours)
    if a.business_address:
        values["business_address"] = a.business_address
    if a.payment_methods:
        values["payment_methods"] = a.payment_methods
    if a.faq:
        values["faq"] = a.faq
    values["bot_paused"] = not a.bot_from_day_one
    return values


class ShopStep(Step):
    id = StepId.SHOP
    title = Text("Tu tienda", "Your shop")
    intro = Text(
        "Lo que el bot sabe de tu negocio. Puedes cambiarlo después en «Lo que sabe el bot».",
        "What the bot knows about your business. You can change it later in “Bot knowledge”.",
    )
    inputs = (
        Field("business_name", Text("Nombre del negocio", "Business name"), required=True),
        Field("business_hours", Text("Horario por día", "Hours per weekday"), "hours"),
        Field("business_address", Text("Dirección", "Address")),
        Field("payment_methods", Text("Formas de pago", "Payment methods")),
        Field("faq", Text("Preguntas frecuentes", "FAQs"), "faq"),
        Field(
            "bot_from_day_one",
            Text(
                "El bot responde desde el primer día (si no, responde el personal primero)",
                "The bot answers from day one (otherwise staff first)",
            ),
            "bool",
        ),
    )

    async def check(self, flow: SetupFlow, **kwargs: Any) -> StepResult:
        a = flow.answers
        problems = []
        if not a.business_name.strip():
            problems.append("business_name")
        for day, ranges in a.business_hours.items():
            if day not in WEEKDAYS or any(
                not (_HHMM.match(s) and _HHMM.match(e)) or s >= e for s, e in ranges
            ):
                problems.append(f"business_hours.{day}")
        if problems:
            return StepResult(
                self.id,
                (
                    CheckResult(
                        "shop",
                        Status.ERROR,
                        Text("Revisa: " + ", ".join(problems), "Check: " + ", ".join(problems)),
                        Text(
                            "El nombre es obligatorio; los horarios van como 09:00-19:00.",
                            "The name is required; hours look like 09:00-19:00.",
                        ),
                    ),
                ),
            )
        mode = (
            Text("el bot responde desde el primer día", "the bot answers from day one")
            if a.bot_from_day_one
            else Text("responde el personal primero (bot en pausa)", "staff first (bot paused)")
        )
        return StepResult(
            self.id,
            (
                CheckResult(
                    "shop",
                    Status.OK,
                    Text(f"{a.business_name}: {mode.es}.", f"{a.business_name}: {mode.en}."),
                ),
            ),
        )


class DoneStep(Step):
    id = StepId.DONE
    title = Text("Listo", "Done")
    intro = Text("Resumen de lo configurado.", "Summary of what was set.")

    async def check(self, flow: SetupFlow, **kwargs: Any) -> StepResult:
        stored = await flow.commit()
        checks = [stored]
        f, a = flow.found, flow.answers
        model = a.openai_model if a.uses_openai else a.model
        if stored.status is Status.OK and f.owner_wa_id:
            checks.append(await self._test_reply(flow))
        summary = Text(
            f"Número {f.display_phone_number or a.phone_number_id} ({f.verified_name}); "
            f"dirección {f.callback_url or '-'}; modelo {model or '-'}; "
            f"tienda {a.business_name or '-'}.",
            f"Number {f.display_phone_number or a.phone_number_id} ({f.verified_name}); "
            f"address {f.callback_url or '-'}; model {model or '-'}; "
            f"shop {a.business_name or '-'}.",
        )
        checks.append(CheckResult("summary", Status.OK, summary))
        return StepResult(self.id, tuple(checks))

    @staticmethod
    async def _test_reply(flow: SetupFlow) -> CheckResult:
        """A reply to the owner's phone (inside the window their first message opened)."""
        a, f = flow.answers, flow.found
        text = "¡Listo! WaBot ya responde los mensajes de este número."
        answer = await flow.graph.call(
            "POST",
            f"{a.phone_number_id}/messages",
            token=a.access_token,
            body={
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": f.owner_wa_id,
                "type": "text",
                "text": {"body": text},
            },
        )
        if answer.ok and answer.data.get("messages"):
            return CheckResult(
                "test_reply",
                Status.OK,
                Text(
                    f"Se envió una respuesta de prueba a {f.owner_wa_id}.",
                    f"A test reply was sent to {f.owner_wa_id}.",
                ),
                details=(answer.exchange,),
            )
        failure = _graph_failure(
            "test_reply", answer, Text("enviar la respuesta de prueba", "send the test reply")
        )
        # Not fatal: everything is stored; the owner can retry from the app.
        return replace(failure, status=Status.WARNING)


def answers_from_stored(secrets: SecretStore, settings: Settings) -> Answers:
    """Answers pre-filled from what an earlier run stored (the wizard re-run from settings).

    An unreadable keyring leaves the secret fields empty (the owner types them again).
    """

    def get(key: SecretKey) -> str:
        try:
            return secrets.get(key) or ""
        except KeyringUnavailableError:
            return ""

    own = settings.own_public_url
    hours = settings.business_hours
    return Answers(
        app_id=settings.meta_app_id,
        app_secret=get(SecretKey.APP_SECRET),
        access_token=get(SecretKey.ACCESS_TOKEN),
        waba_id=get(SecretKey.WABA_ID),
        phone_number_id=get(SecretKey.PHONE_NUMBER_ID),
        pin=get(SecretKey.PIN),
        verify_token=get(SecretKey.VERIFY_TOKEN),
        public_mode="own" if own else "ngrok",
        public_url=own,
        ngrok_authtoken=get(SecretKey.NGROK_AUTHTOKEN),
        ngrok_domain=settings.ngrok_domain,
        ngrok_path=settings.ngrok_agent_path,
        callback_mode="phone" if settings.callback_mode == "phone" else "app",
        model=settings.llm_model,
        num_ctx=settings.llm_num_ctx,
        llm_provider="openai" if settings.llm_provider == "openai" else "ollama",
        openai_base_url=settings.openai_base_url,
        openai_model=settings.openai_model,
        openai_context_size=settings.llm_context_size,
        llm_api_key=get(SecretKey.LLM_API_KEY),
        voice_model=settings.voice_model,
        business_name=settings.business_name,
        business_hours={day: [list(r) for r in hours.get(day, [])] for day in WEEKDAYS},
        business_address=settings.business_address,
        payment_methods=settings.payment_methods,
        faq=settings.faq,
        bot_from_day_one=not settings.bot_paused,
    )


# Steps whose errors do not stop the wizard: the model (the FAQ answers meanwhile) and the
# "message from your phone" wait (the owner may go on and look at the listed causes later).
_SOFT_CHECKS: Final = frozenset({(StepId.MODEL, None), (StepId.CONNECT_META, "first_message")})


def can_advance(result: StepResult | None) -> bool:
    """True when the wizard may go on from this step's last result."""
    if result is None:
        return False
    failed = result.failed
    if failed is None:
        return True
    return (result.step, None) in _SOFT_CHECKS or (result.step, failed.check) in _SOFT_CHECKS


def next_step(step_id: StepId, answers: Answers) -> StepId | None:
    """The step after ``step_id``; ``None`` ends the wizard (practice mode chosen on welcome)."""
    if step_id is StepId.WELCOME and answers.practice_mode:
        return None
    order = [s.id for s in STEPS]
    index = order.index(step_id)
    return order[index + 1] if index + 1 < len(order) else None


def previous_step(step_id: StepId) -> StepId | None:
    order = [s.id for s in STEPS]
    index = order.index(step_id)
    return order[index - 1] if index > 0 else None


STEPS: Final[tuple[Step, ...]] = (
    WelcomeStep(),
    MetaAppStep(),
    PublicAddressStep(),
    ConnectMetaStep(),
    ModelStep(),
    ShopStep(),
    DoneStep(),
)


def replace_answers(answers: Answers, **changes: Any) -> Answers:
    return replace(answers, **changes)


# -- the ngrok agent: downloaded on first use (pyngrok's download address), or the owner's own ---

# The agent archive is about 10 MB and the program about 30 MB: ask for room for both and more.
AGENT_SPACE_NEEDED: Final = 100_000_000
NGROK_DOWNLOAD_PAGE: Final = "https://ngrok.com/download"


def default_agent_path() -> Path:
    """Where pyngrok keeps its agent ($PYNGROK_NGROK_PATH or its per-user folder), read now."""
    from pyngrok.conf import PyngrokConfig

    return Path(PyngrokConfig().ngrok_path)


def agent_download_url() -> str:
    """pyngrok's download address of the ngrok v3 agent for this OS and processor."""
    from pyngrok import installer

    return installer.get_ngrok_cdn_url("3")


def agent_installed(flow: SetupFlow) -> bool:
    path = flow.agent_path()
    return path.is_file() and os.access(path, os.X_OK)


def _agent_version_blocking(path: Path) -> str:
    import subprocess

    done = subprocess.run(
        [str(path), "--version"], capture_output=True, text=True, timeout=15, check=False
    )
    output = (done.stdout or "") + (done.stderr or "")
    if done.returncode != 0 or "version" not in output:
        raise OSError(output.strip()[:200] or f"exit {done.returncode}")
    return output.split("version", 1)[1].strip().split()[0]


async def check_agent(flow: SetupFlow) -> CheckResult:
    """Is the agent there and does it run (``ngrok --version``)?"""
    path = flow.agent_path()
    shown = Exchange("RUN", f"{path} --version")
    if not (path.is_file() and os.access(path, os.X_OK)):
        return CheckResult(
            "ngrok_agent",
            Status.ERROR,
            Text(
                f"El programa ngrok no está en esta PC ({path}).",
                f"The ngrok program is not on this PC ({path}).",
            ),
            Text(
                "Presiona «Descargar ngrok» (unos 10 MB) o, si ya lo tienes, indica dónde está.",
                "Press “Download ngrok” (about 10 MB), or if you installed it, point to it.",
            ),
            (replace(shown, error="not found"),),
            NGROK_DOWNLOAD_PAGE,
        )
    try:
        version = await run_blocking(_agent_version_blocking, path)
    except (OSError, ValueError) as exc:
        import subprocess

        if isinstance(exc, subprocess.TimeoutExpired):
            exc = OSError("timeout")
        return CheckResult(
            "ngrok_agent",
            Status.ERROR,
            Text(
                f"El archivo {path} no funciona como ngrok.",
                f"The file {path} does not work as ngrok.",
            ),
            Text(
                "Elige el programa ngrok correcto o descárgalo de nuevo.",
                "Choose the right ngrok program or download it again.",
            ),
            (replace(shown, error=flow.redactor.text(str(exc))),),
            NGROK_DOWNLOAD_PAGE,
        )
    return CheckResult(
        "ngrok_agent",
        Status.OK,
        Text(f"ngrok {version} está listo.", f"ngrok {version} is ready."),
        details=(replace(shown, response={"version": version}),),
    )


async def install_agent(
    flow: SetupFlow,
    on_progress: ProgressCallback | None = None,
    cancel: asyncio.Event | None = None,
) -> CheckResult:
    """Download the ngrok agent from pyngrok's address (bytes, speed, time left, cancel).

    The archive is unpacked by pyngrok's own installer into ``flow.agent_path()``'s folder.
    ``flow.ngrok_download_url`` replaces pyngrok's address (tests serve a fake archive there).
    """
    from pyngrok import installer

    path = flow.agent_path()
    try:
        url = flow.ngrok_download_url or agent_download_url()
    except Exception as exc:  # pyngrok knows no agent for this OS / processor
        return CheckResult(
            "ngrok_download",
            Status.ERROR,
            Text(
                f"No hay una descarga automática de ngrok para esta PC ({exc}).",
                f"There is no automatic ngrok download for this PC ({exc}).",
            ),
            Text(
                "Instálalo a mano desde ngrok.com/download e indica dónde quedó.",
                "Install it by hand from ngrok.com/download and point to it.",
            ),
            link=NGROK_DOWNLOAD_PAGE,
        )
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "ngrok.tgz"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _agent_io_failure(url, path, exc)
    free = _free_disk(path.parent)
    if free is not None and free < AGENT_SPACE_NEEDED:
        return CheckResult(
            "ngrok_download",
            Status.ERROR,
            Text(
                f"No hay espacio en disco para ngrok: hacen falta {AGENT_SPACE_NEEDED / 1e6:.0f} "
                f"MB y quedan {free / 1e6:.0f} MB.",
                f"Not enough disk space for ngrok: {AGENT_SPACE_NEEDED / 1e6:.0f} MB needed, "
                f"{free / 1e6:.0f} MB free.",
            ),
            Text("Libera espacio y vuelve a intentarlo.", "Free some space and try again."),
        )
    archive = path.parent / f".download-{name}"
    started = time.monotonic()
    status_code: int | None = None
    sizes = {"total": 0, "done": 0}

    async def download() -> None:
        nonlocal status_code
        async with flow.http.stream("GET", url, timeout=httpx.Timeout(30.0)) as response:
            status_code = response.status_code
            if response.status_code != 200:
                return
            total = sizes["total"] = int(response.headers.get("Content-Length") or 0)
            handle = await run_blocking(archive.open, "wb")
            try:
                async for chunk in response.aiter_bytes(64 * 1024):
                    await run_blocking(handle.write, chunk)
                    sizes["done"] += len(chunk)
                    if on_progress is not None:
                        done = sizes["done"]
                        elapsed = max(time.monotonic() - started, 1e-6)
                        speed = done / elapsed
                        eta = (total - done) / speed if speed > 0 and total else None
                        on_progress(PullProgress("downloading", done, total, speed, eta))
            finally:
                await run_blocking(handle.close)

    try:
        finished = await run_cancellable(download(), cancel)
        if not finished:
            archive.unlink(missing_ok=True)
            return CheckResult(
                "ngrok_download",
                Status.SKIPPED,
                Text("Descarga de ngrok cancelada.", "ngrok download cancelled."),
            )
        if status_code != 200:
            archive.unlink(missing_ok=True)
            return CheckResult(
                "ngrok_download",
                Status.ERROR,
                Text(
                    f"La descarga de ngrok falló (HTTP {status_code}).",
                    f"The ngrok download failed (HTTP {status_code}).",
                ),
                Text(
                    "Vuelve a intentarlo más tarde, o instálalo a mano desde ngrok.com/download.",
                    "Try again later, or install it by hand from ngrok.com/download.",
                ),
                (Exchange("GET", url, status=status_code),),
                NGROK_DOWNLOAD_PAGE,
            )
        total, done = sizes["total"], sizes["done"]
        if total and done != total:
            raise httpx.ReadError(f"got {done} of {total} bytes")
        if on_progress is not None:
            on_progress(PullProgress("installing", done, total or done, 0.0, 0.0))
        await run_blocking(installer._install_ngrok_archive, str(path), str(archive))
    except httpx.HTTPError as exc:
        archive.unlink(missing_ok=True)
        return CheckResult(
            "ngrok_download",
            Status.ERROR,
            Text("La descarga de ngrok se cortó.", "The ngrok download broke off."),
            Text(
                "Revisa la conexión a internet y vuelve a intentarlo.",
                "Check the internet connection and try again.",
            ),
            (Exchange("GET", url, status=status_code, error=type(exc).__name__),),
            NGROK_DOWNLOAD_PAGE,
        )
    except Exception as exc:  # a broken archive (tarfile / zipfile errors), a full disk
        archive.unlink(missing_ok=True)
        return _agent_io_failure(url, path, exc)
    archive.unlink(missing_ok=True)
    check = await check_agent(flow)
    if check.status is Status.OK:
        logger.info("ngrok agent installed at %s", path)
        return replace(
            check,
            check="ngrok_download",
            message=Text(
                f"ngrok descargado e instalado. {check.message.es}",
                f"ngrok downloaded and installed. {check.message.en}",
            ),
            details=(Exchange("GET", url, status=status_code), *check.details),
        )
    return replace(check, check="ngrok_download")


def _agent_io_failure(url: str, path: Path, exc: BaseException) -> CheckResult:
    return CheckResult(
        "ngrok_download",
        Status.ERROR,
        Text(
            f"ngrok no se pudo instalar en {path.parent}: {type(exc).__name__}.",
            f"ngrok could not be installed in {path.parent}: {type(exc).__name__}.",
        ),
        Text(
            "Revisa el espacio y los permisos de esa carpeta, o instálalo a mano desde "
            "ngrok.com/download e indica dónde quedó.",
            "Check that folder's free space and permissions, or install it by hand from "
            "ngrok.com/download and point to it.",
        ),
        (Exchange("GET", url, error=str(exc)[:200]),),
        NGROK_DOWNLOAD_PAGE,
    )


async def run_cancellable(work: Awaitable[None], cancel: asyncio.Event | None) -> bool:
    """Await ``work``; when ``cancel`` is set first, cancel it and return False.

    Cancelling the task (rather than leaving a stream loop) unwinds httpx's stream iterators
    from inside their own awaits, so no half-read async generator is left behind.
    """
    task = asyncio.ensure_future(work)
    if cancel is None:
        await task
        return True
    stopper = asyncio.ensure_future(cancel.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        stopper.cancel()
    if task.done():
        task.result()  # re-raises the work's error
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return False


# -- the 60-day token: refreshed where Meta allows -------------------------------------------------


async def refresh_token(
    graph: GraphSetupClient, *, app_id: str, app_secret: str, access_token: str
) -> str | None:
    """A fresh 60-day token for an expiring system-user token (meta-cloud-api.md section 6.2).

    Returns the new token, or ``None`` where Meta does not allow it (the owner is warned then).
    """
    answer = await graph.call(
        "GET",
        "oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": app_id,
            "client_secret": app_secret,
            "set_token_expires_in_60_days": "true",
            "fb_exchange_token": access_token,
        },
    )
    token = answer.data.get("access_token") if answer.ok else None
    if isinstance(token, str) and token and token != access_token:
        return token
    logger.info("the access token could not be refreshed (HTTP %s)", answer.status)
    return None


# -- a flow over one profile's stored answers (the window's wizard) -------------------------------


async def open_profile_flow(
    paths: Any,
    *,
    data_dir_overridden: bool,
    graph_url: str | None = None,
    ollama_url: str | None = None,
    port: int | None = None,
    http: httpx.AsyncClient | None = None,
    secrets: SecretStore | None = None,
    keyring_usable: Callable[[], bool] | None = None,
    ngrok_path: Path | None = None,
    ngrok_download_url: str | None = None,
) -> SetupFlow:
    """A :class:`SetupFlow` for the live profile at ``paths`` (a ``core.paths.AppPaths``).

    Pre-filled from what an earlier run stored (keyring and settings); its settings are saved
    to that profile's database, its secrets to that profile's keyring entry (one service name
    per data dir). Keyring and database work runs off the event loop. Close it with
    :meth:`SetupFlow.aclose` (that closes the database too).
    """
    from wabot_desktop.core.secrets import MemorySecretStore, service_name_for
    from wabot_desktop.core.settings import load_settings, save_settings
    from wabot_desktop.core.store.db import Database

    await run_blocking(paths.ensure)
    db = Database(paths.db_path)
    try:
        await db.run(db.migrate)
        settings = await db.session_run(load_settings)
        store = secrets or KeyringSecretStore(
            service_name_for(paths.data_dir if data_dir_overridden else None)
        )
        probe = keyring_usable or KeyringSecretStore.usable

        def read() -> Answers:
            try:
                usable = probe()
            except Exception:
                usable = False
            return answers_from_stored(store if usable else MemorySecretStore(), settings)

        answers = await run_blocking(read)
    except BaseException:
        await run_blocking(db.close)
        raise
    if port is not None:
        answers.port = port

    async def save(values: dict[str, Any]) -> None:
        await db.session_run(lambda s: save_settings(s, **values))

    flow = SetupFlow(
        secrets=store,
        save_settings=save,
        graph_url=graph_url or settings.graph_base_url,
        api_version=settings.graph_api_version,
        ollama_url=ollama_url or settings.ollama_host,
        ngrok_path=ngrok_path,
        ngrok_config=paths.ngrok_dir / "ngrok.yml",
        ngrok_download_url=ngrok_download_url,
        http=http,
        keyring_usable=keyring_usable,
        answers=answers,
    )

    async def close_db() -> None:
        await run_blocking(db.close)

    flow.on_close(close_db)
    return flow


# -- helpers the window's wizard renders (Qt-free) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelOption:
    name: str
    size_bytes: int  # approximate download size (0 = unknown)
    fits: bool  # this PC's RAM is enough
    installed: bool
    recommended: bool


def model_options(ram_bytes: int | None, installed: Sequence[str]) -> list[ModelOption]:
    """The models the wizard offers: the recommended choices by RAM, then the installed ones."""
    gib = (ram_bytes or 0) / 2**30
    best = recommend_model(ram_bytes)
    options = [
        ModelOption(
            name,
            size,
            gib >= min_gib,
            any(_same_model(name, m) for m in installed),
            name == best,
        )
        for name, size, min_gib in MODEL_CHOICES
    ]
    for model in installed:
        if not any(_same_model(o.name, model) for o in options):
            options.append(ModelOption(model, 0, True, True, False))
    return options


def format_bytes(value: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{int(value)} B"


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_text(p: PullProgress, language: str = "es") -> str:
    """``12.3 MB de 45.0 MB · 2.1 MB/s · quedan 0:16`` (a pull's or a download's progress)."""
    en = language.lower().startswith("en")
    if p.status == "installing":
        return "Installing…" if en else "Instalando…"
    if not p.total:
        return p.status or ("Starting…" if en else "Empezando…")
    of = "of" if en else "de"
    left = "left" if en else "quedan"
    return (
        f"{format_bytes(p.completed)} {of} {format_bytes(p.total)} · "
        f"{format_bytes(p.bytes_per_s)}/s · {left} {format_duration(p.eta_s)}"
    )


async def wait_first_message(
    flow: SetupFlow, timeout: float, cancel: asyncio.Event | None = None
) -> StepResult:
    """The connect step's "send a message from your phone": waits for it (or ``cancel``).

    Replaces the step's ``first_message`` check in ``flow.results`` with the outcome, so the
    wizard can show the subscribe and callback checks first and the message arriving live.
    """
    earlier = flow.results.get(StepId.CONNECT_META)
    others = tuple(c for c in (earlier.checks if earlier else ()) if c.check != "first_message")
    if flow.server is None:
        outcome = CheckResult(
            "first_message",
            Status.ERROR,
            Text("Primero verifica la conexión con Meta.", "Check the connection first."),
        )
    else:
        started = time.monotonic()
        waiting = asyncio.ensure_future(ConnectMetaStep._wait(flow, timeout))
        stopper = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
        try:
            await asyncio.wait(
                [t for t in (waiting, stopper) if t is not None],
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            if stopper is not None:
                stopper.cancel()
        if waiting.done():
            outcome = waiting.result()
        else:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
            causes = await ConnectMetaStep._wait(flow, 0)  # the causes, no more waiting
            if causes.status is Status.ERROR:
                waited = int(time.monotonic() - started)
                causes = replace(
                    causes,
                    message=Text(
                        f"Dejaste de esperar: no llegó ningún mensaje en {waited} segundos.",
                        f"You stopped waiting: no message arrived in {waited} seconds.",
                    ),
                )
            outcome = causes
    result = StepResult(StepId.CONNECT_META, (*others, outcome))
    flow.results[StepId.CONNECT_META] = result
    return result


def next_step_skipping(
    step_id: StepId, answers: Answers, skip: Iterable[StepId] = ()
) -> StepId | None:
    """:func:`next_step`, passing over ``skip`` (steps not offered in this run)."""
    skipped = set(skip)
    following = next_step(step_id, answers)
    while following is not None and following in skipped:
        following = next_step(following, answers)
    return following


def previous_step_skipping(step_id: StepId, skip: Iterable[StepId] = ()) -> StepId | None:
    skipped = set(skip)
    before = previous_step(step_id)
    while before is not None and before in skipped:
        before = previous_step(before)
    return before
