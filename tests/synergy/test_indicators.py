"""Synergy indicators on a hand-made table, every figure checked by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from carbonpeak.synergy import indicators as ind

NAN = math.nan
# facility, period, product, output t, CO2e t
MONTHS = [
    ("F1", "2024-01", "P", 100.0, 1100.0),
    ("F1", "2024-02", "P", 100.0, 950.0),
    ("F1", "2024-03", "P", 100.0, 1000.0),
    ("F1", "2025-01", "P", 100.0, 1000.0),
    ("F1", "2025-02", "P", 200.0, 1800.0),
    ("F1", "2025-03", "P", 100.0, 900.0),  # no pollutant figures reported: a gap, not zero
    ("F2", "2025-01", "Q", 50.0, NAN),  # waits for its result
]
# facility, period, SO2 t, NOx t, particulates t
POLLUTANTS = [
    ("F1", "2024-01", 0.6, 0.2, 0.1),
    ("F1", "2024-02", 0.5, 0.3, 0.05),
    ("F1", "2024-03", 0.4, 0.2, 0.1),
    ("F1", "2025-01", 0.5, 0.2, 0.1),
    ("F1", "2025-02", 0.8, 0.4, 0.1),
    ("F2", "2025-01", 0.1, 0.1, 0.1),
    ("F9", "2025-01", 9.0, 9.0, 9.0),  # a month not counted (no facility-month): never in the figures
]
PERIODS = ["2025-01", "2025-02", "2025-03"]


@pytest.fixture
def table() -> pd.DataFrame:
    months = pd.DataFrame(MONTHS, columns=["facility_code", "period", "product", "output_t", "co2e_t"])
    months["so2_t"] = 99.0  # the monthly record's own column: the ledger's figure replaces it
    pollutants = pd.DataFrame(POLLUTANTS, columns=["facility_code", "period", "so2_t", "nox_t", "pm_t"])
    return ind.joined(months, pollutants)


def test_a_facility_per_tonne_coverage_and_change_on_the_same_months(table: pd.DataFrame) -> None:
    (f1,) = [s for s in ind.synergy(table, PERIODS, by=["facility_code"]) if s.key == ("F1",)]
    now = f1.current
    assert (now.months, now.with_pollutants, now.with_result, now.lacking) == (3, 2, 3, 1)
    assert now.coverage_pct == pytest.approx(200 / 3)
    assert now.output_t == pytest.approx(400.0)
    # totals over the two months with figures: SO2 0.5 + 0.8 = 1.3 t, NOx 0.6 t, PM 0.2 t; CO2e 1000+1800+900
    assert now.totals["so2_t"] == pytest.approx(1.3)
    assert now.totals["nox_t"] == pytest.approx(0.6)
    assert now.totals["pm_t"] == pytest.approx(0.2)
    assert now.totals["co2e_t"] == pytest.approx(3700.0)
    # per tonne: pollutants over the output of their months (300 t): 1.3 t × 1000 / 300 t = 4.333 kg/t;
    # CO2e over the output of the months with a result (400 t): 3700 / 400 = 9.25 t/t
    assert now.per_t["so2_t"] == pytest.approx(1300 / 300)
    assert now.per_t["nox_t"] == pytest.approx(2.0)
    assert now.per_t["pm_t"] == pytest.approx(200 / 300)
    assert now.per_t["co2e_t"] == pytest.approx(9.25)
    # 同比 on the facility-months complete in both years: January and February (March lacks 2025's figures)
    assert f1.matched == 2
    # SO2: 2025 1.3 t on 300 t = 4.333 kg/t; 2024 0.6 + 0.5 = 1.1 t on 200 t = 5.5 kg/t → −21.21 %
    assert f1.per_t_change_pct["so2_t"] == pytest.approx((1300 / 300 - 5.5) / 5.5 * 100)
    assert f1.per_t_change_pct["so2_t"] == pytest.approx(-21.2121, abs=1e-3)
    assert f1.change_pct["so2_t"] == pytest.approx((1.3 - 1.1) / 1.1 * 100)  # +18.18 %
    # CO2e: 2025 2800 t on 300 t = 9.333; 2024 2050 t on 200 t = 10.25 → −8.94 %; total +36.59 %
    assert f1.per_t_change_pct["co2e_t"] == pytest.approx((2800 / 300 - 10.25) / 10.25 * 100)
    assert f1.change_pct["co2e_t"] == pytest.approx((2800 - 2050) / 2050 * 100)
    # NOx: 2025 0.6 t / 300 t = 2.0 kg/t; 2024 0.5 t / 200 t = 2.5 kg/t → −20 %
    assert f1.per_t_change_pct["nox_t"] == pytest.approx(-20.0)


def test_a_month_waiting_for_its_result_and_a_facility_without_last_year(table: pd.DataFrame) -> None:
    (f2,) = [s for s in ind.synergy(table, PERIODS, by=["facility_code"]) if s.key == ("F2",)]
    assert (f2.current.months, f2.current.with_pollutants, f2.current.with_result) == (1, 1, 0)
    assert f2.current.totals["co2e_t"] is None and f2.current.per_t["co2e_t"] is None  # not zero: unknown
    assert f2.current.per_t["so2_t"] == pytest.approx(0.1 * 1000 / 50)  # 2 kg/t
    assert f2.matched == 0 and f2.change_pct["so2_t"] is None and f2.per_t_change_pct["so2_t"] is None


def test_the_whole_adds_tonnes_but_never_outputs_of_different_products(table: pd.DataFrame) -> None:
    (whole,) = ind.synergy(table, PERIODS)
    assert whole.products == ("P", "Q")
    assert whole.current.months == 4 and whole.current.with_pollutants == 3 and whole.current.lacking == 1
    assert whole.current.totals["so2_t"] == pytest.approx(1.4)  # F9's 9 t is not a counted month
    assert all(v is None for v in whole.current.per_t.values())  # P and Q: no per-tonne figure
    by_product = {s.key: s for s in ind.synergy(table, PERIODS, by=["product"])}
    assert by_product[("P",)].current.per_t["so2_t"] == pytest.approx(1300 / 300)


def test_no_pollutant_figures_at_all_is_coverage_zero_not_zero_tonnes() -> None:
    months = pd.DataFrame(MONTHS, columns=["facility_code", "period", "product", "output_t", "co2e_t"])
    table = ind.joined(months, pd.DataFrame())
    (whole,) = ind.synergy(table, PERIODS, by=["facility_code"])[:1]
    assert whole.current.with_pollutants == 0 and whole.current.totals["so2_t"] is None
    assert whole.current.coverage_pct == 0.0


def test_months_of_a_period() -> None:
    assert ind.months_of(2025, 3) == ["2025-03"]
    assert ind.months_of(2025, through=2) == ["2025-01", "2025-02"]
    assert len(ind.months_of(2025)) == 12
