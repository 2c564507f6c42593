"""CSV backfill of meter readings with their real timestamps: the decoder ``carbonpeak.csv/1``.

A file has a header row and one reading per row::

    meter,start,value
    AL1-E0,2026-03-01T00:00:00+08:00,123456.7
    AL1-E0,2026-03-01T00:15:00+08:00,123481.2

``start`` is the start of the interval (UTC with ``Z`` or local time with its offset; a time without an
offset is refused); ``value`` as the meter sends it. An optional ``source`` column defaults to ``backfill``.
The whole file is one message whose id is derived from its content (``backfill-`` and the first 16 hex
digits of its SHA-256), so importing the same file twice is the same message, and its readings count once.
Rows are numbered as in a spreadsheet (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

from carbonpeak.errors import InputError
from carbonpeak.monitoring.payload import Batch, Item, register_decoder
from carbonpeak.monitoring.readings import SOURCES

FORMAT = "carbonpeak.csv/1"
COLUMNS = ("meter", "start", "value")


def decode_csv(data: bytes) -> Batch:
    batch = Batch(message_id="backfill-" + hashlib.sha256(data).hexdigest()[:16], gateway="backfill", source="backfill")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        batch.errors.append(InputError(code="monitoring.csv_encoding"))
        return batch
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        batch.errors.append(
            InputError(code="monitoring.csv_columns", row=1, missing=missing, expected=", ".join(COLUMNS))
        )
        return batch
    for row_number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        problems = []
        try:
            start = dt.datetime.fromisoformat(row["start"].replace("Z", "+00:00"))
        except ValueError:
            start = None
        if start is None or start.tzinfo is None:
            problems.append(
                InputError(code="monitoring.payload_time", field="start", value=row["start"], row=row_number)
            )
        try:
            value = float(row["value"])
            if value != value:
                raise ValueError
        except ValueError:
            problems.append(
                InputError(code="monitoring.not_a_number", field="value", value=row["value"], row=row_number)
            )
        if not row["meter"]:
            problems.append(InputError(code="monitoring.payload_field_missing", field="meter", row=row_number))
        source = row.get("source") or "backfill"
        if source not in SOURCES:
            problems.append(
                InputError(
                    code="monitoring.payload_source", field="source", value=source, row=row_number, allowed=SOURCES
                )
            )
        if problems:
            batch.errors += problems
            continue
        assert start is not None
        batch.items.append(Item(row_number, row["meter"], start, value, source))
    return batch


register_decoder(FORMAT, decode_csv)
