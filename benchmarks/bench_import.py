"""Benchmark: importing 100,000 monthly rows from CSV and from Excel, into SQLite and into PostgreSQL.

carbonpeak's import validates every row against the field table and the registry, writes every
version (and its facts row) with its evidence file and audit events, and computes and stores the
results, in one transaction. The alternative a user would reach for is ``pandas.read_csv`` (or
``read_excel``) plus ``DataFrame.to_sql``: no validation, no versions, no results.

Every measurement runs in a fresh process (``spawn``: nothing inherited from this one) against a fresh
database (a new SQLite file; on PostgreSQL a scratch database created for it and dropped afterwards),
so that its time and its peak resident memory (VmHWM) are its own. The registry (one province,
one enterprise, the facilities) is written before the clock starts; imports and libraries are loaded
before it too. Prints one table with rows per second, the ratio carbonpeak / pandas and peak memory.

Run with ``make bench`` (or ``python benchmarks/bench_import.py --rows 100000``). PostgreSQL is the
server of ``CARBONPEAK_BENCH_POSTGRES_URL`` (default postgresql+psycopg://postgres@127.0.0.1:5432);
where none answers, its rows say so and the SQLite rows are still measured.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd

SERVER = os.environ.get("CARBONPEAK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
SCRATCH = f"carbonpeak_bench_{os.getpid()}"

COLUMNS = [
    "facility_id",
    "sector",
    "region",
    "period",
    "output_t",
    "grid_electricity_mwh",
    "electrolysis_ac_mwh",
    "auxiliary_ac_mwh",
    "green_certificate_mwh",
    "fuel:natural_gas[10^4 Nm3]",
    "fuel:diesel",
]


def make_rows(rows: int, seed: int = 7) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    months = [f"{y}-{m:02d}" for y in range(2020, 2026) for m in range(1, 13)]
    facilities = [f"AL{i:05d}" for i in range(-(-rows // len(months)))]
    pairs = [(f, p) for f in facilities for p in months][:rows]
    output = rng.uniform(5000, 30000, rows)
    frame = pd.DataFrame(
        {
            "facility_id": [f for f, _ in pairs],
            "sector": "electrolytic_aluminium",
            "region": "shaanxi",
            "period": [p for _, p in pairs],
            "output_t": output.round(1),
            "grid_electricity_mwh": (output * 13.6).round(1),
            "electrolysis_ac_mwh": (output * 13.2).round(1),
            "auxiliary_ac_mwh": (output * 0.3).round(1),
            "green_certificate_mwh": (output * 1.0).round(1),
            "fuel:natural_gas[10^4 Nm3]": rng.uniform(5, 40, rows).round(2),
            "fuel:diesel": rng.uniform(1, 9, rows).round(2),
        }
    )
    return frame, facilities


def peak_mib() -> float:
    """This process's own peak resident memory (VmHWM). Not ``ru_maxrss``: Linux keeps that across exec,
    so a child started by a big parent would report the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ databases


def _admin() -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    return create_engine(make_url(SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT")


def postgres_problem() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        engine = _admin()
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect: no server to measure against
        return f"PostgreSQL not reachable at {SERVER} ({type(exc).__name__})"


def fresh_database(kind: str, directory: Path, label: str) -> str:
    """The URL of an empty database: a new SQLite file, or the scratch PostgreSQL database re-created."""
    if kind == "sqlite":
        return f"sqlite:///{directory / f'{label}.db'}"
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    drop_scratch()
    engine = _admin()
    with engine.connect() as connection:
        connection.execute(text(f'create database "{SCRATCH}"'))
    engine.dispose()
    return make_url(SERVER).set(database=SCRATCH).render_as_string(hide_password=False)


def drop_scratch() -> None:
    from sqlalchemy import text

    engine = _admin()
    with engine.connect() as connection:
        connection.execute(text(f'drop database if exists "{SCRATCH}" with (force)'))
    engine.dispose()


def registry(url: str, facilities: list[str]) -> None:
    """One province, one enterprise and the facilities, written through the registry's own functions."""
    from carbonpeak.store import db
    from carbonpeak.store import repository as repo
    from carbonpeak.uscc import check_character

    db.upgrade(url)
    with db.transaction(url) as session:
        repo.add_region(
            session,
            {
                "code": "P",
                "name_zh": "基准省",
                "name_en": "Bench province",
                "level": "province",
                "grid_province": "shaanxi",
            },
            "bench",
        )
        first17 = "91610000BENCH0000"
        repo.add_enterprise(
            session,
            {
                "code": "E",
                "name_zh": "基准企业",
                "name_en": "Bench",
                "region_code": "P",
                "uscc": first17 + check_character(first17),
            },
            "bench",
        )
        for code in facilities:
            repo.add_facility(
                session,
                {
                    "code": code,
                    "enterprise_code": "E",
                    "name_zh": code,
                    "name_en": code,
                    "region_code": "P",
                    "sector": "electrolytic_aluminium",
                },
                "bench",
            )
    db.engine_for(url).dispose()


# ------------------------------------------------------------------ the two contenders (run in a child)


def _carbonpeak(path: str, url: str) -> tuple[float, int]:
    from carbonpeak.accounting import account  # noqa: F401  (libraries loaded before the clock)
    from carbonpeak.services import access, intake
    from carbonpeak.store import db

    db.engine_for(url).connect().close()
    started = time.perf_counter()
    with db.transaction(url) as session:  # the file's bytes are read inside the clock, as an upload's are
        report = intake.import_file(session, access.operator("bench"), Path(path).read_bytes(), Path(path).name)
    seconds = time.perf_counter() - started
    with db.transaction(url) as session:  # what was written, checked after the clock
        from sqlalchemy import func, select

        from carbonpeak.store.models import Fact, Result, SubmissionVersion, Upload

        counts = [
            session.scalar(select(func.count()).select_from(t)) for t in (SubmissionVersion, Fact, Result, Upload)
        ]
    if counts[:3] != [report.rows] * 3 or counts[3] != 1:
        raise AssertionError(f"import wrote {counts} (versions, facts, results, uploads) for {report.rows} rows")
    return seconds, report.rows


def _pandas(path: str, url: str) -> tuple[float, int]:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    engine.connect().close()
    started = time.perf_counter()
    frame = pd.read_excel(path) if path.endswith(".xlsx") else pd.read_csv(path)
    frame.to_sql("plain_import", engine, if_exists="replace", index=False, chunksize=10_000)
    return time.perf_counter() - started, len(frame)


def _child(name: str, path: str, url: str, queue: Any) -> None:
    try:
        seconds, rows = {"carbonpeak": _carbonpeak, "pandas": _pandas}[name](path, url)
        queue.put((seconds, rows, peak_mib(), None))
    except Exception as exc:  # reported in the table, not swallowed
        queue.put((0.0, 0, 0.0, f"{type(exc).__name__}: {exc}"))


def measure(name: str, path: Path, url: str) -> tuple[float, int, float, str | None]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(name, str(path), url, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


# ------------------------------------------------------------------ main


def run(rows: int, databases: list[str], formats: list[str], out: Path | None = None) -> list[dict[str, Any]]:
    frame, facilities = make_rows(rows)
    problem = postgres_problem() if "postgresql" in databases else None
    results: list[dict[str, Any]] = []
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        files = {"CSV": directory / "rows.csv", "Excel": directory / "rows.xlsx"}
        frame.to_csv(files["CSV"], index=False)
        if "Excel" in formats:
            frame.to_excel(files["Excel"], index=False, sheet_name="activity")
        sizes = ", ".join(f"{k} {files[k].stat().st_size / 2**20:.1f} MiB" for k in formats)
        say(f"rows: {rows:,} ({len(facilities):,} facilities x months 2020-2025, {len(COLUMNS)} columns); {sizes}")
        say("")
        say("| input | database | what | time s | rows/s | carbonpeak vs pandas | peak MiB |")
        say("|---|---|---|---:|---:|---:|---:|")
        try:
            for label in formats:
                for kind in databases:
                    if kind == "postgresql" and problem:
                        say(f"| {label} | {kind} | not measured: {problem} | | | | |")
                        continue
                    timings = {}
                    for name in ("carbonpeak", "pandas"):
                        url = fresh_database(kind, directory, f"{label}-{name}")
                        if name == "carbonpeak":
                            registry(url, facilities)
                        seconds, done, peak, error = measure(name, files[label], url)
                        if error:
                            say(f"| {label} | {kind} | {name}: FAILED {error} | | | | |")
                            continue
                        timings[name] = seconds
                        what = (
                            "carbonpeak import (validate, versions, facts, evidence, audit, results)"
                            if name == "carbonpeak"
                            else f"pandas read_{'csv' if label == 'CSV' else 'excel'} + to_sql (no validation)"
                        )
                        ratio = ""
                        if name == "pandas" and "carbonpeak" in timings:
                            ratio = (
                                f"carbonpeak **{seconds / timings['carbonpeak']:.2f}x** faster"
                                if timings["carbonpeak"] < seconds
                                else f"carbonpeak **{timings['carbonpeak'] / seconds:.2f}x** slower"
                            )
                        say(
                            f"| {label} | {kind} | {what} | {seconds:.2f} | {done / seconds:,.0f} | {ratio} "
                            f"| {peak:,.0f} |"
                        )
                        results.append(
                            {
                                "input": label,
                                "database": kind,
                                "what": name,
                                "seconds": seconds,
                                "rows": done,
                                "peak_mib": peak,
                            }
                        )
        finally:
            if "postgresql" in databases and not problem:
                drop_scratch()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--formats", default="CSV,Excel", help="comma-separated: CSV, Excel")
    parser.add_argument("--out", type=Path, default=None, help="also write the table (markdown) here")
    args = parser.parse_args()
    run(args.rows, args.databases.split(","), args.formats.split(","), args.out)


if __name__ == "__main__":
    main()
