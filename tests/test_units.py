"""The unit registry at the boundary: conversions, round trips, and errors that name the field."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.errors import InputError, UnitError
from carbonpeak.units import conversion_factor, normalise_unit_text, parse_unit, to_canonical


@pytest.mark.parametrize(
    ("value", "unit", "canonical", "expected"),
    [
        (1500, "kWh", "MWh", 1.5),
        (2.5, "MWh", "kWh", 2500),
        (3, "10^4 Nm3", "Nm3", 30000),
        (30000, "Nm3", "10^4 Nm3", 3),
        (3, "万Nm3", "Nm3", 30000),
        (12, "万kWh", "MWh", 120),
        (12, "万千瓦时", "MWh", 120),
        (2, "万吨", "t", 20000),
        (302.4, "gce/kWh", "tce/MWh", 0.3024),
        (0.1229, "kgce/kWh", "tce/MWh", 0.1229),
        (0.03412, "kgce/MJ", "tce/GJ", 0.03412),
        (29.3076, "GJ", "tce", 1.0),
        (1, "tce", "GJ", 29.3076),
        (1, "GJ", "tce", 1 / 29.3076),
        (1000, "kg CO2e", "t CO2e", 1),
        (85, "%", "dimensionless", 0.85),
    ],
)
def test_conversion(value, unit, canonical, expected):
    assert to_canonical(value, unit, canonical) == pytest.approx(expected, rel=1e-12)


def test_one_tce_is_29_3076_gj_as_gbt_2589_defines():
    """GB/T 2589-2020 §3: 1 kgce = 29 307.6 kJ, so GJ → tce is exactly 1/29.3076."""
    assert conversion_factor("GJ", "tce") == pytest.approx(1 / 29.3076, rel=1e-15)
    assert conversion_factor("kgce", "kJ") == pytest.approx(29307.6, rel=1e-15)


def test_same_unit_needs_no_conversion():
    assert conversion_factor("t", "t") == 1.0


def test_user_spellings_are_normalised():
    assert normalise_unit_text("10^4 Nm3") == "1e4 Nm3"
    assert normalise_unit_text("t CO2e/t") == "tCO2e/t"
    assert parse_unit("10^4 Nm3").to("Nm3").magnitude == pytest.approx(1e4)


PAIRS = [
    ("kWh", "MWh"),
    ("10^4 Nm3", "Nm3"),
    ("万kWh", "MWh"),
    ("gce/kWh", "tce/MWh"),
    ("GJ", "tce"),
    ("kg", "t"),
    ("万吨", "t"),
    ("kgce/t", "tce/t"),
    ("kg CO2e", "t CO2e"),
]


@given(
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False), pair=st.sampled_from(PAIRS)
)
def test_round_trip(value, pair):
    unit, canonical = pair
    there = to_canonical(value, unit, canonical)
    back = to_canonical(there, canonical, unit)
    assert back == pytest.approx(value, rel=1e-12, abs=1e-9)


def test_energy_where_mass_is_expected_names_the_field():
    with pytest.raises(UnitError) as info:
        to_canonical(13599, "kWh", "t", field="aluminium_output")
    error = info.value
    assert error.field == "aluminium_output"
    assert error.value == "kWh"
    assert "field 'aluminium_output'" in str(error)
    assert "t" in error.expected
    assert isinstance(error, InputError)


def test_product_mass_is_not_an_emission():
    """tCO2e has its own dimension, so a tonne of aluminium can never be read as a tonne of CO2."""
    with pytest.raises(UnitError, match="emission_field"):
        to_canonical(1, "t", "t CO2e", field="emission_field")


def test_unknown_unit_names_the_field():
    with pytest.raises(UnitError, match="unknown unit") as info:
        to_canonical(5, "furlongs_per_widget", "t", field="limestone")
    assert info.value.field == "limestone"
    assert "field 'limestone'" in str(info.value)
    assert info.value.value == "furlongs_per_widget"
    assert "furlongs_per_widget" in str(info.value)


def test_unknown_unit_error_can_be_located_by_the_caller():
    with pytest.raises(UnitError) as info:
        parse_unit("bogounit")
    located = info.value.located(file="facility.xlsx", record=7)
    assert "file facility.xlsx" in str(located)
    assert "record 7" in str(located)
    assert "bogounit" in str(located)
