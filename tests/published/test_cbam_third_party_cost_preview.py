"""A2, A3 as negative and regression tests: the regulated CBAM SEE of aluminium is direct-only.

The third-party site adds indirect emissions. carbonpeak must not: ``specific_embedded_emissions`` on the
attributed *direct* emissions is the regulated figure, and it differs from the site's direct + indirect.
The site's euro arithmetic is reproduced only as a third-party arithmetic check; carbonpeak has no function
that produces it, on purpose.
"""

import numpy as np
import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.cbam import specific_embedded_emissions

CASES = load_cases("cbam_third_party_cost_preview.yaml")


@pytest.mark.parametrize("case", CASES)
def test_regulated_see_is_direct_only_and_not_the_site_figure(case):
    qty = case.inputs["quantity_t"]
    direct_total_tco2e = case.inputs["direct_tco2_per_t"] * qty
    regulated = specific_embedded_emissions(attributed_direct_tco2e=direct_total_tco2e, activity_level_t=qty)
    assert regulated == case.approx("regulated_see_tco2e_per_t")

    site_total = case.inputs["direct_tco2_per_t"] + case.inputs["indirect_tco2_per_t"]
    assert site_total == case.approx("site_total_tco2_per_t")
    assert regulated != pytest.approx(site_total, rel=0.01)
    assert regulated < site_total


@pytest.mark.parametrize("case", CASES)
def test_third_party_arithmetic_check_only(case):
    """Third-party arithmetic check: (direct + indirect) × price × 10 %, as the site computes it.

    This is NOT a carbonpeak figure and NOT a CBAM liability; it only shows that the site's printed
    numbers follow from its printed inputs.
    """
    inputs = case.inputs
    site_cost_per_t = (
        (np.float64(inputs["direct_tco2_per_t"]) + inputs["indirect_tco2_per_t"])
        * inputs["ets_price_eur_per_t"]
        * inputs["site_share_pct"]
        / 100
    )
    assert site_cost_per_t == case.approx("site_cost_eur_per_t_recomputed")
    assert site_cost_per_t == case.approx("site_cost_eur_per_t_published")
    assert site_cost_per_t * inputs["quantity_t"] == case.approx("site_cost_eur_published")

    direct_only_cost = inputs["direct_tco2_per_t"] * inputs["ets_price_eur_per_t"] * inputs["site_share_pct"] / 100
    assert direct_only_cost != pytest.approx(site_cost_per_t, rel=0.01)
