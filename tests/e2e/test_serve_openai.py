"""``serve --llm-provider openai``: the OpenAI-compatible provider end to end, as a real process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.serve import FAST, ServeProcess, live_env, seed_settings, serve_args
from tests.fakes.graph import FakeGraph
from tests.fakes.openai_server import Fail, FakeOpenAI
from tests.helpers import signature_headers, text_body

pytestmark = pytest.mark.slow

API_KEY = "sk-e2e-9f3b1c7d5a2e4f60"
MODEL = "qwen2.5-3b-instruct"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph.in_thread() as fake:
        yield fake


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.in_thread(models=(MODEL,), reply="Sí, hacemos envíos a Puebla.") as fake:
        yield fake


def openai_args(data: Path, graph_url: str, llm_url: str) -> list[str]:
    return [
        *serve_args(data, graph_url, None),
        "--verbose",
        "--llm-provider",
        "openai",
        "--llm-url",
        llm_url,
        "--llm-model",
        MODEL,
    ]


def post(url: str, body: bytes) -> None:
    with httpx.Client(timeout=10) as client:
        response = client.post(url + "/webhook", content=body, headers=signature_headers(body))
    assert response.status_code == 200


def test_customer_answered_from_the_openai_server_and_the_key_stays_secret(
    tmp_path: Path, graph: FakeGraph, server: FakeOpenAI
) -> None:
    server.api_key = API_KEY  # the fake refuses any other key
    data = tmp_path / "data"
    seed_settings(data, **FAST)
    proc = ServeProcess(
        openai_args(data, graph.base_url, server.base_url), live_env(WABOT_LLM_API_KEY=API_KEY)
    ).start()
    post(proc.url, text_body("Hola, ¿hacen envíos a Puebla?"))
    graph.wait_for_sends_blocking(1, timeout=20)
    with httpx.Client(timeout=10) as client:
        health = client.get(proc.url + "/health").json()
    assert proc.terminate() == 0
    assert graph.sent_messages[0]["text"]["body"] == "Sí, hacemos envíos a Puebla."
    assert server.chat_requests[-1]["model"] == MODEL
    assert f"Bearer {API_KEY}" in server.authorizations
    assert health["llm_provider"] == "openai" and health["llm"] == "up"
    assert health["llm_privacy_warning"] is None  # 127.0.0.1 is this PC
    # The key is in no file of the profile: database (+WAL), logs, settings, anything.
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    for path in files:
        assert API_KEY.encode() not in path.read_bytes(), path
    assert API_KEY not in "".join(proc.output)


@pytest.mark.parametrize("mode", [Fail.HTTP_429, Fail.HTTP_500])
def test_server_errors_fall_back_and_open_the_breaker(
    tmp_path: Path, graph: FakeGraph, server: FakeOpenAI, mode: Fail
) -> None:
    server.fail = mode
    data = tmp_path / "data"
    seed_settings(data, **FAST)
    proc = ServeProcess(openai_args(data, graph.base_url, server.base_url), live_env()).start()
    customers = ["5215550000011", "5215550000012", "5215550000013", "5215550000014"]
    for index, wa_id in enumerate(customers[:3], start=1):
        post(proc.url, text_body("¿Tienen la talla 42 en azul?", wa_id=wa_id))
        graph.wait_for_sends_blocking(index, timeout=20)  # the fallback answered
    with httpx.Client(timeout=10) as client:
        health = client.get(proc.url + "/health").json()
    assert health["llm"] == "circuit_open"
    assert len(server.chat_requests) == 3
    post(proc.url, text_body("¿Tienen la talla 42 en azul?", wa_id=customers[3]))
    graph.wait_for_sends_blocking(4, timeout=20)
    assert proc.terminate() == 0
    assert len(server.chat_requests) == 3  # the open breaker answered at once, no 4th call
    assert len(graph.sent_messages) == 4  # every customer got the fallback answer
