"""What the monitoring pages show (``/monitoring``): the figures, computed here from the store and the registry;
the pages only lay them out.

* :func:`board`: the online rate (days with data / days), completeness and the composite quality index of the
  person's meters over the last days, by city and by enterprise (ranked, worst first), with the trend by day;
  one enterprise's facilities when ``enterprise`` is given.
* :func:`facility_live`: one facility's site consumption per energy type: today by hour, this month by day
  against last month, the month's totals, its meters with their quality, the gaps, and the quality warnings.

Access: ``registry.view`` first, then the facilities in the person's scope (as every monitoring read,
:func:`carbonpeak.services.monitoring_reports.analysis`); a facility or enterprise outside reads as not found
or forbidden by the registry's rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.monitoring import board as b
from carbonpeak.monitoring import quality as q
from carbonpeak.monitoring.rollups import local_timezone, rollup
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.parameters import load
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.monitoring import list_meters
from carbonpeak.services.monitoring_reports import analysis
from carbonpeak.store.models import Enterprise, Facility, Region

TREND_DAYS = 7


def today_of(as_of: dt.datetime, tz: str | None = None) -> dt.date:
    return as_of.astimezone(ZoneInfo(tz or local_timezone())).date()


def _city(region: Region | None, regions: dict[int, Region]) -> Region | None:
    while region is not None and region.level not in ("city", "province"):
        region = regions.get(region.parent_id) if region.parent_id is not None else None
    return region


def _names(session: Session, principal: Principal) -> dict[str, Any]:
    """Facility -> city code, and the names of the cities, enterprises and facilities in scope."""
    regions = {r.id: r for r in session.scalars(select(Region))}
    rows = session.execute(
        select(Facility, Enterprise)
        .join(Enterprise, Enterprise.id == Facility.enterprise_id)
        .where(access.facility_filter(principal))
    ).all()
    place, cities, enterprises, facilities = {}, {}, {}, {}
    for facility, enterprise in rows:
        city = _city(regions.get(facility.region_id), regions)
        if city is not None:
            place[facility.code] = city.code
            cities[city.code] = {"code": city.code, "name_zh": city.name_zh, "name_en": city.name_en}
        enterprises[enterprise.code] = {
            "code": enterprise.code,
            "name_zh": enterprise.name_zh,
            "name_en": enterprise.name_en,
        }
        facilities[facility.code] = {
            "code": facility.code,
            "name_zh": facility.name_zh,
            "name_en": facility.name_en,
            "enterprise": enterprise.code,
        }
    return {"place": place, "cities": cities, "enterprises": enterprises, "facilities": facilities}


def _ranked(rows: list[dict[str, Any]], key: str, names: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = [
        {**r, "rank": 0, "name": names.get(r[key], {"code": r[key], "name_zh": r[key], "name_en": r[key]})}
        for r in rows
    ]
    out.sort(key=lambda r: (-(r["composite"] or 0), r[key]))
    for rank, row in enumerate(out, start=1):
        row["rank"] = rank
    return out


def board(
    session: Session,
    principal: Principal,
    store: ReadingStore,
    as_of: dt.datetime,
    days: int = TREND_DAYS,
    enterprise: str | None = None,
) -> dict[str, Any]:
    """The indices of the last ``days`` local days up to ``as_of``: overall, by city, by enterprise (or by
    facility of one ``enterprise``), and the trend by day."""
    access.require(principal, "registry.view")
    if enterprise is not None:
        access.get_enterprise(session, principal, enterprise)
    tz = local_timezone()
    today = today_of(as_of, tz)
    start, end = today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1)
    names = _names(session, principal)
    meters = [m for m in list_meters(session, principal) if m["facility_code"] in names["facilities"]]
    if enterprise is not None:
        meters = [m for m in meters if names["facilities"][m["facility_code"]]["enterprise"] == enterprise]
    out: dict[str, Any] = {
        "start": start,
        "today": today,
        "as_of": as_of,
        "days": days,
        "meters": len(meters),
        "meters_active": sum(1 for m in meters if m["status"] == "active"),
        "total": None,
        "cities": [],
        "enterprises": [],
        "facilities": [],
        "trend": [],
    }
    if not meters:
        return out
    a = analysis(session, principal, store, start, end)
    rules = q.Rules.load(load(), today)
    codes = {m["meter_code"] for m in meters}
    chosen = a.meters.filter("meter IN (" + ", ".join(f"'{c}'" for c in sorted(codes)) + ")")

    def counts(first: dt.date, after: dt.date) -> Any:
        return q.meter_quality(
            a.con, a.readings, chosen, a.arrivals, a.consumption, first, after, rules, as_of=as_of, tz=a.tz
        )

    period = counts(start, end)
    totals = q.as_records(q.indices(a.con, b.as_one(a.con, period), rules, "region"))
    out["total"] = totals[0] if totals else None
    out["rules"] = {"completeness_min": rules.completeness_min, "weights": rules.weights, "profile": rules.profile}
    if enterprise is None:
        by_city = q.as_records(q.indices(a.con, b.with_region(a.con, period, names["place"]), rules, "region"))
        out["cities"] = _ranked(by_city, "region_code", names["cities"])
        out["enterprises"] = _ranked(
            q.as_records(q.indices(a.con, period, rules, "enterprise")), "enterprise_code", names["enterprises"]
        )
    else:
        out["enterprise"] = names["enterprises"][enterprise]
    out["facilities"] = _ranked(
        q.as_records(q.indices(a.con, period, rules, "facility")), "facility_code", names["facilities"]
    )
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        found = q.as_records(
            q.indices(a.con, b.as_one(a.con, counts(day, day + dt.timedelta(days=1))), rules, "region")
        )
        row = found[0] if found else {}
        out["trend"].append(
            {
                "day": day,
                "online": row.get("online"),
                "completeness": row.get("completeness"),
                "composite": row.get("composite"),
            }
        )
    return out


WARNINGS = (  # (count column, code, severity): a meter's findings of the month, worst first
    ("uncalibrated", "monitoring.warn.calibration_overdue", "high"),
    ("negatives", "monitoring.warn.negative", "high"),
    ("stuck", "monitoring.warn.stuck", "medium"),
    ("spikes", "monitoring.warn.spike", "medium"),
    ("incomplete", "monitoring.warn.incomplete", "medium"),
    ("duplicates", "monitoring.warn.duplicates", "low"),
)


def facility_live(
    session: Session, principal: Principal, store: ReadingStore, code: str, as_of: dt.datetime
) -> dict[str, Any]:
    """One facility's live figures up to ``as_of`` (see the module's text)."""
    facility = access.get_facility(session, principal, code, "registry.view")
    tz = local_timezone()
    today = today_of(as_of, tz)
    month_first = today.replace(day=1)
    last_first = (month_first - dt.timedelta(days=1)).replace(day=1)
    meters = list_meters(session, principal, code)
    out: dict[str, Any] = {
        "facility": facility,
        "today": today,
        "as_of": as_of,
        "month": month_first,
        "last_month": last_first,
        "meters": meters,
        "series": [],
        "quality": [],
        "warnings": [],
        "gaps": [],
        "process_plant": [],
        "total": None,
    }
    if not meters:
        return out
    a = analysis(session, principal, store, last_first, today + dt.timedelta(days=1), facility=code)
    rules = q.Rules.load(load(), today)
    lo = dt.datetime.combine(today, dt.time(), ZoneInfo(tz)).astimezone(dt.UTC)
    hours = [r for r in b.site_totals(a.con, rollup(a.con, a.consumption, "hour", a.tz), a.meters)]
    days = b.site_totals(a.con, rollup(a.con, a.consumption, "day", a.tz), a.meters)
    kinds = sorted({(r["energy_type"], r["unit"]) for r in days + hours})
    for energy, unit in kinds:
        by_hour = [None] * 24
        for r in hours:
            start = _utc(r["period_start"])
            if (r["energy_type"], r["unit"]) == (energy, unit) and lo <= start < as_of:
                by_hour[r["period"].hour] = r["quantity"]
        this_month: list[float | None] = [None] * 31
        last_month: list[float | None] = [None] * 31
        for r in days:
            if (r["energy_type"], r["unit"]) != (energy, unit):
                continue
            day = r["period"].date()
            if month_first <= day <= today:
                this_month[day.day - 1] = r["quantity"]
            elif last_first <= day < month_first:
                last_month[day.day - 1] = r["quantity"]
        so_far = sum(v for v in this_month[: today.day] if v is not None)
        same_days = sum(v for v in last_month[: today.day] if v is not None)
        out["series"].append(
            {
                "energy_type": energy,
                "unit": unit,
                "hours": by_hour,
                "today": sum(v for v in by_hour if v is not None),
                "this_month": this_month,
                "last_month": last_month,
                "month_so_far": so_far,
                "last_month_same_days": same_days,
                "last_month_total": sum(v for v in last_month if v is not None),
                "change_pct": (100 * (so_far - same_days) / same_days) if same_days else None,
            }
        )
    counts = q.meter_quality(
        a.con,
        a.readings,
        a.meters,
        a.arrivals,
        a.consumption,
        month_first,
        today + dt.timedelta(days=1),
        rules,
        as_of=as_of,
        tz=a.tz,
    )
    per_meter = q.as_records(q.indices(a.con, counts, rules, "meter"))
    totals = q.as_records(q.indices(a.con, counts, rules, "facility"))
    out["total"] = totals[0] if totals else None
    out["quality"] = per_meter
    for row in per_meter:
        found = {
            "uncalibrated": row["meters"] - row["calibrated"],
            "negatives": row["negatives"],
            "stuck": row["stuck"],
            "spikes": row["spikes"],
            "incomplete": 0 if row["completeness_met"] else 1,
            "duplicates": row["duplicates"],
        }
        for column, message, severity in WARNINGS:
            if found[column]:
                out["warnings"].append(
                    {
                        "meter": row["meter"],
                        "code": message,
                        "severity": severity,
                        "params": {
                            "count": int(found[column]),
                            "completeness": round(100 * (row["completeness"] or 0), 1),
                            "minimum": rules.completeness_min,
                        },
                    }
                )
    gaps = q.as_records(
        q.gaps(a.con, a.readings, a.meters, month_first, today + dt.timedelta(days=1), as_of=as_of, tz=a.tz)
    )
    out["gaps"] = sorted(gaps, key=lambda g: g["gap_start"], reverse=True)
    mlo, mhi, _ = q.bounds(month_first, today + dt.timedelta(days=1), a.tz, None)
    daily = rollup(a.con, a.consumption, "day", a.tz).filter(
        f"period_start >= {q.ts(mlo)} AND period_start < {q.ts(mhi)}"
    )
    checks = q.as_records(q.process_plant_consistency(a.con, daily, a.meters, rules))
    out["process_plant"] = [c for c in checks if not c["within"]]
    for c in out["process_plant"]:
        out["warnings"].append(
            {
                "meter": None,
                "code": "monitoring.warn.process_plant",
                "severity": "medium",
                "params": {
                    "day": str(c["day"])[:10],
                    "difference": round(c["difference_pct"] or 0, 1),
                    "tolerance": rules.process_plant_tolerance,
                },
            }
        )
    return out


def _utc(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return dt.datetime.fromisoformat(str(value)).astimezone(dt.UTC)
