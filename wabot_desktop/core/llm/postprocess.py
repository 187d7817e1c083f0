"""Turn raw model output into text fit for a WhatsApp message.

Small local models often answer in Markdown, prefix a role label ("Asistente:"), echo parts of
the system prompt, or keep writing the customer's next turn. ``clean_reply`` removes all of that;
an empty result means "no usable answer" and the caller falls back (FAQ or handoff).
"""

from __future__ import annotations

import re

from wabot_desktop.core.llm.prompt import FACTS_HEADINGS
from wabot_desktop.core.textutil import WHATSAPP_TEXT_LIMIT, split_message

# Placeholders for bold while single-star italics are rewritten (never in model output).
_BOLD_OPEN = "\x02"
_BOLD_CLOSE = "\x03"

_FENCE_RE = re.compile(r"^\s*(```|~~~)[\w+#.-]*\s*$")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_RULE_RE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_BULLET_RE = re.compile(r"^(\s*)[*+•]\s+")
_TABLE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_SEPARATOR_CELL_RE = re.compile(r"^\s*:?-{1,}:?\s*$")
_IMAGE_RE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK_RE = re.compile(r"\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_BOLD_ITALIC_RE = re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*")
_BOLD_STAR_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_BOLD_UNDERSCORE_RE = re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_ITALIC_STAR_RE = re.compile(r"(?<![*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])")
_STRIKE_RE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MANY_BLANKS_RE = re.compile(r"\n{3,}")

_THINK_RE = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_LABEL_RE = re.compile(
    r"^\s*(?:\[(?:respuesta del personal|staff reply)\]\s*"
    r"|[*_]{0,2}(?:asistente(?: virtual)?|assistant|bot|ia|ai|respuesta|response)[*_]{0,2}"
    r"\s*:\s*[*_]{0,2}(?:\s+|$))",
    re.IGNORECASE,
)
# A line where the model starts writing the customer's side of the chat.
_OTHER_SPEAKER_RE = re.compile(
    r"^\s*[*_]{0,2}(?:cliente|usuario|customer|user|humano|human)[*_]{0,2}\s*:", re.IGNORECASE
)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+")
_ECHO_STRIP_RE = re.compile(r"[*_#>«»\"“”`]")
_WS_RE = re.compile(r"\s+")

ECHO_MIN_CHARS = 40


def _strip_emphasis(text: str) -> str:
    return re.sub(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)", "", text).strip()


def _split_cells(row: str) -> list[str]:
    inner = row.strip()[1:-1]
    return [cell.strip() for cell in inner.split("|")]


def _convert_table(rows: list[str]) -> list[str]:
    table = [_split_cells(row) for row in rows]
    header: list[str] | None = None
    if len(table) >= 2 and all(_TABLE_SEPARATOR_CELL_RE.match(c) for c in table[1] if c):
        header = table[0]
        table = table[2:]
    table = [r for r in table if not all(_TABLE_SEPARATOR_CELL_RE.match(c) or not c for c in r)]
    out: list[str] = []
    width = max([len(header or [])] + [len(r) for r in table])
    if header and width > 2 and any(header):
        out.append(_BOLD_OPEN + " — ".join(c for c in header if c) + _BOLD_CLOSE)
    for row in table:
        cells = [c for c in row if c]
        if not cells:
            continue
        if len(cells) == 2:
            out.append(f"- {cells[0]}: {cells[1]}")
        else:
            out.append("- " + " — ".join(cells))
    return out


def _convert_blocks(lines: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _TABLE_ROW_RE.match(line):
            end = index
            while end < len(lines) and _TABLE_ROW_RE.match(lines[end]):
                end += 1
            out.extend(_convert_table(lines[index:end]))
            index = end
            continue
        index += 1
        if _FENCE_RE.match(line) or _RULE_RE.match(line):
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            title = _strip_emphasis(heading.group(1))
            if title:
                out.append(_BOLD_OPEN + title + _BOLD_CLOSE)
            continue
        out.append(_BULLET_RE.sub(r"\1- ", line))
    return out


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1).strip(), match.group(2)
    bare = re.sub(r"^(?:https?://|mailto:)", "", url).rstrip("/")
    if not label or label in (url, bare):
        return url
    return f"{label} ({url})"


def to_whatsapp(text: str) -> str:
    """Rewrite Markdown as WhatsApp formatting.

    ``**b**``/``__b__`` -> ``*b*``; Markdown ``*i*`` -> ``_i_`` (``_i_`` stays); ``~~s~~`` ->
    ``~s~``; headings -> a bold line; tables -> "- a: b" lines; code fences and rules removed
    (content kept); ``[t](u)`` -> "t (u)"; bullets "* " -> "- "; at most one blank line in a row.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace(_BOLD_OPEN, "").replace(_BOLD_CLOSE, "")
    text = "\n".join(_convert_blocks(text.split("\n")))
    text = _IMAGE_RE.sub(_link, text)
    text = _LINK_RE.sub(_link, text)
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = _BOLD_ITALIC_RE.sub(_BOLD_OPEN + r"_\1_" + _BOLD_CLOSE, text)
    text = _BOLD_STAR_RE.sub(_BOLD_OPEN + r"\1" + _BOLD_CLOSE, text)
    text = _BOLD_UNDERSCORE_RE.sub(_BOLD_OPEN + r"\1" + _BOLD_CLOSE, text)
    text = _ITALIC_STAR_RE.sub(r"_\1_", text)
    text = _STRIKE_RE.sub(r"~\1~", text)
    text = text.replace(_BOLD_OPEN, "*").replace(_BOLD_CLOSE, "*")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _MANY_BLANKS_RE.sub("\n\n", text).strip()


def _normalize_for_echo(text: str) -> str:
    return _WS_RE.sub(" ", _ECHO_STRIP_RE.sub("", text)).strip().casefold()


def _instructions_only(system_prompt: str) -> str:
    # The facts block may be quoted on purpose ("Abrimos de 9 a 18"): only instructions count.
    cut = len(system_prompt)
    for heading in FACTS_HEADINGS:
        match = re.search(r"^" + re.escape(heading), system_prompt, re.MULTILINE)
        if match:
            cut = min(cut, match.start())
    return system_prompt[:cut]


def strip_reasoning(text: str) -> str:
    """Drop ``<think>…</think>`` blocks that reasoning models emit before the answer."""
    return _THINK_RE.sub("", text)


def strip_prompt_echo(text: str, system_prompt: str) -> str:
    """Remove role labels, echoed instructions and any invented next turn of the customer.

    A sentence (or line) of at least ``ECHO_MIN_CHARS`` characters that appears in the
    instructions part of ``system_prompt`` is dropped. Pass the rendered system message (or
    just its instructions); the business facts after the facts heading never count as an echo.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    while True:
        stripped = _LABEL_RE.sub("", text, count=1).lstrip()
        if stripped == text:
            break
        text = stripped
    prompt = _normalize_for_echo(_instructions_only(system_prompt))
    kept: list[str] = []
    for number, line in enumerate(text.split("\n")):
        if number > 0 and _OTHER_SPEAKER_RE.match(line):
            break
        if number > 0:
            line = _LABEL_RE.sub("", line, count=1)
        if prompt and len(line.strip()) >= ECHO_MIN_CHARS:
            line = _drop_echoed_sentences(line, prompt)
            if not line.strip():
                continue
        kept.append(line)
    return _MANY_BLANKS_RE.sub("\n\n", "\n".join(kept)).strip()


def _drop_echoed_sentences(line: str, prompt: str) -> str:
    whole = _normalize_for_echo(_BULLET_RE.sub("", line).lstrip("- "))
    if len(whole) >= ECHO_MIN_CHARS and whole in prompt:
        return ""
    sentences = _SENTENCE_SPLIT_RE.split(line)
    if len(sentences) == 1:
        return line
    kept = []
    for sentence in sentences:
        norm = _normalize_for_echo(sentence.lstrip("- "))
        if len(norm) >= ECHO_MIN_CHARS and norm in prompt:
            continue
        kept.append(sentence)
    return " ".join(kept)


def clean_reply(text: str, system_prompt: str) -> str:
    """Reasoning, labels and prompt echoes removed, Markdown converted; "" if nothing is left."""
    return to_whatsapp(strip_prompt_echo(strip_reasoning(text), system_prompt)).strip()


def split_reply(text: str, limit: int = WHATSAPP_TEXT_LIMIT) -> list[str]:
    """Parts of at most ``limit`` characters to send one after another (the caller paces them)."""
    return split_message(text, limit)
