"""The deposit's pure rules with hand-checked figures: the cited configuration, deadlines, prefilled values,
every problem at once, the cross-checks; and the annual figures from the accounting's terms."""

from __future__ import annotations

import datetime as dt

from carbonpeak.ets import config, deposit
from carbonpeak.ets.config import Item

CFG = config.load()
ITEMS = (
    Item("fuel_consumption", "化石燃料消耗量", "fuel", "t", "fuels", "generic", True),
    Item("fuel_ncv", "低位发热量", "NCV", "GJ/t", "fuels.ncv", "generic", False),
    Item("output_t", "产量", "output", "t", "output_t", "generic", True),
    Item("anode_ash_pct", "灰分", "ash", "%", "anode_ash_pct", "platform", False),
)
RECORD = {
    "output_t": 1000.0,
    "fuels": [
        {"fuel": "diesel", "amount": 2.5},
        {"fuel": "diesel", "amount": 1.5},
        {"fuel": "natural_gas", "amount": 3, "ncv": 389.31},
    ],
}


def test_the_configuration_is_cited_and_says_what_was_not_found() -> None:
    assert CFG.enterprise_days == 20 and CFG.city_review_days == 40 and CFG.district_review_days == 5
    assert "anchors-mrv.md" in CFG.source["found_in"]
    assert "not found" in CFG.source["note"] and "CETS" in CFG.source["note"]
    assert {i.basis for i in CFG.items} == {"generic", "platform"}


def test_deadlines_hand_checked() -> None:
    # November 2025 ends on the 30th: the enterprise by 20 December, the city by 9 January (40 days)
    on_time = deposit.enterprise_deadline("2025-11", dt.date(2025, 12, 20), dt.date(2026, 1, 20), CFG)
    assert (on_time.due, on_time.status) == (dt.date(2025, 12, 20), "on_time")
    late = deposit.enterprise_deadline("2025-11", dt.date(2025, 12, 24), dt.date(2026, 1, 20), CFG)
    assert (late.status, late.days_late) == ("late", 4)
    assert deposit.enterprise_deadline("2025-12", None, dt.date(2026, 1, 20), CFG).status == "open"
    assert deposit.enterprise_deadline("2025-12", None, dt.date(2026, 1, 21), CFG).days_late == 1
    review = deposit.review_deadline("2025-11", dt.date(2025, 12, 18), None, dt.date(2026, 1, 20), CFG)
    assert (review.due, review.status, review.days_late) == (dt.date(2026, 1, 9), "overdue", 11)
    # February 2024 (leap year) ends on the 29th; deposited 20 days late, the district's 5 days count from then
    very_late = deposit.review_deadline("2024-02", dt.date(2024, 4, 15), None, dt.date(2024, 4, 16), CFG)
    assert very_late.due == dt.date(2024, 4, 20)
    assert deposit.review_deadline("2025-11", None, None, dt.date(2026, 1, 20), CFG) is None


def test_prefill_from_the_report() -> None:
    values = deposit.prefill(ITEMS, "AL1", RECORD)
    assert values == {
        "AL1:fuel_consumption:diesel": 4.0,  # two lines of one fuel: summed
        "AL1:fuel_consumption:natural_gas": 3.0,
        "AL1:fuel_ncv:diesel": None,  # the report gives none
        "AL1:fuel_ncv:natural_gas": 389.31,
        "AL1:output_t": 1000.0,
        "AL1:anode_ash_pct": None,
    }
    assert [k for k, _ in deposit.item_keys(ITEMS, "AL1", None)] == ["AL1:output_t", "AL1:anode_ash_pct"]


def test_every_bad_value_at_once_and_what_a_deposit_lacks() -> None:
    keys = deposit.item_keys(ITEMS, "AL1", RECORD)
    clean, problems = deposit.checked_values(
        {"AL1:output_t": "-1", "AL1:fuel_ncv:diesel": "abc", "AL9:x": 1, "AL1:anode_ash_pct": ""}, [k for k, _ in keys]
    )
    assert sorted((p.code, p.field) for p in problems) == [
        ("ets.negative", "AL1:output_t"),
        ("ets.not_a_number", "AL1:fuel_ncv:diesel"),
        ("ets.unknown_item", "AL9:x"),
    ]
    assert clean == {"AL1:anode_ash_pct": None}
    lacks = deposit.missing_for_deposit(keys, {"AL1:output_t": 1000.0}, {"AL1:output_t"})
    codes = sorted((p.code, p.field) for p in lacks)
    assert ("ets.evidence_missing", "AL1:fuel_consumption") in codes  # the fuels' file is the item's
    assert ("ets.value_missing", "AL1:fuel_ncv:natural_gas") in codes
    assert not any(f == "AL1:anode_ash_pct" for _c, f in codes)  # a platform item is optional
    assert "zh" and lacks[0].text("zh") != lacks[0].text("en")


def test_every_problem_of_a_file_at_once() -> None:
    problems = deposit.checked_file("../x.exe", b"", "AL1:nope", ["AL1:output_t"], CFG.max_files_per_item, CFG)
    assert sorted(p.code for p in problems) == sorted(
        ["ets.unknown_item", "ets.bad_file_name", "ets.bad_file_type", "ets.empty_file", "ets.too_many_files"]
    )
    big = deposit.checked_file("a.pdf", b"x" * (CFG.max_bytes + 1), "AL1:output_t", ["AL1:output_t"], 0, CFG)
    assert [p.code for p in big] == ["ets.file_too_large"]
    assert deposit.checked_file("结算单.pdf", b"%PDF", "AL1:output_t", ["AL1:output_t"], 0, CFG) == []
    assert deposit.sha256(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_cross_checks_hand_checked() -> None:
    keys = deposit.item_keys(ITEMS, "AL1", RECORD)
    values = {"AL1:output_t": 1006.0, "AL1:fuel_consumption:diesel": 4.0, "AL1:fuel_ncv:diesel": 43.0}
    checks = {c.key: c for c in deposit.against_report(keys, values, deposit.prefill(ITEMS, "AL1", RECORD), CFG)}
    assert round(checks["AL1:output_t"].diff_pct or 0, 6) == 0.6  # (1006 − 1000) / 1000 = 0.6 % > 0.5 %
    assert checks["AL1:output_t"].state == "beyond"
    assert checks["AL1:fuel_consumption:diesel"].state == "within"
    assert checks["AL1:fuel_consumption:natural_gas"].state == "not_deposited"
    assert checks["AL1:fuel_ncv:diesel"].state == "not_reported"
    assert "AL1:anode_ash_pct" not in checks  # neither side gives it
    meters = deposit.compare(
        [("AL1:electrolysis_ac_mwh", 104.0, 100.0), ("AL1:x", 1.0, None)], lambda _k: 5.0, "not_metered"
    )
    assert [(c.state, c.diff_pct) for c in meters] == [("within", 4.0), ("not_metered", None)]
