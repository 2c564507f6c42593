"""Energy in standard coal equivalent (GB/T 2589-2020) and unit product consumption."""

import pytest
from conftest import load_cases

from carbonpeak.engine.energy import energy_tce_from_coefficient, energy_tce_from_heating_value, unit_consumption
from carbonpeak.units import conversion_factor


@pytest.mark.parametrize("case", load_cases("energy_tce.yaml", "from_coefficient"))
def test_energy_tce_from_coefficient(case, params):
    held = case.parameter_values(params)["coefficient"]
    # The file holds kgce/kWh, kgce/MJ, kgce/kg or gce/kWh; the engine wants tce per unit of the amount.
    coefficient = held * conversion_factor(case.parameters["coefficient"]["unit"], f"tce/{case.inputs['amount_unit']}")
    assert energy_tce_from_coefficient(case.inputs["amount"], coefficient) == case.approx("energy_tce")


@pytest.mark.parametrize("case", load_cases("energy_tce.yaml", "from_heating_value"))
def test_energy_tce_from_heating_value(case, params):
    p = case.parameter_values(params)
    assert energy_tce_from_heating_value(case.inputs["amount"], p["ncv_gj_per_unit"]) == case.approx("energy_tce")


@pytest.mark.parametrize("case", load_cases("energy_tce.yaml", "unit_consumption"))
def test_unit_consumption(case):
    assert unit_consumption(**case.inputs) == case.approx("unit_consumption")
