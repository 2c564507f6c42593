"""B8: specific embedded emissions of a complex aluminium good with one precursor."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.cbam import complex_good_see


@pytest.mark.parametrize("case", load_cases("complex_good_see.yaml"))
def test_complex_good_see(case, params):
    p = case.parameter_values(params)
    see = complex_good_see(**case.inputs, precursor_see_tco2e_per_t=p["precursor_see_tco2e_per_t"])
    assert see == case.approx("see_tco2e_per_t")
