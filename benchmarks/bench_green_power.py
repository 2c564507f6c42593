"""Benchmark: location- and market-based indirect emissions of every facility-month of a large synthetic
province, with registered green power (carbonpeak.accounting.green_power.dual_report), and the mapping of
market-based factors the product footprint takes (market_factors).

Synthetic frame: ``--facilities`` electrolytic-aluminium facilities × 60 months (2021-2025), random grid,
captive and reported contract volumes; one registered certificate volume on every seventh facility-month.
Factors come from the shipped parameters by the grid-factor rule. Best of ``--runs`` is printed with every run.

Run with ``python benchmarks/bench_green_power.py --facilities 2000``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from carbonpeak.accounting.green_power import dual_report, market_factors
from carbonpeak.parameters import load


def frames(facilities: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(1)
    periods = [f"{y}-{m:02d}" for y in range(2021, 2026) for m in range(1, 13)]
    codes = np.repeat([f"F{i:05d}" for i in range(facilities)], len(periods))
    months = np.tile(periods, facilities)
    n = codes.size
    table = pd.DataFrame(
        {
            "facility_code": codes,
            "period": months,
            "enterprise_code": "E",
            "sector": "electrolytic_aluminium",
            "grid_electricity_mwh": rng.uniform(1e4, 3e5, n),
            "exported_electricity_mwh": 0.0,
            "captive_electricity_mwh": rng.uniform(0, 1e5, n),
            "direct_renewable_mwh": rng.uniform(0, 1e4, n),
            "green_certificate_mwh": 0.0,
            "onsite_renewable_mwh": 0.0,
        }
    )
    registered = pd.DataFrame({"facility_code": codes[::7], "period": months[::7], "kind": "certificate", "mwh": 500.0})
    return table, registered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    params = load()
    months, registered = frames(args.facilities)
    report_s, mapping_s = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        report = dual_report(months, registered, params)
        report_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        mapping = market_factors(report)
        mapping_s.append(time.perf_counter() - start)
    print(
        f"{len(months):,} facility-months, {len(registered):,} registered volumes: dual_report best "
        f"{min(report_s):.2f} s (runs {', '.join(f'{s:.2f}' for s in report_s)}); market_factors best "
        f"{min(mapping_s):.2f} s; {len(mapping):,} factors"
    )


if __name__ == "__main__":
    main()
