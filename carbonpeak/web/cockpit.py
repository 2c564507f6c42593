"""The overview's cockpit reads: the figures of the KPI cards, the monthly trend with 同比 and 环比, the
rankings, the counts of the one-click answers and each figure's breakdown with how it was made.

Nothing is computed here: figures come from :mod:`carbonpeak.indicators.breakdown` and
:mod:`carbonpeak.indicators.trends` over the region's counted facility-months (the rows the overview's
indicators sum, read through the person's scope by :mod:`carbonpeak.web.queries`), and the methods
and parameters behind a figure from :mod:`carbonpeak.store.result_methods`. Kept until the data change.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.indicators import breakdown as bd
from carbonpeak.indicators import trends
from carbonpeak.services.access import Principal
from carbonpeak.store import result_methods
from carbonpeak.store.models import Enterprise, Facility, Region
from carbonpeak.web import queries
from carbonpeak.web.queries import Cache

BREAKDOWN = "/overview/breakdown"
# The KPI cards: (figure, sector or None). Capacity is electrolytic aluminium's, the one capacity the
# plans cap (a sum of alumina, aluminium and rolling capacities would add unlike tonnes).
CARDS = (
    ("emissions_location_tco2e", None),
    ("emissions_market_tco2e", None),
    ("energy_tce", None),
    ("electricity_used_mwh", None),
    ("capacity_t_per_a", "electrolytic_aluminium"),
)


def link(path: str, **params: Any) -> str:
    """``path`` with the query parameters given (None and empty ones left out)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def breakdown_url(figure: str, region: str, year: int, **filters: Any) -> str:
    return link(BREAKDOWN, figure=figure, region=region, year=year, **filters)


def region_rows(session: Session, cache: Cache, who: Principal, region: str, edition: str | None) -> pd.DataFrame:
    """The region's counted facility-months with a result (what its figures sum), in the person's scope."""
    prepared = queries.prepared_region(session, cache, who, region, edition)
    if prepared is None:
        return queries.facts(session, cache, who).iloc[0:0]
    return prepared.rows


def _cached(session: Session, cache: Cache, who: Principal, name: str, key: tuple[Any, ...], make: Any) -> Any:
    full = (name, queries.fresh(session, cache), queries.scope_key(who), *key)
    return cache.get(full, make)


def cards(
    session: Session, cache: Cache, who: Principal, region: str, year: int, last_month: int, edition: str | None
) -> list[dict[str, Any]]:
    """The KPI cards: each figure's value for the year, the same months of the year before and its link."""

    def make() -> list[dict[str, Any]]:
        rows = region_rows(session, cache, who, region, edition)
        out = []
        for figure, sector in CARDS:
            now = bd.total(bd.select(rows, year=year, sector=sector), figure)
            same = trends.through_month_rows(rows, last_month)
            before = bd.total(bd.select(same, year=year - 1, sector=sector), figure)
            out.append(
                {
                    "figure": figure,
                    "sector": sector,
                    "unit": bd.figure(figure).unit,
                    "value": now,
                    "before": before,
                    "yoy_pct": trends.change_pct(now, before) if bd.figure(figure).additive else None,
                    "url": breakdown_url(figure, region, year, sector=sector),
                }
            )
        return out

    return _cached(session, cache, who, "cockpit.cards", (region, year, last_month, edition), make)  # type: ignore[no-any-return]


def monthly(
    session: Session, cache: Cache, who: Principal, region: str, year: int, edition: str | None
) -> dict[str, Any]:
    """The monthly figures of the year and the year before (emissions, energy) and their 同比 and 环比."""

    def make() -> dict[str, Any]:
        rows = region_rows(session, cache, who, region, edition)
        series = {f: trends.monthly(rows, f) for f in ("emissions_location_tco2e", "energy_tce")}
        return {
            "series": {f: {str(k): float(v) for k, v in s.items()} for f, s in series.items()},
            "changes": {f: trends.changes(rows, f, year) for f in series},
        }

    return _cached(session, cache, who, "cockpit.monthly", (region, year, edition), make)  # type: ignore[no-any-return]


def rankings(
    session: Session, cache: Cache, who: Principal, region: str, year: int, last_month: int, edition: str | None
) -> dict[str, list[trends.Ranked]]:
    def make() -> dict[str, list[trends.Ranked]]:
        rows = region_rows(session, cache, who, region, edition)
        return {
            "top_emitters": trends.top_emitters(rows, year),
            "worst_unit_consumption": trends.worst_unit_consumption(rows, year),
            "largest_increase": trends.largest_increase(rows, year, last_month),
        }

    return _cached(session, cache, who, "cockpit.rankings", (region, year, last_month, edition), make)  # type: ignore[no-any-return]


def below_baseline(
    session: Session, cache: Cache, who: Principal, region: str, year: int, edition: str | None
) -> int | None:
    """How many of the region's facilities are below the baseline level in the year (the benchmark
    board's classes); None when the board cannot classify."""
    board = queries.benchmark(session, cache, who, year, edition)
    rows = region_rows(session, cache, who, region, edition)
    mine = set(rows["facility_code"])
    if not board.get("classes"):
        return None
    return len(
        {c["facility_id"] for c in board["classes"] if c.get("class") == "below_baseline" and c["facility_id"] in mine}
    )


def names(session: Session, by: str, keys: list[str]) -> dict[str, Any]:
    """The registry rows (or sector codes, months) the parts of a breakdown are named by."""
    if not keys:
        return {}
    model = {"city": Region, "enterprise": Enterprise, "facility": Facility}.get(by)
    if model is None:
        return {k: k for k in keys}
    return {row.code: row for row in session.scalars(select(model).where(model.code.in_(keys)))}  # type: ignore[attr-defined]


def breakdown(
    session: Session,
    cache: Cache,
    who: Principal,
    *,
    figure: str,
    region: str,
    year: int,
    by: str,
    month: int | None = None,
    sector: str | None = None,
    city: str | None = None,
    enterprise: str | None = None,
    facility: str | None = None,
    edition: str | None = None,
) -> dict[str, Any]:
    """A figure of the region split by ``by``, with the provenance of the results behind it."""

    def make() -> dict[str, Any]:
        rows = region_rows(session, cache, who, region, edition)
        chosen = bd.select(
            rows, year=year, month=month, sector=sector, city=city, enterprise=enterprise, facility=facility
        )
        split = bd.breakdown(chosen, figure, by)
        return {
            "breakdown": split,
            "names": names(session, by, [p.key for p in split.parts]),
            "provenance": result_methods.behind(session, split.version_ids),
            "sectors": sorted(set(rows["sector"].dropna())),
        }

    key = (figure, region, year, by, month, sector, city, enterprise, facility, edition)
    return _cached(session, cache, who, "cockpit.breakdown", key, make)  # type: ignore[no-any-return]
