"""The PySide6 desktop GUI; talks to the core only through BotService and :mod:`.bridge`."""

from wabot_desktop.gui.pyside_workarounds import pin_singletons

# Before any signal is emitted: see pyside_workarounds for the PySide6 6.12 reference leak.
pin_singletons()
