"""What the enterprise completes (表5–表10 of the configured set), checked: every problem at once, each
naming the table, the row and the field, and nothing kept when one is found.

Entries are ``{table id: [row, ...]}`` with each row ``{field name: value}`` as typed in a form, a CSV
cell or a JSON document (numbers may come as text: "1 200.5" is read, "abc" is not). A single-row table
takes its first row only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from carbonpeak.energy_report.config import Field, FormSet, TableSpec

MAX_ROWS = 200
MAX_TEXT = 4000


@dataclass(frozen=True)
class Problem:
    table: TableSpec
    row: int  # 1-based
    field: Field | None
    code: str  # energy_report.entry.<what>
    value: str = ""

    def params(self, lang: str) -> dict[str, Any]:
        return {
            "table": self.table.heading(lang),
            "row": self.row,
            "field": (self.field.label.get(lang) or self.field.label["zh"]) if self.field else "",
            "value": self.value,
            "minimum": _plain(self.field.minimum) if self.field and self.field.minimum is not None else "",
        }


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _number(text: Any) -> float | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if math.isfinite(float(text)) else None
    try:
        value = float(str(text).replace(",", "").replace(" ", "").replace("\u3000", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check(forms: FormSet, entries: Any) -> tuple[dict[str, list[dict[str, Any]]], list[Problem]]:
    """The entries cleaned (numbers as numbers, text stripped, blank rows dropped) and the problems."""
    problems: list[Problem] = []
    clean: dict[str, list[dict[str, Any]]] = {}
    given = entries if isinstance(entries, dict) else {}
    for table in forms.enterprise_tables():
        rows = given.get(table.id) or []
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list):
            rows = []
        if not table.many:
            rows = rows[:1]
        if len(rows) > MAX_ROWS:
            problems.append(Problem(table, MAX_ROWS + 1, None, "energy_report.entry.too_many_rows", str(len(rows))))
            rows = rows[:MAX_ROWS]
        kept: list[dict[str, Any]] = []
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, dict) or all(_blank(row.get(f.name)) for f in table.fields):
                continue
            out: dict[str, Any] = {}
            for f in table.fields:
                value = row.get(f.name)
                if _blank(value):
                    if f.required:
                        problems.append(Problem(table, n, f, "energy_report.entry.required"))
                    continue
                if f.type == "number":
                    number = _number(value)
                    if number is None:
                        problems.append(Problem(table, n, f, "energy_report.entry.not_a_number", str(value)[:60]))
                    elif f.minimum is not None and number < f.minimum:
                        problems.append(Problem(table, n, f, "energy_report.entry.below_minimum", _plain(number)))
                    elif f.integer and not number.is_integer():
                        problems.append(Problem(table, n, f, "energy_report.entry.not_whole", _plain(number)))
                    else:
                        out[f.name] = int(number) if f.integer else number
                else:
                    text = str(value).strip()
                    if len(text) > MAX_TEXT:
                        problems.append(Problem(table, n, f, "energy_report.entry.too_long", str(len(text))))
                    else:
                        out[f.name] = text
            kept.append(out)
        if kept:
            clean[table.id] = kept
    return clean, problems


@dataclass(frozen=True)
class Unreadable:
    """A CSV line that names no table or field of the form set (or no row number)."""

    line: int  # 1-based, the header is line 1
    what: str  # table, field, row
    given: str


def from_rows(forms: FormSet, lines: list[dict[str, str]]) -> tuple[dict[str, list[dict[str, str]]], list[Unreadable]]:
    """Entries from a long table (CSV): one value per line with columns ``table`` (t8 or 表8), ``row`` (1, 2,
    ...), ``field`` (its name or its Chinese label) and ``value``. Lines that name nothing known are listed,
    all of them; the values are checked afterwards like a form's (:func:`check`)."""
    tables = {t.id: t for t in forms.enterprise_tables()} | {t.number: t for t in forms.enterprise_tables()}
    rows: dict[str, dict[int, dict[str, str]]] = {}
    bad: list[Unreadable] = []
    for n, line in enumerate(lines, start=2):
        table = tables.get((line.get("table") or "").strip())
        if table is None:
            bad.append(Unreadable(n, "table", (line.get("table") or "")[:40]))
            continue
        names = {f.name: f.name for f in table.fields} | {f.label["zh"]: f.name for f in table.fields}
        name = names.get((line.get("field") or "").strip())
        if name is None:
            bad.append(Unreadable(n, "field", (line.get("field") or "")[:40]))
            continue
        try:
            row = int(str(line.get("row") or "1").strip())
        except ValueError:
            row = 0
        if not 1 <= row <= MAX_ROWS:
            bad.append(Unreadable(n, "row", str(line.get("row"))[:20]))
            continue
        rows.setdefault(table.id, {}).setdefault(row, {})[name] = line.get("value") or ""
    entries = {t: [by.get(r, {}) for r in range(1, max(by) + 1)] for t, by in rows.items()}
    return entries, bad
