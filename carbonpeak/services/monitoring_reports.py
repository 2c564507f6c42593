"""What a person reads of the monitoring: rollups of the meters they may see, the data-quality indices, the
gaps and the process-against-plant consistency, over a period of local days.

Access: ``registry.view`` first, then only the meters of facilities in the person's scope (an enterprise
user their own, a regulator their jurisdiction). The calculations are the domain's DuckDB SQL
(:mod:`carbonpeak.monitoring.rollups`, :mod:`carbonpeak.monitoring.quality`) over the store's current
readings of those meters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.monitoring import quality as q
from carbonpeak.monitoring.rollups import frames, interval_consumption, local_timezone, rollup
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.parameters import load
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.monitoring import meter_table, replacements
from carbonpeak.store.models import Facility


@dataclass
class Analysis:
    """The relations of one period, on a DuckDB connection of its own."""

    con: duckdb.DuckDBPyConnection
    readings: Any
    meters: Any
    consumption: Any
    arrivals: Any
    start: dt.date
    end: dt.date
    tz: str


def _visible_meters(session: Session, principal: Principal, facility: str | None) -> list[dict[str, Any]]:
    access.require(principal, "registry.view")
    codes = set(session.scalars(select(Facility.code).where(access.facility_filter(principal))))
    return [m for m in meter_table(session) if m["facility_code"] in codes and (facility in (None, m["facility_code"]))]


def analysis(
    session: Session,
    principal: Principal,
    store: ReadingStore,
    start: dt.date,
    end: dt.date,
    facility: str | None = None,
    tz: str | None = None,
    fill_gaps: int = 0,
) -> Analysis:
    """Readings, meters, consumption and arrivals of the person's meters for the local days [start, end)
    (readings from one day earlier, so that a register's first step of the period is known)."""
    meters = _visible_meters(session, principal, facility)
    return analysis_of(session, store, meters, start, end, tz, fill_gaps)


def analysis_of(
    session: Session,
    store: ReadingStore,
    meters: list[dict[str, Any]],
    start: dt.date,
    end: dt.date,
    tz: str | None = None,
    fill_gaps: int = 0,
) -> Analysis:
    """:func:`analysis` of the meters given (records of :func:`meter_table`), no person checked: for the use
    cases that chose the meters themselves (the daily check of the months)."""
    zone = tz or local_timezone()
    lo, hi, _ = q.bounds(start, end, zone, None)
    codes = [m["meter_code"] for m in meters]
    current = store.current(codes, lo - dt.timedelta(days=1), hi + dt.timedelta(days=1))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    r, m, x = frames(con, current, meters, [x for x in replacements(session) if x["meter"] in set(codes)])
    arrivals = store.arrivals()
    arrivals = (
        arrivals[arrivals["meter"].isin(codes)]
        if not arrivals.empty
        else pd.DataFrame(
            {
                "meter": pd.Series(dtype="string"),
                "first_interval": pd.Series(dtype="datetime64[ns, UTC]"),
                "duplicates": pd.Series(dtype="int64"),
            }
        )
    )
    consumption = interval_consumption(con, r, m, x, fill_gaps=fill_gaps)
    return Analysis(con, r, m, consumption, con.from_df(arrivals), start, end, zone)


def rollups(
    session: Session,
    principal: Principal,
    store: ReadingStore,
    grain: str,
    start: dt.date,
    end: dt.date,
    facility: str | None = None,
    fill_gaps: int = 0,
) -> list[dict[str, Any]]:
    """Totals per meter and local hour, day or month of the period (quantity in the meter's unit, after its
    multiplier), with the intervals counted, estimated and left out; ``fill_gaps``: fill an interval meter's
    gaps of at most that many intervals (marked estimated)."""
    a = analysis(session, principal, store, start, end, facility, fill_gaps=fill_gaps)
    lo, hi, _ = q.bounds(start, end, a.tz, None)
    rows = q.as_records(rollup(a.con, a.consumption, grain, a.tz))
    return [r for r in rows if lo <= r["period_start"] < hi]


def quality_report(
    session: Session,
    principal: Principal,
    store: ReadingStore,
    start: dt.date,
    end: dt.date,
    *,
    level: str = "facility",
    as_of: dt.datetime | None = None,
    profile: str | None = None,
    facility: str | None = None,
) -> dict[str, Any]:
    """The indices per ``level`` (meter, facility, enterprise), the gaps and the process-against-plant days."""
    a = analysis(session, principal, store, start, end, facility)
    rules = q.Rules.load(load(), start, profile)
    counts = q.meter_quality(
        a.con, a.readings, a.meters, a.arrivals, a.consumption, start, end, rules, as_of=as_of, tz=a.tz
    )
    lo, hi, _ = q.bounds(start, end, a.tz, None)
    daily = rollup(a.con, a.consumption, "day", a.tz).filter(
        f"period_start >= {q.ts(lo)} AND period_start < {q.ts(hi)}"
    )
    return {
        "profile": rules.profile,
        "weights": rules.weights,
        "indices": q.as_records(q.indices(a.con, counts, rules, level)),
        "gaps": q.as_records(q.gaps(a.con, a.readings, a.meters, start, end, as_of=as_of, tz=a.tz)),
        "process_plant": q.as_records(q.process_plant_consistency(a.con, daily, a.meters, rules)),
    }


def reconcile_month(
    session: Session,
    principal: Principal,
    store: ReadingStore,
    month: str,
    facility: str | None = None,
) -> list[dict[str, Any]]:
    """Days secure the month (:mod:`carbonpeak.services.monitoring_month`): each facility's metered month
    (``YYYY-MM``, local) against the latest version of its reported month, within the month tolerance of its
    province; the person's facilities only."""
    from carbonpeak.services import monitoring_month

    meters = _visible_meters(session, principal, facility)
    query = select(Facility.code).where(access.facility_filter(principal))
    if facility:
        query = query.where(Facility.code == facility)
    codes = set(session.scalars(query))
    return monitoring_month.compare_month(session, store, meters, month, facility_codes=codes)
