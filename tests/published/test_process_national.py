"""National-guideline process emissions: limestone calcination, carbonate decomposition, carbon in reductants."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.process import (
    carbonate_decomposition_tco2,
    limestone_calcination_tco2,
    reductant_carbon_tco2,
)


@pytest.mark.parametrize("case", load_cases("process_national.yaml", "limestone_calcination_tco2"))
def test_limestone_calcination_tco2(case, params):
    p = case.parameter_values(params)
    assert limestone_calcination_tco2(**case.inputs, ef_tco2_per_t=p["ef_tco2_per_t"]) == case.approx("co2_t")


@pytest.mark.parametrize("case", load_cases("process_national.yaml", "carbonate_decomposition_tco2"))
def test_carbonate_decomposition_tco2(case, params):
    p = case.parameter_values(params)
    assert carbonate_decomposition_tco2(**case.inputs, ef_tco2_per_t=p["ef_tco2_per_t"]) == case.approx("co2_t")


@pytest.mark.parametrize("case", load_cases("process_national.yaml", "reductant_carbon_tco2"))
def test_reductant_carbon_tco2(case):
    assert reductant_carbon_tco2(**case.inputs) == case.approx("co2_t")
