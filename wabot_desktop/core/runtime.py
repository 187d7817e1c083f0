"""Builds the core (database, webhook server, workers, outbox, LLM, tunnel) and runs it.

Used by the GUI (under qasync) and by the headless ``serve`` command (plain asyncio) alike.

Simulator mode (``CoreConfig.simulator``): the same pipeline, but the Graph API is the in-process
:class:`~wabot_desktop.core.whatsapp.sandbox.Sandbox`, the credentials are the sandbox's own
(never the keyring), the data lives in ``<data dir>/simulator`` (a separate profile, so live
chats and settings are untouched) and there is no tunnel. A new simulator profile is seeded with
a demo business and FAQ so the fallback responder can answer without Ollama.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from wabot_desktop.core.aio import BlockingPool
from wabot_desktop.core.bot.engine import BotEngine
from wabot_desktop.core.bot.outbox import OutboxSender
from wabot_desktop.core.bot.pipeline import CommitPipeline
from wabot_desktop.core.clock import REAL_CLOCK, Clock
from wabot_desktop.core.dto import GraphState, LlmState
from wabot_desktop.core.errors import KeyringUnavailableError, MissingCredentialsError
from wabot_desktop.core.events import (
    Event,
    EventHub,
    MessageQueued,
    MessageReceived,
    SettingsChanged,
)
from wabot_desktop.core.knowledge import store as knowledge_store
from wabot_desktop.core.knowledge.active import ActiveKnowledge
from wabot_desktop.core.knowledge.context import context_tokens
from wabot_desktop.core.llm.guarded import GuardedProvider
from wabot_desktop.core.llm.ollama_provider import OllamaProvider
from wabot_desktop.core.llm.openai_provider import OpenAIProvider
from wabot_desktop.core.metrics import Metrics
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.secrets import (
    REQUIRED_FOR_LIVE,
    EnvOverlaySecretStore,
    KeyringSecretStore,
    SecretKey,
    SecretStore,
    missing_secrets,
    service_name_for,
)
from wabot_desktop.core.server import ServerLimits, WebhookCredentials, WebhookServer
from wabot_desktop.core.service import BotService
from wabot_desktop.core.settings import Settings, load_settings, save_settings
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.dialect import parse_database_url, redacted, with_password
from wabot_desktop.core.store.models import Contact
from wabot_desktop.core.store.notify import SharedEvents
from wabot_desktop.core.store.writer import Deferral, IngestWriter, deferral_from_env
from wabot_desktop.core.supervisor import Supervisor
from wabot_desktop.core.tunnel import TunnelManager
from wabot_desktop.core.voice.notes import VoiceNotes
from wabot_desktop.core.whatsapp.errors import GraphApiError
from wabot_desktop.core.whatsapp.graph import GraphClient, pool_limits
from wabot_desktop.core.whatsapp.sandbox import Sandbox, StatusDelays

if TYPE_CHECKING:
    from wabot_desktop.core.setup_flow import CallbackKeeper

logger = logging.getLogger(__name__)

SIMULATOR_DIR_NAME = "simulator"

# Written once, when a simulator profile is created (never into a live profile).
SIMULATOR_DEMO_SETTINGS: dict[str, object] = {
    "business_name": "Mi tienda (demo)",
    "business_hours_text": "Lunes a viernes de 9:00 a 19:00, sábados de 9:00 a 14:00.",
    "business_address": "Av. Siempre Viva 742, Centro",
    "payment_methods": "Efectivo, tarjeta de débito o crédito y transferencia bancaria.",
    "faq": (
        (
            "¿Cuál es el horario de atención?",
            "Atendemos de lunes a viernes de 9:00 a 19:00 y los sábados de 9:00 a 14:00. "
            "Los domingos está cerrado.",
        ),
        (
            "¿Hacen envíos a domicilio?",
            "¡Sí! Hacemos envíos a domicilio en toda la ciudad en 24-48 h. El envío es gratis en "
            "compras desde $50.",
        ),
        (
            "¿Qué formas de pago aceptan?",
            "Aceptamos efectivo, tarjeta de débito o crédito y transferencia bancaria.",
        ),
        (
            "¿Cuál es la dirección de la tienda?",
            "Estamos en Av. Siempre Viva 742, Centro. ¡Te esperamos!",
        ),
    ),
    # A snappy demo: the bot answers 1.5 s after the customer stops typing.
    "debounce_quiet_s": 1.5,
    "debounce_max_s": 6.0,
    "send_gap_s": 0.3,
}


def simulator_paths(live: AppPaths) -> AppPaths:
    """The simulator's own profile: everything below ``<live data dir>/simulator``."""
    return AppPaths.resolve(live.data_dir / SIMULATOR_DIR_NAME)


def reset_simulator_data(live: AppPaths) -> bool:
    """Delete the simulator's profile (chats, settings, media); True if there was one.

    Call it while no core runs in simulator mode on this profile (stop it first, then start a
    new one). The live profile is never touched.

    Raises:
        RuntimeError: a core of this process is running on that simulator profile.
    """
    target = simulator_paths(live).data_dir
    if target in Core.active_simulator_dirs:
        raise RuntimeError("stop the simulator before clearing its data")
    if target.name != SIMULATOR_DIR_NAME or target.parent != live.data_dir.resolve():
        raise RuntimeError("refusing to delete an unexpected folder")
    if not target.exists():
        return False
    shutil.rmtree(target)
    logger.info("simulator data cleared")
    return True


# Every secret the running core reads (the snapshot :meth:`Core.load_credentials` takes).
_CORE_SECRETS = (
    SecretKey.ACCESS_TOKEN,
    SecretKey.APP_SECRET,
    SecretKey.VERIFY_TOKEN,
    SecretKey.PHONE_NUMBER_ID,
    SecretKey.WABA_ID,
    SecretKey.NGROK_AUTHTOKEN,
)


class _CredentialView:
    """The core's secret snapshot as a read-only SecretStore (never a keyring call)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def get(self, key: SecretKey) -> str | None:
        return self._core.credential(key)

    def set(self, key: SecretKey, value: str) -> None:
        raise KeyringUnavailableError("the running core's credentials are read-only")

    def delete(self, key: SecretKey) -> None:
        raise KeyringUnavailableError("the running core's credentials are read-only")


def should_start_in_simulator(secrets: SecretStore) -> bool:
    """First run: no live WhatsApp credentials stored, so the app opens in simulator mode."""
    try:
        return bool(missing_secrets(secrets, REQUIRED_FOR_LIVE))
    except Exception:  # an unusable keyring means no credentials either
        logger.info("secrets unreadable; starting in simulator mode")
        return True


def _loopback_url(host: str, port: int) -> str:
    if host in ("", "0.0.0.0", "::", "localhost"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _llm_config(settings: Settings) -> tuple[object, ...]:
    """The settings a provider is built from: a change to any of them rebuilds it."""
    return (
        settings.llm_provider,
        settings.ollama_host,
        settings.llm_model,
        settings.openai_base_url,
        settings.openai_model,
        settings.llm_context_size,
        settings.llm_confirmed_hosts,
        settings.llm_timeout_s,
        settings.llm_max_concurrent,
        settings.llm_keep_alive,
    )


def _known_customers(session: Session) -> list[tuple[str | None, str]]:
    rows = session.execute(
        select(Contact.profile_name, Contact.wa_id).where(Contact.wa_id.is_not(None))
    ).all()
    return [(name, wa_id) for name, wa_id in rows if wa_id]


@dataclass(slots=True)
class CoreConfig:
    """How to run the core; flags of ``serve`` map one to one."""

    paths: AppPaths
    host: str = "127.0.0.1"
    port: int = 8080
    graph_url: str | None = None
    ollama_url: str | None = None
    # serve --llm-provider/--llm-url/--llm-model: written to the profile's settings at start.
    llm_provider: str | None = None
    llm_url: str | None = None
    llm_model: str | None = None
    tunnel: bool = True
    simulator: bool = False
    secrets: SecretStore | None = None
    data_dir_overridden: bool = True
    # Settings written to the profile at start (tests, scripted set-ups).
    settings_overrides: dict[str, object] = field(default_factory=dict)
    # Simulator only: when the sandbox's sent/delivered/read webhooks go out (None: realistic).
    sandbox_delays: StatusDelays | None = None
    # What the engine, the outbox, the LLM breaker and the tunnel watchdog measure time with
    # (tests pass a core.clock.TestClock and advance it).
    clock: Clock = REAL_CLOCK
    # serve --database-url / WABOT_DATABASE_URL: a shop's PostgreSQL instead of the profile's
    # SQLite file (issue 16). The password comes from the URL or the keyring, never logged.
    database_url: str | None = None
    # The webhook server on a thread and loop of its own (acks never wait for the bot's and
    # the GUI's loop): the desktop app's default. WABOT_SERVER_THREAD=0 keeps it on the main
    # loop; ``serve`` keeps it there unless WABOT_SERVER_THREAD=1 (core/headless.py).
    server_thread: bool = field(
        default_factory=lambda: os.environ.get("WABOT_SERVER_THREAD", "1") != "0"
    )
    # Batches of at most this many webhooks commit on the server's thread when the DB thread
    # is idle (core/store/writer.py); 0 (the default): always on the DB thread, which measured
    # as fast at concurrency 1 and faster at 64 (the commit overlaps the parsing; bench/README).
    # WABOT_INGEST_INLINE sets it (bench/compare_peers.py --variant).
    ingest_inline_max: int = field(
        default_factory=lambda: int(os.environ.get("WABOT_INGEST_INLINE", "0"))
    )
    # A burst is acknowledged as bodies and parsed just after (core/store/writer.py, issue
    # 17); WABOT_INGEST_DEFER / WABOT_INGEST_PARSE_AFTER_MS tune it. Never on PostgreSQL:
    # instances share the table there, and one would parse another's bodies.
    ingest_deferral: Deferral | None = field(default_factory=lambda: deferral_from_env(os.environ))


def default_secret_store(paths: AppPaths, data_dir_overridden: bool) -> SecretStore:
    """WABOT_* variables over the OS keyring (the keyring is skipped if it is unusable)."""
    keyring_store: SecretStore | None = None
    try:
        if KeyringSecretStore.usable():
            keyring_store = KeyringSecretStore(
                service_name_for(paths.data_dir if data_dir_overridden else None)
            )
    except Exception:  # a broken keyring backend must not stop a headless server
        logger.info("no usable keyring backend")
    return EnvOverlaySecretStore(keyring_store)


class Core:
    """The running core. ``start`` brings everything up; ``stop`` takes it down gracefully.

    In simulator mode ``paths`` is the simulator's profile (``live_paths`` the configured one),
    ``secrets`` the sandbox's credentials and ``sandbox`` the running :class:`Sandbox`.
    """

    # Simulator profiles in use by a core of this process (reset_simulator_data refuses them).
    active_simulator_dirs: ClassVar[set[Path]] = set()

    def __init__(self, config: CoreConfig) -> None:
        self.config = config
        self.live_paths = config.paths
        self.clock = config.clock
        # The core's one pool for blocking calls (keyring, files, tunnel agent); shut down by
        # stop(). Database work has its own threads (store.db.Database).
        self.blocking = BlockingPool("wabot-io", max_workers=4)
        self.hub = EventHub()
        self.metrics = Metrics()
        self.sandbox: Sandbox | None = None
        self.secrets: SecretStore
        if config.simulator:
            # Never the keyring nor WABOT_* variables: the sandbox's credentials, in memory.
            self.paths = simulator_paths(config.paths)
            self.sandbox = Sandbox(delays=config.sandbox_delays)
            self.secrets = self.sandbox.credentials.secret_store()
            self._llm_key_store: SecretStore | None = config.secrets  # opened only if needed
        else:
            self.paths = config.paths
            self.secrets = config.secrets or default_secret_store(
                config.paths, config.data_dir_overridden
            )
            self._llm_key_store = self.secrets
        self._credentials: dict[SecretKey, str | None] = {}
        self.settings = Settings()
        self.db: Database | None = None
        self._http: httpx.AsyncClient | None = None
        self.graph: GraphClient | None = None
        self.outbox: OutboxSender | None = None
        self.engine: BotEngine | None = None
        self.voice: VoiceNotes | None = None
        self.knowledge = ActiveKnowledge()
        self.server: WebhookServer | None = None
        self.llm: GuardedProvider | None = None
        # Providers replaced by a switch, closed once idle, or at stop if still busy then.
        self._retired_llms: set[GuardedProvider] = set()
        self.tunnel: TunnelManager | None = None
        self.callback_keeper: CallbackKeeper | None = None
        self._service: BotService | None = None
        self._supervisor = Supervisor(self.hub)
        self.writer: IngestWriter | None = None
        self.shared_events: SharedEvents | None = None  # several instances on one PostgreSQL

    @property
    def service(self) -> BotService:
        if self._service is None:
            raise RuntimeError("core not started")
        return self._service

    @property
    def server_url(self) -> str:
        assert self.server is not None and self.server.port is not None
        return f"http://{self.config.host}:{self.server.port}"

    @property
    def simulator(self) -> bool:
        return self.config.simulator

    def credentials_missing(self) -> list[SecretKey]:
        return missing_secrets(self.secrets, REQUIRED_FOR_LIVE)

    def credential(self, key: SecretKey) -> str | None:
        """A secret from the snapshot read off the loop (no keyring call: safe on the loop)."""
        return self._credentials.get(key)

    async def load_credentials(self) -> None:
        """Read every secret the core uses, once, on a worker thread.

        The keyring is a synchronous D-Bus (or OS) call: on the event loop it would stall the
        window and the webhook server, so nothing reads it per request; the Graph client, the
        server and the tunnel read this snapshot instead. Call again when the secrets change
        (:meth:`reload_credentials`).
        """
        store = self.secrets

        def read() -> dict[SecretKey, str | None]:
            return {key: store.get(key) for key in _CORE_SECRETS}

        self._credentials = await self.blocking.run(read)

    async def reload_credentials(self) -> None:
        """The secrets changed (SIGHUP, the setup assistant): re-read them and apply at once.

        The webhook server's secret, verify token and number, the Graph client's number and
        token take the new values; if sending was blocked by a rejected token, it is checked
        again now and the queued replies go out once it works.
        """
        await self.load_credentials()
        if self.server is not None:
            # A new object, swapped whole: the server's thread never sees half the change.
            creds = dataclasses.replace(self.server.credentials)
            app_secret = self.credential(SecretKey.APP_SECRET) or ""
            if app_secret.strip():
                creds.app_secret = app_secret
            creds.verify_token = self.credential(SecretKey.VERIFY_TOKEN) or creds.verify_token
            phone_number_id = self.credential(SecretKey.PHONE_NUMBER_ID)
            if phone_number_id:
                creds.phone_number_id = phone_number_id
                if self.graph is not None:
                    self.graph.phone_number_id = phone_number_id
            self.server.set_credentials(creds)
        if self.outbox is not None and self.outbox.is_blocked():
            await self.outbox.recheck_token()

    def _set_settings(self, settings: Settings) -> None:
        old = self.settings
        self.settings = settings
        if self.llm is not None and _llm_config(old) != _llm_config(settings):
            self._swap_llm()

    def set_llm_api_key(self, key: str | None) -> None:
        """Store (or with None/"" delete) the model server's API key in the keyring; the
        provider is rebuilt so the next turn uses it.

        Raises:
            KeyringUnavailableError: no usable keyring to keep it in.
        """
        self._llm_api_key()  # opens the store if needed
        assert self._llm_key_store is not None
        if key:
            self._llm_key_store.set(SecretKey.LLM_API_KEY, key)
        else:
            self._llm_key_store.delete(SecretKey.LLM_API_KEY)
        self._swap_llm()

    async def read_llm_api_key(self) -> str | None:
        """The model server's API key from the keyring, read on a worker thread (None: none)."""
        return await self.blocking.run(self._llm_api_key)

    async def store_llm_api_key(self, key: str | None) -> None:
        """:meth:`set_llm_api_key` with the keyring call on a worker thread (for the GUI)."""

        def store() -> None:
            self._llm_api_key()  # opens the store if needed
            assert self._llm_key_store is not None
            if key:
                self._llm_key_store.set(SecretKey.LLM_API_KEY, key)
            else:
                self._llm_key_store.delete(SecretKey.LLM_API_KEY)

        await self.blocking.run(store)
        self._swap_llm()

    def effective_ollama_host(self) -> str:
        """The Ollama address in use (``serve --ollama-url`` wins over the setting)."""
        return self.config.ollama_url or self.settings.ollama_host

    def _swap_llm(self) -> None:
        # Takes effect on the next turn; a generation already running ends on the old one.
        if self.llm is not None:
            retired, self.llm = self.llm, self._build_llm()
            if self.engine is not None:
                self.engine.llm = self.llm
            if self._service is not None:
                self._service.llm = self.llm
            logger.info("LLM provider switched to %s", self.llm.provider)
            self._retired_llms.add(retired)
            warm_up = self._supervisor.task(self._warm_up_name(retired))

            async def retire() -> None:
                # Its warm-up is pointless now and must not race its close.
                if warm_up is not None and not warm_up.done():
                    warm_up.cancel()
                    await asyncio.wait([warm_up])
                await retired.aclose_when_idle()
                self._retired_llms.discard(retired)

            self._supervisor.spawn(f"llm-retire-{id(retired)}", retire, restart=False)
            self._supervisor.spawn(self._warm_up_name(self.llm), self._warm_up_llm, restart=False)

    def _llm_api_key(self) -> str | None:
        # Read from the live profile's store even in simulator mode: it is the owner's model
        # server, not a WhatsApp credential. The keyring is opened only when a key is needed.
        if self._llm_key_store is None:
            self._llm_key_store = default_secret_store(
                self.config.paths, self.config.data_dir_overridden
            )
        try:
            return self._llm_key_store.get(SecretKey.LLM_API_KEY)
        except Exception:  # an unusable keyring: no key (local servers need none)
            logger.info("LLM API key unreadable; connecting without one")
            return None

    def _build_llm(self) -> GuardedProvider:
        settings = self.settings
        common: dict[str, Any] = {
            "request_timeout": settings.llm_timeout_s,
            "first_token_timeout": settings.llm_first_token_timeout_s,
            "customer_wait": settings.llm_customer_wait_s,
            "max_concurrent": settings.llm_max_concurrent,
            "context_size": settings.llm_context_size,
            "confirmed_hosts": settings.llm_confirmed_hosts,
            "hub": self.hub,
            "clock": self.clock,
        }
        if settings.llm_provider == "openai":
            return OpenAIProvider(
                settings.openai_base_url,
                settings.openai_model,
                api_key=self._llm_api_key(),
                **common,
            )
        # Ollama: the context window is always set explicitly (it defaults to 4k below 24 GiB
        # of VRAM and silently truncates the prompt): the owner's size, else llm_num_ctx; the
        # model's own metadata (/api/show) may lower it at warm-up.
        common["context_size"] = settings.llm_context_size or settings.llm_num_ctx
        return OllamaProvider(
            host=self.config.ollama_url or settings.ollama_host,
            model=settings.llm_model,
            keep_alive=settings.llm_keep_alive,
            **common,
        )

    async def _open_database(self, db_path: Path) -> Database:
        """The profile's SQLite file, or the shop's PostgreSQL server (``database_url``)."""
        if self.config.database_url is None or self.sandbox is not None:
            if self.config.database_url is not None:
                logger.info("simulator mode: --database-url is ignored (own simulator profile)")
            return Database(db_path)
        url = parse_database_url(self.config.database_url)
        if not url.password:
            store = self.secrets
            url = with_password(
                url, await self.blocking.run(lambda: store.get(SecretKey.DATABASE_PASSWORD))
            )
        logger.info("database: PostgreSQL %s", redacted(url))
        return Database(db_path, url=url)

    async def start(self) -> None:
        """Open the database, start the server and the workers, recover unfinished work.

        Raises:
            MissingCredentialsError: live mode without the WhatsApp credentials.
            PortInUseError: the webhook port is taken.
        """
        await self.load_credentials()
        missing = [key for key in REQUIRED_FOR_LIVE if not self.credential(key)]
        if missing:
            raise MissingCredentialsError([m.value for m in missing])
        paths = self.paths.ensure()
        new_profile = not paths.db_path.exists()
        self.db = await self._open_database(paths.db_path)
        await self.db.run(self.db.migrate)
        if self.sandbox is not None and new_profile:
            await self.db.session_run(lambda s: save_settings(s, **SIMULATOR_DEMO_SETTINGS))
        overrides = dict(self.config.settings_overrides)
        ollama = self.config.llm_provider == "ollama"
        for key, value in (
            ("llm_provider", self.config.llm_provider),
            ("ollama_host" if ollama else "openai_base_url", self.config.llm_url),
            ("llm_model" if ollama else "openai_model", self.config.llm_model),
        ):
            if value is not None:
                overrides[key] = value
        if overrides:
            await self.db.session_run(lambda s: save_settings(s, **overrides))
        self.settings = await self.db.session_run(load_settings)
        found = await self.db.session_run(knowledge_store.active)
        self.knowledge = ActiveKnowledge(found[1], found[0]) if found else ActiveKnowledge()

        graph_url = self.config.graph_url or self.settings.graph_base_url
        if self.sandbox is not None:
            if self.config.graph_url:
                logger.info("simulator mode: --graph-url is ignored (the sandbox answers)")
            try:
                await self.sandbox.start()
                for name, wa_id in await self.db.session_run(_known_customers):
                    with contextlib.suppress(ValueError):  # not a phone number: skip it
                        self.sandbox.add_customer(name or "", wa_id)
            except BaseException:
                await self.sandbox.stop()
                self.db.close()
                self.db = None
                raise
            graph_url = self.sandbox.base_url
            Core.active_simulator_dirs.add(paths.data_dir)

        # The simulator only ever talks to the loopback sandbox: never through a proxy.
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(15.0),
            trust_env=self.sandbox is None,
            limits=pool_limits(),  # as many kept-alive connections as GraphClient sends at once
        )
        self.graph = GraphClient(
            self._http,
            base_url=graph_url,
            api_version=self.settings.graph_api_version,
            phone_number_id=self.credential(SecretKey.PHONE_NUMBER_ID) or "",
            access_token=lambda: self.credential(SecretKey.ACCESS_TOKEN),
            waba_id=self.credential(SecretKey.WABA_ID),
        )
        self.outbox = OutboxSender(
            self.db, self.graph, self.hub, self.metrics, lambda: self.settings, clock=self.clock
        )
        # Voice notes: Whisper models are shared by the live and the simulator profile; the
        # simulator never goes online for one (it uses a model already there, else falls back).
        self.voice = VoiceNotes(
            db=self.db,
            graph=self.graph,
            hub=self.hub,
            settings=lambda: self.settings,
            models_dir=self.live_paths.data_dir / "models" / "whisper",
            auto_download=self.sandbox is None,
            blocking=self.blocking,
        )
        self.llm = self._build_llm()
        self.engine = BotEngine(
            db=self.db,
            hub=self.hub,
            outbox=self.outbox,
            graph=self.graph,
            llm=self.llm,
            settings=lambda: self.settings,
            voice=self.voice,
            knowledge=self.knowledge,
            clock=self.clock,
        )
        self.writer = IngestWriter(
            self.db,
            inline_max=self.config.ingest_inline_max,
            deferral=None if self.config.database_url else self.config.ingest_deferral,
        )
        self.writer.add_committed_callback(
            CommitPipeline(self.hub, self.engine, self.voice).on_committed
        )
        self._service = BotService(
            db=self.db,
            hub=self.hub,
            graph=self.graph,
            outbox=self.outbox,
            settings=lambda: self.settings,
            update_settings=self._set_settings,
            media_dir=paths.media_dir,
            llm=self.llm,
            tunnel=self.tunnel,
            simulator=self.config.simulator,
            knowledge=self.knowledge,
            clock=self.clock.time,
            blocking=self.blocking,
            llm_control=self,
            voice=self.voice,
        )
        self.server = WebhookServer(
            writer=self.writer,
            credentials=WebhookCredentials(
                app_secret=self.credential(SecretKey.APP_SECRET) or "",
                verify_token=self.credential(SecretKey.VERIFY_TOKEN) or "",
                phone_number_id=self.credential(SecretKey.PHONE_NUMBER_ID),
            ),
            health=self._service.health,
            metrics=self.metrics,
            limits=ServerLimits.from_settings(self.settings),
            blocking=self.blocking,
            clock=self.clock,
            own_thread=self.config.server_thread,
        )
        # /health and /metrics: direct loopback requests only while a tunnel relays to us.
        self.server.behind_tunnel = lambda: self.tunnel is not None
        if self.sandbox is not None:
            # Loopback-only JSON routes for serve --simulator; never mounted in live mode.
            self.server.extra_routes.extend(self.sandbox.control_routes())
        # The writer must run before the server accepts its first webhook.
        self._supervisor.spawn("ingest-writer", self.writer.run)
        try:
            await self.server.start(self.config.host, self.config.port)
        except Exception:
            await self._supervisor.stop()
            await self._close_clients()
            await self._stop_sandbox()
            self.db.close()
            self.db = None
            raise
        if self.sandbox is not None:
            assert self.server.port is not None
            self.sandbox.set_webhook_url(
                _loopback_url(self.config.host, self.server.port) + "/webhook"
            )
        self._supervisor.spawn("outbox", self.outbox.run)
        self._supervisor.spawn("mode-sweeper", self.engine.run_sweeper)
        if self.db.leases.shared:  # issue 16: several instances on one PostgreSQL
            self._supervisor.spawn("turn-recovery", self.engine.run_recovery)
            loop = asyncio.get_running_loop()
            service = self._service

            def listening() -> None:
                # On the listening thread, (again) listening: saves made meanwhile were missed.
                with contextlib.suppress(RuntimeError):  # the loop closed at shutdown
                    loop.call_soon_threadsafe(service.reload_settings_soon)

            self.shared_events = SharedEvents(
                self.db, self.hub, on_remote=self._on_cluster_event, on_listening=listening
            )
            self.shared_events.start()
        self._supervisor.spawn(self._warm_up_name(self.llm), self._warm_up_llm, restart=False)
        self._supervisor.spawn("graph-check", self._check_graph)
        self._start_token_watch(graph_url)
        if self.config.tunnel and self.sandbox is None:
            assert self.server.port is not None
            self.tunnel = TunnelManager(
                local_port=self.server.port,
                hub=self.hub,
                ngrok_path=Path(self.settings.ngrok_agent_path)
                if self.settings.ngrok_agent_path
                else None,
                config_path=paths.ngrok_dir / "ngrok.yml",
                authtoken=self.credential(SecretKey.NGROK_AUTHTOKEN),
                domain=self.settings.ngrok_domain or None,
                own_url=self.settings.own_public_url or None,
                clock=self.clock,
                blocking=self.blocking,
            )
            self._service.tunnel = self.tunnel
            self._start_callback_keeper(graph_url)
            self._supervisor.spawn("tunnel", self._run_tunnel, restart=False)
        await self.voice.recover()  # before the bot's recovery, so its turns wait for them
        await self.engine.recover()
        logger.info("core started (simulator=%s)", self.config.simulator)

    def _start_callback_keeper(self, graph_url: str) -> None:
        """Re-point Meta's callback whenever the public URL changes (set up by the wizard)."""
        from wabot_desktop.core.setup_flow import CallbackKeeper, GraphSetupClient, Redactor

        mode: Literal["app", "phone"] = "phone" if self.settings.callback_mode == "phone" else "app"
        if mode == "app" and not self.settings.meta_app_id:
            return  # configured by hand (WABOT_* variables): leave Meta's settings alone
        assert self._http is not None

        def secret_values() -> list[str]:
            values = [self.credential(key) or "" for key in SecretKey]
            app = self.settings.meta_app_id
            secret = self.credential(SecretKey.APP_SECRET) or ""
            return [*values, f"{app}|{secret}"] if secret else values

        self.callback_keeper = CallbackKeeper(
            hub=self.hub,
            graph=GraphSetupClient(
                self._http, graph_url, self.settings.graph_api_version, Redactor(secret_values)
            ),
            secrets=_CredentialView(self),
            app_id=self.settings.meta_app_id,
            mode=mode,
        )
        self.callback_keeper.attach()

    def _start_token_watch(self, graph_url: str) -> None:
        """Warn a week before an expiring (60-day) token ends (set up by the wizard)."""
        from wabot_desktop.core.setup_flow import GraphSetupClient, Redactor, watch_token_expiry

        app_id = self.settings.meta_app_id
        if not app_id or self.sandbox is not None:
            return
        assert self._http is not None
        secrets = _CredentialView(self)

        def secret_values() -> list[str]:
            values = [secrets.get(key) or "" for key in SecretKey]
            return [*values, f"{app_id}|{secrets.get(SecretKey.APP_SECRET) or ''}"]

        graph = GraphSetupClient(
            self._http, graph_url, self.settings.graph_api_version, Redactor(secret_values)
        )
        self._supervisor.spawn(
            "token-watch",
            lambda: watch_token_expiry(
                self.hub, graph, secrets, app_id, store_token=self._store_refreshed_token
            ),
        )

    async def _store_refreshed_token(self, token: str) -> None:
        """A renewed 60-day token: into the keyring, then the running core uses it at once."""
        await self.blocking.run(self.secrets.set, SecretKey.ACCESS_TOKEN, token)
        await self.reload_credentials()

    @staticmethod
    def _warm_up_name(llm: GuardedProvider | None) -> str:
        return f"llm-warmup-{id(llm)}"

    async def _warm_up_llm(self) -> None:
        # Bound to the provider it was started for: a switch meanwhile cancels it (_swap_llm).
        llm = self.llm
        assert llm is not None
        if await llm.check() is LlmState.UP:
            await llm.warm_up()
            if not isinstance(llm, OllamaProvider) or llm is not self.llm:
                return
            window = await context_tokens(
                self.config.ollama_url or self.settings.ollama_host, self.settings.llm_model
            )
            if window and window < (llm.context_size or window + 1):
                # A model with a smaller window than asked: ask for what it has.
                llm.context_size = window
                llm.options["num_ctx"] = window
            # The prompt budget (and the editor's token count) is the window the model is
            # asked for (num_ctx), which the owner may have set below the model's own.
            self.knowledge.context_tokens = llm.context_size or window

    async def _check_graph(self) -> None:
        """Keep the WhatsApp connection state fresh while the app runs.

        Checked at start and every ``graph_check_s`` after (every minute while it fails), so an
        app started offline stops saying "disconnected" once the network is back. While a
        rejected token (190) blocks sending, the check is the token re-check instead, every
        ``token_recheck_s``: the queued replies resume once Meta accepts it (GUI and ``serve``
        alike; SIGHUP or the status bar's button check at once).
        """
        assert self.graph is not None and self._service is not None
        if self.config.simulator:
            return
        while True:
            if self.outbox is not None and self.outbox.is_blocked():
                with contextlib.suppress(GraphApiError, httpx.HTTPError):
                    if await self.outbox.recheck_token():
                        self._service.graph_state = GraphState.OK
                interval = self.settings.token_recheck_s
            else:
                try:
                    ok = await self.graph.check_health()
                except GraphApiError as exc:
                    logger.warning("Graph API check failed (code %s)", exc.code)
                    ok = False
                except httpx.HTTPError as exc:
                    logger.info("Graph API unreachable: %s", type(exc).__name__)
                    ok = False
                self._service.graph_state = GraphState.OK if ok else GraphState.ERROR
                every = self.settings.graph_check_s
                # Never longer than the token re-check period: a block that starts meanwhile
                # is re-checked on time.
                interval = min(every if ok else min(60.0, every), self.settings.token_recheck_s)
            await self.clock.sleep(max(0.05, interval))

    async def _run_tunnel(self) -> None:
        assert self.tunnel is not None
        await self.tunnel.start()
        await self.tunnel.run_watchdog()

    def _on_cluster_event(self, event: Event) -> None:
        """Another instance stored a message: a turn running here on that chat hears of it.

        A reply queued elsewhere (a staff PC writes staff messages as outbox rows, issue 16)
        wakes this instance's outbox at once instead of at its next poll. Settings saved
        elsewhere (a staff PC's pause switch) are read again, so this bot follows them.
        """
        if isinstance(event, MessageReceived) and self.engine is not None:
            self.engine.poke(event.conversation_id)
        elif isinstance(event, MessageQueued) and self.outbox is not None:
            self.outbox.wake(event.conversation_id)
        elif isinstance(event, SettingsChanged) and self._service is not None:
            self._service.reload_settings_soon()

    async def _close_clients(self) -> None:
        # A provider switched away from whose close was still waiting for its last chat: its
        # retire task is cancelled with the others, so its connections are closed here.
        while self._retired_llms:
            await self._retired_llms.pop().aclose()
        if self.llm is not None:
            await self.llm.aclose()
        if self._http is not None:
            await self._http.aclose()

    async def _stop_sandbox(self) -> None:
        if self.sandbox is not None:
            try:
                await self.sandbox.stop()
            except Exception:
                logger.exception("sandbox stop failed")
            Core.active_simulator_dirs.discard(self.paths.data_dir)

    async def stop(self) -> None:
        """Stop accepting webhooks, stop the workers, close clients and the database."""
        if self.sandbox is not None:
            await self.sandbox.detach()  # no more simulated webhooks
        if self.server is not None:
            await self.server.stop()
        if self.engine is not None:
            await self.engine.stop()
        if self.writer is not None:
            # Bodies acknowledged but not parsed yet become rows now (the bot answers them at
            # the next start); a backup or migrate-to of the stopped profile then sees them.
            await self.writer.flush(self.settings.stop_grace_s)
        if self.outbox is not None:
            await self.outbox.drain(self.settings.stop_grace_s)  # sends on the wire finish
        if self.voice is not None:
            await self.voice.stop()
        await self._supervisor.stop()
        if self.shared_events is not None:
            await self.shared_events.stop()
            self.shared_events = None
        if self._service is not None:
            await self._service.aclose()
        await self._stop_sandbox()
        if self.callback_keeper is not None:
            await self.callback_keeper.aclose()
            self.callback_keeper = None
        if self.tunnel is not None:
            try:
                await self.tunnel.stop()
            except Exception:
                logger.exception("tunnel stop failed")
        await self._close_clients()
        if self.db is not None:
            self.db.close()
            self.db = None
        self.blocking.shutdown()
        logger.info("core stopped")
