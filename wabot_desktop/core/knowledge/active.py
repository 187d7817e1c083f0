"""The active knowledge the running bot reads on every turn (swapped at once on save/rollback)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from wabot_desktop.core.knowledge.compose import budget, system_prompt, variable_values
from wabot_desktop.core.knowledge.faq import FaqIndex
from wabot_desktop.core.knowledge.model import Knowledge
from wabot_desktop.core.knowledge.money import GuardResult, guard_reply
from wabot_desktop.core.knowledge.store import VersionInfo
from wabot_desktop.core.llm.base import BusinessProfile, FaqEntry, HistoryTurn
from wabot_desktop.core.llm.prompt import compose_messages, fill_placeholders


class ActiveKnowledge:
    """Holds the active version; the engine asks it for prompts, direct answers and the guard."""

    def __init__(
        self, knowledge: Knowledge | None = None, version: VersionInfo | None = None
    ) -> None:
        self.context_tokens: int | None = None  # from Ollama's /api/show, when known
        self.knowledge = knowledge or Knowledge()
        self.version = version
        self._faq = FaqIndex(self.knowledge)
        # (knowledge, minute, text): the system prompt changes with the version and, through
        # {hoy} (weekday, HH:MM, open/closed), once a minute; every turn asks for it.
        self._prompt: tuple[Knowledge, int, str] | None = None

    @property
    def ready(self) -> bool:
        """A version was saved: until then the bot runs on the settings as before."""
        return self.version is not None

    def activate(self, knowledge: Knowledge, version: VersionInfo | None) -> None:
        faq = FaqIndex(knowledge)
        self.knowledge, self.version, self._faq = knowledge, version, faq
        self._prompt = None

    def system_prompt(self, now: float | None = None) -> str:
        """The composed system message for ``now`` (kept for the minute it was composed in)."""
        now = time.time() if now is None else now
        minute = int(now // 60)  # zone offsets are whole minutes: local minutes start here too
        knowledge = self.knowledge
        cached = self._prompt
        if cached is not None and cached[0] is knowledge and cached[1] == minute:
            return cached[2]
        text = system_prompt(knowledge, now)
        self._prompt = (knowledge, minute, text)
        return text

    def canned(self, key: str, now: float | None = None) -> str:
        """The owner's text for ``key`` in this version; "" = use the settings/default text."""
        text = self.knowledge.texts.get(key, "")
        if not text:
            return ""
        return fill_placeholders(
            text, variable_values(self.knowledge, time.time() if now is None else now)
        )

    def fallback_faq(self) -> tuple[FaqEntry, ...]:
        """The enabled FAQ for the no-model fallback (Ollama down or no usable answer)."""
        return tuple(
            FaqEntry(question=f.question, answer=f.answer) for f in self.knowledge.faq if f.enabled
        )

    def direct_answer(self, customer_text: str) -> str | None:
        return self._faq.direct_answer(customer_text)

    def messages(
        self,
        history: Sequence[HistoryTurn],
        pending: Sequence[str],
        *,
        max_history_chars: int,
        now: float | None = None,
    ) -> tuple[list[dict[str, str]], str]:
        """The chat messages (customer text only in user turns) and the system prompt."""
        system = self.system_prompt(now)
        history_chars = min(max_history_chars, budget(system, self.context_tokens).history_chars)
        # History trimming and pending merge as before; only the system message is ours.
        messages = compose_messages(
            "",
            BusinessProfile(name=""),
            history,
            pending,
            budget_chars=history_chars,
            language=self.knowledge.language,
        )
        messages[0] = {"role": "system", "content": system}
        return messages, system

    def guard(self, reply: str, customer_text: str) -> GuardResult:
        return guard_reply(reply, self.knowledge, customer_text)
