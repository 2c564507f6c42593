"""B11 and national grid factors: CO2 of net purchased electricity; market-based net electricity."""

import pytest
from conftest import load_cases

from carbonpeak.engine.emissions.combustion import market_based_net_mwh, purchased_electricity_tco2
from carbonpeak.engine.energy import unit_consumption


@pytest.mark.parametrize("case", load_cases("purchased_electricity.yaml", "location_based"))
def test_purchased_electricity_tco2(case, params):
    p = case.parameter_values(params)
    inputs = dict(case.inputs)
    output_t = inputs.pop("aluminium_output_t", None)
    if output_t is not None:  # B11: electricity from output × AC power, MWh
        net_mwh = output_t * inputs.pop("ac_power_kwh_per_t") / 1000
        assert net_mwh == case.approx("electricity_mwh")
        assert unit_consumption(net_mwh, output_t, scale=1000) == pytest.approx(case.inputs["ac_power_kwh_per_t"])
        inputs["net_purchased_mwh"] = net_mwh
    co2_t = purchased_electricity_tco2(**inputs, grid_factor_tco2_per_mwh=p["grid_factor_tco2_per_mwh"])
    assert co2_t == case.approx("co2_t")
    if output_t is not None:
        assert unit_consumption(co2_t, output_t) == case.approx("co2_per_t_al")


@pytest.mark.parametrize("case", load_cases("purchased_electricity.yaml", "market_based"))
def test_market_based_net_mwh(case, params):
    p = case.parameter_values(params)
    net_mwh = market_based_net_mwh(**case.inputs)
    assert net_mwh == case.approx("net_mwh")
    assert purchased_electricity_tco2(net_mwh, p["residual_factor_tco2_per_mwh"]) == case.approx("co2_t")
