"""Loader behaviour: the value in force for a period, edition selection, and errors that name the parameter."""

import datetime as dt

import pytest

from carbonpeak.errors import ParameterNotFound, ParameterValueMissing
from carbonpeak.parameters import period_start


@pytest.mark.parametrize(
    ("period", "threshold"),
    [
        ("2022", 13650.0),
        ("2022-12", 13650.0),
        (dt.date(2022, 12, 31), 13650.0),
        ("2023-01-01", 13450.0),
        (2024, 13450.0),
        ("2024-12-31", 13450.0),
        ("2025-01-01", 13300.0),
        (2031, 13300.0),
    ],
)
def test_value_in_force_switches_on_its_dates(params, period, threshold):
    cited = params.at("benchmarks.tiered_price_al", period=period, item="threshold")
    assert cited.value == threshold
    assert cited.edition == "1239"


def test_valid_from_and_valid_to_are_carried(params):
    cited = params.at("benchmarks.tiered_price_al", period="2023-06", item="threshold")
    assert (cited.valid_from, cited.valid_to) == (dt.date(2023, 1, 1), dt.date(2024, 12, 31))


def test_period_with_nothing_in_force_raises(params):
    with pytest.raises(ParameterNotFound, match="nothing in force") as info:
        params.at("electricity.grid_factor_ets", period=2018)
    assert type(info.value) is ParameterNotFound  # not "value missing": no entry covers 2018 at all
    assert "electricity.grid_factor_ets" in str(info.value)
    assert "2018-01-01" in str(info.value)


def test_threshold_before_1239_took_effect_raises(params):
    with pytest.raises(ParameterNotFound, match=r"benchmarks\.tiered_price_al"):
        params.at("benchmarks.tiered_price_al", period="2021-12", item="threshold")


@pytest.mark.parametrize(
    ("period", "factor"), [(2019, 0.6101), ("2020-12", 0.6101), (2021, 0.581), ("2021-12-31", 0.581), (2022, 0.5703)]
)
def test_ets_grid_factor_by_period(params, period, factor):
    assert params.at("electricity.grid_factor_ets", period=period).value == factor


@pytest.mark.parametrize("period", [2023, "2025-12-31"])
def test_no_ets_grid_factor_after_2022(params, period):
    """0.5703 is the factor of accounting year 2022 (china-reference-data.md §4.1), not of 2023-2025."""
    with pytest.raises(ParameterNotFound, match="nothing in force"):
        params.at("electricity.grid_factor_ets", period=period)


@pytest.mark.parametrize(("edition", "cf4"), [("SAR", 6500), ("AR4", 7390), ("AR5", 6630), ("AR6", 7380)])
def test_edition_selects_the_publication(params, edition, cf4):
    cited = params.at("emissions.gwp", edition=edition, gas="CF4")
    assert cited.value == cf4
    assert cited.edition == edition


def test_edition_and_period_select_the_same_benchmark(params):
    by_edition = params.at("benchmarks.ndrc_level", edition="2021", product="copper_smelting", level="benchmark")
    by_period = params.at("benchmarks.ndrc_level", period="2022-06", product="copper_smelting", level="benchmark")
    assert by_edition.value == by_period.value == 260.0


def test_edition_not_held_lists_the_editions(params):
    with pytest.raises(ParameterNotFound, match="AR7") as info:
        params.at("emissions.gwp", edition="AR7", gas="CF4")
    assert "editions held: AR4, AR5, AR6, SAR" in str(info.value)


@pytest.mark.parametrize("selection", [{"period": 2024}, {"edition": "2023"}, {"period": "2023-07-10"}])
def test_2023_aluminium_benchmark_has_no_value(params, selection):
    with pytest.raises(ParameterValueMissing) as info:
        params.at("benchmarks.ndrc_level", product="electrolytic_aluminium", level="benchmark", **selection)
    message = str(info.value)
    assert "benchmarks.ndrc_level" in message
    assert "electrolytic_aluminium" in message
    assert "not found" in message
    assert isinstance(info.value, ParameterNotFound)  # callers catching "not found" also catch "missing"


def test_2021_aluminium_benchmark_still_in_force_the_day_before_2023_edition(params):
    assert (
        params.at(
            "benchmarks.ndrc_level", period="2023-07-09", product="electrolytic_aluminium", level="benchmark"
        ).value
        == 13000.0
    )


def test_ch4_gwp_has_no_value(params):
    with pytest.raises(ParameterValueMissing) as info:
        params.at("emissions.gwp", edition="AR5", gas="CH4")
    assert "emissions.gwp" in str(info.value)
    assert "CH4" in str(info.value)


@pytest.mark.parametrize(
    ("family", "key"),
    [
        ("emissions.gwp", {"gas": "CF4"}),
        ("benchmarks.ndrc_level", {"product": "copper_smelting", "level": "benchmark"}),
    ],
)
def test_several_editions_and_none_named_is_ambiguous(params, family, key):
    with pytest.raises(ParameterNotFound, match="ambiguous") as info:
        params.at(family, **key)
    assert family in str(info.value)
    assert "name a period or an edition" in str(info.value)


def test_gwp_ambiguity_lists_every_edition(params):
    with pytest.raises(ParameterNotFound) as info:
        params.at("emissions.gwp", gas="CF4")
    for edition in ("SAR", "AR4", "AR5", "AR6"):
        assert f"edition {edition}" in str(info.value)


def test_wrong_key_fields_raise(params):
    with pytest.raises(ParameterNotFound, match=r"keyed by \['gas'\]"):
        params.at("emissions.gwp", edition="AR5")


def test_unknown_family_raises(params):
    with pytest.raises(ParameterNotFound, match=r"unknown parameter 'emissions\.nothing'"):
        params.at("emissions.nothing")


def test_cited_value_carries_source_and_confidence(params):
    cited = params.at("emissions.gwp", edition="AR5", gas="SF6")
    assert cited.value == 23500
    assert cited.confidence.value == "medium"
    assert cited.verified is False  # below medium-high: results show it as an unverified factor
    assert "IPCC Fifth Assessment Report" in cited.citation()
    assert cited.as_dict()["verified"] is False
    assert params.at("emissions.gwp", edition="AR5", gas="CF4").verified is True


@pytest.mark.parametrize(
    ("period", "day"),
    [
        (2024, dt.date(2024, 1, 1)),
        ("2024", dt.date(2024, 1, 1)),
        ("2024-03", dt.date(2024, 3, 1)),
        ("2024-03-15", dt.date(2024, 3, 15)),
        (dt.date(2020, 2, 29), dt.date(2020, 2, 29)),
        (None, None),
    ],
)
def test_period_start(period, day):
    assert period_start(period) == day


def test_period_start_refuses_nonsense():
    with pytest.raises(ValueError, match="not a year"):
        period_start("last spring")
