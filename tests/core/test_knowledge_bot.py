"""The running bot with a saved knowledge version: real Core, fake Graph, fake Ollama."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.core.test_bot_brain import (
    chats,
    core_for,
    mode_of,
    say,
    system_of,
    texts,
)
from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama, free_port
from tests.helpers import idle, wait_for
from wabot_desktop.core.dto import ConversationMode
from wabot_desktop.core.knowledge.checks import run_checks
from wabot_desktop.core.knowledge.context import MAX_CONTEXT_TOKENS, context_tokens
from wabot_desktop.core.knowledge.model import Check, Facts, FaqItem, PriceItem, default_knowledge
from wabot_desktop.core.llm.ollama_provider import OllamaProvider

pytestmark = pytest.mark.asyncio


def knowledge():  # type: ignore[no-untyped-def]
    return default_knowledge("es").replace(
        facts=Facts(name="Panadería La Espiga", hours={}, time_zone="UTC"),
        faq=(FaqItem("¿Hacen envíos?", "Sí, enviamos a todo el país.", True, True),),
        prices=(PriceItem("Torta de chocolate", 18500, "1 kg"),),
        checks=(
            Check("¿Cuánto sale la torta?", must_contain=("18.500",)),
            Check("¿Abren el domingo?", must_contain=("cerrado",), must_not_contain=("sí",)),
        ),
    )


async def test_an_invented_price_never_reaches_the_customer(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    ollama.reply = "¡Claro! La torta de chocolate cuesta $21.000."
    async with core_for(tmp_path, graph, ollama) as core:
        await core.service.save_knowledge(knowledge(), "precios")
        await say(client, core, "¿Cuánto sale la torta de chocolate?")
        await graph.wait_for_sends(1)
        await idle(core)
        assert texts(graph) == ["¡Claro! La torta de chocolate cuesta $18.500."]
        system = system_of(chats(ollama)[0])
        assert "Torta de chocolate (1 kg): $18.500" in system and "Hoy:" in system

        # no product the guard can tell: the reply becomes "let me check" plus a handoff
        ollama.reply = "Eso sale 9 mil pesos."
        await say(client, core, "¿y lo otro?", wa_id="15555550303")
        await graph.wait_for_sends(2)
        await idle(core)
        sent = texts(graph, "15555550303")
        assert len(sent) == 1 and "9 mil" not in sent[0] and "consultarlo con el equipo" in sent[0]
        assert await mode_of(core, "15555550303") is ConversationMode.NEEDS_HUMAN
        assert all("21.000" not in t and "9 mil" not in t for t in texts(graph))


async def test_faq_direct_answer_skips_the_model_and_rollback_is_live_at_once(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    async with core_for(tmp_path, graph, ollama) as core:
        await idle(core)
        before = len(chats(ollama))
        v1 = await core.service.save_knowledge(knowledge(), "con FAQ directa")
        await say(client, core, "hacen envios?")
        await graph.wait_for_sends(1)
        await idle(core)
        assert texts(graph) == ["Sí, enviamos a todo el país."]
        assert len(chats(ollama)) == before  # no model call

        off = knowledge().replace(faq=(FaqItem("¿Hacen envíos?", "Sí.", True, False),))
        await core.service.save_knowledge(off, "sin respuesta directa")
        await say(client, core, "hacen envios?")
        await graph.wait_for_sends(2)
        await idle(core)
        assert len(chats(ollama)) == before + 1

        await core.service.rollback_knowledge(v1.id)
        await say(client, core, "¿Hacen envíos?")
        await graph.wait_for_sends(3)
        await idle(core)
        assert texts(graph)[-1] == "Sí, enviamos a todo el país."
        assert len(chats(ollama)) == before + 1
        versions = await core.service.knowledge_versions()
        assert [v.note for v in versions][0] == f"Restaurada la versión {v1.id}"


async def test_checks_runner_streams_and_reports_pass_and_fail(ollama: FakeOllama) -> None:
    ollama.reply = "La torta cuesta $18.500. Sí, abrimos."
    ollama.chunk_size = 3
    async with OllamaProvider(host=ollama.host) as llm:
        results = await run_checks(llm, knowledge())
    assert [r.passed for r in results] == [True, False]
    assert results[1].missing == ("cerrado",) and results[1].forbidden == ("sí",)
    assert all(r.first_token_s is not None and r.tokens_per_s for r in results)
    request = chats(ollama)[-1]
    assert request["messages"][-1] == {"role": "user", "content": "¿Abren el domingo?"}
    assert "Torta de chocolate" in system_of(request)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    return subprocess.run(
        [sys.executable, "-m", "wabot_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


async def test_cli_import_export_and_checks(tmp_path: Path, ollama: FakeOllama) -> None:
    data = str(tmp_path / "data")
    good = tmp_path / "precios.csv"
    good.write_text('producto,precio\nTorta de chocolate,18500\nMedialunas,"1.200"\n', "utf-8")
    bad = tmp_path / "malo.csv"
    bad.write_text("pregunta,respuesta\n¿Hola?,Hola\n¿Vacía?,\n", "utf-8")
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n", "utf-8")

    def run_all() -> list[subprocess.CompletedProcess[str]]:
        return [
            cli("knowledge", "import", str(good), "--data-dir", data),
            cli("knowledge", "import", str(bad), "--data-dir", data),
            cli("knowledge", "import", str(junk), "--data-dir", data),
            cli("knowledge", "export", str(tmp_path / "out"), "--data-dir", data),
            cli("checks", "run", "--data-dir", data, "--ollama-url", ollama.host),
            cli(
                "checks",
                "run",
                "--data-dir",
                data,
                "--ollama-url",
                f"http://127.0.0.1:{free_port()}",
            ),
        ]

    ok, bad_rows, unreadable, export, checks, no_ollama = await asyncio.to_thread(run_all)
    assert ok.returncode == 0 and "Importados 2 productos" in ok.stdout, ok.stderr
    assert bad_rows.returncode == 3 and "línea 3" in bad_rows.stderr
    assert unreadable.returncode == 2
    assert export.returncode == 0
    assert "Torta de chocolate" in (tmp_path / "out" / "precios.csv").read_text("utf-8-sig")
    # starter checks against a model that answers "¡Hola! Abrimos de 9 a 19 h.": some fail
    assert checks.returncode == 1, checks.stderr
    lines = checks.stdout.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith(("PASA", "FALLA")) for line in lines)
    assert no_ollama.returncode == 1 and "ollama pull" in no_ollama.stdout


async def test_without_ollama_the_fallback_answers_from_the_saved_faq(
    tmp_path: Path, graph: FakeGraph, client: httpx.AsyncClient
) -> None:
    async with core_for(tmp_path, graph, f"http://127.0.0.1:{free_port()}") as core:
        k = knowledge().replace(faq=(FaqItem("¿Hacen envíos?", "Sí, por correo.", True, False),))
        await core.service.save_knowledge(k, "sin modelo")
        await say(client, core, "¿Hacen envíos?")
        await graph.wait_for_sends(1)
        await idle(core)
        assert texts(graph) == ["Sí, por correo."]


async def test_context_window_comes_from_the_model_and_is_sent_explicitly(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    assert await context_tokens(ollama.host, "qwen2.5:3b") == MAX_CONTEXT_TOKENS  # 32768, capped
    assert await context_tokens(f"http://127.0.0.1:{free_port()}", "qwen2.5:3b") is None
    async with core_for(tmp_path, graph, ollama) as core:
        await wait_for(lambda: core.knowledge.context_tokens == MAX_CONTEXT_TOKENS, what="ctx")
        assert core.service.model_context_tokens() == MAX_CONTEXT_TOKENS
        await say(client, core, "hola")
        await graph.wait_for_sends(1)
        await idle(core)
        assert chats(ollama)[-1]["options"]["num_ctx"] == MAX_CONTEXT_TOKENS


async def test_the_prompt_budget_is_the_window_the_owner_set_below_the_models(
    tmp_path: Path, graph: FakeGraph, ollama: FakeOllama, client: httpx.AsyncClient
) -> None:
    # The model could take 8192 tokens, the owner asked for 2048: prompts must fit in 2048, or
    # Ollama would cut their start (the system prompt) off.
    async with core_for(tmp_path, graph, ollama, llm_context_size=2048) as core:
        await wait_for(lambda: core.knowledge.context_tokens == 2048, what="the owner's window")
        assert core.service.model_context_tokens() == 2048
        await say(client, core, "hola")
        await graph.wait_for_sends(1)
        await idle(core)
        assert chats(ollama)[-1]["options"]["num_ctx"] == 2048
