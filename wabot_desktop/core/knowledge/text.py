"""Text folding for matching what customers type against the owner's lists."""

from __future__ import annotations

import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")
_PUNCT_RE = re.compile(r"[¿?¡!.,;:()\"'«»]")


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: "¿Abren?" -> "abren"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACE_RE.sub(" ", _PUNCT_RE.sub(" ", bare)).strip()
