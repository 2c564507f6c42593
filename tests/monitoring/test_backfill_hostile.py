"""Hostile backfill files: a huge file, a malformed CSV, a CSV in GBK, a damaged or oversized workbook, values
that are no finite number. Each is a coded error naming the file (and the row and field where there is one),
nothing is written, and nothing crashes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from carbonpeak.errors import ValidationFailed
from carbonpeak.monitoring import backfill as decoders
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import monitoring as svc
from carbonpeak.services.monitoring_backfill import backfill_file
from carbonpeak.store import db
from tests.monitoring.test_backfill import CSV
from tests.monitoring.test_meters import POTLINE_AC
from tests.services.conftest import ADMIN, province  # noqa: F401
from tests.store.conftest import _drop_session_database, db_url  # noqa: F401


def refused(url: str, store: DuckDBStore, name: str, data: bytes) -> list[tuple[str | None, int | None, str | None]]:
    """The (file, row, field, code) of every problem; the store must still be empty."""
    with pytest.raises(ValidationFailed) as caught, db.transaction(url) as session:
        backfill_file(session, ADMIN, store, name, data, "E1")
    assert store.count() == 0, "a refused file wrote readings"
    for problem in caught.value.errors:
        assert problem.file == name and problem.code, problem
        assert problem.text("zh") and problem.text("en")  # coded, in both languages
    return [(e.code, e.row, e.field) for e in caught.value.errors]  # type: ignore[misc]


@pytest.fixture
def store(province: str, tmp_path: Path) -> DuckDBStore:  # noqa: F811
    with db.transaction(province) as session:
        svc.add_meter(session, ADMIN, POTLINE_AC)
    made = DuckDBStore(tmp_path / "r.duckdb")
    return made


def test_a_huge_file_is_refused_before_it_is_read(
    province: str,  # noqa: F811
    store: DuckDBStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARBONPEAK_MONITORING_BACKFILL_MAX_MB", "0.001")  # 1 KiB for the test
    big = CSV + "".join(f"AL1-AC1,2026-03-02T{h:02d}:00:00+08:00,{h}\n" for h in range(24)) * 3
    assert len(big) > 1024
    assert refused(province, store, "big.csv", big.encode()) == [("monitoring.file_too_large", None, None)]


def test_a_malformed_csv_names_its_line(province: str, store: DuckDBStore) -> None:  # noqa: F811
    cell = "x" * 200_000  # beyond the csv module's field limit
    text = CSV + f'AL1-AC1,"{cell}",5\n'
    assert refused(province, store, "bad.csv", text.encode()) == [("monitoring.csv_malformed", 5, None)]
    unclosed = CSV + 'AL1-AC1,"2026-03-01T01:00+08:00,5\n' + "AL1-AC1,2026-03-01T01:15+08:00,5\n" * 2
    assert refused(province, store, "quote.csv", unclosed.encode())  # a quote never closed: coded, no crash


def test_every_bad_row_of_a_csv_is_listed_and_nothing_is_written(province: str, store: DuckDBStore) -> None:  # noqa: F811
    text = (
        CSV
        + "AL1-AC1,2026-03-01T01:00+08:00,inf\n"  # not a finite number
        + "AL1-AC1,2026-03-01T01:15+08:00,nan\n"
        + "NOPE,2026-03-01T01:30+08:00,5\n"  # not a meter of the enterprise
        + "AL1-AC1,2026-03-01T01:37+08:00,5\n"  # not an interval start
        + "AL1-AC1,2026-03-01 01:45,5\n"  # no offset
        + ",2026-03-01T02:00+08:00,5\n"  # no meter
    )
    assert refused(province, store, "rows.csv", text.encode()) == [
        ("monitoring.not_a_number", 5, "value"),
        ("monitoring.not_a_number", 6, "value"),
        ("monitoring.payload_time", 9, "start"),
        ("monitoring.payload_field_missing", 10, "meter"),
        ("monitoring.unknown_meter", 7, "meter"),
        ("monitoring.not_aligned", 8, "start"),
    ]


def test_a_csv_in_gbk_is_refused_naming_the_encoding_and_line(province: str, store: DuckDBStore) -> None:  # noqa: F811
    text = "meter,start,value,source\n" + "AL1-AC1,2026-03-01T00:00:00+08:00,1000,补录\n"
    found = refused(province, store, "gbk.csv", text.encode("gbk"))
    assert found == [("monitoring.csv_encoding", 2, None)]
    with pytest.raises(ValidationFailed) as caught, db.transaction(province) as session:
        backfill_file(session, ADMIN, store, "gbk.csv", text.encode("gbk"), "E1")
    assert "UTF-8" in caught.value.errors[0].text("zh") and "GBK" in caught.value.errors[0].text("zh")


def test_a_damaged_or_oversized_workbook_is_refused(
    province: str,  # noqa: F811
    store: DuckDBStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert refused(province, store, "old.xlsx", b"PK\x03\x04 not really a workbook") == [
        ("monitoring.xlsx_unreadable", None, None)
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["meter", "start", "value"])
    sheet.append(["AL1-AC1", "2026-03-01T00:00:00+08:00", 1])
    sheet.cell(row=500, column=1, value="far away")  # the sheet spans 500 rows
    out = io.BytesIO()
    book.save(out)
    monkeypatch.setattr(decoders, "MAX_ROWS", 100)
    assert refused(province, store, "far.xlsx", out.getvalue()) == [("monitoring.too_many_rows", 500, None)]
    monkeypatch.setattr(decoders, "MAX_INFLATED_BYTES", 1000)
    assert refused(province, store, "far.xlsx", out.getvalue()) == [("monitoring.xlsx_too_large", None, None)]
