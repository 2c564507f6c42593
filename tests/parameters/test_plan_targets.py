"""Every target of plan-targets.csv is in the plan files, with its comparator, value and target year.

The rows are typed independently from /work/shared/reference/plan-targets.csv: a transcription check, not a
formula test. ``None`` marks a target with no number (SN-04 "reach international advanced level", XJ-10
"increase"); its comparator says what is meant.
"""

import pytest

TARGETS = [
    ("SN-01", ">=", 24, 2025),
    ("SN-02", ">=", 30, 2025),
    ("SN-03", "<=", 0, 2025),
    ("SN-04", "reach", None, 2030),
    ("SN-05", "peak before", 2030, 2030),
    ("SN-06", ">=", 110000, 2025),
    ("SN-07", ">=", 65, 2025),
    ("SN-08", ">=", 100, 2025),
    ("GZ-01", ">=", 50, 2025),
    ("GZ-02", ">", 50, 2030),
    ("GZ-03", ">=", 90, 2025),
    ("GZ-04", "peak before", 2030, 2030),
    ("CN-01", "=", 0, 2023),
    ("CN-02", ">=", 11.5, 2025),
    ("CN-03", ">=", 30, 2030),
    ("CN-04", ">=", 60, 2025),
    ("CN-05", "=", 0, 2023),
    ("XJ-01", "<=", -17, 2025),
    ("XJ-02", "peak before", 2030, 2030),
    ("XJ-03", ">=", 30, 2025),
    ("XJ-04", ">=", 200, 2025),
    ("XJ-05", ">=", 10, 2025),
    ("XJ-06", ">=", 15, 2025),
    ("XJ-07", ">=", 57, 2025),
    ("XJ-08", ">=", 62, 2030),
    ("XJ-09", ">=", 30, 2030),
    ("XJ-10", "increase", None, 2025),
    ("XJ-11", "=", 100, 2023),
    ("XJ-12", ">=", 3, 2025),
    ("XJ-13", ">=", 15, 2025),
    ("XJ-14", ">=", 20, 2030),
    ("XJ-15", "<=", -3, 2025),
    ("XJ-16", "<", 40, 2025),
    ("XJ-17", ">=", 50, 2025),
    ("XJ-18", ">", 95, 2025),
    ("XJ-19", ">=", 100, 2025),
    ("XJ-20", ">=", 40, 2030),
    ("XJ-21", "<=", -25, 2030),
    ("XJ-22", "<=", -20, 2030),
]


@pytest.fixture(scope="module")
def targets(params):
    return {target.id: (plan, target) for plan, target in params.targets()}


def test_exactly_the_39_targets_are_loaded(targets):
    assert len(TARGETS) == 39
    assert sorted(targets) == sorted(row[0] for row in TARGETS)


@pytest.mark.parametrize(("target_id", "comparator", "value", "target_year"), TARGETS, ids=[row[0] for row in TARGETS])
def test_target_loads_with_its_value(targets, target_id, comparator, value, target_year):
    plan, target = targets[target_id]
    assert target.comparator == comparator
    assert target.value == value
    assert target.target_year == target_year
    assert target.quote.strip()
    assert plan.title["zh"] and plan.title["en"]
