"""Rollups of meter readings to local hour, day and month: DuckDB, Spark (local mode) and pandas side by side.

Usage: ``python benchmarks/bench_monitoring_rollups.py [--readings 100000000] [--meters 10000]
[--pandas-readings 20000000] [--engines duckdb,spark,pandas] [--threads 2] [--out var/bench/monitoring_rollups.md]``

The data: ``--readings`` 15-minute readings of ``--meters`` meters (half registers that wrap, half interval
meters), written once (not timed) as the Parquet layout of :mod:`carbonpeak.monitoring.layout` into a
temporary folder under ``var/bench``. Each engine then runs in a process of its own, from that layout to
Parquet files of the hour, day and month totals (Asia/Shanghai days):

* **DuckDB** and **Spark** run the same queries (:func:`carbonpeak.monitoring.rollups.interval_consumption`,
  :func:`~carbonpeak.monitoring.rollups.rollup`): register differences with rollover, gaps spread and
  marked, replacements joined, local periods; the consumption is computed once (a temporary table, a
  cached DataFrame) and rolled up three times. DuckDB with ``--threads`` threads, Spark ``local[threads]``.
* **pandas** (the baseline a data analyst would write): the register differences with rollover and the
  interval values, grouped by local period. It does less than the two others (no gap spreading, no
  replacements, no flags) and reads the layout through DuckDB (pandas alone needs pyarrow for Parquet). It
  runs on ``--pandas-readings`` (the same meters' first readings, whole meters), because 100 million rows
  of object columns do not fit beside the others' work on a shared machine; its rate is reported per
  reading, and any figure for 100 million is an extrapolation, said so in the table.

Peak memory: the largest resident size of the engine's process tree (Python and, for Spark, its JVM),
sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TZ = "Asia/Shanghai"
GRAINS = ("hour", "day", "month")


def generate(folder: Path, readings: int, meters: int, threads: int) -> float:
    import duckdb

    from carbonpeak.monitoring.layout import write_readings

    per_meter = readings // meters
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {threads}")
    began = time.perf_counter()
    data = con.sql(
        f"""
        SELECT 'M' || lpad(CAST(m AS VARCHAR), 5, '0') AS meter,
               TIMESTAMPTZ '2025-12-31 16:00:00+00' + to_minutes(15 * i) AS interval_start,
               CASE WHEN m % 2 = 0 THEN CAST((i * 3 + m) % 30000 AS DOUBLE) ELSE CAST(1 + (i + m) % 7 AS DOUBLE) END
                 AS value,
               1 AS version,
               TIMESTAMPTZ '2025-12-31 16:20:00+00' + to_minutes(15 * i) AS received_at,
               'live' AS source
        FROM range({meters}) t(m), range({per_meter}) u(i)
        """
    )
    write_readings(con, data, folder)
    con.sql(
        f"""
        SELECT 'M' || lpad(CAST(m AS VARCHAR), 5, '0') AS meter, 'F' || CAST(m // 20 AS VARCHAR) AS facility_code,
               'E' || CAST(m // 100 AS VARCHAR) AS enterprise_code, 'electricity' AS energy_type,
               CASE WHEN m % 20 = 0 THEN 'plant' ELSE 'process' END AS measuring_point, 'kWh' AS unit,
               CASE WHEN m % 2 = 0 THEN 'register' ELSE 'interval' END AS reading_kind, 15 AS interval_min,
               1.0 AS multiplier, CASE WHEN m % 2 = 0 THEN 30000.0 END AS rollover_at,
               DATE '2027-01-01' AS calibration_due, 'active' AS status
        FROM range({meters}) t(m)
        """
    ).write_parquet(str(folder / "meters.parquet"))
    con.sql(
        "SELECT CAST(NULL AS VARCHAR) AS meter, CAST(NULL AS TIMESTAMPTZ) AS replaced_at, "
        "CAST(NULL AS DOUBLE) AS old_final, CAST(NULL AS DOUBLE) AS new_initial WHERE false"
    ).write_parquet(str(folder / "replacements.parquet"))
    con.sql(
        "SELECT CAST(NULL AS VARCHAR) AS message_id, CAST(NULL AS VARCHAR) AS meter, "
        "CAST(NULL AS TIMESTAMPTZ) AS first_interval, 0 AS duplicates WHERE false"
    ).write_parquet(str(folder / "arrivals.parquet"))
    return time.perf_counter() - began


def run_duckdb(folder: Path, out: Path, threads: int, meters: int | None) -> dict[str, object]:
    import duckdb

    from carbonpeak.monitoring.layout import read_layout
    from carbonpeak.monitoring.rollups import interval_consumption, rollup

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {threads}")
    con.execute(f"SET temp_directory = '{out}/duckdb_tmp'")
    rel = read_layout(con, folder)
    began = time.perf_counter()
    interval_consumption(con, rel["readings"], rel["meters"], rel["replacements"]).create("consumption")
    totals = {}
    for grain in GRAINS:
        result = rollup(con, con.table("consumption"), grain, TZ)
        result.write_parquet(str(out / f"duckdb_{grain}.parquet"))
        totals[grain] = con.sql(f"SELECT count(*), sum(quantity) FROM '{out}/duckdb_{grain}.parquet'").fetchall()[0]
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "totals": totals}


def run_spark(folder: Path, out: Path, threads: int, meters: int | None) -> dict[str, object]:
    from carbonpeak.monitoring.rollups import interval_consumption, rollup
    from carbonpeak.monitoring.spark import SparkEngine, session

    spark = session(
        f"local[{threads}]",
        "carbonpeak-bench",
        **{
            "spark.ui.enabled": "false",
            "spark.driver.memory": "6g",
            "spark.sql.shuffle.partitions": "32",
            "spark.local.dir": str(out / "spark_tmp"),
        },
    )
    engine = SparkEngine(spark)
    layout = read_layout_without_arrivals(engine, folder)
    began = time.perf_counter()
    consumption = interval_consumption(engine, layout["readings"], layout["meters"], layout["replacements"]).cache()
    totals = {}
    for grain in GRAINS:
        rollup(engine, consumption, grain, TZ).write.mode("overwrite").parquet(str(out / f"spark_{grain}"))
        row = spark.read.parquet(str(out / f"spark_{grain}")).selectExpr("count(*)", "sum(quantity)").collect()[0]
        totals[grain] = (row[0], row[1])
    seconds = time.perf_counter() - began
    spark.stop()
    return {"seconds": seconds, "totals": totals}


def read_layout_without_arrivals(engine: object, folder: Path) -> dict[str, object]:
    """The layout's readings, meters and replacements (the rollups need no arrival log)."""
    spark = engine.spark  # type: ignore[attr-defined]
    base = str(folder)
    return {
        "readings": spark.read.option("basePath", f"{base}/readings").parquet(f"{base}/readings"),
        "meters": spark.read.parquet(f"{base}/meters.parquet"),
        "replacements": spark.read.parquet(f"{base}/replacements.parquet"),
    }


def run_pandas(folder: Path, out: Path, threads: int, meters: int | None) -> dict[str, object]:
    import duckdb
    import numpy as np

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {threads}")
    began = time.perf_counter()
    codes = con.sql(f"SELECT meter FROM '{folder}/meters.parquet' ORDER BY meter").fetchall()
    chosen = [c[0] for c in codes][: meters or len(codes)]
    con.execute("CREATE TYPE meter_code AS ENUM (" + ", ".join(f"'{c}'" for c in chosen) + ")")
    frame = con.sql(
        f"SELECT CAST(meter AS meter_code) AS meter, interval_start, value FROM read_parquet("
        f"'{folder}/readings/*/*.parquet') WHERE meter <= '{chosen[-1]}'"
    ).df()
    meter_frame = con.sql(
        f"SELECT CAST(meter AS meter_code) AS meter, reading_kind, multiplier, rollover_at, interval_min "
        f"FROM '{folder}/meters.parquet' WHERE meter <= '{chosen[-1]}'"
    ).df()
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    frame = frame.sort_values(["meter", "interval_start"], kind="stable", ignore_index=True)
    m = meter_frame.set_index("meter")
    kind = frame["meter"].map(m["reading_kind"]).astype("category")
    multiplier = frame["meter"].map(m["multiplier"]).astype(float).to_numpy()
    rollover = frame["meter"].map(m["rollover_at"]).astype(float).to_numpy()
    grouped = frame.groupby("meter", observed=True, sort=False)
    next_value = grouped["value"].shift(-1).to_numpy()
    value = frame["value"].to_numpy()
    diff = next_value - value
    diff = np.where((diff < 0) & ~np.isnan(rollover), diff + rollover, diff)
    diff = np.where(diff < 0, np.nan, diff)
    register = (kind == "register").to_numpy()
    frame["quantity"] = np.where(register, diff * multiplier, value * multiplier)
    local = frame["interval_start"].dt.tz_convert(TZ).dt.tz_localize(None)
    totals = {}
    for grain, unit in (("hour", "h"), ("day", "D"), ("month", None)):
        period = local.dt.to_period("M").dt.to_timestamp() if unit is None else local.dt.floor(unit)
        result = (
            frame.assign(period=period)
            .groupby(["meter", "period"], observed=True)
            .agg(quantity=("quantity", "sum"), intervals=("quantity", "count"))
            .reset_index()
        )
        result.to_pickle(out / f"pandas_{grain}.pkl")
        totals[grain] = (len(result), float(result["quantity"].sum()))
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "load_seconds": loaded, "readings": len(frame), "totals": totals}


ENGINES = {"duckdb": run_duckdb, "spark": run_spark, "pandas": run_pandas}


def tree_rss(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


def measured(args: list[str]) -> tuple[dict[str, object], float]:
    """Run one engine in a process of its own; its result and the peak resident size of its tree (MB)."""
    child = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(child.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"engine {args} failed ({child.returncode})")
    return json.loads(output.strip().splitlines()[-1]), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--readings", type=int, default=100_000_000)
    parser.add_argument("--meters", type=int, default=10_000)
    parser.add_argument("--pandas-readings", type=int, default=20_000_000)
    parser.add_argument("--engines", default="duckdb,spark,pandas")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--engine", help=argparse.SUPPRESS)  # the child process: one engine
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine-meters", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.engine:
        result = ENGINES[args.engine](args.folder, args.work, args.threads, args.engine_meters)
        sys.stdout.write(json.dumps(result, default=str) + "\n")
        return

    base = Path("var/bench")
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rollups_", dir=base)).resolve()
    try:
        folder = work / "layout"
        folder.mkdir()
        generated = generate(folder, args.readings, args.meters, args.threads)
        size_mb = sum(f.stat().st_size for f in folder.rglob("*.parquet")) / 2**20
        rows = []
        for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
            out = work / engine
            out.mkdir()
            extra = []
            n = args.readings
            if engine == "pandas" and args.pandas_readings < args.readings:
                meters = max(1, args.pandas_readings * args.meters // args.readings)
                extra = ["--engine-meters", str(meters)]
                n = meters * (args.readings // args.meters)
            result, peak = measured(
                [
                    "--engine",
                    engine,
                    "--folder",
                    str(folder),
                    "--work",
                    str(out),
                    "--threads",
                    str(args.threads),
                    *extra,
                ]
            )
            rows.append((engine, n, result, peak))
            shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()
    lines = [
        f"{args.readings:,} readings of {args.meters:,} meters (15 min; half registers that wrap, half interval "
        f"meters), Parquet layout {size_mb:,.0f} MB written in {generated:.0f} s (not timed); {args.threads} "
        f"threads per engine; load average after the run {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        "",
        "| engine | readings | rollups (hour, day, month) | readings per second | peak memory "
        "| rows (hour/day/month) | sum of month totals |",
        "|---|---|---|---|---|---|---|",
    ]
    for engine, n, result, peak in rows:
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        totals = result["totals"]  # type: ignore[index]
        counts = "/".join(f"{int(totals[g][0]):,}" for g in GRAINS)  # type: ignore[index]
        month_sum = float(totals["month"][1])  # type: ignore[index]
        note = f" (+ {float(result['load_seconds']):.1f} s load)" if "load_seconds" in result else ""
        lines.append(
            f"| {engine} | {n:,} | {seconds:.1f} s{note} | {n / seconds:,.0f} | {peak:,.0f} MB | {counts} | "
            f"{month_sum:,.1f} |"
        )
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
