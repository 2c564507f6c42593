"""The month form's metered values (services.month_prefill), on SQLite with DuckDB readings and on PostgreSQL:
what is offered for each field (grid electricity by the site identity, the AC power, a fuel in its table unit)
with its completeness, and what the saved version records as metered or overridden, the record unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carbonpeak.monitoring.readings import Reading
from carbonpeak.monitoring.store import DuckDBStore, PostgresStore
from carbonpeak.services import access
from carbonpeak.services import monitoring as svc
from carbonpeak.services import month_prefill as prefill
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from tests.store.conftest import _drop_session_database, db_url, registry  # noqa: F401

ADMIN = access.operator("cli:test")
MARCH = dt.datetime(2025, 2, 28, 16, tzinfo=dt.UTC)  # local midnight of 1 March 2025 (UTC+8)
HOURS = 31 * 24
AFTER_MARCH = dt.datetime(2025, 4, 10, tzinfo=dt.UTC)


def meter(code: str, energy: str, point: str, unit: str) -> dict[str, object]:
    return {
        "meter_code": code,
        "facility_code": "AL1",
        "name_zh": code,
        "energy_type": energy,
        "measuring_point": point,
        "unit": unit,
        "reading_kind": "interval",
        "interval_min": 60,
    }


def test_metered_values_offered_and_recorded(registry: str, tmp_path: Path) -> None:  # noqa: F811
    store = PostgresStore(registry) if registry.startswith("postgresql") else DuckDBStore(tmp_path / "r.duckdb")
    with db.transaction(registry) as session:
        svc.add_meter(session, ADMIN, meter("AL1-E0", "electricity", "plant", "kWh"))
        svc.add_meter(session, ADMIN, meter("AL1-E1", "electricity", "process", "kWh"))  # a part: not offered
        svc.add_meter(session, ADMIN, meter("AL1-AC", "electricity", "electrolysis_ac", "MWh"))
        svc.add_meter(session, ADMIN, meter("AL1-G0", "natural_gas", "plant", "Nm3"))
    hours = [MARCH + dt.timedelta(hours=h) for h in range(HOURS)]
    store.write([Reading("AL1-E0", t, 200_000.0) for t in hours])  # 744 x 200 MWh = 148,800 MWh
    store.write([Reading("AL1-E1", t, 150_000.0) for t in hours])
    store.write([Reading("AL1-AC", t, 190.0) for t in hours])  # 141,360 MWh
    store.write([Reading("AL1-G0", t, 500.0) for t in hours[24:]])  # a day missing: 720 x 500 Nm3 = 36 x 10^4 Nm3
    values = {"captive_electricity_mwh": "10000", "exported_electricity_mwh": "1200"}
    with db.transaction(registry) as session:
        found = prefill.offers(session, ADMIN, store, "AL1", "2025-03", values, as_of=AFTER_MARCH)
    assert set(found) == {"grid_electricity_mwh", "electrolysis_ac_mwh", "fuel:natural_gas"}
    grid = found["grid_electricity_mwh"]
    assert grid.site_mwh == 148_800.0 and grid.value == 148_800.0 - 10_000.0 + 1_200.0 and grid.unit == "MWh"
    assert grid.completeness == 100.0 and grid.meters == ["AL1-E0"] and grid.expected == HOURS
    assert found["electrolysis_ac_mwh"].value == 141_360.0
    gas = found["fuel:natural_gas"]
    assert gas.unit == "wan_Nm3" and gas.value == pytest.approx(36.0)
    assert gas.received == HOURS - 24 and gas.completeness == pytest.approx(100 * (HOURS - 24) / HOURS)
    with db.transaction(registry) as session:  # a month without readings: nothing offered
        assert prefill.offers(session, ADMIN, store, "AL1", "2025-05", {}, as_of=AFTER_MARCH) == {}

    # the person keeps the metered grid electricity and gas, and enters their own AC power
    record = {
        "facility_id": "AL1",
        "sector": "electrolytic_aluminium",
        "region": "shaanxi",
        "period": "2025-03",
        "output_t": 10000.0,
        "grid_electricity_mwh": grid.value,
        "captive_electricity_mwh": 10000.0,
        "exported_electricity_mwh": 1200.0,
        "electrolysis_ac_mwh": 135000.0,
        "fuels": [{"fuel": "natural_gas", "amount": gas.value}],
    }
    form = {
        **values,
        "grid_electricity_mwh": str(grid.value),
        "electrolysis_ac_mwh": "135000",
        "fuel:natural_gas": "36",
    }
    with db.transaction(registry) as session:
        facility = repo.facilities_by_code(session, ["AL1"])["AL1"]
        repo.save_version(session, facility, "2025-03", record, "enterprise:E1")
        kept = prefill.record(session, ADMIN, "AL1", "2025-03", form, found)
    assert kept is not None
    with db.transaction(registry) as session:
        shown = prefill.recorded(session, ADMIN, "AL1", "2025-03")
        saved = repo.versions_of(session, "AL1", "2025-03")[-1].record
    assert shown is not None and shown["version"] == 1
    assert set(shown["metered"]) == {"grid_electricity_mwh", "fuel:natural_gas"}
    assert shown["metered"]["fuel:natural_gas"]["completeness"] == pytest.approx(100 * (HOURS - 24) / HOURS)
    assert set(shown["overridden"]) == {"electrolysis_ac_mwh"}
    assert shown["overridden"]["electrolysis_ac_mwh"]["value"] == 141_360.0
    assert shown["overridden"]["electrolysis_ac_mwh"]["entered"] == 135_000.0
    assert saved == record  # the record, and so the accounting, is what was entered
    with db.transaction(registry) as session:  # a later version saved otherwise: not said to be metered
        facility = repo.facilities_by_code(session, ["AL1"])["AL1"]
        repo.save_version(session, facility, "2025-03", {**record, "output_t": 10100.0}, "enterprise:E1")
        assert prefill.recorded(session, ADMIN, "AL1", "2025-03") is None
    store.close()


def test_the_grid_offer_follows_the_site_identity() -> None:
    figures = {
        "plant_electricity_mwh": {"value": 1000.0, "unit": "MWh", "meters": ["E0"], "estimated": 2},
        "electrolysis_ac_mwh": {"value": 900.0, "unit": "MWh", "meters": ["AC"]},
    }
    offers = prefill.offers_from(figures, {"onsite_renewable_mwh": "50", "exported_electricity_mwh": ""})
    assert offers["grid_electricity_mwh"].value == 950.0 and offers["grid_electricity_mwh"].estimated == 2
    assert offers["grid_electricity_mwh"].completeness is None  # no completeness asked for
    metered, overridden = prefill.metered_fields(
        offers, {"grid_electricity_mwh": "950.0004", "electrolysis_ac_mwh": ""}
    )
    assert set(metered) == {"grid_electricity_mwh"} and overridden == {}  # equal to three decimals; AC left empty
