"""B6: PFC by the slope method (CBAM definitive period and the IPCC 2006 CWPB variant)."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.aluminium import gas_mass_t, pfc_emissions_tco2e, pfc_slope_cf4_kg_per_t


@pytest.mark.parametrize("case", load_cases("pfc_slope.yaml"))
def test_pfc_slope_method(case, params):
    p = case.parameter_values(params)
    output_t = case.inputs["aluminium_output_t"]
    cf4_kg_per_t = pfc_slope_cf4_kg_per_t(case.inputs["anode_effect_minutes_per_cell_day"], p["slope_cf4"])
    c2f6_kg_per_t = cf4_kg_per_t * p["c2f6_to_cf4"]
    assert cf4_kg_per_t == case.approx("cf4_kg_per_t")
    assert gas_mass_t(output_t, cf4_kg_per_t) == case.approx("cf4_t")
    assert gas_mass_t(output_t, c2f6_kg_per_t) == case.approx("c2f6_t")
    pfc = pfc_emissions_tco2e(output_t, cf4_kg_per_t, c2f6_kg_per_t, gwp_cf4=p["gwp_cf4"], gwp_c2f6=p["gwp_c2f6"])
    assert pfc == case.approx("pfc_tco2e")
