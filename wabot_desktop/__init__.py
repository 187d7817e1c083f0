"""WaBot Desktop: a WhatsApp Business bot for small shops, on the shop's own PC."""

from importlib.metadata import PackageNotFoundError, version

try:  # the one version, from pyproject.toml (bundles copy the package metadata)
    __version__ = version("wabot-desktop")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"
APP_NAME = "WaBot Desktop"
APP_ID = "wabot-desktop"
