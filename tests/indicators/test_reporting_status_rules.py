"""Who has reported: the states of a facility-month and an enterprise-month at their boundaries (the due
day itself and the day after, a draft after the due date, returned months, corrections, facilities
commissioned mid-year and retired), with frames built by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from carbonpeak.indicators import reporting_status as rules
from carbonpeak.parameters import ParameterSet

DUE = {p: 15 for p in rules.months("2020-01", "2026-12")}


def facility(fid: int, enterprise: int = 1, **attrs: Any) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in rules.FACILITY_COLUMNS}
    row.update(facility_id=fid, enterprise_id=enterprise, status="operating")
    row.update(attrs)
    return row


def versions(*rows: tuple[int, str, int, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["facility_id", "period", "version", "status"])


def states(facilities: list[dict[str, Any]], vers: pd.DataFrame, periods: list[str], today: dt.date) -> dict[Any, str]:
    cells = rules.classify(pd.DataFrame(facilities), vers, periods, DUE, today)
    return {(int(r.facility_id), r.period): r.state for r in cells.itertuples()}


def test_the_due_day_itself_is_on_time_and_the_day_after_is_late() -> None:
    fac = [facility(1, first_reported="2025-01")]
    nothing = versions()
    assert rules.due_date("2025-12", 15) == dt.date(2026, 1, 15)
    assert states(fac, nothing, ["2025-12"], dt.date(2026, 1, 15)) == {(1, "2025-12"): "not_due"}
    assert states(fac, nothing, ["2025-12"], dt.date(2026, 1, 16)) == {(1, "2025-12"): "late"}
    cells = rules.classify(pd.DataFrame(fac), nothing, ["2025-12"], DUE, dt.date(2026, 1, 20))
    assert cells["days_late"].tolist() == [5] and cells["due"].tolist() == [dt.date(2026, 1, 15)]


def test_a_draft_is_not_a_report() -> None:
    fac = [facility(1, first_reported="2025-01")]
    draft = versions((1, "2025-12", 1, "draft"))
    on_due_day = rules.classify(pd.DataFrame(fac), draft, ["2025-12"], DUE, dt.date(2026, 1, 15))
    assert on_due_day["state"].tolist() == ["draft"] and on_due_day["days_late"].tolist() == [0]
    after = rules.classify(pd.DataFrame(fac), draft, ["2025-12"], DUE, dt.date(2026, 1, 16))
    assert after["state"].tolist() == ["late"]  # a draft after the due date is late
    assert after["has_draft"].tolist() == [True] and after["days_late"].tolist() == [1]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["submitted"], "submitted"),
        (["verified"], "submitted"),
        (["locked"], "submitted"),
        (["returned"], "returned"),
        (["returned", "draft"], "returned"),  # a correction still in draft does not answer the return
        (["returned", "submitted"], "submitted"),  # the correction was submitted
        (["locked", "draft"], "submitted"),  # a correction in draft does not undo the report
        (["submitted", "returned", "submitted", "returned"], "returned"),
    ],
)
def test_the_latest_version_that_left_the_enterprise_decides(statuses: list[str], expected: str) -> None:
    fac = [facility(1, first_reported="2025-01")]
    vers = versions(*[(1, "2025-12", n, s) for n, s in enumerate(statuses, start=1)])
    for today in (dt.date(2026, 1, 10), dt.date(2026, 3, 1)):  # before and after the due date alike
        assert states(fac, vers, ["2025-12"], today) == {(1, "2025-12"): expected}


def test_a_facility_commissioned_mid_year_reports_from_its_month() -> None:
    fac = [facility(1, commissioned_on=dt.date(2025, 6, 10), commissioning_year=2025)]
    got = states(fac, versions(), rules.months("2025-05", "2025-07"), dt.date(2026, 1, 20))
    assert got == {(1, "2025-05"): "not_required", (1, "2025-06"): "late", (1, "2025-07"): "late"}


def test_first_month_without_a_commissioning_day_is_the_first_report_else_january() -> None:
    reported = [facility(1, commissioning_year=2023, first_reported="2025-03")]
    got = states(
        reported, versions((1, "2025-03", 1, "submitted")), ["2025-02", "2025-03", "2025-04"], dt.date(2026, 1, 1)
    )
    assert got == {(1, "2025-02"): "not_required", (1, "2025-03"): "submitted", (1, "2025-04"): "late"}
    never = [facility(2, commissioning_year=2025)]
    got = states(never, versions(), ["2024-12", "2025-01"], dt.date(2026, 1, 1))
    assert got == {(2, "2024-12"): "not_required", (2, "2025-01"): "late"}
    unknown = [facility(3)]  # nothing known: every month is asked for
    assert states(unknown, versions(), ["2020-01"], dt.date(2026, 1, 1)) == {(3, "2020-01"): "late"}


def test_a_retired_facility_reports_up_to_its_retirement_month() -> None:
    fac = [facility(1, status="retired", retired_on=dt.date(2025, 6, 30), first_reported="2020-01")]
    got = states(fac, versions(), ["2025-06", "2025-07"], dt.date(2026, 1, 20))
    assert got == {(1, "2025-06"): "late", (1, "2025-07"): "not_required"}
    by_status = [facility(2, status="retired", status_since="2025-03-01", first_reported="2020-01")]
    assert states(by_status, versions(), ["2025-03", "2025-04"], dt.date(2026, 1, 20)) == {
        (2, "2025-03"): "late",
        (2, "2025-04"): "not_required",
    }
    by_last_report = [facility(3, status="retired", first_reported="2020-01", last_reported="2024-11")]
    assert states(by_last_report, versions(), ["2024-11", "2024-12"], dt.date(2026, 1, 20)) == {
        (3, "2024-11"): "late",
        (3, "2024-12"): "not_required",
    }
    no_trace = [facility(4, status="retired")]
    assert states(no_trace, versions(), ["2024-11"], dt.date(2026, 1, 20)) == {(4, "2024-11"): "not_required"}
    idle = [facility(5, status="idle", first_reported="2020-01")]  # idle facilities still report (zeros)
    assert states(idle, versions(), ["2025-11"], dt.date(2026, 1, 20)) == {(5, "2025-11"): "late"}


def test_an_enterprise_month_is_the_worst_of_its_facilities() -> None:
    facs = pd.DataFrame(
        [
            facility(1, enterprise=7, first_reported="2025-01"),
            facility(2, enterprise=7, first_reported="2025-01"),
            facility(3, enterprise=7, status="retired", retired_on=dt.date(2024, 1, 31)),
            facility(4, enterprise=8, first_reported="2025-01"),
        ]
    )
    vers = versions(
        (1, "2025-11", 1, "locked"),
        (2, "2025-11", 1, "returned"),
        (1, "2025-12", 1, "submitted"),
        (4, "2025-11", 1, "verified"),
        (4, "2025-12", 1, "draft"),
    )
    cells = rules.classify(facs, vers, ["2025-11", "2025-12"], DUE, dt.date(2026, 1, 10))
    ent = rules.by_enterprise(cells, {1: "B", 2: "A", 3: "C", 4: "D"})
    got = {
        (int(r.enterprise_id), r.period): (r.state, int(r.facility_id), int(r.required), int(r.reported))
        for r in ent.itertuples()
    }
    assert got == {
        (7, "2025-11"): ("returned", 2, 2, 1),  # the retired facility is not counted
        (7, "2025-12"): ("not_due", 2, 2, 1),  # nothing from facility 2 yet, not due: worse than a draft
        (8, "2025-11"): ("submitted", 4, 1, 1),
        (8, "2025-12"): ("draft", 4, 1, 0),
    }
    assert [rules.rank(s) for s in rules.STATES] == [0, 1, 2, 3, 4]
    later = rules.by_enterprise(rules.classify(facs, vers, ["2025-12"], DUE, dt.date(2026, 1, 16)))
    assert later["state"].tolist() == ["late", "late"]
    assert rules.state_counts(later) == {"late": 2, "returned": 0, "not_due": 0, "draft": 0, "submitted": 0}


def test_months_windows_and_short_months() -> None:
    assert rules.last_month(dt.date(2026, 1, 20)) == "2025-12"
    assert rules.default_window(dt.date(2026, 1, 20)) == ("2025-01", "2025-12")
    assert rules.default_window(dt.date(2026, 3, 1), count=3) == ("2025-12", "2026-02")
    assert rules.months("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert rules.due_date("2025-01", 31) == dt.date(2025, 2, 28)  # a day past a short month: its last day
    assert rules.due_date("2023-12", 30) == dt.date(2024, 1, 30)


def test_the_due_day_is_the_cited_parameter(params: ParameterSet) -> None:
    cited = params.at("indicators.warning_rule", period=dt.date(2025, 12, 1), item="report_due_day")
    assert cited.value == 15


def test_no_facility_gives_empty_tables() -> None:
    empty = pd.DataFrame([], columns=list(rules.FACILITY_COLUMNS))
    cells = rules.classify(empty, versions(), ["2025-12"], DUE, dt.date(2026, 1, 20))
    assert cells.empty and list(cells.columns) == list(rules.CELL_COLUMNS)
    assert rules.by_enterprise(cells).empty
    assert rules.state_counts(cells) == dict.fromkeys(rules.STATES, 0)
