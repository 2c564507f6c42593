"""B10: IPCC 2006 Tier 1 CO2 for lead, zinc and silicon metal, and CH4 from silicon metal."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.process import gas_emitted_t, product_factor_tco2


@pytest.mark.parametrize("case", load_cases("lead_zinc_silicon.yaml", "co2"))
def test_tier1_product_factor(case, params):
    p = case.parameter_values(params)
    assert product_factor_tco2(case.inputs["output_t"], p["ef_tco2_per_t"]) == case.approx("co2_t")


@pytest.mark.parametrize("case", load_cases("lead_zinc_silicon.yaml", "ch4"))
def test_silicon_metal_ch4(case, params):
    p = case.parameter_values(params)
    assert gas_emitted_t(case.inputs["output_t"], p["ef_kg_per_t"]) == case.approx("ch4_t")
