"""A5, A6, A7: indicator arithmetic on published figures.

carbonpeak has no engine function for a percentage change or a cradle-to-gate roll-up yet. Those cases
are checked here with numpy, as ARITHMETIC CHECKS OF THE PUBLISHED FIGURES, not as tests of carbonpeak code.
The A7 per-tonne reduction goes through ``carbonpeak.engine.benchmark.gap_to_level``.
"""

import numpy as np
import pytest
from conftest import load_cases

from carbonpeak.engine.benchmark import gap_to_level


def _relative_change_pct(before, after):
    """(after − before) / before × 100. Test-local helper; not an engine function."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    return (after - before) / before * 100


@pytest.mark.parametrize("case", load_cases("indicators.yaml", "relative_change"))
def test_published_percentage_change_arithmetic(case):
    change = _relative_change_pct(case.inputs["before"], case.inputs["after"])
    for output in case.expected:
        assert change == case.approx(output), output


@pytest.mark.parametrize("case", load_cases("indicators.yaml", "gap_to_level"))
def test_reduction_per_tonne_via_gap_to_level(case):
    reduction = gap_to_level(case.inputs["unit_consumption"], case.inputs["level"])
    assert reduction == case.approx("reduction_kwh_per_t")


@pytest.mark.parametrize("case", load_cases("indicators.yaml", "rollup"))
def test_published_cradle_to_gate_rollup_arithmetic(case):
    total = np.sum(list(case.inputs["stages_tco2e_per_t"].values()))
    assert total == case.approx("total_tco2e_per_t")
    assert total < case.inputs["low_carbon_threshold_tco2e_per_t"]
