"""National-guideline fuel combustion (NDRC 2013 fuel table) and net purchased heat."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.combustion import fuel_combustion_tco2, purchased_heat_tco2


@pytest.mark.parametrize("case", load_cases("combustion.yaml", "fuel_combustion_tco2"))
def test_fuel_combustion_tco2(case, params):
    p = case.parameter_values(params)
    co2_t = fuel_combustion_tco2(
        fuel_amount=case.inputs["fuel_amount"],
        ncv_gj_per_unit=p["ncv_gj_per_unit"],
        carbon_content_tc_per_tj=p["carbon_content_tc_per_tj"],
        oxidation_rate_pct=p["oxidation_rate_pct"],
    )
    assert co2_t == case.approx("co2_t")


@pytest.mark.parametrize("case", load_cases("combustion.yaml", "purchased_heat_tco2"))
def test_purchased_heat_tco2(case, params):
    p = case.parameter_values(params)
    co2_t = purchased_heat_tco2(**case.inputs, heat_factor_tco2_per_gj=p["heat_factor_tco2_per_gj"])
    assert co2_t == case.approx("co2_t")
