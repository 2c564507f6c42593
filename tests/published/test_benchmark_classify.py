"""Energy-efficiency class against the NDRC 2021 benchmark and baseline levels, and capacity shares."""

import numpy as np
import pytest
from conftest import load_cases

from carbonpeak.engine.benchmark import (
    AT_OR_ABOVE_BENCHMARK,
    BELOW_BASELINE,
    BETWEEN,
    capacity_shares,
    classify,
)


@pytest.mark.parametrize("case", load_cases("benchmark_classify.yaml", "classify"))
def test_classify(case, params):
    p = case.parameter_values(params)
    code = classify(case.inputs["unit_consumption"], p["benchmark_level"], p["baseline_level"])
    assert code.dtype == np.int8
    assert int(code) == case.expected["class_code"]["value"]


@pytest.mark.parametrize("case", load_cases("benchmark_classify.yaml", "capacity_shares"))
def test_capacity_shares(case):
    shares = capacity_shares(case.inputs["classes"], case.inputs["capacity_t_per_a"])
    assert shares[AT_OR_ABOVE_BENCHMARK] == case.approx("share_at_or_above_benchmark")
    assert shares[BETWEEN] == case.approx("share_between")
    assert shares[BELOW_BASELINE] == case.approx("share_below_baseline")
