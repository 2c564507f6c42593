"""The aluminium footprint of a demo month, stage by stage, by hand (footprint_aluminium.yaml)."""

import numpy as np
import pandas as pd
import pytest
from conftest import load_cases

from carbonpeak.accounting.footprints import compute
from carbonpeak.engine.footprint import SECONDARY, STAGES, SUPPLIER, SiteMonths, Upstream, footprints
from carbonpeak.engine.footprint.compute import CUTOFF_FAIL, CUTOFF_PASS, CUTOFF_UNKNOWN, cutoff_check

CASES = load_cases("footprint_aluminium.yaml")
S = STAGES.index


def _month(i: dict) -> SiteMonths:
    def one(x: float) -> np.ndarray:
        return np.array([x], dtype=float)

    return SiteMonths(
        footprint=np.array([0], dtype=np.intp),
        output_t=one(i["output_t"]),
        fuel_tco2=one(i["fuel_tco2"]),
        process_tco2=one(i["process_tco2"]),
        pfc_tco2e=one(i["pfc_tco2e"]),
        heat_tco2=one(i["heat_tco2"]),
        electricity_mwh=one(i["electricity_mwh"]),
        electricity_factor=one(0.5366),
    )


def test_engine_matches_the_hand_calculation(params):
    case = CASES[0].values[0]
    p = case.parameter_values(params)
    i = case.inputs
    months = _month(i)
    months.electricity_factor[:] = p["grid_factor_tco2_per_mwh"]
    upstream = Upstream(
        footprint=np.zeros(3, dtype=np.intp),
        stage=np.array([S("bauxite"), S("alumina"), S("anode")], dtype=np.intp),
        quantity_t_per_t=np.array([1.0, p["alumina_t_per_t_al"], 0.4118]),
        factor_tco2e_per_t=np.array([p["bauxite_tco2e_per_t_al"], i["alumina_supplier_footprint_tco2e_per_t"], np.nan]),
        kind=np.array([SECONDARY, SUPPLIER, SECONDARY]),
        cutoff_estimate=np.full(3, np.nan),
    )
    applies = np.zeros((1, len(STAGES)), dtype=bool)
    applies[0, [S(s) for s in ("bauxite", "alumina", "anode", "fuel", "process", "pfc", "electricity", "heat")]] = True
    r = footprints(1, months, upstream, applies, stage_cutoff_pct=1.0, total_cutoff_pct=5.0)
    for stage in ("fuel", "process", "pfc", "electricity", "bauxite", "alumina"):
        assert r.stages[0, S(stage)] == case.approx(stage), stage
    assert np.isnan(r.stages[0, S("anode")])  # not found: missing, not zero
    assert r.value[0] == case.approx("footprint")
    assert not r.complete[0] and r.cutoff[0] == CUTOFF_UNKNOWN
    assert r.site_share[0] == case.approx("site_share")
    assert r.supplier_share[0] == case.approx("supplier_share")
    assert r.secondary_share[0] == case.approx("secondary_share")


def test_the_accounting_join_gives_the_same_footprint(params):
    """The same month through accounting.footprints.compute: cited parameters, a supplier's declaration."""
    case = CASES[0].values[0]
    i = case.inputs
    keys = pd.DataFrame({"facility_id": [3], "product": ["primary_aluminium"], "year": [2024]})
    months = pd.DataFrame(
        {
            "key": [0],
            "facility_id": [3],
            "period": ["2024-03"],
            "version_id": [1],
            "result_id": [1],
            "output_t": [i["output_t"]],
            "fuel_tco2": [i["fuel_tco2"]],
            "process_tco2": [i["process_tco2"]],
            "pfc_tco2e": [i["pfc_tco2e"]],
            "heat_tco2": [i["heat_tco2"]],
            "grid_electricity_mwh": [i["electricity_mwh"]],
            "exported_electricity_mwh": [np.nan],
            "electricity_location_tco2": [i["electricity_mwh"] * 0.5366],
            "electricity_market_tco2": [i["electricity_mwh"] * 0.5366],
            "captive_electricity_mwh": [np.nan],
            "direct_renewable_mwh": [np.nan],
            "onsite_renewable_mwh": [np.nan],
            "green_certificate_mwh": [np.nan],
            "scrap_input_t": [np.nan],
            "net_anode_consumption_t_per_t": [0.4118],
        }
    )
    supplies = pd.DataFrame(
        [
            {
                "supply_id": 1,
                "facility_id": 3,
                "material": "alumina",
                "supplier_name": "supplier",
                "supplier_facility_id": None,
                "supplier_facility_code": None,
                "footprint_tco2e_per_t": i["alumina_supplier_footprint_tco2e_per_t"],
                "quantity_t_per_t": None,
                "cradle_to_gate": False,
                "evidence": "2024 ESG report p. 30",
            }
        ]
    )
    batch = compute(keys, months, supplies, params)
    assert batch.result.value[0] == case.approx("footprint")
    assert batch.result.stages[0, S("alumina")] == case.approx("alumina")
    assert np.isnan(batch.result.stages[0, S("anode")])
    cited = {c["parameter"] + str(c["key"]): c for c in batch.provenance[0]["parameters"]}
    assert any(c["value"] is None for c in cited.values())  # the anode footprint: not found, kept as such


@pytest.mark.parametrize("case", load_cases("footprint_aluminium.yaml")[1:])
def test_cut_off_check(case):
    i = case.inputs
    value = np.array([i["footprint"], i["footprint"]])
    stages = np.zeros((2, len(STAGES)))
    missing = np.zeros((2, len(STAGES)), dtype=bool)
    missing[:, S("anode")] = True
    estimates = np.zeros((2, len(STAGES)))
    estimates[:, S("anode")] = [i["estimate_small"], i["estimate_large"]]
    status, share = cutoff_check(value, stages, missing, estimates, 1.0, 5.0)
    assert list(status) == [CUTOFF_PASS, CUTOFF_FAIL]
    assert share[0] == case.approx("small_share_pct")
    assert share[1] == case.approx("large_share_pct")
