"""Recycled aluminium and copper: the casthouse metal balance, ISO 14021 recycled content and the share formula."""

import pytest
from conftest import load_cases

from carbonpeak.engine.recycling import mass_balance, recycled_content, share_pct


@pytest.mark.parametrize("case", load_cases("recycling.yaml", "mass_balance"))
def test_mass_balance(case, params):
    p = case.parameter_values(params)
    balance = mass_balance(**case.inputs, tolerance_pct=p["tolerance_pct"])
    for output in ("metal_from_scrap_t", "metal_in_t", "accounted_t", "residual_pct"):
        assert getattr(balance, output) == case.approx(output)
    assert int(balance.closes) == case.expected["closes"]["value"]


@pytest.mark.parametrize("case", load_cases("recycling.yaml", "recycled_content"))
def test_recycled_content(case):
    content = recycled_content(
        case.inputs["mass_t"],
        case.inputs["metal_yield"],
        case.inputs["consumer_status"],
        other_metal_t=case.inputs["other_metal_t"],
    )
    for output in ("recycled_t", "charged_t", "content_pct"):
        assert getattr(content, output) == case.approx(output)


@pytest.mark.parametrize("case", load_cases("recycling.yaml", "share_pct"))
def test_share_pct(case):
    assert share_pct(**case.inputs) == case.approx("share_pct")
    assert share_pct(case.inputs["numerator"], None) is None and share_pct(1.0, 0.0) is None
