"""The configured form set of the energy-utilisation report and the filing deadline per province.

The data live in ``form_set.yaml`` beside this module: the table numbers and titles of the only set found
(the Hebei 2008 filing manual), which tables the platform fills and which the enterprise completes, the
fields carbonpeak asks the enterprise for (labelled as carbonpeak's, not the manual's), and the deadlines
(none found). A province's own set is a different file of the same shape (:func:`load`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FORM_SET = Path(__file__).with_name("form_set.yaml")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # number or text
    label: dict[str, str]
    required: bool = False
    minimum: float | None = None
    integer: bool = False
    unit: str = ""


@dataclass(frozen=True)
class TableSpec:
    id: str
    number: str
    title: dict[str, str]
    filled_by: str  # platform or enterprise
    columns_source: str  # platform (the platform's figures) or carbonpeak (fields carbonpeak asks for)
    many: bool = False  # the enterprise enters several rows
    fields: tuple[Field, ...] = ()

    def heading(self, lang: str) -> str:
        return f"{self.number} {self.title.get(lang) or self.title['zh']}"


@dataclass(frozen=True)
class Deadline:
    month_day: str  # MM-DD of the year after the report year
    source: str

    def day(self, year: int) -> dt.date:
        month, day = self.month_day.split("-")
        return dt.date(year + 1, int(month), int(day))


@dataclass(frozen=True)
class FormSet:
    edition: str
    source: dict[str, Any]
    nbs_source: dict[str, Any]
    tables: tuple[TableSpec, ...]
    deadlines: dict[str, Deadline]
    deadline_note: str

    def table(self, table_id: str) -> TableSpec:
        return next(t for t in self.tables if t.id == table_id)

    def enterprise_tables(self) -> tuple[TableSpec, ...]:
        return tuple(t for t in self.tables if t.filled_by == "enterprise")


def _field(data: dict[str, Any]) -> Field:
    return Field(
        name=str(data["name"]),
        type=str(data["type"]),
        label=dict(data["label"]),
        required=bool(data.get("required", False)),
        minimum=float(data["min"]) if data.get("min") is not None else None,
        integer=bool(data.get("integer", False)),
        unit=str(data.get("unit", "")),
    )


def parse(data: dict[str, Any]) -> FormSet:
    tables = tuple(
        TableSpec(
            id=str(t["id"]),
            number=str(t["number"]),
            title=dict(t["title"]),
            filled_by=str(t["filled_by"]),
            columns_source=str(t["columns_source"]),
            many=t.get("rows") == "many",
            fields=tuple(_field(f) for f in t.get("fields", ())),
        )
        for t in data["tables"]
    )
    deadlines = {
        str(code): Deadline(str(d["month_day"]), str(d.get("source", "")))
        for code, d in (data.get("deadlines") or {}).items()
    }
    return FormSet(
        edition=str(data["edition"]),
        source=dict(data["source"]),
        nbs_source=dict(data["nbs_source"]),
        tables=tables,
        deadlines=deadlines,
        deadline_note=str(data.get("deadline_note", "")),
    )


@cache
def load(path: Path = FORM_SET) -> FormSet:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class DeadlineStatus:
    state: str  # not_configured, open, due_soon, overdue, filed, filed_late
    day: dt.date | None


def deadline_status(
    forms: FormSet, province: str | None, year: int, today: dt.date, submitted_on: dt.date | None
) -> DeadlineStatus:
    """Where the report of ``year`` stands against its province's configured deadline (30 days before it
    is *due soon*); without a configured deadline, *not configured* (never a guessed date)."""
    deadline = forms.deadlines.get(province or "")
    if deadline is None:
        return DeadlineStatus("not_configured", None)
    day = deadline.day(year)
    if submitted_on is not None:
        return DeadlineStatus("filed" if submitted_on <= day else "filed_late", day)
    if today > day:
        return DeadlineStatus("overdue", day)
    return DeadlineStatus("due_soon" if (day - today).days <= 30 else "open", day)
