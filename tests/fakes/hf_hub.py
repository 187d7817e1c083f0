"""A fake Hugging Face Hub: a real aiohttp server on 127.0.0.1 that the real ``huggingface_hub``
client downloads model repositories from (pass ``base_url`` as its ``endpoint``).

It speaks the part of the Hub's wire format ``snapshot_download`` uses: GET
/api/models/{repo}/revision/{rev} (the commit), GET /api/models/{repo}/tree/{commit} (the files),
then HEAD and GET /{repo}/resolve/{commit}/{file} with ``X-Repo-Commit``, ``ETag`` and
``Content-Length``. Bodies are streamed in ``chunk_size`` pieces, ``chunk_delay`` seconds apart,
so a test can watch progress and cancel half-way. Files come from folders on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from pathlib import Path

from aiohttp import web

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    """Serves ``repos`` (repository id -> folder whose files are the repository's)."""

    def __init__(
        self,
        repos: dict[str, Path],
        *,
        chunk_size: int = 256 * 1024,
        chunk_delay: float = 0.0,
    ) -> None:
        self.repos = dict(repos)
        self.chunk_size = chunk_size
        self.chunk_delay = chunk_delay
        self.downloads: list[str] = []  # "repo/file" of every GET of a file body
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeHub:
        app = web.Application()
        app.router.add_get("/api/models/{org}/{name}/revision/{revision}", self._revision)
        app.router.add_get("/api/models/{org}/{name}/tree/{revision}", self._tree)
        app.router.add_route("*", "/{org}/{name}/resolve/{revision}/{file:.+}", self._resolve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeHub:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- handlers ----------------------------------------------------------------------------

    def _folder(self, request: web.Request) -> tuple[str, Path]:
        repo = f"{request.match_info['org']}/{request.match_info['name']}"
        folder = self.repos.get(repo)
        if folder is None:
            raise web.HTTPNotFound(
                headers={"X-Error-Code": "RepoNotFound"},
                text='{"error": "Repository not found"}',
                content_type="application/json",
            )
        return repo, folder

    def _files(self, folder: Path) -> list[Path]:
        return sorted(p for p in folder.iterdir() if p.is_file())

    async def _revision(self, request: web.Request) -> web.Response:
        repo, folder = self._folder(request)
        return web.json_response(
            {
                "id": repo,
                "modelId": repo,
                "sha": COMMIT,
                "private": False,
                "siblings": [{"rfilename": p.name} for p in self._files(folder)],
            }
        )

    async def _tree(self, request: web.Request) -> web.Response:
        _repo, folder = self._folder(request)
        entries = []
        for path in self._files(folder):
            size = path.stat().st_size
            entries.append(
                {
                    "type": "file",
                    "oid": hashlib.sha1(path.name.encode()).hexdigest(),  # noqa: S324 - an id
                    "size": size,
                    "path": path.name,
                }
            )
        return web.json_response(entries)

    async def _resolve(self, request: web.Request) -> web.StreamResponse:
        repo, folder = self._folder(request)
        path = folder / request.match_info["file"]
        if path.parent != folder or not path.is_file():
            raise web.HTTPNotFound(
                headers={"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT}
            )
        size = path.stat().st_size
        headers = {
            "X-Repo-Commit": COMMIT,
            "ETag": '"' + hashlib.sha1(path.name.encode()).hexdigest() + '"',  # noqa: S324
            "Content-Length": str(size),
            "Content-Type": "application/octet-stream",
            "Accept-Ranges": "bytes",
        }
        if request.method == "HEAD":
            return web.Response(status=200, headers=headers)
        if request.method != "GET":
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        name = f"{repo}/{path.name}"
        self.downloads.append(name)
        response = web.StreamResponse(status=200, headers=headers)
        await response.prepare(request)
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(self.chunk_size):
                    await response.write(chunk)
                    if self.chunk_delay:
                        await asyncio.sleep(self.chunk_delay)
        except ConnectionResetError:  # the client stopped reading (a cancelled download)
            return response
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
        return response
