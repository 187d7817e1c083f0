"""A fake ngrok download server: serves an agent archive (.tgz) the way ngrok's CDN does.

The archive holds ``ngrok`` = the fake agent (tests/fakes/ngrok_agent.py), so what pyngrok's
installer unpacks really runs. Served from 127.0.0.1 with a Content-Length, in chunks, optionally
slowly (``chunk_delay``) so a test can cancel mid-download; ``status`` scripts an HTTP failure and
``broken`` serves bytes that are not an archive.
"""

from __future__ import annotations

import asyncio
import io
import os
import tarfile
from pathlib import Path

from aiohttp import web

FAKE_AGENT = Path(__file__).resolve().parent / "ngrok_agent.py"
ARCHIVE_NAME = "ngrok-v3-stable-linux-amd64.tgz"


def agent_archive(padding: int = 256 * 1024) -> bytes:
    """A .tgz with the fake agent as ``ngrok`` (padded so progress has several steps)."""
    script = FAKE_AGENT.read_bytes()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("ngrok")
        info.size = len(script)
        info.mode = 0o755
        tar.addfile(info, io.BytesIO(script))
        # Incompressible filler, like the real ~10 MB binary, so the download takes chunks.
        filler = os.urandom(padding)
        pad = tarfile.TarInfo("LICENSE.filler")
        pad.size = len(filler)
        tar.addfile(pad, io.BytesIO(filler))
    return buffer.getvalue()


class FakeNgrokDownload:
    def __init__(self, *, chunk_size: int = 32 * 1024, chunk_delay: float = 0.0) -> None:
        self.body = agent_archive()
        self.chunk_size = chunk_size
        self.chunk_delay = chunk_delay
        self.status = 200
        self.broken = False
        self.requests = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/c/fake/{ARCHIVE_NAME}"

    async def __aenter__(self) -> FakeNgrokDownload:
        app = web.Application()
        app.router.add_get("/c/fake/{name}", self._serve)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self.status != 200:
            return web.Response(status=self.status, text="Not Found")
        body = b"<html>not an archive</html>" * 100 if self.broken else self.body
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.content_length = len(body)
        await response.prepare(request)
        for start in range(0, len(body), self.chunk_size):
            await response.write(body[start : start + self.chunk_size])
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
        await response.write_eof()
        return response
