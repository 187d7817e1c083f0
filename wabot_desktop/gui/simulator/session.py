"""Runs one core at a time, live or simulator, and keeps the main window attached to it.

First run: with no WhatsApp credentials in the keyring or the ``WABOT_*`` variables, the app
opens in simulator mode (:func:`should_start_in_simulator`). The user can enter simulator mode
again from the window's mode menu at any time, and go back to live mode when credentials exist.
Simulator mode has its own profile (``<data dir>/simulator``), so switching never touches the
live chats or settings; "Clear practice data" deletes that profile and starts it afresh.

Only one core runs at a time (they would share the webhook port and the tray), so a switch
stops the running core, starts the other one and rebuilds the window's parts for it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from wabot_desktop.core.errors import MissingCredentialsError
from wabot_desktop.core.runtime import (
    Core,
    CoreConfig,
    default_secret_store,
    reset_simulator_data,
    should_start_in_simulator,
)
from wabot_desktop.core.secrets import REQUIRED_FOR_LIVE, SecretStore, missing_secrets
from wabot_desktop.core.service import BotService
from wabot_desktop.gui.actions import async_slot, run_action
from wabot_desktop.gui.main_window import MainWindow

if TYPE_CHECKING:
    from wabot_desktop.core.setup_flow import SetupFlow

logger = logging.getLogger(__name__)

T = TypeVar("T")


class AppSession:
    """Owns the running :class:`Core` and the main window, and switches between modes.

    ``config`` describes live mode; simulator mode uses the same folders and LLM but its own
    profile, the loopback interface and any free port (the sandbox is the webhook server's only
    client, and a fixed port could be held by a live WaBot elsewhere).

    Not a QObject on purpose: the window's signals point here and this points to the window, and
    a Python-owned QObject in such a cycle could be destroyed by the garbage collector on a
    worker thread. :meth:`close_window` breaks the cycle and deletes the window on the GUI thread.
    """

    def __init__(self, config: CoreConfig, *, live_secrets: SecretStore | None = None) -> None:
        self._config = config
        self._live_secrets = live_secrets if live_secrets is not None else config.secrets
        self._live = False
        self._busy = False
        self.core: Core | None = None
        self.window: MainWindow | None = None
        # Extra arguments for the wizard's flow (tests: an HTTP client, a fake ngrok agent).
        self.setup_flow_options: dict[str, Any] = {}

    # -- state -----------------------------------------------------------------------------

    @property
    def service(self) -> BotService:
        return self._running().service

    @property
    def simulator(self) -> bool:
        return self._running().simulator

    def _running(self) -> Core:
        if self.core is None:
            raise RuntimeError("no core is running")
        return self.core

    async def _off_thread(self, func: Callable[..., T], *args: Any) -> T:
        """Run blocking work (keyring, deleting files) on a plain worker thread.

        Not the loop's default executor: qasync's runs QThreads whose QObjects the garbage
        collector may later destroy on another thread (a crash in PySide6 6.12).
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wabot-session") as pool:
            return await asyncio.get_running_loop().run_in_executor(pool, func, *args)

    async def live_available(self) -> bool:
        """True when the live WhatsApp credentials exist (keyring or ``WABOT_*`` variables)."""
        if self._live_secrets is None:
            # Probing the keyring can wait on the OS (an unlock prompt): not on the GUI thread.
            self._live_secrets = await self._off_thread(
                default_secret_store, self._config.paths, self._config.data_dir_overridden
            )
        store = self._live_secrets
        self._live = not await self._off_thread(should_start_in_simulator, store)
        return self._live

    def _core_config(self, simulator: bool) -> CoreConfig:
        if simulator:
            return dataclasses.replace(
                self._config, simulator=True, host="127.0.0.1", port=0, tunnel=False
            )
        return dataclasses.replace(self._config, simulator=False, secrets=self._live_secrets)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, simulator: bool | None = None) -> Core:
        """Start the core: the simulator when asked, or (``None``) when nothing is configured.

        Raises:
            UserFacingError: the core could not start (port in use, ...).
        """
        live = await self.live_available()
        if simulator is None:
            simulator = not live
        core = Core(self._core_config(simulator))
        await core.start()
        self.core = core
        logger.info("started in %s mode", "simulator" if simulator else "live")
        return core

    def create_window(self, *, enable_tray: bool = True) -> MainWindow:
        """The main window for the running core (call ``start()`` on it once shown)."""
        core = self._running()
        window = MainWindow(core.service, sandbox=core.sandbox, enable_tray=enable_tray)
        window.set_live_available(self._live)
        window.mode_switch_requested.connect(self._on_window_mode_switch_requested)
        window.simulator_reset_requested.connect(self._on_window_simulator_reset_requested)
        window.credentials_changed.connect(self._on_window_credentials_changed)
        window.set_setup_flow_factory(self.open_setup_flow)
        self.window = window
        return window

    async def open_setup_flow(self) -> SetupFlow:
        """The wizard's flow over the live profile (its keyring entry and settings)."""
        from wabot_desktop.core.setup_flow import open_profile_flow

        options: dict[str, Any] = {"port": self._config.port, **self.setup_flow_options}
        if self._live_secrets is not None and "secrets" not in options:
            options["secrets"] = self._live_secrets
        return await open_profile_flow(
            self._config.paths,
            data_dir_overridden=self._config.data_dir_overridden,
            graph_url=self._config.graph_url,
            ollama_url=self._config.ollama_url,
            **options,
        )

    async def reload_live(self) -> None:
        """New credentials while live (the wizard's token step): restart the live core on them."""
        core = self._running()
        if core.simulator:
            return
        await self.live_available()
        await self._restart(False, clear_simulator=False)

    def close_window(self) -> None:
        """Shut the window down (before the core stops) and delete it on the GUI thread."""
        window, self.window = self.window, None
        if window is None:
            return
        window.shutdown()
        window.mode_switch_requested.disconnect(self._on_window_mode_switch_requested)
        window.simulator_reset_requested.disconnect(self._on_window_simulator_reset_requested)
        window.credentials_changed.disconnect(self._on_window_credentials_changed)
        window.set_setup_flow_factory(None)
        window.hide()
        window.deleteLater()

    async def stop(self) -> None:
        """Stop the running core (close the window first)."""
        core, self.core = self.core, None
        if core is not None:
            await core.stop()

    # -- switching -------------------------------------------------------------------------

    async def switch_mode(self, simulator: bool) -> None:
        """Stop the running core and start the other mode's; the window follows.

        Raises:
            MissingCredentialsError: live mode was asked for without credentials.
        """
        core = self._running()
        if core.simulator == simulator:
            return
        if not simulator and not await self.live_available():
            store = self._live_secrets
            missing = missing_secrets(store, REQUIRED_FOR_LIVE) if store is not None else []
            raise MissingCredentialsError([key.value for key in missing])
        await self._restart(simulator, clear_simulator=False)

    async def reset_simulator(self) -> None:
        """Delete the simulator's profile; a running simulator starts again on a fresh one."""
        core = self._running()
        if core.simulator:
            await self._restart(True, clear_simulator=True)
        else:
            await self._clear_simulator_data()

    async def _clear_simulator_data(self) -> None:
        await self._off_thread(reset_simulator_data, self._config.paths)

    async def _restart(self, simulator: bool, *, clear_simulator: bool) -> None:
        old = self._running()
        if self.window is not None:
            self.window.detach_core()
        self.core = None
        await old.stop()
        try:
            if clear_simulator:
                await self._clear_simulator_data()
            new = Core(self._core_config(simulator))
            await new.start()
        except Exception:
            # Never leave the window without a core: start the previous mode again, then let
            # the caller report what went wrong.
            logger.warning("switching to %s mode failed", "simulator" if simulator else "live")
            fallback = Core(self._core_config(old.simulator))
            await fallback.start()
            self._attach(fallback)
            raise
        self._attach(new)

    def _attach(self, core: Core) -> None:
        self.core = core
        if self.window is not None:
            self.window.attach_core(core.service, core.sandbox)
            self.window.set_live_available(self._live)
        logger.info("now in %s mode", "simulator" if core.simulator else "live")

    @async_slot(bool)
    async def _on_window_mode_switch_requested(self, simulator: bool) -> None:
        await self._run_exclusive(self.switch_mode(simulator))

    @async_slot()
    async def _on_window_credentials_changed(self) -> None:
        await self._run_exclusive(self.reload_live())

    @async_slot()
    async def _on_window_simulator_reset_requested(self) -> None:
        await self._run_exclusive(self.reset_simulator())

    async def _run_exclusive(self, work: Coroutine[Any, Any, None]) -> None:
        """One switch at a time, with the mode button disabled and a busy cursor meanwhile."""
        window = self.window
        if self._busy or window is None:
            work.close()
            return
        self._busy = True
        try:
            await run_action(window.view.mode_button, work, parent=window, busy_cursor=True)
        finally:
            self._busy = False
