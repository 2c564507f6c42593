"""The composite data-quality index of online energy monitoring per enterprise or region and per local day or
month: what a page of the cockpit shows (ranking, trend). The indices are the domain's
(:mod:`carbonpeak.monitoring.quality`: online, completeness, accuracy, correctness, their weighted composite
by the province's profile, and timeliness shown beside); this use case chooses the person's meters, cuts the
period into days or months and groups the meters' counts by enterprise or region.

Access: ``registry.view``, then only the meters of facilities in the person's scope (as every monitoring
read: :func:`carbonpeak.services.monitoring_reports.analysis`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.monitoring import quality as q
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.parameters import load
from carbonpeak.services.access import Principal
from carbonpeak.services.monitoring import meter_table
from carbonpeak.services.monitoring_reports import analysis
from carbonpeak.store.models import Region

LEVELS = ("enterprise", "region", "facility")
GRAINS = ("day", "month")
REGION_LEVELS = ("province", "city", "county")


def periods(start: dt.date, end: dt.date, grain: str) -> list[tuple[dt.date, dt.date]]:
    """The local days or calendar months cut from ``[start, end)`` (a month cut at ``start`` or ``end``
    where the range does not cover it whole)."""
    out: list[tuple[dt.date, dt.date]] = []
    day = start
    while day < end:
        nxt = (
            day + dt.timedelta(days=1)
            if grain == "day"
            else (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        )
        out.append((day, min(nxt, end)))
        day = min(nxt, end)
    return out


def _region_codes(session: Session, region_level: str | None) -> dict[int, str]:
    """region id -> the code of that region (``region_level`` None) or of its ancestor at that level."""
    regions = {r.id: r for r in session.scalars(select(Region))}
    out: dict[int, str] = {}
    for rid, region in regions.items():
        found: Region | None = region
        if region_level is not None:
            while found is not None and found.level != region_level:
                found = regions.get(found.parent_id) if found.parent_id else None
        if found is not None:
            out[rid] = found.code
    return out


def quality_index(
    session: Session,
    principal: Principal,
    store: ReadingStore,
    start: dt.date,
    end: dt.date,
    *,
    level: str = "enterprise",
    grain: str = "day",
    region_level: str | None = "province",
    as_of: dt.datetime | None = None,
    profile: str | None = None,
    facility: str | None = None,
) -> list[dict[str, Any]]:
    """One row per ``level`` (``enterprise``, ``region``, ``facility``) and local ``grain`` (``day``, ``month``)
    of ``[start, end)``: ``key`` (the enterprise, region or facility code), ``period`` (the first local day),
    ``period_end`` (exclusive), ``meters``, ``expected``, ``received``, the indices 0..1 ``online``,
    ``completeness``, ``timeliness``, ``accuracy``, ``correctness``, ``composite`` (the profile's weighted sum),
    ``completeness_met`` (at least the published 90 %), and ``profile``. ``region_level``: for ``region``,
    the facilities' ancestor region at that level (``province``, ``city``, ``county``; None: the facility's
    own region). A period not over is judged up to ``as_of``; a period starting after ``as_of`` is left out.
    Only ``active`` meters are expected to send (the domain's rule)."""
    if level not in LEVELS:
        raise InputError(code="monitoring.unknown_level", field="level", value=level, allowed=", ".join(LEVELS))
    if grain not in GRAINS:
        raise InputError(code="monitoring.unknown_grain", field="grain", value=grain, allowed=", ".join(GRAINS))
    if region_level is not None and region_level not in REGION_LEVELS:
        raise InputError(
            code="monitoring.unknown_level", field="region_level", value=region_level, allowed=", ".join(REGION_LEVELS)
        )
    a = analysis(session, principal, store, start, end, facility)
    rules = q.Rules.load(load(), start, profile)
    if level == "region":
        by_region = _region_codes(session, region_level)
        region_of = {m["meter_code"]: by_region.get(m["region_id"]) for m in meter_table(session)}
    out: list[dict[str, Any]] = []
    for lo, hi in periods(start, end, grain):
        first_instant, _hi, _days = q.bounds(lo, hi, a.tz, None)
        if as_of is not None and first_instant >= as_of:
            continue
        counts = q.meter_quality(
            a.con, a.readings, a.meters, a.arrivals, a.consumption, lo, hi, rules, as_of=as_of, tz=a.tz
        ).df()
        if counts.empty:
            continue
        if level == "region":
            counts["region_code"] = counts["meter"].map(region_of).astype("string")
            counts = counts[counts["region_code"].notna()]
        key = {"enterprise": "enterprise_code", "region": "region_code", "facility": "facility_code"}[level]
        rows = q.as_records(q.indices(a.con, a.con.from_df(counts), rules, level))
        for row in rows:
            out.append(
                {
                    "key": row[key],
                    "level": level,
                    "period": lo,
                    "period_end": hi,
                    "meters": int(row["meters"]),
                    "expected": int(row["expected"] or 0),
                    "received": int(row["received"] or 0),
                    **{i: row[i] for i in ("online", "completeness", "timeliness", "accuracy", "correctness")},
                    "composite": row["composite"],
                    "completeness_met": bool(row["completeness_met"]),
                    "profile": rules.profile,
                }
            )
    return out
