"""The running app's one owner of the core: practice (simulator) or live, switched at run time.

:class:`Session` is Qt-free and is what ``app.py`` builds (the composition root) for the desktop
app and for ``serve``. It owns the one running :class:`~wabot_desktop.core.runtime.Core` and
switches it without a restart:

* practice mode <-> live mode (:meth:`Session.switch_mode`);
* clearing the practice data (:meth:`Session.reset_practice_data`);
* re-reading the credentials after the set-up wizard (:meth:`Session.reload_credentials`): a live
  core takes the new secrets at once; in practice mode, live mode becomes available as soon as the
  credentials exist;
* restoring a backup (:meth:`Session.restore_backup`): stop, restore, start again;
* a staff PC (issue 16, :mod:`wabot_desktop.core.shop`): :meth:`Session.connect_to_shop` stops
  this PC's bot and connects to the shop's PostgreSQL instead (no webhook server, tunnel, workers
  or outbox here: the server's ``serve`` answers); :meth:`Session.run_bot_here` goes back. The
  choice is kept in ``<config dir>/shop.json`` (never the password: that is in the keyring), so
  the next start connects to the shop again.

Only one core runs at a time (they would share the webhook port and the tray). A switch stops the
running core in order (simulated customers, then the webhook server, the workers and the outbox,
which finishes the sends already on the wire) and starts the other one, whose start-up recovery
picks up every stored message not yet answered and every queued reply not yet sent. Nothing a
webhook acknowledged is lost in between: it was committed before the 200, and the new core (or the
same mode's core later) answers it. While no core runs, Meta re-delivers what it could not post.

Practice mode has its own profile (``<data dir>/simulator``), so switching never touches the live
chats or settings. Listeners (:meth:`Session.subscribe`) hear :class:`SessionChanged` before a
core stops and after one started, so the window follows whoever switches (its menu, the wizard).

The GUI learns what it needs of paths, secrets and the model server from here (log and data
folders, which live credentials are missing, the model's state, the About box's facts), never
from ``core.paths``, ``core.secrets``, ``core.runtime`` or ``core.llm``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wabot_desktop import APP_ID, APP_NAME, __version__
from wabot_desktop.core import backup as backup_module
from wabot_desktop.core.aio import run_blocking
from wabot_desktop.core.backup import BackupInfo
from wabot_desktop.core.errors import (
    MissingCredentialsError,
    ServerOnlyError,
    ShopConnectionError,
    ShopOfflineError,
)
from wabot_desktop.core.events import Event
from wabot_desktop.core.llm.base import LlmState
from wabot_desktop.core.logs import close_logging, setup_logging
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.runtime import (
    Core,
    CoreConfig,
    default_secret_store,
    reset_simulator_data,
    simulator_paths,
)
from wabot_desktop.core.secrets import REQUIRED_FOR_LIVE, SecretKey, SecretStore, missing_secrets
from wabot_desktop.core.service import BotService
from wabot_desktop.core.shop import (
    ShopConnection,
    ShopConnectionChanged,
    ShopInfo,
    StaffCore,
    load_shop,
    probe_shop,
    save_shop,
)
from wabot_desktop.core.simulator import Simulator
from wabot_desktop.core.store.db import sqlite_copy, sqlite_restore

if TYPE_CHECKING:
    from wabot_desktop.core.setup_flow import SetupFlow

logger = logging.getLogger(__name__)


class SessionMode(enum.StrEnum):
    """Which core runs: the practice simulator or the shop's real WhatsApp number."""

    PRACTICE = "practice"
    LIVE = "live"
    SHOP = "shop"  # a staff PC connected to the shop's server (no bot of its own)


class SessionPhase(enum.StrEnum):
    """What just happened to the session (see :class:`SessionChanged`)."""

    STARTED = "started"  # a core runs (first start, after a switch, a reset or a restore)
    STOPPING = "stopping"  # the running core is about to stop: let go of its service now
    STOPPED = "stopped"  # no core runs (the app is quitting)
    CREDENTIALS = "credentials"  # the live credentials were re-read (live mode may be possible)


@dataclass(frozen=True, slots=True)
class SessionChanged:
    """What a :meth:`Session.subscribe` listener hears."""

    phase: SessionPhase
    mode: SessionMode | None
    live_available: bool


SessionListener = Callable[[SessionChanged], None]


@dataclass(frozen=True, slots=True)
class AboutInfo:
    """The facts the About box shows."""

    name: str
    version: str
    license: str
    homepage: str | None
    data_dir: Path
    log_dir: Path


def _package_facts() -> tuple[str, str, str | None]:
    """Version, license and home page from the installed package's metadata."""
    try:
        meta = metadata.metadata(APP_ID)
    except metadata.PackageNotFoundError:
        return __version__, "MIT", None

    def first(field: str) -> str | None:
        # get_all, not [] (a missing field raises KeyError from Python 3.14 on).
        values = meta.get_all(field)
        return str(values[0]) if values else None

    version = first("Version") or __version__
    license_text = first("License-Expression") or first("License") or "MIT"
    homepage = first("Home-page")
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source") and url.strip():
            homepage = url.strip()
            break
    return version, license_text, homepage


class Session:
    """Owns the running core and switches it between practice and live mode.

    ``config`` describes live mode. Practice mode uses the same folders, LLM and settings
    overrides, but its own profile, the loopback interface and any free port (the simulator is
    the webhook server's only client, and a fixed port could be held by a live WaBot elsewhere),
    and never a tunnel. ``live_secrets`` is where live credentials are read (default: the
    keyring with ``WABOT_*`` variables over it, opened off the event loop when first needed).

    Every coroutine here runs on the event loop; blocking work (the keyring, deleting or copying
    files) runs on the core's worker threads. Switches are serialised: a second one waits for
    the first.
    """

    def __init__(self, config: CoreConfig, *, live_secrets: SecretStore | None = None) -> None:
        """Prepare a session for ``config`` (nothing starts until :meth:`start`)."""
        self._config = config
        self._live_secrets = live_secrets if live_secrets is not None else config.secrets
        self._missing: tuple[str, ...] = tuple(key.value for key in REQUIRED_FOR_LIVE)
        self._checked = False
        self._core: Core | None = None
        self._staff: StaffCore | None = None  # shop mode's core (issue 16)
        self._shop: ShopConnection | None = None
        self._shop_loaded = False
        # Why the saved shop connection was not used at start (the window tells the owner).
        self.shop_error: ShopConnectionError | None = None
        self._simulator: Simulator | None = None
        self._lock = asyncio.Lock()
        self._listeners: list[SessionListener] = []
        self._core_listeners: list[Callable[[Event], None]] = []
        self._logging = False
        # Extra arguments for the wizard's flow (tests: an HTTP client, a fake ngrok agent).
        self.setup_flow_options: dict[str, Any] = {}

    # -- state -----------------------------------------------------------------------------

    @property
    def core(self) -> Core | None:
        """The running core (None while stopped); for ``serve`` and tests, not for the GUI."""
        return self._core

    @property
    def staff_core(self) -> StaffCore | None:
        """Shop mode's core (None in practice and live mode); for tests and benchmarks."""
        return self._staff

    @property
    def bot_busy(self) -> bool:
        """The bot is deciding or answering a conversation (the GUI's idle-time chores wait)."""
        core = self._core
        engine = core.engine if core is not None else None
        return engine is not None and engine.busy

    @property
    def running(self) -> bool:
        """True while a core runs."""
        return self._core is not None or self._staff is not None

    @property
    def mode(self) -> SessionMode:
        """The running core's mode (practice, live or shop)."""
        if self._staff is not None:
            return SessionMode.SHOP
        return SessionMode.PRACTICE if self._running().simulator else SessionMode.LIVE

    @property
    def shop(self) -> ShopConnection | None:
        """The saved shop connection (None: this PC runs the bot), as last read."""
        return self._shop

    @property
    def shop_label(self) -> str | None:
        """``host/database`` while connected to the shop's server (None otherwise)."""
        return self._staff.label if self._staff is not None else None

    @property
    def shop_connected(self) -> bool:
        """In shop mode: the server answered the last check."""
        staff = self._staff
        return bool(staff is not None and staff.link is not None and staff.link.connected)

    @property
    def practice(self) -> bool:
        """True while the practice simulator runs."""
        return self.mode is SessionMode.PRACTICE

    @property
    def service(self) -> BotService:
        """The running core's BotService: what every screen calls."""
        if self._staff is not None:
            return self._staff.service
        return self._running().service

    @property
    def simulator(self) -> Simulator | None:
        """The phone pane's facade over the simulated customers (None in live mode)."""
        return self._simulator

    @property
    def server_url(self) -> str:
        """The running webhook server's URL (``http://host:port``)."""
        return self._running().server_url

    @property
    def live_available(self) -> bool:
        """True when the live WhatsApp credentials exist (as last checked)."""
        return not self._missing

    @property
    def missing_live_credentials(self) -> tuple[str, ...]:
        """The names of the live credentials still missing (as last checked)."""
        return self._missing

    def llm_state(self) -> LlmState:
        """The model server's state as the running core last saw it."""
        core = self._core
        if core is None or core.llm is None:
            return LlmState.UNKNOWN
        return core.llm.state

    def llm_model(self) -> str:
        """The model the running core asks for ("" before it started)."""
        core = self._core
        if core is None or core.llm is None:
            return ""
        return str(getattr(core.llm, "model", "") or core.settings.llm_model)

    # -- folders -------------------------------------------------------------------------------

    @property
    def paths(self) -> AppPaths:
        """The live profile's folders (practice data lives below them)."""
        return self._config.paths

    @property
    def data_dir(self) -> Path:
        """The shop's data folder (the live profile; practice data is in its ``simulator``)."""
        return self._config.paths.data_dir

    @property
    def log_dir(self) -> Path:
        """The folder with WaBot's log files."""
        return self._config.paths.log_dir

    @property
    def log_file(self) -> Path:
        """WaBot's current log file (named in crash dialogs)."""
        return self._config.paths.log_file

    def profile_dir(self, mode: SessionMode | None = None) -> Path:
        """The data folder of ``mode``'s profile (default: the running mode's)."""
        mode = mode or self.mode
        paths = simulator_paths(self.paths) if mode is SessionMode.PRACTICE else self.paths
        return paths.data_dir

    def about(self) -> AboutInfo:
        """What the About box shows: version and license from the package, the folders."""
        version, license_text, homepage = _package_facts()
        return AboutInfo(
            name=APP_NAME,
            version=version,
            license=license_text,
            homepage=homepage,
            data_dir=self.data_dir,
            log_dir=self.log_dir,
        )

    def open_log(self, *, verbose: bool = False) -> None:
        """Create the folders and write the rotating, masked log file from now on."""
        self.paths.ensure()
        setup_logging(self.log_file, level=logging.DEBUG if verbose else logging.INFO)
        self._logging = True

    def close_log(self) -> None:
        """Flush and close the log file (the last thing before the process exits)."""
        if self._logging:
            close_logging()
            self._logging = False

    # -- listeners -----------------------------------------------------------------------------

    def subscribe(self, listener: SessionListener) -> Callable[[], None]:
        """Call ``listener`` on every :class:`SessionChanged`; returns the unsubscriber."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def subscribe_core_events(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``listener`` with every event of every core this session starts; returns undo.

        Listeners are attached before each core starts, so they see its first event (``serve``
        prints the public URL this way; the GUI's bridges subscribe per core instead).
        """
        self._core_listeners.append(listener)
        unsubscribers: list[Callable[[], None]] = []
        if self._core is not None:
            unsubscribers.append(self._core.hub.subscribe(listener))

        def unsubscribe() -> None:
            if listener in self._core_listeners:
                self._core_listeners.remove(listener)
            for undo in unsubscribers:
                undo()

        return unsubscribe

    def _publish(self, phase: SessionPhase) -> None:
        mode = self.mode if self.running else None
        event = SessionChanged(phase=phase, mode=mode, live_available=self.live_available)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("session listener failed on %s", phase.value)

    # -- credentials -----------------------------------------------------------------------

    async def _live_store(self) -> SecretStore:
        if self._live_secrets is None:
            # Probing the keyring can wait on the OS (an unlock prompt): never on the loop.
            self._live_secrets = await run_blocking(
                default_secret_store, self._config.paths, self._config.data_dir_overridden
            )
        return self._live_secrets

    async def check_live_credentials(self) -> bool:
        """Read whether the live credentials exist (keyring or ``WABOT_*``); True if they do."""
        store = await self._live_store()

        def missing() -> tuple[str, ...]:
            try:
                return tuple(key.value for key in missing_secrets(store, REQUIRED_FOR_LIVE))
            except Exception:  # an unusable keyring means no credentials either
                logger.info("secrets unreadable; live mode unavailable")
                return tuple(key.value for key in REQUIRED_FOR_LIVE)

        self._missing = await run_blocking(missing)
        self._checked = True
        return self.live_available

    async def reload_credentials(self) -> bool:
        """Re-read the secrets (after the wizard); a live core applies them at once.

        Returns True when live mode is available now (in practice mode the owner may switch).
        """
        async with self._lock:
            live = await self.check_live_credentials()
            core = self._core
            if core is not None and not core.simulator and self._staff is None:
                await core.reload_credentials()
        self._publish(SessionPhase.CREDENTIALS)
        return live

    async def open_setup_flow(self) -> SetupFlow:
        """The setup wizard's flow over the live profile (its keyring entry and settings)."""
        from wabot_desktop.core.setup_flow import open_profile_flow

        config = self._config
        options: dict[str, Any] = {"port": config.port, **self.setup_flow_options}
        if self._live_secrets is not None and "secrets" not in options:
            options["secrets"] = self._live_secrets
        return await open_profile_flow(
            config.paths,
            data_dir_overridden=config.data_dir_overridden,
            graph_url=config.graph_url,
            ollama_url=config.ollama_url,
            **options,
        )

    # -- lifecycle -------------------------------------------------------------------------

    def _running(self) -> Core:
        if self._core is None:
            raise RuntimeError("no core is running")
        return self._core

    def _core_config(self, mode: SessionMode) -> CoreConfig:
        if mode is SessionMode.PRACTICE:
            return dataclasses.replace(
                self._config, simulator=True, host="127.0.0.1", port=0, tunnel=False
            )
        return dataclasses.replace(self._config, simulator=False, secrets=self._live_secrets)

    async def start(self, mode: SessionMode | None = None) -> SessionMode:
        """Start the core: in ``mode``, or (None) live when credentials exist, else practice.

        Raises:
            MissingCredentialsError: live mode was asked for without credentials.
            UserFacingError: the core could not start (port in use, failed upgrade, ...).
        """
        async with self._lock:
            if self.running:
                raise RuntimeError("a core is already running")
            live = await self.check_live_credentials()
            await self._load_shop()
            if mode is None and self._shop is not None:
                try:
                    await self._start_core(SessionMode.SHOP)
                    mode = SessionMode.SHOP
                except ShopConnectionError as exc:
                    # Wrong password, schema of another version...: this PC's own mode starts
                    # and the window says why (the saved connection stays for a retry).
                    logger.warning("shop connection not used at start: %s", exc.code)
                    self.shop_error = exc
            if mode is None:
                mode = SessionMode.LIVE if live else SessionMode.PRACTICE
            if mode is SessionMode.LIVE and not live:
                raise MissingCredentialsError(list(self._missing))
            if not self.running:
                await self._start_core(mode)
            logger.info("started in %s mode", mode.value)
        self._publish(SessionPhase.STARTED)
        return mode

    async def stop(self) -> None:
        """Stop the running core (the app is quitting)."""
        async with self._lock:
            if not self.running:
                return
            self._publish(SessionPhase.STOPPING)
            await self._stop_core()
        self._publish(SessionPhase.STOPPED)

    async def _start_core(self, mode: SessionMode) -> None:
        if mode is SessionMode.SHOP:
            await self._start_staff()
            return
        core = Core(self._core_config(mode))
        for listener in self._core_listeners:
            core.hub.subscribe(listener)
        await core.start()
        self._core = core
        self._simulator = Simulator(core.sandbox) if core.sandbox is not None else None

    async def _stop_core(self) -> None:
        core, self._core = self._core, None
        staff, self._staff = self._staff, None
        self._simulator = None
        if core is not None:
            await core.stop()
        if staff is not None:
            await staff.stop()

    # -- shop mode (a staff PC, issue 16) ------------------------------------------------------

    async def _load_shop(self) -> None:
        if not self._shop_loaded:
            self._shop = await run_blocking(load_shop, self.paths)
            self._shop_loaded = True

    async def _shop_password(self) -> str | None:
        store = await self._live_store()

        def read() -> str | None:
            try:
                return store.get(SecretKey.DATABASE_PASSWORD)
            except Exception:  # an unusable keyring: no stored password
                logger.info("keyring unreadable; no stored shop password")
                return None

        return await run_blocking(read)

    async def shop_password_stored(self) -> bool:
        """True when the keyring holds a password for the shop's database."""
        return bool(await self._shop_password())

    async def _start_staff(self) -> None:
        shop = self._shop
        if shop is None:
            raise ShopConnectionError("shop_incomplete")
        password = await self._shop_password()
        if not password:
            raise ShopConnectionError("shop_no_password")
        staff = StaffCore(self.paths, shop, password)
        for listener in self._core_listeners:
            staff.hub.subscribe(listener)
        try:
            await staff.start()
        except BaseException:
            await staff.stop()
            raise
        self._staff = staff
        self.shop_error = None

    async def test_shop_connection(
        self, shop: ShopConnection, password: str | None = None
    ) -> ShopInfo:
        """Try ``shop`` without changing anything ("Probar conexión").

        ``password`` None: the one stored in the keyring.

        Raises:
            ShopConnectionError: why it cannot be used (wrong password, unreachable, ...).
        """
        shop = shop.check()
        if password is None:
            password = await self._shop_password()
        if not password:
            raise ShopConnectionError("shop_no_password")
        return await run_blocking(probe_shop, shop, password)

    async def connect_to_shop(self, shop: ShopConnection, password: str | None = None) -> ShopInfo:
        """Stop this PC's bot and work on the shop's server instead; kept across restarts.

        The connection is tested first (nothing changes if it fails); then the password goes to
        the keyring (``password`` None keeps the stored one), ``shop.json`` is written, the
        running core stops and the staff core starts. If that start fails, the previous mode
        runs again and the previous choice is put back.

        Raises:
            ShopConnectionError: the test failed; this PC's mode keeps running.
            KeyringUnavailableError: no keyring to keep the password in.
        """
        shop = shop.check()
        info = await self.test_shop_connection(shop, password)
        async with self._lock:
            await self._load_shop()
            if password:
                store = await self._live_store()
                await run_blocking(store.set, SecretKey.DATABASE_PASSWORD, password)
            previous = self._shop

            async def remember() -> None:
                await run_blocking(save_shop, self.paths, shop)
                self._shop = shop

            async def undo() -> None:
                await run_blocking(save_shop, self.paths, previous)
                self._shop = previous

            if self.running:
                await self._restart(SessionMode.SHOP, before_start=remember, undo=undo)
            else:
                await remember()
                await self._start_core(SessionMode.SHOP)
                self._publish(SessionPhase.STARTED)
        logger.info("connected to the shop's server %s", shop.label)
        return info

    async def run_bot_here(self) -> SessionMode:
        """Forget the shop connection (and its password) and run this PC's own bot again.

        Live mode when WhatsApp credentials exist on this PC, else practice mode.
        """
        async with self._lock:
            await self._load_shop()
            await run_blocking(save_shop, self.paths, None)
            self._shop = None
            store = await self._live_store()

            def forget() -> None:
                try:
                    store.delete(SecretKey.DATABASE_PASSWORD)
                except Exception:
                    logger.info("no stored shop password to delete")

            await run_blocking(forget)
            live = await self.check_live_credentials()
            mode = SessionMode.LIVE if live else SessionMode.PRACTICE
            if self.running and self.mode is SessionMode.SHOP:
                await self._restart(mode)
            elif not self.running:
                await self._start_core(mode)
                self._publish(SessionPhase.STARTED)
            else:
                mode = self.mode
        return mode

    # -- switching -------------------------------------------------------------------------

    async def switch_mode(self, mode: SessionMode) -> None:
        """Stop the running core and start ``mode``'s; nothing happens if it already runs.

        Raises:
            MissingCredentialsError: live mode was asked for without credentials (the
                practice core keeps running).
            UserFacingError: the new core did not start; the previous mode runs again.
        """
        if mode is SessionMode.SHOP:
            raise ValueError("connect with connect_to_shop()")
        async with self._lock:
            if self.mode is mode:
                return
            if mode is SessionMode.LIVE and not await self.check_live_credentials():
                raise MissingCredentialsError(list(self._missing))
            await self._restart(mode)

    async def reset_practice_data(self) -> None:
        """Delete the practice profile; a running simulator starts again on a fresh one."""
        async with self._lock:
            if self._core is not None and self._core.simulator and self._staff is None:
                await self._restart(SessionMode.PRACTICE, before_start=self._clear_practice)
            else:
                await self._clear_practice()

    async def _clear_practice(self) -> None:
        await run_blocking(reset_simulator_data, self._config.paths)

    async def _restart(
        self,
        mode: SessionMode,
        *,
        before_start: Callable[[], object] | None = None,
        undo: Callable[[], object] | None = None,
    ) -> None:
        """Stop the running core, run ``before_start``, start ``mode``'s core.

        If the new core does not start, ``undo`` runs and the previous mode starts again, so the
        app is never left without a core; then the error propagates.
        """
        previous = self.mode
        self._publish(SessionPhase.STOPPING)
        await self._stop_core()
        try:
            if before_start is not None:
                result = before_start()
                if asyncio.iscoroutine(result):
                    await result
            await self._start_core(mode)
        except Exception:
            logger.warning("starting %s mode failed; back to %s mode", mode.value, previous.value)
            if undo is not None:
                result = undo()
                if asyncio.iscoroutine(result):
                    await result
            await self._start_core(previous)
            self._publish(SessionPhase.STARTED)
            raise
        logger.info("now in %s mode", mode.value)
        self._publish(SessionPhase.STARTED)

    # -- backup and restore --------------------------------------------------------------------

    def _profile_paths(self) -> AppPaths:
        if self._staff is not None:
            raise ServerOnlyError("backup")  # the shop's server keeps its backups (pg_dump)
        core = self._running()
        return core.paths

    async def create_backup(self, target: Path) -> BackupInfo:
        """Save the running profile (chats, settings, knowledge; never secrets) to ``target``.

        Taken with SQLite's online backup API while the bot keeps answering.

        Raises:
            FileNotFoundError: the profile has no database yet.
            OSError: ``target`` could not be written.
        """
        paths = self._profile_paths()
        return await run_blocking(backup_module.create_backup, paths, Path(target))

    async def check_backup(self, source: Path) -> BackupInfo:
        """Read a backup's facts (messages, version) without changing anything.

        Raises:
            InvalidBackupError: not a WaBot backup, damaged, or from a newer version.
        """

        def read() -> BackupInfo:
            with tempfile.TemporaryDirectory(prefix="wabot-check-") as tmp:
                return backup_module.read_backup(Path(source), Path(tmp))

        return await run_blocking(read)

    async def restore_backup(self, source: Path) -> BackupInfo:
        """Replace the running profile with the backup in ``source`` and start it again.

        The core stops first (no webhook is acknowledged meanwhile; Meta re-delivers), the
        current database is kept in the profile's ``backups`` folder, and the restored shop
        answers its next customer with the restored knowledge. If the restored database does
        not start (a failed upgrade), the previous one is put back and started.

        Raises:
            InvalidBackupError: ``source`` is not a usable backup; nothing was changed.
            UserFacingError: the restored shop did not start; the previous data runs again.
        """
        source = Path(source)
        async with self._lock:
            info = await self.check_backup(source)  # refuse a bad file before stopping anything
            paths = self._profile_paths()
            mode = self.mode
            keep = Path(tempfile.mkdtemp(prefix="wabot-before-restore-"))
            kept = keep / "wabot.db"
            restored: list[BackupInfo] = []

            async def restore() -> None:
                if paths.db_path.exists():
                    await run_blocking(sqlite_copy, paths.db_path, kept)
                restored.append(await run_blocking(backup_module.restore_backup, paths, source))

            async def undo() -> None:
                if kept.exists():
                    await run_blocking(sqlite_restore, kept, paths.db_path)

            try:
                await self._restart(mode, before_start=restore, undo=undo)
            finally:
                shutil.rmtree(keep, ignore_errors=True)
            logger.info("backup restored (%s messages)", info.messages)
            return restored[0] if restored else info


__all__ = [
    "AboutInfo",
    "BackupInfo",
    "LlmState",
    "Session",
    "SessionChanged",
    "SessionListener",
    "SessionMode",
    "SessionPhase",
    "ShopConnection",
    "ShopConnectionChanged",
    "ShopConnectionError",
    "ShopInfo",
    "ShopOfflineError",
]
