"""Coverage and partial years on hand-built facts and month-states tables, every count known by construction:
held-out months are kept out and counted, waiting months are missing (never zero) and counted, missing
months are counted, the latest complete year is the default, and a partial year is labelled and compared
with the same months of the year before."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from carbonpeak.indicators import coverage as cov
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import evaluate
from carbonpeak.parameters import load
from carbonpeak.parameters.schema import Target
from tests.indicators.test_targets_statuses import PLAN, facts


def month(code: str, period: str, energy: float | None, output: float, **more: object) -> dict:
    """A counted aluminium month: energy and emissions from its result (None: no result, it waits)."""
    waits = energy is None
    return {
        "facility_code": code,
        "sector": "electrolytic_aluminium",
        "period": period,
        "output_t": output,
        "energy_tce": np.nan if waits else energy,
        "total_location_tco2e": np.nan if waits else energy * 3.0,
        "has_result": not waits,
        **more,
    }


def states(rows: list[tuple[str, str, str]], sector: str = "electrolytic_aluminium") -> pd.DataFrame:
    """A month-states table from (facility, period, state) triples in province P, city C1."""
    frame = pd.DataFrame(rows, columns=["facility_code", "period", "state"])
    frame["year"] = frame["period"].str.slice(0, 4).astype(int)
    frame["month"] = frame["period"].str.slice(5, 7).astype(int)
    frame["sector"] = sector
    frame["product"] = ""
    frame["province_code"], frame["city_code"], frame["park_code"] = "P", "C1", ""
    frame.attrs["clusters"] = {"CL": ["C1"]}
    return frame


def options(months: pd.DataFrame | None, as_of: dt.date | None = None) -> ind.Options:
    return ind.Options(load(), months=months, as_of=as_of)


def test_held_out_months_are_kept_out_and_counted() -> None:
    # AL1 reports Jan-Mar 2024; March was saved with plausibility warnings that no verifier resolved:
    # the facts reader leaves it out, the month states say it is held out.
    table = facts([month("AL1", "2024-01", 100.0, 1000.0), month("AL1", "2024-02", 110.0, 1000.0)])
    months = states([("AL1", "2024-01", "counted"), ("AL1", "2024-02", "counted"), ("AL1", "2024-03", "held_out")])
    value = ind.compute("energy_tce", table, region="P", year=2024, options=options(months))
    assert value.value == 210.0 and value.months == 2
    assert value.coverage == cov.Coverage(counted=2, held_out=1)
    row = ind.table(table, region="P", year=2024, options=options(months)).set_index(["indicator", "sector"])
    assert row.loc[("energy_tce", "all"), ["months", "held_out", "waiting", "missing"]].tolist() == [2, 1, 0, 0]


def test_a_waiting_month_is_missing_not_zero_and_counted() -> None:
    # February has no result (a parameter is not published): its output must not dilute the intensity,
    # and its energy is not 0.
    table = facts(
        [
            month("AL1", "2024-01", 100.0, 1000.0),
            month("AL1", "2024-02", None, 1000.0),
            month("AL1", "2024-03", 120.0, 1000.0),
        ]
    )
    o = options(None)  # the facts table alone knows its waiting months
    energy = ind.compute("energy_tce", table, region="P", year=2024, options=o)
    intensity = ind.compute("energy_intensity_kgce_per_t", table, region="P", year=2024, options=o)
    assert energy.value == 220.0 and energy.coverage == cov.Coverage(counted=2, waiting=1)
    assert intensity.value == pytest.approx(220.0 * 1000 / 2000.0)  # 110 kgce/t, not 73.3 over three months
    # A year whose every month waits has no value: not a total of zero.
    only_waiting = facts([month("AL1", "2023-05", None, 1000.0)])
    nothing = ind.compute("energy_tce", only_waiting, region="P", year=2023, options=o)
    assert nothing.value is None and nothing.coverage.waiting == 1 and nothing.coverage.counted == 0


def test_a_facility_year_with_a_waiting_month_has_no_total_rather_than_a_smaller_one() -> None:
    table = facts([month("AL1", "2024-01", 100.0, 1000.0), month("AL1", "2024-02", None, 1000.0)])
    table["facility_code"] = "AL1"
    years = ind.facility_year_frame(table)
    assert years.loc[0, "months"] == 2 and years.loc[0, "output_t"] == 2000.0
    assert np.isnan(years.loc[0, "energy_tce"]) and np.isnan(years.loc[0, "comprehensive_energy_kgce_per_t"])


def test_missing_months_are_counted() -> None:
    table = facts([month("AL1", "2024-01", 100.0, 1000.0)])
    months = states(
        [
            ("AL1", "2024-01", "counted"),
            ("AL1", "2024-02", "missing"),
            ("AL1", "2024-03", "missing"),
            ("AL1", "2024-04", "unverified"),
        ]
    )
    value = ind.compute("emissions_location_tco2e", table, region="CL", year=2024, options=options(months))
    assert value.value == 300.0
    assert value.coverage.as_dict() == {"counted": 1, "held_out": 0, "waiting": 0, "unverified": 1, "missing": 2}
    assert "1 awaiting verification; 2 not reported" in value.coverage.text("en")
    assert "未报送 2 个" in value.coverage.text("zh")


def test_expected_months_run_from_the_first_report_to_the_last_due_month_or_retirement() -> None:
    assert cov.last_due_month(dt.date(2025, 4, 15), 15) == (2025, 2)  # March is due on 15 April: not yet past
    assert cov.last_due_month(dt.date(2025, 4, 16), 15) == (2025, 3)
    assert cov.last_due_month(dt.date(2026, 1, 20), 15) == (2025, 12)
    firsts = pd.DataFrame(
        {"facility_id": [1, 2], "first": [2024 * 12 + 10, 2024 * 12], "retired": [np.nan, 2024 * 12 + 1]}
    )
    ids, months = cov.expected_months(firsts, dt.date(2025, 2, 20), 15)  # January 2025 is the last due
    assert ids.tolist() == [1, 1, 1, 2, 2]
    assert [f"{m // 12}-{m % 12 + 1:02d}" for m in months] == ["2024-11", "2024-12", "2025-01", "2024-01", "2024-02"]


def demo_like(sector: str = "electrolytic_aluminium") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two smelters: 2024 all counted; 2025 January-September verified, October-December submitted
    (awaiting verification), as the demonstration province on 20 January 2026."""
    rows, triples = [], []
    for code, scale in (("AL1", 1.0), ("AL2", 2.0)):
        for m in range(1, 13):
            rows.append(month(code, f"2024-{m:02d}", 100.0 * scale + m, 1000.0 * scale, sector=sector))
            triples.append((code, f"2024-{m:02d}", "counted"))
            if m <= 9:
                rows.append(month(code, f"2025-{m:02d}", 105.0 * scale + m, 1000.0 * scale, sector=sector))
            triples.append((code, f"2025-{m:02d}", "counted" if m <= 9 else "unverified"))
    return facts(rows), states(triples, sector)


def test_the_latest_complete_year_is_the_default() -> None:
    _table, months = demo_like()
    # 2025 has months awaiting verification: not complete, whatever the day
    assert cov.default_year(months, dt.date(2026, 1, 20), 15) == 2024
    assert cov.year_period(months, 2025, dt.date(2026, 3, 1), 15).complete is False
    # once they are verified, 2025 is complete after its December's due day (15 January 2026), not before
    verified = months.assign(state="counted")
    assert cov.default_year(verified, dt.date(2026, 1, 15), 15) == 2024
    assert cov.default_year(verified, dt.date(2026, 1, 16), 15) == 2025
    # a month never reported does not keep a year open (it is counted as missing on every figure)
    gap = verified.copy()
    gap.loc[(gap["facility_code"] == "AL1") & (gap["period"] == "2025-05"), "state"] = "missing"
    assert cov.default_year(gap, dt.date(2026, 2, 1), 15) == 2025
    # a waiting or held-out month does
    for state in ("waiting", "held_out"):
        open_year = verified.copy()
        open_year.loc[open_year["period"] == "2025-05", "state"] = state
        assert cov.default_year(open_year, dt.date(2026, 2, 1), 15) == 2024
    # no complete year at all: the latest year with counted data
    assert cov.default_year(months[months["year"] == 2025], dt.date(2026, 2, 1), 15) == 2025


def test_a_partial_year_is_labelled_and_compared_with_the_same_months_of_the_year_before() -> None:
    table, months = demo_like()
    prepared = ind.prepare(table, region="P", options=options(months, dt.date(2026, 1, 20)))
    period = prepared.period(2025)
    assert period.partial and period.last_month == 9 and not period.complete
    assert period.label().text("zh") == "2025年1–9月累计"
    assert period.label().text("en") == "2025 Jan–Sep cumulative"
    assert prepared.period(2024).label().text("zh") == "2024年" and not prepared.period(2024).partial
    # 同比: January-September 2025 against January-September 2024, never against the whole of 2024
    same = ind.through_month(prepared, period.last_month)
    energy = ind.series(same, "energy_tce", [2024, 2025])["value"]
    jan_sep_2024 = sum(100.0 * s + m for s in (1.0, 2.0) for m in range(1, 10))
    jan_sep_2025 = sum(105.0 * s + m for s in (1.0, 2.0) for m in range(1, 10))
    whole_2024 = sum(100.0 * s + m for s in (1.0, 2.0) for m in range(1, 13))
    assert energy[2024] == jan_sep_2024 and energy[2025] == jan_sep_2025
    assert ind.series(prepared, "energy_tce", [2024])["value"][2024] == whole_2024
    assert jan_sep_2025 / jan_sep_2024 > 1.0 > jan_sep_2025 / whole_2024  # a rise, not the fall a whole year reads
    assert same.coverage_of(2024) == cov.Coverage(counted=18)


def test_a_partial_year_sum_gets_no_status_against_an_annual_target_and_is_not_missed_yet() -> None:
    table, months = demo_like("titanium")  # SN-06: titanium output, a sum over months
    o = options(months, dt.date(2026, 1, 20))
    output = Target(
        id="SN-06",
        indicator="output",
        scope="titanium",
        comparator=">=",
        value=1.0,
        unit="t",
        target_year=2025,
        quote="q",
    )
    result = evaluate(PLAN, output, table, region="P", year=2025, options=o)
    assert result.years[-1].year == 2025 and result.years[-1].value is None  # 1–9月累计 is not a year's output
    assert result.status == "met" and result.period is not None and result.period.year == 2024
    table, months = demo_like()
    o = options(months, dt.date(2026, 1, 20))
    share = Target(
        id="GZ-03",
        indicator="direct alloying",
        scope="aluminium",
        comparator=">=",
        value=90.0,
        unit="%",
        target_year=2025,
        quote="q",
    )
    alloyed = table.assign(direct_alloying_t=table["output_t"] * 0.5)
    result = evaluate(PLAN, share, alloyed, region="P", year=2025, options=o)
    assert result.status == "off_track"  # 50 % in January-September: short, but the year is not over
    assert result.coverage == cov.Coverage(counted=18, unverified=6)
    assert "2025 Jan–Sep cumulative" in result.reason
