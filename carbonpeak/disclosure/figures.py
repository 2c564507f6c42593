"""The disclosed emission figures, summed from stored results (one row per counted facility-month).

Scope 1 is the results' direct emissions (fuel combustion, process, PFC); scope 2 is what the results add
for purchased electricity and heat: ``total_location - direct`` (location-based) and ``total_market -
direct`` (market-based), the same columns every other report sums. The source types follow the SZSE
draft's breakdown (combustion, process, electricity, heat, steam): the results keep fuel, process, PFC,
electricity (location and market) and heat; steam is not kept apart from heat, and PFC (CF4, C2F6, in
CO2e) is a process emission of electrolysis, shown on its own row."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# source type -> the result column its emissions are in (t CO2 or t CO2e); scope 1 or 2
SOURCES: tuple[tuple[str, str, int], ...] = (
    ("combustion", "fuel_tco2", 1),
    ("process", "process_tco2", 1),
    ("pfc", "pfc_tco2e", 1),
    ("electricity_location", "electricity_location_tco2", 2),
    ("electricity_market", "electricity_market_tco2", 2),
    ("heat", "heat_tco2", 2),
)


@dataclass(frozen=True)
class Totals:
    """One year's (or one facility's year's) disclosed figures, t CO2e; None where nothing was counted."""

    scope1: float | None
    scope2_location: float | None
    scope2_market: float | None
    total_location: float | None
    total_market: float | None
    facility_months: int


def _sum(rows: pd.DataFrame, column: str) -> float | None:
    if rows.empty or column not in rows:
        return None
    values = pd.to_numeric(rows[column], errors="coerce").dropna()
    return float(values.sum()) if len(values) else None


def _counted(rows: pd.DataFrame) -> pd.DataFrame:
    """Months with a result (a month waiting for a parameter has none and is left out, not counted as 0)."""
    if rows.empty:
        return rows
    return rows[rows["has_result"].astype(bool)] if "has_result" in rows else rows


def totals(rows: pd.DataFrame) -> Totals:
    rows = _counted(rows)
    direct = _sum(rows, "direct_tco2e")
    location = _sum(rows, "total_location_tco2e")
    market = _sum(rows, "total_market_tco2e")
    return Totals(
        scope1=direct,
        scope2_location=None if location is None or direct is None else location - direct,
        scope2_market=None if market is None or direct is None else market - direct,
        total_location=location,
        total_market=market,
        facility_months=len(rows),
    )


def of_year(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    return rows[rows["year"] == year] if not rows.empty else rows


def by_facility(rows: pd.DataFrame) -> dict[str, Totals]:
    """Per facility code, its totals (facilities in code order)."""
    rows = _counted(rows)
    if rows.empty:
        return {}
    return {str(code): totals(group) for code, group in rows.groupby("facility_code", sort=True)}


def by_source(rows: pd.DataFrame) -> list[tuple[str, int, float | None]]:
    """(source type, scope, t CO2e) for each source type of :data:`SOURCES` (``rows`` carries the
    result columns)."""
    rows = _counted(rows)
    return [(name, scope, _sum(rows, column)) for name, column, scope in SOURCES]


@dataclass(frozen=True)
class Change:
    """Year on year: the reduction (last year minus this year; negative is an increase) and its share."""

    this_year: float | None
    last_year: float | None

    @property
    def reduction(self) -> float | None:
        if self.this_year is None or self.last_year is None:
            return None
        return self.last_year - self.this_year

    @property
    def reduction_pct(self) -> float | None:
        cut = self.reduction
        if cut is None or not self.last_year:
            return None
        return cut / self.last_year * 100.0
