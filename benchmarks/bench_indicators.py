"""Benchmark: every indicator and every plan target for a province of 2,000 facilities x 10 years, and
for a country of 30 such provinces, beside the same indicators computed with straightforward SQL
through the ORM.

The data are the demo province's counted facility-months, cloned: facility ``i`` of a synthetic
province copies demo facility ``i mod 61`` scaled by a random factor, and year ``y`` of 2020-2029
copies demo year ``2020 + (y - 2020) mod 6``. For the province, each synthetic month is stored
once, locked, with its result, in a fresh SQLite file (bulk inserts; the set-up is not timed).

Timed, for the province (best of ``--repeat`` runs each):

* ``carbonpeak``: ``facility_months`` (read the store) + ``prepare`` + ``table_years`` for the 10 years
  + ``evaluate_plan`` for every plan (all 39 targets): what ``carbonpeak indicators`` and
  ``carbonpeak targets`` do; and the same without the read (facts already in memory);
* ``ORM SQL``: the straightforward alternative: one aggregate query through SQLAlchemy per year and
  sector (and for all sectors) over the summed flows, and one facility-year query per year and
  benchmark sector whose rows are then classified (with carbonpeak's classifier, so only the data
  access differs); the indicator values are checked equal to carbonpeak's. Target statuses are not
  included in this time (they would add queries; carbonpeak's time includes them).

For the country, 30 provinces' facts are built in memory one after another (as a national board
computes each province, reading each from the store); the time is that of ``prepare`` + table +
targets for each province plus the national table from the provinces' sums; reading 30 stores is
not included (30 x the province's read time, printed). Peak memory is the process's maximum
resident set (``ru_maxrss``).

Run with ``make bench`` (or ``python benchmarks/bench_indicators.py --facilities 2000 --provinces 30``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from carbonpeak.accounting.benchmark import classify_facilities
from carbonpeak.errors import ParameterNotFound
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import evaluate_plan
from carbonpeak.parameters import load
from carbonpeak.services import demo as demo_service
from carbonpeak.store import db
from carbonpeak.store.facts import RECORD_FIELDS, RESULT_FIELDS, facility_months
from carbonpeak.store.models import (
    Enterprise,
    Facility,
    Fact,
    ParameterSnapshot,
    Region,
    Result,
    Submission,
    SubmissionVersion,
)
from carbonpeak.vocabulary import SECTOR_BENCHMARK_PRODUCT, Sector

YEARS = list(range(2020, 2030))
EDITION = "2021"
SCALED = [*RECORD_FIELDS, *RESULT_FIELDS, "capacity_t_per_a"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def demo_template(workdir: Path) -> pd.DataFrame:
    url = f"sqlite:///{workdir / 'demo.db'}"
    db.upgrade(url)
    with db.transaction(url) as session:
        demo_service.load_demo(session)
    with db.transaction(url) as session:
        return facility_months(session)


def clone(template: pd.DataFrame, facilities: int, province: str, seed: int) -> pd.DataFrame:
    """A synthetic province of ``facilities`` facilities x 10 years, cloned from the demo's months."""
    rng = np.random.default_rng(seed)
    codes = sorted(template["facility_code"].unique())
    clones = pd.DataFrame(
        {
            "clone": np.arange(facilities),
            "source": [codes[i % len(codes)] for i in range(facilities)],
            "scale": rng.uniform(0.7, 1.3, facilities),
        }
    )
    parts = []
    for offset, year in enumerate(YEARS):
        source_year = 2020 + offset % 6
        months = template[template["year"] == source_year]
        part = clones.merge(months, left_on="source", right_on="facility_code")
        part["year"] = year
        part["period"] = str(year) + part["period"].str.slice(4)
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    for column in SCALED:
        frame[column] = frame[column] * frame["scale"]
    frame["facility_code"] = province + "-F" + frame["clone"].astype(str).str.zfill(5)
    frame["facility_id"] = frame["clone"] + 1
    frame["enterprise_code"] = province + "-" + frame["enterprise_code"] + "-" + (frame["clone"] // 61).astype(str)
    frame["province_code"] = province
    frame["city_code"] = province + "-" + frame["city_code"]
    frame["park_code"] = ""
    frame["version_id"] = np.arange(1, len(frame) + 1)
    frame["version"] = 1
    frame["status"] = "locked"
    frame = frame.drop(columns=["clone", "source", "scale"])
    frame.attrs["clusters"] = {}
    return frame


def store_province(url: str, facts: pd.DataFrame) -> None:
    """Bulk-insert the synthetic province: regions, enterprises, facilities, one locked version and result
    per month (the registry's own audited writes would take minutes for 240,000 months)."""
    db.upgrade(url)
    province = str(facts["province_code"].iloc[0])
    cities = sorted(facts["city_code"].unique())
    facilities = facts.drop_duplicates("facility_code")
    enterprises = sorted(facilities["enterprise_code"].unique())
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    with db.transaction(url) as session:
        session.execute(
            insert(Region),
            [{"id": 1, "code": province, "name_zh": province, "name_en": province, "level": "province"}]
            + [
                {"id": i + 2, "code": c, "name_zh": c, "name_en": c, "level": "city", "parent_id": 1}
                for i, c in enumerate(cities)
            ],
        )
        city_id = {c: i + 2 for i, c in enumerate(cities)}
        session.execute(
            insert(Enterprise),
            [
                {"id": i + 1, "code": e, "name_zh": e, "name_en": e, "uscc": f"{i:018d}", "region_id": 1}
                for i, e in enumerate(enterprises)
            ],
        )
        enterprise_id = {e: i + 1 for i, e in enumerate(enterprises)}
        session.execute(
            insert(Facility),
            [
                {
                    "id": int(f.facility_id),
                    "code": f.facility_code,
                    "enterprise_id": enterprise_id[f.enterprise_code],
                    "name_zh": f.facility_code,
                    "name_en": f.facility_code,
                    "region_id": city_id[f.city_code],
                    "sector": f.sector,
                    "product": f.product or "",
                    "technology": f.technology or "",
                    "capacity_t_per_a": float(f.capacity_t_per_a),
                }
                for f in facilities.itertuples()
            ],
        )
        session.execute(insert(ParameterSnapshot), [{"fingerprint": "bench", "parameters": []}])
        ids = facts["version_id"].to_numpy()
        session.execute(
            insert(Submission),
            [
                {"id": int(i), "facility_id": int(f), "period": p}
                for i, f, p in zip(ids, facts["facility_id"], facts["period"], strict=True)
            ],
        )
        records = facts[RECORD_FIELDS].to_dict("records")
        session.execute(
            insert(SubmissionVersion),
            [
                {
                    "id": int(i),
                    "submission_id": int(i),
                    "version": 1,
                    "status": "locked",
                    "record": {k: v for k, v in r.items() if not (isinstance(v, float) and math.isnan(v))}
                    | {"period": p, "metering": "meter"},
                    "created_by": "bench",
                    "created_at": now,
                }
                for i, r, p in zip(ids, records, facts["period"], strict=True)
            ],
        )
        fact_rows = facts[["version_id", "facility_id", "period", *RECORD_FIELDS]].copy()
        fact_rows["submission_id"], fact_rows["version"], fact_rows["status"] = fact_rows["version_id"], 1, "locked"
        fact_rows["metering"], fact_rows["result_id"] = "meter", fact_rows["version_id"]
        for name in RESULT_FIELDS:
            fact_rows[name] = facts[name].fillna(0.0)
        fact_rows = fact_rows.astype(object).where(fact_rows.notna(), None)
        results = facts[RESULT_FIELDS].fillna(0.0).to_dict("records")
        session.execute(
            insert(Result),
            [
                {
                    "id": int(i),
                    "version_id": int(i),
                    "method": "bench",
                    "parameter_fingerprint": "bench",
                    "values": r,
                    "total_location_tco2e": r["total_location_tco2e"],
                    "total_market_tco2e": r["total_market_tco2e"],
                    "energy_tce": r["energy_tce"],
                    "computed_at": now,
                }
                for i, r in zip(ids, results, strict=True)
            ],
        )
        session.execute(insert(Fact), fact_rows.to_dict("records"))  # the flat facts, as save_versions writes them


def carbonpeak_all(facts: pd.DataFrame, region: str, options: ind.Options) -> tuple[pd.DataFrame, int]:
    prepared = ind.prepare(facts, region=region, options=options)
    table = ind.table_years(prepared, YEARS)
    targets = sum(
        len(evaluate_plan(plan, facts, region=region, year=YEARS[-1], options=options, prepared=prepared))
        for plan in options.params.plans
    )
    return table, targets


def orm_indicators(session: Session, options: ind.Options) -> dict[tuple[str, str, int], float | None]:
    """The straightforward alternative: aggregate queries through the ORM, year by year, sector by sector."""

    def record(name: str) -> Any:
        return SubmissionVersion.record[name].as_float()

    sums = {
        "energy_tce": func.sum(Result.energy_tce),
        "total_location_tco2e": func.sum(Result.total_location_tco2e),
        "total_market_tco2e": func.sum(Result.total_market_tco2e),
        "output_t": func.sum(record("output_t")),
        "direct_alloying_t": func.sum(record("direct_alloying_t")),
        "solid_waste_generated_t": func.sum(record("solid_waste_generated_t")),
        "solid_waste_used_t": func.sum(record("solid_waste_used_t")),
        **{name: func.sum(record(name)) for name in RECORD_FIELDS if name.endswith("_mwh")},
        "months": func.count(SubmissionVersion.id),
        "facilities": func.count(func.distinct(Submission.facility_id)),
    }
    base = (
        select(*sums.values())
        .select_from(Result)
        .join(SubmissionVersion, SubmissionVersion.id == Result.version_id)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .join(Facility, Facility.id == Submission.facility_id)
        .where(SubmissionVersion.status.in_(("verified", "locked")))
    )
    sectors = sorted(session.scalars(select(Facility.sector).distinct()))
    out: dict[tuple[str, str, int], float | None] = {}

    def ratio(a: float | None, b: float | None, scale: float = 1.0) -> float | None:
        return None if not b else (a or 0.0) / b * scale

    for year in YEARS:
        by_sector = {}
        for sector in [None, *sectors]:
            query = base.where(Submission.period.like(f"{year}-%"))
            if sector is not None:
                query = query.where(Facility.sector == sector)
            row = dict(zip(sums, session.execute(query).one(), strict=True))
            by_sector[sector or "all"] = row
            key = sector or "all"
            for indicator, name in (
                ("energy_tce", "energy_tce"),
                ("emissions_location_tco2e", "total_location_tco2e"),
                ("emissions_market_tco2e", "total_market_tco2e"),
            ):
                out[(indicator, key, year)] = row[name]
            if sector is None:
                out[("reporting_facilities", key, year)] = row["facilities"]
            else:
                out[("energy_intensity_kgce_per_t", key, year)] = ratio(row["energy_tce"], row["output_t"], 1000)
        al = by_sector.get("electrolytic_aluminium", {})
        renewable = sum(
            al.get(k) or 0 for k in ("direct_renewable_mwh", "green_certificate_mwh", "onsite_renewable_mwh")
        )
        used = sum(al.get(k) or 0 for k in ("grid_electricity_mwh", "captive_electricity_mwh", "onsite_renewable_mwh"))
        out[("renewable_share_electricity", "all", year)] = ratio(
            renewable, used - (al.get("exported_electricity_mwh") or 0), 100
        )
        recycled = sum(by_sector[s]["output_t"] or 0 for s in by_sector if s in ind.RECYCLED_METALS)
        primary = sum(by_sector[s]["output_t"] or 0 for s in by_sector if s in ind.PRIMARY_METALS)
        out[("recycled_metal_share", "all", year)] = ratio(recycled, recycled + primary, 100)
        out[("solid_waste_utilisation_rate", "all", year)] = ratio(
            by_sector["all"]["solid_waste_used_t"], by_sector["all"]["solid_waste_generated_t"], 100
        )
        for sector in sectors:
            if Sector(sector) not in SECTOR_BENCHMARK_PRODUCT:
                continue
            flows = ["output_t", "electrolysis_ac_mwh", "auxiliary_ac_mwh", "desulphurisation_mwh"]
            query = (
                select(
                    Facility.code,
                    Facility.product,
                    func.max(Facility.capacity_t_per_a),
                    *(func.sum(record(f)) for f in flows),
                    func.sum(Result.energy_tce),
                    func.count(SubmissionVersion.id),
                )
                .select_from(Result)
                .join(SubmissionVersion, SubmissionVersion.id == Result.version_id)
                .join(Submission, Submission.id == SubmissionVersion.submission_id)
                .join(Facility, Facility.id == Submission.facility_id)
                .where(
                    SubmissionVersion.status.in_(("verified", "locked")),
                    Submission.period.like(f"{year}-%"),
                    Facility.sector == sector,
                )
                .group_by(Facility.code, Facility.product)
            )
            rows = session.execute(query).all()
            frame = pd.DataFrame(
                rows, columns=["facility_id", "product", "capacity_t_per_a", *flows, "energy_tce", "months"]
            )
            frame = frame.fillna({f: 0.0 for f in flows})
            frame["product"] = frame["product"].where(frame["product"] != "", SECTOR_BENCHMARK_PRODUCT[Sector(sector)])
            frame["year"], frame["sector"] = year, sector
            output = frame["output_t"].replace(0, np.nan)
            frame["ac_power_liquid_aluminium_kwh_per_t"] = frame["electrolysis_ac_mwh"] * 1000 / output
            comprehensive = frame["electrolysis_ac_mwh"] + frame["auxiliary_ac_mwh"]
            frame["comprehensive_ac_power_kwh_per_t"] = comprehensive * 1000 / output
            frame["comprehensive_ac_power_excl_desulphurisation_kwh_per_t"] = (
                (comprehensive - frame["desulphurisation_mwh"]) * 1000 / output
            )
            frame["comprehensive_energy_kgce_per_t"] = frame["energy_tce"] * 1000 / output
            try:
                table = classify_facilities(frame, options.params, edition=EDITION)[0]
            except ParameterNotFound:  # no official level for the product: no share, as carbonpeak says
                out[("capacity_share_below_baseline", sector, year)] = None
                continue
            table = table[table["class"] != "not_classified"]
            capacity = table["capacity_t_per_a"].fillna(0.0)
            out[("capacity_share_below_baseline", sector, year)] = ratio(
                capacity[table["class"] == "below_baseline"].sum(), capacity.sum(), 100
            )
    return out


def check_equal(table: pd.DataFrame, orm: dict[tuple[str, str, int], float | None]) -> int:
    ours = {(r.indicator, r.sector, int(r.year)): r.value for r in table[table["scope"] == ind.REPORTING].itertuples()}
    checked = 0
    for key, value in orm.items():
        mine = ours.get(key)
        if value is None and mine is None:
            continue
        if mine is None or value is None or not math.isclose(float(mine), float(value), rel_tol=1e-9, abs_tol=1e-9):
            raise AssertionError(f"{key}: carbonpeak {mine} vs ORM {value}")
        checked += 1
    return checked


def best(repeat: int, run: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=2000)
    parser.add_argument("--provinces", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    params = load()
    options = ind.Options(params, benchmark_edition=EDITION)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        template = demo_template(workdir)
        province = clone(template, args.facilities, "P00", seed=0)
        url = f"sqlite:///{workdir / 'province.db'}"
        store_province(url, province)
        n_targets = sum(len(p.targets) for p in params.plans.values())
        print(
            f"province: {args.facilities} facilities x {len(YEARS)} years = {len(province):,} facility-months "
            f"(stored in SQLite); {len(ind.INDICATORS)} indicators, {n_targets} targets of {len(params.plans)} plans"
        )

        def read() -> pd.DataFrame:
            with db.transaction(url) as session:
                return facility_months(session)

        read_s, facts = best(args.repeat, read)
        assert len(facts) == len(province)
        compute_s, (table, targets) = best(args.repeat, lambda: carbonpeak_all(facts, "P00", options))
        rss_ours = peak_mb()

        def orm() -> dict[tuple[str, str, int], float | None]:
            with db.transaction(url) as session:
                return orm_indicators(session, options)

        orm_s, orm_values = best(1 if args.repeat > 1 else args.repeat, orm)
        checked = check_equal(table, orm_values)
        print(
            f"  carbonpeak: read the store {read_s:.3f} s + all indicators ({len(table):,} values) and {targets} "
            f"target evaluations {compute_s:.3f} s = {read_s + compute_s:.3f} s (best of {args.repeat}); "
            f"peak RSS {rss_ours:,.0f} MB"
        )
        print(
            f"  ORM SQL (straightforward, indicators only, no targets): {orm_s:.3f} s; "
            f"{checked} values equal to carbonpeak's; ratio {orm_s / (read_s + compute_s):.1f}x"
        )

        country_s = 0.0
        national: list[pd.DataFrame] = []
        notes: dict[tuple[int, str], str] = {}
        for p in range(args.provinces):
            facts_p = clone(template, args.facilities, f"P{p:02d}", seed=p)
            start = time.perf_counter()
            prepared = ind.prepare(facts_p, region=f"P{p:02d}", options=options)
            ind.table_years(prepared, YEARS)
            for plan in params.plans:
                evaluate_plan(plan, facts_p, region=f"P{p:02d}", year=YEARS[-1], options=options, prepared=prepared)
            national.append(prepared.sums)
            notes |= prepared.class_notes
            country_s += time.perf_counter() - start
            del facts_p
        start = time.perf_counter()
        sums = pd.concat(national).groupby(level=["year", "sector"]).sum()
        country = ind.Prepared(None, options, pd.DataFrame(), sums, notes, pd.DataFrame(), None)
        national_table = ind.table_years(country, YEARS)
        country_s += time.perf_counter() - start
        print(
            f"country: {args.provinces} provinces x {args.facilities} facilities = "
            f"{args.provinces * len(province):,} facility-months: every province's indicators and targets and the "
            f"national table ({len(national_table):,} values) {country_s:.2f} s "
            f"({country_s / args.provinces:.3f} s per province; reading 30 stores would add about "
            f"{args.provinces * read_s:.0f} s); peak RSS {peak_mb():,.0f} MB"
        )


if __name__ == "__main__":
    main()
