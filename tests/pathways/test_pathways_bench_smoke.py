"""A small run of the benchmark's synthetic stock and scenario: both engines agree (make bench runs the big one)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from carbonpeak.parameters import load
from carbonpeak.pathways.compile import compile_scenario
from carbonpeak.pathways.engine import draw_samples, simulate, simulate_loop
from carbonpeak.pathways.params import ParamSource

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pathways.py"


def test_benchmark_model_small() -> None:
    spec = importlib.util.spec_from_file_location("bench_pathways", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    stock = bench.make_stock(120, seed=5)
    scenario = bench.scenario(stock, 150)
    compiled = compile_scenario(scenario, stock, ParamSource(live=load()))
    samples = draw_samples(compiled.model, 2, 150)
    fast, loop = simulate(compiled.model, samples), simulate_loop(compiled.model, samples)
    assert len(compiled.model.steps) >= 5
    for name in ("emissions_location", "emissions_market", "output", "renewable", "alloyed"):
        np.testing.assert_allclose(getattr(fast, name), getattr(loop, name), rtol=1e-10, atol=1e-6, err_msg=name)
