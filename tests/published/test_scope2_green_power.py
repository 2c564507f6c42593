"""Hand-checked dual Scope 2 figures of a facility-month with green power: the engine alone, and the join
that picks the factors by the grid-factor rule in force (carbonpeak.accounting.green_power)."""

import pandas as pd
import pytest
from conftest import load_cases

from carbonpeak.accounting.green_power import dual_report, market_factors
from carbonpeak.engine.emissions.scope2 import dual_scope2, renewable_share_pct

ENGINE_OUTPUTS = ("uncovered_grid_mwh", "location_tco2", "market_tco2", "electricity_used_mwh", "renewable_mwh")


@pytest.mark.parametrize("case", load_cases("scope2_green_power.yaml", "dual_scope2"))
def test_dual_scope2_engine(case, params):
    p = case.parameter_values(params)
    inputs = {k: v for k, v in case.inputs.items() if k != "period"}
    out = dual_scope2(**inputs, **p)
    for name in ENGINE_OUTPUTS:
        assert out[name] == case.approx(name), name
    assert renewable_share_pct(out["renewable_mwh"], out["electricity_used_mwh"]) == case.approx("share_pct")


@pytest.mark.parametrize("case", load_cases("scope2_green_power.yaml", "dual_scope2"))
def test_dual_report_picks_the_rule_s_factors_and_registered_volumes(case, params):
    """The same month through the join: registered instruments replace the form's own fields (set here
    to other values, which must not count), the factors come from the rule for the month's year."""
    i = case.inputs
    months = pd.DataFrame(
        [
            {
                "facility_code": "F1",
                "period": i["period"],
                "enterprise_code": "E1",
                "sector": "electrolytic_aluminium",
                "grid_electricity_mwh": i["grid_mwh"],
                "exported_electricity_mwh": i["exported_mwh"],
                "captive_electricity_mwh": i["captive_mwh"],
                "direct_renewable_mwh": 999.0,  # reported in the form: replaced by the registered contract
                "green_certificate_mwh": 777.0,
                "onsite_renewable_mwh": 111.0,
            }
        ]
    )
    registered = pd.DataFrame(
        [
            {"facility_code": "F1", "period": i["period"], "kind": kind, "mwh": i[f"{kind}_mwh"]}
            for kind in ("contract", "certificate", "onsite")
        ]
    )
    report = dual_report(months, registered, params)
    row = report.loc[("F1", i["period"])]
    p = case.parameter_values(params)
    assert row["location_factor_tco2_per_mwh"] == p["location_factor"]
    assert row["residual_factor_tco2_per_mwh"] == p["residual_factor"]
    for name in ("location_tco2", "market_tco2", "electricity_used_mwh", "renewable_mwh", "market_factor_tco2_per_mwh"):
        assert row[name] == case.approx(name), name
    assert {row["contract_basis"], row["certificate_basis"], row["onsite_basis"]} == {"registered"}
    assert market_factors(report) == {
        ("F1", i["period"]): pytest.approx(case.expected["market_factor_tco2_per_mwh"]["value"])
    }
