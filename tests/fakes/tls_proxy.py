"""A local HTTPS reverse proxy with a throw-away self-signed certificate.

It stands in for "the shop's own HTTPS address" in subprocess tests: the app under test calls
``https://localhost:PORT/...`` through its normal TLS stack (trusting the certificate through
``SSL_CERT_FILE``, which httpx honours), and the proxy forwards every request to a local HTTP
port, as a shop's reverse proxy or router would.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
from aiohttp import web


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost / 127.0.0.1 (cert.pem, key.pem), via openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


class TlsProxy:
    """HTTPS on 127.0.0.1:<port> forwarding to http://127.0.0.1:<target_port>."""

    def __init__(self, folder: Path, target_port: int) -> None:
        self.cert, self.key = make_certificate(folder)
        self.target_port = target_port
        self.port: int | None = None
        self.forwarded: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._client: httpx.AsyncClient | None = None

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        assert self._client is not None
        self.forwarded.append(f"{request.method} {request.path}")
        try:
            upstream = await self._client.request(
                request.method,
                f"http://127.0.0.1:{self.target_port}{request.path_qs}",
                content=await request.read(),
                headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            )
        except httpx.HTTPError:
            return web.Response(status=502, text="Bad Gateway")
        return web.Response(
            status=upstream.status_code,
            body=upstream.content,
            content_type=upstream.headers.get("content-type", "text/plain").split(";")[0],
        )

    async def _start(self) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        self._client = httpx.AsyncClient(timeout=10, trust_env=False)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.aclose()

    @contextlib.contextmanager
    def running(self) -> Iterator[TlsProxy]:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="TlsProxy", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._start(), loop).result(10)
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self._stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()
