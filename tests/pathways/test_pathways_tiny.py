"""The tiny hand-built province: emissions, peak year and every probability computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import GRID_2024, GRID_2025, SCENARIOS

from carbonpeak.parameters.schema import Plan
from carbonpeak.pathways import peak as pk
from carbonpeak.pathways import run as pr
from carbonpeak.pathways.scenario import load_scenario
from carbonpeak.pathways.stock import Stock

GROWTH = "production.magnesium.growth_pct_per_year"


def hand_emissions(r_pct: float) -> list[float]:
    """2022-2030 by hand: accounted 300, 320; base 200 + 1000 × 0.5366 + 100; then AL 200 + 1000 × 0.5306
    and MG 100 × min((1 + r)^k, 2) until MG exits in 2028."""
    al = 200.0 + 1000.0 * GRID_2025
    out = [300.0, 320.0, 200.0 + 1000.0 * GRID_2024 + 100.0]
    for k in range(1, 7):
        year = 2024 + k
        mg = 0.0 if year >= 2028 else 100.0 * min((1 + r_pct / 100) ** k, 2.0)
        out.append(al + mg)
    return out


def test_emissions_match_the_hand_calculation(stock: Stock) -> None:
    scenario = load_scenario(SCENARIOS / "tiny_peak.yaml")
    draws = np.array([0.0, 1.0, 2.0, 5.0])
    run = pr.run(scenario, stock, pr.ParamSource(live=_params()), samples={GROWTH: draws})
    expected = np.array([hand_emissions(r) for r in draws])
    np.testing.assert_allclose(run.emissions(), expected, rtol=1e-12)


def test_peak_year_and_probabilities_by_hand(stock: Stock) -> None:
    scenario = load_scenario(SCENARIOS / "tiny_peak.yaml")
    # r = 0 and 1 %: 2027 stays below 2024 (103.03 ≤ 106): the peak is the base year 2024.
    # r = 2 and 5 %: 100 × 1.02³ = 106.12 > 106: the peak is 2027 (MG exits in 2028).
    run = pr.run(scenario, stock, _params(), samples={GROWTH: np.array([0.0, 1.0, 2.0, 5.0])})
    peak = pr.peak_summary(run)
    assert peak["distribution"] == [{"year": 2024, "probability": 0.5}, {"year": 2027, "probability": 0.5}]
    assert peak["no_peak_within_horizon"] == 0.0
    assert peak["p_peaked_by"] == {"2025": 0.5, "2030": 1.0}
    # the test at 2025 alone holds only for r = 0 (flat at 830.6 until MG exits); for r > 0 later years
    # exceed 2025 - yet half the draws have peaked by 2025, in 2024
    assert peak["p_test_holds_at"]["2025"] == 0.25
    assert peak["peak_level_tco2e"]["p50"] == pytest.approx((836.6 + 730.6 + 100 * 1.02**3) / 2)
    # plateau within 2 %: r = 0: 2024-2027 (836.6, 830.6 × 3); r = 5 %: 2024-2027 above 846.36 × 0.98
    assert peak["plateau_years"]["p50"] == 4.0


def test_sampled_probability_matches_the_distribution(stock: Stock) -> None:
    """uniform(−2, 4) %/a: peaked by 2025 ⇔ 100 (1 + r)³ ≤ 106 ⇔ r ≤ 1.9613 %: P = (1.9613 + 2) / 6."""
    scenario = load_scenario(SCENARIOS / "tiny_peak.yaml")
    run = pr.run(scenario, stock, _params())
    threshold = 100 * (1.06 ** (1 / 3) - 1)
    expected = (threshold + 2) / 6
    sd = (expected * (1 - expected) / run.draws) ** 0.5
    assert pr.peak_summary(run)["p_peaked_by"]["2025"] == pytest.approx(expected, abs=4 * sd)


def test_targets_checked_on_each_draw(stock: Stock) -> None:
    scenario = load_scenario(SCENARIOS / "tiny_targets.yaml")
    years = np.array([2025.0, 2026.0, 2027.0, 2028.0])
    run = pr.run(
        scenario,
        stock,
        _params(),
        samples={GROWTH: np.zeros(4), "levers.retrofit_al.year": years},
    )
    plan = Plan.model_validate(
        {
            "id": "tiny_plan",
            "region": "Tiny",
            "title": {"zh": "测试", "en": "test"},
            "seed": [],
            "read_on": "2026-01-01",
            "targets": [
                _target("T1", "share at benchmark", ">=", 50.0, "%", 2026),
                _target("T2", "carbon peak", "peak before", 2025.0, "year", 2025),
                _target("T3", "direct alloying", ">=", 90.0, "%", 2025),
                _target("T4", "solid waste", ">=", 60.0, "%", 2025),
            ],
        }
    )
    mapping = {
        "T1": {"indicator": "capacity_share_at_or_above_benchmark", "sectors": ["electrolytic_aluminium"]},
        "T3": {"indicator": "direct_alloying_share"},
        "T4": {"indicator": "solid_waste_utilisation_rate"},
    }
    scenario = scenario.model_copy(update={"plans": ["tiny_plan"]})
    run.scenario = scenario
    rows = {row["id"]: row for row in pr.evaluate_targets(run, {"tiny_plan": plan}, mapping)}
    # T1: AL is the only smelter; it is at the benchmark from its retrofit year: 2025 or 2026 of four draws
    assert rows["T1"]["probability"] == 0.5
    assert rows["T1"]["margin"]["p10"] == pytest.approx(-50.0) and rows["T1"]["margin"]["p90"] == pytest.approx(50.0)
    assert rows["T1"]["year_achieved"]["p50"] == 2026.5
    # T2: retrofit in 2025 or 2026 brings AL to 200 + 950 × 0.5306 = 704.07, MG stays at 100 (no growth):
    # every draw is below 836.6 after 2024, so every draw has peaked by 2024
    assert rows["T2"]["probability"] == 1.0 and rows["T2"]["year_achieved"]["p50"] == 2024
    # T3: 80 of 100 t directly alloyed
    assert rows["T3"]["probability"] == 0.0 and rows["T3"]["value"]["p50"] == pytest.approx(80.0)
    assert rows["T4"]["status"] == "not_modelled"


def test_wedges_add_up_and_match_the_hand_value(stock: Stock) -> None:
    child = load_scenario(SCENARIOS / "tiny_targets.yaml")
    parent = load_scenario(SCENARIOS / "tiny_peak.yaml")
    table = pr.wedges(child, parent, stock, pr.ParamSource(live=_params()), draws=4000, seed=3)
    assert table["order"] == ["retrofit_al"]
    by_year = {row["year"]: row for row in table["rows"][0]["by_year"]}
    # from 2028 every draw is retrofitted: 50 MWh less at 0.5306 tCO2/MWh
    assert by_year[2030]["mean"] == pytest.approx(50 * GRID_2025)
    assert by_year[2024]["mean"] == 0.0
    # additivity: the wedges sum to the parent's mean minus the child's
    a = pr.run(parent, stock, _params(), draws=4000, seed=3).emissions().mean(axis=0)
    b = pr.run(child, stock, _params(), draws=4000, seed=3).emissions().mean(axis=0)
    total = np.array([row["mean"] for row in table["rows"][0]["by_year"]])
    np.testing.assert_allclose(total, (a - b)[2:], rtol=1e-12, atol=1e-9)


def test_peak_functions_on_hand_arrays() -> None:
    years = np.arange(2020, 2026)
    e = np.array(
        [
            [1.0, 3.0, 2.0, 2.5, 1.0, 0.5],  # max 2021; wiggles up in 2023 but stays below 2021
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],  # rising to the end: no peak within the horizon
            [5.0, 5.0, 4.0, 4.0, 4.0, 4.0],  # tie: the earliest maximum
        ]
    )
    assert list(pk.peak_index(e)) == [1, 5, 0]
    assert list(pk.holds_at(e, years, 2022, 0.0)) == [False, False, True]
    assert list(pk.peaked_by(e, years, 2022, 0.0)) == [True, False, True]
    assert list(pk.peaked_by(e, years, 2022, 0.25)) == [True, False, True]
    # with 25 % tolerance the first row passes the test at 2022 too (2.5 ≤ 2 × 1.25)
    assert list(pk.holds_at(e, years, 2022, 0.25)) == [True, False, True]
    np.testing.assert_array_equal(pk.year_peaked(e, years, 0.0), [2021.0, np.nan, 2020.0])
    mask, count = pk.plateau(e, 0.2)
    assert mask[2].all()
    assert list(count) == [2, 2, 6]  # row 1: 3 and 2.5 (≥ 2.4); row 2: 5 and 6 (≥ 4.8); row 3: all ≥ 4


def _target(ident: str, text: str, comparator: str, value: float, unit: str, year: int) -> dict[str, object]:
    return {
        "id": ident,
        "indicator": text,
        "scope": "tiny",
        "comparator": comparator,
        "value": value,
        "unit": unit,
        "target_year": year,
        "quote": "test",
    }


def _params():  # type: ignore[no-untyped-def]
    from carbonpeak.parameters import load

    return load()
