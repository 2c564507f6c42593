"""Review of high-energy, high-emission projects: every rule's outcomes, the classification, bad input, the CLI.

Expected numbers are computed here from the cited levels (read from the parameter set, and checked against the
reference values they come from), never copied from the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from carbonpeak.cli.projects import parse_capacity, register
from carbonpeak.errors import InputError, ParameterValueMissing, ValidationFailed
from carbonpeak.parameters import ParameterSet
from carbonpeak.parameters.schema import Confidence
from carbonpeak.projects import Classification, Outcome, ProjectReview, parse_project, read_projects, review_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"
FAMILY = "projects.review"

# Reference values (shared/reference), checked against the parameter set in test_cited_levels_match_the_references.
BENCHMARK_2021_KWH_PER_T = 13_000.0  # china-benchmarks.csv policy_benchmark 电解铝 标杆水平 (2021 edition)
GB21346_AL_LEVEL1_KWH_PER_T = 12_950.0  # energy_quota_standard GB 21346-2022 电解铝 铝液交流电耗 level 1
GB21346_BAYER_LEVEL1_KGCE_PER_T = 340.0  # energy_quota_standard GB 21346-2022 拜耳法氧化铝 综合能耗 level 1
GB21347_MG_LEVELS_KGCE_PER_T = (3_500.0, 4_000.0, 5_000.0)  # GB 21347-2023 原镁 levels 1/2/3
CEILING_MT_PER_A = 45.0  # real-national-stats.csv 'electrolytic aluminium capacity ceiling' (Reuters)


def aluminium(**changes: Any) -> dict[str, Any]:
    """A valid new electrolytic-aluminium project outside the key areas (the fields a test changes are named)."""
    data: dict[str, Any] = {
        "id": "T-AL",
        "name_zh": "测试铝",
        "name_en": "test aluminium",
        "enterprise": "测试企业",
        "kind": "new",
        "sector": "electrolytic_aluminium",
        "product": "electrolytic_aluminium",
        "capacity_t_per_a": 200_000,
        "net_new_capacity_t_per_a": 200_000,
        "site": {"province": "yunnan", "city": "文山州"},
        "in_key_air_pollution_area": False,
        "designed_unit_consumption": {"ac_power_liquid_aluminium": {"value": 12_900, "unit": "kWh/t"}},
        "energy_sources": ["grid"],
        "new_captive_coal_plant": False,
        "replacement_capacity_t_per_a": 200_000,
        "replacement_sources": [{"facility": "retired line", "province": "shandong", "capacity_t_per_a": 200_000}],
        "energy_review_status": "approved",
        "eia_status": "approved",
        "planned_start": "2024-06-01",
    }
    data.update(changes)
    return data


def alumina(**changes: Any) -> dict[str, Any]:
    data = aluminium(
        id="T-AO",
        sector="alumina",
        product="bayer_alumina",
        capacity_t_per_a=1_000_000,
        net_new_capacity_t_per_a=1_000_000,
        designed_unit_consumption={"comprehensive_energy": {"value": 365, "unit": "kgce/t"}},
        replacement_capacity_t_per_a=0,
        replacement_sources=[],
    )
    data.update(changes)
    return data


def magnesium(**changes: Any) -> dict[str, Any]:
    data = aluminium(
        id="T-MG",
        sector="magnesium",
        product="primary_magnesium",
        capacity_t_per_a=50_000,
        net_new_capacity_t_per_a=50_000,
        site={"province": "xinjiang", "city": "哈密市"},
        designed_unit_consumption={"comprehensive_energy": {"value": 3_450, "unit": "kgce/t"}},
        replacement_capacity_t_per_a=0,
        replacement_sources=[],
    )
    data.update(changes)
    return data


def review(
    params: ParameterSet, data: dict[str, Any], period: Any = None, national: float | None = None
) -> ProjectReview:
    return review_project(parse_project(data), params, period=period, national_approved_capacity_t_per_a=national)


def with_ratio(params: ParameterSet, ratio: float) -> ParameterSet:
    """The shipped parameters with an (invented, test-only) replacement ratio entered, as an administrator would."""
    files = []
    for family in params.files.values():
        if family.id == FAMILY:
            entries = [
                e.model_copy(update={"value": ratio, "confidence": Confidence.MEDIUM, "status": None})
                if e.key == {"rule": "R6a", "item": "replacement_ratio"}
                else e
                for e in family.entries
            ]
            family = family.model_copy(update={"entries": entries})
        files.append(family)
    return ParameterSet(files, params.plans.values())


# --- the parameter family --------------------------------------------------------------------------------


def test_cited_levels_match_the_references(params: ParameterSet) -> None:
    al = {"product": "electrolytic_aluminium", "level": "benchmark"}
    assert params.value("benchmarks.ndrc_level", edition="2021", **al) == BENCHMARK_2021_KWH_PER_T
    limit = "benchmarks.energy_limit"
    gb = "GB 21346-2022"
    assert params.value(limit, standard=gb, product="电解铝", indicator="铝液交流电耗", level=1) == 12_950.0
    assert params.value(limit, standard=gb, product="拜耳法氧化铝", indicator="综合能耗", level=1) == 340.0
    mg = {"standard": "GB 21347-2023", "product": "原镁", "indicator": "镁单位产品综合能耗"}
    assert tuple(params.value(limit, level=n, **mg) for n in (1, 2, 3)) == GB21347_MG_LEVELS_KGCE_PER_T


def test_review_rules_validate_and_carry_their_sources(params: ParameterSet) -> None:
    r1 = params.at(FAMILY, period="2024", rule="R1", item="rule")
    entry = next(e for e in params.entries(FAMILY) if e.key == {"rule": "R1", "item": "rule"})
    assert entry.quote == (
        "It is strictly forbidden to add new production capacity of steel, coking, oil refining, electrolytic "
        "aluminum, cement, flat glass (excluding photovoltaic glass) in key areas of air pollution prevention and "
        "control."
    )
    assert entry.valid_from is not None and entry.valid_from.isoformat() == "2023-01-01"
    assert entry.date_basis is not None and "target_year 2023" in entry.date_basis
    assert r1.confidence is Confidence.MEDIUM_HIGH and "Synergy" in r1.source.document
    ceiling = params.at("capacity.national_ceiling", period="2024", sector="electrolytic_aluminium")
    assert (ceiling.value, ceiling.unit, ceiling.confidence) == (CEILING_MT_PER_A, "Mt/a", Confidence.MEDIUM)
    assert "real-national-stats.csv" in (ceiling.source.found_in or "")
    with pytest.raises(ParameterValueMissing, match=r"replacement_ratio.*not in shared/reference"):
        params.at(FAMILY, period="2024", rule="R6a", item="replacement_ratio")
    for rule_id in ("R7", "R8"):
        cited = params.at(FAMILY, rule=rule_id, item="rule")
        assert cited.confidence is Confidence.MEDIUM and "not in shared/reference" in cited.source.document
    r5 = params.at(FAMILY, period="2024", rule="R5", item="rule")
    assert r5.value["provinces"] == ["xinjiang"] and "Xinjiang" in r5.source.document


# --- R1: key air-pollution areas -------------------------------------------------------------------------


def test_r1_fails_new_aluminium_in_a_key_area_and_halts(params: ParameterSet) -> None:
    result = review(params, aluminium(in_key_air_pollution_area=True), period="2024")
    r1 = result.rule("R1")
    assert r1.outcome is Outcome.FAIL
    assert r1.declared is not None and r1.declared.value == 200_000.0 and r1.declared.unit == "t/a"
    assert r1.required is not None and (r1.required.value, r1.required.comparator) == (0.0, "=")
    assert result.classification is Classification.HALT and result.decisive == ("R1",)
    assert r1.parameters[0].label == "projects.review[rule=R1, item=rule]"


def test_r1_passes_outside_key_areas(params: ParameterSet) -> None:
    r1 = review(params, aluminium(), period="2024").rule("R1")
    assert r1.outcome is Outcome.PASS and r1.declared is not None and r1.declared.value == 0.0


@pytest.mark.parametrize(
    ("data", "period", "why"),
    [
        (aluminium(in_key_air_pollution_area=True), "2022-12-31", "not in force on 2022-12-31"),
        (alumina(in_key_air_pollution_area=True), "2024", "sector alumina"),
        (
            magnesium(kind="retrofit", net_new_capacity_t_per_a=0, in_key_air_pollution_area=True),
            "2024",
            "sector magnesium",
        ),
        (
            aluminium(
                kind="retrofit",
                net_new_capacity_t_per_a=0,
                in_key_air_pollution_area=True,
                replacement_capacity_t_per_a=0,
                replacement_sources=[],
            ),
            "2024",
            "retrofit project is not covered",
        ),
    ],
)
def test_r1_not_applicable(params: ParameterSet, data: dict[str, Any], period: str, why: str) -> None:
    r1 = review(params, data, period=period).rule("R1")
    assert r1.outcome is Outcome.NOT_APPLICABLE and why in r1.reason_en


def test_r1_covers_flat_glass_but_not_pv_glass(params: ParameterSet) -> None:
    glass = alumina(
        sector="other",
        product="flat_glass",
        in_key_air_pollution_area=True,
        designed_unit_consumption={"comprehensive_energy": {"value": 12, "unit": "kgce/t"}},
    )
    assert review(params, glass, period="2024").rule("R1").outcome is Outcome.FAIL
    pv = review(params, {**glass, "product": "pv_glass"}, period="2024").rule("R1")
    assert pv.outcome is Outcome.NOT_APPLICABLE and "excluded" in pv.reason_en
    # R1 is never not_evaluated: whether the site is in a key area is a required field of the project.


# --- R2: coal-fired captive power plants -------------------------------------------------------------------


def test_r2_outcomes(params: ParameterSet) -> None:
    coal = {"energy_sources": ["grid", "captive_coal"], "new_captive_coal_plant": True}
    failed = review(params, aluminium(**coal), period="2024")
    assert failed.rule("R2").outcome is Outcome.FAIL and failed.classification is Classification.HALT
    declared = failed.rule("R2").declared
    assert declared is not None and declared.value == 1.0
    permitted = review(params, aluminium(**coal, captive_coal_permission="国家规划内的自备电厂（示例）"), period="2024")
    r2 = permitted.rule("R2")
    assert r2.outcome is Outcome.NOT_EVALUATED and r2.missing is not None and r2.missing.value == "information"
    assert permitted.classification is Classification.RECTIFY  # not evaluated, so not halted
    existing = review(params, aluminium(energy_sources=["grid", "captive_coal"]), period="2024").rule("R2")
    assert existing.outcome is Outcome.PASS and "existing captive coal" in existing.reason_en
    assert review(params, aluminium(**coal), period="2022").rule("R2").outcome is Outcome.NOT_APPLICABLE


# --- R3: electrolytic aluminium at the benchmark of the edition in force -----------------------------------------


def test_r3_passes_at_the_2021_benchmark(params: ParameterSet) -> None:
    r3 = review(params, aluminium(), period="2022").rule("R3")
    assert r3.outcome is Outcome.PASS
    assert r3.required is not None and r3.required.value == BENCHMARK_2021_KWH_PER_T and r3.required.unit == "kWh/t"
    assert r3.declared is not None and r3.declared.value == 12_900.0
    labels = [c.label for c in r3.parameters]
    assert "benchmarks.ndrc_level[product=electrolytic_aluminium, level=benchmark] (2021)" in labels
    assert "2021 edition" in r3.reason_en


def test_r3_fails_above_the_benchmark_and_rectifies(params: ParameterSet) -> None:
    designed = 13_100.0
    result = review(
        params,
        aluminium(designed_unit_consumption={"ac_power_liquid_aluminium": {"value": designed, "unit": "kWh/t"}}),
        period="2022",
    )
    r3 = result.rule("R3")
    assert r3.outcome is Outcome.FAIL
    assert f"misses by {designed - BENCHMARK_2021_KWH_PER_T:g} kWh/t" in r3.reason_en
    assert result.classification is Classification.RECTIFY and "R3" in result.decisive


def test_r3_converts_units_before_comparing(params: ParameterSet) -> None:
    exact = aluminium(designed_unit_consumption={"ac_power_liquid_aluminium": {"value": 13.0, "unit": "MWh/t"}})
    r3 = review(params, exact, period="2022").rule("R3")
    assert r3.outcome is Outcome.PASS and r3.declared is not None and r3.declared.value == pytest.approx(13_000.0)


def test_r3_not_evaluated_when_the_2023_edition_has_no_value(params: ParameterSet) -> None:
    result = review(params, aluminium(), period="2024")
    r3 = result.rule("R3")
    assert r3.outcome is Outcome.NOT_EVALUATED and r3.required is None
    assert r3.missing is not None and r3.missing.value == "official_value"
    assert r3.missing_parameter == "benchmarks.ndrc_level[product=electrolytic_aluminium, level=benchmark] (2023)"
    assert "2023 edition" in r3.reason_en and "not guessed" in r3.reason_en
    assert result.classification is Classification.RECTIFY


def test_r3_switches_edition_on_its_day(params: ParameterSet) -> None:
    assert review(params, aluminium(), period="2023-07-09").rule("R3").outcome is Outcome.PASS
    assert review(params, aluminium(), period="2023-07-10").rule("R3").outcome is Outcome.NOT_EVALUATED
    before_any = review(params, aluminium(), period="2021-06").rule("R3")
    assert before_any.outcome is Outcome.NOT_EVALUATED and "no benchmark edition is in force" in before_any.reason_en


def test_r3_not_evaluated_without_the_indicator_and_not_applicable_to_retrofits(params: ParameterSet) -> None:
    other_indicator = aluminium(designed_unit_consumption={"comprehensive_energy": {"value": 1_700, "unit": "kgce/t"}})
    r3 = review(params, other_indicator, period="2022").rule("R3")
    assert r3.outcome is Outcome.NOT_EVALUATED and r3.missing is not None and r3.missing.value == "information"
    assert "designed_unit_consumption.ac_power_liquid_aluminium" in r3.reason_en
    assert r3.required is not None and r3.required.value == BENCHMARK_2021_KWH_PER_T
    retrofit = aluminium(
        kind="retrofit", net_new_capacity_t_per_a=0, replacement_capacity_t_per_a=0, replacement_sources=[]
    )
    assert review(params, retrofit, period="2022").rule("R3").outcome is Outcome.NOT_APPLICABLE


# --- R4: alumina at GB 21346-2022 level 1 ---------------------------------------------------------------------


def test_r4_fails_above_level_1(params: ParameterSet) -> None:
    result = review(params, alumina(), period="2024")
    r4 = result.rule("R4")
    assert r4.outcome is Outcome.FAIL
    assert r4.required is not None and r4.required.value == GB21346_BAYER_LEVEL1_KGCE_PER_T
    assert f"misses by {365 - GB21346_BAYER_LEVEL1_KGCE_PER_T:g} kgce/t" in r4.reason_en
    assert result.classification is Classification.RECTIFY and result.decisive == ("R4",)


def test_r4_passes_at_level_1_and_the_project_proceeds(params: ParameterSet) -> None:
    result = review(
        params, alumina(designed_unit_consumption={"comprehensive_energy": {"value": 0.335, "unit": "tce/t"}}), "2024"
    )
    assert result.rule("R4").outcome is Outcome.PASS
    assert result.classification is Classification.PROCEED and result.decisive == ()
    assert {r.outcome for r in result.rules} == {Outcome.PASS, Outcome.NOT_APPLICABLE}


def test_r4_not_evaluated_before_the_standard_and_for_unmapped_products(params: ParameterSet) -> None:
    early = review(params, alumina(planned_start="2021-06-01"), period="2021-06").rule("R4")
    assert early.outcome is Outcome.NOT_EVALUATED and early.missing is not None
    assert early.missing.value == "official_value" and early.missing_parameter is not None
    assert early.missing_parameter.startswith("benchmarks.energy_limit[standard=GB 21346-2022, product=拜耳法氧化铝")
    unmapped = review(params, alumina(product="sintered_alumina"), period="2024").rule("R4")
    assert unmapped.outcome is Outcome.NOT_EVALUATED and "bayer_alumina, other_process_alumina" in unmapped.reason_en
    assert review(params, aluminium(), period="2024").rule("R4").outcome is Outcome.NOT_APPLICABLE


def test_a_product_of_another_sector_is_an_input_error(params: ParameterSet) -> None:
    with pytest.raises(InputError) as caught:
        review(params, alumina(product="primary_magnesium"), period="2024")
    assert caught.value.field == "product" and caught.value.record == "T-AO"


# --- R5: Xinjiang, level 1 of the product's standard ---------------------------------------------------------------


def test_r5_xinjiang_aluminium_between_level_1_and_the_benchmark(params: ParameterSet) -> None:
    designed = 12_980.0  # at the 2021 benchmark, above GB 21346-2022 level 1
    data = aluminium(
        site={"province": "xinjiang", "city": "昌吉州"},
        designed_unit_consumption={"ac_power_liquid_aluminium": {"value": designed, "unit": "kWh/t"}},
    )
    result = review(params, data, period="2023-03")
    assert result.rule("R3").outcome is Outcome.PASS
    r5 = result.rule("R5")
    assert r5.outcome is Outcome.FAIL
    assert r5.required is not None and r5.required.value == GB21346_AL_LEVEL1_KWH_PER_T
    assert f"misses by {designed - GB21346_AL_LEVEL1_KWH_PER_T:g} kWh/t" in r5.reason_en
    assert result.classification is Classification.RECTIFY


def test_r5_passes_new_magnesium_in_xinjiang(params: ParameterSet) -> None:
    r5 = review(params, magnesium(), period="2024").rule("R5")
    assert r5.outcome is Outcome.PASS
    assert r5.required is not None and r5.required.value == GB21347_MG_LEVELS_KGCE_PER_T[0]
    assert any(c.confidence is Confidence.MEDIUM for c in r5.parameters)  # GB 21347-2023 rows are medium


def test_r5_applies_only_in_xinjiang_to_new_and_expanded(params: ParameterSet) -> None:
    elsewhere = review(params, magnesium(site={"province": "shaanxi", "city": "榆林市"}), period="2024").rule("R5")
    assert elsewhere.outcome is Outcome.NOT_APPLICABLE and "Xinjiang only" in elsewhere.reason_en
    retrofit = review(params, magnesium(kind="retrofit", net_new_capacity_t_per_a=0), period="2024").rule("R5")
    assert retrofit.outcome is Outcome.NOT_APPLICABLE and "retrofit" in retrofit.reason_en
    unmapped = review(params, magnesium(product="magnesium_alloy"), period="2024").rule("R5")
    assert unmapped.outcome is Outcome.NOT_EVALUATED and unmapped.missing is not None
    assert unmapped.missing_parameter == "projects.review[rule=R5, item=product:magnesium_alloy]"


# --- R6: capacity replacement (R6a) and the national ceiling (R6b) ----------------------------------------------------


def test_r6a_not_evaluated_without_an_official_ratio(params: ParameterSet) -> None:
    r6a = review(params, aluminium(), period="2022").rule("R6a")
    assert r6a.outcome is Outcome.NOT_EVALUATED
    assert r6a.missing_parameter == "projects.review[rule=R6a, item=replacement_ratio]"
    assert r6a.declared is not None and r6a.declared.value == 200_000.0


def test_r6a_fails_without_any_replacement_whatever_the_ratio(params: ParameterSet) -> None:
    r6a = review(params, aluminium(replacement_capacity_t_per_a=0, replacement_sources=[]), period="2022").rule("R6a")
    assert r6a.outcome is Outcome.FAIL and "whatever the ratio" in r6a.reason_en


@pytest.mark.parametrize(("ratio", "offered", "outcome"), [(1.0, 200_000, Outcome.PASS), (1.25, 200_000, Outcome.FAIL)])
def test_r6a_once_a_ratio_is_entered(params: ParameterSet, ratio: float, offered: float, outcome: Outcome) -> None:
    entered = with_ratio(params, ratio)
    project = parse_project(aluminium())
    r6a = review_project(project, entered, period="2022").rule("R6a")
    assert r6a.outcome is outcome
    assert r6a.required is not None and r6a.required.value == pytest.approx(200_000 * ratio)
    assert r6a.declared is not None and r6a.declared.value == offered
    assert "projects.review[rule=R6a, item=replacement_ratio]" in [c.label for c in r6a.parameters]


def test_the_2022_line_proceeds_once_the_ratio_is_known(params: ParameterSet) -> None:
    project = read_projects(EXAMPLES / "al_line_yunnan_2022.yaml")[0]
    open_ratio = review_project(project, params, period=None, national_approved_capacity_t_per_a=44_000_000)
    assert open_ratio.classification is Classification.RECTIFY and open_ratio.decisive == ("R6a",)
    known = review_project(project, with_ratio(params, 1.0), period=None, national_approved_capacity_t_per_a=44e6)
    assert known.classification is Classification.PROCEED


def test_r6b_ceiling(params: ParameterSet) -> None:
    ceiling_t = CEILING_MT_PER_A * 1e6
    national = 44_900_000.0
    net = 200_000.0
    no_replacement = aluminium(replacement_capacity_t_per_a=0, replacement_sources=[])
    over = review(params, no_replacement, period="2024", national=national)
    r6b = over.rule("R6b")
    assert r6b.outcome is Outcome.FAIL and r6b.declared is not None
    assert r6b.declared.value == national + net > ceiling_t
    assert r6b.required is not None and r6b.required.value == ceiling_t
    assert over.classification is Classification.HALT and "R6b" in over.decisive
    assert "capacity.national_ceiling[sector=electrolytic_aluminium]" in over.unverified  # a news figure: medium
    within = review(params, aluminium(), period="2024", national=national).rule("R6b")
    assert within.outcome is Outcome.PASS and within.declared is not None
    assert within.declared.value == national + net - 200_000.0
    unknown = review(params, aluminium(), period="2024").rule("R6b")
    assert unknown.outcome is Outcome.NOT_EVALUATED and "--national-capacity" in unknown.reason_en
    assert review(params, alumina(), period="2024", national=national).rule("R6b").outcome is Outcome.NOT_APPLICABLE


def test_r6b_reads_the_ceiling_named_by_the_rule(params: ParameterSet) -> None:
    """The ceiling comes from data (ceiling_parameter/ceiling_key): a lower ceiling entered there is used."""
    files = []
    for family in params.files.values():
        if family.id == "capacity.national_ceiling":
            entries = [
                e.model_copy(update={"value": 44.2}) if e.key == {"sector": "electrolytic_aluminium"} else e
                for e in family.entries
            ]
            family = family.model_copy(update={"entries": entries})
        files.append(family)
    lowered = ParameterSet(files, params.plans.values())
    r6b = review(lowered, aluminium(replacement_capacity_t_per_a=0, replacement_sources=[]), "2024", 44_100_000)
    assert r6b.rule("R6b").outcome is Outcome.FAIL
    required = r6b.rule("R6b").required
    assert required is not None and required.value == pytest.approx(44.2e6)


# --- R7, R8: approvals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", ["R7", "R8"])
@pytest.mark.parametrize(
    ("status", "outcome"), [("approved", Outcome.PASS), ("pending", Outcome.FAIL), ("none", Outcome.FAIL)]
)
def test_approvals(params: ParameterSet, rule_id: str, status: str, outcome: Outcome) -> None:
    field = "energy_review_status" if rule_id == "R7" else "eia_status"
    data = alumina(
        designed_unit_consumption={"comprehensive_energy": {"value": 330, "unit": "kgce/t"}}, **{field: status}
    )
    result = review(params, data, period="2024")
    checked = result.rule(rule_id)
    assert checked.outcome is outcome
    assert checked.declared is not None and checked.declared.value == status
    assert checked.required is not None and checked.required.value == "approved"
    expected = Classification.PROCEED if outcome is Outcome.PASS else Classification.RECTIFY
    assert result.classification is expected
    # R7/R8 cover every kind of project: they are never not_applicable, and a status is required, so never
    # not_evaluated.


# --- classification, measured values ---------------------------------------------------------------------------


def test_classification_rule_is_stated(params: ParameterSet) -> None:
    result = review(params, aluminium(), period="2024")
    assert result.classification_rule_en.startswith("halt if R1, R2 or R6b fails; rectify if any other rule fails")
    assert result.classification_rule_zh.startswith("R1、R2、R6b任一不通过：叫停")
    assert [r.rule for r in result.rules] == ["R1", "R2", "R3", "R4", "R5", "R6a", "R6b", "R7", "R8"]
    assert set(result.decisive) == {"R3", "R6a", "R6b"}  # 2023 benchmark, ratio, national capacity: all unknown


def test_measured_against_designed_and_the_levels_of_the_standard(params: ParameterSet) -> None:
    project = read_projects(EXAMPLES / "magnesium_retrofit_xinjiang_2023.yaml")[0]
    result = review_project(project, params, period=None)
    assert result.classification is Classification.PROCEED
    comparison = result.comparison
    assert comparison is not None
    designed, measured = 3_450.0, 3_530.0  # the example file
    assert (comparison.designed, comparison.measured) == (designed, measured)
    assert comparison.difference == pytest.approx(measured - designed)
    assert comparison.percent == pytest.approx((measured - designed) / designed * 100)
    assert [c.required for c in comparison.reference_levels] == list(GB21347_MG_LEVELS_KGCE_PER_T)
    assert [c.meets for c in comparison.reference_levels] == [False, True, True]
    assert comparison.best_level_met == "level 2"
    assert comparison.energy_tce == 155_320.0 and comparison.emissions_tco2e == 1_020_000.0


def test_measured_is_set_against_the_rule_levels_it_was_reviewed_on(params: ParameterSet) -> None:
    data = magnesium(measured={"year": 2025, "unit_consumption": {"value": 3.6, "unit": "tce/t"}})
    comparison = review(params, data, period="2024").comparison
    assert comparison is not None and comparison.measured == pytest.approx(3_600.0)
    (check,) = comparison.against_rules
    assert (check.label, check.required, check.meets) == ("R5", GB21347_MG_LEVELS_KGCE_PER_T[0], False)


# --- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"designed_unit_consumption": {"ac_power_liquid_aluminium": {"value": 1_300, "unit": "kWh/t"}}},
            "designed_unit_consumption.ac_power_liquid_aluminium.value",
        ),
        (
            {"designed_unit_consumption": {"ac_power_liquid_aluminium": {"value": 16_500, "unit": "kWh/t"}}},
            "designed_unit_consumption.ac_power_liquid_aluminium.value",
        ),
        (
            {"designed_unit_consumption": {"ac_power_liquid_aluminium": {"value": 13_000, "unit": "kgce/t"}}},
            "designed_unit_consumption.ac_power_liquid_aluminium.unit",
        ),
        ({"capacity_t_per_a": 0}, "capacity_t_per_a"),
        ({"capacity_t_per_a": -5}, "capacity_t_per_a"),
        ({"capacity_t_per_a": "200000"}, "capacity_t_per_a"),
        ({"net_new_capacity_t_per_a": 150_000}, "net_new_capacity_t_per_a"),
        ({"kind": "retrofit"}, "net_new_capacity_t_per_a"),
        ({"replacement_capacity_t_per_a": 250_000}, "replacement_sources"),
        ({"replacement_ratio": 1.0}, "replacement_ratio"),
        ({"site": {"province": "atlantis", "city": "x"}}, "site.province"),
        ({"new_captive_coal_plant": True}, "energy_sources"),
        ({"in_key_air_pollution_area": "no"}, "in_key_air_pollution_area"),
        ({"planned_start": 2024}, "planned_start"),
        ({"measured": {"year": 2020, "unit_consumption": {"value": 13_000, "unit": "kWh/t"}}}, "measured.year"),
    ],
)
def test_impossible_numbers_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_project(aluminium(**changes))
    assert caught.value.field == field and caught.value.record == "T-AL"


def test_plausibility_bound_is_said_to_be_one(params: ParameterSet) -> None:
    bad = aluminium(designed_unit_consumption={"ac_power_liquid_aluminium": {"value": 10_900, "unit": "kWh/t"}})
    with pytest.raises(InputError, match="plausibility check") as caught:
        parse_project(bad)
    assert str(caught.value.expected) == "11,000-16,000 kWh/t" and caught.value.value == 10_900


def test_measured_energy_in_the_wrong_unit_is_caught() -> None:
    # 155 320 000 "tce" at 3 530 kgce/t would mean 44 Mt of magnesium from a 50 000 t/a plant: kgce, not tce.
    data = magnesium(
        kind="retrofit",
        net_new_capacity_t_per_a=0,
        measured={"year": 2024, "unit_consumption": {"value": 3_530, "unit": "kgce/t"}, "energy_tce": 155_320_000},
    )
    with pytest.raises(InputError) as caught:
        parse_project(data)
    assert caught.value.field == "measured.energy_tce"


def test_read_projects_reports_every_problem_with_file_and_project(tmp_path: Path) -> None:
    good = aluminium(id="OK-1")
    bad_capacity = aluminium(id="BAD-2", capacity_t_per_a=0)
    path = tmp_path / "projects.json"
    path.write_text(json.dumps({"projects": [good, bad_capacity, {**good, "site": {"city": "x"}}]}), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        read_projects(path)
    problems = [(e.record, e.field) for e in caught.value.errors]
    assert problems == [("BAD-2", "capacity_t_per_a"), ("OK-1", "site.province")]
    assert all(e.file == str(path) for e in caught.value.errors)
    duplicate = tmp_path / "dup.yaml"
    duplicate.write_text(json.dumps([good, good]), encoding="utf-8")
    with pytest.raises(InputError) as dup:
        read_projects(duplicate)
    assert (dup.value.record, dup.value.field) == ("OK-1", "id")


def test_a_nonsense_period_is_an_input_error(params: ParameterSet) -> None:
    with pytest.raises(InputError) as caught:
        review(params, aluminium(), period="next spring")
    assert caught.value.field == "period"


def test_examples_are_valid() -> None:
    ids = [p.id for path in sorted(EXAMPLES.glob("*.yaml")) for p in read_projects(path)]
    assert ids == ["EX-AL-DEMO-05", "EX-AL-YN-02", "EX-AL-KEY-01", "EX-AO-GX-03", "EX-MG-XJ-04"]


# --- command line ------------------------------------------------------------------------------------------------


def cli() -> typer.Typer:
    """A fresh app with the projects commands registered (carbonpeak.cli may or may not register them yet)."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """test app"""

    register(app)
    return app


def invoke(*args: str, columns: int = 240, lang: str = "zh") -> tuple[int, str]:
    result = CliRunner().invoke(cli(), list(args), env={"COLUMNS": str(columns), "CARBONPEAK_LANG": lang})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "classification", "decisive"),
    [
        ("al_smelter_key_area_2024.yaml", "halt", ["R1"]),
        ("al_line_yunnan_2022.yaml", "rectify", ["R6a"]),
        ("al_line_demo_built_2021.yaml", "rectify", ["R6a"]),
        ("alumina_guangxi_2024.yaml", "rectify", ["R4"]),
        ("magnesium_retrofit_xinjiang_2023.yaml", "proceed", []),
    ],
)
def test_cli_json_on_examples(name: str, classification: str, decisive: list[str]) -> None:
    code, out = invoke("projects", "review", str(EXAMPLES / name), "--national-capacity", "44 Mt/a", "--json")
    assert code == 0, out
    payload = json.loads(out)
    assert payload["national_approved_capacity_t_per_a"] == 44_000_000.0
    (reviewed,) = payload["reviews"]
    assert reviewed["classification"] == classification and reviewed["decisive"] == decisive
    assert len(reviewed["rules"]) == 9
    for rule in reviewed["rules"]:
        assert rule["parameters"][0]["citation"] and rule["parameters"][0]["confidence"]


def test_cli_zh_table_on_the_halted_smelter() -> None:
    code, out = invoke("projects", "review", str(EXAMPLES / "al_smelter_key_area_2024.yaml"), columns=600)
    assert code == 0, out
    assert "结论: 叫停 (halt)" in out and "依据规则 R1" in out
    assert "300,000 t/a" in out and "= 0 t/a" in out
    assert "benchmarks.ndrc_level[product=electrolytic_aluminium, level=benchmark] (2023)" in out
    assert "未评估" in out and "不通过" in out


def test_cli_en_shows_declared_required_and_source() -> None:
    code, out = invoke("projects", "review", str(EXAMPLES / "alumina_guangxi_2024.yaml"), "--lang", "en")
    assert code == 0, out
    assert "classification: rectify" in out and "decided by R4" in out
    assert "365 kgce/t" in out and "≤ 340 kgce/t" in out
    assert "2024—2025年节能降碳行动方案" in out and "GB 21346-2022" in out


def test_cli_en_shows_the_measured_comparison() -> None:
    code, out = invoke("projects", "review", str(EXAMPLES / "magnesium_retrofit_xinjiang_2023.yaml"), "--lang", "en")
    assert code == 0, out
    assert "classification: proceed" in out
    assert "designed 3,450.0 kgce/t, measured 3,530.0 kgce/t, difference +80.0 kgce/t (+2.32 %)" in out
    assert "measured meets level 2" in out


def test_cli_period_option_changes_the_edition() -> None:
    path = str(EXAMPLES / "al_line_yunnan_2022.yaml")
    code, out = invoke("projects", "review", path, "--period", "2024", "--json")
    assert code == 0, out
    rules = {r["rule"]: r for r in json.loads(out)["reviews"][0]["rules"]}
    assert rules["R3"]["outcome"] == "not_evaluated" and rules["R1"]["outcome"] == "pass"


def test_cli_bad_input_exits_2_naming_file_project_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    bad = aluminium(designed_unit_consumption={"ac_power_liquid_aluminium": {"value": 130_000, "unit": "kWh/t"}})
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, out = invoke("projects", "review", str(path), lang="en")
    assert code == 2
    assert (
        "bad.yaml" in out
        and "record T-AL" in out
        and "designed_unit_consumption.ac_power_liquid_aluminium.value" in out
    )
    code, out = invoke("projects", "review", str(EXAMPLES / "alumina_guangxi_2024.yaml"), "--national-capacity", "lots")
    assert code == 2 and "--national-capacity" in out
    code, out = invoke("projects", "review", str(tmp_path / "missing.yaml"))
    assert code == 2 and "找不到文件" in out


@pytest.mark.parametrize(("text", "t_per_a"), [("44430000", 44_430_000.0), ("44.43 Mt/a", 44_430_000.0)])
def test_parse_capacity(text: str, t_per_a: float) -> None:
    assert parse_capacity(text) == pytest.approx(t_per_a)
