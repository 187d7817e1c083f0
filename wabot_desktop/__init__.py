"""WaBot Desktop: a WhatsApp Business bot for small shops, on the shop's own PC."""

__version__ = "0.1.0"
APP_NAME = "WaBot Desktop"
APP_ID = "wabot-desktop"
