"""Accounting of records: methods in force, market- vs location-based electricity, provenance.

Expected values are computed in each test from the inputs and the cited factors (hand-calculated,
arithmetic shown), so a wrong join of parameter to formula fails here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from carbonpeak.accounting import AccountingOptions, ActivityBatch, account
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.io.activity import parse_records

BASE = {"facility_id": "F1", "sector": "electrolytic_aluminium", "region": "guizhou", "output_t": 10000}


def run(*records: dict, options: AccountingOptions | None = None):
    return account(parse_records([dict(r) for r in records]), options=options)


def test_method_in_force_by_period() -> None:
    result = run(
        {**BASE, "period": "2023-12"},
        {**BASE, "period": "2024-01"},
        {**BASE, "sector": "magnesium", "facility_id": "M1", "period": "2024"},
    )
    assert list(result.table["method"]) == ["cn-al-2013", "cn-al-2024", "cn-mg-2013"]


def test_aluminium_2013_hand_calculated() -> None:
    """NDRC 2013: anode 10 000 × 0.42 × (100 − 2 − 0.4)/100 × 44/12 = 15 030.4 t;
    PFC 10 000 × (0.034 × 6500 + 0.0034 × 9200)/1000 = 2 522.8 tCO2e (SAR);
    limestone 50 × 0.405 = 20.25 t; electricity 2023 → Y-2 = 2021 national 0.5568: 100 000 × 0.5568 = 55 680 t."""
    result = run({**BASE, "period": "2023", "limestone_t": 50, "grid_electricity_mwh": 100000})
    row = result.table.iloc[0]
    anode = 10000 * 0.42 * (100 - 2 - 0.4) / 100 * 44 / 12
    assert row["process_tco2"] == pytest.approx(anode + 50 * 0.405, rel=1e-12)
    assert row["pfc_tco2e"] == pytest.approx(10000 * (0.034 * 6500 + 0.0034 * 9200) / 1000, rel=1e-12)
    assert row["electricity_location_tco2"] == pytest.approx(100000 * 0.5568, rel=1e-12)
    assert row["electricity_market_tco2"] == pytest.approx(100000 * 0.5942, rel=1e-12)  # residual 2021
    assert row["total_location_tco2e"] == pytest.approx(anode + 20.25 + 2522.8 + 55680, rel=1e-12)


def test_grid_factor_rule_years() -> None:
    """ETS factor of the accounting year (china-reference-data.md §4.1): 2020 → 0.6101, 2021 → 0.5810,
    2022 → 0.5703 (the "2022年度" factor announced February 2023); no residual: market = location.
    2025 → data year 2023 (0.5306 location, 0.6096 residual)."""
    years = (2020, 2021, 2022, 2025)
    result = run(*[{**BASE, "facility_id": f"F{y}", "period": str(y), "grid_electricity_mwh": 1000} for y in years])
    loc = list(result.table["electricity_location_tco2"])
    mkt = list(result.table["electricity_market_tco2"])
    assert loc == pytest.approx([610.1, 581.0, 570.3, 530.6], rel=1e-12)
    assert mkt == pytest.approx([610.1, 581.0, 570.3, 609.6], rel=1e-12)


def test_reporting_year_without_published_factor_stops() -> None:
    with pytest.raises(ParameterNotFound, match="data_year=2024"):
        run({**BASE, "period": "2026", "grid_electricity_mwh": 1000})


def test_provincial_grid_option() -> None:
    result = run(
        {**BASE, "period": "2025", "grid_electricity_mwh": 1000}, options=AccountingOptions(grid_region="provincial")
    )
    assert result.table.iloc[0]["electricity_location_tco2"] == pytest.approx(1000 * 0.5683)  # Guizhou 2023


def test_green_power_lowers_market_based_only() -> None:
    plain = run({**BASE, "period": "2024", "grid_electricity_mwh": 1000}).table.iloc[0]
    green = run(
        {
            **BASE,
            "period": "2024",
            "grid_electricity_mwh": 1000,
            "green_certificate_mwh": 300,
            "direct_renewable_mwh": 200,
            "onsite_renewable_mwh": 400,
        }
    ).table.iloc[0]
    assert green["electricity_location_tco2"] == plain["electricity_location_tco2"] == pytest.approx(536.6)
    assert green["electricity_market_tco2"] == pytest.approx(500 * 0.5856)
    assert green["electricity_market_tco2"] < plain["electricity_market_tco2"]


def test_certificates_cannot_exceed_purchases() -> None:
    row = run({**BASE, "period": "2024", "grid_electricity_mwh": 100, "green_certificate_mwh": 500}).table.iloc[0]
    assert row["electricity_market_tco2"] == pytest.approx(0.0)


def test_measured_values_override_defaults_and_provenance_says_so() -> None:
    result = run(
        {
            **BASE,
            "period": "2024",
            "net_anode_consumption_t_per_t": 0.40,
            "anode_sulfur_pct": 1.8,
            "anode_ash_pct": 0.3,
            "cf4_kg_per_t": 0.02,
            "c2f6_kg_per_t": 0.002,
        }
    )
    row = result.table.iloc[0]
    assert row["process_tco2"] == pytest.approx(10000 * 0.40 * (100 - 1.8 - 0.3) / 100 * 44 / 12)
    assert row["pfc_tco2e"] == pytest.approx(10000 * (0.02 * 6630 + 0.002 * 11100) / 1000)  # AR5 under cn-2024
    explanation = result.explain(0)
    anode = next(t for t in explanation["terms"] if t["name"] == "anode")
    assert anode["parameters"] == []  # nothing defaulted
    assert anode["inputs"]["net_anode_consumption_t_per_t"] == pytest.approx(0.40)


def test_slope_method_under_2024_guideline() -> None:
    """EF_CF4 = 0.143 × 0.2 = 0.0286 kg/t; C2F6 = 0.1 × that; AR5."""
    row = run({**BASE, "period": "2024", "anode_effect_minutes_per_cell_day": 0.2}).table.iloc[0]
    cf4 = 0.143 * 0.2
    assert row["pfc_tco2e"] == pytest.approx(10000 * (cf4 * 6630 + 0.1 * cf4 * 11100) / 1000, rel=1e-12)


def test_explain_lists_every_cited_parameter_with_source() -> None:
    result = run({**BASE, "period": "2024", "grid_electricity_mwh": 1000, "fuels": [{"fuel": "diesel", "amount": 2}]})
    explanation = result.explain("F1@2024")
    labels = {c.label for c in explanation["parameters"]}
    assert "emissions.fuel[fuel=diesel, quantity=ncv]" in labels
    assert "electricity.grid_factor[data_year=2022, region=china, basis=location]" in labels
    assert all(c.source.document for c in explanation["parameters"])
    # NC 0.411 of the 2024 guideline is 'low': the result must say it rests on an unverified factor
    assert any(
        c.label.startswith("emissions.aluminium_cn[quantity=net_anode_consumption]") for c in explanation["unverified"]
    )
    assert bool(result.table.iloc[0]["rests_on_unverified_factor"])
    # each term's value adds up to the totals
    direct = sum(t["value"] for t in explanation["terms"] if t["name"] in ("fuel", "anode", "pfc"))
    assert direct == pytest.approx(result.table.iloc[0]["direct_tco2e"])


def test_energy_tce_hand_calculated() -> None:
    """Diesel 10 t × 1.4571 tce/t + gas 3 × 10^4 Nm3 × 13.3 tce + LNG 2 t × 41.868/29.3076 (no Annex A row)
    + electricity 1000 MWh × 0.1229 + heat 500 GJ × 0.03412."""
    row = run(
        {
            **BASE,
            "sector": "other",
            "period": "2024",
            "grid_electricity_mwh": 1000,
            "purchased_heat_gj": 500,
            "fuels": [
                {"fuel": "diesel", "amount": 10},
                {"fuel": "natural_gas", "amount": 3},
                {"fuel": "lng", "amount": 2},
            ],
        }
    ).table.iloc[0]
    expected = 10 * 1.4571 + 3 * 13.3 + 2 * 41.868 / 29.3076 + 1000 * 0.1229 + 500 * 0.03412
    assert row["energy_tce"] == pytest.approx(expected, rel=1e-12)


def test_equal_value_convention_needs_a_published_year() -> None:
    ok = run(
        {**BASE, "sector": "other", "period": "2024", "grid_electricity_mwh": 1000},
        options=AccountingOptions(electricity_convention="equal"),
    ).table.iloc[0]
    assert ok["energy_tce_equal_value"] == pytest.approx(1000 * 0.3024)  # 302.4 gce/kWh in 2024
    with pytest.raises(ParameterNotFound, match="electricity_equal_value"):
        run(
            {**BASE, "sector": "other", "period": "2023", "grid_electricity_mwh": 1000},
            options=AccountingOptions(electricity_convention="equal"),
        )


def test_method_that_does_not_cover_the_sector() -> None:
    with pytest.raises(InputError) as caught:
        run({**BASE, "sector": "copper", "period": "2024", "method": "cn-al-2013"})
    # refused when the record is read: the method is a code, and the copper sector's methods are listed
    assert caught.value.field == "method" and caught.value.code == "intake.not_a_choice"
    assert "cn-nonferrous-2015" in str(caught.value) and "cn-al-2013" not in caught.value.message_text("en")


def test_ipcc_tier1_needs_technology() -> None:
    with pytest.raises(InputError) as caught:
        run({**BASE, "period": "2024", "method": "ipcc2006-tier1"})
    assert caught.value.field == "technology" and "CWPB" in str(caught.value.expected)
    row = run({**BASE, "period": "2024", "method": "ipcc2006-tier1", "technology": "CWPB"}).table.iloc[0]
    assert row["process_tco2"] == pytest.approx(10000 * 1.6)
    assert row["pfc_tco2e"] == pytest.approx(10000 * (0.4 * 6630 + 0.04 * 11100) / 1000)


def test_zero_activity_gives_zero() -> None:
    row = run({**BASE, "sector": "other", "period": "2024", "output_t": 0}).table.iloc[0]
    assert row["total_location_tco2e"] == 0 and row["energy_tce"] == 0
    assert pd.isna(row["intensity_location_tco2e_per_t"])


def test_one_record_equals_its_row_in_a_batch() -> None:
    records = [
        {
            **BASE,
            "facility_id": f"F{i}",
            "period": "2024",
            "output_t": 1000 + i,
            "grid_electricity_mwh": 10 * i,
            "fuels": [{"fuel": "diesel", "amount": i}],
        }
        for i in range(1, 6)
    ]
    together = run(*records).table
    for i, record in enumerate(records):
        alone = run(record).table.iloc[0]
        assert alone["total_market_tco2e"] == pytest.approx(together.iloc[i]["total_market_tco2e"], rel=1e-14)


def test_batch_built_from_frames_directly() -> None:
    batch = ActivityBatch(records=pd.DataFrame([{**BASE, "period": "2024", "grid_electricity_mwh": 10.0}]))
    assert account(batch).table.iloc[0]["electricity_location_tco2"] == pytest.approx(5.366)


def test_input_the_method_does_not_use_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        run({**BASE, "period": "2024", "limestone_t": 50})
    assert caught.value.field == "limestone_t" and "CaCO3" in str(caught.value.expected)
    with pytest.raises(InputError) as caught:
        run({**BASE, "sector": "magnesium", "period": "2024", "carbonates": [{"carbonate": "CaCO3", "amount_t": 1}]})
    assert caught.value.field == "carbonates"


def test_tier2_uses_measured_pfc_factors_first() -> None:
    row = run(
        {
            **BASE,
            "period": "2024",
            "method": "ipcc2006-tier2",
            "technology": "CWPB",
            "net_anode_consumption_t_per_t": 0.4,
            "cf4_kg_per_t": 0.05,
            "c2f6_kg_per_t": 0.005,
        }
    ).table.iloc[0]
    assert row["pfc_tco2e"] == pytest.approx(10000 * (0.05 * 6630 + 0.005 * 11100) / 1000)


def test_cbam_anode_refuses_soderberg() -> None:
    with pytest.raises(InputError) as caught:
        run(
            {
                **BASE,
                "period": "2026",
                "method": "cbam-2025",
                "technology": "VSS",
                "net_anode_consumption_t_per_t": 0.5,
                "anode_effect_minutes_per_cell_day": 0.1,
            }
        )
    assert caught.value.field == "technology" and "CWPB" in str(caught.value.expected)
