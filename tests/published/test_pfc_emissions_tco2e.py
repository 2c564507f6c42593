"""B5 and the NDRC 2013 default case: PFC emissions by emission factor, GWPs by edition."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.aluminium import gas_mass_t, pfc_emissions_tco2e


@pytest.mark.parametrize("case", load_cases("pfc_emissions_tco2e.yaml"))
def test_pfc_emissions_tco2e(case, params):
    p = case.parameter_values(params)
    output_t = case.inputs["aluminium_output_t"]
    assert gas_mass_t(output_t, p["cf4_kg_per_t"]) == case.approx("cf4_t")
    assert gas_mass_t(output_t, p["c2f6_kg_per_t"]) == case.approx("c2f6_t")
    pfc = pfc_emissions_tco2e(
        aluminium_output_t=output_t,
        cf4_kg_per_t=p["cf4_kg_per_t"],
        c2f6_kg_per_t=p["c2f6_kg_per_t"],
        gwp_cf4=p["gwp_cf4"],
        gwp_c2f6=p["gwp_c2f6"],
    )
    assert pfc == case.approx("pfc_tco2e")
