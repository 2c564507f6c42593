"""Fidelity of the accounting (issue 13): a missing parameter names the record it stopped on; a record's own
factor is used where its method allows it, shown in the provenance, refused elsewhere; IPCC Tier 2 needs the
data of at least one source. Published values for the same fixes are in tests/published/accounting_fidelity.yaml.
"""

from __future__ import annotations

import pytest

from carbonpeak.accounting import AccountingOptions, account
from carbonpeak.engine.methods import METHODS
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.io.activity import parse_records

BASE = {"sector": "electrolytic_aluminium", "region": "guizhou", "output_t": 10000}
CONTRACT = "贵州示例电力公司 购售电合同 2024-01（示例）"


def run(*records: dict, options: AccountingOptions | None = None):
    return account(parse_records([dict(r) for r in records]), options=options)


def test_missing_grid_factor_names_the_record_it_stopped_on() -> None:
    """Accounting year 2026 needs the data-year 2024 factor, not yet published: the error names the 2026
    record among records of 2025, in both languages."""
    with pytest.raises(ParameterNotFound) as caught:
        run(
            {**BASE, "facility_id": "GZ-1", "period": "2025-11", "grid_electricity_mwh": 1},
            {**BASE, "facility_id": "GZ-2", "period": "2026-01", "grid_electricity_mwh": 1},
        )
    error = caught.value
    assert error.code == "accounting.parameter_not_found"
    assert (error.params["facility"], error.params["period"], error.params["record"]) == (
        "GZ-2",
        "2026-01",
        "GZ-2@2026-01",
    )
    assert "data_year=2024" in str(error) and "facility GZ-2, period 2026-01" in str(error)
    assert "设施 GZ-2，核算期 2026-01" in error.text("zh") and "电力二氧化碳排放因子" in error.text("zh")
    assert error.params["title"].text("en").startswith("Electricity CO2 emission factors")  # kept for the pages


def test_missing_dated_parameter_names_the_month() -> None:
    """A parameter looked up by period (the equal-value coefficient, none for 2023) names that month's record."""
    with pytest.raises(ParameterNotFound) as caught:
        run(
            {**BASE, "sector": "other", "facility_id": "A", "period": "2024-05", "grid_electricity_mwh": 1},
            {**BASE, "sector": "other", "facility_id": "B", "period": "2023-07", "grid_electricity_mwh": 1},
            options=AccountingOptions(electricity_convention="equal"),
        )
    assert caught.value.params["record"] == "B@2023-07"
    assert "energy.electricity_equal_value" in str(caught.value)


def test_own_grid_factor_replaces_the_market_factor_and_says_so() -> None:
    result = run(
        {
            **BASE,
            "facility_id": "OWN",
            "period": "2024-03",
            "grid_electricity_mwh": 1000,
            "grid_factor_tco2_per_mwh": 0.42,
            "grid_factor_source": CONTRACT,
        },
        {**BASE, "facility_id": "RULE", "period": "2024-03", "grid_electricity_mwh": 1000},
    )
    own, rule = result.table.iloc[0], result.table.iloc[1]
    assert own["electricity_market_tco2"] == pytest.approx(1000 * 0.42, rel=1e-12)
    assert rule["electricity_market_tco2"] == pytest.approx(1000 * 0.5856, rel=1e-12)  # residual, data year 2022
    assert own["electricity_location_tco2"] == rule["electricity_location_tco2"] == pytest.approx(536.6)
    assert bool(own["uses_own_factor"]) and not bool(rule["uses_own_factor"])
    explained = result.explain("OWN@2024-03")
    assert explained["own_factors"] == [
        {
            "field": "grid_factor_tco2_per_mwh",
            "value": 0.42,
            "unit": "tCO2/MWh",
            "source": CONTRACT,
            "replaces": explained["own_factors"][0]["replaces"],
        }
    ]
    market = next(t for t in explained["terms"] if t["name"] == "electricity_market")
    assert market["parameters"] == []  # no cited grid factor was used for this figure
    assert market["inputs"]["grid_factor_market"] == pytest.approx(0.42)
    location = next(t for t in explained["terms"] if t["name"] == "electricity_location")
    assert "electricity.grid_factor[data_year=2022, region=china, basis=location]" in {
        c.label for c in location["parameters"]
    }
    assert result.explain("RULE@2024-03")["own_factors"] == []


def test_own_factor_needs_its_citation() -> None:
    with pytest.raises(InputError) as caught:
        run({**BASE, "facility_id": "X", "period": "2024", "grid_electricity_mwh": 1, "grid_factor_tco2_per_mwh": 0.4})
    assert caught.value.code == "accounting.own_factor_needs_source"
    assert caught.value.field == "grid_factor_source" and caught.value.record == "X@2024"
    assert "出处" in caught.value.text("zh")


def test_own_factor_refused_where_the_method_does_not_allow_it() -> None:
    with pytest.raises(InputError) as caught:
        run(
            {
                **BASE,
                "facility_id": "C",
                "period": "2026",
                "method": "cbam-2025",
                "technology": "CWPB",
                "net_anode_consumption_t_per_t": 0.4,
                "anode_effect_minutes_per_cell_day": 0.1,
                "grid_factor_tco2_per_mwh": 0.4,
                "grid_factor_source": CONTRACT,
            }
        )
    assert caught.value.code == "accounting.own_factor_not_allowed"
    assert caught.value.params["method"] == "cbam-2025" and caught.value.field == "grid_factor_tco2_per_mwh"


def test_which_methods_allow_an_own_grid_factor() -> None:
    """Every method with an electricity figure lets the market-based factor be the record's own; no other."""
    for method in METHODS.values():
        allows = "grid_factor_tco2_per_mwh" in method.own_factors
        assert allows == ("electricity" in method.components), method.id


def test_tier2_needs_the_data_of_at_least_one_source() -> None:
    with pytest.raises(InputError) as caught:
        run({**BASE, "facility_id": "T", "period": "2024", "method": "ipcc2006-tier2", "technology": "CWPB"})
    assert caught.value.code == "accounting.tier2_no_inputs" and caught.value.field == "net_anode_consumption_t_per_t"
    with pytest.raises(InputError) as caught:
        run({**BASE, "facility_id": "S", "period": "2024", "method": "ipcc2006-tier2", "technology": "VSS"})
    assert caught.value.field == "paste_t_per_t"


def test_tier2_partial_anode_data_still_asks_for_consumption() -> None:
    """Baked-anode data without the net anode consumption is Tier 2 data left incomplete, not a Tier 1 case."""
    with pytest.raises(InputError) as caught:
        run(
            {
                **BASE,
                "facility_id": "P",
                "period": "2024",
                "method": "ipcc2006-tier2",
                "technology": "CWPB",
                "green_anodes_t": 100,
                "baked_anodes_t": 95,
            }
        )
    assert caught.value.field == "net_anode_consumption_t_per_t" and caught.value.code == "accounting.required_by"


def test_tier1_fallback_is_said_in_the_provenance() -> None:
    result = run(
        {
            **BASE,
            "facility_id": "N",
            "period": "2024",
            "method": "ipcc2006-tier2",
            "technology": "CWPB",
            "net_anode_consumption_t_per_t": 0.4,
        }
    )
    pfc = next(t for t in result.explain(0)["terms"] if t["name"] == "pfc")
    assert pfc["label_en"] == "PFC (IPCC Tier 1)" and any("Tier 1 for PFC" in n for n in pfc["notes"])
    assert [(i["gas"], i["mass_t"]) for i in pfc["breakdown"]] == [
        ("CF4", pytest.approx(4.0)),
        ("C2F6", pytest.approx(0.4)),
    ]


def test_lead_with_an_unknown_technology_is_still_refused() -> None:
    with pytest.raises(InputError) as caught:
        run(
            {
                **BASE,
                "sector": "lead",
                "facility_id": "L",
                "period": "2024",
                "method": "ipcc2006-tier1",
                "technology": "kiln",
            }
        )
    # refused when the record is read (the field's codes), before any method looks for a factor
    assert caught.value.field == "technology" and caught.value.value == "kiln"
    assert "imperial_smelting_furnace" in caught.value.text("en")
