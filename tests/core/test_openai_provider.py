"""OpenAIProvider with the real ``openai`` client against the fake OpenAI-compatible server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.fakes.ollama import free_port
from tests.fakes.openai_server import Fail, FakeOpenAI
from wabot_desktop.core.events import Event, EventHub, LlmStateChanged
from wabot_desktop.core.llm.base import (
    LlmCircuitOpenError,
    LlmIncompleteError,
    LlmModelMissingError,
    LlmResponseError,
    LlmState,
    LlmUnavailableError,
)
from wabot_desktop.core.llm.guarded import fit_to_context, leaves_this_pc, privacy_warning
from wabot_desktop.core.llm.openai_provider import PRESETS, OpenAIProvider, preset

MESSAGES = [{"role": "system", "content": "Sé breve."}, {"role": "user", "content": "¿Horario?"}]


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


def make(fake: FakeOpenAI, **kwargs: Any) -> OpenAIProvider:
    kwargs.setdefault("breaker_cooldown", 60.0)
    return OpenAIProvider(fake.base_url, kwargs.pop("model", "qwen2.5-3b-instruct"), **kwargs)


@pytest.mark.asyncio
async def test_streams_the_reply_and_checks_up(fake: FakeOpenAI) -> None:
    events: list[Event] = []
    hub = EventHub()
    hub.subscribe(events.append)
    async with make(fake, hub=hub) as llm:
        assert await llm.check() is LlmState.UP
        tokens: list[str] = []
        text = await llm.chat(MESSAGES, on_token=tokens.append)
    assert text == fake.reply and "".join(tokens) == fake.reply and len(tokens) > 1
    request = fake.chat_requests[0]
    assert request["stream"] is True and request["messages"] == MESSAGES
    assert fake.authorizations[-1] == "Bearer sin-clave"  # no key configured
    state = [e for e in events if isinstance(e, LlmStateChanged)][-1]
    assert state.provider == "openai" and state.state == "up" and state.privacy_warning is None


@pytest.mark.asyncio
async def test_api_key_is_sent_and_a_wrong_one_is_unauthorized(fake: FakeOpenAI) -> None:
    fake.api_key = "sk-test-123"
    async with make(fake, api_key="sk-test-123") as llm:
        assert await llm.check() is LlmState.UP
        assert await llm.chat(MESSAGES) == fake.reply
    async with make(fake, api_key="sk-wrong") as llm:
        assert await llm.check() is LlmState.DOWN and llm.detail == "unauthorized"
        with pytest.raises(LlmResponseError):
            await llm.chat(MESSAGES)


@pytest.mark.asyncio
async def test_model_listing(fake: FakeOpenAI) -> None:
    fake.models = ["a", "b"]
    async with make(fake, model="") as llm:
        assert await llm.list_models() == ["a", "b"]
        assert await llm.check() is LlmState.UP and llm.model == "a"  # first one chosen
    async with make(fake, model="zzz") as llm:
        assert await llm.check() is LlmState.MODEL_MISSING
        with pytest.raises(LlmModelMissingError):
            await llm.chat(MESSAGES)  # 404 model_not_found
        assert llm.consecutive_failures == 0  # a missing model is not a server failure
    fake.list_models = False
    async with make(fake, model="a") as llm:
        assert await llm.list_models() is None
        assert await llm.check() is LlmState.UP  # not offered: cannot verify, assume fine


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", [Fail.CUT, Fail.NO_DONE])
async def test_a_stream_without_its_end_is_a_failure(fake: FakeOpenAI, mode: Fail) -> None:
    fake.fail = mode
    async with make(fake) as llm:
        with pytest.raises(LlmResponseError) as caught:
            await llm.chat(MESSAGES)
        assert llm.consecutive_failures == 1
    if mode is Fail.NO_DONE:
        assert isinstance(caught.value, LlmIncompleteError)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", [Fail.HTTP_429, Fail.HTTP_500])
async def test_errors_open_the_breaker(fake: FakeOpenAI, mode: Fail) -> None:
    fake.fail = mode
    events: list[Event] = []
    hub = EventHub()
    hub.subscribe(events.append)
    async with make(fake, breaker_threshold=2, hub=hub) as llm:
        for _ in range(2):
            with pytest.raises(LlmResponseError):
                await llm.chat(MESSAGES)
        assert llm.circuit_open and llm.state is LlmState.CIRCUIT_OPEN
        with pytest.raises(LlmCircuitOpenError):
            await llm.chat(MESSAGES)
    assert len(fake.chat_requests) == 2  # fail fast: the third never reached the server
    assert any(isinstance(e, LlmStateChanged) and e.state == "circuit_open" for e in events)


@pytest.mark.asyncio
async def test_breaker_closes_after_a_good_trial(fake: FakeOpenAI) -> None:
    fake.fail = Fail.HTTP_500
    async with make(fake, breaker_threshold=1, breaker_cooldown=0.0) as llm:
        with pytest.raises(LlmResponseError):
            await llm.chat(MESSAGES)
        fake.fail = Fail.NONE
        assert await llm.chat(MESSAGES) == fake.reply
        assert not llm.circuit_open and llm.state is LlmState.UP


@pytest.mark.asyncio
async def test_unreachable_server_is_down() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    async with OpenAIProvider(url, "m") as llm:
        assert await llm.check() is LlmState.DOWN
        with pytest.raises(LlmUnavailableError):
            await llm.chat(MESSAGES)


@pytest.mark.asyncio
async def test_fifo_limit_is_shared(fake: FakeOpenAI) -> None:
    async with make(fake, max_concurrent=1) as llm:
        first = asyncio.create_task(llm.chat(MESSAGES))
        second = asyncio.create_task(llm.chat(MESSAGES))
        assert await asyncio.gather(first, second) == [fake.reply, fake.reply]
        assert llm.in_flight == 0 and llm.waiting == 0


def test_presets_and_privacy() -> None:
    assert preset("lmstudio").base_url == "http://127.0.0.1:1234/v1"
    assert preset("llamacpp").base_url.endswith(":8080/v1")
    assert preset("jan").base_url.endswith(":1337/v1")
    assert preset("vllm").base_url.endswith(":8000/v1")
    assert preset("transformers").base_url.endswith(":8000/v1")
    hf = preset("huggingface")
    assert hf.base_url == "https://router.huggingface.co/v1" and hf.key_required
    assert len({p.id for p in PRESETS}) == 6
    assert leaves_this_pc("http://127.0.0.1:1234/v1") is None
    assert leaves_this_pc("http://localhost:8080/v1") is None
    assert leaves_this_pc("http://[::1]:8000/v1") is None
    assert leaves_this_pc("http://192.168.1.20:1234/v1") == "192.168.1.20"
    assert leaves_this_pc("http://192.168.1.20:1234/v1", ("192.168.1.20",)) is None
    assert leaves_this_pc("http://8.8.8.8/v1", ("8.8.8.8",)) == "8.8.8.8"  # not private
    warning = privacy_warning("https://router.huggingface.co/v1")
    assert warning == "Las conversaciones salen de esta PC hacia router.huggingface.co."
    assert privacy_warning("http://127.0.0.1:1234/v1") == ""


def test_remote_provider_exposes_the_warning() -> None:
    llm = OpenAIProvider("https://router.huggingface.co/v1", "m", api_key="k")
    assert llm.remote_host == "router.huggingface.co"
    assert "salen de esta PC" in llm.privacy_warning
    asyncio.run(llm.aclose())


def test_fit_to_context_keeps_system_and_newest() -> None:
    history = [{"role": "user", "content": "x" * 300} for _ in range(10)]
    messages = [MESSAGES[0], *history, MESSAGES[1]]
    fitted = fit_to_context(messages, 600)
    assert fitted[0] == MESSAGES[0] and fitted[-1] == MESSAGES[1]
    assert 2 <= len(fitted) < len(messages)
    assert fit_to_context(messages, 0) == messages


@pytest.mark.asyncio
async def test_switching_provider_in_settings_takes_effect_on_the_next_turn(
    tmp_path: Any, fake: FakeOpenAI
) -> None:
    from tests.fakes.graph import FakeGraph
    from tests.fakes.ollama import FakeOllama
    from tests.helpers import post, running_core, text_body
    from wabot_desktop.core.llm.ollama_provider import OllamaProvider

    async with (
        FakeGraph() as graph,
        FakeOllama(reply="Respuesta de Ollama.") as ollama,
        running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core,
    ):
        import httpx

        old = core.llm
        assert isinstance(old, OllamaProvider)
        async with httpx.AsyncClient(timeout=10) as client:
            await post(client, core.server_url, text_body("Hola", wa_id="5215550000021"))
            await graph.wait_for_sends(1, timeout=10)
            await core.service.update_settings(
                llm_provider="openai", openai_base_url=fake.base_url, openai_model=fake.models[0]
            )
            assert isinstance(core.llm, OpenAIProvider) and core.engine is not None
            assert core.engine.llm is core.llm and core.service.llm is core.llm
            await post(client, core.server_url, text_body("¿Horario?", wa_id="5215550000022"))
            sent = await graph.wait_for_sends(2, timeout=10)
            health = await core.service.health()
    assert [m["text"]["body"] for m in sent] == ["Respuesta de Ollama.", fake.reply]
    assert len(fake.chat_requests) == 1 and health.llm_provider == "openai"
    assert old._closed  # the retired provider was closed once idle


@pytest.mark.asyncio
async def test_a_new_api_key_goes_to_the_secret_store_and_the_next_turn(
    tmp_path: Any, fake: FakeOpenAI
) -> None:
    from tests.fakes.graph import FakeGraph
    from tests.helpers import running_core
    from wabot_desktop.core.secrets import SecretKey
    from wabot_desktop.core.settings import load_settings

    fake.api_key = "sk-new-key-0001"
    async with (
        FakeGraph() as graph,
        running_core(
            tmp_path,
            graph_url=graph.base_url,
            ollama_url="http://127.0.0.1:9",
            llm_provider="openai",
            openai_base_url=fake.base_url,
            openai_model=fake.models[0],
        ) as core,
    ):
        assert core.llm is not None and await core.llm.check() is LlmState.DOWN  # no key yet
        core.set_llm_api_key("sk-new-key-0001")
        assert core.secrets.get(SecretKey.LLM_API_KEY) == "sk-new-key-0001"
        assert await core.llm.chat(MESSAGES) == fake.reply
        assert core.db is not None
        stored = await core.db.session_run(load_settings)
        assert "sk-new-key-0001" not in repr(stored)
        core.set_llm_api_key(None)
        assert core.secrets.get(SecretKey.LLM_API_KEY) is None
