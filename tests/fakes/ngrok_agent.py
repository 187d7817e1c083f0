#!/usr/bin/env python3
"""A fake ngrok v3 agent for tests: just enough of the CLI and local API for pyngrok 9.x.

Standard library only. pyngrok drives it exactly as it drives the real agent:

* ``ngrok --version`` prints ``ngrok version 3.99.0-fake``.
* ``ngrok config add-authtoken TOKEN [--log stdout] [--config PATH]`` prints "Authtoken saved ...".
* ``ngrok start --none --log stdout [--config PATH] [--authtoken T] [--region R]`` binds its API
  on 127.0.0.1:<random port>, THEN prints the three logfmt startup lines pyngrok waits for
  (flushing each), serves the agent API and sleeps until it is killed:

  - v3: ``GET/POST /api/endpoints``, ``GET/DELETE /api/endpoints/<name>``
  - v2: ``GET/POST /api/tunnels``, ``GET/DELETE /api/tunnels/<name>``

stdout is pyngrok's log channel: nothing but logfmt lines is ever printed there, and the HTTP
server's access log is silenced.

Environment knobs (read by ``start``):

* ``FAKE_NGROK_FAIL=1`` (or ``auth``): print an ``lvl=eror ... err="authentication failed: ..."``
  line and exit 1. ``FAKE_NGROK_FAIL=network``: same, with a non-authentication error.
* ``FAKE_NGROK_SILENT=1``: print nothing at all and sleep (pyngrok then blocks in readline()).
* ``FAKE_NGROK_LOG=<file>``: append one JSON object per line for every invocation and API call:
  ``{"event": "start", "pid": ..., "argv": [...]}``, ``{"event": "api", "pid": ..., "method": ...,
  "path": ..., "body": ...}``, ``{"event": "version"}``, ``{"event": "add-authtoken", ...}``.

The agent exits by itself when its parent process goes away, so a crashed test run leaves no orphan.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VERSION = "3.99.0-fake"
_LOG_LOCK = threading.Lock()


def _record(event: str, **fields: Any) -> None:
    """Append one JSON line to $FAKE_NGROK_LOG (if set) for test assertions."""
    path = os.environ.get("FAKE_NGROK_LOG")
    if not path:
        return
    entry = {"event": event, "pid": os.getpid(), "time": time.time(), **fields}
    with _LOG_LOCK, open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def _logfmt(lvl: str, msg: str, **fields: str) -> None:
    """Print one ngrok-style logfmt line on stdout and flush it."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    parts = [f"t={now}", f"lvl={lvl}", f'msg="{msg}"']
    for key, value in fields.items():
        parts.append(f'{key}="{value}"' if (" " in value or not value) else f"{key}={value}")
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


def _option(argv: list[str], name: str) -> str | None:
    """Value of ``--name VALUE`` or ``--name=VALUE`` in argv."""
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


class _Registry:
    """The agent's endpoints (v3) and tunnels (v2), shared by the API threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.tunnels: dict[str, dict[str, Any]] = {}

    def add_endpoint(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            n = next(self.counter)
            name = str(body.get("name") or f"endpoint-{n}")
            requested = str(body.get("url") or "")
            upstream = body.get("upstream") or {}
            if requested and not requested.endswith("://"):
                url = requested if "://" in requested else f"https://{requested}"
            elif body.get("domain"):
                url = f"https://{body['domain']}"
            elif requested.startswith(("tcp://", "tls://")):
                url = f"{requested}fake-{n}.tcp.ngrok.io:{10000 + n}"
            else:
                # Like the real free plan: a new random-looking address per agent session.
                url = f"https://fake-{os.getpid()}-{n}.ngrok-free.app"
            endpoint = {
                "id": f"ep_fake{n}",
                "name": name,
                "uri": f"/api/endpoints/{name}",
                "url": url,
                "upstream": upstream,
                "traffic_policy": "",
                "metadata": str(body.get("metadata") or ""),
            }
            self.endpoints[name] = endpoint
            return endpoint

    def add_tunnel(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            n = next(self.counter)
            name = str(body.get("name") or f"tunnel-{n}")
            proto = str(body.get("proto") or "http")
            addr = str(body.get("addr") or "80")
            if proto in ("tcp", "tls"):
                public_url = f"{proto}://fake-{n}.tcp.ngrok.io:{10000 + n}"
                proto_out = proto
            else:
                host = body.get("domain") or f"fake-{n}.ngrok-free.app"
                public_url = f"https://{host}"
                proto_out = "https"
            if "://" not in addr:
                addr = f"http://localhost:{addr}" if proto_out == "https" else f"localhost:{addr}"
            tunnel = {
                "name": name,
                "ID": f"tn_fake{n}",
                "uri": f"/api/tunnels/{name}",
                "public_url": public_url,
                "proto": proto_out,
                "config": {"addr": addr, "inspect": bool(body.get("inspect", True))},
                "metrics": {"conns": {"count": 0}, "http": {"count": 0}},
            }
            self.tunnels[name] = tunnel
            return tunnel


REGISTRY = _Registry()


class _Handler(BaseHTTPRequestHandler):
    server_version = "ngrok-fake"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the access log: stdout belongs to pyngrok and stderr stays quiet."""

    def _send_json(self, status: int, payload: dict[str, Any] | None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _not_found(self) -> None:
        self._send_json(404, {"error_code": 100, "status_code": 404, "msg": "Not found"})

    def _read_body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _route(self) -> tuple[str, str | None] | None:
        """(collection, name or None) for /api/endpoints[/name] and /api/tunnels[/name]."""
        path = self.path.split("?", 1)[0].rstrip("/")
        for collection in ("endpoints", "tunnels"):
            prefix = f"/api/{collection}"
            if path == prefix:
                return collection, None
            if path.startswith(prefix + "/"):
                return collection, path[len(prefix) + 1 :]
        return None

    def _table(self, collection: str) -> dict[str, dict[str, Any]]:
        return REGISTRY.endpoints if collection == "endpoints" else REGISTRY.tunnels

    def do_GET(self) -> None:
        route = self._route()
        _record("api", method="GET", path=self.path, body=None)
        if route is None:
            self._not_found()
            return
        collection, name = route
        table = self._table(collection)
        with REGISTRY.lock:
            if name is None:
                items = list(table.values())
                self._send_json(200, {collection: items, "uri": f"/api/{collection}"})
                return
            item = table.get(name)
        if item is None:
            self._not_found()
        else:
            self._send_json(200, item)

    def do_POST(self) -> None:
        route = self._route()
        body = self._read_body()
        _record("api", method="POST", path=self.path, body=body)
        if route is None or route[1] is not None:
            self._not_found()
            return
        if body is None:
            self._send_json(400, {"error_code": 102, "status_code": 400, "msg": "Invalid JSON"})
            return
        if route[0] == "endpoints":
            self._send_json(201, REGISTRY.add_endpoint(body))
        else:
            self._send_json(201, REGISTRY.add_tunnel(body))

    def do_DELETE(self) -> None:
        route = self._route()
        _record("api", method="DELETE", path=self.path, body=None)
        if route is None or route[1] is None:
            self._not_found()
            return
        collection, name = route
        with REGISTRY.lock:
            removed = self._table(collection).pop(name, None)
        if removed is None:
            self._not_found()
        else:
            self._send_json(204, None)


def _exit_with_parent() -> None:
    """Leave when the process that started us is gone (no orphans after a crashed test run)."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def _sleep_forever() -> None:
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    while True:
        time.sleep(3600)


def _cmd_start(argv: list[str]) -> int:
    _record("start", argv=argv)
    if os.environ.get("FAKE_NGROK_SILENT") == "1":
        _sleep_forever()
    failure = os.environ.get("FAKE_NGROK_FAIL", "")
    if failure:
        _logfmt("info", "open config file", path=_option(argv, "--config") or "default")
        if failure == "network":
            err = "failed to dial ngrok server with address connect.ngrok-agent.com:443: no route"
            _logfmt("eror", "session closing", obj="tunnels.session", err=err)
        else:
            err = (
                "authentication failed: The authtoken you specified is properly formed, "
                "but it is invalid. ERR_NGROK_107"
            )
            _logfmt("crit", "command failed", err=err)
        return 1

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    _logfmt(
        "info", "no configuration paths supplied" if "--config" not in argv else "open config file"
    )
    _logfmt("info", "starting web service", obj="web", addr=f"{host}:{port}", allow_hosts="[]")
    _logfmt("info", "client session established", obj="tunnels.session")
    _logfmt("info", "tunnel session started", obj="tunnels.session")
    _sleep_forever()
    return 0  # pragma: no cover - never reached


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    if not argv or argv[0] in ("--version", "-v", "version"):
        _record("version")
        print(f"ngrok version {VERSION}", flush=True)
        return 0
    if argv[0] == "start":
        return _cmd_start(argv)
    if argv[:2] == ["config", "add-authtoken"] and len(argv) >= 3:
        config = _option(argv, "--config") or "ngrok.yml"
        _record("add-authtoken", config=config)
        print(f"Authtoken saved to configuration file: {config}", flush=True)
        return 0
    if argv[:2] == ["config", "add-api-key"] and len(argv) >= 3:
        config = _option(argv, "--config") or "ngrok.yml"
        print(f"API key saved to configuration file: {config}", flush=True)
        return 0
    if argv[0] == "update":
        print("No update available, this is the latest version.", flush=True)
        return 0
    sys.stderr.write(f"fake ngrok: unsupported command: {' '.join(argv)}\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
