"""The plausibility parameter families: every rule is one the gate knows, with a text in both languages and a
severity; each bound anchored on a standard lies at the stated margin of that standard's levels as carbonpeak
holds them (benchmarks.energy_limit, benchmarks.ndrc_level): a TRANSCRIPTION CHECK, not a formula test."""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak import messages
from carbonpeak.parameters import load
from carbonpeak.plausibility import RULES, Rules
from carbonpeak.plausibility.rules import FAMILIES

PARAMS = load()
DAY = dt.date(2024, 6, 1)


def level(standard: str, product: str, indicator: str, number: int) -> float:
    return float(
        PARAMS.value("benchmarks.energy_limit", standard=standard, product=product, indicator=indicator, level=number)
    )


def ndrc(product: str, which: str) -> float:
    return float(PARAMS.value("benchmarks.ndrc_level", edition="2021", product=product, level=which))


def test_every_entry_is_a_known_rule_with_a_severity_a_text_and_a_source() -> None:
    for family in FAMILIES:
        file = PARAMS.files[family]
        assert file.keys == ["rule", "sector", "severity"]
        for entry in file.entries:
            assert entry.key["rule"] in RULES, entry.key
            assert entry.key["severity"] in ("error", "warning"), entry.key
            assert messages.known(f"plausibility.{entry.key['rule']}")
            assert entry.note, f"{entry.key}: say where the bound comes from"
            source = file.sources[entry.source]
            assert "shared/reference" in (source.found_in or "") or "carbonpeak's own" in (source.found_in or "")


def test_a_sectors_entry_wins_over_all_and_off_switches_a_rule_off() -> None:
    rules = Rules(PARAMS, DAY)
    assert rules.get("energy_per_t", "copper", "error").high == 3800
    assert rules.get("energy_per_t", "other", "error").high == 20000  # from "all"
    assert rules.get("energy_month", "copper", "warning").number == 30
    assert rules.get("energy_month", "electrolytic_aluminium", "warning") is None  # "off"
    assert rules.get("ac_power_per_t", "copper", "error") is None  # no entry
    assert Rules(PARAMS, dt.date(2012, 12, 31)).rules() == []  # nothing in force before 2013


@pytest.mark.parametrize(
    ("sector", "error_high", "warning"),
    [
        (
            "alumina",
            10 * level("GB 21346-2022", "其他工艺氧化铝", "综合能耗", 3),
            (0.5 * level("GB 21346-2022", "拜耳法氧化铝", "综合能耗", 1), 2 * 700),
        ),
        ("magnesium", 10 * level("GB 21347-2023", "原镁", "镁单位产品综合能耗", 3), (0.5 * 3500, 2 * 5000)),
        (
            "industrial_silicon",
            10 * level("GB 21347-2023", "工业硅（主还原剂为煤）", "单位产品综合能耗", 3),
            (0.5 * level("GB 21347-2023", "工业硅（主还原剂为木炭）", "单位产品综合能耗", 1), 2 * 3600),
        ),
        (
            "titanium",
            10 * level("GB 29448-2022", "海绵钛（全流程）", "单位产品综合能耗", 3),
            (0.5 * level("GB 29448-2022", "钛锭（二次真空自耗电弧熔炼）", "单位产品综合能耗", 1), 2 * 5080),
        ),
        ("copper", 10 * ndrc("copper_smelting", "baseline"), (0.5 * ndrc("copper_smelting", "benchmark"), 2 * 380)),
        (
            "lead",
            10 * ndrc("lead_smelting_crude", "baseline"),
            (0.5 * ndrc("lead_smelting_crude", "benchmark"), 2 * 300),
        ),
        (
            "zinc",
            10 * ndrc("zinc_smelting_hydro", "baseline"),
            (0.5 * ndrc("zinc_smelting_hydro", "benchmark"), 2 * 1280),
        ),
    ],
)
def test_energy_bounds_lie_at_their_margin_of_the_standards_levels(
    sector: str, error_high: float, warning: tuple[float, float]
) -> None:
    rules = Rules(PARAMS, DAY)
    assert rules.get("energy_per_t", sector, "error").high == pytest.approx(error_high)
    found = rules.get("energy_per_t", sector, "warning")
    assert (found.low, found.high) == pytest.approx(warning)


def test_aluminium_bounds_against_gb_21346() -> None:
    rules = Rules(PARAMS, DAY)
    ingot = "铝锭综合单耗（综合能耗）"
    assert rules.get("energy_per_t", "electrolytic_aluminium", "error").high == 10 * level(
        "GB 21346-2022", "电解铝", ingot, 3
    )
    assert rules.get("energy_per_t", "electrolytic_aluminium", "warning").low == 0.5 * level(
        "GB 21346-2022", "电解铝", ingot, 1
    )
    ac_warning = rules.get("ac_power_per_t", "electrolytic_aluminium", "warning")
    levels = [level("GB 21346-2022", "电解铝", "铝液交流电耗", n) for n in (1, 2, 3)]
    assert levels == [12950, 13000, 13350]
    assert ac_warning.low < levels[0] and ac_warning.high > levels[2]  # every level of the standard lies inside
