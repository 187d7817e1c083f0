"""The part of BotService the settings pages call, as a Protocol (BotService satisfies it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from wabot_desktop.core.service import LlmServerSettings, ServerPreset, Settings, VoiceModelInfo
from wabot_desktop.gui.service_api import MonitorService


class SettingsService(MonitorService, Protocol):
    """Model-server and voice-model calls of the core facade."""

    async def update_settings(self, **changes: object) -> Settings: ...

    def llm_presets(self) -> list[ServerPreset]: ...

    async def llm_server(self) -> LlmServerSettings: ...

    async def set_llm_server(self, server: LlmServerSettings) -> None: ...

    async def list_llm_models(
        self, provider: str, url: str, *, api_key: str | None = ...
    ) -> list[str] | None: ...

    async def llm_api_key_stored(self) -> bool: ...

    async def set_llm_api_key(self, key: str | None) -> None: ...

    def voice_models(self) -> list[VoiceModelInfo]: ...

    def recommended_voice_model(self) -> str: ...

    def voice_transcription_available(self) -> bool: ...

    def is_voice_model_folder(self, path: Path) -> bool: ...

    async def download_voice_model(
        self,
        name: str,
        *,
        progress: Callable[[int, int | None], None] | None = ...,
        cancel: threading.Event | None = ...,
    ) -> Path: ...
