"""Days secure the month, on SQLite (readings in DuckDB) and PostgreSQL (registry and readings in it): a
potline's metered March (hourly meters, the figures worked by hand below) against the latest version of its
reported March, within and beyond the tolerance (electricity, AC power, energy and AC power per tonne); a month
with neither gives no row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from carbonpeak.monitoring.readings import Reading
from carbonpeak.monitoring.reconcile import compare, reported_figures
from carbonpeak.monitoring.store import DuckDBStore, PostgresStore
from carbonpeak.services import access
from carbonpeak.services import monitoring as svc
from carbonpeak.services.monitoring_reports import reconcile_month
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from tests.store.conftest import _drop_session_database, db_url, registry  # noqa: F401

ADMIN = access.operator("cli:test")
MARCH = dt.datetime(2025, 2, 28, 16, tzinfo=dt.UTC)  # local midnight of 1 March 2025 (UTC+8)
HOURS = 31 * 24


def meter(code: str, point: str, unit: str) -> dict[str, object]:
    return {
        "meter_code": code,
        "facility_code": "AL1",
        "name_zh": code,
        "energy_type": "electricity",
        "measuring_point": point,
        "unit": unit,
        "reading_kind": "interval",
        "interval_min": 60,
    }


def test_metered_month_against_the_reported_month(registry: str, tmp_path: Path) -> None:  # noqa: F811
    # the reading store beside the registry: a DuckDB file with SQLite, the same PostgreSQL database with PostgreSQL
    store = PostgresStore(registry) if registry.startswith("postgresql") else DuckDBStore(tmp_path / "r.duckdb")
    with db.transaction(registry) as session:
        svc.add_meter(session, ADMIN, meter("AL1-E0", "plant", "kWh"))
        svc.add_meter(session, ADMIN, meter("AL1-AC", "electrolysis_ac", "MWh"))
        facility = repo.facilities_by_code(session, ["AL1"])["AL1"]
        record = {
            "facility_id": "AL1",
            "sector": "electrolytic_aluminium",
            "region": "shaanxi",
            "period": "2025-03",
            "output_t": 10000.0,
            "grid_electricity_mwh": 140000.0,
            "captive_electricity_mwh": 10000.0,
            "exported_electricity_mwh": 1200.0,
            "electrolysis_ac_mwh": 135000.0,
        }
        repo.save_version(session, facility, "2025-03", record, "enterprise:E1")
    # every hour of local March: the plant meter 200,000 kWh (200 MWh), the AC meter 190 MWh
    # metered: site 744 x 200 = 148,800 MWh; AC 744 x 190 = 141,360 MWh
    # reported: site 140,000 + 10,000 - 1,200 = 148,800 MWh (0 %); AC 135,000 MWh (+4.71 %, within 5 %)
    hours = [MARCH + dt.timedelta(hours=h) for h in range(HOURS)]
    store.write([Reading("AL1-E0", t, 200_000.0) for t in hours] + [Reading("AL1-AC", t, 190.0) for t in hours])
    store.write([Reading("AL1-E0", MARCH - dt.timedelta(hours=1), 5.0)])  # 29 February local: not March
    with db.transaction(registry) as session:
        rows = reconcile_month(session, ADMIN, store, "2025-03")
    by = {r["figure"]: r for r in rows}
    assert by["site_electricity_mwh"]["metered"] == 148_800.0 and by["site_electricity_mwh"]["reported"] == 148_800.0
    assert by["site_electricity_mwh"]["state"] == "within"
    assert by["electrolysis_ac_mwh"]["metered"] == 141_360.0
    assert abs(by["electrolysis_ac_mwh"]["difference_pct"] - 100 * 6360 / 135000) < 1e-9
    assert by["electrolysis_ac_mwh"]["state"] == "within"
    assert by["electrolysis_ac_mwh"]["intervals"] == HOURS and by["electrolysis_ac_mwh"]["estimated"] == 0
    # the energy of the record with the metered quantities in, by the same accounting: the same electricity
    assert by["energy_tce"]["state"] == "within" and abs(by["energy_tce"]["difference_pct"]) < 1e-9
    ratio = by["ac_power_liquid_aluminium_kwh_per_t"]
    assert abs(ratio["metered"] - 14_136.0) < 1e-6 and abs(ratio["reported"] - 13_500.0) < 1e-6  # kWh/t
    assert by["electrolysis_ac_mwh"]["tolerance_pct"] == 5.0  # shaanxi has none of its own: the default
    # a correction of the reported AC to 130,000 MWh: +8.7 %, beyond
    with db.transaction(registry) as session:
        facility = repo.facilities_by_code(session, ["AL1"])["AL1"]
        repo.save_version(
            session,
            facility,
            "2025-03",
            {**record, "electrolysis_ac_mwh": 130000.0},
            "enterprise:E1",
            reason="AC meter reading corrected",
        )
    with db.transaction(registry) as session:
        rows = reconcile_month(session, ADMIN, store, "2025-03")
    assert {r["figure"]: r["state"] for r in rows} == {
        "site_electricity_mwh": "within",
        "electrolysis_ac_mwh": "beyond",
        "energy_tce": "within",  # the AC power is not in the energy: the site's electricity is
        "ac_power_liquid_aluminium_kwh_per_t": "beyond",  # the same output on both sides: as the AC power
    }
    with db.transaction(registry) as session:
        april = reconcile_month(session, ADMIN, store, "2025-04")
    assert april == []
    store.close()


def test_compare_states() -> None:
    metered = [{"facility_code": "F", "month": "2025-03", "figure": "site_electricity_mwh", "metered": 100.0}]
    reported = {
        ("F", "2025-03"): reported_figures({"grid_electricity_mwh": 96.0, "electrolysis_ac_mwh": 50.0}),
        ("G", "2025-03"): reported_figures({}),
    }
    rows = compare(metered, reported, 5.0)
    assert [(r["facility_code"], r["figure"], r["state"]) for r in rows] == [
        ("F", "electrolysis_ac_mwh", "not_metered"),
        ("F", "site_electricity_mwh", "within"),  # +4.17 %
    ]
    assert compare(metered, {}, 5.0)[0]["state"] == "not_reported"
    assert compare(metered, {}, 5.0)[0]["difference_pct"] is None
