"""Knowledge benchmarks: prompt preview, checks-runner overhead, FAQ direct answer end to end.

* ``preview``: one keystroke in the prompt editor = compose the whole prompt (200-entry FAQ,
  1,000-row price list), estimate its tokens and flag unknown variables. Target < 50 ms.
* ``checks``: the runner's own time per question around the model's (compose, clean-up, price
  guard, evaluation) against the fake Ollama answering at once. Target < 10 ms.
* ``faq_direct``: a signed webhook whose text matches a direct-answer FAQ entry -> the reply
  reaches the fake Graph API (no model call), one customer after another. Target p99 < 30 ms.
  The fake Graph runs in a thread of this process, so it competes for the GIL: figures are an
  upper bound, and noisy on a loaded machine.

    .venv/bin/python bench/knowledge.py [--messages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.graph import FakeGraph  # noqa: E402
from tests.fakes.ollama import FakeOllama  # noqa: E402
from tests.helpers import (  # noqa: E402
    message_body,
    new_wamid,
    running_core,
    signature_headers,
    text_message,
)
from wabot_desktop.core.knowledge.checks import run_checks  # noqa: E402
from wabot_desktop.core.knowledge.compose import preview  # noqa: E402
from wabot_desktop.core.knowledge.model import (  # noqa: E402
    Check,
    FaqItem,
    Knowledge,
    PriceItem,
    default_knowledge,
)
from wabot_desktop.core.llm.ollama_provider import OllamaProvider  # noqa: E402


def big_knowledge() -> Knowledge:
    faq = tuple(
        FaqItem(
            f"¿Pregunta frecuente número {i} sobre envíos?", f"Respuesta {i}.", True, i % 2 == 0
        )
        for i in range(200)
    )
    prices = tuple(
        PriceItem(f"Producto {i}", 1000 + i * 7.5, f"variante {i % 5}") for i in range(1000)
    )
    return default_knowledge("es").replace(faq=faq, prices=prices)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_preview(rounds: int = 200) -> dict[str, float]:
    k = big_knowledge()
    now = time.time()
    times = []
    for i in range(rounds):
        edited = k.replace(prompt=k.prompt + "x" * (i % 7) + " {negocio} {precio}")
        start = time.perf_counter()
        p = preview(edited, now, context_tokens=32768)
        times.append((time.perf_counter() - start) * 1000)
        assert p.unknown == ["precio"]
    return {"preview_p50_ms": statistics.median(times), "preview_p99_ms": pct(times, 0.99)}


async def bench_checks(rounds: int = 100) -> dict[str, float]:
    k = big_knowledge().replace(
        checks=tuple(Check(f"¿cuánto sale el producto {i}?", ("1000",)) for i in range(rounds))
    )
    async with FakeOllama(reply="El Producto 0 cuesta $1.000.") as ollama:
        llm = OllamaProvider(host=ollama.host)
        try:
            results = await run_checks(llm, k)
        finally:
            await llm.aclose()
    over = [r.overhead_s * 1000 for r in results]
    return {
        "checks_overhead_p50_ms": statistics.median(over),
        "checks_overhead_p99_ms": pct(over, 0.99),
    }


async def bench_faq_direct(messages: int) -> dict[str, float]:
    k = default_knowledge("es").replace(
        faq=(FaqItem("¿Hacen envíos a domicilio?", "Sí, a todo el país.", True, True),)
    )
    with FakeGraph.in_thread() as graph:
        async with FakeOllama() as ollama, aiohttp.ClientSession() as http:
            with tempfile.TemporaryDirectory() as tmp:
                async with running_core(
                    Path(tmp), graph_url=graph.base_url, ollama_url=ollama.host
                ) as core:
                    await core.service.save_knowledge(k, "bench")
                    latencies = []
                    for i in range(messages):
                        wa_id = f"1555{i:07d}"
                        body = message_body(
                            [
                                text_message(
                                    "hacen envios a domicilio?", wa_id=wa_id, wamid=new_wamid()
                                )
                            ],
                            wa_id=wa_id,
                        )
                        headers = {"Content-Type": "application/json", **signature_headers(body)}
                        start = time.monotonic()
                        async with http.post(
                            core.server_url + "/webhook", data=body, headers=headers
                        ) as r:
                            assert r.status == 200
                        await asyncio.to_thread(graph.wait_for_sends_blocking, i + 1, 5.0)
                        sends = [
                            q
                            for q in graph.requests
                            if q.path.endswith("/messages")
                            and isinstance(q.json, dict)
                            and q.json.get("type") == "text"
                            and q.json.get("to") == "+" + wa_id
                        ]
                        latencies.append((sends[-1].time - start) * 1000)
                    assert not [c for c in ollama.chat_requests if c.get("messages")]
    return {
        "faq_direct_p50_ms": statistics.median(latencies),
        "faq_direct_p99_ms": pct(latencies, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    figures.update(bench_preview())
    figures.update(asyncio.run(bench_checks()))
    figures.update(asyncio.run(bench_faq_direct(args.messages)))
    for key, value in figures.items():
        print(f"{key}: {value:.2f}")
    print(json.dumps({k: round(v, 2) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
