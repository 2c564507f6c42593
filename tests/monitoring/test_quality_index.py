"""The composite quality index per enterprise and region, per local day and month
(services.monitoring_quality.quality_index), on SQLite with DuckDB readings and on PostgreSQL. Two hourly meters
of one potline over two local days, one inside its calibration date, one without; the second day the second
meter sends half a day. The figures are worked by hand with the published weights (online 0.1, completeness 0.3,
accuracy 0.4, correctness 0.2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carbonpeak.errors import InputError
from carbonpeak.monitoring.readings import Reading
from carbonpeak.monitoring.store import DuckDBStore, PostgresStore
from carbonpeak.services import access
from carbonpeak.services import monitoring as svc
from carbonpeak.services.monitoring_quality import periods, quality_index
from carbonpeak.store import db
from tests.store.conftest import _drop_session_database, db_url, registry  # noqa: F401

ADMIN = access.operator("cli:test")
MARCH = dt.datetime(2025, 2, 28, 16, tzinfo=dt.UTC)  # local midnight of 1 March 2025 (UTC+8)
DAY1, DAY3 = dt.date(2025, 3, 1), dt.date(2025, 3, 3)


def meter(code: str, due: str | None) -> dict[str, object]:
    return {
        "meter_code": code,
        "facility_code": "AL1",
        "name_zh": code,
        "energy_type": "electricity",
        "measuring_point": "process",
        "unit": "kWh",
        "reading_kind": "interval",
        "interval_min": 60,
        **({"calibration_due": due} if due else {}),
    }


def test_quality_index_by_enterprise_and_region(registry: str, tmp_path: Path) -> None:  # noqa: F811
    store = PostgresStore(registry) if registry.startswith("postgresql") else DuckDBStore(tmp_path / "r.duckdb")
    with db.transaction(registry) as session:
        svc.add_meter(session, ADMIN, meter("AL1-P1", "2030-01-01"))
        svc.add_meter(session, ADMIN, meter("AL1-P2", None))  # no calibration date: not accurate
    hours = [MARCH + dt.timedelta(hours=h) for h in range(48)]
    store.write([Reading("AL1-P1", t, 100.0 + h % 5) for h, t in enumerate(hours)])  # values move: not stuck
    store.write([Reading("AL1-P2", t, 200.0 + h % 5) for h, t in enumerate(hours[:36])])  # day 2: 12 of 24 hours
    with db.transaction(registry) as session:
        days = quality_index(session, ADMIN, store, DAY1, DAY3, level="enterprise", grain="day")
        month = quality_index(session, ADMIN, store, DAY1, DAY3, level="enterprise", grain="month")
        province = quality_index(session, ADMIN, store, DAY1, DAY3, level="region", grain="month")
        city = quality_index(session, ADMIN, store, DAY1, DAY3, level="region", grain="month", region_level="city")
        with pytest.raises(InputError):
            quality_index(session, ADMIN, store, DAY1, DAY3, level="park")
    store.close()
    assert [(r["key"], r["period"]) for r in days] == [("E1", DAY1), ("E1", dt.date(2025, 3, 2))]
    first, second = days
    assert (first["expected"], first["received"], second["expected"], second["received"]) == (48, 48, 48, 36)
    assert first["accuracy"] == 0.5 and first["online"] == 1.0 and first["correctness"] == 1.0
    assert first["composite"] == pytest.approx(0.1 + 0.3 + 0.4 * 0.5 + 0.2)  # 0.8
    assert second["completeness"] == 0.75 and not second["completeness_met"]
    assert second["composite"] == pytest.approx(0.1 + 0.3 * 0.75 + 0.4 * 0.5 + 0.2)  # 0.725
    (whole,) = month
    assert whole["period"] == DAY1 and whole["period_end"] == DAY3  # the month cut at the range asked for
    assert whole["completeness"] == 84 / 96 and whole["composite"] == pytest.approx(0.1 + 0.3 * 84 / 96 + 0.2 + 0.2)
    assert [(r["key"], r["composite"]) for r in province] == [("P", whole["composite"])]
    assert [r["key"] for r in city] == ["C1"]


def test_periods_cut_days_and_months() -> None:
    assert periods(dt.date(2025, 1, 30), dt.date(2025, 2, 2), "day") == [
        (dt.date(2025, 1, 30), dt.date(2025, 1, 31)),
        (dt.date(2025, 1, 31), dt.date(2025, 2, 1)),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 2)),
    ]
    assert periods(dt.date(2025, 1, 15), dt.date(2025, 3, 1), "month") == [
        (dt.date(2025, 1, 15), dt.date(2025, 2, 1)),
        (dt.date(2025, 2, 1), dt.date(2025, 3, 1)),
    ]
