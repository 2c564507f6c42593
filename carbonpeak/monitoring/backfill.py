"""CSV and Excel backfill of meter readings with their real timestamps: the decoders ``carbonpeak.csv/1`` and
``carbonpeak.xlsx/1`` (the first sheet, laid out the same way).

A file has a header row and one reading per row::

    meter,start,value
    AL1-E0,2026-03-01T00:00:00+08:00,123456.7
    AL1-E0,2026-03-01T00:15:00+08:00,123481.2

``start`` is the start of the interval (UTC with ``Z`` or local time with its offset; a time without an
offset is refused); ``value`` as the meter sends it. An optional ``source`` column defaults to ``backfill``.
The whole file is one message whose id is derived from its content (``backfill-`` and the first 16 hex
digits of its SHA-256), so importing the same file twice is the same message, and its readings count once.
Rows are numbered as in a spreadsheet (the header is row 1).

Hostile files give coded errors, never a crash: a CSV the csv module cannot parse (a cell beyond its field
limit, a quote never closed) is ``monitoring.csv_malformed`` at its line; a workbook whose parts inflate
beyond :data:`MAX_INFLATED_BYTES`, or whose first sheet spans more than :data:`MAX_ROWS` rows, is refused
before its cells are read; a value that is not a finite number (``inf``, ``nan``) is ``monitoring.not_a_number``.
The size of the file itself is the use case's check (:mod:`carbonpeak.services.monitoring_backfill`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import zipfile
from typing import Any
from zoneinfo import ZoneInfo

from carbonpeak.errors import InputError
from carbonpeak.monitoring.payload import Batch, Item, register_decoder
from carbonpeak.monitoring.readings import SOURCES
from carbonpeak.monitoring.rollups import local_timezone

FORMAT = "carbonpeak.csv/1"
XLSX_FORMAT = "carbonpeak.xlsx/1"
COLUMNS = ("meter", "start", "value")
MAX_ROWS = 2_000_000  # a year of 15-minute readings of 57 meters; a backfill is cut by month long before
MAX_INFLATED_BYTES = 1024 * 2**20  # a workbook's parts once inflated (a zip bomb stops here)


def decode_csv(data: bytes) -> Batch:
    batch = _batch(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # e.g. GBK, as Excel saves "CSV" on a Chinese Windows: name the line
        line = data[: exc.start].count(b"\n") + 1
        batch.errors.append(InputError(code="monitoring.csv_encoding", row=line, expected="UTF-8"))
        return batch
    reader = csv.reader(io.StringIO(text))
    rows: list[list[Any]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                batch.errors.append(InputError(code="monitoring.too_many_rows", row=len(rows), limit=MAX_ROWS))
                return batch
    except csv.Error:
        # a cell over the csv module's field limit, a quote never closed: say where, not the module's words
        batch.errors.append(InputError(code="monitoring.csv_malformed", row=reader.line_num))
        return batch
    _rows(batch, rows, None)
    return batch


def decode_xlsx(data: bytes) -> Batch:
    """The first sheet of a workbook, laid out as the CSV file. Excel keeps no offset with a date-time: a
    date-time cell is read as local time (:func:`carbonpeak.monitoring.rollups.local_timezone`, Asia/Shanghai
    by default); a text cell must carry its offset, as in CSV."""
    from python_calamine import CalamineWorkbook

    batch = _batch(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        batch.errors.append(InputError(code="monitoring.xlsx_unreadable"))
        return batch
    if inflated > MAX_INFLATED_BYTES:
        batch.errors.append(InputError(code="monitoring.xlsx_too_large", limit=MAX_INFLATED_BYTES // 2**20))
        return batch
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        if sheet.height > MAX_ROWS + 1:  # checked before the cells are read: a stray far cell costs nothing
            batch.errors.append(InputError(code="monitoring.too_many_rows", row=sheet.height, limit=MAX_ROWS))
            return batch
        rows = [list(r) for r in sheet.iter_rows()]
    except Exception:  # calamine raises its own errors for a damaged or disguised file
        batch.errors.append(InputError(code="monitoring.xlsx_unreadable"))
        return batch
    _rows(batch, rows, ZoneInfo(local_timezone()))
    return batch


def _batch(data: bytes) -> Batch:
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Batch(message_id=f"backfill-{digest}", gateway="backfill", source="backfill")


def _start(value: Any, zone: ZoneInfo | None) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and zone is not None:
            return value.replace(tzinfo=zone)
        return value if value.tzinfo is not None else None
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _rows(batch: Batch, rows: list[list[Any]], zone: ZoneInfo | None) -> None:
    header = [str(h).strip() for h in (rows[0] if rows else [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        batch.errors.append(
            InputError(code="monitoring.csv_columns", row=1, missing=missing, expected=", ".join(COLUMNS))
        )
        return
    at = {name: header.index(name) for name in header if name in (*COLUMNS, "source")}
    for row_number, cells in enumerate(rows[1:], start=2):

        def cell(name: str, cells: list[Any] = cells) -> Any:
            index = at.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        if all(c in (None, "") for c in cells):
            continue
        problems = []
        meter = str(cell("meter") or "").strip()
        start = _start(cell("start"), zone)
        if start is None:
            problems.append(
                InputError(code="monitoring.payload_time", field="start", value=str(cell("start"))[:60], row=row_number)
            )
        raw = cell("value")
        try:
            value = float(str(raw).strip()) if not isinstance(raw, int | float) or isinstance(raw, bool) else float(raw)
            if not math.isfinite(value) or isinstance(raw, bool):
                raise ValueError
        except ValueError:
            value = None
            problems.append(
                InputError(code="monitoring.not_a_number", field="value", value=str(raw)[:60], row=row_number)
            )
        if not meter:
            problems.append(InputError(code="monitoring.payload_field_missing", field="meter", row=row_number))
        source = str(cell("source") or "").strip() or "backfill"
        if source not in SOURCES:
            problems.append(
                InputError(
                    code="monitoring.payload_source", field="source", value=source, row=row_number, allowed=SOURCES
                )
            )
        if problems:
            batch.errors += problems
            continue
        assert start is not None and value is not None
        batch.items.append(Item(row_number, meter, start, value, source))


register_decoder(FORMAT, decode_csv)
register_decoder(XLSX_FORMAT, decode_xlsx)
