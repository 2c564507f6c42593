"""The pathways' repository: the counted facility-months of a region, their result breakdown and the
registry's attributes, handed to :func:`carbonpeak.pathways.stock.stock_of_region` (pure)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.parameters import ParameterSet
from carbonpeak.pathways.stock import BREAKDOWN_COLUMNS, REGISTRY_COLUMNS, Stock, region_months, stock_of_region
from carbonpeak.store.facts import facility_months_cached
from carbonpeak.store.models import Facility, Result


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
    # the kept facility-months (read again only when the data change): the report and the pathways page
    # have read them already in the same process
    months = region_months(facility_months_cached(session, include_submitted=include_submitted), region, base_year)
    return stock_of_region(
        months,
        result_breakdown(session, [int(v) for v in months["version_id"]]),
        registry_attributes(session),
        region=region,
        base_year=base_year,
        start_year=start_year,
        benchmark_edition=benchmark_edition,
        params=params,
    )


def result_breakdown(session: Session, version_ids: list[int]) -> pd.DataFrame:
    """The latest result's breakdown columns of each submission version, indexed by version_id."""
    latest = (
        select(Result.version_id, func.max(Result.id).label("result_id"))
        .where(Result.version_id.in_(version_ids))
        .group_by(Result.version_id)
        .subquery()
    )
    query = select(Result.version_id, Result.values).join(latest, latest.c.result_id == Result.id)
    rows = [
        {"version_id": version_id, **{c: (values or {}).get(c) for c in BREAKDOWN_COLUMNS}}
        for version_id, values in session.execute(query)
    ]
    frame = pd.DataFrame(rows, columns=["version_id", *BREAKDOWN_COLUMNS]).set_index("version_id")
    return frame.apply(pd.to_numeric, errors="coerce")


def registry_attributes(session: Session) -> pd.DataFrame:
    """The registry's attributes of every facility (:data:`~carbonpeak.pathways.stock.REGISTRY_COLUMNS`)."""
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
    return pd.DataFrame(rows, columns=REGISTRY_COLUMNS)
