"""Benchmark: importing 100,000 monthly rows from Excel and from CSV into the embedded store.

carbonpeak's import validates every row against the field table and the registry, writes every
version with its evidence file and audit events, and computes and stores the results, in one
transaction. The alternative a user would reach for is ``pandas.read_excel`` (or ``read_csv``) plus
``DataFrame.to_sql``: no validation, no versions, no results. Each measurement runs in its own
process so that its peak memory is its own. Prints rows per second and peak memory for each.

Run with ``make bench`` (or ``python benchmarks/bench_import.py --rows 100000``).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

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


def registry_url(directory: Path, facilities: list[str]) -> str:
    from carbonpeak.store import db
    from carbonpeak.store import repository as repo
    from carbonpeak.uscc import check_character

    url = f"sqlite:///{directory / 'bench.db'}"
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
    return url


def _carbonpeak(path: str, url: str, queue: mp.Queue) -> None:
    from carbonpeak.store import db, service

    started = time.perf_counter()
    with db.transaction(url) as session:
        report = service.import_file(session, Path(path), "bench")
    queue.put((time.perf_counter() - started, report.rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _pandas(path: str, url: str, queue: mp.Queue) -> None:
    from sqlalchemy import create_engine

    started = time.perf_counter()
    frame = pd.read_excel(path) if path.endswith(".xlsx") else pd.read_csv(path)
    frame.to_sql("plain_import", create_engine(url), if_exists="replace", index=False, chunksize=10_000)
    queue.put((time.perf_counter() - started, len(frame), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def measure(target, path: Path, url: str) -> tuple[float, int, float]:
    queue: mp.Queue = mp.Queue()
    process = mp.get_context("fork").Process(target=target, args=(str(path), url, queue))
    process.start()
    seconds, rows, maxrss_kb = queue.get()
    process.join()
    return seconds, rows, maxrss_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    frame, facilities = make_rows(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        csv_path, xlsx_path = directory / "rows.csv", directory / "rows.xlsx"
        frame.to_csv(csv_path, index=False)
        frame.to_excel(xlsx_path, index=False, sheet_name="activity")
        print(
            f"rows: {args.rows:,} ({len(facilities):,} facilities x months 2020-2025); "
            f"CSV {csv_path.stat().st_size / 2**20:.1f} MiB, Excel {xlsx_path.stat().st_size / 2**20:.1f} MiB"
        )
        for label, path in (("CSV", csv_path), ("Excel", xlsx_path)):
            for name, target in (
                ("carbonpeak import (validate, version, evidence, results)", _carbonpeak),
                (f"pandas read_{'csv' if label == 'CSV' else 'excel'} + to_sql (no validation)", _pandas),
            ):
                sub = directory / f"{label}-{target.__name__}"
                sub.mkdir()
                url = registry_url(sub, facilities)
                seconds, rows, peak = measure(target, path, url)
                print(
                    f"{label:5} | {name:58} | {seconds:7.2f} s | {rows / seconds:9,.0f} rows/s | peak {peak:,.0f} MiB"
                )


if __name__ == "__main__":
    main()
