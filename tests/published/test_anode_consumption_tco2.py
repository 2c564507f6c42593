"""B2 and the NDRC 2013 default case: CO2 from prebaked anode consumption."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.aluminium import anode_consumption_tco2


@pytest.mark.parametrize("case", load_cases("anode_consumption_tco2.yaml"))
def test_anode_consumption_tco2(case, params):
    arguments = {**case.inputs, **case.parameter_values(params)}
    co2_t = anode_consumption_tco2(**arguments)
    assert co2_t == case.approx("co2_t")
    assert co2_t / arguments["aluminium_output_t"] == case.approx("co2_per_t_al")
