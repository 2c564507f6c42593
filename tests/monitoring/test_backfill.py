"""CSV backfill through the same pipeline, on SQLite and PostgreSQL registries: past readings land in their
real intervals, the same file twice changes nothing, a changed value is a correction, every bad row is named
and then nothing is written, and only the enterprise's own user (or the administrator) may send its readings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.errors import AccessDenied
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import monitoring as svc
from carbonpeak.services.monitoring_backfill import backfill_file
from carbonpeak.store import db
from tests.monitoring.test_meters import POTLINE_AC
from tests.services.conftest import ADMIN, person, province  # noqa: F401
from tests.store.conftest import _drop_session_database, db_url  # noqa: F401

CSV = (
    "meter,start,value\n"
    "AL1-AC1,2026-03-01T00:00:00+08:00,1000\n"
    "AL1-AC1,2026-03-01T00:15:00+08:00,1010\n"
    "AL1-AC1,2026-02-28T16:30:00Z,1021.5\n"
)


def test_backfill_lands_in_real_intervals_once(province: str, tmp_path: Path) -> None:  # noqa: F811
    store = DuckDBStore(tmp_path / "r.duckdb")
    with db.transaction(province) as session:
        svc.add_meter(session, ADMIN, POTLINE_AC)
        own = person(session, "ent", "enterprise", enterprise="E1")
        city = person(session, "xa", "city_regulator", region="XA")
    with db.transaction(province) as session:
        first = backfill_file(session, own, store, "old.csv", CSV.encode(), "E1")
        again = backfill_file(session, own, store, "old.csv", CSV.encode(), "E1")
        fixed = backfill_file(session, ADMIN, store, "old.csv", CSV.replace("1010", "1011").encode(), "E1")
        with pytest.raises(AccessDenied):
            backfill_file(session, city, store, "old.csv", CSV.encode(), "E1")
    assert (first.written.new, again.written.duplicates, fixed.written.corrections) == (3, 3, 1)
    starts = list(store.current()["interval_start"])
    assert starts == [dt.datetime(2026, 2, 28, 16, m, tzinfo=dt.UTC) for m in (0, 15, 30)]
    assert set(store.current()["source"]) == {"backfill"}
    assert [v["value"] for v in store.versions("AL1-AC1", starts[1])] == [1010.0, 1011.0]


def test_bad_rows_named_from_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    readings = str(tmp_path / "r.duckdb")
    db.upgrade(url)
    from carbonpeak.services import registry as reg
    from tests.store.conftest import uscc

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
        svc.add_meter(session, ADMIN, POTLINE_AC)
    file = tmp_path / "old.csv"
    file.write_text(
        CSV + "AL1-AC1,2026-03-01 01:00,5\nAL1-AC1,2026-03-01T01:00+08:00,lots\nAL1-AC1,2026-03-01T01:07+08:00,5\n"
    )
    result = CliRunner().invoke(
        app,
        [
            "monitor",
            "backfill",
            str(file),
            "--enterprise",
            "E1",
            "--db",
            url,
            "--readings",
            readings,
            "--json",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 2, result.output  # every bad row named, and then nothing written
    problems = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert [p.split(",")[:2] for p in problems] == [
        ["  - file old.csv", " row 5"],
        ["  - file old.csv", " row 6"],
        ["  - file old.csv", " row 7"],
    ]
    assert "offset" in problems[0] and "start of one of" in problems[2]
    store = DuckDBStore(readings)
    assert store.count() == 0  # not even the three good rows
    store.close()


def test_excel_backfill_reads_date_cells_as_local_time(tmp_path: Path) -> None:
    import openpyxl

    from carbonpeak.monitoring.backfill import XLSX_FORMAT, decode_xlsx

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["meter", "start", "value"])
    sheet.append(["AL1-AC1", dt.datetime(2026, 3, 1, 8, 15), 12.5])  # a date-time cell: local time, UTC+8
    sheet.append(["AL1-AC1", "2026-03-01T00:30:00Z", 13])  # text with its offset
    sheet.append(["AL1-AC1", "2026-03-01 08:45", 14])  # text without an offset: refused
    path = tmp_path / "old.xlsx"
    book.save(path)
    batch = decode_xlsx(path.read_bytes())
    assert [(i.index, i.start.astimezone(dt.UTC), i.value) for i in batch.items] == [
        (2, dt.datetime(2026, 3, 1, 0, 15, tzinfo=dt.UTC), 12.5),
        (3, dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.UTC), 13.0),
    ]
    assert [(e.code, e.row) for e in batch.errors] == [("monitoring.payload_time", 4)]
    assert decode_xlsx(b"not a workbook").errors[0].code == "monitoring.xlsx_unreadable"
    assert XLSX_FORMAT == "carbonpeak.xlsx/1"
