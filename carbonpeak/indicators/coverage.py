"""What an aggregate rests on, and which year it is about.

**Coverage.** Every figure a regulator reads (a total, a by-sector or by-city value, an indicator, the
benchmark board) sums facility-months. Its :class:`Coverage` says how many it counts and how many it
leaves out and why, so that a fall in emissions is never a fall in reports:

- *counted*: verified or locked (or submitted, when asked), without unresolved plausibility warnings,
  and with a result: summed into the figure;
- *held_out*: reported with plausibility warnings not yet resolved by verification (``Fact.held`` and
  not verified/locked): kept out of the figure;
- *waiting*: of a counted status but without a result (a parameter is not yet published): its energy and
  emissions are missing, never zero, so the month is left out of the figure;
- *unverified*: submitted and awaiting verification (when only verified months count);
- *missing*: expected and not reported: each month from a facility's first report to the last month
  whose report is due (to its retirement), with no report or only a draft or a returned version.

The months are a *month-states* table, one row per facility-month (``facility_code``, ``period``,
``year``, ``month``, ``sector``, the region codes, ``state``), made by
:func:`carbonpeak.store.facts.month_states` or by hand in tests. Everything here is a pure function of it.

**Partial years.** A year's figures span months 1 to the last month with a counted facility-month. When
that is before December the figures are a cumulative partial year (1–9月累计) and a comparison with the
year before takes the same months of that year (同比), never its whole. A year is **complete** on a day
when its December's report is past due (the due day of the following January has passed), none of its
facility-months is pending (held out, waiting or awaiting verification) and it has counted months; pages
and the CLI show the latest complete year unless asked for another (docs/methods/coverage.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.messages import Bilingual, CodedText, Message

STATES = ("counted", "held_out", "waiting", "unverified", "missing")
PENDING = ("held_out", "waiting", "unverified")  # states that resolve by themselves: a year with them is open

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Coverage:
    """How many facility-months an aggregate counts and leaves out, by reason."""

    counted: int = 0
    held_out: int = 0
    waiting: int = 0
    unverified: int = 0
    missing: int = 0

    @property
    def pending(self) -> int:
        """Months left out that will come in by themselves (verification, a parameter published)."""
        return self.held_out + self.waiting + self.unverified

    @property
    def left_out(self) -> int:
        return self.pending + self.missing

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(*(getattr(self, s) + getattr(other, s) for s in STATES))

    def as_dict(self) -> dict[str, int]:
        return {s: int(getattr(self, s)) for s in STATES}

    def message(self) -> Message:
        return Message("aggregates.coverage", **self.as_dict())

    def text(self, lang: str = "zh") -> str:
        return self.message().text(lang)

    @classmethod
    def of(cls, counts: Any) -> Coverage:
        """From a mapping (or a row of :func:`coverage_by`) holding the state counts; absent states are 0."""
        return cls(*(int(counts.get(s, 0) or 0) for s in STATES))


def coverage(states: pd.DataFrame, mask: Any = None) -> Coverage:
    """The coverage of the month-states rows (those of ``mask`` when given)."""
    column = states["state"] if mask is None else states.loc[mask, "state"]
    return Coverage.of(column.value_counts())


def coverage_by(states: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """State counts grouped by ``by`` (e.g. year and sector): one column per state, zeros filled."""
    if states.empty:
        index = pd.MultiIndex.from_tuples([], names=by) if len(by) > 1 else pd.Index([], name=by[0])
        return pd.DataFrame({s: pd.Series(dtype=int) for s in STATES}, index=index)
    counts = states.groupby([*by, "state"], sort=True).size().unstack("state", fill_value=0)
    return counts.reindex(columns=list(STATES), fill_value=0).astype(int)


def from_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """Month states known from a facts table alone: its months with a result are counted, those without
    wait (a facts table holds no held-out, unverified or missing months)."""
    has_result = facts["has_result"] if "has_result" in facts else facts["energy_tce"].notna()
    states = pd.DataFrame(
        {
            "facility_code": facts["facility_code"].to_numpy(),
            "period": facts["period"].to_numpy(),
            "year": facts["year"].to_numpy(dtype=int),
            "month": month_of(facts["period"]),
            "sector": facts["sector"].to_numpy(),
            "state": np.where(has_result.to_numpy(dtype=bool), "counted", "waiting"),
        }
    )
    for column in ("product", "province_code", "city_code", "park_code"):
        if column in facts:
            states[column] = facts[column].to_numpy()
    return states


def month_of(periods: pd.Series) -> np.ndarray:
    """The month number (1-12) of ``YYYY-MM`` periods (a year alone counts as December)."""
    text = periods.astype(str)
    month = pd.to_numeric(text.str.slice(5, 7), errors="coerce").fillna(12)
    return month.to_numpy(dtype=int)


# ---------------------------------------------------------------------------------- due months


def due_date(year: int, month: int, due_day: int) -> dt.date:
    """The day a month's report is due: ``due_day`` of the following month."""
    return dt.date(year + month // 12, month % 12 + 1, due_day)


def last_due_month(as_of: dt.date, due_day: int) -> tuple[int, int]:
    """(year, month) of the last month whose report is due on or before ``as_of`` (strictly past its due
    day, as the missing-report warnings count it)."""
    index = as_of.year * 12 + as_of.month - 1 - 1  # last month
    if as_of.day <= due_day:
        index -= 1
    return index // 12, index % 12 + 1


def expected_months(facilities: pd.DataFrame, as_of: dt.date, due_day: int) -> tuple[np.ndarray, np.ndarray]:
    """Every month a facility is expected to report: from its first reported month to the last month
    whose report is due (``as_of``), or to its retirement month. ``facilities`` has ``facility_id``,
    ``first`` (month index year×12 + month − 1) and ``retired`` (month index or NaN).

    Returns (facility ids, month indices), one entry per expected facility-month (column-wise)."""
    year, month = last_due_month(as_of, due_day)
    end = np.full(len(facilities), year * 12 + month - 1, dtype=np.int64)
    retired = pd.to_numeric(facilities["retired"], errors="coerce").to_numpy(dtype=float)
    end = np.where(np.isnan(retired), end, np.minimum(end, np.nan_to_num(retired, nan=0).astype(np.int64)))
    first = facilities["first"].to_numpy(dtype=np.int64)
    lengths = np.maximum(end - first + 1, 0)
    ids = np.repeat(facilities["facility_id"].to_numpy(dtype=np.int64), lengths)
    starts = np.repeat(first, lengths)
    offsets = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return ids, starts + offsets


# ------------------------------------------------------------------------------- partial years


@dataclass(frozen=True)
class YearPeriod:
    """The months a year's figures span and whether the year is complete."""

    year: int
    last_month: int  # the last month with a counted facility-month (0: none)
    partial: bool  # the figures stop before December while later months are due or left out: 1–9月累计
    complete: bool  # December past due, nothing pending, something counted
    pending: int = 0  # facility-months held out, waiting or awaiting verification

    def months_words(self) -> Bilingual:
        """The months of the figures as a person reads them: 1–9月 / Jan–Sep."""
        last = max(self.last_month, 1)
        zh = "1月" if last == 1 else f"1–{last}月"
        en = "Jan" if last == 1 else f"Jan–{_MONTHS_EN[last - 1]}"
        return Bilingual(zh, en)

    def label(self) -> CodedText:
        """2025年1–9月累计 / 2025 Jan–Sep cumulative; 2025年（数据未齐） for a full span not yet complete; 2025年."""
        if self.partial:
            return CodedText(Message("aggregates.period.partial", year=self.year, months=self.months_words()))
        if not self.complete and self.pending:
            return CodedText(Message("aggregates.period.not_final", year=self.year, pending=self.pending))
        return CodedText(Message("aggregates.period.year", year=self.year))

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        label = self.label()
        return {
            "year": self.year,
            "months": [1, self.last_month] if self.last_month else [],
            "partial": self.partial,
            "complete": self.complete,
            "label": label.text(lang),
            "label_zh": label.text("zh"),
        }


def last_counted_month(states: pd.DataFrame, year: int) -> int:
    """The last month of ``year`` with a counted facility-month (0 when none)."""
    mask = (states["year"].to_numpy() == year) & (states["state"].to_numpy() == "counted")
    months = states["month"].to_numpy()[mask]
    return int(months.max()) if months.size else 0


def year_period(states: pd.DataFrame, year: int, as_of: dt.date | None = None, due_day: int = 15) -> YearPeriod:
    """The span and completeness of ``year`` in the month-states rows (of one region).

    The figures are *partial* when their last counted month is before December and either a later month
    of the year is left out (held out, waiting, unverified, missing) or, on ``as_of``, December's report
    is not yet due. Without ``as_of`` the year is judged on the data alone (as if December were due): a
    region whose facilities all retired in June is not partial for lacking July."""
    in_year = states[states["year"].to_numpy() == year]
    counts = coverage(in_year)
    last = last_counted_month(in_year, year)
    closed = as_of is None or as_of > due_date(year, 12, due_day)
    later = (in_year["month"].to_numpy() > last) & (in_year["state"].to_numpy() != "counted")
    partial = 0 < last < 12 and (bool(later.any()) or not closed)
    return YearPeriod(year, last, partial, closed and counts.pending == 0 and counts.counted > 0, counts.pending)


def complete_years(states: pd.DataFrame, as_of: dt.date | None = None, due_day: int = 15) -> list[int]:
    """The complete years of the month-states rows, in order (see :func:`year_period`)."""
    years = sorted({int(y) for y in states.loc[states["state"] == "counted", "year"].unique()})
    return [y for y in years if year_period(states, y, as_of, due_day).complete]


def default_year(
    states: pd.DataFrame, as_of: dt.date | None = None, due_day: int = 15, *, fallback: int | None = None
) -> int:
    """The year pages and the CLI show unless asked: the latest complete year; else the latest year with a
    counted month (shown as partial); else ``fallback`` (else last calendar year)."""
    complete = complete_years(states, as_of, due_day)
    if complete:
        return complete[-1]
    counted = states.loc[states["state"] == "counted", "year"]
    if not counted.empty:
        return int(counted.max())
    return fallback if fallback is not None else (as_of or dt.date.today()).year - 1


def through_month(frame: pd.DataFrame, last_month: int) -> pd.DataFrame:
    """The rows (facts or month states, with ``period``) of months 1 to ``last_month`` of each year: the
    same months of every year, for a comparison with a partial year."""
    return frame[month_of(frame["period"]) <= last_month]


def select_rows(frame: pd.DataFrame, region: str | None, clusters: dict[str, list[str]]) -> pd.DataFrame | None:
    """Rows of a province, city, park or cluster (by code); None when no row belongs to ``region``."""
    if region is None:
        return frame
    if region in clusters:
        return frame[frame["city_code"].isin(clusters[region])]
    for column in ("province_code", "city_code", "park_code"):
        if column in frame and (frame[column] == region).any():
            return frame[frame[column] == region]
    return None


def restrict_sectors(states: pd.DataFrame, sectors: Iterable[str] | None) -> pd.DataFrame:
    return states if sectors is None else states[states["sector"].isin(list(sectors))]
