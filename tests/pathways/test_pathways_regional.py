"""A scenario written for the province runs on each of its cities: its levers keep the city's own plants
(pathways.regional.for_stock), a lever with none of them is set aside, and the run succeeds, where the
scenario as written is refused on the first plant of another city."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbonpeak.errors import InputError
from carbonpeak.parameters import load
from carbonpeak.pathways import run as pr
from carbonpeak.pathways.params import ParamSource
from carbonpeak.pathways.regional import for_stock, plant_codes
from carbonpeak.pathways.scenario import ReplacementLever, RetrofitLever, Uncertainty, load_scenario
from carbonpeak.pathways.stock import Stock

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = ("baseline", "plan", "accelerated")
CITIES = [f"demo-{c}" for c in "abcdefgh"]


@pytest.fixture(scope="module")
def stocks(demo_url: str) -> dict[str, Stock]:
    from carbonpeak.store import db
    from carbonpeak.store.pathways import read_stock

    params = load()
    out = {}
    with db.transaction(demo_url) as session:
        for region in ["demo", *CITIES]:
            out[region] = read_stock(
                session, region=region, base_year=2024, start_year=2020, benchmark_edition="2021", params=params
            )
    return out


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_scenario_runs_on_the_province_and_each_city(name: str, stocks: dict[str, Stock]) -> None:
    params = load()
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    for region, stock in stocks.items():
        on_region = scenario.model_copy(update={"region": region, "uncertainty": Uncertainty(draws=200, seed=7)})
        restricted = for_stock(on_region, stock)
        codes = plant_codes(stock)
        for lever in restricted.scenario.levers:
            named = lever.source if isinstance(lever, ReplacementLever) else getattr(lever, "plants", None)
            if isinstance(named, list):
                assert named and set(named) <= codes, (name, region, lever.id)
        kept = {lv.id for lv in restricted.scenario.levers}
        assert kept | set(restricted.set_aside) == {lv.id for lv in scenario.levers}
        result = pr.run(restricted.scenario, stock, ParamSource(live=params))
        peaked = pr.peak_summary(result)["p_peaked_by"]["2030"]
        assert 0.0 <= peaked <= 1.0
        if region == "demo":  # the province holds every plant the files name: nothing changes
            assert restricted.scenario.levers == scenario.levers and not restricted.set_aside


def test_the_plan_as_written_is_refused_on_a_city_and_runs_restricted(stocks: dict[str, Stock]) -> None:
    params = load()
    plan = load_scenario(SCENARIOS / "plan.yaml").model_copy(
        update={"region": "demo-d", "uncertainty": Uncertainty(draws=200, seed=7)}
    )
    with pytest.raises(InputError) as refused:
        pr.run(plan, stocks["demo-d"], ParamSource(live=params))
    assert refused.value.code == "pathways.unknown_plant"
    restricted = for_stock(plan, stocks["demo-d"])
    assert "retrofit_to_benchmark" in restricted.narrowed
    retrofit = next(lv for lv in restricted.scenario.levers if lv.id == "retrofit_to_benchmark")
    assert isinstance(retrofit, RetrofitLever)
    assert retrofit.plants == ["AL03", "AL04"]  # AL05 is a smelter of another city
    pr.run(restricted.scenario, stocks["demo-d"], ParamSource(live=params))
    # a city without any of the retrofit's smelters: the lever is set aside, not run on nothing
    elsewhere = for_stock(plan.model_copy(update={"region": "demo-a"}), stocks["demo-a"])
    assert "retrofit_to_benchmark" in elsewhere.set_aside
