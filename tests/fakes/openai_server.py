"""A fake OpenAI-compatible server: a real aiohttp server on 127.0.0.1, the real wire format.

POST /v1/chat/completions answers JSON (``stream: false``) or SSE (``data: {chunk}`` events, a
last chunk with ``finish_reason: "stop"``, then ``data: [DONE]``); GET /v1/models lists models.
Errors use OpenAI's body, ``{"error": {"message", "type", "param", "code"}}``, with HTTP 401,
404, 429 or 500. ``fail`` also cuts a stream mid-way or ends it without ``[DONE]``/finish_reason.

Use it on the test's loop (``async with FakeOpenAI() as fake``) or on its own thread for
subprocess tests (``with FakeOpenAI.in_thread() as fake``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Any

from aiohttp import web

DEFAULT_REPLY = "Abrimos de lunes a viernes de 9 a 19 h."


class Fail(StrEnum):
    """How chat requests fail."""

    NONE = "none"
    HTTP_401 = "http_401"
    HTTP_404 = "http_404"
    HTTP_429 = "http_429"
    HTTP_500 = "http_500"
    CUT = "cut"  # part of the stream, then the connection is aborted
    NO_DONE = "no_done"  # part of the stream, then a clean end: no finish_reason, no [DONE]


_ERRORS = {
    Fail.HTTP_401: (401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    Fail.HTTP_404: (404, "The model does not exist.", "invalid_request_error", "model_not_found"),
    Fail.HTTP_429: (429, "Rate limit reached.", "requests", "rate_limit_exceeded"),
    Fail.HTTP_500: (500, "The server had an error.", "server_error", None),
}


class FakeOpenAI:
    """A running fake; settings are plain attributes, requests are recorded."""

    def __init__(
        self,
        *,
        models: Sequence[str] = ("qwen2.5-3b-instruct",),
        reply: str = DEFAULT_REPLY,
        chunk_size: int = 5,
        fail: Fail | str = Fail.NONE,
        api_key: str | None = None,
        list_models: bool = True,
    ) -> None:
        self.models = list(models)
        self.reply = reply
        self.chunk_size = chunk_size
        self.fail = Fail(fail)
        self.api_key = api_key  # when set, other keys get 401
        self.list_models = list_models  # False: GET /v1/models is 404 (some servers)
        self._lock = threading.Lock()
        self._chats: list[dict[str, Any]] = []
        self._auth: list[str | None] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._chats)

    @property
    def authorizations(self) -> list[str | None]:
        with self._lock:
            return list(self._auth)

    def wait_for_chats(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.chat_requests) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    async def start(self) -> FakeOpenAI:
        app = web.Application()
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._chat)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = int(runner.addresses[0][1])
        self._runner = runner
        return self

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeOpenAI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @classmethod
    @contextlib.contextmanager
    def in_thread(cls, **kwargs: Any) -> Iterator[FakeOpenAI]:
        """Run a new fake on its own loop in a daemon thread for the ``with`` block."""
        fake = cls(**kwargs)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="fake-openai", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10)
            yield fake
        finally:
            asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    # -- handlers ----------------------------------------------------------------------------

    @staticmethod
    def _error(status: int, message: str, kind: str, code: str | None) -> web.Response:
        body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        return web.json_response(body, status=status)

    def _unauthorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization")
        with self._lock:
            self._auth.append(header)
        return self.api_key is not None and header != f"Bearer {self.api_key}"

    async def _models(self, request: web.Request) -> web.StreamResponse:
        if self._unauthorized(request):
            return self._error(*_ERRORS[Fail.HTTP_401])
        if not self.list_models:
            return self._error(404, "Not found", "invalid_request_error", None)
        data = [
            {"id": m, "object": "model", "created": 1764547200, "owned_by": "organization_owner"}
            for m in self.models
        ]
        return web.json_response({"object": "list", "data": data})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        with self._lock:
            self._chats.append(body)
        if self._unauthorized(request):
            return self._error(*_ERRORS[Fail.HTTP_401])
        model = str(body.get("model", ""))
        fail = self.fail
        if fail in _ERRORS:
            return self._error(*_ERRORS[fail])
        if model not in self.models:
            return self._error(*_ERRORS[Fail.HTTP_404])
        created = int(time.time())
        ident = f"chatcmpl-{len(self._chats)}"
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": ident,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": self.reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                }
            )
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)

        def event(delta: dict[str, Any], finish: str | None) -> bytes:
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()

        size = max(1, self.chunk_size)
        pieces = [self.reply[i : i + size] for i in range(0, len(self.reply), size)]
        if fail in (Fail.CUT, Fail.NO_DONE):
            pieces = pieces[: max(1, len(pieces) // 2)]
        await response.write(event({"role": "assistant", "content": ""}, None))
        for piece in pieces:
            await response.write(event({"content": piece}, None))
        if fail is Fail.CUT:
            if request.transport is not None:
                request.transport.abort()
            return response
        if fail is not Fail.NO_DONE:
            await response.write(event({}, "stop"))
            await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
