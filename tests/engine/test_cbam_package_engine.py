"""The CBAM engine functions the package adds: SEE with any number of precursors and the certificate cost."""

import pytest

from carbonpeak.engine.emissions.cbam import certificate_cost_eur_per_t, complex_good_see_many


def test_see_with_two_precursors_is_eq_59_60() -> None:
    # (50 + 600 x 3.0 + 420 x 0.0) / 1 000 = 1.85: one precursor from China at its default, one from the EU
    assert complex_good_see_many(50.0, 1000.0, [(600.0, 3.0), (420.0, 0.0)]) == pytest.approx(1.85, rel=1e-12)
    assert complex_good_see_many(50.0, 1000.0, []) == pytest.approx(0.05, rel=1e-12)


def test_see_refuses_a_good_without_production() -> None:
    with pytest.raises(ValueError, match="activity level"):
        complex_good_see_many(50.0, 0.0, [])


def test_certificate_cost_is_see_times_price() -> None:
    # 1.5 t CO2e/t x 75.36 EUR/t CO2e = 113.04 EUR per tonne of good
    assert float(certificate_cost_eur_per_t(1.5, 75.36)) == pytest.approx(113.04, rel=1e-12)
