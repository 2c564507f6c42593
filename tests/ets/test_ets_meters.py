"""The deposit against the metered month (以日保月) with the demo's meters and their simulated history in a
reading store: AL03's meters run 8 % below its reported month (the demo's design), AL04's agree; the
deposited electrolysis AC power and site electricity are judged within monitoring.month_tolerance (5 %)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import access, ets_reports, reports
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services import monitoring_demo_history as history
from carbonpeak.store import db
from tests.ets.conftest import SMELTER

DAY = dt.date(2026, 1, 20)


@pytest.mark.parametrize("demo_db_url", ["sqlite"], indirect=True)
def test_deposit_against_the_meters(demo_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readings = tmp_path / "readings.duckdb"
    store = DuckDBStore(readings)
    try:
        with db.transaction(demo_db_url) as s:
            history.load_history(s, store, DAY, limit=4)
    finally:
        store.close()
    monkeypatch.setenv("CARBONPEAK_READINGS_URL", str(readings))
    with db.transaction(demo_db_url) as s:
        who = access.operator("test")
        shown = reads.view(s, who, SMELTER, "2025-12", DAY)
        checks = {c.key: c for c in shown.meter_checks}
        assert shown.metered
        assert checks["AL03:electrolysis_ac_mwh"].state == "beyond"
        assert 7.0 < (checks["AL03:electrolysis_ac_mwh"].diff_pct or 0) < 9.0  # (deposited − metered) / metered
        assert checks["AL04:electrolysis_ac_mwh"].state == "within"
        assert checks["AL04:site_electricity_mwh"].tolerance_pct == 5.0
        made = ets_reports.make(s, who, SMELTER, "ets_deposit_monthly", "2025-12", as_of=DAY)
        book = openpyxl.load_workbook(io.BytesIO(reports.file_of(s, who, made.id, "xlsx")[2]))
        cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
        assert any("以日保月" in c for c in cells)  # the receipt's table of the metered check
    monkeypatch.delenv("CARBONPEAK_READINGS_URL")
    with db.transaction(demo_db_url, mode="read") as s:
        assert reads.view(s, access.operator("test"), SMELTER, "2025-12", DAY).metered is False
