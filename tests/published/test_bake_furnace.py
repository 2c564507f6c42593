"""B3: bake-furnace CO2 from pitch volatiles and packing coke."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.aluminium import packing_coke_tco2, pitch_volatiles_tco2


@pytest.mark.parametrize("case", load_cases("bake_furnace.yaml", "pitch_volatiles_tco2"))
def test_pitch_volatiles_tco2(case, params):
    p = case.parameter_values(params)
    green_t = case.inputs["green_anodes_t"]
    hydrogen_t = p["hydrogen_fraction"] * green_t
    waste_tar_t = p["waste_tar_fraction"] * green_t
    assert hydrogen_t == case.approx("hydrogen_t")
    assert waste_tar_t == case.approx("waste_tar_t")
    co2_t = pitch_volatiles_tco2(
        green_anodes_t=green_t,
        hydrogen_t=hydrogen_t,
        baked_anodes_t=case.inputs["baked_anodes_t"],
        waste_tar_t=waste_tar_t,
    )
    assert co2_t == case.approx("co2_t")


@pytest.mark.parametrize("case", load_cases("bake_furnace.yaml", "packing_coke_tco2"))
def test_packing_coke_tco2(case, params):
    co2_t = packing_coke_tco2(**case.inputs, **case.parameter_values(params))
    assert co2_t == case.approx("co2_t")
