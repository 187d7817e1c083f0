"""Issue 9 (4, 5): a stream without ``done`` is a failed generation; a stuck model is cut early."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FailMode, FakeOllama
from tests.helpers import post, running_core, text_body
from wabot_desktop.core.llm.base import LlmIncompleteError, LlmTimeoutError
from wabot_desktop.core.llm.ollama_provider import OllamaProvider

pytestmark = pytest.mark.asyncio

FULL = "El sabado abrimos de nueve a cuatro de la tarde, con gusto le esperamos."


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOllama]:
    async with FakeOllama(reply=FULL) as server:
        yield server


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def test_stream_without_done_is_a_failed_generation(fake: FakeOllama) -> None:
    fake.fail = FailMode.NO_DONE
    tokens: list[str] = []
    async with OllamaProvider(host=fake.host) as provider:
        with pytest.raises(LlmIncompleteError):
            await provider.chat(user("hola"), on_token=tokens.append)
        assert tokens  # part of the answer did stream: it is still not an answer
        assert provider.consecutive_failures == 1


async def test_customer_never_gets_half_an_answer(
    tmp_path: Path, graph: FakeGraph, client: httpx.AsyncClient
) -> None:
    async with FakeOllama(reply=FULL, fail=FailMode.NO_DONE) as ollama:  # noqa: SIM117
        async with running_core(tmp_path, graph_url=graph.base_url, ollama_url=ollama.host) as core:
            assert (await post(client, core.server_url, text_body("A que hora abren?"))).is_success
            sent = await graph.wait_for_sends(1)
    body = sent[0]["text"]["body"]
    assert "nueve" not in body  # the fallback (handoff), not the truncated model text


async def test_no_first_token_fails_long_before_the_total_timeout(fake: FakeOllama) -> None:
    fake.fail = FailMode.HANG
    async with OllamaProvider(
        host=fake.host, request_timeout=30.0, first_token_timeout=0.3
    ) as provider:
        started = time.monotonic()
        with pytest.raises(LlmTimeoutError, match="first token"):
            await provider.chat(user("hola"))
        assert time.monotonic() - started < 5.0


async def test_first_token_limit_does_not_cut_a_streaming_reply(fake: FakeOllama) -> None:
    fake.chunk_size = 4
    fake.chunk_delay = 0.05  # ~18 chunks: about 0.9 s in total, far over the first-token limit
    async with OllamaProvider(
        host=fake.host, request_timeout=20.0, first_token_timeout=0.4
    ) as provider:
        assert await provider.chat(user("hola")) == FULL


async def test_turns_queued_behind_a_dead_model_give_up_at_the_customers_wait(
    fake: FakeOllama,
) -> None:
    fake.fail = FailMode.HANG
    async with OllamaProvider(
        host=fake.host,
        request_timeout=30.0,
        first_token_timeout=30.0,
        customer_wait=0.5,
        max_concurrent=1,
    ) as provider:
        started = time.monotonic()
        results = await asyncio.gather(
            *(provider.chat(user(f"hola {i}")) for i in range(3)), return_exceptions=True
        )
        elapsed = time.monotonic() - started
    assert all(isinstance(r, LlmTimeoutError) for r in results), results
    # Each waited at most the customer's tolerance, not one full timeout after another.
    assert elapsed < 5.0
