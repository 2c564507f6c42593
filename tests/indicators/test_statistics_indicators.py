"""Indicators that rest on statistics the regulator enters and on the registry's green designations."""

from __future__ import annotations

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import check_target_map, evaluate
from carbonpeak.parameters import load
from tests.indicators.test_targets_statuses import PLAN, facts

SCOPE = "industry_above_designated_size"


def stat(name: str, year: int, value: float, scope: str = SCOPE, basis: str | None = "constant 2020 prices") -> dict:
    return {
        "region": "P",
        "name": name,
        "scope": scope,
        "year": year,
        "value": value,
        "price_basis": basis,
        "source": f"yearbook {year + 1}",
        "published_on": f"{year + 1}-03-01",
    }


def energy_rows(energy_by_year: dict[int, float]) -> pd.DataFrame:
    return facts(
        [
            {"facility_code": "AL1", "sector": "electrolytic_aluminium", "period": f"{y}-06", "energy_tce": e}
            for y, e in energy_by_year.items()
        ]
    )


def options(stats: list[dict], **kw: object) -> ind.Options:
    return ind.Options(load(), statistics=pd.DataFrame(stats), **kw)  # type: ignore[arg-type]


def test_energy_per_value_added_and_its_change_from_entered_statistics() -> None:
    stats = [
        stat("industrial_value_added", 2020, 1000.0),
        stat("industrial_energy_consumption", 2020, 500.0),
        stat("industrial_value_added", 2023, 1250.0),
        stat("industrial_energy_consumption", 2023, 550.0),
    ]
    table = energy_rows({2020: 1.0, 2023: 1.0})
    o = options(stats)
    now = ind.compute("energy_per_value_added", table, region="P", year=2023, options=o)
    assert now.value == pytest.approx(550 / 1250) and now.unit == "tce/wan_yuan" and now.scope == SCOPE
    change = ind.compute("energy_per_value_added_change", table, region="P", year=2023, options=o)
    assert change.value == pytest.approx(((550 / 1250) / (500 / 1000) - 1) * 100)  # −12 %
    assert "against 2020" in change.note and "yearbook 2024" in change.note


def test_non_ferrous_scope_takes_reported_energy_and_emissions() -> None:
    stats = [
        stat("industrial_value_added", 2020, 40.0, scope="nonferrous"),
        stat("industrial_value_added", 2024, 50.0, scope="nonferrous"),
    ]
    table = energy_rows({2020: 100.0, 2024: 110.0})
    table["total_location_tco2e"] = [300.0, 270.0]
    o = options(stats)
    energy = ind.compute("energy_per_value_added", table, region="P", year=2024, options=o, scope="nonferrous")
    assert energy.value == pytest.approx(110 / 50) and "reported by enterprises" in energy.note
    co2 = ind.compute("co2_per_value_added_change", table, region="P", year=2024, options=o, scope="nonferrous")
    assert co2.value == pytest.approx(((270 / 50) / (300 / 40) - 1) * 100)


def test_changes_refuse_mixed_price_bases_and_say_what_is_missing() -> None:
    table = energy_rows({2020: 1.0, 2023: 1.0})
    mixed = options(
        [
            stat("industrial_value_added", 2020, 1000.0),
            stat("industrial_energy_consumption", 2020, 500.0),
            stat("industrial_value_added", 2023, 1250.0, basis="current prices"),
            stat("industrial_energy_consumption", 2023, 550.0),
        ]
    )
    result = ind.compute("energy_per_value_added_change", table, region="P", year=2023, options=mixed)
    assert result.value is None and "different prices" in result.note
    missing = ind.compute("energy_per_value_added_change", table, region="P", year=2023, options=options([]))
    assert missing.value is None and "no industrial value added entered" in missing.note
    with pytest.raises(InputError, match="scope"):
        ind.compute("energy_per_value_added", table, region="P", year=2023, options=options([]), scope="farming")


def test_green_counts_entered_or_counted_in_the_registry() -> None:
    table = energy_rows({2024: 1.0})
    registry = pd.DataFrame(
        {
            "facility_code": ["AL1", "AL2", "CU1", "ZN1"],
            "enterprise_code": ["E1", "E1", "E2", "E3"],
            "sector": ["electrolytic_aluminium"] * 2 + ["copper", "zinc"],
            "province_code": ["P"] * 4,
            "city_code": ["C1"] * 4,
            "park_code": [""] * 4,
            "green_factory_level": ["national", "national", "provincial", "city"],
            "green_factory_year": [2019, 2019, 2025, 2020],
            "green_supply_chain": [True, True, False, False],
        }
    )
    registry.attrs["clusters"] = {}
    o = options([stat("green_factories", 2024, 120, scope="industry", basis=None)], registry=registry)
    entered = ind.compute("green_factories", table, region="P", year=2024, options=o)
    assert (entered.value, entered.scope) == (120, "industry")
    # E1 (national since 2019, two facilities: one enterprise); E2 only from 2025; E3 city level only.
    counted = ind.compute("green_factories", table, region="P", year=2024, options=o, scope="nonferrous")
    assert counted.value == 1 and "registry" in counted.note
    later = ind.compute("green_factories", table, region="P", year=2025, options=o, scope="nonferrous")
    assert later.value == 2
    chains = ind.compute("green_supply_chain_enterprises", table, region="P", year=2024, options=o, scope="nonferrous")
    assert chains.value == 1
    parks = ind.compute("green_parks", table, region="P", year=2024, options=o)
    assert parks.value is None and "no green_parks entered" in parks.note


def test_the_value_added_target_is_evaluated_against_its_base_year() -> None:
    plan = load().plans["xinjiang_industry"]
    target = next(t for t in plan.targets if t.id == "XJ-01")  # −17 % by 2025 against 2020
    stats = [stat("industrial_value_added", y, 1000.0 * 1.06 ** (y - 2020)) for y in range(2020, 2024)]
    stats += [stat("industrial_energy_consumption", y, 500.0 * 1.01 ** (y - 2020)) for y in range(2020, 2024)]
    table = energy_rows(dict.fromkeys(range(2020, 2024), 1.0))
    result = evaluate(PLAN, target, table, region="P", year=2023, options=options(stats))
    expected = ((1.01 / 1.06) ** 3 - 1) * 100  # −13.5 %, path for 2023: −17 × 3/5 = −10.2
    assert result.years[-1].value == pytest.approx(expected)
    assert result.years[-1].expected == pytest.approx(-17 * 3 / 5)
    assert result.status == "on_track"  # better than the path, not yet the target
    unmeasured = evaluate(PLAN, target, table, region="P", year=2023, options=options([]))
    assert unmeasured.status == "no_data" and "industrial value added" in unmeasured.reason


def test_target_map_refuses_a_scope_the_indicator_lacks() -> None:
    with pytest.raises(InputError, match="scope"):
        check_target_map({"XJ-04": {"indicator": "green_factories", "scope": "industry_above_designated_size"}})
