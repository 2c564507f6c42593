"""The regulator's regional statistics in the store: every version kept, the latest one counts.

Reads give plain frames and :class:`~carbonpeak.indicators.statistics.StatisticVersion` records; the one
write (:func:`add_version`) stores a version the rules have accepted. Entering a statistic or a table of
them, with the access check, the rules and the audit, is a use case: :mod:`carbonpeak.services.statistics`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.indicators.statistics import Entry, StatisticVersion, as_record
from carbonpeak.store.models import Region, RegionStatistic

CURRENT_COLUMNS = [
    "region",
    "name",
    "scope",
    "year",
    "value",
    "unit",
    "entered_value",
    "entered_unit",
    "price_basis",
    "source",
    "published_on",
    "reason",
    "version",
    "entered_by",
]


def _version(row: RegionStatistic, region: str) -> StatisticVersion:
    return StatisticVersion(
        region=region,
        name=row.name,
        scope=row.scope,
        year=row.year,
        version=row.version,
        value=row.value,
        unit=row.unit,
        entered_value=row.entered_value,
        entered_unit=row.entered_unit,
        price_basis=row.price_basis,
        source=row.source,
        published_on=row.published_on,
        reason=row.reason,
        entered_by=row.entered_by,
        entered_at=row.entered_at,
    )


def region_id(session: Session, code: str) -> int | None:
    """The id of the region with this code; None when there is none."""
    return session.scalar(select(Region.id).where(Region.code == code))


def latest(session: Session, region: str, name: str, scope: str, year: int) -> StatisticVersion | None:
    """The latest stored version of one statistic, or None when none is entered."""
    row = session.execute(
        select(RegionStatistic, Region.code)
        .join(Region, Region.id == RegionStatistic.region_id)
        .where(
            Region.code == region,
            RegionStatistic.name == name,
            RegionStatistic.scope == scope,
            RegionStatistic.year == year,
        )
        .order_by(RegionStatistic.version.desc())
        .limit(1)
    ).first()
    return None if row is None else _version(row[0], row[1])


def add_version(session: Session, region_id: int, entry: Entry, version: int, actor: str) -> StatisticVersion:
    """Store ``entry`` as version ``version`` of its statistic (in the caller's transaction)."""
    row = RegionStatistic(
        region_id=region_id,
        version=version,
        entered_by=actor,
        **{k: v for k, v in entry.__dict__.items() if k != "region"},
    )
    session.add(row)
    session.flush()
    return _version(row, entry.region)


def current_statistics(session: Session) -> pd.DataFrame:
    """The latest version of every statistic, with its region code: one row per region, name, scope, year."""
    newest = (
        select(
            RegionStatistic.region_id,
            RegionStatistic.name,
            RegionStatistic.scope,
            RegionStatistic.year,
            func.max(RegionStatistic.version).label("version"),
        )
        .group_by(RegionStatistic.region_id, RegionStatistic.name, RegionStatistic.scope, RegionStatistic.year)
        .subquery()
    )
    query = (
        select(RegionStatistic, Region.code)
        .join(
            newest,
            (newest.c.region_id == RegionStatistic.region_id)
            & (newest.c.name == RegionStatistic.name)
            & (newest.c.scope == RegionStatistic.scope)
            & (newest.c.year == RegionStatistic.year)
            & (newest.c.version == RegionStatistic.version),
        )
        .join(Region, Region.id == RegionStatistic.region_id)
    )
    rows = [
        {"region": code, **as_record(_version(row, code)), "version": row.version, "entered_by": row.entered_by}
        for row, code in session.execute(query)
    ]
    return pd.DataFrame(rows, columns=CURRENT_COLUMNS)


def history(session: Session, region: str, name: str, scope: str, year: int) -> list[dict[str, Any]]:
    """Every version of one statistic, oldest first, with who entered it and why."""
    query = (
        select(RegionStatistic)
        .join(Region, Region.id == RegionStatistic.region_id)
        .where(
            Region.code == region,
            RegionStatistic.name == name,
            RegionStatistic.scope == scope,
            RegionStatistic.year == year,
        )
        .order_by(RegionStatistic.version)
    )
    return [
        {**as_record(v), "version": v.version, "entered_by": v.entered_by, "entered_at": v.entered_at}
        for v in (_version(row, region) for row in session.scalars(query))
    ]
