"""The rows of the pollutant ledger, checked: one facility-month each, with t SO2, NOx and particulates.

Every problem of every row is found at once and named by file, row and field (coded errors
``pollutants.*``). The figures are *reported* tonnages (the pollutant-discharge-permit execution report,
continuous emission monitoring (CEMS), or a manual estimate the enterprise made and says so): nothing here,
or anywhere in the platform, estimates a pollutant from an emission factor.

The plausibility gate compares a figure with the facility's own history (:func:`unusual`): its
``GATE_RATIO`` and history lengths are the platform's screening choice, not a standard's (no official
threshold for monthly pollutant tonnages was found: see docs/synergy.md). A figure the gate finds unusual
is refused unless the row carries a note explaining it; then it is saved and the note kept.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from carbonpeak.errors import InputError

POLLUTANTS = ("so2_t", "nox_t", "pm_t")
# Where a figure comes from: the enterprise chooses among the first three; "demo" only the demonstration loader.
SOURCES = ("permit_report", "cems", "manual_estimate")
DEMO_SOURCE = "demo"
ALL_SOURCES = (*SOURCES, DEMO_SOURCE)
SOURCE_NAMES = {
    "permit_report": ("排污许可执行报告", "pollutant-discharge-permit execution report"),
    "cems": ("自动监测", "continuous emission monitoring (CEMS)"),
    "manual_estimate": ("手工估算", "manual estimate"),
    "demo": ("演示数据（虚构）", "demonstration data (made up)"),
}
POLLUTANT_NAMES = {
    "so2_t": ("二氧化硫", "SO2"),
    "nox_t": ("氮氧化物", "NOx"),
    "pm_t": ("颗粒物", "particulates"),
}
FIELDS = ("facility_id", "period", *POLLUTANTS, "source", "note", "reason")
# Column headings a file may use for each field (the field name, or its label in either language).
HEADINGS: dict[str, tuple[str, ...]] = {
    "facility_id": ("facility_id", "facility", "设施编码", "设施", "facility code"),
    "period": ("period", "month", "月份", "期间"),
    "so2_t": ("so2_t", "so2", "二氧化硫", "二氧化硫（t）", "二氧化硫(t)", "so2 (t)"),
    "nox_t": ("nox_t", "nox", "氮氧化物", "氮氧化物（t）", "氮氧化物(t)", "nox (t)"),
    "pm_t": ("pm_t", "pm", "particulates", "颗粒物", "颗粒物（t）", "颗粒物(t)", "particulates (t)"),
    "source": ("source", "数据来源", "来源"),
    "note": ("note", "备注", "说明"),
    "reason": ("reason", "更正原因", "原因"),
}
MAX_TEXT = 2000  # characters of a note or a reason
MAX_TONNES = 1e7  # t a month: more than any smelter's month, a typing slip (a unit, not a plausibility rule)

# The plausibility gate (the platform's screening choice; no official threshold was found).
GATE_RATIO = 10.0  # a figure above this multiple of the facility's own median is unusual
GATE_MIN_HISTORY = 3  # months of history needed before the gate judges
GATE_HISTORY = 12  # the latest months of history the median is taken over
GATE_SOURCE = "carbonpeak screening choice (2026-12-07); no official threshold found, see docs/synergy.md"

_PERIOD = re.compile(r"^(19[9][0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Entry:
    """One checked row: a facility-month's reported tonnages. [t]"""

    facility: str
    period: str
    so2_t: float
    nox_t: float
    pm_t: float
    source: str
    note: str | None
    reason: str | None
    row: int | None = None

    def values(self) -> dict[str, float]:
        return {"so2_t": self.so2_t, "nox_t": self.nox_t, "pm_t": self.pm_t}


def heading_field(text: Any) -> str | None:
    """The field a column heading names (case, spaces and a trailing ``*`` ignored), or None."""
    key = str(text or "").strip().rstrip("*").strip().casefold()
    for name, names in HEADINGS.items():
        if key in {n.casefold() for n in names}:
            return name
    return None


def source_code(text: Any) -> str | None:
    """The source's code from its code or its name in either language (None: not one of the vocabulary)."""
    key = str(text or "").strip().casefold()
    for code, (zh, en) in SOURCE_NAMES.items():
        if key in {code, zh.casefold(), en.casefold()}:
            return code
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def check(
    rows: Iterable[tuple[int | None, Mapping[str, Any]]],
    *,
    today: dt.date,
    file: str | None = None,
    allow_demo: bool = False,
) -> tuple[list[Entry], list[InputError]]:
    """Every row checked: the entries of the rows that pass, and every problem of those that do not."""
    entries: list[Entry] = []
    errors: list[InputError] = []
    seen: dict[tuple[str, str], int | None] = {}
    this_month = f"{today.year:04d}-{today.month:02d}"
    sources = ALL_SOURCES if allow_demo else SOURCES
    for row, data in rows:

        def problem(code: str, field: str, value: Any = None, row: int | None = row, **params: Any) -> None:
            errors.append(InputError(code=code, file=file, row=row, field=field, value=value, **params))

        unknown = sorted(str(k) for k in data if k not in FIELDS)
        for name in unknown:
            problem("pollutants.unknown_field", name)
        before = len(errors)
        facility = _text(data.get("facility_id"))
        if facility is None:
            problem("pollutants.required", "facility_id")
        period = _text(data.get("period"))
        if period is None:
            problem("pollutants.required", "period")
        elif not _PERIOD.match(period):
            problem("pollutants.bad_period", "period", period)
        elif period > this_month:
            problem("pollutants.future_month", "period", period, month=this_month)
        values: dict[str, float] = {}
        for name in POLLUTANTS:
            raw = data.get(name)
            if raw is None or str(raw).strip() == "":
                problem("pollutants.required", name)
                continue
            number = _number(raw)
            if number is None or not math.isfinite(number):
                problem("pollutants.not_a_number", name, raw)
            elif number < 0:
                problem("pollutants.negative", name, raw)
            elif number > MAX_TONNES:
                problem("pollutants.too_large", name, raw, limit=f"{MAX_TONNES:,.0f}")
            else:
                values[name] = number
        raw_source = data.get("source")
        source = source_code(raw_source)
        if _text(raw_source) is None:
            problem("pollutants.required", "source")
        elif source not in sources:
            problem(
                "pollutants.bad_source", "source", raw_source, choices="、".join(SOURCE_NAMES[s][0] for s in SOURCES)
            )
        note, reason = _text(data.get("note")), _text(data.get("reason"))
        for name, text in (("note", note), ("reason", reason)):
            if text is not None and len(text) > MAX_TEXT:
                problem("pollutants.too_long", name, limit=MAX_TEXT)
        if facility and period and _PERIOD.match(period):
            key = (facility, period)
            if key in seen:
                problem("pollutants.duplicate_month", "period", period, facility=facility, first=seen[key] or "—")
            else:
                seen[key] = row
        if len(errors) == before and facility and period and source:
            entries.append(
                Entry(facility, period, values["so2_t"], values["nox_t"], values["pm_t"], source, note, reason, row)
            )
    return entries, errors


def unusual(value: float, history: Sequence[float]) -> float | None:
    """The facility's own median the figure is compared with, when the figure is unusual against it
    (above ``GATE_RATIO`` times the median of its latest ``GATE_HISTORY`` months, with at least
    ``GATE_MIN_HISTORY`` of them and a median above zero); None when it is not unusual or cannot be judged."""
    recent = list(history)[-GATE_HISTORY:]
    if len(recent) < GATE_MIN_HISTORY:
        return None
    middle = float(median(recent))
    if middle <= 0:
        return None
    return middle if value > GATE_RATIO * middle else None


def gate(entry: Entry, history: Mapping[str, Sequence[float]], *, file: str | None = None) -> list[InputError]:
    """The unusual figures of an entry (``pollutants.implausible`` per pollutant), given the facility's
    earlier months per pollutant (oldest first). Empty when the entry carries a note: an explained figure
    passes (the note is kept with the version)."""
    if entry.note:
        return []
    out = []
    for name, value in entry.values().items():
        middle = unusual(value, history.get(name, ()))
        if middle is not None:
            out.append(
                InputError(
                    code="pollutants.implausible",
                    file=file,
                    row=entry.row,
                    record=f"{entry.facility}@{entry.period}",
                    field=name,
                    value=f"{value:g}",
                    median=f"{middle:g}",
                    ratio=f"{GATE_RATIO:g}",
                )
            )
    return out
