"""From the command line, on the real broker: demo meters registered, ``carbonpeak monitor serve`` (its own
process) stores what ``carbonpeak monitor simulate`` publishes, each reading once, and ``monitor quality`` and
``monitor rollup`` read it back (the meter past calibration lowers accuracy, the stuck meter is found)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import registry as reg
from carbonpeak.store import db
from tests.monitoring.conftest import IngestService
from tests.monitoring.test_ingest_mqtt import broker_up
from tests.services.conftest import ADMIN
from tests.store.conftest import uscc

pytestmark = pytest.mark.skipif(not broker_up(), reason="no MQTT broker on 127.0.0.1:1883 (apt-get install mosquitto)")


def test_serve_stores_what_simulate_publishes(ingest_service: IngestService) -> None:
    url, readings = ingest_service.url, ingest_service.readings
    with db.transaction(url) as session:
        reg.add_region(session, ADMIN, {"region_code": "SX", "name_zh": "测试省", "level": "province"})
        reg.add_enterprise(
            session, ADMIN, {"enterprise_code": "E1", "name_zh": "甲", "uscc": uscc("E1"), "region_code": "SX"}
        )
        reg.add_facility(
            session,
            ADMIN,
            {"facility_code": "AL1", "enterprise_code": "E1", "name_zh": "电解", "sector": "electrolytic_aluminium"},
        )
    runner = CliRunner()
    result = runner.invoke(app, ["monitor", "demo-meters", "--today", "2026-03-10", "--db", url])
    assert result.exit_code == 0 and "4 meters registered" in result.output, result.output

    serve = ingest_service.start(12)
    result = runner.invoke(
        app,
        [
            "monitor",
            "simulate",
            "--db",
            url,
            "--start",
            "2026-03-01T00:00+08:00",
            "--hours",
            "48",
            "--topic-root",
            ingest_service.topic_root,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    truth = json.loads(result.output)
    output, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, output
    assert f"duplicates={truth['duplicate_readings']}" in output and "rejected=0" in output, output
    store = DuckDBStore(readings)
    assert store.count() == truth["keys"]
    store.close()

    result = runner.invoke(
        app,
        [
            "monitor",
            "quality",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-03",
            "--level",
            "meter",
            "--as-of",
            "2026-03-10T00:00+08:00",
            "--db",
            url,
            "--readings",
            readings,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    rows = {r["meter"]: r for r in report["indices"]}
    assert rows["AL1-G0"]["accuracy"] == 0.0 and rows["AL1-E0"]["accuracy"] == 1.0  # the gas meter is past calibration
    assert report["weights"] == {"online": 0.1, "completeness": 0.3, "accuracy": 0.4, "correctness": 0.2}
    assert sum(r["received"] for r in rows.values()) == truth["keys"]
    assert sum(r["duplicates"] for r in rows.values()) == truth["duplicate_readings"]
    assert rows["AL1-E1"]["correctness"] < 1.0  # the stuck process meter
    missing = sum(g["missing"] for g in report["gaps"])
    assert missing == sum(r["expected"] - r["received"] for r in rows.values()) > 0  # the dropouts, listed

    result = runner.invoke(
        app,
        [
            "monitor",
            "rollup",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-03",
            "--grain",
            "day",
            "--db",
            url,
            "--readings",
            readings,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    days = json.loads(result.output)
    result = runner.invoke(
        app,
        [
            "monitor",
            "rollup",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-03",
            "--grain",
            "day",
            "--fill-gaps",
            "4",
            "--db",
            url,
            "--readings",
            readings,
            "--json",
        ],
    )
    filled = json.loads(result.output)
    assert sum(d["estimated"] for d in filled) > sum(d["estimated"] for d in days)  # the dropouts, filled and marked
    assert sorted({d["period"][:10] for d in days}) == ["2026-03-01", "2026-03-02"]
    assert all(d["quantity"] > 0 for d in days if d["meter"] == "AL1-AC")
