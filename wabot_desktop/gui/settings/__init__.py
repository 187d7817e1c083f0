"""Pages of the settings dialog that set up the bot itself: the model server and voice notes."""

from __future__ import annotations

from wabot_desktop.gui.settings.llm_page import LlmPage
from wabot_desktop.gui.settings.service import SettingsService
from wabot_desktop.gui.settings.voice_page import VoicePage

__all__ = ["LlmPage", "SettingsService", "VoicePage"]
