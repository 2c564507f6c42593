"""The annual report's figures from the accounting's own terms, hand-checked on one small month."""

from __future__ import annotations

import pytest

from carbonpeak.accounting import account
from carbonpeak.ets import annual
from carbonpeak.io.activity import parse_records
from carbonpeak.parameters import load

RECORD = {
    "facility_id": "AL1",
    "sector": "electrolytic_aluminium",
    "region": "shaanxi",
    "period": "2025-06",
    "technology": "PFPB_L",
    "product": "electrolytic_aluminium",
    "output_t": 1000.0,
    "grid_electricity_mwh": 13000.0,
    "electrolysis_ac_mwh": 12800.0,
    "net_anode_consumption_t_per_t": 0.4,
    "anode_sulfur_pct": 2.0,
    "anode_ash_pct": 0.4,
}


def test_sources_and_gases_hand_checked() -> None:
    result = account(parse_records([RECORD], source="test"), load())
    f = annual.figures(result)
    row = f.by_facility["AL1"]
    # CETS-AG-04.01 §6: P × NC × (100 − S − A)/100 × 44/12 = 1000 × 0.4 × 97.6/100 × 44/12 = 1431.4667 t CO2
    assert row["anode"] == pytest.approx(1000 * 0.4 * 97.6 / 100 * 44 / 12)
    assert row["fuel"] == 0.0 and row["process_other"] == 0.0
    gases = f.gases["AL1"]
    assert set(gases) == {"CF4", "C2F6"}
    # each gas: mass × its GWP; together the PFC term
    assert gases["CF4"][1] + gases["C2F6"][1] == pytest.approx(row["pfc"])
    assert gases["CF4"][1] / gases["CF4"][0] == pytest.approx(6630.0)  # AR5 GWP-100 of CF4 in the 2024 edition
    # the report's total equals the accounting's own total of the record
    assert f.total(annual.ORDER) == pytest.approx(float(result.table["total_location_tco2e"].iloc[0]))
    assert any("CETS-AG-04.01" in ref for _n, _m, ref in f.methods)
    assert any(label.startswith("emissions.aluminium_cn") for label, *_ in f.parameters)
