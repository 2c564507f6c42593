"""What the month form needs beyond the fields: the fields grouped in sections (产量 / 电力 / 燃料 / 阳极与过程 /
固废与污染物, the field table's ``section`` column), last month's values of the facility with the change from
them, and the unit-consumption indicators of the sector as their definition (``io/fields/unit_consumption.csv``),
which the form's script computes live as a person types: the same definition the accounting computes with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.accounting import ratios
from carbonpeak.io.template import Column
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store import repository as repo

# The order of the sections on the form; a field's section is its row's ``section`` in the field table.
SECTIONS = ("general", "production", "electricity", "fuel", "process", "environment", "notes")


@dataclass
class Section:
    code: str
    title: str
    columns: list[Column] = field(default_factory=list)


def sections(columns: list[Column], lang: str) -> list[Section]:
    """The form's columns in their sections, in the order of SECTIONS (a column of no known section last)."""
    found = {code: Section(code, messages.render(f"month_form.section.{code}", lang)) for code in SECTIONS}
    other = Section("other", messages.render("month_form.section.other", lang))
    for column in columns:
        found.get(column.section, other).columns.append(column)
    return [s for s in [*found.values(), other] if s.columns]


def record_values(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record as form values: fields by name, lines as fuel:/carbonate:/reductant: columns."""
    values = {k: v for k, v in record.items() if not isinstance(v, list | dict)}
    for line in record.get("fuels") or []:
        values[f"fuel:{line.get('fuel')}"] = line.get("amount")
    for line in record.get("carbonates") or []:
        values[f"carbonate:{line.get('carbonate')}"] = line.get("amount_t")
    for line in record.get("reductants") or []:
        values[f"reductant:{line.get('agent')}"] = line.get("amount_t")
    return values


def previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def change_pct(current: Any, last: Any) -> float | None:
    """The change from last month in percent, (current − last) / |last| × 100; None where either is missing
    or last month's value is 0. The form's script applies the same rule as a value is typed."""
    now, before = _number(current), _number(last)
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before) * 100.0


@dataclass(frozen=True)
class LastMonth:
    period: str
    values: dict[str, float]  # the numeric fields and lines of last month's latest version
    status: str | None  # that version's status (draft, submitted ...); None when the month was not reported


def last_month(session: Session, principal: Principal, facility_code: str, period: str) -> LastMonth:
    """The facility's month before ``period``, as last reported (its latest version)."""
    facility = access.get_facility(session, principal, facility_code, "submission.report")
    before = previous_month(period)
    versions = repo.versions_of(session, facility.code, before)
    if not versions:
        return LastMonth(before, {}, None)
    latest = versions[-1]
    numbers = {k: n for k, v in record_values(latest.record).items() if (n := _number(v)) is not None}
    return LastMonth(before, numbers, latest.status)


def formulas(sector: str, lang: str) -> list[dict[str, Any]]:
    """The sector's unit-consumption indicators as data, for the form's live figures."""
    return [r.as_data(lang) for r in ratios.of_sector(sector)]


def unit_consumption(sector: str, values: dict[str, Any]) -> dict[str, float | None]:
    """The sector's indicators of the given form values (what the form shows before a key is pressed)."""
    out: dict[str, float | None] = {}
    for ratio in ratios.of_sector(sector):
        names = [name for _sign, name in ratio.terms] + [ratio.denominator]
        columns = {name: [math.nan if (n := _number(values.get(name))) is None else n] for name in names}
        result = float(ratios.evaluate(ratio.indicator, columns)[0])
        out[ratio.indicator] = result if math.isfinite(result) else None
    return out
