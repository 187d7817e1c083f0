"""A fake Ollama server: a real aiohttp server on 127.0.0.1 speaking Ollama's wire format.

Shapes follow the shared platform notes (section 6) (what ollama-python 0.6 needs): NDJSON
streams with one JSON object per line and never a blank line, ``models`` in /api/tags,
``model_info`` in /api/show.

Use it on the test's loop (``async with FakeOllama() as fake``) or on its own thread for
subprocess tests (``with FakeOllama.in_thread() as fake``). Settings are plain attributes and may
be changed while it runs; every request is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aiohttp import web

DEFAULT_REPLY = "¡Hola! Soy el asistente de la tienda. ¿En qué le puedo ayudar?"
DEFAULT_VERSION = "0.12.10"

Reply = str | Callable[[dict[str, Any]], str]


class FailMode(StrEnum):
    """How chat/generate requests fail."""

    NONE = "none"
    DROP = "drop"  # close the connection without answering
    DROP_MID_STREAM = "drop_mid_stream"  # send part of the stream, then close
    HTTP_500 = "http_500"  # {"error": ...} with status 500
    STREAM_ERROR = "stream_error"  # part of the stream, then an {"error": ...} line
    MODEL_MISSING = "model_missing"  # 404 {"error": "model '...' not found ..."}
    NO_DONE = "no_done"  # part of the stream, then a clean end without the "done": true line
    HANG = "hang"  # the stream starts (200 + headers) but no line ever comes


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    json: Any
    at: float


def _now() -> str:
    # Ollama sends nanosecond RFC 3339 timestamps.
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def _full_name(model: str) -> str:
    return model if ":" in model else model + ":latest"


def _details() -> dict[str, Any]:
    return {
        "parent_model": "",
        "format": "gguf",
        "family": "qwen2",
        "families": ["qwen2"],
        "parameter_size": "3.1B",
        "quantization_level": "Q4_K_M",
    }


def _digest(model: str) -> str:
    return hashlib.sha256(model.encode()).hexdigest()


def _line(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode()


class FakeOllama:
    """A running fake Ollama; see the module docstring."""

    def __init__(
        self,
        *,
        models: Sequence[str] = ("qwen2.5:3b",),
        reply: Reply = DEFAULT_REPLY,
        chunk_size: int = 4,
        chunk_delay: float = 0.0,
        initial_delay: float = 0.0,
        fail: FailMode | str = FailMode.NONE,
        fail_times: int | None = None,
        error_message: str = "llama runner process has terminated: exit status 2",
        version: str = DEFAULT_VERSION,
        port: int = 0,
    ) -> None:
        self.models: list[str] = list(models)
        self.reply: Reply = reply
        self.chunk_size = chunk_size
        self.chunk_delay = chunk_delay
        self.initial_delay = initial_delay
        self.fail = FailMode(fail)
        # When set, only that many chat/generate requests fail, then ``fail`` resets to NONE.
        self.fail_times = fail_times
        self.error_message = error_message
        self.version = version
        # When set, /api/pull streams its first progress line, then {"error": pull_error}.
        self.pull_error: str | None = None
        self._port = port
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._max_concurrent_seen = 0
        self._completed_chats = 0
        self._loaded: set[str] = set()
        self._runner: web.AppRunner | None = None
        self._actual_port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeOllama:
        """Bind 127.0.0.1 (an ephemeral port unless ``port`` was given) and serve."""
        app = web.Application()
        app.router.add_get("/", self._root)
        app.router.add_get("/api/version", self._version)
        app.router.add_get("/api/tags", self._tags)
        app.router.add_get("/api/ps", self._ps)
        app.router.add_post("/api/show", self._show)
        app.router.add_post("/api/chat", self._chat)
        app.router.add_post("/api/generate", self._generate)
        app.router.add_post("/api/pull", self._pull)
        # handler_cancellation: a client that gives up (timeout, cancel) stops its handler, so
        # in-flight counts drop and shutdown never waits on a sleeping handler.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self._port))
            self._actual_port = sock.getsockname()[1]
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner
        self._loop = asyncio.get_running_loop()
        return self

    async def stop(self) -> None:
        """Stop serving and close every connection."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeOllama:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @classmethod
    @contextlib.contextmanager
    def in_thread(cls, **kwargs: Any) -> Iterator[FakeOllama]:
        """Run a fake on a background thread with its own event loop."""
        fake = cls(**kwargs)
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                try:
                    loop.run_until_complete(fake.start())
                except BaseException as exc:  # reported to the caller below
                    errors.append(exc)
                    return
                finally:
                    ready.set()
                loop.run_forever()
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

        thread = threading.Thread(target=run, name="fake-ollama", daemon=True)
        thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeOllama did not start")
        if errors:
            thread.join(5)
            raise errors[0]
        try:
            yield fake
        finally:
            asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)

    # -- observations ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._actual_port is None:
            raise RuntimeError("FakeOllama is not started")
        return self._actual_port

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """JSON bodies of every POST /api/chat, in arrival order."""
        return [r.json for r in self.requests if r.path == "/api/chat"]

    @property
    def generate_requests(self) -> list[dict[str, Any]]:
        return [r.json for r in self.requests if r.path == "/api/generate"]

    @property
    def in_flight(self) -> int:
        """Chat/generate requests with messages being answered right now."""
        with self._lock:
            return self._in_flight

    @property
    def max_concurrent_seen(self) -> int:
        with self._lock:
            return self._max_concurrent_seen

    @property
    def completed_chats(self) -> int:
        with self._lock:
            return self._completed_chats

    def reset(self) -> None:
        """Forget recorded requests and counters (settings stay)."""
        with self._lock:
            self._requests.clear()
            self._max_concurrent_seen = self._in_flight
            self._completed_chats = 0

    def wait_until(self, predicate: Callable[[FakeOllama], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate(self)`` holds (thread mode; not from the server's loop)."""
        if self._loop is not None and _running_loop() is self._loop:
            raise RuntimeError("wait_until would block the fake's own loop; use async_wait_until")
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                # The predicate reads properties that take the lock: release it while checking.
                self._changed.release()
                try:
                    if predicate(self):
                        return True
                finally:
                    self._changed.acquire()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 0.05))

    async def async_wait_until(
        self, predicate: Callable[[FakeOllama], bool], timeout: float = 5.0
    ) -> bool:
        """Await until ``predicate(self)`` holds; works on any loop."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.005)
        return True

    def wait_for_chats(self, count: int, timeout: float = 5.0) -> bool:
        return self.wait_until(lambda f: len(f.chat_requests) >= count, timeout)

    async def async_wait_for_chats(self, count: int, timeout: float = 5.0) -> bool:
        return await self.async_wait_until(lambda f: len(f.chat_requests) >= count, timeout)

    # -- recording helpers -------------------------------------------------------------------

    def _record(self, request: web.Request, body: Any) -> None:
        with self._changed:
            self._requests.append(RecordedRequest(request.method, request.path, body, time.time()))
            self._changed.notify_all()

    def _enter(self) -> None:
        with self._changed:
            self._in_flight += 1
            self._max_concurrent_seen = max(self._max_concurrent_seen, self._in_flight)
            self._changed.notify_all()

    def _leave(self, completed: bool) -> None:
        with self._changed:
            self._in_flight -= 1
            if completed:
                self._completed_chats += 1
            self._changed.notify_all()

    def _take_failure(self) -> FailMode:
        with self._lock:
            mode = self.fail
            if mode is FailMode.NONE:
                return mode
            if self.fail_times is not None:
                self.fail_times -= 1
                if self.fail_times <= 0:
                    self.fail = FailMode.NONE
                    self.fail_times = None
            return mode

    def _has_model(self, model: str) -> bool:
        return _full_name(model) in {_full_name(m) for m in self.models}

    def _reply_text(self, body: dict[str, Any]) -> str:
        reply = self.reply
        return reply(body) if callable(reply) else reply

    def _chunks(self, text: str) -> list[str]:
        size = max(1, self.chunk_size)
        return [text[i : i + size] for i in range(0, len(text), size)] or [""]

    @staticmethod
    async def _json_body(request: web.Request) -> Any:
        raw = await request.read()
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {"_raw": raw.decode("utf-8", "replace")}

    @staticmethod
    def _error(status: int, message: str) -> web.Response:
        return web.json_response({"error": message}, status=status)

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        # Abort the TCP connection: the client sees "server disconnected".
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)

    def _model_missing(self, model: str) -> web.Response:
        return self._error(404, f"model '{model}' not found, try pulling it first")

    # -- handlers ----------------------------------------------------------------------------

    async def _root(self, request: web.Request) -> web.StreamResponse:
        self._record(request, None)
        return web.Response(text="Ollama is running")

    async def _version(self, request: web.Request) -> web.StreamResponse:
        self._record(request, None)
        return web.json_response({"version": self.version})

    async def _tags(self, request: web.Request) -> web.StreamResponse:
        self._record(request, None)
        models = [
            {
                "name": _full_name(m),
                "model": _full_name(m),
                "modified_at": "2026-11-24T12:00:00.000000000Z",
                "size": 1929912432,
                "digest": _digest(m),
                "details": _details(),
            }
            for m in self.models
        ]
        return web.json_response({"models": models})

    async def _ps(self, request: web.Request) -> web.StreamResponse:
        self._record(request, None)
        with self._lock:
            loaded = sorted(self._loaded)
        models = [
            {
                "name": m,
                "model": m,
                "size": 2825000000,
                "digest": _digest(m),
                "details": _details(),
                "expires_at": "2026-11-24T12:30:00.000000000Z",
                "size_vram": 2825000000,
                "context_length": 4096,
            }
            for m in loaded
        ]
        return web.json_response({"models": models})

    async def _show(self, request: web.Request) -> web.StreamResponse:
        body = await self._json_body(request)
        self._record(request, body)
        model = str(body.get("model") or body.get("name") or "")
        if not self._has_model(model):
            return self._error(404, f"model '{model}' not found")
        return web.json_response(
            {
                "modelfile": f"FROM {model}\n",
                "parameters": 'stop "<|im_end|>"',
                "template": "{{ .Prompt }}",
                "details": _details(),
                "model_info": {
                    "general.architecture": "qwen2",
                    "general.parameter_count": 3085938688,
                    "qwen2.context_length": 32768,
                },
                "capabilities": ["completion", "tools"],
                "modified_at": "2026-11-24T12:00:00.000000000Z",
            }
        )

    async def _pull(self, request: web.Request) -> web.StreamResponse:
        body = await self._json_body(request)
        self._record(request, body)
        model = str(body.get("model") or body.get("name") or "")
        digest = "sha256:" + _digest(model)
        if not body.get("stream", True):
            self._add_model(model)
            return web.json_response({"status": "success"})
        response = await self._start_stream(request)
        lines: list[dict[str, Any]] = [
            {"status": "pulling manifest"},
            {"status": f"pulling {digest[7:19]}", "digest": digest, "total": 4000, "completed": 0},
            {
                "status": f"pulling {digest[7:19]}",
                "digest": digest,
                "total": 4000,
                "completed": 2500,
            },
            {
                "status": f"pulling {digest[7:19]}",
                "digest": digest,
                "total": 4000,
                "completed": 4000,
            },
            {"status": "verifying sha256 digest"},
            {"status": "writing manifest"},
            {"status": "success"},
        ]
        if self.pull_error is not None:
            lines = [*lines[:2], {"error": self.pull_error}]
        for line in lines:
            await response.write(_line(line))
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
        if self.pull_error is not None:
            await response.write_eof()
            return response
        self._add_model(model)
        await response.write_eof()
        return response

    def _add_model(self, model: str) -> None:
        with self._lock:
            if model and not self._has_model(model):
                self.models.append(model)

    @staticmethod
    async def _hang() -> None:
        # Until the client gives up (handler_cancellation cancels this) or the fake stops.
        await asyncio.Event().wait()

    async def _start_stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        return response

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, chat=True)

    async def _generate(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, chat=False)

    async def _answer(self, request: web.Request, *, chat: bool) -> web.StreamResponse:
        body = await self._json_body(request)
        self._record(request, body)
        model = str(body.get("model") or "")
        stream = bool(body.get("stream", True))
        # Empty messages (chat) or an empty prompt (generate) only loads the model.
        load_only = not body.get("messages") if chat else not body.get("prompt")
        if load_only:
            return await self._load_only(request, model, chat=chat)
        self._enter()
        completed = False
        try:
            if self.initial_delay:
                await asyncio.sleep(self.initial_delay)
            mode = self._take_failure()
            if mode is FailMode.MODEL_MISSING or not self._has_model(model):
                return self._model_missing(model)
            if mode is FailMode.HTTP_500:
                return self._error(500, self.error_message)
            if mode is FailMode.DROP:
                return self._drop(request)
            with self._lock:
                self._loaded.add(_full_name(model))
            text = self._reply_text(body)
            if not stream:
                if self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay * len(self._chunks(text)))
                completed = True
                return web.json_response(self._final(model, text, chat=chat, full=True))
            response = await self._start_stream(request)
            if mode is FailMode.HANG:
                await self._hang()
                return response
            chunks = self._chunks(text)
            if mode is FailMode.NO_DONE:
                for chunk in chunks[: max(1, len(chunks) // 2)]:
                    await response.write(_line(self._part(model, chunk, chat=chat)))
                await response.write_eof()
                return response
            for index, chunk in enumerate(chunks):
                if index and mode in (FailMode.STREAM_ERROR, FailMode.DROP_MID_STREAM):
                    if mode is FailMode.STREAM_ERROR:
                        await response.write(_line({"error": self.error_message}))
                        await response.write_eof()
                        return response
                    return self._drop(request)
                await response.write(_line(self._part(model, chunk, chat=chat)))
                if self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay)
            if mode is FailMode.STREAM_ERROR:
                await response.write(_line({"error": self.error_message}))
            else:
                await response.write(_line(self._final(model, "", chat=chat, full=False)))
                completed = True
            await response.write_eof()
            return response
        finally:
            self._leave(completed)

    async def _load_only(
        self, request: web.Request, model: str, *, chat: bool
    ) -> web.StreamResponse:
        mode = self._take_failure()
        if mode is FailMode.MODEL_MISSING or not self._has_model(model):
            return self._model_missing(model)
        if mode in (FailMode.HTTP_500, FailMode.STREAM_ERROR):
            return self._error(500, self.error_message)
        if mode in (FailMode.DROP, FailMode.DROP_MID_STREAM):
            return self._drop(request)
        if self.initial_delay:
            await asyncio.sleep(self.initial_delay)
        with self._lock:
            self._loaded.add(_full_name(model))
        payload: dict[str, Any] = {"model": model, "created_at": _now(), "done": True}
        payload["done_reason"] = "load"
        if chat:
            payload["message"] = {"role": "assistant", "content": ""}
        else:
            payload["response"] = ""
        return web.json_response(payload)

    @staticmethod
    def _part(model: str, chunk: str, *, chat: bool) -> dict[str, Any]:
        part: dict[str, Any] = {"model": model, "created_at": _now()}
        if chat:
            part["message"] = {"role": "assistant", "content": chunk}
        else:
            part["response"] = chunk
        part["done"] = False
        return part

    @staticmethod
    def _final(model: str, text: str, *, chat: bool, full: bool) -> dict[str, Any]:
        final = FakeOllama._part(model, text, chat=chat)
        final.update(
            {
                "done": True,
                "done_reason": "stop",
                "total_duration": 1234567,
                "load_duration": 1000,
                "prompt_eval_count": 10,
                "prompt_eval_duration": 1000,
                "eval_count": max(1, len(text) // 4) if full else 5,
                "eval_duration": 2000,
            }
        )
        if not chat and not full:
            final["context"] = [1, 2, 3]
        return final


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def free_port() -> int:
    """A port nothing listens on right now (for "Ollama is down" tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
