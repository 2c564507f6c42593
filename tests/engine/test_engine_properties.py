"""Properties every engine function must have, whatever the inputs (hypothesis)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.engine.benchmark import classify
from carbonpeak.engine.emissions.aluminium import (
    anode_consumption_tco2,
    gas_mass_t,
    packing_coke_tco2,
    pfc_emissions_tco2e,
    tier1_process_tco2,
)
from carbonpeak.engine.emissions.combustion import (
    fuel_combustion_tco2,
    market_based_net_mwh,
    purchased_electricity_tco2,
    purchased_heat_tco2,
)
from carbonpeak.engine.emissions.process import (
    carbonate_decomposition_tco2,
    dolomite_calcination_tco2,
    gas_emitted_t,
    limestone_calcination_tco2,
    product_factor_tco2,
    reductant_carbon_tco2,
)
from carbonpeak.engine.surcharge import surcharge_yuan_per_kwh_1239, surcharge_yuan_per_kwh_2013

activity = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
scale = st.floats(min_value=0, max_value=1e3, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
percent = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
mwh = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
indicator = st.floats(min_value=12000, max_value=15000, allow_nan=False, allow_infinity=False)


def _close(a, b):
    return float(a) == pytest.approx(float(b), rel=1e-9, abs=1e-6)


# --- linear in activity: f(k·x) = k·f(x), and f(0) = 0 -------------------------------------------------


@given(x=activity, k=scale, ncv=positive, cc=positive, of=percent)
def test_fuel_combustion_is_linear_in_fuel_amount(x, k, ncv, cc, of):
    assert _close(fuel_combustion_tco2(k * x, ncv, cc, of), k * fuel_combustion_tco2(x, ncv, cc, of))
    assert fuel_combustion_tco2(0.0, ncv, cc, of) == 0


@given(x=activity, k=scale, nc=st.floats(0.3, 0.6), s=st.floats(0, 5), a=st.floats(0, 5))
def test_anode_consumption_is_linear_in_output(x, k, nc, s, a):
    assert _close(anode_consumption_tco2(k * x, nc, s, a), k * anode_consumption_tco2(x, nc, s, a))
    assert anode_consumption_tco2(0.0, nc, s, a) == 0


@given(
    x=activity,
    k=scale,
    cf4=st.floats(0, 2),
    c2f6=st.floats(0, 0.5),
    gwp=st.sampled_from([(6500, 9200), (7390, 12200), (6630, 11100), (7380, 12400)]),
)
def test_pfc_is_linear_in_output(x, k, cf4, c2f6, gwp):
    assert _close(pfc_emissions_tco2e(k * x, cf4, c2f6, *gwp), k * pfc_emissions_tco2e(x, cf4, c2f6, *gwp))
    assert pfc_emissions_tco2e(0.0, cf4, c2f6, *gwp) == 0


@given(x=st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), k=scale, factor=st.floats(0, 1.2))
def test_purchased_electricity_is_linear_in_mwh(x, k, factor):
    assert _close(purchased_electricity_tco2(k * x, factor), k * purchased_electricity_tco2(x, factor))
    assert purchased_electricity_tco2(0.0, factor) == 0


ZERO_ACTIVITY = {
    "tier1_process_tco2": lambda: tier1_process_tco2(0.0, 1.6),
    "packing_coke_tco2": lambda: packing_coke_tco2(0.015, 0.0, 2.0, 2.5),
    "gas_mass_t": lambda: gas_mass_t(0.0, 0.4),
    "purchased_heat_tco2": lambda: purchased_heat_tco2(0.0, 0.11),
    "carbonate_decomposition_tco2": lambda: carbonate_decomposition_tco2(0.0, 90.0, 0.44),
    "limestone_calcination_tco2": lambda: limestone_calcination_tco2(0.0, 0.405),
    "dolomite_calcination_tco2": lambda: dolomite_calcination_tco2(0.0, 0.98, 0.478),
    "product_factor_tco2": lambda: product_factor_tco2(0.0, 5.13),
    "reductant_carbon_tco2": lambda: reductant_carbon_tco2(0.0, 85.0),
    "gas_emitted_t": lambda: gas_emitted_t(0.0, 1.0),
}


@pytest.mark.parametrize("name", sorted(ZERO_ACTIVITY))
def test_zero_activity_gives_zero(name):
    assert ZERO_ACTIVITY[name]() == 0.0


# --- market-based electricity ------------------------------------------------------------------------


@given(purchased=mwh, exported=mwh, certificates=mwh, direct=mwh, more=mwh)
def test_market_instruments_never_increase_market_based_electricity(purchased, exported, certificates, direct, more):
    base = market_based_net_mwh(purchased, exported, certificates, direct)
    assert market_based_net_mwh(purchased, exported, certificates + more, direct) <= base
    assert market_based_net_mwh(purchased, exported, certificates, direct + more) <= base


@given(purchased=mwh, exported=mwh, certificates=mwh, direct=mwh)
def test_market_based_electricity_is_bounded(purchased, exported, certificates, direct):
    net = market_based_net_mwh(purchased, exported, certificates, direct)
    assert net <= purchased - exported  # never above the location-based net
    assert net >= -exported - 1e-6  # instruments cannot cover more than was bought
    assert market_based_net_mwh(purchased, exported, 0.0, 0.0) == purchased - exported


# --- tiered price and classification are monotone ------------------------------------------------------


@given(u1=indicator, u2=indicator, threshold=st.sampled_from([13650.0, 13450.0, 13300.0]), relief=st.floats(0, 1))
def test_1239_surcharge_never_decreases_as_the_indicator_rises(u1, u2, threshold, relief):
    low, high = sorted((u1, u2))
    assert surcharge_yuan_per_kwh_1239(low, threshold, 20.0, 0.01, relief) <= surcharge_yuan_per_kwh_1239(
        high, threshold, 20.0, 0.01, relief
    )


@given(u1=indicator, u2=indicator)
def test_2013_surcharge_never_decreases_as_the_indicator_rises(u1, u2):
    low, high = sorted((u1, u2))
    assert surcharge_yuan_per_kwh_2013(low, 13700, 13800, 0.02, 0.08) <= surcharge_yuan_per_kwh_2013(
        high, 13700, 13800, 0.02, 0.08
    )


@given(u1=indicator, u2=indicator, benchmark=st.floats(12500, 13500), gap=st.floats(0, 1000))
def test_classify_is_monotone(u1, u2, benchmark, gap):
    low, high = sorted((u1, u2))
    baseline = benchmark + gap
    assert classify(low, benchmark, baseline) <= classify(high, benchmark, baseline)


@given(u=st.one_of(indicator, st.just(math.nan)))
def test_classify_codes_are_the_four_known_codes(u):
    assert int(classify(u, 13000, 13350)) in {-1, 0, 1, 2}
    assert (int(classify(u, 13000, 13350)) == -1) == bool(np.isnan(u))
