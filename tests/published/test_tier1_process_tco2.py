"""B1: IPCC 2006 Tier 1 CO2 from anode or paste consumption."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.aluminium import tier1_process_tco2


@pytest.mark.parametrize("case", load_cases("tier1_process_tco2.yaml"))
def test_tier1_process_tco2(case, params):
    p = case.parameter_values(params)
    assert tier1_process_tco2(**case.inputs, ef_tco2_per_t=p["ef_tco2_per_t"]) == case.approx("co2_t")
