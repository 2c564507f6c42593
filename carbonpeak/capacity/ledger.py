"""The capacity ledger read: approved capacity per facility on a day, the ledger per province and sector, a
facility's history. Pure functions over plain frames; the store (:mod:`carbonpeak.store.capacity`) reads the
frames and calls them.

Definitions
    *Approved capacity* of a facility on a day: the sum of its events effective on or before that day.
    *Operating capacity* on a day: the registry's ``capacity_t_per_a`` of each facility that is
    operating that day, meaning (a) commissioned (``commissioning_year`` not after the day's year; a
    facility without a commissioning year counts as commissioned), (b) not retired (no ``retired_on``
    on or before the day) and (c) not idle or retired by its registry status (a status ``idle`` or
    ``retired`` counts from ``status_since``; the registry keeps only the current status, so before
    ``status_since`` the facility is taken as operating). *Output over the last 12 months*: the counted
    facility-months (:func:`carbonpeak.store.facts.facility_months`) of the 12 calendar months
    ending with the day's month when the day is the last of its month, else with the month before.
    *Utilisation*: that output ÷ the mean operating capacity on the first day of each of those months.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.capacity.events import TOLERANCE_T, parse_date
from carbonpeak.errors import InputError


def approved_capacity(events: pd.DataFrame, on_date: dt.date | str, *, counterparts: bool = False) -> pd.DataFrame:
    """Approved capacity per facility on ``on_date``: the sum of its events effective on or before it.

    ``events`` has :data:`carbonpeak.capacity.events.EVENT_COLUMNS` (at least facility_code, counterpart,
    province, sector, effective_on, capacity_t_per_a). Facilities whose capacity has exited stay, with 0.
    Counterparts (sources outside the registry; only what they gave up is known) are left out unless
    ``counterparts`` is true. Columns: facility_code, counterpart, province, sector, approved_t_per_a,
    events, first_event_on, last_event_on.
    """
    columns = [
        "facility_code",
        "counterpart",
        "province",
        "sector",
        "approved_t_per_a",
        "events",
        "first_event_on",
        "last_event_on",
    ]
    day = pd.Timestamp(parse_date(on_date, field="on_date"))
    if events.empty:
        return pd.DataFrame(columns=columns)
    frame = events.copy()
    frame["_day"] = pd.to_datetime(frame["effective_on"])
    frame = frame[frame["_day"] <= day]
    frame["facility_code"] = frame["facility_code"].where(frame["facility_code"].notna(), None)
    if not counterparts:
        frame = frame[frame["facility_code"].notna()]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["_holder"] = frame["facility_code"].fillna("~" + frame["counterpart"].astype(str) + "@" + frame["province"])
    grouped = frame.groupby("_holder", sort=True).agg(
        facility_code=("facility_code", "first"),
        counterpart=("counterpart", "first"),
        province=("province", "first"),
        sector=("sector", "first"),
        approved_t_per_a=("capacity_t_per_a", "sum"),
        events=("capacity_t_per_a", "size"),
        first_event_on=("_day", "min"),
        last_event_on=("_day", "max"),
    )
    grouped["approved_t_per_a"] = grouped["approved_t_per_a"].where(
        grouped["approved_t_per_a"].abs() > TOLERANCE_T, 0.0
    )
    grouped["first_event_on"] = grouped["first_event_on"].dt.date
    grouped["last_event_on"] = grouped["last_event_on"].dt.date
    out = grouped.reset_index(drop=True)[columns]
    return out.sort_values(["province", "sector", "facility_code"], na_position="last").reset_index(drop=True)


def is_operating(facilities: pd.DataFrame, on_date: dt.date) -> np.ndarray:
    """Which registry facilities are operating on ``on_date`` (definition in the module docstring)."""
    day = pd.Timestamp(on_date)
    year = pd.to_numeric(facilities["commissioning_year"], errors="coerce")
    commissioned = year.isna() | (year <= on_date.year)
    retired_on = pd.to_datetime(facilities["retired_on"])
    not_retired = retired_on.isna() | (retired_on > day)
    since = pd.to_datetime(facilities["status_since"])
    stopped = facilities["status"].isin(["idle", "retired"]) & (since.isna() | (since <= day))
    operating: np.ndarray = (commissioned & not_retired & ~stopped).to_numpy(dtype=bool)
    return operating


def window_months(on_date: dt.date) -> list[str]:
    """The 12 calendar months (YYYY-MM) ending with ``on_date``'s month when it is the month's last day,
    else with the month before."""
    last_day = calendar.monthrange(on_date.year, on_date.month)[1]
    end = on_date.year * 12 + on_date.month - 1 - (0 if on_date.day == last_day else 1)
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(end - 11, end + 1)]


def ledger_table(events: pd.DataFrame, facilities: pd.DataFrame, facts: pd.DataFrame, on_date: dt.date) -> pd.DataFrame:
    """Per province and sector on ``on_date``: approved capacity (ledger), operating capacity (registry),
    approved minus operating, output over the last 12 months, the mean operating capacity of those
    months and utilisation (definitions in the module docstring).

    ``counted_facility_months`` (months with counted data in the window) against
    ``operating_facility_months`` (facility-months operating on the first day of each month) shows how
    complete the output is: a month not yet verified lowers the output and so the utilisation.

    ``facilities`` has :data:`carbonpeak.capacity.events.FACILITY_COLUMNS`; ``facts`` the columns
    facility_code, period, province_code, sector, output_t of :func:`carbonpeak.store.facts.facility_months`.
    """
    keys = ["province", "sector"]
    approved = approved_capacity(events, on_date)
    by_approved = approved.groupby(keys).agg(
        approved_t_per_a=("approved_t_per_a", "sum"),
        approved_facilities=("approved_t_per_a", lambda s: int((s > TOLERANCE_T).sum())),
    )
    capacity = pd.to_numeric(facilities["capacity_t_per_a"], errors="coerce").fillna(0.0)
    operating_now = is_operating(facilities, on_date)
    months = window_months(on_date)
    firsts = [dt.date(int(m[:4]), int(m[5:]), 1) for m in months]
    masks = [is_operating(facilities, d) for d in firsts]
    mean_operating = np.mean([np.where(mask, capacity, 0.0) for mask in masks], axis=0)
    registry = pd.DataFrame(
        {
            "province": facilities["province"],
            "sector": facilities["sector"],
            "operating_t_per_a": np.where(operating_now, capacity, 0.0),
            "operating_facilities": operating_now.astype(int),
            "mean_operating_t_per_a": mean_operating,
            "operating_facility_months": np.sum(masks, axis=0).astype(int),
        }
    )
    by_registry = registry.groupby(keys).sum()
    window = facts[facts["period"].isin(months)]
    output = pd.DataFrame(
        {
            "province": window["province_code"].to_numpy(dtype=object),
            "sector": window["sector"].to_numpy(dtype=object),
            "output_12m_t": pd.to_numeric(window["output_t"], errors="coerce").fillna(0.0).to_numpy(dtype=float),
            "counted_facility_months": np.ones(len(window), dtype=int),
        }
    )
    by_output = output.groupby(keys).sum()
    table = by_approved.join(by_registry, how="outer").join(by_output, how="outer").reset_index()
    for column in ("approved_t_per_a", "operating_t_per_a", "mean_operating_t_per_a", "output_12m_t"):
        table[column] = pd.to_numeric(table[column], errors="coerce").fillna(0.0).astype(float)
    for column in (
        "approved_facilities",
        "operating_facilities",
        "counted_facility_months",
        "operating_facility_months",
    ):
        table[column] = pd.to_numeric(table[column], errors="coerce").fillna(0).astype(int)
    table["approved_minus_operating_t_per_a"] = table["approved_t_per_a"] - table["operating_t_per_a"]
    mean = table["mean_operating_t_per_a"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["utilisation_pct"] = np.where(
            mean > 0, 100.0 * table["output_12m_t"].to_numpy(dtype=float) / mean, np.nan
        )
    table["window"] = f"{months[0]}..{months[-1]}"
    table["on_date"] = on_date
    columns = [
        "province",
        "sector",
        "approved_facilities",
        "approved_t_per_a",
        "operating_facilities",
        "operating_t_per_a",
        "approved_minus_operating_t_per_a",
        "output_12m_t",
        "counted_facility_months",
        "operating_facility_months",
        "mean_operating_t_per_a",
        "utilisation_pct",
        "window",
        "on_date",
    ]
    return table[columns].sort_values(keys).reset_index(drop=True)


def _holder(event: pd.Series) -> str:
    """A facility code, or 'counterpart@province' for a source outside the registry."""
    if isinstance(event["facility_code"], str) and event["facility_code"]:
        return event["facility_code"]
    return f"{event['counterpart']}@{event['province']}"


def history_table(events: pd.DataFrame, code: str, *, registered: bool) -> pd.DataFrame:
    """A facility's events (``registered``: ``code`` is a registry facility) or a counterpart's (by name),
    with the approved capacity after each one and the other members of its replacement group."""
    if registered:
        mine = events[events["facility_code"] == code]
    else:
        mine = events[events["counterpart"] == code]
        if mine.empty:
            raise InputError(code="capacity.unknown_holder", field="facility_code", value=code)
    mine = mine.copy()
    # A counterpart's approved capacity is not known (only what it gave up), so no running balance.
    mine["approved_after_t_per_a"] = mine["capacity_t_per_a"].cumsum() if registered else np.nan
    partners = []
    for _, row in mine.iterrows():
        group = row["replacement_group"]
        if not (isinstance(group, str) and group):
            partners.append("")
            continue
        others = events[(events["replacement_group"] == group) & (events["id"] != row["id"])]
        partners.append(", ".join(f"{_holder(r)} {r['capacity_t_per_a']:+,.0f}" for _, r in others.iterrows()))
    mine["replacement_partners"] = partners
    return mine.reset_index(drop=True)


def jsonable(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as JSON-ready dicts: NaN -> None, dates -> ISO text, NumPy scalars -> Python."""

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, float | np.floating):
            return None if math.isnan(value) else float(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, pd.Timestamp):
            return None if pd.isna(value) else value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if value is pd.NaT:
            return None
        return value

    return [{str(k): convert(v) for k, v in row.items()} for row in frame.to_dict("records")]
