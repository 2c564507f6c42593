"""B9 and the NDRC 2013 magnesium guideline: primary-magnesium CO2, SF6 cover gas, dolomite and ferrosilicon."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.process import dolomite_calcination_tco2, gas_emitted_t, product_factor_tco2


@pytest.mark.parametrize("case", load_cases("magnesium.yaml", "ipcc_co2"))
def test_primary_magnesium_co2(case, params):
    p = case.parameter_values(params)
    assert product_factor_tco2(case.inputs["output_t"], p["ef_tco2_per_t"]) == case.approx("co2_t")


@pytest.mark.parametrize("case", load_cases("magnesium.yaml", "sf6"))
def test_sf6_cover_gas(case, params):
    p = case.parameter_values(params)
    sf6_t = gas_emitted_t(case.inputs["output_t"], p["ef_kg_per_t"])
    assert sf6_t == case.approx("sf6_t")
    assert sf6_t * p["gwp_sf6"] == case.approx("sf6_tco2e")


@pytest.mark.parametrize("case", load_cases("magnesium.yaml", "national"))
def test_national_magnesium_method(case, params):
    p = case.parameter_values(params)
    dolomite = dolomite_calcination_tco2(case.inputs["dolomite_t"], p["dolomite_coefficient"], p["dolomite_ef"])
    assert dolomite == case.approx("dolomite_co2_t")
    assert product_factor_tco2(case.inputs["ferrosilicon_t"], p["ferrosilicon_ef"]) == case.approx("ferrosilicon_co2_t")
