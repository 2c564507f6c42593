"""Benchmark: 10,000 Monte Carlo draws x 2,000 plants x 2020-2040 through the pathway engine.

A synthetic stock of 2,000 plants (12 sectors, 4 provinces; sizes and per-tonne figures drawn around
the demo province's) and a scenario with every kind of uncertainty and lever: production growth by
sector, grid-factor decline, scrap availability, drawn years for retrofits, captive-unit retirement,
a capacity replacement, a fuel switch and CCUS, plus certain exits, green-power paths and contracts,
recycled share and direct alloying. It times, in one run:

- ``carbonpeak.pathways.engine.simulate`` (exact piecewise-linear sums, all draws at once) together
  with drawing the inputs and the peak statistics: what an analyst waits for;
- ``carbonpeak.pathways.engine.simulate_loop``: the straightforward per-draw loop over the same model
  (plants x years arrays per draw), on the same draws;

checks that both give the same emissions, and prints times, their ratio and peak memory
(tracemalloc for each engine's own allocations, and the process's maximum resident set size).

Run with ``make bench`` (or ``python benchmarks/bench_pathways.py --draws 10000 --plants 2000``).
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from carbonpeak.parameters import load
from carbonpeak.pathways import run as pr
from carbonpeak.pathways.compile import compile_scenario
from carbonpeak.pathways.engine import draw_samples, simulate, simulate_loop
from carbonpeak.pathways.params import ParamSource
from carbonpeak.pathways.scenario import parse_scenario, resolve
from carbonpeak.pathways.stock import HISTORY_COLUMNS, PLANT_COLUMNS, Stock

SECTORS = {  # share of plants, output t (mean), process, fuel tCO2/t, grid MWh/t, product for benchmarks
    "electrolytic_aluminium": (0.12, 200_000, 1.6, 0.05, 13.3, "electrolytic_aluminium"),
    "alumina": (0.05, 600_000, 0.04, 0.85, 0.25, ""),
    "magnesium": (0.15, 40_000, 6.0, 5.0, 1.5, ""),
    "copper": (0.06, 80_000, 0.05, 0.3, 1.3, "copper_smelting"),
    "lead": (0.05, 50_000, 0.3, 0.5, 0.4, "lead_smelting_crude"),
    "zinc": (0.06, 90_000, 0.0, 1.5, 3.5, "zinc_smelting_hydro"),
    "industrial_silicon": (0.06, 30_000, 5.8, 0.01, 11.9, "industrial_silicon"),
    "titanium": (0.08, 30_000, 0.2, 0.6, 5.0, ""),
    "recycled_aluminium": (0.12, 40_000, 0.0, 0.15, 0.12, ""),
    "recycled_copper": (0.05, 35_000, 0.0, 0.5, 0.45, ""),
    "aluminium_processing": (0.15, 60_000, 0.0, 0.1, 0.4, ""),
    "other": (0.05, 20_000, 0.0, 0.8, 1.5, ""),
}
PROVINCES = ["p1", "p2", "p3", "p4"]
GRID, RESIDUAL = 0.5366, 0.5856  # the 2022 national factors the 2024 accounts use (electricity.grid_factor)


def make_stock(plants: int, seed: int = 20261123) -> Stock:
    rng = np.random.default_rng(seed)
    names = list(SECTORS)
    sector = rng.choice(names, size=plants, p=[SECTORS[s][0] for s in names])
    rows = []
    for i, s in enumerate(sector):
        _share, size, process, fuel, grid, product = SECTORS[s]
        output = size * rng.uniform(0.5, 1.5)
        capacity = output / rng.uniform(0.75, 1.0)
        captive = s == "electrolytic_aluminium" and rng.random() < 0.6
        captive_mwh = output * grid * rng.uniform(0.5, 0.95) if captive else 0.0
        grid_mwh = output * grid * rng.uniform(0.9, 1.1) - captive_mwh
        green = grid_mwh * rng.uniform(0, 0.2) if s == "electrolytic_aluminium" else 0.0
        fuel_tco2 = output * fuel * rng.uniform(0.8, 1.2)
        captive_tco2 = captive_mwh * rng.uniform(0.75, 0.85)
        direct = output * process * rng.uniform(0.9, 1.1) + fuel_tco2 + captive_tco2
        indicator = rng.uniform(12_800, 13_500) if product == "electrolytic_aluminium" else rng.uniform(200, 1300)
        levels = (13_000.0, 13_350.0) if product == "electrolytic_aluminium" else (indicator * 0.95, indicator * 1.05)
        klass = "not_classified"
        if product and product != "industrial_silicon":
            klass = (
                "at_or_above_benchmark"
                if indicator <= levels[0]
                else ("below_baseline" if indicator > levels[1] else "between_benchmark_and_baseline")
            )
        rows.append(
            {
                **{c: 0.0 for c in PLANT_COLUMNS},
                "facility_code": f"P{i:05d}",
                "enterprise_code": f"E{i // 3:05d}",
                "sector": s,
                "product": product,
                "technology": "",
                "process_route": "",
                "province_code": PROVINCES[i % len(PROVINCES)],
                "city_code": "",
                "status": "operating",
                "status_since": None,
                "retired_on": None,
                "commissioning_year": 2010,
                "capacity_t_per_a": capacity,
                "months": 12,
                "output_t": output,
                "direct_tco2e": direct,
                "process_tco2e": direct - fuel_tco2 - captive_tco2,
                "fuel_tco2": fuel_tco2,
                "captive_tco2": captive_tco2,
                "electricity_location_tco2": grid_mwh * GRID,
                "electricity_market_tco2": (grid_mwh - green) * RESIDUAL,
                "total_location_tco2e": direct + grid_mwh * GRID,
                "total_market_tco2e": direct + (grid_mwh - green) * RESIDUAL,
                "grid_mwh": grid_mwh,
                "captive_mwh": captive_mwh,
                "green_mwh": green,
                "energy_tce": fuel_tco2 / 2.2 + captive_tco2 / 2.4 + grid_mwh * 0.1229,
                "fuel_tce": fuel_tco2 / 2.2,
                "captive_tce": captive_tco2 / 2.4,
                "direct_alloying_t": output * 0.85 if s == "electrolytic_aluminium" else 0.0,
                "scrap_t": output * 1.1 if s.startswith("recycled") else 0.0,
                "benchmark_class": klass,
                "indicator_value": indicator if product else np.nan,
                "indicator_unit": "kWh/t" if product == "electrolytic_aluminium" else ("kgce/t" if product else ""),
                "benchmark_level": levels[0] if product and product != "industrial_silicon" else np.nan,
                "baseline_level": levels[1] if product and product != "industrial_silicon" else np.nan,
                "benchmark_edition": "2021",
                "deadline": "2025-12-31" if product else "",
            }
        )
    plants_frame = pd.DataFrame(rows, columns=PLANT_COLUMNS)
    history = []
    for year, scale in ((2020, 0.9), (2021, 0.93), (2022, 0.95), (2023, 0.97), (2024, 1.0)):
        for (s, p), group in plants_frame.groupby(["sector", "province_code"]):
            history.append(
                {
                    "year": year,
                    "sector": s,
                    "province_code": p,
                    "total_location_tco2e": group["total_location_tco2e"].sum() * scale,
                    "total_market_tco2e": group["total_market_tco2e"].sum() * scale,
                    "output_t": group["output_t"].sum() * scale,
                }
            )
    return Stock("bench", 2024, plants_frame, pd.DataFrame(history, columns=HISTORY_COLUMNS).fillna(0.0))


def scenario(stock: Stock, draws: int) -> pr.ResolvedScenario:
    codes = stock.plants.set_index("facility_code")
    al = [c for c in codes.index if codes.at[c, "sector"] == "electrolytic_aluminium"]
    captive = [c for c in al if codes.at[c, "captive_mwh"] > 0]
    mg = [c for c in codes.index if codes.at[c, "sector"] == "magnesium"]
    alumina = [c for c in codes.index if codes.at[c, "sector"] == "alumina"]
    u = {"dist": "uniform"}
    data = {
        "id": "bench",
        "title": {"zh": "基准测试", "en": "benchmark"},
        "region": "bench",
        "base_year": 2024,
        "horizon": {"start": 2020, "end": 2040},
        "benchmark_edition": "2021",
        "peak": {"basis": "location", "tolerance_pct": 0, "plateau_pct": 2},
        "uncertainty": {"draws": draws, "seed": 1},
        "plans": [],
        "production": [
            {"sector": "default", "growth_pct_per_year": {"dist": "normal", "mean": 1.0, "sd": 1.5}, "basis": "bench"},
            *[
                {
                    "sector": s,
                    "growth_pct_per_year": [
                        {"from": 2025, "pct_per_year": {"dist": "triangular", "low": -1, "mode": 1.5, "high": 4}},
                        {"from": 2031, "pct_per_year": {"dist": "normal", "mean": 0.0, "sd": 1.0}},
                    ],
                    "basis": "bench",
                }
                for s in ("electrolytic_aluminium", "magnesium", "titanium", "recycled_aluminium")
            ],
        ],
        "grid": {"decline_pct_per_year": {"dist": "triangular", "low": 0.5, "mode": 1.5, "high": 3}, "basis": "bench"},
        "scrap": {
            "availability_growth_pct_per_year": {"dist": "lognormal", "median": 5, "sigma": 0.3},
            "basis": "bench",
        },
        "levers": [
            {"id": "exit", "type": "exit", "plants": {"class": "below_baseline"}, "year": "deadline"},
            {
                "id": "retro_a",
                "type": "retrofit",
                "plants": al[: len(al) // 2],
                "to": "benchmark",
                "year": {**u, "low": 2025.5, "high": 2030.5},
            },
            {
                "id": "retro_b",
                "type": "retrofit",
                "plants": {"sector": "zinc"},
                "to": "benchmark",
                "year": {**u, "low": 2026, "high": 2033},
            },
            {
                "id": "captive",
                "type": "captive_retirement",
                "plants": captive,
                "year": {"dist": "triangular", "low": 2027, "mode": 2030, "high": 2035},
            },
            {
                "id": "green",
                "type": "green_electricity",
                "plants": {"sector": "electrolytic_aluminium"},
                "share_pct": {2025: 15, 2030: 35, 2035: 50},
            },
            {
                "id": "ppa",
                "type": "green_electricity",
                "contracts": [{"plant": c, "mwh_per_year": 2e5, "from": 2027, "to": 2036} for c in al[:20]],
            },
            {"id": "recycled", "type": "recycled_aluminium", "share_pct": {2025: 20, 2030: 28}},
            {"id": "alloy", "type": "direct_alloying", "share_pct": {2025: 90, 2030: 95}},
            {
                "id": "gas",
                "type": "fuel_switch",
                "plants": alumina,
                "year": {**u, "low": 2026, "high": 2031},
                "share_pct": 40,
                "to": "natural_gas",
            },
            {
                "id": "replace",
                "type": "replacement",
                "source": al[-10:],
                "ratio": 1.0,
                "year": {**u, "low": 2027, "high": 2032},
                "destination": {"code": "NEW1", "like": al[0], "captive_share_pct": 0},
            },
            {
                "id": "ccus",
                "type": "new_technology",
                "technology": "ccus",
                "plants": mg[:50],
                "year": {**u, "low": 2030, "high": 2038},
                "capture_pct": 50,
                "capture_electricity_mwh_per_tco2": 0.3,
            },
        ],
    }
    return resolve([("bench.yaml", parse_scenario(data, file="bench.yaml"))])


def timed(fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--plants", type=int, default=2_000)
    parser.add_argument("--loop-draws", type=int, default=None, help="draws for the per-draw loop (default: all)")
    args = parser.parse_args()
    stock = make_stock(args.plants)
    sc = scenario(stock, args.draws)
    params = ParamSource(live=load())
    compiled, compile_times = timed(lambda: compile_scenario(sc, stock, params))
    model = compiled.model
    years = len(model.years) + (sc.base_year - sc.horizon.start)
    print(
        f"stock: {model.n_plants:,} plants in {len(model.groups)} groups; {len(model.steps)} levers with drawn "
        f"years; {len(model.inputs)} uncertain inputs; {args.draws:,} draws; "
        f"{sc.horizon.start}-{sc.horizon.end} ({years} years)"
    )
    print(f"compile (levers to plant figures, once per scenario): {compile_times[0]:.3f} s")

    def analyst_run():  # type: ignore[no-untyped-def]
        samples = draw_samples(model, sc.uncertainty.seed, args.draws)
        outcome = simulate(model, samples)
        run = pr.Run(sc, stock, compiled, params, args.draws, sc.uncertainty.seed, samples, outcome, _years(sc))
        return run, pr.peak_summary(run)

    (run, peak), fast_times = timed(analyst_run, repeat=3)
    tracemalloc.start()
    analyst_run()
    _current, fast_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    loop_draws = args.loop_draws or args.draws
    subset = {k: v[:loop_draws] for k, v in run.samples.items()}
    loop, loop_times = timed(lambda: simulate_loop(model, subset))
    tracemalloc.start()
    simulate_loop(model, {k: v[: min(loop_draws, 200)] for k, v in subset.items()})
    _current, loop_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    fast_loc = run.outcome.emissions_location[:loop_draws]
    diff = float(np.max(np.abs(loop.emissions_location - fast_loc) / np.maximum(np.abs(fast_loc), 1.0)))
    best = min(fast_times)
    loop_per_draw = loop_times[0] / loop_draws
    ratio = loop_per_draw * args.draws / best
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"vectorised engine + draws + peak statistics: best {best:.3f} s of 3 "
        f"({', '.join(f'{t:.3f}' for t in fast_times)} s)"
    )
    print(f"   peak memory of one run (tracemalloc): {fast_peak / 2**20:,.0f} MiB")
    print(
        f"per-draw loop over the same model: {loop_times[0]:.2f} s for {loop_draws:,} draws "
        f"({loop_per_draw * 1e3:.2f} ms a draw; {loop_per_draw * args.draws:.1f} s for {args.draws:,})"
    )
    print(f"   peak memory (tracemalloc, 200 draws): {loop_peak / 2**20:,.0f} MiB")
    print(f"ratio loop / vectorised: {ratio:,.0f}x; largest relative difference of emissions: {diff:.1e}")
    print(
        f"P(peaked by 2030) {peak['p_peaked_by'].get('2030', float('nan')):.1%}; process max RSS {maxrss_mb:,.0f} MiB"
    )
    assert diff < 1e-9, "the two engines disagree"


def _years(sc: pr.ResolvedScenario) -> np.ndarray:  # type: ignore[type-arg]
    return np.arange(sc.horizon.start, sc.horizon.end + 1)


if __name__ == "__main__":
    main()
