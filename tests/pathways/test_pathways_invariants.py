"""Invariants of the pathway model: no lever no change, exits, green power, seeds, fast = loop."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, tiny_stock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.parameters import load
from carbonpeak.pathways import run as pr
from carbonpeak.pathways.engine import simulate, simulate_loop
from carbonpeak.pathways.scenario import load_scenario, parse_scenario, resolve
from carbonpeak.pathways.stock import Stock


def _with_levers(levers: list[dict[str, object]], name: str = "child") -> pr.ResolvedScenario:
    parent = load_scenario(SCENARIOS / "tiny_peak.yaml")
    child = parse_scenario({"id": name, "parent": "tiny_peak", "levers": levers}, file=f"{name}.yaml")
    files = [(f"{name}.yaml", child)]
    base = parse_scenario(
        {k: v for k, v in parent.model_dump(mode="json", by_alias=True).items() if k in _FILE_KEYS},
        file="tiny_peak.yaml",
    )
    return resolve([*files, ("tiny_peak.yaml", base)])


_FILE_KEYS = {
    "id",
    "title",
    "region",
    "base_year",
    "horizon",
    "benchmark_edition",
    "peak",
    "uncertainty",
    "plans",
    "production",
    "grid",
    "scrap",
    "levers",
}


def test_no_lever_no_change(stock: Stock) -> None:
    parent = load_scenario(SCENARIOS / "tiny_peak.yaml")
    same = _with_levers([])
    late = _with_levers([{"id": "late", "type": "exit", "plants": ["AL"], "year": 2031}])  # after the horizon
    a = pr.run(parent, stock, load(), draws=500)
    for other in (same, late):
        b = pr.run(other, stock, load(), draws=500)
        np.testing.assert_array_equal(a.outcome.emissions_location, b.outcome.emissions_location)
        np.testing.assert_array_equal(a.outcome.emissions_market, b.outcome.emissions_market)


def test_an_exited_plant_emits_nothing_after(stock: Stock) -> None:
    scenario = _with_levers(
        [{"id": "al_out", "type": "exit", "plants": ["AL"], "year": {"dist": "uniform", "low": 2025.5, "high": 2029.4}}]
    )
    run = pr.run(scenario, stock, load(), draws=400)
    model = run.compiled.model
    al = run.outcome.sectors.index("electrolytic_aluminium")
    mg = run.outcome.sectors.index("magnesium")
    exit_year = np.rint(run.samples["levers.al_out.year"])
    after = model.years[None, :] >= exit_year[:, None]
    assert after.any() and (~after).any()
    assert np.all(run.outcome.emissions_location[:, al, :][after] == 0.0)
    assert np.all(run.outcome.output[:, al, :][after] == 0.0)
    assert np.all(run.outcome.emissions_location[:, al, :][~after] > 0.0)
    # MG exits in 2028 in the parent (a fixed year)
    assert np.all(run.outcome.emissions_location[:, mg, model.years >= 2028] == 0.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    low=st.floats(min_value=0, max_value=100),
    extra=st.floats(min_value=0, max_value=100),
    contract=st.floats(min_value=0, max_value=2000),
)
def test_more_green_power_never_raises_market_emissions(low: float, extra: float, contract: float) -> None:
    stock = tiny_stock()
    high = min(low + extra, 100.0)

    def lever(share: float, volume: float) -> list[dict[str, object]]:
        levers: list[dict[str, object]] = [
            {"id": "green", "type": "green_electricity", "plants": ["AL"], "share_pct": {2026: share}}
        ]
        if volume > 0:
            levers.append(
                {
                    "id": "ppa",
                    "type": "green_electricity",
                    "contracts": [{"plant": "AL", "mwh_per_year": volume, "from": 2027, "to": 2030}],
                }
            )
        return levers

    a = pr.run(_with_levers(lever(low, 0.0)), stock, load(), draws=50, seed=1)
    b = pr.run(_with_levers(lever(high, 0.0)), stock, load(), draws=50, seed=1)
    c = pr.run(_with_levers(lever(high, contract)), stock, load(), draws=50, seed=1)
    assert np.all(b.emissions("market") <= a.emissions("market") + 1e-9)
    assert np.all(c.emissions("market") <= b.emissions("market") + 1e-9)
    # location-based emissions do not move with green power
    np.testing.assert_allclose(c.emissions("location"), a.emissions("location"), rtol=1e-12)


def test_same_seed_same_draws_other_seed_other_draws(stock: Stock) -> None:
    scenario = load_scenario(SCENARIOS / "tiny_peak.yaml")
    a = pr.run(scenario, stock, load(), draws=300, seed=11)
    b = pr.run(scenario, stock, load(), draws=300, seed=11)
    c = pr.run(scenario, stock, load(), draws=300, seed=12)
    assert a.digest() == b.digest()
    assert a.digest() != c.digest()
    assert not np.array_equal(a.emissions(), c.emissions())


def test_fast_engine_equals_the_per_draw_loop_with_every_lever_kind(stock: Stock) -> None:
    scenario = _with_levers(
        [
            {
                "id": "retro",
                "type": "retrofit",
                "plants": ["AL"],
                "to": "benchmark",
                "year": {"dist": "uniform", "low": 2025, "high": 2029},
            },
            {"id": "green", "type": "green_electricity", "plants": ["AL"], "share_pct": {2026: 20, 2030: 50}},
            {
                "id": "ppa",
                "type": "green_electricity",
                "contracts": [{"plant": "AL", "mwh_per_year": 300, "from": 2026, "to": 2029}],
            },
            {"id": "gas", "type": "fuel_switch", "plants": ["MG"], "year": 2026, "share_pct": 50, "to": "natural_gas"},
            {
                "id": "elec",
                "type": "fuel_switch",
                "plants": ["MG"],
                "year": {"dist": "triangular", "low": 2025, "mode": 2026, "high": 2030},
                "share_pct": 20,
                "to": "electricity",
                "electricity_mwh_per_tce": 3.0,
            },
            {
                "id": "ccus",
                "type": "new_technology",
                "technology": "ccus",
                "plants": ["AL"],
                "year": {"dist": "uniform", "low": 2026, "high": 2030},
                "capture_pct": 40,
                "capture_electricity_mwh_per_tco2": 0.3,
            },
            {
                "id": "new_al",
                "type": "replacement",
                "source": ["AL"],
                "ratio": 1.0,
                "year": {"dist": "uniform", "low": 2026, "high": 2029},
                "destination": {"code": "AL2", "like": "AL", "electricity_mwh_per_t": 9.0},
            },
            {"id": "alloy", "type": "direct_alloying", "share_pct": {2026: 95}, "saving_tco2e_per_t_alloyed": 0.1},
        ]
    )
    run = pr.run(scenario, stock, load(), draws=200, seed=5)
    loop = simulate_loop(run.compiled.model, run.samples)
    fast = simulate(run.compiled.model, run.samples)
    for name in ("emissions_location", "emissions_market", "output", "energy", "renewable", "used", "alloyed"):
        np.testing.assert_allclose(getattr(loop, name), getattr(fast, name), rtol=1e-10, atol=1e-9, err_msg=name)
    assert len(run.compiled.model.steps) >= 4  # the drawn years really are steps


def test_base_year_is_never_touched_by_a_lever(stock: Stock) -> None:
    scenario = _with_levers(
        [{"id": "early", "type": "exit", "plants": ["AL"], "year": {"dist": "uniform", "low": 2020, "high": 2026}}]
    )
    run = pr.run(scenario, stock, load(), draws=200)
    assert np.all(run.emissions()[:, 2] == pytest.approx(836.6))
