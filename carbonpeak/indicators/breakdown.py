"""Where a region's figure comes from: the figure of a year (or a month) split by city, enterprise,
sector, facility or month, from the same counted facility-months the overview sums.

Pure functions over the facts table (:func:`carbonpeak.store.facts.facility_months`, the rows a
:class:`carbonpeak.indicators.definitions.Prepared` region keeps): the parts of an additive figure add
up to the region's figure exactly, because both are sums over the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError


@dataclass(frozen=True)
class Figure:
    """A figure of the overview: what it sums, in which canonical unit."""

    id: str
    unit: str
    columns: tuple[tuple[str, float], ...]  # (facts column, sign): the figure of a row is Σ sign × column
    additive: bool = True  # False: a stock (capacity), taken at each facility's last month, not summed over months

    def of_rows(self, rows: pd.DataFrame) -> np.ndarray:
        out = np.zeros(len(rows), dtype=float)
        for column, sign in self.columns:
            out += sign * rows[column].fillna(0.0).to_numpy(dtype=float)
        return out


# The same sums as indicators.definitions (emissions, energy: Σ of the result columns; electricity used:
# grid + captive + on-site renewables − exported, as renewable_share_electricity's denominator).
FIGURES: dict[str, Figure] = {
    f.id: f
    for f in [
        Figure("emissions_location_tco2e", "tCO2e", (("total_location_tco2e", 1.0),)),
        Figure("emissions_market_tco2e", "tCO2e", (("total_market_tco2e", 1.0),)),
        Figure("energy_tce", "tce", (("energy_tce", 1.0),)),
        Figure(
            "electricity_used_mwh",
            "MWh",
            (
                ("grid_electricity_mwh", 1.0),
                ("captive_electricity_mwh", 1.0),
                ("onsite_renewable_mwh", 1.0),
                ("exported_electricity_mwh", -1.0),
            ),
        ),
        Figure("output_t", "t", (("output_t", 1.0),)),
        Figure("capacity_t_per_a", "t/a", (("capacity_t_per_a", 1.0),), additive=False),
    ]
}

LEVELS = ("city", "enterprise", "sector", "facility", "month")
_KEY = {
    "city": "city_code",
    "enterprise": "enterprise_code",
    "sector": "sector",
    "facility": "facility_code",
    "month": "period",
}


def figure(figure_id: str) -> Figure:
    try:
        return FIGURES[figure_id]
    except KeyError:
        raise InputError(
            "unknown figure", field="figure", value=figure_id, expected="one of " + ", ".join(FIGURES)
        ) from None


@dataclass
class Part:
    key: str  # the city, enterprise, sector or facility code, or the month (YYYY-MM)
    value: float
    share: float | None  # of the total, in percent (None: the total is zero or not additive)
    facility_months: int
    facilities: int


@dataclass
class Breakdown:
    figure: Figure
    by: str
    total: float | None
    facility_months: int  # the counted facility-months behind the total
    facilities: int
    parts: list[Part] = field(default_factory=list)
    version_ids: list[int] = field(default_factory=list)  # submission versions behind the total

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure.id,
            "unit": self.figure.unit,
            "by": self.by,
            "total": self.total,
            "facility_months": self.facility_months,
            "facilities": self.facilities,
            "parts": [vars(p) for p in self.parts],
        }


def select(
    rows: pd.DataFrame,
    *,
    year: int,
    month: int | None = None,
    sector: str | None = None,
    city: str | None = None,
    enterprise: str | None = None,
    facility: str | None = None,
) -> pd.DataFrame:
    """The counted facility-months of a year (or one month of it) narrowed to a sector, city, enterprise
    or facility. Only months with a result count (as in the overview's sums)."""
    keep = rows["year"].to_numpy() == year
    if "has_result" in rows:
        keep &= rows["has_result"].to_numpy(dtype=bool)
    if month is not None:
        keep &= rows["period"].to_numpy() == f"{year:04d}-{month:02d}"
    for column, value in (
        ("sector", sector),
        ("city_code", city),
        ("enterprise_code", enterprise),
        ("facility_code", facility),
    ):
        if value:
            keep &= rows[column].to_numpy() == value
    return rows[keep]


def _stock(rows: pd.DataFrame, chosen: Figure) -> pd.DataFrame:
    """A stock's value per facility: the value in force in its last counted month of the rows."""
    last = rows.sort_values("period").groupby("facility_code", sort=False).tail(1)
    return last.assign(_value=chosen.of_rows(last))


def breakdown(rows: pd.DataFrame, figure_id: str, by: str) -> Breakdown:
    """The figure over ``rows`` (already :func:`select`-ed) and its parts by ``by`` (a level of
    :data:`LEVELS`), largest first (months in calendar order).

    For an additive figure the parts sum to the total. A stock (capacity) is each facility's value in
    its last month; by month, each part is the stock in force that month (months do not add up)."""
    if by not in LEVELS:
        raise InputError("unknown level", field="by", value=by, expected="one of " + ", ".join(LEVELS))
    chosen = figure(figure_id)
    key = _KEY[by]
    counted = len(rows)
    facilities = int(rows["facility_code"].nunique()) if counted else 0
    versions = sorted(int(v) for v in rows["version_id"]) if "version_id" in rows else []
    if not counted:
        return Breakdown(chosen, by, None, 0, 0, [], versions)
    valued = rows.assign(_value=chosen.of_rows(rows)) if chosen.additive or by == "month" else _stock(rows, chosen)
    total = float(chosen.of_rows(rows).sum()) if chosen.additive else float(_stock(rows, chosen)["_value"].sum())
    months = rows.groupby(key, sort=False).size()
    grouped = valued.groupby(key, sort=False).agg(value=("_value", "sum"), facilities=("facility_code", "nunique"))
    shares = bool(total) and (chosen.additive or by != "month")
    parts = [
        Part(
            key=str(code),
            value=float(value),
            share=(float(value) / total * 100.0) if shares else None,
            facility_months=int(months.get(code, 0)),
            facilities=int(count),
        )
        for code, value, count in zip(grouped.index, grouped["value"], grouped["facilities"], strict=True)
    ]
    if by == "month":
        parts.sort(key=lambda p: p.key)
    else:
        parts.sort(key=lambda p: (-p.value, p.key))
    return Breakdown(chosen, by, total, counted, facilities, parts, versions)


def total(rows: pd.DataFrame, figure_id: str) -> float | None:
    """The figure over ``rows`` (already :func:`select`-ed); None when no month counts. The same as
    :func:`breakdown`'s total, without its parts."""
    if rows.empty:
        return None
    chosen = figure(figure_id)
    return float(chosen.of_rows(rows).sum()) if chosen.additive else float(_stock(rows, chosen)["_value"].sum())
