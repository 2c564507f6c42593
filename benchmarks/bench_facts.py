"""Benchmark: reading a province's and a country's counted facility-months from the flat facts table.

Province: the demo province's counted months cloned to 2,000 facilities x 10 years (as
``bench_indicators.py`` clones them), stored in a fresh SQLite file with their versions, results and
facts rows. Each read is *cold*: a new process (``spawn``) opens the database and calls
``facility_months`` once; best and every run are printed. Beside it, in the same run, the reader
before the facts table: the same months read from the versions' JSON documents and latest results
(one query, orjson parsing, as ``facility_months`` did until 0008).

Country: 30 such provinces (each with its own facility ids, codes, cities and enterprises) in one
fresh PostgreSQL database (a scratch database created and dropped here); only the registry and the
facts rows are written (COPY), which is all ``facility_months`` reads. Timed, each in a fresh process:
the whole country in one read, and the 30 provinces read one after another (``facility_codes``) as a
national board reading each province. Peak memory is the reading process's own peak resident set (VmHWM).

Run with ``make bench`` (or ``python benchmarks/bench_facts.py --facilities 2000 --provinces 30``).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_import
import bench_indicators
import numpy as np
import pandas as pd

FACT_NAMES = [*bench_indicators.RECORD_FIELDS, *bench_indicators.RESULT_FIELDS]


# ------------------------------------------------------------------ readers (run in a child)


def _json_reader(url: str) -> int:
    """The reader before the facts table: the versions' JSON documents and latest results, parsed per row."""
    import orjson
    from sqlalchemy import Text, cast, func, select

    from carbonpeak.store import db
    from carbonpeak.store.facts import load_registry
    from carbonpeak.store.models import Result, Submission, SubmissionVersion

    best = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
        .where(SubmissionVersion.status.in_(("verified", "locked")))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    latest = select(Result.version_id, func.max(Result.id).label("rid")).group_by(Result.version_id).subquery()
    query = (
        select(
            Submission.facility_id,
            Submission.period,
            SubmissionVersion.id,
            SubmissionVersion.version,
            SubmissionVersion.status,
            cast(SubmissionVersion.record, Text),
            cast(Result.values, Text),
        )
        .join(best, best.c.submission_id == Submission.id)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id) & (SubmissionVersion.version == best.c.version),
        )
        .outerjoin(latest, latest.c.version_id == SubmissionVersion.id)
        .outerjoin(Result, Result.id == latest.c.rid)
    )
    with db.transaction(url) as session:
        fetched = session.connection().execute(query).all()
        columns = list(zip(*fetched, strict=True))
        records = pd.DataFrame.from_records([orjson.loads(t) for t in columns[5]], columns=FACT_NAMES[:18])
        values = pd.DataFrame.from_records([orjson.loads(t) if t else {} for t in columns[6]], columns=FACT_NAMES[18:])
        frame = pd.DataFrame({"facility_id": np.asarray(columns[0]), "period": np.asarray(columns[1], dtype=object)})
        for name in FACT_NAMES[:18]:
            frame[name] = pd.to_numeric(records[name], errors="coerce").to_numpy()
        for name in FACT_NAMES[18:]:
            frame[name] = pd.to_numeric(values[name], errors="coerce").to_numpy()
        registry = load_registry(session)
        frame = frame.merge(registry.facilities.rename(columns={"id": "facility_id"}), on="facility_id", how="left")
    return len(frame)


def _facts_reader(url: str, codes: list[list[str]] | None = None) -> int:
    from carbonpeak.store import db
    from carbonpeak.store.facts import facility_months

    count = 0
    with db.transaction(url) as session:
        if codes is None:
            count = len(facility_months(session))
        else:
            for province in codes:  # one province after another
                count += len(facility_months(session, facility_codes=province))
    return count


def _child(name: str, url: str, codes: list[list[str]] | None, queue: Any) -> None:

    started = time.perf_counter()
    rows = _json_reader(url) if name == "json" else _facts_reader(url, codes)
    queue.put((time.perf_counter() - started, rows, bench_import.peak_mib()))


def measure(name: str, url: str, codes: list[list[str]] | None = None) -> tuple[float, int, float]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(name, url, codes, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


# ------------------------------------------------------------------ the country in PostgreSQL


def store_country(url: str, template: pd.DataFrame, facilities: int, provinces: int) -> tuple[int, list[list[str]]]:
    """Registry and facts rows of ``provinces`` synthetic provinces (COPY); returns months and codes."""
    from carbonpeak.store import bulk, db
    from carbonpeak.store.models import Enterprise, Facility, Fact, Region, Submission, SubmissionVersion

    db.upgrade(url)
    months, codes = 0, []
    region_id = enterprise_id = 0
    with db.transaction(url) as session:
        session.execute(Fact.__table__.delete())
    for p in range(provinces):
        name = f"P{p:02d}"
        facts = bench_indicators.clone(template, facilities, name, seed=p)
        offset = p * facilities
        facts["facility_id"] = facts["facility_id"] + offset
        facts["version_id"] = facts["version_id"] + months
        with db.transaction(url) as session:
            cities = sorted(facts["city_code"].unique())
            rows = [(region_id + 1, name, name, name, "province", None)]
            rows += [(region_id + 2 + i, c, c, c, "city", region_id + 1) for i, c in enumerate(cities)]
            bulk.insert_rows(
                session, Region.__table__, ["id", "code", "name_zh", "name_en", "level", "parent_id"], rows
            )
            city_id = {c: region_id + 2 + i for i, c in enumerate(cities)}
            region_id += len(rows)
            firms = sorted(facts["enterprise_code"].unique())
            firm_id = {e: enterprise_id + 1 + i for i, e in enumerate(firms)}
            bulk.insert_rows(
                session,
                Enterprise.__table__,
                [
                    "id",
                    "code",
                    "name_zh",
                    "name_en",
                    "uscc",
                    "region_id",
                    "state_owned",
                    "key_energy_user",
                    "national_carbon_market",
                    "green_supply_chain",
                ],
                [
                    (firm_id[e], e, e, e, f"{firm_id[e]:018d}", region_id - len(rows) + 1, False, False, False, False)
                    for e in firms
                ],
            )
            enterprise_id += len(firms)
            plants = facts.drop_duplicates("facility_code")
            bulk.insert_rows(
                session,
                Facility.__table__,
                [
                    "id",
                    "code",
                    "enterprise_id",
                    "name_zh",
                    "name_en",
                    "region_id",
                    "sector",
                    "process_route",
                    "technology",
                    "product",
                    "capacity_t_per_a",
                    "status",
                ],
                [
                    (
                        int(f.facility_id),
                        f.facility_code,
                        firm_id[f.enterprise_code],
                        f.facility_code,
                        f.facility_code,
                        city_id[f.city_code],
                        f.sector,
                        "",
                        f.technology or "",
                        f.product or "",
                        float(f.capacity_t_per_a),
                        "operating",
                    )
                    for f in plants.itertuples()
                ],
            )
            codes.append(plants["facility_code"].tolist())
            ids = facts["version_id"].to_numpy()
            bulk.insert_rows(
                session,
                Submission.__table__,
                ["id", "facility_id", "period"],
                list(zip(ids.tolist(), facts["facility_id"].tolist(), facts["period"].tolist(), strict=True)),
            )
            record = {"bench": True}  # the versions' documents are not read by facility_months
            bulk.insert_rows(
                session,
                SubmissionVersion.__table__,
                ["id", "submission_id", "version", "status", "record", "created_by", "created_at"],
                [(i, i, 1, "locked", record, "bench", "2026-12-05T00:00:00+00:00") for i in ids.tolist()],
            )
            numbers = [np.where(facts[n].isna(), None, facts[n].astype(object)).tolist() for n in FACT_NAMES]
            bulk.insert_rows(
                session,
                Fact.__table__,
                [
                    "version_id",
                    "submission_id",
                    "facility_id",
                    "period",
                    "version",
                    "status",
                    "metering",
                    "result_id",
                    *FACT_NAMES,
                ],
                [
                    (i, i, f, period, 1, "locked", "meter", i, *values)
                    for i, f, period, *values in zip(
                        ids.tolist(), facts["facility_id"].tolist(), facts["period"].tolist(), *numbers, strict=True
                    )
                ],
            )
        months += len(facts)
        del facts
    db.engine_for(url).dispose()
    return months, codes


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=2000)
    parser.add_argument("--provinces", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        template = bench_indicators.demo_template(workdir)
        province = bench_indicators.clone(template, args.facilities, "P00", seed=0)
        url = f"sqlite:///{workdir / 'province.db'}"
        bench_indicators.store_province(url, province)
        print(f"province: {args.facilities} facilities x 10 years = {len(province):,} facility-months in SQLite")
        for name, label in (("facts", "facts table (facility_months)"), ("json", "versions' JSON documents (before)")):
            runs = [measure(name, url) for _ in range(args.repeat)]
            assert all(rows == len(province) for _, rows, _ in runs), runs
            times = ", ".join(f"{s:.3f}" for s, _, _ in runs)
            print(
                f"  cold read from the {label}: best {min(s for s, _, _ in runs):.3f} s (runs: {times}); "
                f"peak {max(m for _, _, m in runs):,.0f} MiB"
            )
        del province
    problem = bench_import.postgres_problem()
    if problem:
        print(f"country: not measured: {problem}")
        return
    try:
        pg_url = bench_import.fresh_database("postgresql", workdir, "country")
        started = time.perf_counter()
        months, codes = store_country(pg_url, template, args.facilities, args.provinces)
        print(
            f"country: {args.provinces} provinces x {args.facilities} facilities = {months:,} facility-months in "
            f"PostgreSQL (registry and facts rows written in {time.perf_counter() - started:.0f} s, not timed)"
        )
        seconds, rows, peak = measure("facts", pg_url)
        assert rows == months, (rows, months)
        print(f"  cold read of the whole country in one call: {seconds:.2f} s; peak {peak:,.0f} MiB")
        seconds, rows, peak = measure("facts", pg_url, codes)
        assert rows == months, (rows, months)
        print(
            f"  cold read province by province ({args.provinces} calls): {seconds:.2f} s "
            f"({seconds / args.provinces:.3f} s a province); peak {peak:,.0f} MiB"
        )
    finally:
        bench_import.drop_scratch()


if __name__ == "__main__":
    main()
