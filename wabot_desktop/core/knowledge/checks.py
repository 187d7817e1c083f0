"""The owner's checks: example questions and what the answer must (not) contain.

:func:`run_checks` asks the model each question with the given (draft or active) knowledge,
streaming, and reports pass/fail per check with time to first token and tokens/s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wabot_desktop.core.knowledge.active import ActiveKnowledge
from wabot_desktop.core.knowledge.model import Check, Knowledge
from wabot_desktop.core.knowledge.store import VersionInfo
from wabot_desktop.core.knowledge.text import fold
from wabot_desktop.core.llm.base import LlmProvider
from wabot_desktop.core.llm.postprocess import clean_reply

HOW_TO_ENABLE = {
    "es": "Las revisiones necesitan Ollama: instálalo desde https://ollama.com, ejecuta "
    "«ollama pull {model}» y vuelve a intentarlo.",
    "en": "Checks need Ollama: install it from https://ollama.com, run «ollama pull {model}» "
    "and try again.",
}


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: Check
    answer: str
    passed: bool
    missing: tuple[str, ...]  # must-contain phrases not found
    forbidden: tuple[str, ...]  # must-not-contain phrases found
    first_token_s: float | None
    tokens_per_s: float | None
    overhead_s: float  # our own time around the model's (compose, clean-up, guard, evaluation)
    error: str | None = None


def evaluate(check: Check, answer: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    folded = fold(answer)
    missing = tuple(p for p in check.must_contain if p.strip() and fold(p) not in folded)
    forbidden = tuple(p for p in check.must_not_contain if p.strip() and fold(p) in folded)
    return not missing and not forbidden, missing, forbidden


class _Draft:
    """The draft composed once for a run of checks (the prompt does not change between them)."""

    def __init__(self, knowledge: Knowledge, now: float | None) -> None:
        self.brain = ActiveKnowledge(knowledge, VersionInfo(0, 0.0, "draft"))
        self.system = self.brain.system_prompt(now)


async def run_check(
    llm: LlmProvider,
    knowledge: Knowledge | _Draft,
    check: Check,
    *,
    on_token: Callable[[str], None] | None = None,
    now: float | None = None,
) -> CheckResult:
    """Ask one check's question (a fresh conversation) and evaluate the answer."""
    started = time.perf_counter()
    draft = knowledge if isinstance(knowledge, _Draft) else _Draft(knowledge, now)
    brain, system = draft.brain, draft.system
    direct = brain.direct_answer(check.question)
    if direct is not None:
        passed, missing, forbidden = evaluate(check, direct)
        overhead = time.perf_counter() - started
        return CheckResult(check, direct, passed, missing, forbidden, 0.0, None, overhead)
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": check.question},  # customer-side text stays a user turn
    ]
    first: list[float] = []
    pieces: list[str] = []

    def token(piece: str) -> None:
        if not first:
            first.append(time.perf_counter())
        pieces.append(piece)
        if on_token is not None:
            on_token(piece)

    before_model = time.perf_counter()
    try:
        raw = await llm.chat(messages, on_token=token)
    except Exception as exc:
        overhead = before_model - started
        return CheckResult(check, "", False, (), (), None, None, overhead, type(exc).__name__)
    after_model = time.perf_counter()
    answer = brain.guard(clean_reply(raw, system), check.question).text
    passed, missing, forbidden = evaluate(check, answer)
    done = time.perf_counter()
    ttft = first[0] - before_model if first else None
    streaming = after_model - first[0] if first else 0.0
    rate = (len(pieces) / streaming) if first and streaming > 0 else None
    overhead = (before_model - started) + (done - after_model)
    return CheckResult(check, answer, passed, missing, forbidden, ttft, rate, overhead)


async def run_checks(
    llm: LlmProvider,
    knowledge: Knowledge,
    checks: Sequence[Check] | None = None,
    *,
    on_result: Callable[[CheckResult], None] | None = None,
    on_token: Callable[[Check, str], None] | None = None,
) -> list[CheckResult]:
    """Run ``checks`` (default: the document's own) one after another against ``knowledge``."""
    draft = _Draft(knowledge, None)
    results = []
    for check in knowledge.checks if checks is None else checks:
        stream = None if on_token is None else (lambda piece, c=check: on_token(c, piece))
        result = await run_check(llm, draft, check, on_token=stream)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
