"""Answer from the owner's FAQ when no model is available (or to save a model call).

Short WhatsApp questions rarely share words with the FAQ's wording ("¿a qué hora abren?" vs
"¿Cuál es el horario?"), so plain string similarity is not enough. Each FAQ entry is scored by:

- fuzzy similarity of the content words (stop words removed) of the text and the question;
- shared *topics*: small Spanish/English word families for the questions every shop gets
  (hours, delivery, payment, location, prices, stock, contact, returns, bookings);
- word coverage: how many of the customer's content words match (fuzzily) a word of the FAQ
  question, or, with less weight, of its answer.

The best entry above ``threshold`` wins; otherwise ``None`` (the caller hands off to a person).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from wabot_desktop.core.llm.base import FaqEntry

logger = logging.getLogger(__name__)

_STOPWORD_TEXT = """
    a al algo alguna alguno algun ante antes aqui asi aun bien buen buena buenas buenos cada
    como con contigo cual cuales cuando de del desde dos e el ella ellas ellos en entre era
    eres es esa ese eso esta estan estas este esto estos fue gracias ha hay hola hasta la las
    le les lo los mas me mi mis mucho muy nada ni no nos nosotros o os otra otro para pero
    poco por porfa porfavor pregunta puede pueden puedo que quiero quisiera saber se sea ser
    si sobre son soy su sus tal tambien te tengo ti tiene tienen tu tus u un una unas uno
    unos usted ustedes va vez y ya favor info informacion consulta hacer hace hacen ok okay
    the an and are can could do does for from have how i in is it me my of on or please that
    to we what when which who why will with you your hi hello thanks
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Word families (accent-free stems, matched as prefixes) for the questions every shop gets.
_TOPICS: dict[str, tuple[str, ...]] = {
    "hours": (
        "horario",
        "hora",
        "abre",
        "abri",
        "abie",
        "cierr",
        "cerra",
        "atien",
        "open",
        "close",
        "hour",
        "lunes",
        "martes",
        "miercoles",
        "jueves",
        "viernes",
        "sabado",
        "domingo",
        "feriado",
        "weekend",
    ),
    "delivery": (
        "envi",
        "mand",
        "domicil",
        "delivery",
        "deliver",
        "despach",
        "ship",
        "repart",
        "courier",
        "flete",
        "entreg",
        "encomienda",
    ),
    "payment": (
        "pago",
        "paga",
        "pagu",
        "tarjeta",
        "credito",
        "debito",
        "efectivo",
        "transferencia",
        "transfer",
        "yape",
        "plin",
        "nequi",
        "mercadopago",
        "pix",
        "paypal",
        "cash",
        "card",
        "cuota",
        "sinpe",
        "zelle",
    ),
    "location": (
        "direcc",
        "ubica",
        "dond",
        "local",
        "tienda",
        "sucursal",
        "address",
        "located",
        "location",
        "where",
        "mapa",
        "llegar",
    ),
    "price": ("precio", "cuest", "cuant", "costo", "valor", "price", "tarifa"),
    "stock": ("stock", "disponib", "existenc", "agotad", "available"),
    "contact": ("telefon", "llam", "numero", "correo", "email", "mail", "phone", "contact"),
    "returns": ("devoluc", "devolv", "cambi", "garant", "reembols", "refund", "return"),
    "booking": ("reserv", "cita", "turno", "agend", "booking", "appointment"),
}

_PUNCT_RE = re.compile(r"[^\w\s]")
_WS_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lowercase, accents and punctuation removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WS_RE.sub(" ", _PUNCT_RE.sub(" ", plain.replace("_", " "))).strip()


def content_words(text: str) -> list[str]:
    """Normalised words of ``text`` without stop words and one-letter words."""
    return [w for w in normalize(text).split() if w not in _STOPWORDS and len(w) > 1]


def word_topics(word: str) -> frozenset[str]:
    """The topic families ``word`` belongs to."""
    return frozenset(
        topic for topic, stems in _TOPICS.items() if any(word.startswith(s) for s in stems)
    )


def topics(words: Sequence[str]) -> frozenset[str]:
    """The topic families any of ``words`` belongs to."""
    found: set[str] = set()
    for word in words:
        found |= word_topics(word)
    return frozenset(found)


def _word_similarity(word: str, others: Sequence[str]) -> float:
    best = 0.0
    for other in others:
        if word == other:
            return 100.0
        # Shared stem of 4+ letters: "envian"/"envios", "pagar"/"pago".
        prefix = len(word) >= 4 and len(other) >= 4 and word[:4] == other[:4]
        best = max(best, fuzz.ratio(word, other), 85.0 if prefix else 0.0)
    return best


@dataclass(frozen=True, slots=True)
class _Prepared:
    entry: FaqEntry
    question_words: tuple[str, ...]
    answer_words: tuple[str, ...]
    topics: frozenset[str]


class FallbackResponder:
    """Picks the owner's FAQ answer that best matches a customer's text."""

    def __init__(self, faq: Sequence[FaqEntry], *, threshold: float = 70.0) -> None:
        self.threshold = threshold
        self._entries = [
            _prepare(entry) for entry in faq if entry.question.strip() and entry.answer.strip()
        ]

    def score(self, text: str, entry: FaqEntry) -> float:
        """Similarity (0-100) of ``text`` to one FAQ entry."""
        return self._score(content_words(text), _prepare(entry))[0]

    def best_match(self, text: str) -> tuple[FaqEntry, float] | None:
        """The best-scoring entry and its score, whatever the threshold."""
        words = content_words(text)
        if not words or not self._entries:
            return None
        scored = [(self._score(words, prepared), prepared.entry) for prepared in self._entries]
        (score, _), entry = max(scored, key=lambda pair: pair[0])
        return entry, score

    def answer(self, text: str) -> str | None:
        """The answer of the best FAQ entry scoring at least ``threshold``, else ``None``."""
        match = self.best_match(text)
        if match is None:
            return None
        entry, score = match
        logger.debug("fallback best score %.1f (threshold %.1f)", score, self.threshold)
        return entry.answer if score >= self.threshold else None

    @staticmethod
    def _score(words: Sequence[str], entry: _Prepared) -> tuple[float, float]:
        """(score, tie-breaker) of ``words`` against one prepared entry."""
        if not words or not entry.question_words:
            return 0.0, 0.0
        text_norm = " ".join(words)
        question_norm = " ".join(entry.question_words)
        # token_sort (not token_set): a one-word subset of the question must not score 100.
        fuzzy = max(
            fuzz.token_sort_ratio(text_norm, question_norm),
            fuzz.ratio(text_norm, question_norm),
        )
        text_topics = topics(words)
        shared = text_topics & entry.topics
        coverage_sum = 0.0
        explained = 0
        for word in words:
            in_question = _word_similarity(word, entry.question_words)
            in_answer = _word_similarity(word, entry.answer_words) * 0.85
            best = max(in_question, in_answer)
            coverage_sum += best if best >= 80.0 else 0.0
            if best >= 80.0 or word_topics(word) & shared:
                explained += 1
        coverage = coverage_sum / len(words)
        explained_share = explained / len(words)
        topic_score = 0.0
        if shared:
            # The entry's topics must all be asked about: "¿cuánto cuesta la torta?" is not
            # answered by "¿Cuánto cuesta el envío?" (price shared, delivery not asked).
            base = 80.0 if entry.topics <= text_topics else 50.0
            topic_score = base + 15.0 * explained_share
        return max(fuzzy, coverage, topic_score), coverage + fuzzy / 100.0


def _prepare(entry: FaqEntry) -> _Prepared:
    question_words = tuple(content_words(entry.question))
    return _Prepared(
        entry=entry,
        question_words=question_words,
        answer_words=tuple(content_words(entry.answer)),
        topics=topics(question_words),
    )
