"""A warning's text comes from the catalog by code and parameters, in the reader's language; a run of the rules
says what it checked, so that only a warning it checked and did not find again is cleared."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from carbonpeak.indicators import warning_texts as texts
from carbonpeak.indicators import warnings as w
from tests.indicators.test_warnings_rules import FACILITIES, aluminium, facts, submitted


def test_texts_render_in_each_language_with_field_names_dates_and_numbers() -> None:
    details, zh, en = texts.coded(
        "held_month", facility="AL1", period="2025-02", count=2, fields=["electrolysis_ac_mwh", "fuel:coke"]
    )
    assert details == {
        "code": "warning.text.held_month",
        "params": {"facility": "AL1", "period": "2025-02", "count": 2, "fields": ["electrolysis_ac_mwh", "fuel:coke"]},
    }
    assert zh == "AL1 2025年2月 月报有 2 项合理性提示（电解交流电耗、焦炭），核查通过前不计入监管汇总"
    assert en.startswith("AL1 2025-02 was reported with 2 plausibility warnings (AC power to electrolysis, ")
    assert texts.text(details, "zh", "stored", names={"AL1": "电解一厂"}).startswith("电解一厂 2025年2月")
    details, zh, en = texts.coded("over_capacity", facility="AL1", year=2025, output=240000.0, capacity=200000.0)
    assert zh == "AL1 2025 年化产量 240,000 t，超过核定产能 200,000 t/a"
    late, zh, _en = texts.coded("late_submission", facility="AL1", period="2025-01", days=5, due=dt.date(2025, 2, 15))
    assert zh == "AL1 2025年1月 月报迟报 5 天（应于 2025年2月15日 前报送）"
    assert texts.text(late, "en", "stored") == "AL1 2025-01 reported 5 days late (due 2025-02-15)"


def test_a_warning_without_a_known_code_keeps_its_stored_text() -> None:
    assert texts.text({}, "zh", "迟报") == "迟报"
    assert texts.text({"code": "warning.text.no_such_kind", "params": {}}, "en", "late") == "late"
    assert texts.text(None, "en", "late") == "late"


def test_a_run_covers_only_what_it_checked() -> None:
    table = facts([aluminium("AL1", "2025-01", 13000), aluminium("AL1", "2025-02", 13000)])
    subs = submitted([("AL1", "2025-01", "2025-02-10"), ("AL1", "2025-02", "2025-03-10")])
    only_reporting = w.evaluate(
        table, subs, FACILITIES, as_of=dt.date(2025, 6, 1), kinds={"late_submission", "missing_submission"}
    )
    covers = only_reporting.covers
    assert covers("missing_submission", "AL1", "missing_submission:AL1:2025-03", {})
    assert not covers("implausible_jump", "AL1", "implausible_jump:AL1:2025-02:energy_tce", {})  # not judged
    assert not covers("late_submission", "AL1", "test:other", {})  # a key the rules never make
    everything = w.evaluate(table, subs, FACILITIES, as_of=dt.date(2025, 6, 1), benchmark_edition="2021")
    params_2021 = {"params": {"edition": "2021"}}
    assert everything.covers("below_baseline", "AL1", "below_baseline:AL1:2025", params_2021)
    assert not everything.covers("below_baseline", "AL1", "below_baseline:AL1:2025", {"params": {"edition": "2023"}})
    assert not everything.covers("below_baseline", "AL9", "below_baseline:AL9:2025", params_2021)  # not classified
    assert everything.covers("below_baseline", "AL2", "below_baseline:AL2:2024", params_2021)  # retired: no warning


def test_a_draft_is_not_a_report_and_a_held_month_is_raised_until_verified() -> None:
    subs = pd.DataFrame(
        [
            {
                "facility_code": "AL1",
                "period": "2025-01",
                "status": "submitted",
                "submitted_at": pd.Timestamp("2025-02-10"),
                "flags": [{"rule": "r", "field": "output_t", "severity": "warning"}],
            },
            {"facility_code": "AL1", "period": "2025-02", "status": "draft", "submitted_at": None, "flags": None},
            {
                "facility_code": "AL1",
                "period": "2025-03",
                "status": "verified",
                "submitted_at": pd.Timestamp("2025-04-10"),
                "flags": [{"rule": "r", "field": "output_t", "severity": "warning"}],
            },
        ]
    )
    raised = w.generate(facts([aluminium("AL1", "2025-03", 13000)]), subs, FACILITIES, as_of=dt.date(2025, 4, 20))
    assert [r.period for r in raised if r.kind == "missing_submission"] == ["2025-02"]
    assert [r.key for r in raised if r.kind == "held_month"] == ["held_month:AL1:2025-01"]  # March is verified


def test_a_target_is_covered_when_measured_by_the_same_benchmark_edition() -> None:
    from carbonpeak.indicators.targets import evaluate
    from tests.indicators.test_targets_statuses import PLAN, alloying, target

    evaluation = evaluate(PLAN, target(90), facts([alloying(2021, 60), alloying(2023, 70)]), region="P", year=2023)
    outcome = w.evaluate(
        facts([alloying(2023, 70)]),
        submitted([]),
        FACILITIES,
        as_of=dt.date(2024, 1, 20),
        evaluations=[evaluation],
        regions={"test_plan": "P"},
    )
    (raised,) = [r for r in outcome.raised if r.kind == "target_off_track"]
    assert (raised.region, raised.details["benchmark_edition"]) == ("P", None)
    assert raised.message_zh.startswith("规划目标 《测试》（译名）GZ-03") and "进度滞后" in raised.message_zh
    assert "目标：2025 年≥90%" in raised.message_zh  # the plan's title and the target as the plans write it
    assert outcome.covers("target_off_track", None, raised.key, raised.details)
    assert not outcome.covers("target_off_track", None, raised.key, {**raised.details, "benchmark_edition": "2021"})
    assert not outcome.covers("target_off_track", None, "target:test_plan:GZ-99", raised.details)
