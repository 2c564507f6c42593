"""One code path for a facility and for a country: an array of records equals a loop over scalars."""

import numpy as np
import pytest

from carbonpeak.engine.benchmark import classify
from carbonpeak.engine.emissions.aluminium import (
    anode_consumption_tco2,
    pfc_emissions_tco2e,
    pfc_overvoltage_cf4_kg_per_t,
    soderberg_paste_tco2,
)
from carbonpeak.engine.emissions.cbam import complex_good_see, specific_embedded_emissions
from carbonpeak.engine.emissions.combustion import fuel_combustion_tco2, market_based_net_mwh
from carbonpeak.engine.emissions.process import carbonate_decomposition_tco2, reductant_carbon_tco2
from carbonpeak.engine.energy import energy_tce_from_heating_value, unit_consumption
from carbonpeak.engine.surcharge import renewable_relief_factor_1239, surcharge_yuan_per_kwh_1239

N = 1000
RNG = np.random.default_rng(20260101)


def _u(low, high):
    return RNG.uniform(low, high, N)


OUTPUT_T = _u(0, 5e5)
OUTPUT_T[::97] = 0.0  # some facilities with no output
INDICATOR = _u(13000, 14000)
INDICATOR[::101] = np.nan

CASES = [
    ("fuel_combustion_tco2", fuel_combustion_tco2, (_u(0, 1e5), _u(8, 400), _u(12, 30), _u(90, 100))),
    ("anode_consumption_tco2", anode_consumption_tco2, (OUTPUT_T, _u(0.3, 0.5), _u(1, 3), _u(0, 1))),
    ("pfc_emissions_tco2e", lambda *a: pfc_emissions_tco2e(*a, 6630, 11100), (OUTPUT_T, _u(0, 1), _u(0, 0.1))),
    ("pfc_overvoltage_cf4_kg_per_t", pfc_overvoltage_cf4_kg_per_t, (_u(1, 4), _u(0, 50), _u(85, 96))),
    (
        "soderberg_paste_tco2",
        soderberg_paste_tco2,
        (_u(0.4, 0.6), OUTPUT_T, _u(0, 4), _u(24, 28), _u(0, 1), _u(0, 1), _u(2, 4), _u(1, 3), _u(0, 1), _u(0, 0.02)),
    ),
    ("market_based_net_mwh", market_based_net_mwh, (_u(0, 1e6), _u(0, 1e5), _u(0, 8e5), _u(0, 8e5))),
    ("carbonate_decomposition_tco2", carbonate_decomposition_tco2, (_u(0, 1e5), _u(50, 100), _u(0.3, 0.6))),
    ("reductant_carbon_tco2", reductant_carbon_tco2, (_u(0, 1e5), _u(60, 95))),
    ("energy_tce_from_heating_value", energy_tce_from_heating_value, (_u(0, 1e5), _u(8, 400))),
    ("unit_consumption", lambda t, o: unit_consumption(t, o, 1000.0), (_u(0, 7e6), OUTPUT_T)),
    ("specific_embedded_emissions", specific_embedded_emissions, (_u(0, 1e6), OUTPUT_T)),
    ("complex_good_see", complex_good_see, (_u(0, 1), _u(1, 1.1), _u(0, 6))),
    (
        "surcharge_yuan_per_kwh_1239",
        lambda u, r: surcharge_yuan_per_kwh_1239(u, 13450.0, 20.0, 0.01, r),
        (INDICATOR, _u(0.5, 1)),
    ),
    (
        "renewable_relief_factor_1239",
        lambda s, w: renewable_relief_factor_1239(s, w, 15.0, 1.0),
        (_u(0, 60), _u(10, 30)),
    ),
    ("classify", lambda u: classify(u, 13000.0, 13350.0), (INDICATOR,)),
]


@pytest.mark.parametrize(("name", "function", "columns"), CASES, ids=[case[0] for case in CASES])
def test_array_of_records_equals_loop_over_scalars(name, function, columns):
    vector = function(*columns)
    loop = np.array([function(*(float(column[i]) for column in columns)) for i in range(N)])
    assert vector.shape == (N,)
    np.testing.assert_array_equal(vector, loop, err_msg=name)  # NaN compares equal to NaN here
