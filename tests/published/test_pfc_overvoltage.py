"""B7: PFC by the overvoltage method, and the guard against a current efficiency entered as a fraction."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.aluminium import gas_mass_t, pfc_emissions_tco2e, pfc_overvoltage_cf4_kg_per_t

CASES = load_cases("pfc_overvoltage.yaml")


@pytest.mark.parametrize("case", CASES)
def test_pfc_overvoltage_method(case, params):
    p = case.parameter_values(params)
    output_t = case.inputs["aluminium_output_t"]
    cf4_kg_per_t = pfc_overvoltage_cf4_kg_per_t(
        p["overvoltage_coefficient"], case.inputs["anode_effect_overvoltage_mv"], case.inputs["current_efficiency_pct"]
    )
    c2f6_kg_per_t = cf4_kg_per_t * p["c2f6_to_cf4"]
    assert gas_mass_t(output_t, cf4_kg_per_t) == case.approx("cf4_t")
    assert gas_mass_t(output_t, c2f6_kg_per_t) == case.approx("c2f6_t")
    pfc = pfc_emissions_tco2e(output_t, cf4_kg_per_t, c2f6_kg_per_t, gwp_cf4=p["gwp_cf4"], gwp_c2f6=p["gwp_c2f6"])
    assert pfc == case.approx("pfc_tco2e")


@pytest.mark.parametrize("case", CASES)
def test_current_efficiency_as_fraction_is_refused(case, params):
    """B7 note: CE = 0.94 instead of 94 would inflate CF4 100×; the engine must refuse it."""
    p = case.parameter_values(params)
    with pytest.raises(ValueError, match="percent"):
        pfc_overvoltage_cf4_kg_per_t(p["overvoltage_coefficient"], case.inputs["anode_effect_overvoltage_mv"], 0.94)
    with pytest.raises(ValueError, match="percent"):  # one bad record in a batch is enough to refuse the batch
        pfc_overvoltage_cf4_kg_per_t(p["overvoltage_coefficient"], [20, 20], [94, 0.94])
