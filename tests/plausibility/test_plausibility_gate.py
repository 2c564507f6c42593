"""Each plausibility rule at its boundary: the threshold itself passes, just beyond it trips the rule, at the
severity the parameter file gives it (carbonpeak/parameters/plausibility/*.yaml)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from carbonpeak import messages
from carbonpeak.parameters import load
from carbonpeak.plausibility import RULES, check, flag_messages, unexplained

PARAMS = load()


def aluminium(**changes: Any) -> dict[str, Any]:
    """A plausible month of an aluminium line: 13,000 kWh/t, all the power bought from the grid."""
    record: dict[str, Any] = {
        "facility_id": "AL1",
        "sector": "electrolytic_aluminium",
        "region": "shaanxi",
        "period": "2024-03",
        "output_t": 10000.0,
        "grid_electricity_mwh": 140000.0,
        "electrolysis_ac_mwh": 130000.0,
        "auxiliary_ac_mwh": 3000.0,
    }
    record.update(changes)
    return record


def found(records: list[dict[str, Any]], **kwargs: Any) -> set[tuple[int, str, str]]:
    return {(f.index, f.rule, f.severity) for f in check(records, PARAMS, **kwargs)}


def one(record: dict[str, Any], **kwargs: Any) -> set[tuple[str, str]]:
    return {(rule, severity) for _i, rule, severity in found([record], **kwargs)}


def energy(tce: float, fuel: float = 0.0) -> dict[str, list[float]]:
    return {"energy_tce": [tce], "fuel_tce": [fuel]}


def test_a_plausible_month_trips_nothing() -> None:
    assert one(aluminium(), results=energy(17_000.0, 300.0), capacity={"AL1": 200_000}) == set()


def test_the_absurd_month_of_the_issue_is_an_error() -> None:
    """999,999,999 MWh of electrolysis power for 8,000 t of aluminium: 125,000,000 kWh/t."""
    record = aluminium(output_t=8000.0, electrolysis_ac_mwh=999_999_999.0, grid_electricity_mwh=110_000.0)
    findings = check([record], PARAMS)
    assert {(f.rule, f.severity) for f in findings} == {
        ("ac_power_per_t", "error"),
        ("electricity_balance", "error"),
    }
    ac = next(f for f in findings if f.rule == "ac_power_per_t")
    assert ac.field == "electrolysis_ac_mwh"
    assert ac.params == {
        "figure": 125_000_000,
        "low": 11000,
        "high": 16000,
        "range": "11,000–16,000",
        "unit": "kWh/t",
    }
    text = messages.render(ac.code, "zh", {**ac.params, "figure": "125,000,000"})
    assert "125,000,000 kWh/t" in text and "11,000–16,000 kWh/t" in text


@pytest.mark.parametrize(
    ("kwh_per_t", "expected"),
    [
        (13_000, set()),
        (12_500, set()),  # the warning band is inclusive
        (12_499, {("ac_power_per_t", "warning")}),
        (14_000, set()),
        (14_001, {("ac_power_per_t", "warning")}),
        (11_000, {("ac_power_per_t", "warning")}),  # the error bound is inclusive too
        (10_999, {("ac_power_per_t", "error")}),
        (16_000, {("ac_power_per_t", "warning")}),
        (16_001, {("ac_power_per_t", "error")}),
    ],
)
def test_ac_power_per_tonne_boundaries(kwh_per_t: float, expected: set[tuple[str, str]]) -> None:
    record = aluminium(electrolysis_ac_mwh=kwh_per_t * 10.0, auxiliary_ac_mwh=0.0, grid_electricity_mwh=200_000.0)
    assert one(record) == expected


@pytest.mark.parametrize(
    ("sector", "kgce_per_t", "expected"),
    [
        ("copper", 300, set()),
        ("copper", 130, set()),
        ("copper", 129.9, {("energy_per_t", "warning")}),
        ("copper", 760, set()),
        ("copper", 760.1, {("energy_per_t", "warning")}),
        ("copper", 3800, {("energy_per_t", "warning")}),
        ("copper", 3800.1, {("energy_per_t", "error")}),
        ("copper", 1.0, {("energy_per_t", "warning")}),  # low: a warning only (a draft may lack its power)
        ("electrolytic_aluminium", 835, set()),
        ("electrolytic_aluminium", 834.9, {("energy_per_t", "warning")}),
        ("electrolytic_aluminium", 4500, set()),  # captive coal: no upper warning for aluminium
        ("electrolytic_aluminium", 17_200.1, {("energy_per_t", "error")}),
        ("recycled_aluminium", 20_000, set()),  # a sector without a standard: the generic ceiling only
        ("recycled_aluminium", 20_000.1, {("energy_per_t", "error")}),
        ("recycled_aluminium", 1.0, set()),
    ],
)
def test_energy_per_tonne_boundaries(sector: str, kgce_per_t: float, expected: set[tuple[str, str]]) -> None:
    record = {
        "facility_id": "F1",
        "sector": sector,
        "period": "2024-03",
        "output_t": 1000.0,
        "grid_electricity_mwh": 1.0,
    }
    assert one(record, results=energy(kgce_per_t)) == expected


def test_fuel_per_tonne_is_refused_above_the_sectors_energy_ceiling_and_named_once() -> None:
    record = {"facility_id": "F1", "sector": "copper", "period": "2024-03", "output_t": 1000.0}
    assert one(record, results=energy(3800.0, fuel=3800.0)) == {("energy_per_t", "warning")}
    findings = check([record], PARAMS, results=energy(4000.0, fuel=3800.5))
    assert [(f.rule, f.severity, f.field) for f in findings] == [("fuel_per_t", "error", "fuels")]
    assert findings[0].params["range"] == "≤ 3800"


def test_energy_rules_are_left_out_without_a_result() -> None:
    record = {
        "facility_id": "F1",
        "sector": "copper",
        "period": "2024-03",
        "output_t": 1000.0,
        "grid_electricity_mwh": 5,
    }
    assert one(record) == set()


@pytest.mark.parametrize(
    ("electrolysis", "expected"),
    [(101.0, set()), (102.0, set()), (102.01, {("electricity_balance", "error")})],
)
def test_electricity_balance_with_its_tolerance(electrolysis: float, expected: set[tuple[str, str]]) -> None:
    """Available: 80 grid + 30 captive + 5 on-site − 15 exported = 100 MWh; tolerance 2 %."""
    record = aluminium(
        output_t=0.0078 * 1000,  # 13,000 kWh/t at 101.4 MWh: the AC rule stays quiet around the boundary
        electrolysis_ac_mwh=electrolysis - 1.0,
        auxiliary_ac_mwh=1.0,
        grid_electricity_mwh=80.0,
        captive_electricity_mwh=30.0,
        onsite_renewable_mwh=5.0,
        exported_electricity_mwh=15.0,
        direct_renewable_mwh=50.0,  # part of the grid purchase: not added to what the site had
    )
    assert {f for f in one(record) if f[0] == "electricity_balance"} == expected


def test_electricity_balance_waits_for_a_supply_figure() -> None:
    record = aluminium(grid_electricity_mwh=None)
    assert ("electricity_balance", "error") not in one(record)


def test_market_instruments_and_solid_waste_are_warnings() -> None:
    base = {
        "facility_id": "F1",
        "sector": "copper",
        "period": "2024-03",
        "output_t": 1000.0,
        "grid_electricity_mwh": 100.0,
    }
    assert one({**base, "green_certificate_mwh": 60.0, "direct_renewable_mwh": 40.0}) == set()
    assert one({**base, "green_certificate_mwh": 60.0, "direct_renewable_mwh": 40.1}) == {
        ("market_instruments", "warning")
    }
    assert one({**base, "solid_waste_generated_t": 100.0, "solid_waste_used_t": 120.0}) == set()
    assert one({**base, "solid_waste_generated_t": 100.0, "solid_waste_used_t": 120.1}) == {
        ("solid_waste_balance", "warning")
    }


def test_energy_without_output_and_output_without_energy() -> None:
    idle = {"facility_id": "F1", "sector": "magnesium", "period": "2024-03", "output_t": 0.0}
    assert one(idle) == set()
    assert one({**idle, "grid_electricity_mwh": 25.0}) == {("energy_without_output", "warning")}
    assert one({**idle, "fuels": [{"fuel": "diesel", "amount": 1.0}]}) == {("energy_without_output", "warning")}
    producing = {**idle, "output_t": 10.0}
    assert one(producing) == {("output_without_energy", "warning")}
    assert one({**producing, "fuels": [{"fuel": "diesel", "amount": 1.0}]}) == set()


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (11_500.0, set()),  # 115 % of a twelfth of 120,000 t/a
        (11_501.0, {("output_capacity", "warning")}),
        (30_000.0, {("output_capacity", "warning")}),  # 300 %
        (30_001.0, {("output_capacity", "error")}),
    ],
)
def test_output_against_capacity(output: float, expected: set[tuple[str, str]]) -> None:
    record = aluminium(output_t=output, electrolysis_ac_mwh=output * 13.0, grid_electricity_mwh=output * 14.0)
    assert {f for f in one(record, capacity={"AL1": 120_000}) if f[0] == "output_capacity"} == expected


def test_capacity_from_the_registry_else_the_record_and_a_year_against_its_year() -> None:
    record = aluminium(output_t=11_501.0, electrolysis_ac_mwh=149_513.0, grid_electricity_mwh=160_000.0)
    assert ("output_capacity", "warning") in one({**record, "capacity_t_per_a": 120_000})
    assert ("output_capacity", "warning") not in one({**record, "capacity_t_per_a": 120_000}, capacity={"AL1": 200_000})
    year = aluminium(period="2024", output_t=120_000.0, electrolysis_ac_mwh=1_560_000.0, grid_electricity_mwh=1.7e6)
    assert one(year, capacity={"AL1": 120_000}) == set()


def previous(*rows: tuple[str, float, float | None, float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [("AL1", period, output, ac, en) for period, output, ac, en in rows],
        columns=["facility_id", "period", "output_t", "electrolysis_ac_mwh", "energy_tce"],
    )


@pytest.mark.parametrize(
    ("output", "expected"),
    [(15_000.0, set()), (15_001.0, {"output_month"}), (5_000.0, set()), (4_999.0, {"output_month"})],
)
def test_output_month_on_month(output: float, expected: set[str]) -> None:
    record = aluminium(output_t=output, electrolysis_ac_mwh=output * 13.0, grid_electricity_mwh=output * 14.0)
    rules = {r for r, _s in one(record, previous=previous(("2024-02", 10_000.0, 130_000.0, None)))}
    assert rules & {"output_month", "output_year"} == expected


def test_a_jump_names_the_month_compared_with() -> None:
    record = aluminium(output_t=16_000.0, electrolysis_ac_mwh=208_000.0, grid_electricity_mwh=230_000.0)
    findings = check([record], PARAMS, previous=previous(("2023-03", 10_000.0, 130_000.0, None)))
    (jump,) = [f for f in findings if f.rule == "output_year"]
    assert jump.params == {
        "figure": 16000,
        "previous": 10000,
        "previous_period": "2023-03",
        "change": 60.0,
        "band": 50,
        "unit": "t",
    }
    assert "较上年同月（2023-03：10,000 t）变化 60%，超过 ±50%" in flag_messages([jump.flag()])[0].text("zh")


@pytest.mark.parametrize(
    ("kwh_per_t", "tripped"), [(14_300.0, False), (14_302.0, True), (11_700.0, False), (11_698.0, True)]
)
def test_ac_power_month_on_month_band(kwh_per_t: float, tripped: bool) -> None:
    record = aluminium(electrolysis_ac_mwh=kwh_per_t * 10.0, grid_electricity_mwh=200_000.0)
    rules = {r for r, _s in one(record, previous=previous(("2024-02", 10_000.0, 130_000.0, None)))}
    assert ("ac_power_month" in rules) is tripped


def test_the_month_before_in_the_same_file_counts_and_wins_over_the_store() -> None:
    february = aluminium(period="2024-02", output_t=10_000.0)
    march = aluminium(output_t=16_000.0, electrolysis_ac_mwh=208_000.0, grid_electricity_mwh=230_000.0)
    stored = previous(("2024-02", 16_000.0, 208_000.0, None))  # replaced by the February of the file
    assert (1, "output_month", "warning") in found([february, march], previous=stored)


def test_energy_jumps_are_off_for_aluminium_and_on_for_copper() -> None:
    copper = {
        "facility_id": "AL1",
        "sector": "copper",
        "period": "2024-03",
        "output_t": 1000.0,
        "grid_electricity_mwh": 1,
    }
    before = previous(("2024-02", 1000.0, None, 300.0))
    assert ("energy_month", "warning") in one(copper, previous=before, results=energy(391.0))
    assert ("energy_month", "warning") not in one(copper, previous=before, results=energy(390.0))
    line = aluminium()
    assert all(r != "energy_month" for r, _s in one(line, previous=before, results=energy(30_000.0)))


def test_idle_months_are_left_out_of_jumps() -> None:
    record = aluminium(output_t=0.0, electrolysis_ac_mwh=None, auxiliary_ac_mwh=None, grid_electricity_mwh=20.0)
    assert one(record, previous=previous(("2024-02", 10_000.0, 130_000.0, None))) == {
        ("energy_without_output", "warning")
    }


def test_every_rule_has_its_text_and_a_month_with_warnings_needs_an_explanation() -> None:
    for rule in RULES:
        assert messages.known(f"plausibility.{rule}"), rule
    flags = [
        f.flag() for f in check([aluminium(electrolysis_ac_mwh=145_000.0, grid_electricity_mwh=160_000.0)], PARAMS)
    ]
    assert flags == [
        {
            "rule": "ac_power_per_t",
            "code": "plausibility.ac_power_per_t",
            "severity": "warning",
            "field": "electrolysis_ac_mwh",
            "params": {"figure": 14500, "low": 12500, "high": 14000, "range": "12,500–14,000", "unit": "kWh/t"},
        }
    ]
    assert unexplained(flags, {"explanation": "  "}) and not unexplained(flags, {"explanation": "新槽启动"})
    assert not unexplained([], {}) and not unexplained(None, {})
