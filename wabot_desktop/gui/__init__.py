"""The PySide6 desktop GUI; talks to the core only through BotService and :mod:`.bridge`."""
