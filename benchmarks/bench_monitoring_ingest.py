"""Ingest of meter readings with de-duplication, against PostgreSQL COPY of the same readings without it.

Usage: ``python benchmarks/bench_monitoring_ingest.py [--readings 1000000] [--batch 100000]
[--messages 20000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
[--out var/bench/monitoring_ingest.md]``

Readings: ``--readings`` values of 1,000 meters at 15-minute intervals, written in batches of ``--batch``,
side by side in one run:

* the DuckDB store (:class:`carbonpeak.monitoring.store.DuckDBStore`, a file in a temporary folder) and the
  PostgreSQL store (:class:`carbonpeak.monitoring.store.PostgresStore`, a database made for the run and
  dropped after), each given the batch as columns (``write_frame``) and as ``Reading`` objects
  (``write``); every batch new, then the same batches again (all duplicates: the resend case);
* PostgreSQL ``COPY`` of the same rows into a table without a key (no de-duplication, no versions: the floor
  the issue compares with), row by row from Python (``write_row``, the figure of the first run) and as one
  CSV text made by pandas (the same way the store's columnar path sends its batch);
* the ingest pipeline every transport calls (:func:`carbonpeak.services.monitoring_ingest.ingest`: decode
  the JSON payloads, check each reading against the meter registry, store in one transaction), without the
  transport: batched payloads (``--per-message`` readings per message, the commit batch of the MQTT
  subscriber, 200 messages, per call) and single-reading messages (``--messages`` of them, 200 per call).

Building the Reading objects, the columns and the payloads is not timed (reported apart). Peak resident
memory is the process's (``ru_maxrss``). The MQTT and HTTP transports themselves are not timed here.
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

import numpy as np
import pandas as pd

from carbonpeak.monitoring.payload import encode_json
from carbonpeak.monitoring.readings import Reading
from carbonpeak.monitoring.store import DuckDBStore, PostgresStore, columns, conninfo
from carbonpeak.services.monitoring_ingest import Message, MeterIndex, ingest

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


def frames(count: int, batch: int) -> list[pd.DataFrame]:
    """The same readings as :func:`make`, as column batches (built with NumPy, no object per reading)."""
    per_meter = max(1, count // METERS)
    step = np.arange(per_meter, dtype=np.int64).repeat(METERS)
    meter = np.tile(np.array([f"M{m:04d}" for m in range(METERS)], dtype=object), per_meter)
    start = np.datetime64("2026-01-01T00:00:00", "us") + step * np.timedelta64(15, "m")
    value = (step % 97).astype(float)
    message = np.array([f"msg-{i}" for i in range(per_meter)], dtype=object).repeat(METERS)
    received = pd.Timestamp("2026-06-01", tz="UTC")
    return [
        columns(meter[i : i + batch], start[i : i + batch], value[i : i + batch], received, message[i : i + batch])
        for i in range(0, len(meter), batch)
    ]


def timed(store: DuckDBStore | PostgresStore, batches: list[list[Reading]]) -> float:
    began = time.perf_counter()
    for batch in batches:
        store.write(batch)
    return time.perf_counter() - began


def timed_frames(store: DuckDBStore | PostgresStore, batches: list[pd.DataFrame]) -> float:
    began = time.perf_counter()
    for batch in batches:
        store.write_frame(batch)
    return time.perf_counter() - began


def payloads(count: int, per_message: int, first_step: int = 0) -> list[bytes]:
    """carbonpeak.readings/1 messages of ``per_message`` readings (one gateway per 1,000 meters' slice)."""
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    quarter = dt.timedelta(minutes=15)
    out, items = [], []
    for i in range(count):
        step, m = divmod(i, METERS)
        items.append((f"M{m:04d}", start + (first_step + step) * quarter, float(step % 97)))
        if len(items) == per_message:
            out.append(encode_json(f"gw-{first_step}-{len(out)}", "GW", items))
            items = []
    if items:
        out.append(encode_json(f"gw-{first_step}-{len(out)}", "GW", items))
    return out


def timed_ingest(store: DuckDBStore, meters: MeterIndex, messages: list[bytes], per_call: int) -> float:
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    began = time.perf_counter()
    for i in range(0, len(messages), per_call):
        result = ingest(store, meters, [Message(p, "E1") for p in messages[i : i + per_call]], received_at=now)
        assert not result.rejected, result.rejected[:3]
    return time.perf_counter() - began


def copy_csv_without_dedup(url: str, batches: list[pd.DataFrame]) -> float:
    with psycopg.connect(conninfo(url)) as con:
        con.execute(
            "CREATE TABLE plain_csv (meter varchar(60), interval_start timestamptz, value double precision,"
            " received_at timestamptz, message_id varchar(200), source varchar(20))"
        )
        con.commit()
        began = time.perf_counter()
        for batch in batches:
            data = batch[["meter", "interval_start", "value", "received_at", "message_id", "source"]].to_csv(
                index=False, header=False, date_format="%Y-%m-%d %H:%M:%S.%f%z"
            )
            with con.cursor().copy("COPY plain_csv FROM STDIN (FORMAT csv)") as copy:
                copy.write(data.encode())
        con.commit()
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
    parser.add_argument("--per-message", type=int, default=1000, help="readings per batched message")
    parser.add_argument("--messages", type=int, default=20_000, help="single-reading messages")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    began = time.perf_counter()
    readings = make(args.readings)
    built = time.perf_counter() - began
    n = len(readings)
    batches = [readings[i : i + args.batch] for i in range(0, n, args.batch)]
    began = time.perf_counter()
    column_batches = frames(n, args.batch)
    built_columns = time.perf_counter() - began
    began = time.perf_counter()
    batched = payloads(n, args.per_message)
    singles = payloads(args.messages, 1, first_step=n // METERS + 10)
    built_payloads = time.perf_counter() - began
    rows: list[tuple[str, float, int]] = []
    meters = MeterIndex.of(
        [
            {"meter_code": f"M{m:04d}", "enterprise_code": "E1", "interval_min": 15, "status": "active"}
            for m in range(METERS)
        ]
    )

    with tempfile.TemporaryDirectory() as folder:
        duck = DuckDBStore(Path(folder) / "columns.duckdb")
        rows.append(
            ("DuckDB store, columns, new readings (de-duplicated, versioned)", timed_frames(duck, column_batches), n)
        )
        rows.append(("DuckDB store, columns, the same again (all duplicates)", timed_frames(duck, column_batches), n))
        assert duck.count() == n
        duck.close()
        duck = DuckDBStore(Path(folder) / "objects.duckdb")
        rows.append(("DuckDB store, Reading objects, new readings", timed(duck, batches), n))
        rows.append(("DuckDB store, Reading objects, the same again (all duplicates)", timed(duck, batches), n))
        assert duck.count() == n
        duck.close()
        duck = DuckDBStore(Path(folder) / "pipeline.duckdb")
        label = f"pipeline (decode, check, store) on DuckDB, messages of {args.per_message:,} readings, 200 per commit"
        rows.append((label, timed_ingest(duck, meters, batched, 200), n))
        rows.append(("the same messages again (all duplicates)", timed_ingest(duck, meters, batched, 200), n))
        rows.append(
            (
                "pipeline on DuckDB, single-reading messages, 200 per commit",
                timed_ingest(duck, meters, singles, 200),
                len(singles),
            )
        )
        stored = duck.count()  # reported: every reading once
        duck.close()

    name = f"cp_bench_monitoring_{int(time.time())}"
    with psycopg.connect(conninfo(args.postgres), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    try:
        pg = PostgresStore(url)
        rows.append(
            (
                "PostgreSQL store, columns, new readings (CSV COPY to staging + merge)",
                timed_frames(pg, column_batches),
                n,
            )
        )
        rows.append(("PostgreSQL store, columns, the same again (all duplicates)", timed_frames(pg, column_batches), n))
        assert pg.count() == n
        pg.con.execute("TRUNCATE meter_reading, reading_arrival")
        pg.con.commit()
        rows.append(("PostgreSQL store, Reading objects, new readings", timed(pg, batches), n))
        rows.append(("PostgreSQL store, Reading objects, the same again (all duplicates)", timed(pg, batches), n))
        assert pg.count() == n
        pg.close()
        rows.append(
            (
                "PostgreSQL COPY without a key (no de-duplication), row by row from Python",
                copy_without_dedup(url, readings),
                n,
            )
        )
        rows.append(
            (
                "PostgreSQL COPY without a key (no de-duplication), CSV from pandas",
                copy_csv_without_dedup(url, column_batches),
                n,
            )
        )
    finally:
        with psycopg.connect(conninfo(args.postgres), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"{n:,} readings of {METERS:,} meters, batches of {args.batch:,}; not timed: building the Reading "
        f"objects {built:.1f} s, the column batches {built_columns:.1f} s, the payloads {built_payloads:.1f} s; "
        f"peak resident memory of the process: {peak_mb:,.0f} MB; readings stored by the pipeline runs: "
        f"{stored:,} (expected {n + len(singles):,})",
        "",
        "| path | readings | time | readings per second |",
        "|---|---|---|---|",
        *[f"| {label} | {count:,} | {seconds:.2f} s | {count / seconds:,.0f} |" for label, seconds, count in rows],
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
