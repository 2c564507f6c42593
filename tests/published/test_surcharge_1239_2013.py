"""Tiered electricity price for electrolytic aluminium: 1239 steps and relief, the 2013 tiers, the amount due."""

import pytest
from conftest import load_cases

from carbonpeak.engine.surcharge import (
    renewable_relief_factor_1239,
    surcharge_steps_1239,
    surcharge_yuan,
    surcharge_yuan_per_kwh_1239,
    surcharge_yuan_per_kwh_2013,
)


@pytest.mark.parametrize("case", load_cases("surcharge_1239_2013.yaml", "rule_1239"))
def test_surcharge_1239(case, params):
    p = case.parameter_values(params)
    u = case.inputs["indicator_kwh_per_t"]
    steps = surcharge_steps_1239(u, p["threshold_kwh_per_t"], p["step_kwh_per_t"])
    assert steps == case.approx("steps")
    factor = renewable_relief_factor_1239(
        case.inputs["nonhydro_share_pct"],
        case.inputs["incentive_weight_pct"],
        p["relief_min_share_pct"],
        p["relief_rate_pct_per_point"],
    )
    assert factor == case.approx("relief_factor")
    surcharge = surcharge_yuan_per_kwh_1239(
        u, p["threshold_kwh_per_t"], p["step_kwh_per_t"], p["increment_yuan_per_kwh"], factor
    )
    assert surcharge == case.approx("surcharge_yuan_per_kwh")


@pytest.mark.parametrize("case", load_cases("surcharge_1239_2013.yaml", "tier_2013"))
def test_surcharge_2013(case, params):
    surcharge = surcharge_yuan_per_kwh_2013(case.inputs["indicator_kwh_per_t"], **case.parameter_values(params))
    assert surcharge == case.approx("surcharge_yuan_per_kwh")


@pytest.mark.parametrize("case", load_cases("surcharge_1239_2013.yaml", "surcharge_yuan"))
def test_surcharge_yuan(case, params):
    p = case.parameter_values(params)
    assert surcharge_yuan(**case.inputs) == case.approx("surcharge_yuan")
    assert surcharge_yuan(**case.inputs, multiplier=p["late_payment_multiplier"]) == case.approx("surcharge_yuan_late")
