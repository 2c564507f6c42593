"""Fixtures of the pathway tests: a tiny hand-built province (no store) and the demo store (once a session)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.pathways.stock import HISTORY_COLUMNS, PLANT_COLUMNS, Stock
from tests.conftest import copy_demo

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
DEMO_SCENARIOS = HERE.parents[1] / "scenarios"
GRID_2024 = 0.5366  # electricity.grid_factor[data_year=2022, region=china, basis=location], used for 2024
GRID_2025 = 0.5306  # the same for data year 2023, used for 2025 and held after it in the tiny scenarios
RESIDUAL_2024 = 0.5856  # electricity.grid_factor[data_year=2022, region=china, basis=residual]


def plant(code: str, sector: str, **values: object) -> dict[str, object]:
    row: dict[str, object] = {c: 0.0 for c in PLANT_COLUMNS}
    row.update(
        {
            "facility_code": code,
            "enterprise_code": "E" + code,
            "sector": sector,
            "product": "",
            "technology": "",
            "process_route": "",
            "province_code": "tiny",
            "city_code": "tiny-a",
            "status": "operating",
            "status_since": None,
            "retired_on": None,
            "commissioning_year": 2010,
            "months": 12,
            "benchmark_class": "not_classified",
            "indicator_value": float("nan"),
            "indicator_unit": "",
            "benchmark_level": float("nan"),
            "baseline_level": float("nan"),
            "benchmark_edition": "",
            "deadline": "",
        }
    )
    row.update(values)
    return row


def tiny_stock() -> Stock:
    """AL: 100 t, capacity 100 t/a, 2 tCO2e/t process, 10 MWh/t from the grid; MG: 50 t of 100 t/a, 2 t/t process.

    Base-year (2024) emissions: AL 200 + 1000 × 0.5366 = 736.6; MG 100; total 836.6 tCO2e.
    """
    al = plant(
        "AL",
        "electrolytic_aluminium",
        product="electrolytic_aluminium",
        capacity_t_per_a=100.0,
        output_t=100.0,
        process_tco2e=200.0,
        direct_tco2e=200.0,
        grid_mwh=1000.0,
        electrolysis_ac_mwh=1000.0,
        electricity_location_tco2=1000.0 * GRID_2024,
        electricity_market_tco2=1000.0 * RESIDUAL_2024,
        total_location_tco2e=200.0 + 1000.0 * GRID_2024,
        total_market_tco2e=200.0 + 1000.0 * RESIDUAL_2024,
        energy_tce=122.9,
        direct_alloying_t=80.0,
        benchmark_class="below_baseline",
        indicator_value=13_500.0,
        indicator_unit="kWh/t",
        benchmark_level=13_000.0,
        baseline_level=13_350.0,
        benchmark_edition="2021",
        deadline="2025-12-31",
    )
    mg = plant(
        "MG",
        "magnesium",
        capacity_t_per_a=100.0,
        output_t=50.0,
        process_tco2e=100.0,
        direct_tco2e=100.0,
        total_location_tco2e=100.0,
        total_market_tco2e=100.0,
        energy_tce=200.0,
        fuel_tce=200.0,
    )
    history = pd.DataFrame(
        [
            {"year": 2022, "sector": "electrolytic_aluminium", "province_code": "tiny", "total_location_tco2e": 250.0},
            {"year": 2022, "sector": "magnesium", "province_code": "tiny", "total_location_tco2e": 50.0},
            {"year": 2023, "sector": "electrolytic_aluminium", "province_code": "tiny", "total_location_tco2e": 320.0},
        ],
        columns=HISTORY_COLUMNS,
    ).fillna(0.0)
    return Stock(region="tiny", base_year=2024, plants=pd.DataFrame([al, mg], columns=PLANT_COLUMNS), history=history)


@pytest.fixture()
def stock() -> Stock:
    return tiny_stock()


@pytest.fixture(scope="session")
def demo_url(demo_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demonstration province in its own SQLite file (a copy of the session's), for all pathway tests."""
    return copy_demo(demo_sqlite, tmp_path_factory.mktemp("pathways_demo"))
