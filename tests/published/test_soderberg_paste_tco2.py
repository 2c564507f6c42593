"""B4: CO2 from Søderberg paste consumption."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.aluminium import soderberg_paste_tco2


@pytest.mark.parametrize("case", load_cases("soderberg_paste_tco2.yaml"))
def test_soderberg_paste_tco2(case, params):
    co2_t = soderberg_paste_tco2(**case.inputs, **case.parameter_values(params))
    assert co2_t == case.approx("co2_t")
    assert co2_t / case.inputs["aluminium_output_t"] == case.approx("co2_per_t_al")
