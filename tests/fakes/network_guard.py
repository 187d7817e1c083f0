"""A guard that makes any non-loopback connection or DNS lookup fail (and records it).

Simulator tests use it to prove that nothing leaves the machine: the sandbox never calls the real
Graph host. Plain sockets and asyncio both go through ``socket.socket.connect``/``getaddrinfo``.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest


def is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0].strip("[]")).is_loopback
    except ValueError:
        return False


def install_network_guard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Patch the socket layer; returns the list that collects every refused destination."""
    attempted: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(address: Any) -> None:
        if isinstance(address, str | bytes):  # AF_UNIX
            return
        if not is_loopback(address[0]):
            attempted.append(str(address[0]))
            raise ConnectionRefusedError(f"test guard: no connection to {address[0]!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not is_loopback(host):
            attempted.append(host.decode() if isinstance(host, bytes) else str(host))
            raise socket.gaierror(f"test guard: no name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempted
