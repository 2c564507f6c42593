"""Monthly trends, 同比 and 环比, and rankings of a region's figures, from the counted facility-months.

Pure functions over the facts table's rows of one region (with a result). 同比 compares a month with
the same month of the year before; 环比 with the month before (December of the year before for
January). A change is None where the earlier value is missing or zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.indicators.breakdown import figure


def _counted(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["has_result"].to_numpy(dtype=bool)] if "has_result" in rows else rows


def monthly(rows: pd.DataFrame, figure_id: str) -> pd.Series:
    """The figure of every month with counted data, indexed by period (YYYY-MM), in calendar order."""
    rows = _counted(rows)
    chosen = figure(figure_id)
    if rows.empty:
        return pd.Series(dtype=float, index=pd.Index([], name="period"))
    values = pd.Series(chosen.of_rows(rows), index=rows["period"].to_numpy())
    return values.groupby(level=0).sum().sort_index().rename_axis("period")


def _previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def change_pct(now: float | None, before: float | None) -> float | None:
    """The change from ``before`` to ``now`` in percent; None where either is missing or ``before`` is 0."""
    if now is None or before is None or before == 0 or np.isnan(before) or np.isnan(now):
        return None
    return (now / before - 1.0) * 100.0


_change = change_pct


def through_month_rows(rows: pd.DataFrame, last_month: int) -> pd.DataFrame:
    """The rows of months 1 to ``last_month`` of every year (the same months of the year before, for
    comparing a partial year); all rows for 12 or more, or 0 (no month known)."""
    if last_month >= 12 or last_month <= 0 or rows.empty:
        return rows
    return rows[rows["period"].str.slice(5, 7).astype(int).to_numpy() <= last_month]


@dataclass
class MonthChange:
    period: str
    value: float | None
    same_month_last_year: float | None
    yoy_pct: float | None  # 同比, %
    previous_month: float | None
    mom_pct: float | None  # 环比, %
    facility_months: int


def changes(rows: pd.DataFrame, figure_id: str, year: int) -> list[MonthChange]:
    """同比 and 环比 of every month of ``year`` with counted data."""
    series = monthly(rows, figure_id)
    counts = _counted(rows).groupby("period").size()
    out = []
    for period in [p for p in series.index if p.startswith(f"{year:04d}-")]:
        value = float(series[period])
        last_year = f"{year - 1:04d}-{period[5:7]}"
        before_year = float(series[last_year]) if last_year in series.index else None
        previous = _previous_month(period)
        before_month = float(series[previous]) if previous in series.index else None
        out.append(
            MonthChange(
                period,
                value,
                before_year,
                _change(value, before_year),
                before_month,
                _change(value, before_month),
                int(counts.get(period, 0)),
            )
        )
    return out


@dataclass
class Ranked:
    key: str  # an enterprise or facility code
    sector: str
    value: float
    reference: float | None = None  # what the value is compared with (the sector's figure, the year before)
    change: float | None = None  # value − reference (absolute) or value / reference (for a ratio), see the ranking
    pct: float | None = None  # the change in percent of the reference, where the ranking gives one

    def as_dict(self) -> dict[str, Any]:
        return vars(self)


def top_emitters(rows: pd.DataFrame, year: int, n: int = 10) -> list[Ranked]:
    """Enterprises by location-based emissions in ``year``, largest first (the sector: their largest)."""
    rows = _counted(rows)
    rows = rows[rows["year"] == year]
    if rows.empty:
        return []
    emissions = figure("emissions_location_tco2e").of_rows(rows)
    frame = rows.assign(_value=emissions)
    by_sector = frame.groupby(["enterprise_code", "sector"])["_value"].sum()
    main_sector = by_sector.groupby(level=0).idxmax().map(lambda pair: pair[1])
    totals = frame.groupby("enterprise_code")["_value"].sum().sort_values(ascending=False, kind="stable")
    return [Ranked(str(code), str(main_sector[code]), float(v)) for code, v in totals.head(n).items()]


def worst_unit_consumption(rows: pd.DataFrame, year: int, n: int = 10) -> list[Ranked]:
    """Facilities by energy per tonne of product in ``year`` (kgce/t) relative to their sector's (Σ energy
    × 1000 / Σ output over the sector's counted months), highest ratio first; ``change`` is the ratio.
    Facilities without output are left out (no unit consumption)."""
    rows = _counted(rows)
    rows = rows[rows["year"] == year]
    if rows.empty:
        return []
    sums = rows.groupby(["facility_code", "sector"])[["energy_tce", "output_t"]].sum(min_count=1).reset_index()
    sums = sums[(sums["output_t"] > 0) & sums["energy_tce"].notna()]
    if sums.empty:
        return []
    sector = sums.groupby("sector")[["energy_tce", "output_t"]].sum()
    sector_kgce = sector["energy_tce"] * 1000.0 / sector["output_t"]
    sums["kgce"] = sums["energy_tce"] * 1000.0 / sums["output_t"]
    sums["sector_kgce"] = sums["sector"].map(sector_kgce)
    sums["ratio"] = sums["kgce"] / sums["sector_kgce"]
    sums = sums.sort_values(["ratio", "facility_code"], ascending=[False, True], kind="stable").head(n)
    return [
        Ranked(str(r.facility_code), str(r.sector), float(r.kgce), float(r.sector_kgce), float(r.ratio))
        for r in sums.itertuples()
    ]


def largest_increase(rows: pd.DataFrame, year: int, last_month: int = 12, n: int = 10) -> list[Ranked]:
    """Enterprises by the increase of their location-based emissions over the same months (1 to
    ``last_month``) of the year before, largest increase first; only increases."""
    rows = _counted(rows)
    months = rows["period"].str.slice(5, 7).astype(int)
    rows = rows[rows["year"].isin([year, year - 1]) & (months <= last_month)]
    if rows.empty:
        return []
    frame = rows.assign(_value=figure("emissions_location_tco2e").of_rows(rows))
    table = frame.groupby(["enterprise_code", "year"])["_value"].sum().unstack("year")
    if year not in table or year - 1 not in table:
        return []
    main_sector = frame.groupby("enterprise_code")["sector"].agg(lambda s: s.value_counts().index[0])
    table = table.dropna(subset=[year, year - 1])
    table["increase"] = table[year] - table[year - 1]
    table = table[table["increase"] > 0].sort_values("increase", ascending=False, kind="stable").head(n)
    return [
        Ranked(
            str(code),
            str(main_sector[code]),
            float(r[year]),
            float(r[year - 1]),
            float(r["increase"]),
            change_pct(float(r[year]), float(r[year - 1])),
        )
        for code, r in table.iterrows()
    ]
