"""The going-live wizard in the window (``core.setup_flow`` renders; the pages only show it)."""

from wabot_desktop.gui.wizard.wizard import SetupWizard, ui_language

__all__ = ["SetupWizard", "ui_language"]
