"""Target statuses on a hand-built facts table, where every value is known by construction."""

from __future__ import annotations

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import evaluate, evaluate_plan
from carbonpeak.parameters import load
from carbonpeak.parameters.schema import Plan, Target
from carbonpeak.store.facts import RECORD_FIELDS, RESULT_FIELDS


def facts(rows: list[dict]) -> pd.DataFrame:
    """A facts table with the columns facility_months() returns; unspecified flows are empty."""
    base = {
        "facility_id": 1,
        "version_id": 1,
        "version": 1,
        "status": "locked",
        "has_result": True,
        "enterprise_code": "E1",
        "product": "",
        "technology": "",
        "capacity_t_per_a": 100.0,
        "province_code": "P",
        "city_code": "C1",
        "park_code": "",
    }
    frame = pd.DataFrame([{**base, **{f: float("nan") for f in RECORD_FIELDS + RESULT_FIELDS}, **r} for r in rows])
    frame["year"] = frame["period"].str.slice(0, 4).astype(int)
    frame.attrs["clusters"] = {"CL": ["C1"]}
    return frame


def alloying(year: int, share_pct: float, output: float = 1000.0) -> dict:
    return {
        "facility_code": "AL1",
        "sector": "electrolytic_aluminium",
        "period": f"{year}-06",
        "output_t": output,
        "direct_alloying_t": output * share_pct / 100,
    }


PLAN = Plan(
    id="test_plan", region="Test", title={"zh": "测试", "en": "test"}, seed=[], read_on="2026-11-23", targets=[]
)


def target(value: float, year: int = 2025, comparator: str = ">=", base_year: int | None = None) -> Target:
    return Target(
        id="GZ-03",
        indicator="share of molten aluminium directly alloyed",
        scope="aluminium",
        comparator=comparator,
        value=value,
        unit="%",
        target_year=year,
        base_year=base_year,
        quote="q",
    )


@pytest.mark.parametrize(
    ("shares", "expected_status", "expected_path"),
    [
        # start 60 % in 2021, target 90 % in 2025: path 2023 = 60 + 30 × 2/4 = 75 %
        ({2021: 60, 2023: 80}, "on_track", 75.0),
        ({2021: 60, 2023: 73}, "at_risk", 75.0),  # 2 short ≤ 10 % × 30 = 3
        ({2021: 60, 2023: 70}, "off_track", 75.0),  # 5 short > 3
        ({2021: 60, 2023: 91}, "met", 90.0),
    ],
)
def test_status_before_the_target_year(shares: dict[int, float], expected_status: str, expected_path: float) -> None:
    table = facts([alloying(y, s) for y, s in shares.items()])
    result = evaluate(PLAN, target(90), table, region="P", year=2023)
    assert result.status == expected_status
    latest = result.years[-1]
    assert latest.value == pytest.approx(shares[2023])
    assert latest.expected == pytest.approx(expected_path)
    assert latest.margin == pytest.approx(shares[2023] - 90)
    assert "10 %" in result.rule


@pytest.mark.parametrize(
    ("share_2023", "expected_status"),
    [
        # start 20 % in 2021, target 29 % in 2025: path 2023 = 20 + 9 × 2/4 = 24.5 %; 10 % of the distance 9 = 0.9
        (24.5, "on_track"),  # on the path
        (23.6, "at_risk"),  # exactly 0.9 short: at risk, as documented (float arithmetic had it off track)
        (23.59, "off_track"),  # 0.91 short
    ],
)
def test_status_boundaries_are_exact(share_2023: float, expected_status: str) -> None:
    """docs/methods/targets.md: at risk if short of the path by at most 10 % of the distance (hand-checked)."""
    table = facts([alloying(2021, 20), alloying(2023, share_2023)])
    result = evaluate(PLAN, target(29), table, region="P", year=2023)
    assert result.status == expected_status
    assert result.years[-1].expected == pytest.approx(24.5)


def test_a_share_exactly_at_the_target_meets_it() -> None:
    """290 t of 1000 t alloyed is 29 % (summed as 28.999999999999996): a ≥ 29 % target is met, not missed."""
    table = facts([alloying(2021, 20), alloying(2025, 29)])
    result = evaluate(PLAN, target(29), table, region="P", year=2025)
    assert result.status == "met"
    strict = evaluate(PLAN, target(29, comparator=">"), table, region="P", year=2025)
    assert strict.status == "missed"  # equal is not more


def test_missed_in_the_target_year_and_no_data() -> None:
    table = facts([alloying(2021, 60), alloying(2025, 85)])
    assert evaluate(PLAN, target(90), table, region="P", year=2025).status == "missed"
    empty = facts([{**alloying(2021, 60), "sector": "copper"}])
    result = evaluate(PLAN, target(90), empty, region="P", year=2025)
    assert result.status == "no_data"


def test_a_smaller_is_better_target() -> None:
    target_le = Target(
        id="SN-03",
        indicator="share below baseline",
        scope="al",
        comparator="<=",
        value=0,
        unit="%",
        target_year=2025,
        quote="q",
    )
    lines = [
        {
            "facility_code": "AL1",
            "sector": "electrolytic_aluminium",
            "product": "electrolytic_aluminium",
            "period": "2022-06",
            "output_t": 1000.0,
            "electrolysis_ac_mwh": 13400.0,
            "capacity_t_per_a": 100.0,
        },
        {
            "facility_code": "AL2",
            "sector": "electrolytic_aluminium",
            "product": "electrolytic_aluminium",
            "period": "2022-06",
            "output_t": 1000.0,
            "electrolysis_ac_mwh": 12900.0,
            "capacity_t_per_a": 300.0,
        },
    ]
    result = evaluate(PLAN, target_le, facts(lines), region="P", year=2022, benchmark_edition="2021")
    # AL1 at 13 400 kWh/t is above the 2021 baseline 13 350: 100 of 400 t/a = 25 % below baseline
    assert result.years[-1].value == pytest.approx(25.0)
    # the first year with data is the path's start, so 2022 sits exactly on the path: on track
    assert result.status == "on_track" and result.years[-1].expected == pytest.approx(25.0)
    assert result.years[-1].margin == pytest.approx(-25.0)


def test_unmeasurable_targets_say_why() -> None:
    table = facts([alloying(2024, 80)])
    rows = {e.target.id: e for e in evaluate_plan("shaanxi_nonferrous", table, region="P", year=2025)}
    assert rows["SN-05"].status == "not_measurable" and "Pathways page" in rows["SN-05"].reason
    assert rows["SN-05"].as_dict()["see"] == "/pathways"  # the page that answers it, not a command
    assert rows["SN-04"].status == "not_measurable"


def test_target_units_are_converted() -> None:
    titanium = [{"facility_code": "TI1", "sector": "titanium", "period": "2025-03", "output_t": 120000.0}]
    tgt = Target(
        id="SN-06",
        indicator="titanium processing volume",
        scope="ti",
        comparator=">=",
        value=0.11,
        unit="Mt",
        target_year=2025,
        quote="q",
    )
    result = evaluate(PLAN, tgt, facts(titanium), region="P", year=2025)
    assert result.status == "met" and result.years[-1].margin == pytest.approx(10000.0)


def test_cluster_and_unknown_region() -> None:
    table = facts([alloying(2025, 90)])
    value = ind.compute("direct_alloying_share", table, region="CL", year=2025, options=ind.Options(load()))
    assert value.value == pytest.approx(90.0) and value.facilities == ["AL1"] and value.months == 1
    with pytest.raises(InputError, match="unknown region"):
        ind.compute("direct_alloying_share", table, region="ZZ", year=2025)


def test_unknown_indicator_and_plan() -> None:
    table = facts([alloying(2025, 90)])
    with pytest.raises(InputError, match="unknown indicator"):
        ind.compute("happiness_index", table, region=None, year=2025)
    with pytest.raises(InputError, match="unknown plan"):
        evaluate_plan("atlantis_plan", table, region=None, year=2025)


def test_target_mapped_to_an_unknown_indicator_is_refused() -> None:
    from carbonpeak.indicators.targets import check_target_map, target_map

    assert target_map()["GZ-01"]["indicator"] == "capacity_share_at_or_above_benchmark"  # the shipped map loads
    with pytest.raises(InputError) as caught:
        check_target_map({"GZ-01": {"indicator": "happiness_index"}})
    assert caught.value.record == "GZ-01" and caught.value.field == "indicator"
    with pytest.raises(InputError, match="indicator or the reason"):
        check_target_map({"GZ-09": {"sectors": ["zinc"]}})
