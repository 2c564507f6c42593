"""The month form pre-filled from the meters (计量值): a month not reported yet opens with the meters' values, each
marked metered with its completeness; a reported month shows them beside its own values; a correction saved
from the form records which figures were the metered ones (the record itself as entered)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from webhelpers import client, post

from carbonpeak.monitoring.readings import Reading
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import access, month_prefill
from carbonpeak.services import monitoring as svc
from carbonpeak.store import db
from carbonpeak.store import repository as repo

ADMIN = access.operator("cli:test")
ZONE = ZoneInfo("Asia/Shanghai")


def _hours(year: int, month: int) -> list[dt.datetime]:
    first = dt.datetime(year, month, 1, tzinfo=ZONE).astimezone(dt.UTC)
    after = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=ZONE).astimezone(dt.UTC)
    return [first + dt.timedelta(hours=h) for h in range(int((after - first).total_seconds() // 3600))]


def _meter(code: str, energy: str, point: str, unit: str) -> dict[str, object]:
    return {
        "meter_code": code,
        "facility_code": "AL03",
        "name_zh": code,
        "energy_type": energy,
        "measuring_point": point,
        "unit": unit,
        "reading_kind": "interval",
        "interval_min": 60,
        "calibration_due": "2030-01-01",
    }


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, name
    return found[1]


def test_the_form_offers_and_records_metered_values(
    fresh_app: Any, fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.transaction(fresh_url) as session:
        for meter in (
            _meter("AL03-E0", "electricity", "plant", "kWh"),
            _meter("AL03-AC", "electricity", "electrolysis_ac", "MWh"),
            _meter("AL03-G0", "natural_gas", "plant", "Nm3"),
        ):
            svc.add_meter(session, ADMIN, meter)
        record = dict(repo.versions_of(session, "AL03", "2025-12")[-1].record)
    site = sum(float(record.get(k) or 0.0) for k in ("grid_electricity_mwh", "captive_electricity_mwh"))
    site += float(record.get("onsite_renewable_mwh") or 0.0) - float(record.get("exported_electricity_mwh") or 0.0)
    december, october = _hours(2025, 12), _hours(2026, 10)
    store = DuckDBStore(tmp_path / "readings.duckdb")
    store.write([Reading("AL03-E0", t, site * 1000 / len(december)) for t in december])
    store.write([Reading("AL03-AC", t, float(record["electrolysis_ac_mwh"]) / len(december)) for t in december])
    store.write([Reading("AL03-E0", t, 100_000.0) for t in october])  # 744 x 100 MWh
    store.write([Reading("AL03-G0", t, 500.0) for t in october[:-24]])  # a day missing: 72 x 10^4 Nm3 x 0.5
    store.close()
    monkeypatch.setenv("CARBONPEAK_READINGS_URL", str(tmp_path / "readings.duckdb"))
    enterprise = client(fresh_app, "enterprise")

    # a month not reported (October 2026): opened with the meters' values, marked 计量值, with their completeness
    page = enterprise.get("/reporting/form?facility=AL03&period=2026-10").text
    assert 'data-testid="metered-note"' in page
    assert float(_field(page, "grid_electricity_mwh")) == 74_400.0
    assert float(_field(page, "fuel:natural_gas")) == pytest.approx(720 * 500 / 1e4)
    mark = page.split('data-testid="metered-mark-grid_electricity_mwh">', 1)[1].split("<", 1)[0]
    assert mark == "计量值"
    gas = page.split('data-testid="metered-completeness-fuel:natural_gas">', 1)[1].split("<", 1)[0]
    assert gas == f"{100 * 720 / 744:.1f}%"
    assert _field(page, "electrolysis_ac_mwh") == ""  # no AC meter data in January: nothing offered

    # a reported month: its own values stay; the metered ones are offered beside them
    page = enterprise.get("/reporting/form?facility=AL03&period=2025-12").text
    assert float(_field(page, "electrolysis_ac_mwh")) == float(record["electrolysis_ac_mwh"])
    shown = page.split('data-testid="metered-value-electrolysis_ac_mwh">', 1)[1].split("</span>", 1)[0]
    assert "计量" in shown

    # a correction from the form: the grid electricity as metered (no captive entered: the site total), the AC
    # power the person's own
    values = {
        "facility_id": "AL03",
        "period": "2025-12",
        "output_t": str(record["output_t"]),
        "grid_electricity_mwh": f"{site:.3f}",
        "electrolysis_ac_mwh": str(round(float(record["electrolysis_ac_mwh"]) * 0.99, 1)),
        "auxiliary_ac_mwh": str(record.get("auxiliary_ac_mwh") or ""),
        "correction_reason": "按计量值更正外购电量",
    }
    saved = post(enterprise, "/reporting/form", values)
    assert saved.status_code in (200, 303), saved.text[:2000]
    with db.transaction(fresh_url) as session:
        kept = month_prefill.recorded(session, ADMIN, "AL03", "2025-12")
        latest = repo.versions_of(session, "AL03", "2025-12")[-1]
    assert kept is not None and kept["version"] == latest.version
    assert set(kept["metered"]) == {"grid_electricity_mwh"}
    assert kept["metered"]["grid_electricity_mwh"]["completeness"] == 100.0
    assert set(kept["overridden"]) == {"electrolysis_ac_mwh"}
    assert latest.record["grid_electricity_mwh"] == pytest.approx(round(site, 3))
    assert "metered" not in latest.record  # the record is what was entered: the accounting is unchanged
