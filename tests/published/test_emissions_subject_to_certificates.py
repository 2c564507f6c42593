"""A1: emissions subject to CBAM certificates after the free-allocation (benchmark × CBAM factor) deduction."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.cbam import emissions_subject_to_certificates


@pytest.mark.parametrize("case", load_cases("emissions_subject_to_certificates.yaml"))
def test_emissions_subject_to_certificates_matches_source(case, params):
    factor_pct = case.parameter_values(params)["cbam_factor_pct"]
    payable = emissions_subject_to_certificates(**case.inputs, cbam_factor_pct=factor_pct)
    assert payable == case.approx("payable_tco2e_per_t")
    share_pct = payable / case.inputs["embedded_tco2e_per_t"] * 100
    assert share_pct == case.approx("payable_share_of_embedded_pct")
    assert share_pct == case.approx("payable_share_published_pct")
