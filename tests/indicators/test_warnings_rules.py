"""Each kind of warning, reached on hand-built frames where the expected outcome is known."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.indicators import warnings as w
from carbonpeak.indicators.targets import evaluate
from tests.indicators.test_targets_statuses import PLAN, alloying, facts, target

FACILITIES = pd.DataFrame(
    [
        {
            "facility_code": "AL1",
            "status": "operating",
            "commissioning_year": 2010,
            "retired_on": None,
            "capacity_t_per_a": 1000.0,
        },
        {
            "facility_code": "AL2",
            "status": "retired",
            "commissioning_year": 2005,
            "retired_on": dt.date(2024, 6, 30),
            "capacity_t_per_a": 1000.0,
        },
    ]
)


def aluminium(code: str, period: str, ac_kwh_per_t: float, output: float = 50.0, **extra) -> dict:
    return {
        "facility_code": code,
        "sector": "electrolytic_aluminium",
        "product": "electrolytic_aluminium",
        "period": period,
        "output_t": output,
        "electrolysis_ac_mwh": output * ac_kwh_per_t / 1000,
        "energy_tce": output * 1.7,
        "total_location_tco2e": output * 10.0,
        "capacity_t_per_a": 1000.0,
        **extra,
    }


def submitted(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"facility_code": c, "period": p, "status": "locked", "submitted_at": pd.Timestamp(t)} for c, p, t in rows],
        columns=["facility_code", "period", "status", "submitted_at"],
    )


def kinds(raised: list[w.Raised], kind: str) -> list[w.Raised]:
    return [r for r in raised if r.kind == kind]


def test_below_baseline_before_and_after_the_deadline_and_retired_lines_are_left_out() -> None:
    table = facts([aluminium("AL1", "2025-03", 13400), aluminium("AL2", "2024-03", 13600)])
    subs = submitted([("AL1", "2025-03", "2025-04-10"), ("AL2", "2024-03", "2024-04-10")])
    before = w.generate(table, subs, FACILITIES, as_of=dt.date(2025, 6, 1), benchmark_edition="2021")
    (only,) = kinds(before, "below_baseline")
    assert only.facility_code == "AL1" and only.deadline == dt.date(2025, 12, 31)
    assert only.details["unit_consumption"] == pytest.approx(13400.0)  # 13 400 > baseline 13 350 kWh/t
    after = w.generate(table, subs, FACILITIES, as_of=dt.date(2026, 1, 10), benchmark_edition="2021")
    assert [r.facility_code for r in kinds(after, "baseline_deadline_passed")] == ["AL1"]
    assert not kinds(after, "below_baseline")


def test_late_and_missing_months() -> None:
    table = facts([aluminium("AL1", "2025-01", 13000), aluminium("AL1", "2025-03", 13000)])
    subs = submitted([("AL1", "2025-01", "2025-02-20"), ("AL1", "2025-03", "2025-04-15")])
    raised = w.generate(table, subs, FACILITIES, as_of=dt.date(2025, 5, 16))
    (late,) = kinds(raised, "late_submission")
    assert late.period == "2025-01" and late.details["days_late"] == 5  # due 2025-02-15
    # as of 16 May the April report is due (15 May): February and April are missing
    assert [r.period for r in kinds(raised, "missing_submission")] == ["2025-02", "2025-04"]
    early = w.generate(table, subs, FACILITIES, as_of=dt.date(2025, 5, 15))
    assert [r.period for r in kinds(early, "missing_submission")] == ["2025-02"]


def test_jumps_estimates_and_over_capacity() -> None:
    rows = [
        aluminium("AL1", "2025-01", 13000, output=80.0),
        {**aluminium("AL1", "2025-02", 13000, output=80.0), "energy_tce": 80.0 * 1.7 * 1.5},  # +50 %
        aluminium("AL1", "2025-03", 13000, output=120.0, metering="estimate"),
    ]
    table = facts(rows)
    table["metering"] = ["meter", "meter", "estimate"]
    raised = w.generate(table, submitted([]), FACILITIES, as_of=dt.date(2025, 4, 1))
    jumps = kinds(raised, "implausible_jump")
    assert {(j.period, j.details["column"]) for j in jumps} == {("2025-02", "energy_tce"), ("2025-03", "energy_tce")}
    assert [r.period for r in kinds(raised, "estimated_month")] == ["2025-03"]
    # 280 t in 3 months is 1 120 t/a, above the approved 1 000 t/a
    (over,) = kinds(raised, "over_capacity")
    assert over.details["annualised_output_t"] == pytest.approx(1120.0)


def test_targets_off_track_become_warnings() -> None:
    evaluation = evaluate(PLAN, target(90), facts([alloying(2021, 60), alloying(2023, 70)]), region="P", year=2023)
    raised = w.generate(
        facts([alloying(2023, 70)]), submitted([]), FACILITIES, as_of=dt.date(2024, 1, 20), evaluations=[evaluation]
    )
    (warning,) = kinds(raised, "target_off_track")
    assert warning.key == "target:test_plan:GZ-03" and "off track" in warning.message_en


def test_a_registry_without_retired_facilities_raises_its_warnings() -> None:
    """No retirement date at all (a datetime column of NaT once parsed) leaves every facility counted."""
    operating = FACILITIES.iloc[:1].assign(retired_on=[None])
    table = facts([aluminium("AL1", "2025-03", 13400)])
    subs = submitted([("AL1", "2025-03", "2025-04-20")])
    raised = w.generate(table, subs, operating, as_of=dt.date(2025, 6, 1), benchmark_edition="2021")
    assert {r.kind for r in raised} >= {"below_baseline", "late_submission"}


def test_the_workflow_steps_and_their_refusals() -> None:
    assert w.next_status("open", "acknowledge") == "acknowledged"
    assert w.next_status("acknowledged", "assign", "inspector:Li") == "assigned"
    assert w.next_status("closed", "reopen") == "open"
    refusals = [
        (("open", "escalate"), "warning.unknown_action"),
        (("open", "assign"), "warning.needs_assignee"),
        (("assigned", "reopen"), "warning.reopen_only_closed"),
        (("closed", "close"), "warning.closed"),
    ]
    for (status, action), code in refusals:
        with pytest.raises(InputError) as refused:
            w.next_status(status, action)
        assert refused.value.code == code
    with pytest.raises(InputError) as reopen:
        w.next_status("assigned", "reopen")
    assert reopen.value.text("zh").endswith("只有已关闭的预警可以重新打开；该预警为“已指派”")
