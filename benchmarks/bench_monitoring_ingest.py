"""Ingest of meter readings with de-duplication, against PostgreSQL COPY of the same readings without it.

Usage: ``python benchmarks/bench_monitoring_ingest.py [--readings 1000000] [--batch 100000]
[--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--out var/bench/monitoring_ingest.md]``

Readings: ``--readings`` values of 1,000 meters at 15-minute intervals, written in batches of ``--batch``:

* the DuckDB store (:class:`carbonpeak.monitoring.store.DuckDBStore`, a file in a temporary folder): every
  batch new, then the same batches again (all duplicates: the resend case);
* the PostgreSQL store (:class:`carbonpeak.monitoring.store.PostgresStore`, a database made for the run and
  dropped after): the same two passes;
* PostgreSQL ``COPY`` of the same rows into a table without a key: no de-duplication, no versions: the
  floor the issue compares with.

The Reading objects are made before the clock starts (building them is the caller's cost, reported apart).
Peak resident memory is the process's (``ru_maxrss``). This is not the MQTT or HTTP path: the transports and
the 500,000 readings/s goal of issue #15 are not measured here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carbonpeak.monitoring.readings import Reading
from carbonpeak.monitoring.store import DuckDBStore, PostgresStore, conninfo

METERS = 1000


def make(count: int) -> list[Reading]:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    received = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    per_meter = max(1, count // METERS)
    quarter = dt.timedelta(minutes=15)
    return [
        Reading(f"M{m:04d}", start + i * quarter, float(i % 97), received, f"msg-{i}")
        for i in range(per_meter)
        for m in range(METERS)
    ]


def timed(store: DuckDBStore | PostgresStore, batches: list[list[Reading]]) -> float:
    began = time.perf_counter()
    for batch in batches:
        store.write(batch)
    return time.perf_counter() - began


def copy_without_dedup(url: str, readings: list[Reading]) -> float:
    with psycopg.connect(conninfo(url)) as con:
        con.execute(
            "CREATE TABLE plain_copy (meter varchar(60), interval_start timestamptz, value double precision,"
            " received_at timestamptz, message_id varchar(200), source varchar(20))"
        )
        con.commit()
        began = time.perf_counter()
        with con.cursor().copy("COPY plain_copy FROM STDIN") as copy:
            for r in readings:
                copy.write_row((r.meter, r.interval_start, r.value, r.received_at, r.message_id, r.source))
        con.commit()
        return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    began = time.perf_counter()
    readings = make(args.readings)
    built = time.perf_counter() - began
    n = len(readings)
    batches = [readings[i : i + args.batch] for i in range(0, n, args.batch)]
    rows: list[tuple[str, float]] = []

    with tempfile.TemporaryDirectory() as folder:
        duck = DuckDBStore(Path(folder) / "bench.duckdb")
        rows.append(("DuckDB store, new readings (de-duplicated, versioned)", timed(duck, batches)))
        rows.append(("DuckDB store, the same readings again (all duplicates)", timed(duck, batches)))
        assert duck.count() == n
        duck.close()

    name = f"cp_bench_monitoring_{int(time.time())}"
    with psycopg.connect(conninfo(args.postgres), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    try:
        pg = PostgresStore(url)
        rows.append(("PostgreSQL store, new readings (COPY to staging + merge)", timed(pg, batches)))
        rows.append(("PostgreSQL store, the same readings again (all duplicates)", timed(pg, batches)))
        assert pg.count() == n
        pg.close()
        rows.append(
            ("PostgreSQL COPY into a table without a key (no de-duplication)", copy_without_dedup(url, readings))
        )
    finally:
        with psycopg.connect(conninfo(args.postgres), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"{n:,} readings of {METERS:,} meters, batches of {args.batch:,}; building the Reading objects "
        f"(not timed): {built:.1f} s; peak resident memory of the process: {peak_mb:,.0f} MB",
        "",
        "| path | time | readings per second |",
        "|---|---|---|",
        *[f"| {label} | {seconds:.2f} s | {n / seconds:,.0f} |" for label, seconds in rows],
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
