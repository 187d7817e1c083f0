"""Builds the core (database, webhook server, workers, outbox, LLM, tunnel) and runs it.

Used by the GUI (under qasync) and by the headless ``serve`` command (plain asyncio) alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx

from wabot_desktop.core.bot.engine import BotEngine
from wabot_desktop.core.bot.outbox import OutboxSender, publish_status_changes
from wabot_desktop.core.errors import MissingCredentialsError
from wabot_desktop.core.events import (
    AccountErrorReceived,
    ConversationUpdated,
    EventHub,
    MessageReceived,
)
from wabot_desktop.core.llm.ollama_provider import OllamaProvider
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
from wabot_desktop.core.server import WebhookCredentials, WebhookServer
from wabot_desktop.core.service import BotService
from wabot_desktop.core.settings import Settings, load_settings, save_settings
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.store.ingest import IngestOutcome
from wabot_desktop.core.store.writer import IngestWriter
from wabot_desktop.core.supervisor import Supervisor
from wabot_desktop.core.tunnel import TunnelManager
from wabot_desktop.core.whatsapp.errors import GraphApiError
from wabot_desktop.core.whatsapp.graph import GraphClient

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class CoreConfig:
    """How to run the core; flags of ``serve`` map one to one."""

    paths: AppPaths
    host: str = "127.0.0.1"
    port: int = 8080
    graph_url: str | None = None
    ollama_url: str | None = None
    tunnel: bool = True
    simulator: bool = False
    secrets: SecretStore | None = None
    data_dir_overridden: bool = True
    # Settings written to the profile at start (tests, scripted set-ups).
    settings_overrides: dict[str, object] = field(default_factory=dict)


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
    """The running core. ``start`` brings everything up; ``stop`` takes it down gracefully."""

    def __init__(self, config: CoreConfig) -> None:
        self.config = config
        self.paths = config.paths
        self.hub = EventHub()
        self.metrics = Metrics()
        self.secrets: SecretStore = config.secrets or default_secret_store(
            config.paths, config.data_dir_overridden
        )
        self.settings = Settings()
        self.db: Database | None = None
        self._http: httpx.AsyncClient | None = None
        self.graph: GraphClient | None = None
        self.outbox: OutboxSender | None = None
        self.engine: BotEngine | None = None
        self.server: WebhookServer | None = None
        self.llm: OllamaProvider | None = None
        self.tunnel: TunnelManager | None = None
        self._service: BotService | None = None
        self._supervisor = Supervisor(self.hub)
        self.writer: IngestWriter | None = None

    @property
    def service(self) -> BotService:
        if self._service is None:
            raise RuntimeError("core not started")
        return self._service

    @property
    def server_url(self) -> str:
        assert self.server is not None and self.server.port is not None
        return f"http://{self.config.host}:{self.server.port}"

    def credentials_missing(self) -> list[SecretKey]:
        return missing_secrets(self.secrets, REQUIRED_FOR_LIVE)

    def _set_settings(self, settings: Settings) -> None:
        self.settings = settings

    async def start(self) -> None:
        """Open the database, start the server and the workers, recover unfinished work.

        Raises:
            MissingCredentialsError: live mode without the WhatsApp credentials.
            PortInUseError: the webhook port is taken.
        """
        missing = self.credentials_missing()
        if missing:
            raise MissingCredentialsError([m.value for m in missing])
        paths = self.paths.ensure()
        self.db = Database(paths.db_path)
        await self.db.run(self.db.migrate)
        if self.config.settings_overrides:
            overrides = self.config.settings_overrides
            await self.db.session_run(lambda s: save_settings(s, **overrides))
        self.settings = await self.db.session_run(load_settings)

        self._http = httpx.AsyncClient(timeout=httpx.Timeout(15.0))
        self.graph = GraphClient(
            self._http,
            base_url=self.config.graph_url or self.settings.graph_base_url,
            api_version=self.settings.graph_api_version,
            phone_number_id=self.secrets.get(SecretKey.PHONE_NUMBER_ID) or "",
            access_token=lambda: self.secrets.get(SecretKey.ACCESS_TOKEN),
            waba_id=self.secrets.get(SecretKey.WABA_ID),
        )
        self.outbox = OutboxSender(
            self.db, self.graph, self.hub, self.metrics, lambda: self.settings
        )
        self.llm = OllamaProvider(
            host=self.config.ollama_url or self.settings.ollama_host,
            model=self.settings.llm_model,
            request_timeout=self.settings.llm_timeout_s,
            keep_alive=self.settings.llm_keep_alive,
            max_concurrent=self.settings.llm_max_concurrent,
            hub=self.hub,
        )
        self.engine = BotEngine(
            db=self.db,
            hub=self.hub,
            outbox=self.outbox,
            graph=self.graph,
            llm=self.llm,
            settings=lambda: self.settings,
        )
        self.writer = IngestWriter(self.db)
        self.writer.add_committed_callback(self._on_committed)
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
        )
        self.server = WebhookServer(
            writer=self.writer,
            credentials=WebhookCredentials(
                app_secret=self.secrets.get(SecretKey.APP_SECRET) or "",
                verify_token=self.secrets.get(SecretKey.VERIFY_TOKEN) or "",
                phone_number_id=self.secrets.get(SecretKey.PHONE_NUMBER_ID),
            ),
            health=self._service.health,
            metrics=self.metrics,
        )
        # The writer must run before the server accepts its first webhook.
        self._supervisor.spawn("ingest-writer", self.writer.run)
        try:
            await self.server.start(self.config.host, self.config.port)
        except Exception:
            await self._supervisor.stop()
            await self._close_clients()
            raise
        self._supervisor.spawn("outbox", self.outbox.run)
        self._supervisor.spawn("mode-sweeper", self.engine.run_sweeper)
        self._supervisor.spawn("llm-warmup", self._warm_up_llm, restart=False)
        self._supervisor.spawn("graph-check", self._check_graph, restart=False)
        if self.config.tunnel:
            assert self.server.port is not None
            self.tunnel = TunnelManager(
                local_port=self.server.port,
                hub=self.hub,
                ngrok_path=None,
                config_path=paths.ngrok_dir / "ngrok.yml",
                authtoken=self.secrets.get(SecretKey.NGROK_AUTHTOKEN),
                domain=self.settings.ngrok_domain or None,
                own_url=self.settings.own_public_url or None,
            )
            self._service.tunnel = self.tunnel
            self._supervisor.spawn("tunnel", self._run_tunnel, restart=False)
        await self.engine.recover()
        logger.info("core started (simulator=%s)", self.config.simulator)

    async def _warm_up_llm(self) -> None:
        assert self.llm is not None
        if await self.llm.check() == "up":
            await self.llm.warm_up()

    async def _check_graph(self) -> None:
        assert self.graph is not None and self._service is not None
        if self.config.simulator:
            return
        try:
            ok = await self.graph.check_health()
        except GraphApiError as exc:
            logger.warning("Graph API check failed (code %s)", exc.code)
            ok = False
        self._service.graph_state = "ok" if ok else "error"

    async def _run_tunnel(self) -> None:
        assert self.tunnel is not None
        await self.tunnel.start()
        await self.tunnel.run_watchdog()

    def _on_committed(self, outcomes: list[IngestOutcome]) -> None:
        assert self.engine is not None
        touched: set[int] = set()
        for outcome in outcomes:
            for new in outcome.new_messages:
                self.hub.publish(
                    MessageReceived(
                        conversation_id=new.conversation_id,
                        message_id=new.message_id,
                        contact_id=new.contact_id,
                    )
                )
                touched.add(new.conversation_id)
                if new.needs_bot:
                    self.engine.notify(new.conversation_id)
            publish_status_changes(self.hub, outcome.status_changes)
            for code in outcome.account_error_codes:
                self.hub.publish(AccountErrorReceived(error_code=code))
        for conversation_id in touched:
            self.hub.publish(ConversationUpdated(conversation_id=conversation_id))

    async def _close_clients(self) -> None:
        if self.llm is not None:
            await self.llm.aclose()
        if self._http is not None:
            await self._http.aclose()

    async def stop(self) -> None:
        """Stop accepting webhooks, stop the workers, close clients and the database."""
        if self.server is not None:
            await self.server.stop()
        if self.engine is not None:
            await self.engine.stop()
        await self._supervisor.stop()
        if self.tunnel is not None:
            try:
                await self.tunnel.stop()
            except Exception:
                logger.exception("tunnel stop failed")
        await self._close_clients()
        if self.db is not None:
            self.db.close()
            self.db = None
        logger.info("core stopped")
