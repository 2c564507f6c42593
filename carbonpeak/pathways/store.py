"""The one place pathways read the store: counted facility-months, their result breakdown, the registry.

Thin: it gathers frames and hands them to :func:`carbonpeak.pathways.stock.build_stock`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.accounting.benchmark import classify_facilities
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.indicators.definitions import facility_year_frame, select_region
from carbonpeak.parameters import ParameterSet
from carbonpeak.pathways.stock import Stock, build_stock
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import Facility, Result

__all__ = ["base_classes", "read_stock"]

_BREAKDOWN = ("fuel_tco2", "fuel_tce", "electricity_location_tco2", "electricity_market_tco2")


def read_stock(
    session: Session,
    *,
    region: str,
    base_year: int,
    start_year: int,
    benchmark_edition: str | None,
    params: ParameterSet,
    include_submitted: bool = False,
) -> Stock:
    """The stock of ``region`` at ``base_year`` with its history from ``start_year``."""
    facts = facility_months(session, include_submitted=include_submitted)
    if facts.empty:
        raise InputError("the store holds no counted facility-month", expected="a loaded store (carbonpeak demo load)")
    rows = select_region(facts, region).copy()
    held = sorted(set(rows["year"]))
    if base_year not in held:
        raise InputError(
            "no counted facility-month in the base year",
            field="base_year",
            value=base_year,
            expected=f"a year with counted data for region {region}: {', '.join(map(str, held))}",
        )
    breakdown = _breakdown(session, [int(v) for v in rows["version_id"]])
    for column in _BREAKDOWN:
        rows[column] = rows["version_id"].map(breakdown[column]) if not breakdown.empty else float("nan")
    registry = _registry(session)
    classes, notes = base_classes(rows[rows["year"] == base_year], params, benchmark_edition)
    return build_stock(rows, registry, classes, region=region, base_year=base_year, start_year=start_year, notes=notes)


def _breakdown(session: Session, version_ids: list[int]) -> pd.DataFrame:
    """The latest result's breakdown columns of each submission version."""
    latest = (
        select(Result.version_id, func.max(Result.id).label("result_id"))
        .where(Result.version_id.in_(version_ids))
        .group_by(Result.version_id)
        .subquery()
    )
    query = select(Result.version_id, Result.values).join(latest, latest.c.result_id == Result.id)
    rows = [
        {"version_id": version_id, **{c: (values or {}).get(c) for c in _BREAKDOWN}}
        for version_id, values in session.execute(query)
    ]
    frame = pd.DataFrame(rows, columns=["version_id", *_BREAKDOWN]).set_index("version_id")
    return frame.apply(pd.to_numeric, errors="coerce")


def _registry(session: Session) -> pd.DataFrame:
    rows = [
        (
            f.code,
            f.process_route,
            f.status,
            f.status_since.isoformat() if f.status_since else None,
            f.retired_on.isoformat() if f.retired_on else None,
            f.commissioning_year,
        )
        for f in session.scalars(select(Facility))
    ]
    return pd.DataFrame(
        rows, columns=["facility_code", "process_route", "status", "status_since", "retired_on", "commissioning_year"]
    )


def base_classes(months: pd.DataFrame, params: ParameterSet, edition: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Benchmark class of each facility in the base year (one classification per product).

    A product whose levels have no value for the edition is left unclassified and named in the notes.
    """
    columns = [
        "facility_code",
        "benchmark_class",
        "indicator_value",
        "indicator_unit",
        "benchmark_level",
        "baseline_level",
        "benchmark_edition",
        "deadline",
    ]
    notes: list[str] = []
    years = facility_year_frame(months) if not months.empty else pd.DataFrame(columns=["product"])
    years = years[years["product"] != ""]
    parts = []
    for product, group in years.groupby("product", sort=True):
        try:
            table, _shares, _cited = classify_facilities(group, params, edition=edition)
        except ParameterNotFound as exc:
            notes.append(f"{product}: not classified ({exc})")
            continue
        parts.append(
            pd.DataFrame(
                {
                    "facility_code": table["facility_id"],
                    "benchmark_class": table["class"],
                    "indicator_value": table["unit_consumption"],
                    "indicator_unit": table["unit"],
                    "benchmark_level": table["benchmark_level"],
                    "baseline_level": table["baseline_level"],
                    "benchmark_edition": table["edition"].astype(str),
                    "deadline": table["deadline"].astype(str),
                }
            )
        )
    classes = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return classes[columns], notes
