"""One WaBot per data folder: a second launch asks the first to show its window, then exits."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

logger = logging.getLogger(__name__)

_RAISE = b"raise\n"
_TIMEOUT_MS = 1000


def instance_key(data_dir: Path) -> str:
    """The local-socket name for a data folder (short: socket paths have a length limit)."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return f"wabot-desktop-{digest}"


def notify_running(key: str) -> bool:
    """If an instance listens on ``key``, ask it to raise its window; True when it answered."""
    socket = QLocalSocket()
    socket.connectToServer(key)
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write(_RAISE)
    socket.flush()
    socket.waitForBytesWritten(_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """Listens for later launches.

    Signals:
        raise_requested(): another launch wants this instance's window in front.
    """

    raise_requested = Signal()

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)
        # Sockets stay children of the server until it closes; each later launch sends one line.
        self._sockets: set[QLocalSocket] = set()

    def listen(self) -> bool:
        """Start listening; a stale socket left by a crash is removed first."""
        if self._server.listen(self.key):
            return True
        QLocalServer.removeServer(self.key)
        if self._server.listen(self.key):
            return True
        logger.warning("single-instance server could not listen: %s", self._server.errorString())
        return False

    def close(self) -> None:
        for socket in list(self._sockets):
            socket.readyRead.disconnect(self._on_socket_ready_read)
            socket.abort()
        self._sockets.clear()
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._sockets.add(socket)
            socket.readyRead.connect(self._on_socket_ready_read)
            if socket.bytesAvailable():
                self._read(socket)

    def _on_socket_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(_RAISE.strip()):
            self.raise_requested.emit()
