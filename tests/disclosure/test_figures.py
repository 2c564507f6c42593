"""The pure arithmetic of disclosure: scope 1 and 2 from the results' columns, by facility and by source
type, year on year; the due day and its states; working days without a holiday calendar."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from carbonpeak.disclosure import deadlines, figures
from carbonpeak.disclosure.config import config


def _rows() -> pd.DataFrame:
    # two facilities, two months each; one month waiting (no result): left out, not counted as zero
    return pd.DataFrame(
        {
            "facility_code": ["A", "A", "B", "B"],
            "year": [2025, 2025, 2025, 2024],
            "has_result": [True, True, False, True],
            "direct_tco2e": [10.0, 20.0, None, 5.0],
            "total_location_tco2e": [15.0, 28.0, None, 9.0],
            "total_market_tco2e": [12.0, 26.0, None, 8.0],
            "fuel_tco2": [1.0, 2.0, None, 1.0],
            "process_tco2": [4.0, 8.0, None, 4.0],
            "pfc_tco2e": [5.0, 10.0, None, 0.0],
            "electricity_location_tco2": [4.0, 7.0, None, 3.0],
            "electricity_market_tco2": [1.0, 5.0, None, 2.0],
            "heat_tco2": [1.0, 1.0, None, 1.0],
        }
    )


def test_scope_totals_by_hand() -> None:
    now = figures.totals(figures.of_year(_rows(), 2025))
    # scope 1 = 10 + 20; scope 2 location = (15 + 28) - 30 = 13; market = (12 + 26) - 30 = 8
    assert (now.scope1, now.scope2_location, now.scope2_market) == (30.0, 13.0, 8.0)
    assert (now.total_location, now.total_market, now.facility_months) == (43.0, 38.0, 2)


def test_by_facility_and_source() -> None:
    this_year = figures.of_year(_rows(), 2025)
    assert list(figures.by_facility(this_year)) == ["A"]  # B's 2025 month waits for its result
    sources = {name: (scope, value) for name, scope, value in figures.by_source(this_year)}
    assert sources["combustion"] == (1, 3.0) and sources["process"] == (1, 12.0) and sources["pfc"] == (1, 15.0)
    # the scope 1 sources add up to scope 1, the location-based scope 2 sources to scope 2
    assert sources["combustion"][1] + sources["process"][1] + sources["pfc"][1] == 30.0
    assert sources["electricity_location"][1] + sources["heat"][1] == 13.0
    assert sources["electricity_market"][1] + sources["heat"][1] == 8.0


def test_reduction_year_on_year() -> None:
    change = figures.Change(this_year=30.0, last_year=40.0)
    assert change.reduction == 10.0 and change.reduction_pct == pytest.approx(25.0)
    assert figures.Change(50.0, 40.0).reduction == -10.0  # an increase
    assert figures.Change(None, 40.0).reduction is None and figures.Change(1.0, 0.0).reduction_pct is None


def test_due_day_is_the_cited_parameter() -> None:
    settings = config()
    assert deadlines.annual_due(settings.rule, 2025) == dt.date(2026, 3, 15)
    assert "第24号" in settings.sources["annual_report"]["number"]
    assert settings.rule.temporary_working_days == 5 and "holiday" in settings.notes["temporary_report"]


@pytest.mark.parametrize(
    ("published", "today", "state"),
    [
        (dt.date(2026, 3, 15), dt.date(2026, 12, 1), deadlines.ON_TIME),  # on the due day itself
        (dt.date(2026, 3, 16), dt.date(2026, 12, 1), deadlines.LATE),
        (None, dt.date(2026, 3, 15), deadlines.NOT_YET),
        (None, dt.date(2026, 3, 16), deadlines.OVERDUE),
    ],
)
def test_deadline_states(published: dt.date | None, today: dt.date, state: str) -> None:
    assert deadlines.state(dt.date(2026, 3, 15), published, today) == state


def test_working_days_skip_weekends_only() -> None:
    friday = dt.date(2026, 3, 13)
    assert deadlines.add_working_days(friday, 5) == dt.date(2026, 3, 20)  # Mon..Fri of the next week
    # no holiday calendar: the National Day week counts as working days (said in docs/disclosure.md)
    assert deadlines.add_working_days(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 7)
