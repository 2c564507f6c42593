"""Days secure the month (以日保月): the metered month of each facility against its reported month.

For a local month and the facilities given, the figures compared (:mod:`carbonpeak.monitoring.reconcile`):

* ``site_electricity_mwh``: the plant electricity meters against grid + captive + on-site renewable − exported;
* ``electrolysis_ac_mwh``: the potlines' AC meters against the reported AC power;
* ``energy_tce``: the comprehensive energy of the reported record with its metered quantities put in
  (electricity, AC, metered fuels; the rest as reported), by the same accounting as the reported record;
* ``ac_power_liquid_aluminium_kwh_per_t`` (铝液交流电耗), where output is reported: the metered AC power per
  tonne of the reported output, by the form's definition of the ratio.

The tolerance is ``monitoring.month_tolerance`` (``parameters/monitoring/month_tolerance.yaml``) by the
facility's province, else the ``default`` province: carbonpeak's own setting, confidence low. These functions
check no person: a use case that shows the comparison checks its reader first
(:func:`carbonpeak.services.monitoring_reports.reconcile_month`); the warnings' runs call them for the system.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.accounting import account
from carbonpeak.errors import CarbonpeakError, ParameterNotFound
from carbonpeak.io.activity import parse_records
from carbonpeak.monitoring import quality as q
from carbonpeak.monitoring import reconcile
from carbonpeak.monitoring.rollups import rollup, with_relations
from carbonpeak.monitoring.store import ReadingStore, open_store
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.services.month_form import unit_consumption
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility, Submission, SubmissionVersion

REPORTED = ("submitted", "returned", "verified", "locked")  # a month that left the enterprise
AC_RATIO = "ac_power_liquid_aluminium_kwh_per_t"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(f"{month}-01")
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def configured_store() -> ReadingStore | None:
    """The reading store named by ``CARBONPEAK_READINGS_URL`` (a DuckDB file or a ``postgresql://`` URL), or
    None when the setting is absent or the store cannot be opened now (a DuckDB file another process writes:
    the month is then checked by the next run)."""
    url = os.environ.get("CARBONPEAK_READINGS_URL", "").strip()
    if not url:
        return None
    try:
        return open_store(url)
    except Exception:  # a store busy or down: nothing checked, nothing cleared (said in the docs)
        return None


def metered_figures(
    session: Session,
    store: ReadingStore,
    meters: list[dict[str, Any]],
    month: str,
    *,
    tz: str | None = None,
    completeness: bool = False,
    as_of: dt.datetime | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per facility, the metered month as record fields (:func:`reconcile.form_figures`); with
    ``completeness``, each figure also gets its meters' ``expected`` and ``received`` points and
    ``completeness`` (percent, up to ``as_of`` for a month not over)."""
    from carbonpeak.services.monitoring_reports import analysis_of  # the reports import this module's neighbours

    if not meters:
        return {}
    first, after = month_bounds(month)
    a = analysis_of(session, store, meters, first, after, tz)
    lo, hi, _ = q.bounds(first, after, a.tz, None)
    monthly = rollup(a.con, a.consumption, "month", a.tz).filter(
        f"period_start >= {q.ts(lo)} AND period_start < {q.ts(hi)}"
    )
    carriers = q.as_records(with_relations(a.con, reconcile.CARRIERS_SQL, monthly_rel=monthly, meters_rel=a.meters))
    figures = {facility: f for (facility, _m), f in reconcile.form_figures(carriers).items()}
    if completeness and figures:
        rules = q.Rules.load(load(), first, None)
        counts = q.meter_quality(
            a.con, a.readings, a.meters, a.arrivals, a.consumption, first, after, rules, as_of=as_of, tz=a.tz
        )
        by_meter = {r["meter"]: r for r in q.as_records(counts)}
        for per_facility in figures.values():
            for figure in per_facility.values():
                expected = sum(int(by_meter.get(m, {}).get("expected") or 0) for m in figure["meters"])
                received = sum(int(by_meter.get(m, {}).get("received") or 0) for m in figure["meters"])
                figure["expected"], figure["received"] = expected, received
                figure["completeness"] = 100.0 * min(received, expected) / expected if expected else None
    return figures


def latest_records(
    session: Session, facility_codes: Iterable[str], month: str, statuses: Collection[str] | None = None
) -> dict[str, SubmissionVersion]:
    """The latest version of each facility's month (only those whose latest version is in ``statuses``)."""
    codes = sorted(set(facility_codes))
    if not codes:
        return {}
    rows = session.execute(
        select(Facility.code, SubmissionVersion)
        .join(Submission, Submission.facility_id == Facility.id)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .where(Facility.code.in_(codes), Submission.period == month)
        .order_by(SubmissionVersion.version)
    )
    latest: dict[str, SubmissionVersion] = {}
    for code, version in rows:
        latest[code] = version  # ordered by version: the last one stays
    return {c: v for c, v in latest.items() if statuses is None or v.status in statuses}


def energies(records: list[dict[str, Any]], params: ParameterSet) -> list[float | None]:
    """The comprehensive energy (tce) of each record by the accounting, in one batch; where the batch is
    refused (a record the accounting cannot take, a parameter missing), record by record, None for those
    that cannot be computed."""
    if not records:
        return []
    try:
        table = account(parse_records(records, source="metered"), params).table
        return [None if v != v else float(v) for v in table["energy_tce"].to_numpy(dtype=float)]
    except (CarbonpeakError, KeyError, ValueError):
        if len(records) == 1:
            return [None]
    return [energies([r], params)[0] for r in records]


def _another_id(record: dict[str, Any]) -> dict[str, Any]:
    """The metered copy of a record, named apart from the reported one (a batch holds one record per id)."""
    ident = record.get("record_id") or f"{record.get('facility_id')}@{record.get('period')}"
    return {**record, "record_id": f"{ident}#metered"}


def ac_per_tonne(record: dict[str, Any]) -> float | None:
    """铝液交流电耗 (kWh/t) of an aluminium record by the form's definition of the ratio; None otherwise."""
    if record.get("sector") != "electrolytic_aluminium":
        return None
    return unit_consumption("electrolytic_aluminium", record).get(AC_RATIO)


def tolerance(session: Session, month: str, params: ParameterSet | None = None) -> Any:
    """The month's tolerance as a function of (facility, figure): the facility's province, else ``default``."""
    params = params or load()
    first, _after = month_bounds(month)
    provinces: dict[str, str] = {}

    def of(facility: str, figure: str) -> float:
        if facility not in provinces:
            row = repo.facilities_by_code(session, [facility]).get(facility)
            provinces[facility] = (repo.facility_province(session, row) if row is not None else None) or "default"
        try:
            return float(
                params.value("monitoring.month_tolerance", period=first, province=provinces[facility], figure=figure)
            )
        except ParameterNotFound:
            return float(params.value("monitoring.month_tolerance", period=first, province="default", figure=figure))

    return of


def compare_month(
    session: Session,
    store: ReadingStore,
    meters: list[dict[str, Any]],
    month: str,
    *,
    facility_codes: Collection[str] | None = None,
    statuses: Collection[str] | None = None,
    tz: str | None = None,
) -> list[dict[str, Any]]:
    """One row per facility and figure (metered or reported): both values, the difference in percent of the
    reported one, the tolerance and a state (``within``, ``beyond``, ``not_reported``, ``not_metered``).
    ``meters``: the meters to read (the caller's choice: a person's, or all); ``facility_codes``: the
    reported months to read (default: the meters' facilities); ``statuses``: only months whose latest version
    is in one of them (default any, a draft included)."""
    params = load()
    figures = metered_figures(session, store, meters, month, tz=tz)
    codes = set(facility_codes) if facility_codes is not None else {m["facility_code"] for m in meters}
    versions = latest_records(session, codes, month, statuses)
    metered: list[dict[str, Any]] = []
    reported: dict[tuple[str, str], dict[str, float | None]] = {}
    both: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]] = []
    for code in sorted(set(figures) | set(versions)):
        got = figures.get(code, {})
        counts = {}
        if "plant_electricity_mwh" in got:
            counts["site_electricity_mwh"] = got["plant_electricity_mwh"]
        if "electrolysis_ac_mwh" in got:
            counts["electrolysis_ac_mwh"] = got["electrolysis_ac_mwh"]
        for figure, f in counts.items():
            metered.append(
                {
                    "facility_code": code,
                    "month": month,
                    "figure": figure,
                    "metered": f["value"],
                    "intervals": f["intervals"],
                    "estimated": f["estimated"],
                    "flagged": f["flagged"],
                    "meters": len(f["meters"]),
                }
            )
        version = versions.get(code)
        if version is None:
            continue
        record = dict(version.record)
        reported[(code, month)] = reconcile.reported_figures(record)
        if got:
            both.append((code, record, reconcile.metered_record(record, got), got))
    # the energy of each reported record and of the same record with its metered quantities in (one batch);
    # compared where an energy carrier is metered, the AC power per tonne where the AC power is
    computed = energies([r for _c, r, _m, _g in both] + [_another_id(m) for _c, _r, m, _g in both], params)
    for k, (code, record, with_meters, got) in enumerate(both):
        derived: dict[str, tuple[float | None, float | None]] = {}
        if "plant_electricity_mwh" in got or any(name.startswith("fuel:") for name in got):
            derived["energy_tce"] = (computed[k], computed[len(both) + k])
        if "electrolysis_ac_mwh" in got:
            derived[AC_RATIO] = (ac_per_tonne(record), ac_per_tonne(with_meters))
        for figure, (was, now) in derived.items():
            reported[(code, month)][figure] = was
            if now is not None:
                metered.append({"facility_code": code, "month": month, "figure": figure, "metered": now})
    if codes:
        metered = [m for m in metered if m["facility_code"] in codes]
        reported = {k: v for k, v in reported.items() if k[0] in codes}
    return reconcile.compare(metered, reported, tolerance(session, month, params))


def months_to_check(as_of: dt.date, params: ParameterSet | None = None) -> list[str]:
    """The months the daily check compares: the ``lookback_months`` months before ``as_of``'s month."""
    params = params or load()
    back = int(params.value("monitoring.month_check", period=as_of, rule="lookback_months"))
    out, (y, m) = [], (as_of.year, as_of.month)
    for _ in range(back):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        out.append(f"{y:04d}-{m:02d}")
    return sorted(out)


def warning_input(
    session: Session,
    store: ReadingStore,
    *,
    as_of: dt.date,
    facilities: Collection[str] | None = None,
    months: Collection[tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The comparison rows the warning rule reads: of the (facility, month) pairs given (a month just
    submitted), else of the daily check's months for the facilities given (None: all); only reported months
    (their latest version submitted or later)."""
    from carbonpeak.services.monitoring import meter_table

    every = meter_table(session)
    wanted: dict[str, set[str]] = {}
    if months is not None:
        for code, period in months:
            if len(str(period)) == 7:  # a month (a yearly record has no metered month to compare)
                wanted.setdefault(str(period), set()).add(code)
    else:
        for period in months_to_check(as_of):
            wanted[period] = set(facilities) if facilities is not None else {m["facility_code"] for m in every}
    rows: list[dict[str, Any]] = []
    for period, codes in sorted(wanted.items()):
        meters = [m for m in every if m["facility_code"] in codes]
        if not meters:
            continue
        rows += compare_month(session, store, meters, period, facility_codes=codes, statuses=REPORTED)
    return rows
