"""FAQ direct answers: a question that matches an entry closely is answered without the model."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from wabot_desktop.core.knowledge.model import FaqItem, Knowledge
from wabot_desktop.core.knowledge.text import fold

DIRECT_SCORE = 90.0  # token-set similarity (0-100) a question needs for a direct answer
MIN_CHARS = 4


class FaqIndex:
    """The enabled, direct-answer FAQ entries, folded once for fast matching."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._entries: list[FaqItem] = [
            f
            for f in knowledge.faq
            if f.enabled and f.direct and f.question.strip() and f.answer.strip()
        ]
        self._keys = [fold(f.question) for f in self._entries]

    def match(self, text: str) -> tuple[FaqItem, float] | None:
        query = fold(text)
        if len(query) < MIN_CHARS or not self._keys:
            return None
        best = process.extractOne(
            query, self._keys, scorer=fuzz.token_sort_ratio, score_cutoff=DIRECT_SCORE
        )
        if best is None:
            return None
        _, score, index = best
        return self._entries[index], float(score)

    def direct_answer(self, text: str) -> str | None:
        found = self.match(text)
        return found[0].answer.strip() if found else None
