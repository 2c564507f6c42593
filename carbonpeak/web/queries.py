"""What pages and the API show, read through the access filters and computed by the domain modules.

Each function takes the person (:class:`~carbonpeak.services.access.Principal`) and returns plain data;
figures come from the store, the accounting, the indicators and the warnings modules — nothing is
computed here but arrangement (which rows, in which order, next to which label).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, contains_eager, defer, joinedload

from carbonpeak.accounting import account, classify_facilities, surcharge_facilities
from carbonpeak.errors import CarbonpeakError
from carbonpeak.indicators import coverage as cov
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import evaluate_plan
from carbonpeak.io.activity import parse_records
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store import repository as repo
from carbonpeak.store.coverage import month_states
from carbonpeak.store.facts import facility_months, green_registry
from carbonpeak.store.models import (
    AuditEvent,
    Enterprise,
    Facility,
    ParameterSnapshot,
    Region,
    Result,
    Submission,
    SubmissionVersion,
    Warning,
)
from carbonpeak.store.parameters import parameter_set
from carbonpeak.store.statistics import current_statistics
from carbonpeak.vocabulary import SECTOR_BENCHMARK_PRODUCT

# ---------------------------------------------------------------- a small cache of computed tables


class Cache:
    """Computed tables keyed by what they depend on, including the store's change stamp (the newest
    audit event: every change of a submission or its results writes one).

    A table is computed once: concurrent requests for the same key wait for the first one's result
    (under load, a cold key is not computed by every request that arrives before it is ready)."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[Any, threading.Lock] = {}
        self._stamp: int | None = None
        self.size = size

    def advance(self, now: int) -> None:
        """Forget every table when the store's change stamp moves (they are never asked for again)."""
        with self._lock:
            if now != self._stamp:
                self._items.clear()
                self._stamp = now

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._items:  # made by another request while this one waited
                    self._items.move_to_end(key)
                    return self._items[key]
            try:
                value = make()
            except BaseException:
                with self._lock:
                    self._making.pop(key, None)
                raise
            with self._lock:
                self._items[key] = value
                self._making.pop(key, None)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def stamp(session: Session) -> int:
    return int(session.scalar(select(func.max(AuditEvent.id))) or 0)


def params(session: Session | None = None) -> ParameterSet:
    """The parameters in force: the shipped files (validated once per process) plus, given the store's
    session, the official values an administrator entered there."""
    return load() if session is None else parameter_set(session)


def fresh(session: Session, cache: Cache) -> int:
    """The store's change stamp; the cache forgets older tables when it moves."""
    now = stamp(session)
    cache.advance(now)
    return now


def scope_key(principal: Principal) -> tuple[Any, ...]:
    """What a person's scope is made of (two people with the same key read the same rows)."""
    return (principal.role, principal.region_id, tuple(sorted(principal.enterprise_ids)))


def facts(session: Session, cache: Cache, principal: Principal) -> pd.DataFrame:
    """The counted facility-months (indicators' facts table) within the person's scope; kept, like the
    whole table, until the data change. Callers must not modify it."""
    now = fresh(session, cache)

    def restricted() -> pd.DataFrame:
        full = cache.get(("facts", now), lambda: facility_months(session))
        return access.restrict_facts(session, principal, full)

    return cache.get(("facts", now, scope_key(principal)), restricted)  # type: ignore[no-any-return]


def today() -> dt.date:
    """The day figures are judged on (which months are due, which years complete)."""
    return dt.date.today()


def states(session: Session, cache: Cache, principal: Principal) -> pd.DataFrame:
    """Every expected or reported facility-month in the person's scope with its state (counted, held out,
    waiting, unverified, missing: ``store.coverage.month_states``) on today's date; kept until the data
    or the day change. Callers must not modify it."""
    now, day = fresh(session, cache), today()

    def restricted() -> pd.DataFrame:
        full = cache.get(("states", now, day), lambda: month_states(session, as_of=day))
        return access.restrict_facts(session, principal, full)

    return cache.get(("states", now, day, scope_key(principal)), restricted)  # type: ignore[no-any-return]


def due_day(session: Session) -> int:
    """The day of the following month by which a month's report is due, today."""
    return ind.due_day(params(session), today())


def default_year(session: Session, cache: Cache, principal: Principal, region: str | None) -> int:
    """The year a page shows unless asked: the latest complete year of the region (of the whole scope
    when None), else its latest year with counted data (``indicators.coverage.default_year``)."""
    months = states(session, cache, principal)
    rows = cov.select_rows(months, region, months.attrs.get("clusters", {})) if region else months
    day = today()
    return cov.default_year(rows if rows is not None else months.iloc[0:0], day, ind.due_day(params(session), day))


def year_period(session: Session, cache: Cache, principal: Principal, region: str | None, year: int) -> cov.YearPeriod:
    """The months ``year``'s figures span in the region (the whole scope when None) and whether it is
    complete today."""
    months = states(session, cache, principal)
    rows = cov.select_rows(months, region, months.attrs.get("clusters", {})) if region else months
    day = today()
    return cov.year_period(rows if rows is not None else months.iloc[0:0], year, day, ind.due_day(params(session), day))


# ---------------------------------------------------------------- registry


def enterprises(session: Session, principal: Principal) -> list[Enterprise]:
    access.require(principal, "registry.view")
    query = select(Enterprise).where(access.enterprise_filter(principal)).order_by(Enterprise.code)
    return list(session.scalars(query))


def facilities(session: Session, principal: Principal, enterprise: Enterprise | None = None) -> list[Facility]:
    access.require(principal, "registry.view")
    query = (
        select(Facility)
        .where(access.facility_filter(principal))
        .options(joinedload(Facility.enterprise), joinedload(Facility.region))  # shown with each facility
        .order_by(Facility.code)
    )
    if enterprise is not None:
        query = query.where(Facility.enterprise_id == enterprise.id)
    return list(session.scalars(query))


def region_path(session: Session, region: Region | None) -> list[Region]:
    """A region and its parents, the province first."""
    out: list[Region] = []
    while region is not None:
        out.insert(0, region)
        region = session.get(Region, region.parent_id) if region.parent_id else None
    return out


def default_region(session: Session, principal: Principal) -> Region | None:
    regions = access.regions_in_scope(session, principal)
    if principal.region_id is not None:
        return next((r for r in regions if r.id == principal.region_id), None)
    tops = [r for r in regions if r.parent_id is None]
    return tops[0] if tops else (regions[0] if regions else None)


def child_regions(session: Session, principal: Principal, region: Region) -> list[Region]:
    query = select(Region).where(Region.parent_id == region.id, access.region_filter(principal)).order_by(Region.code)
    return list(session.scalars(query))


# ---------------------------------------------------------------- submissions


def latest_results(session: Session, version_ids: list[int]) -> dict[int, Result]:
    """The newest result of each version."""
    out: dict[int, Result] = {}
    for start in range(0, len(version_ids), 2000):
        chunk = version_ids[start : start + 2000]
        newest = (
            select(func.max(Result.id))
            .where(Result.version_id.in_(chunk))
            .group_by(Result.version_id)
            .scalar_subquery()
        )
        for result in session.scalars(select(Result).where(Result.id.in_(newest))):
            out[result.version_id] = result
    return out


def months(
    session: Session,
    principal: Principal,
    *,
    facility: Facility | None = None,
    facilities: list[Facility] | None = None,
    year: int | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Facility-months in scope (of one facility, or of several) with their latest version, its status
    and its newest result, ordered by facility and period.

    The versions' reported records (JSON documents) are not read unless a caller asks for one
    (``version.record`` loads it): the lists show states and results only."""
    access.require(principal, "submission.view")
    query = (
        repo.latest_versions_query()
        .where(access.facility_filter(principal))
        .options(defer(SubmissionVersion.record), contains_eager(Submission.facility))
        .order_by(Facility.code, Submission.period)
    )
    if facility is not None:
        query = query.where(Submission.facility_id == facility.id)
    if facilities is not None:
        query = query.where(Submission.facility_id.in_(sorted(f.id for f in facilities)))
    if year:
        query = query.where(Submission.period >= f"{year}-01", Submission.period <= f"{year}-12")
    if status:
        query = query.where(SubmissionVersion.status == status)
    pairs = [(s, v) for s, v in session.execute(query).all()]
    results = latest_results(session, [v.id for _, v in pairs])
    return [
        {
            "facility": submission.facility,
            "period": submission.period,
            "version": version,
            "result": results.get(version.id),
            "versions": version.version,
        }
        for submission, version in pairs
    ]


def month_years(session: Session, principal: Principal, facilities: list[Facility]) -> list[int]:
    """The years in which any of the facilities has a month (in the person's scope)."""
    access.require(principal, "submission.view")
    year = func.substr(Submission.period, 1, 4)
    query = (
        select(year)
        .join(Facility, Facility.id == Submission.facility_id)
        .where(Submission.facility_id.in_(sorted(f.id for f in facilities)), access.facility_filter(principal))
        .distinct()
    )
    return sorted(int(y) for y in session.scalars(query))


def submission(session: Session, facility: Facility, period: str) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.facility_id == facility.id, Submission.period == period))


def version_changes(before: SubmissionVersion | None, after: SubmissionVersion) -> list[dict[str, Any]]:
    """Fields whose reported value differs between two versions (both shown)."""
    if before is None:
        return []
    old, new = before.record, after.record
    changes = []
    for key in sorted(set(old) | set(new)):
        if key in ("record_id",):
            continue
        a, b = old.get(key), new.get(key)
        if _same(a, b):
            continue
        changes.append({"field": key, "before": _shown(a), "after": _shown(b)})
    return changes


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _shown(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def detail(session: Session, facility: Facility, period: str) -> dict[str, Any]:
    """Every version of a facility-month with its results and changes, and the month's audit trail."""
    versions = repo.versions_of(session, facility.code, period)
    results = {v.id: repo.results_of(session, v) for v in versions}
    previous: SubmissionVersion | None = None
    shown = []
    for version in versions:
        shown.append(
            {"version": version, "results": results[version.id], "changes": version_changes(previous, version)}
        )
        previous = version
    return {
        "versions": shown,
        "latest": versions[-1] if versions else None,
        "audit": repo.audit_trail(session, f"{facility.code}@{period}"),
    }


def record_fields(version: SubmissionVersion) -> list[tuple[str, Any]]:
    """The reported fields of a version, in the field table's order where known."""
    from carbonpeak.io.template import column_for

    hidden = {"record_id", "facility_id", "period"}
    items = [(k, v) for k, v in version.record.items() if k not in hidden and v not in (None, "", [])]
    known = [(k, v) for k, v in items if column_for(k) is not None]
    other = [(k, v) for k, v in items if column_for(k) is None]
    return known + other


def provenance(session: Session, facility: Facility, version: SubmissionVersion) -> dict[str, Any]:
    """How a month's figures were made: the method, each term with its formula, inputs and cited
    parameters (re-derived by the accounting from the stored record), and the stored result with the
    snapshot of parameter values it was computed with."""
    stored = repo.results_of(session, version)
    result = stored[-1] if stored else None
    snapshot = session.get(ParameterSnapshot, result.parameter_fingerprint) if result else None
    record = {**version.record, "record_id": f"{facility.code}@{version.record['period']}#v{version.version}"}
    explanation: dict[str, Any] | None = None
    problem: str | None = None
    try:
        explanation = account(parse_records([record], source="store"), params(session)).explain(0)
    except CarbonpeakError as exc:
        problem = str(exc)
    differs = False
    if explanation is not None and result is not None:
        now = explanation["results"]
        differs = any(
            not _close(now.get(k), getattr(result, k))
            for k in ("total_location_tco2e", "total_market_tco2e", "energy_tce")
        )
    return {
        "result": result,
        "results": stored,
        "snapshot": snapshot.parameters if snapshot else [],
        "explanation": explanation,
        "problem": problem,
        "differs": differs,
    }


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def drafts(session: Session, principal: Principal) -> list[dict[str, Any]]:
    return months(session, principal, status="draft")


# ---------------------------------------------------------------- overview


def years_with_data(frame: pd.DataFrame) -> list[int]:
    return sorted({int(y) for y in frame["year"].dropna().unique()}) if not frame.empty else []


def overview(
    session: Session,
    cache: Cache,
    principal: Principal,
    region: Region,
    year: int,
    plan: str | None,
    edition: str | None,
) -> dict[str, Any]:
    """Figures of a region: totals, by year and sector, by city; indicators; the plan's targets."""
    access.require(principal, "overview.view")
    rows = facts(session, cache, principal)
    key = ("overview", fresh(session, cache), today(), scope_key(principal), region.code, year, plan, edition)
    return cache.get(key, lambda: _overview(session, cache, principal, rows, region, year, plan, edition))  # type: ignore[no-any-return]


def indicator_options(
    session: Session, edition: str | None, months: pd.DataFrame | None = None, as_of: dt.date | None = None
) -> ind.Options:
    """The inputs of indicators and targets, as the CLI's: the parameters in force, the regulator's
    statistics, the registry's green designations and the person's month states (coverage) on a day."""
    return ind.Options(
        params(session),
        edition,
        statistics=current_statistics(session),
        registry=green_registry(session),
        months=months,
        as_of=as_of,
    )


def prepared_region(
    session: Session, cache: Cache, principal: Principal, region: str, edition: str | None
) -> ind.Prepared | None:
    """A region's facts summed once (``indicators.definitions.prepare``), for every year; None when the
    region has no counted facility. Kept until the data change."""

    def make() -> ind.Prepared | None:
        rows = facts(session, cache, principal)
        options = indicator_options(session, edition, states(session, cache, principal), today())
        try:
            return ind.prepare(rows, region=region, options=options)
        except CarbonpeakError:
            return None

    key = ("prepared", fresh(session, cache), today(), scope_key(principal), region, edition)
    return cache.get(key, make)  # type: ignore[no-any-return]


def year_indicators(
    session: Session,
    cache: Cache,
    principal: Principal,
    region: str,
    year: int,
    edition: str | None,
) -> pd.DataFrame | None:
    """Every indicator of a region and year (``indicators.definitions.table``); None when the region has
    no counted facility. The table of every year with data is computed once and kept until the data
    change; a year is a slice of it (the same rows as computing that year alone)."""
    prepared = prepared_region(session, cache, principal, region, edition)
    if prepared is None:
        return None
    years = years_with_data(prepared.rows)
    if year not in years:
        return ind.table_years(prepared, [year]).drop(columns=["year"])
    key = ("indicator_years", fresh(session, cache), today(), scope_key(principal), region, edition)
    every = cache.get(key, lambda: ind.table_years(prepared, years))
    return every[every["year"] == year].drop(columns=["year"]).reset_index(drop=True)  # type: ignore[no-any-return]


def _overview(
    session: Session,
    cache: Cache,
    principal: Principal,
    rows: pd.DataFrame,
    region: Region,
    year: int,
    plan: str | None,
    edition: str | None,
) -> dict[str, Any]:
    # The same inputs as the CLI's: the regulator's statistics and the registry's green designations too.
    prepared = prepared_region(session, cache, principal, region.code, edition)
    in_region = prepared.rows if prepared is not None else rows.iloc[0:0]
    options = prepared.options if prepared is not None else indicator_options(session, edition)
    years = years_with_data(in_region)
    sectors = sorted(set(in_region["sector"].dropna())) if not in_region.empty else []

    def series(where: Any, indicator: str, sector: str | None = None) -> list[float | None]:
        """The indicator for every year with data (None where there is none)."""
        if where is None or not years:
            return [None] * len(years)
        values = ind.series(where, indicator, years, sector=sector)["value"]
        return [None if pd.isna(v) else float(v) for v in values.reindex(years)]

    def at(values: list[float | None], y: int) -> float | None:
        return values[years.index(y)] if y in years else None

    def covered(where: ind.Prepared | None, sector: str | None = None) -> cov.Coverage:
        return where.coverage_of(year, [sector] if sector else None) if where is not None else cov.Coverage()

    emissions = series(prepared, "emissions_location_tco2e")
    energy = series(prepared, "energy_tce")
    period = prepared.period(year) if prepared is not None else cov.YearPeriod(year, 0, False, False)
    by_year = {
        "years": years,
        # a partial year's bar is a cumulative figure: its label says which months (2025 1–9月)
        "periods": [prepared.period(y) if prepared is not None else cov.YearPeriod(y, 0, False, False) for y in years],
        "emissions_by_sector": {s: series(prepared, "emissions_location_tco2e", s) for s in sectors},
        "energy": energy,
        "emissions": emissions,
    }
    totals = {
        "emissions_location_tco2e": at(emissions, year),
        "emissions_market_tco2e": at(series(prepared, "emissions_market_tco2e"), year),
        "energy_tce": at(energy, year),
        "reporting_facilities": at(series(prepared, "reporting_facilities"), year),
    }
    comparison = _same_months(prepared, year, period)
    cities = []
    for child in child_regions(session, principal, region):
        part = prepared_region(session, cache, principal, child.code, edition)
        if part is None:
            continue  # no facility of this city reports
        city_emissions = at(series(part, "emissions_location_tco2e"), year)
        coverage = covered(part)
        if city_emissions is not None or coverage.left_out:
            cities.append(
                {
                    "region": child,
                    "emissions": city_emissions,
                    "energy": at(series(part, "energy_tce"), year),
                    "coverage": coverage,
                }
            )
    found = year_indicators(session, cache, principal, region.code, year, edition)
    table = found if found is not None else pd.DataFrame()
    targets: list[dict[str, Any]] = []
    target_problem = None
    if plan:
        try:
            targets = [
                e.as_dict()
                for e in evaluate_plan(
                    plan,
                    rows,
                    region=region.code,
                    year=year,
                    benchmark_edition=edition,
                    params=options.params,
                    options=options,
                    prepared=prepared,  # summed once for the figures above
                )
            ]
        except CarbonpeakError as exc:
            target_problem = str(exc)
    return {
        "years": years,
        "sectors": sectors,
        "by_year": by_year,
        "totals": totals,
        "previous": comparison["values"],
        "comparison": comparison,
        "period": period,
        "coverage": covered(prepared),
        "sector_coverage": {s: covered(prepared, s) for s in sectors},
        "cities": cities,
        "indicators": table.to_dict("records") if not table.empty else [],
        "targets": targets,
        "target_problem": target_problem,
        # the status rule's band, for the rule written out in the page's language
        "at_risk_band": params(session).value("indicators.status_rule", period=year, item="at_risk_band")
        if targets
        else None,
    }


def _same_months(prepared: ind.Prepared | None, year: int, period: cov.YearPeriod) -> dict[str, Any]:
    """The year before, for comparison (同比): its whole year, or for a partial year the same months of
    it (a 1–9月 figure is never compared with a whole year); with the change in percent."""
    out: dict[str, Any] = {"values": {}, "months": None, "change_pct": {}, "coverage": cov.Coverage()}
    if prepared is None:
        return out
    base = prepared
    if period.partial:
        base = ind.through_month(prepared, period.last_month)
        out["months"] = period.months_words()
    out["coverage"] = base.coverage_of(year - 1)
    now = {"emissions_location_tco2e": None, "energy_tce": None}
    for indicator in now:
        values = ind.series(base, indicator, [year - 1, year])["value"]
        before, current = values.get(year - 1), values.get(year)
        before = None if before is None or pd.isna(before) else float(before)
        out["values"][indicator] = before
        if before and current is not None and not pd.isna(current):
            out["change_pct"][indicator] = (float(current) / before - 1.0) * 100.0
    return out


def coverage_of(
    session: Session, cache: Cache, principal: Principal, region: str, year: int
) -> tuple[cov.Coverage, cov.YearPeriod]:
    """The coverage of a region's figures for a year (every sector) and the months they span today."""
    months = states(session, cache, principal)
    rows = cov.select_rows(months, region, months.attrs.get("clusters", {}))
    rows = rows if rows is not None else months.iloc[0:0]
    return cov.coverage(rows, rows["year"] == year), year_period(session, cache, principal, region, year)


def indicator_table(
    session: Session, cache: Cache, principal: Principal, region: Region, year: int, edition: str | None
) -> list[dict[str, Any]]:
    """The plan indicators of a region and year (``indicators.definitions.table`` with the parameters in
    force), as records; kept until the data change."""
    access.require(principal, "overview.view")
    try:
        table = year_indicators(session, cache, principal, region.code, year, edition)
    except CarbonpeakError:  # e.g. no base year in force for that year
        return []
    return [] if table is None else table.to_dict("records")  # type: ignore[no-any-return]


def plan_targets(
    session: Session, cache: Cache, principal: Principal, plan: str, region: Region, year: int, edition: str | None
) -> list[dict[str, Any]]:
    """A plan's targets for a region and year (``evaluate_plan``), as dicts; kept until the data change."""
    access.require(principal, "overview.view")

    def make() -> list[dict[str, Any]]:
        rows = facts(session, cache, principal)
        options = indicator_options(session, edition, states(session, cache, principal), today())
        evaluations = evaluate_plan(
            plan,
            rows,
            region=region.code,
            year=year,
            benchmark_edition=edition,
            params=options.params,
            options=options,
            prepared=prepared_region(session, cache, principal, region.code, edition),
        )
        return [e.as_dict() for e in evaluations]

    key = ("targets", fresh(session, cache), today(), scope_key(principal), plan, region.code, year, edition)
    return cache.get(key, make)  # type: ignore[no-any-return]


def plans_for(region: Region | None) -> list[tuple[str, dict[str, str]]]:
    """Plans, the one for the region's province first."""
    plans = list(params().plans.values())  # plans come from the shipped files only
    grid = (region.grid_province or "").lower() if region else ""
    plans.sort(key=lambda p: (p.region.lower() != grid, -len(p.targets), p.id))  # the province's main plan first
    # titles as shown: the official Chinese one, or ours marked 译名
    return [(p.id, {lang: p.shown_title(lang) for lang in ("zh", "en")}) for p in plans]


# ---------------------------------------------------------------- benchmark board


def benchmark(session: Session, cache: Cache, principal: Principal, year: int, edition: str | None) -> dict[str, Any]:
    access.require(principal, "benchmark.view")
    rows = facts(session, cache, principal)
    months = states(session, cache, principal)
    key = ("benchmark", fresh(session, cache), today(), scope_key(principal), year, edition)
    return cache.get(key, lambda: _benchmark(session, rows, months, year, edition))  # type: ignore[no-any-return]


def _benchmark(
    session: Session, rows: pd.DataFrame, months: pd.DataFrame, year: int, edition: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"classes": [], "shares": [], "cited": [], "surcharge": [], "surcharge_cited": []}
    # The board classifies facility-years of the benchmark fields: its coverage is theirs. Only months with
    # a result are summed (a waiting month would make a facility-year's energy look smaller).
    fields = months[(months["product"] != "") | months["sector"].isin([s.value for s in SECTOR_BENCHMARK_PRODUCT])]
    day = today()
    out["coverage"] = cov.coverage(fields, fields["year"] == year)
    out["period"] = cov.year_period(fields, year, day, ind.due_day(params(session), day))
    if rows.empty:
        return out
    has_result = rows["has_result"] if "has_result" in rows else rows["energy_tce"].notna()
    rows = rows[has_result.to_numpy(dtype=bool)]
    if rows.empty:
        return out
    years = ind.facility_year_frame(rows)
    chosen = years[(years["year"] == year) & (years["product"] != "")]
    names = {
        f.code: f for f in session.scalars(select(Facility).where(Facility.code.in_(sorted(set(years["facility_id"])))))
    }
    problems: list[str] = []
    cited_all: dict[str, Any] = {}
    for _product, group in chosen.groupby("product"):  # a product without official levels leaves the others
        try:
            table, shares, cited = classify_facilities(group, params(session), edition=edition)
        except CarbonpeakError as exc:
            problems.append(str(exc))
            out.setdefault("unclassified", []).append(str(_product))  # the board names it in the reader's language
            continue
        out["classes"] += [{**r, "facility": names.get(r["facility_id"])} for r in table.to_dict("records")]
        out["shares"] += shares.to_dict("records")
        cited_all.update({c.label: c for c in cited})
    out["cited"] = list(cited_all.values())
    if problems:
        out["class_problem"] = " ".join(problems)
    aluminium = years[(years["year"] == year) & (years["sector"] == "electrolytic_aluminium")]
    if not aluminium.empty:
        try:
            table, cited = surcharge_facilities(aluminium, params(session))
            out["surcharge"] = [{**r, "facility": names.get(r["facility_id"])} for r in table.to_dict("records")]
            out["surcharge_cited"] = cited
        except CarbonpeakError as exc:
            out["surcharge_problem"] = str(exc)
    return out


# ---------------------------------------------------------------- warnings


def warnings(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    kind: str | None = None,
    facility: str | None = None,
    open_only: bool = False,
    limit: int | None = None,
) -> list[Warning]:
    access.require(principal, "warning.view")
    query = select(Warning).where(access.warning_filter(principal))
    if status:
        query = query.where(Warning.status == status)
    if open_only:
        query = query.where(Warning.status != "closed")
    if kind:
        query = query.where(Warning.kind == kind)
    if facility:
        query = query.where(Warning.facility_code == facility)
    severity = case((Warning.severity == "high", 0), (Warning.severity == "medium", 1), else_=2)  # high first
    query = query.order_by(severity, Warning.deadline.is_(None), Warning.deadline.desc(), Warning.id.desc())
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def warning_counts(session: Session, principal: Principal) -> dict[str, int]:
    query = select(Warning.status, func.count()).where(access.warning_filter(principal)).group_by(Warning.status)
    return {status: count for status, count in session.execute(query)}


# ---------------------------------------------------------------- parameters


def parameter_families(session: Session) -> list[Any]:
    return [params(session).files[name] for name in params(session).families()]


def in_force(entry: Any, day: dt.date) -> bool:
    return (entry.valid_from is None or entry.valid_from <= day) and (entry.valid_to is None or day <= entry.valid_to)
