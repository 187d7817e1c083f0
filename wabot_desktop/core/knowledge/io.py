"""Import and export the FAQ and the price list as CSV or Excel (.xlsx).

The kind of file is told by its header row (Spanish or English column names). A file with any
bad row imports nothing: every bad row is reported by its line number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from wabot_desktop.core.knowledge.model import FaqItem, Knowledge, PriceItem
from wabot_desktop.core.knowledge.money import parse_number
from wabot_desktop.core.knowledge.text import fold

Kind = Literal["faq", "prices"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("producto", "product", "nombre", "name", "articulo", "item"),
    "price": ("precio", "price", "valor", "importe"),
    "variants": ("variantes", "variante", "variants", "variant", "presentacion", "talle", "size"),
    "currency": ("moneda", "currency", "divisa"),
    "available": ("disponible", "available", "stock", "hay"),
    "question": ("pregunta", "question", "preguntas"),
    "answer": ("respuesta", "answer", "respuestas"),
    "enabled": ("activa", "activo", "enabled", "on"),
    "direct": ("directa", "respuesta directa", "direct", "direct answer"),
}
_YES = {"si", "sí", "s", "yes", "y", "1", "true", "verdadero", "x"}
_NO = {"no", "n", "0", "false", "falso"}
EXPORT_HEADERS: dict[Kind, tuple[str, ...]] = {
    "faq": ("pregunta", "respuesta", "activa", "directa"),
    "prices": ("producto", "variantes", "precio", "moneda", "disponible"),
}


class UnreadableFileError(Exception):
    """Not a CSV/.xlsx file, or no header row this importer knows."""


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: Kind
    faq: tuple[FaqItem, ...] = ()
    prices: tuple[PriceItem, ...] = ()
    bad_rows: tuple[BadRow, ...] = field(default_factory=tuple)

    @property
    def count(self) -> int:
        return len(self.faq) if self.kind == "faq" else len(self.prices)


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [
                ["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
            workbook.close()
            return rows
        if suffix in (".csv", ".txt"):
            raw = path.read_bytes()
            text = raw.decode("utf-8-sig") if _utf8(raw) else raw.decode("cp1252")
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                    text[:4096], delimiters=",;\t"
                )
            except csv.Error:
                dialect = csv.excel
            return [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    except (OSError, ValueError, KeyError, csv.Error) as exc:
        raise UnreadableFileError(str(exc)) from exc
    except Exception as exc:  # openpyxl raises its own errors for broken workbooks
        raise UnreadableFileError(f"{type(exc).__name__}: {exc}") from exc
    raise UnreadableFileError(f"unsupported file type: {suffix or path.name}")


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header_map(row: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        name = fold(cell)
        for column, aliases in COLUMNS.items():
            if name in aliases and column not in found:
                found[column] = index
    return found


def _flag(value: str, default: bool) -> bool | None:
    folded = fold(value)
    if not folded:
        return default
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def parse_rows(rows: list[list[str]]) -> ImportResult:
    """Tell the kind from the first non-empty row, then check every row."""
    start = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        raise UnreadableFileError("empty file")
    header = _header_map(rows[start])
    if "question" in header and "answer" in header:
        kind: Kind = "faq"
    elif "name" in header and "price" in header:
        kind = "prices"
    else:
        raise UnreadableFileError("header row not recognised")
    faq: list[FaqItem] = []
    prices: list[PriceItem] = []
    bad: list[BadRow] = []

    def cell(row: list[str], column: str) -> str:
        index = header.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(c.strip() for c in row):
            continue
        if kind == "faq":
            question, answer = cell(row, "question"), cell(row, "answer")
            enabled, direct = _flag(cell(row, "enabled"), True), _flag(cell(row, "direct"), False)
            if not question or not answer:
                bad.append(BadRow(offset, "falta la pregunta o la respuesta"))
            elif enabled is None or direct is None:
                bad.append(BadRow(offset, "usa sí/no en activa y directa"))
            else:
                faq.append(FaqItem(question, answer, enabled, direct))
            continue
        name, raw_price = cell(row, "name"), cell(row, "price")
        available = _flag(cell(row, "available"), True)
        if not name:
            bad.append(BadRow(offset, "falta el nombre del producto"))
            continue
        try:
            price = parse_number(raw_price.lstrip("$€£ ").replace("US", ""))
        except ValueError:
            bad.append(BadRow(offset, f"precio no válido: {raw_price!r}"))
            continue
        if price < 0:
            bad.append(BadRow(offset, f"precio negativo: {raw_price!r}"))
        elif available is None:
            bad.append(BadRow(offset, "usa sí/no en disponible"))
        else:
            prices.append(
                PriceItem(name, price, cell(row, "variants"), cell(row, "currency"), available)
            )
    if bad:
        return ImportResult(kind, bad_rows=tuple(bad))
    return ImportResult(kind, tuple(faq), tuple(prices))


def read_file(path: Path) -> ImportResult:
    """Parse ``path``; raises :class:`UnreadableFileError` for a file that is not a table."""
    return parse_rows(_read_rows(path))


def apply(knowledge: Knowledge, result: ImportResult) -> Knowledge:
    """The document with its FAQ or price list replaced; nothing changes if any row was bad."""
    if result.bad_rows:
        return knowledge
    if result.kind == "faq":
        return knowledge.replace(faq=result.faq)
    return knowledge.replace(prices=result.prices)


def _yes_no(value: bool) -> str:
    return "sí" if value else "no"


def export_rows(knowledge: Knowledge, kind: Kind) -> list[list[str]]:
    rows = [list(EXPORT_HEADERS[kind])]
    if kind == "faq":
        rows += [
            [f.question, f.answer, _yes_no(f.enabled), _yes_no(f.direct)] for f in knowledge.faq
        ]
    else:
        rows += [
            [p.name, p.variants, f"{p.price:g}", p.currency, _yes_no(p.available)]
            for p in knowledge.prices
        ]
    return rows


def write_file(knowledge: Knowledge, kind: Kind, path: Path) -> None:
    """Write the FAQ or the price list as .csv (UTF-8 with BOM, for Excel) or .xlsx."""
    rows = export_rows(knowledge, kind)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "FAQ" if kind == "faq" else "Precios"
        for row in rows:
            sheet.append(row)
        workbook.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def export_all(knowledge: Knowledge, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in (("faq", "faq"), ("prices", "precios")):
        for suffix in (".csv", ".xlsx"):
            path = directory / f"{name}{suffix}"
            write_file(knowledge, kind, path)  # type: ignore[arg-type]
            written.append(path)
    return written
