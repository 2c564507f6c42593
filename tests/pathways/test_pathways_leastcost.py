"""Least-cost levers on the tiny province, where the answer can be seen by hand."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS, tiny_stock

from carbonpeak.errors import InputError
from carbonpeak.parameters import load
from carbonpeak.pathways.leastcost import cheapest
from carbonpeak.pathways.params import ParamSource
from carbonpeak.pathways.scenario import load_scenario


def _choose(probability: float):  # type: ignore[no-untyped-def]
    scenario = load_scenario(SCENARIOS / "tiny_costs.yaml")
    return cheapest(
        scenario, tiny_stock(), ParamSource(live=load()), probability=probability, plans={}, target_map={}, draws=300
    )


def test_nothing_is_bought_when_the_reference_is_enough() -> None:
    # MG grows by r ~ uniform(-2, 4) %/a: the test at 2030 holds without any lever where r ≤ 0, a third of draws
    choice = _choose(0.25)
    assert choice.status == "Optimal" and choice.chosen == [] and choice.cost_cny == 0.0
    assert choice.conditions[0]["model_probability"] == pytest.approx(1 / 3, abs=0.1)


def test_the_cheapest_sufficient_lever_is_chosen() -> None:
    # exit_mg (100) and ccus_mg (30) each stop the rise after 2030; retrofit_al (10) lowers every year alike
    choice = _choose(0.95)
    assert choice.status == "Optimal"
    assert choice.chosen == ["ccus_mg"] and choice.cost_cny == 30.0
    assert choice.conditions[0]["linear_probability"] == 1.0
    assert choice.conditions[0]["model_probability"] == 1.0


def test_a_scenario_without_costs_is_refused() -> None:
    scenario = load_scenario(SCENARIOS / "tiny_peak.yaml")
    with pytest.raises(InputError, match="no lever of the scenario has a cost"):
        cheapest(scenario, tiny_stock(), ParamSource(live=load()), probability=0.9, plans={}, target_map={})
