"""The pure rules of the green register: designations in force by year, 企业绿码 grades with the cited shares on
small hand-checked sets, the configured ranking score, GB/T 36132-2025 gaps (no verdict without a published
baseline), and the filing state against a deadline."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from carbonpeak.green import codes, config, filing, register, scoring


def test_a_designation_counts_from_its_year_until_the_year_of_its_removal() -> None:
    assert not register.in_force(2024, None, 2023)
    assert register.in_force(2024, None, 2024)
    assert register.in_force(2023, dt.date(2025, 6, 30), 2024)
    assert not register.in_force(2023, dt.date(2025, 6, 30), 2025)
    assert register.in_force(None, None, 2010)  # a registry flag without a year: every year, as before


def test_counts_of_subjects_in_force_by_kind_and_level() -> None:
    frame = pd.DataFrame(
        [
            # subject, kind, level, year designated, year removed
            ("E1", "factory", "national", 2019, None),
            ("E1", "factory", "provincial", 2017, None),  # the same enterprise twice: counted once
            ("E2", "factory", "provincial", 2024, None),
            ("E3", "factory", "provincial", 2021, 2025),
            ("E4", "factory", "city", 2020, None),  # a city-level factory is not 省级及以上
            ("P1", "park", "national", 2021, None),
            ("E5", "supply_chain", None, None, None),
        ],
        columns=["subject_code", "kind", "level", "year_designated", "removed_year"],
    )
    counted = register.FACTORY_COUNTED_LEVELS
    assert [register.count_in_force(frame, y, "factory", counted) for y in (2016, 2017, 2023, 2024, 2025)] == [
        0,
        1,
        2,
        3,
        2,
    ]
    assert register.count_in_force(frame, 2020, "factory") == 2  # all levels: E1, E4
    assert register.count_in_force(frame, 2020, "park") == 0 and register.count_in_force(frame, 2021, "park") == 1
    assert register.count_in_force(frame, 2000, "supply_chain") == 1


def test_green_code_shares_on_twenty_units_are_exactly_one_seven_twelve() -> None:
    scores = {f"U{i:02d}": float(100 - i) for i in range(20)}  # U00 best … U19 worst
    grades = codes.grades(scores, config.code_shares())
    assert grades["U00"] == "A+"
    assert [grades[f"U{i:02d}"] for i in range(1, 8)] == ["A"] * 7
    assert [grades[f"U{i:02d}"] for i in range(8, 20)] == ["B"] * 12


def test_green_code_on_six_units_ties_and_a_non_filer() -> None:
    # positions (share ranked strictly above): 0 %, 16.7 %, 33.3 %, 33.3 % (tie), 66.7 %, 83.3 %
    scores = {"a": 9.0, "b": 8.0, "c": 7.0, "d": 7.0, "e": 5.0, "f": 4.0, "x": None}
    assert codes.grades(scores, codes.DEFAULT_SHARES) == {
        "a": "A+",
        "b": "A",
        "c": "A",
        "d": "A",  # equal scores share the better grade
        "e": "B",
        "f": "B",
        "x": None,  # did not file: no code
    }


def test_the_cited_shares_are_five_thirty_five_sixty() -> None:
    assert config.code_shares() == (("A+", 5.0), ("A", 35.0), ("B", 60.0))
    assert "384号" in config.dynamic()["green_code"]["source"]
    assert "not found" in config.dynamic()["green_code"]["score"]["note_en"]


def test_relative_score_against_the_median() -> None:
    values = {"a": {"c": 8.0}, "b": {"c": 10.0}, "d": {"c": 12.0}, "e": {"c": None}}
    scores = codes.relative_scores(values, {"c": 1.0}, {"c"})
    assert scores["a"] == pytest.approx(10.0 / 8.0) and scores["b"] == pytest.approx(1.0)
    assert scores["d"] == pytest.approx(10.0 / 12.0) and scores["e"] is None


def test_the_standard_holds_five_groups_and_no_published_value() -> None:
    standard = config.standard()
    assert [g["zh"] for g in standard["groups"]] == [
        "能源低碳化",
        "资源高效化",
        "生产洁净化",
        "产品绿色化",
        "用地集约化",
    ]
    values = [i[k] for g in standard["groups"] for i in g["indicators"] for k in ("baseline", "leading")]
    assert values and all(v is None for v in values)  # the non-ferrous values are not published: none invented
    assert "60 %" in standard["weights_note_en"]
    rows = scoring.gaps(standard, {"energy_per_product": 1700.0})
    first = next(r for r in rows if r.indicator == "energy_per_product")
    assert first.status == "baseline_unpublished" and first.measured == 1700.0 and first.to_baseline is None


def test_gaps_once_values_are_configured() -> None:
    standard = {
        "groups": [
            {
                "id": "g",
                "zh": "组",
                "indicators": [
                    {"id": "low", "zh": "低", "unit": "u", "better": "lower", "baseline": 10.0, "leading": 8.0},
                    {"id": "high", "zh": "高", "unit": "%", "better": "higher", "baseline": 50.0, "leading": None},
                    {"id": "none", "zh": "无", "unit": "u", "better": "lower", "baseline": 1.0, "leading": None},
                ],
            }
        ]
    }
    rows = {r.indicator: r for r in scoring.gaps(standard, {"low": 12.0, "high": 55.0})}
    assert rows["low"].status == "below_baseline" and rows["low"].to_baseline == pytest.approx(2.0)
    assert rows["low"].to_leading == pytest.approx(4.0)
    assert rows["high"].status == "baseline_met" and rows["high"].to_baseline == pytest.approx(-5.0)
    assert rows["none"].status == "not_measured"
    assert scoring.gaps(standard, {"low": 7.5})[0].status == "leading_met"


def test_filing_state_against_the_configured_deadline() -> None:
    due = config.deadline(2024, ("23",))
    assert due is not None and due.on == dt.date(2025, 3, 30) and "黑龙江" in due.source
    assert config.deadline(2024, ("nowhere", "")) is None
    on = dt.date(2025, 3, 30)
    assert filing.filing_state(dt.date(2025, 3, 1), on, dt.date(2025, 6, 1)) == "filed"
    assert filing.filing_state(dt.date(2025, 4, 1), on, dt.date(2025, 6, 1)) == "filed_late"
    assert filing.filing_state(None, on, dt.date(2025, 3, 30)) == "due"
    assert filing.filing_state(None, on, dt.date(2025, 3, 31)) == "overdue"
    assert filing.flagged_for_removal("overdue") and not filing.flagged_for_removal("due")
    assert filing.filing_state(None, None, dt.date(2030, 1, 1)) == "no_deadline"
