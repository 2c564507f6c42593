"""A4: CBAM default values for Chinese aluminium goods, and the default-value mark-up (derived)."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.cbam import default_value_with_markup


@pytest.mark.parametrize("case", load_cases("cbam_default_values.yaml", "lookup"))
def test_default_see_read_from_parameters(case, params):
    inputs = case.inputs
    held = params.at("cbam.default_see", period=inputs["year"], country=inputs["country"], cn_code=inputs["cn_code"])
    assert held.value == case.approx("default_see_tco2e_per_t")
    assert held.unit == "tCO2e/t"


@pytest.mark.parametrize("case", load_cases("cbam_default_values.yaml", "markup"))
def test_default_value_with_markup(case, params):
    p = case.parameter_values(params)
    see = default_value_with_markup(p["default_see"], p["markup_pct"])
    assert see == case.approx("default_with_markup_tco2e_per_t")
