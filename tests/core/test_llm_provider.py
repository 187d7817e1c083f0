"""OllamaProvider with the real ollama.AsyncClient against FakeOllama over 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import ollama
import pytest
import pytest_asyncio

from tests.fakes.ollama import FailMode, FakeOllama, free_port
from tests.helpers import wait_for
from wabot_desktop.core.errors import UserFacingError
from wabot_desktop.core.events import Event, EventHub, LlmStateChanged
from wabot_desktop.core.llm.base import (
    DEFAULT_MODEL,
    LlmCancelledError,
    LlmCircuitOpenError,
    LlmModelMissingError,
    LlmResponseError,
    LlmState,
    LlmTimeoutError,
    LlmUnavailableError,
)
from wabot_desktop.core.llm.ollama_provider import OllamaProvider, model_matches, normalize_host

MESSAGES = [
    {"role": "system", "content": "Eres el asistente de Panadería Sol."},
    {"role": "user", "content": "¿A qué hora abren?"},
]

ProviderFactory = Callable[..., OllamaProvider]


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOllama]:
    async with FakeOllama() as server:
        yield server


@pytest_asyncio.fixture
async def make_provider(fake: FakeOllama) -> AsyncIterator[ProviderFactory]:
    created: list[OllamaProvider] = []

    def factory(**kwargs: Any) -> OllamaProvider:
        kwargs.setdefault("host", fake.host)
        provider = OllamaProvider(**kwargs)
        created.append(provider)
        return provider

    yield factory
    for provider in created:
        await provider.aclose()


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def state_events(hub: EventHub) -> list[LlmStateChanged]:
    seen: list[LlmStateChanged] = []

    def on_event(event: Event) -> None:
        if isinstance(event, LlmStateChanged):
            seen.append(event)

    hub.subscribe(on_event)
    return seen


# -- chat ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_chat_streams_text_and_sends_model_keep_alive_and_messages(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    fake.reply = "¡Hola! Abrimos a las *9*."
    fake.chunk_size = 3
    provider = make_provider(options={"temperature": 0.3, "num_ctx": 4096})
    tokens: list[str] = []

    text = await provider.chat(MESSAGES, on_token=tokens.append)

    assert text == "¡Hola! Abrimos a las *9*."
    assert "".join(tokens) == text
    assert len(tokens) == len(text) // 3 + 1  # one callback per streamed fragment
    assert provider.state is LlmState.UP
    [request] = fake.chat_requests
    assert request["model"] == DEFAULT_MODEL == "qwen2.5:3b"
    assert request["keep_alive"] == "30m"
    assert request["stream"] is True
    assert request["messages"] == MESSAGES
    assert request["options"] == {"temperature": 0.3, "num_ctx": 4096}


@pytest.mark.asyncio
async def test_chat_without_options_sends_none(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    fake.reply = lambda body: "eco: " + body["messages"][-1]["content"]
    provider = make_provider(keep_alive="5m")

    assert await provider.chat(user("hola")) == "eco: hola"
    request = fake.chat_requests[0]
    assert "options" not in request
    assert request["keep_alive"] == "5m"


@pytest.mark.asyncio
async def test_failing_on_token_callback_does_not_lose_the_reply(
    fake: FakeOllama, make_provider: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_: str) -> None:
        raise RuntimeError("preview widget gone")

    provider = make_provider()
    with caplog.at_level(logging.ERROR):
        text = await provider.chat(user("hola"), on_token=broken)
    assert text == fake.reply
    assert "on_token callback failed" in caplog.text


# -- probes --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_version(fake: FakeOllama, make_provider: ProviderFactory) -> None:
    fake.version = "0.12.3"
    assert await make_provider().version() == "0.12.3"
    assert await make_provider(host=f"127.0.0.1:{free_port()}").version() is None


@pytest.mark.asyncio
async def test_check_up_missing_and_down(fake: FakeOllama, make_provider: ProviderFactory) -> None:
    provider = make_provider()
    assert provider.state is LlmState.UNKNOWN
    assert await provider.check() is LlmState.UP
    assert [r.path for r in fake.requests] == ["/api/version", "/api/tags"]

    assert await make_provider(model="llama3.2:1b").check() is LlmState.MODEL_MISSING
    # Same family, other size: still missing.
    assert await make_provider(model="qwen2.5:7b").check() is LlmState.MODEL_MISSING

    down = make_provider(host=f"http://127.0.0.1:{free_port()}")
    assert await down.check() is LlmState.DOWN
    assert down.detail == "unreachable"


@pytest.mark.asyncio
async def test_check_matches_latest_tag(fake: FakeOllama, make_provider: ProviderFactory) -> None:
    fake.models = ["llama3:latest"]
    assert await make_provider(model="llama3").check() is LlmState.UP
    fake.models = ["gemma3"]
    assert await make_provider(model="gemma3:latest").check() is LlmState.UP


@pytest.mark.asyncio
async def test_state_changes_are_published_once(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    hub = EventHub()
    events = state_events(hub)
    provider = make_provider(hub=hub)

    fake.models = []
    await provider.check()
    await provider.check()  # no change, no event
    fake.models = ["qwen2.5:3b"]
    await provider.check()
    await fake.stop()
    await provider.check()

    assert [(e.state, e.model) for e in events] == [
        ("model_missing", "qwen2.5:3b"),
        ("up", "qwen2.5:3b"),
        ("down", "qwen2.5:3b"),
    ]
    assert events[-1].detail == "unreachable"


@pytest.mark.asyncio
async def test_warm_up_loads_the_model(fake: FakeOllama, make_provider: ProviderFactory) -> None:
    hub = EventHub()
    events = state_events(hub)
    provider = make_provider(hub=hub, keep_alive="1h")

    await provider.warm_up()

    [request] = fake.chat_requests
    assert request["messages"] == []
    assert request["keep_alive"] == "1h"
    assert request["stream"] is False
    assert [e.state for e in events] == ["loading", "up"]
    assert fake.in_flight == 0


@pytest.mark.asyncio
async def test_warm_up_errors_only_change_state(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    missing = make_provider(model="nope:1b")
    await missing.warm_up()
    assert missing.state is LlmState.MODEL_MISSING

    down = make_provider(host=f"http://127.0.0.1:{free_port()}")
    await down.warm_up()
    assert down.state is LlmState.DOWN

    fake.fail = FailMode.HTTP_500
    broken = make_provider()
    await broken.warm_up()
    assert broken.state is LlmState.DOWN
    assert broken.detail == "http_500"


# -- errors --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_timeout_raises_llm_timeout(fake: FakeOllama, make_provider: ProviderFactory) -> None:
    fake.initial_delay = 5.0
    provider = make_provider(request_timeout=0.2)
    started = time.monotonic()

    with pytest.raises(LlmTimeoutError) as info:
        await provider.chat(user("hola"))

    assert time.monotonic() - started < 2.0
    assert isinstance(info.value, UserFacingError)
    assert info.value.code == "llm_timeout"
    assert provider.in_flight == 0
    # The client hung up, so the fake's handler was cancelled too.
    assert await fake.async_wait_until(lambda f: f.in_flight == 0)


@pytest.mark.asyncio
async def test_slow_stream_counts_against_the_whole_timeout(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    fake.chunk_size = 1
    fake.chunk_delay = 0.05  # 60 characters -> about 3 s in total
    fake.reply = "x" * 60
    provider = make_provider(request_timeout=0.3)
    tokens: list[str] = []
    with pytest.raises(LlmTimeoutError):
        await provider.chat(user("hola"), on_token=tokens.append)
    assert 0 < len(tokens) < 60


@pytest.mark.asyncio
async def test_error_line_inside_stream(fake: FakeOllama, make_provider: ProviderFactory) -> None:
    fake.fail = FailMode.STREAM_ERROR
    fake.reply = "Hola, abrimos a las 9."
    fake.error_message = "an error was encountered while running the model"
    tokens: list[str] = []
    provider = make_provider()

    with pytest.raises(LlmResponseError) as info:
        await provider.chat(user("hola"), on_token=tokens.append)

    cause = info.value.__cause__
    assert isinstance(cause, ollama.ResponseError)
    assert cause.status_code == -1
    assert cause.error == "an error was encountered while running the model"
    assert tokens == ["Hola"]  # the part before the error line
    assert provider.consecutive_failures == 1


@pytest.mark.asyncio
async def test_http_500(fake: FakeOllama, make_provider: ProviderFactory) -> None:
    fake.fail = FailMode.HTTP_500
    provider = make_provider()
    with pytest.raises(LlmResponseError) as info:
        await provider.chat(user("hola"))
    cause = info.value.__cause__
    assert isinstance(cause, ollama.ResponseError)
    assert cause.status_code == 500
    assert info.value.code == "llm_response_error"


@pytest.mark.asyncio
async def test_connection_dropped_mid_stream(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    fake.fail = FailMode.DROP_MID_STREAM
    with pytest.raises(LlmResponseError):
        await make_provider().chat(user("hola"))


@pytest.mark.asyncio
async def test_model_missing_404_does_not_open_the_breaker(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    provider = make_provider(model="llama3.2:1b", breaker_threshold=1)
    for _ in range(2):
        with pytest.raises(LlmModelMissingError) as info:
            await provider.chat(user("hola"))
        assert isinstance(info.value, LlmUnavailableError)
    assert provider.state is LlmState.MODEL_MISSING
    assert not provider.circuit_open
    assert len(fake.chat_requests) == 2


@pytest.mark.asyncio
async def test_refused_connection_sets_down_then_opens_circuit(
    make_provider: ProviderFactory,
) -> None:
    hub = EventHub()
    events = state_events(hub)
    provider = make_provider(host=f"127.0.0.1:{free_port()}", breaker_threshold=3, hub=hub)

    for _ in range(2):
        with pytest.raises(LlmUnavailableError) as info:
            await provider.chat(user("hola"))
        assert type(info.value) is LlmUnavailableError
        assert info.value.code == "llm_unavailable"
    assert provider.state is LlmState.DOWN
    with pytest.raises(LlmUnavailableError):
        await provider.chat(user("hola"))
    assert provider.state is LlmState.CIRCUIT_OPEN
    with pytest.raises(LlmCircuitOpenError):
        await provider.chat(user("hola"))
    assert [e.state for e in events] == ["down", "circuit_open"]


# -- circuit breaker -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_breaker_opens_after_threshold_and_recovers_after_cooldown(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    hub = EventHub()
    events = state_events(hub)
    provider = make_provider(breaker_threshold=2, breaker_cooldown=0.3, hub=hub)
    fake.fail = FailMode.HTTP_500

    for _ in range(2):
        with pytest.raises(LlmResponseError):
            await provider.chat(user("hola"))
    assert provider.state is LlmState.CIRCUIT_OPEN
    assert provider.circuit_open

    with pytest.raises(LlmCircuitOpenError) as info:
        await provider.chat(user("hola"))
    assert info.value.code == "llm_circuit_open"
    assert len(fake.chat_requests) == 2  # failed fast: nothing reached the server

    fake.fail = FailMode.NONE
    await asyncio.sleep(0.35)
    assert await provider.chat(user("hola")) == fake.reply  # the half-open trial
    assert provider.state is LlmState.UP
    assert provider.consecutive_failures == 0
    assert not provider.circuit_open
    assert [e.state for e in events] == ["circuit_open", "up"]


@pytest.mark.asyncio
async def test_failed_trial_reopens_the_circuit(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    provider = make_provider(breaker_threshold=2, breaker_cooldown=0.2)
    fake.fail = FailMode.HTTP_500
    for _ in range(2):
        with pytest.raises(LlmResponseError):
            await provider.chat(user("hola"))
    await asyncio.sleep(0.25)

    with pytest.raises(LlmResponseError):
        await provider.chat(user("hola"))  # the trial fails...
    with pytest.raises(LlmCircuitOpenError):
        await provider.chat(user("hola"))  # ...and the circuit is open again at once
    assert len(fake.chat_requests) == 3


@pytest.mark.asyncio
async def test_healthy_check_does_not_close_an_open_circuit(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    provider = make_provider(breaker_threshold=1, breaker_cooldown=30)
    fake.fail = FailMode.HTTP_500
    with pytest.raises(LlmResponseError):
        await provider.chat(user("hola"))
    fake.fail = FailMode.NONE
    assert await provider.check() is LlmState.CIRCUIT_OPEN
    with pytest.raises(LlmCircuitOpenError):
        await provider.chat(user("hola"))


@pytest.mark.asyncio
async def test_success_resets_the_failure_count(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    provider = make_provider(breaker_threshold=2)
    fake.fail, fake.fail_times = FailMode.HTTP_500, 1
    with pytest.raises(LlmResponseError):
        await provider.chat(user("uno"))
    assert await provider.chat(user("dos")) == fake.reply
    fake.fail, fake.fail_times = FailMode.HTTP_500, 1
    with pytest.raises(LlmResponseError):
        await provider.chat(user("tres"))
    assert not provider.circuit_open


# -- concurrency and cancellation ----------------------------------------------------------


@pytest.mark.asyncio
async def test_one_generation_at_a_time_in_arrival_order(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    fake.reply = lambda body: "re: " + body["messages"][-1]["content"]
    fake.chunk_size = 2
    fake.chunk_delay = 0.02
    provider = make_provider(max_concurrent=1)

    tasks = [asyncio.create_task(provider.chat(user(word))) for word in ("uno", "dos", "tres")]
    assert await fake.async_wait_for_chats(1)
    assert provider.in_flight == 1
    assert provider.waiting == 2
    results = await asyncio.gather(*tasks)

    assert results == ["re: uno", "re: dos", "re: tres"]
    assert fake.max_concurrent_seen == 1
    assert [r["messages"][-1]["content"] for r in fake.chat_requests] == ["uno", "dos", "tres"]
    assert (provider.in_flight, provider.waiting) == (0, 0)


@pytest.mark.asyncio
async def test_max_concurrent_two(fake: FakeOllama, make_provider: ProviderFactory) -> None:
    fake.reply = "hola, ¿qué tal?"
    fake.chunk_delay = 0.02
    provider = make_provider(max_concurrent=2)
    await asyncio.gather(*(provider.chat(user(str(i))) for i in range(4)))
    assert fake.max_concurrent_seen == 2


@pytest.mark.asyncio
async def test_cancelling_a_running_chat_releases_the_slot(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    provider = make_provider(max_concurrent=1, breaker_threshold=1)
    fake.initial_delay = 10.0
    first = asyncio.create_task(provider.chat(user("borrador")))
    assert await fake.async_wait_until(lambda f: f.in_flight == 1)
    second = asyncio.create_task(provider.chat(user("nuevo")))
    await wait_for(lambda: provider.waiting == 1, what="the second chat queued")

    fake.initial_delay = 0.0  # the next request is answered at once
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first

    assert await second == fake.reply
    assert provider.consecutive_failures == 0
    assert provider.state is LlmState.UP  # not counted as a failure (threshold is 1)
    assert (provider.in_flight, provider.waiting) == (0, 0)
    assert await fake.async_wait_until(lambda f: f.in_flight == 0)
    assert fake.completed_chats == 1


@pytest.mark.asyncio
async def test_cancelling_a_queued_chat_leaves_the_queue(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    provider = make_provider(max_concurrent=1)
    fake.reply = "bien, gracias"
    fake.chunk_delay = 0.03
    first = asyncio.create_task(provider.chat(user("uno")))
    assert await fake.async_wait_for_chats(1)
    queued = asyncio.create_task(provider.chat(user("dos")))
    third = asyncio.create_task(provider.chat(user("tres")))
    await wait_for(lambda: provider.waiting == 2, what="both chats queued")

    queued.cancel()
    with pytest.raises(asyncio.CancelledError):
        await queued
    assert provider.waiting == 1
    await asyncio.gather(first, third)
    assert [r["messages"][-1]["content"] for r in fake.chat_requests] == ["uno", "tres"]


@pytest.mark.asyncio
async def test_cancel_event_abandons_the_chat(
    fake: FakeOllama, make_provider: ProviderFactory
) -> None:
    provider = make_provider(breaker_threshold=1)
    fake.chunk_size = 1
    fake.chunk_delay = 0.05
    cancel = asyncio.Event()
    tokens: list[str] = []

    def on_token(piece: str) -> None:
        tokens.append(piece)
        if len(tokens) == 3:
            cancel.set()

    with pytest.raises(LlmCancelledError):
        await provider.chat(user("hola"), on_token=on_token, cancel_event=cancel)
    assert len(tokens) == 3
    assert provider.in_flight == 0
    assert not provider.circuit_open
    # The task itself was not left cancelled: it can go on awaiting.
    await asyncio.sleep(0)
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0

    with pytest.raises(LlmCancelledError):
        await provider.chat(user("hola"), cancel_event=cancel)  # already set: never starts
    fake.chunk_delay = 0.0
    assert await provider.chat(user("otra vez"), cancel_event=asyncio.Event()) == fake.reply


# -- lifecycle and helpers -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_aclose_is_idempotent_and_final(make_provider: ProviderFactory) -> None:
    provider = make_provider()
    await provider.aclose()
    await provider.aclose()
    with pytest.raises(LlmUnavailableError):
        await provider.chat(user("hola"))


@pytest.mark.asyncio
async def test_fake_in_thread_serves_the_provider() -> None:
    with FakeOllama.in_thread(reply="desde otro hilo") as server:
        async with OllamaProvider(host=server.host) as provider:
            assert await provider.check() is LlmState.UP
            assert await provider.chat(user("hola")) == "desde otro hilo"
        assert server.wait_for_chats(1, timeout=1)
        assert server.chat_requests[0]["messages"] == user("hola")


@pytest.mark.asyncio
async def test_fake_pull_show_and_ps(fake: FakeOllama) -> None:
    async with ollama.AsyncClient(host=fake.host) as client:
        statuses = [p.status async for p in await client.pull("llama3.2:1b", stream=True)]
        assert statuses[0] == "pulling manifest" and statuses[-1] == "success"
        assert "llama3.2:1b" in [m.model for m in (await client.list()).models]
        shown = await client.show("llama3.2:1b")
        assert shown.modelinfo is not None
        await client.generate(model="llama3.2:1b", prompt="hola")
        assert [m.model for m in (await client.ps()).models] == ["llama3.2:1b"]


def test_normalize_host() -> None:
    assert normalize_host("127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert normalize_host("localhost") == "http://localhost:11434"
    assert normalize_host("http://10.0.0.2:11434/") == "http://10.0.0.2:11434"
    assert normalize_host("https://ollama.example.com") == "https://ollama.example.com"
    assert normalize_host("") == "http://127.0.0.1:11434"


def test_model_matches() -> None:
    assert model_matches("qwen2.5:3b", "qwen2.5:3b")
    assert model_matches("llama3", "llama3:latest")
    assert model_matches("library/llama3:latest", "library/llama3")
    assert not model_matches("qwen2.5:3b", "qwen2.5:3b-instruct-q8_0")
    assert not model_matches("qwen2.5", "qwen2.5:3b")
