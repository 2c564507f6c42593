"""A batch of readings as columns, the form every store write takes (:mod:`carbonpeak.monitoring.store`).

**Why dictionary-encoded columns.** Ingest is measured in hundreds of thousands of readings per second
(issue #15; docs/benchmarks.md). What costs at that rate is not the database but handing it one Python
string per reading: a DuckDB scan of a pandas column of strings, or psycopg writing a row at a time, costs
microseconds per reading. A batch therefore carries its strings once each: the meter codes, the message ids
and the sources are small lists, and each reading holds integer positions into them. Every per-reading
column is a NumPy array (times as UTC epoch microseconds), so that DuckDB scans the batch without
conversion and PostgreSQL receives it as one binary ``COPY`` built by NumPy (:func:`pg_binary_copy`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

US_PER_S = 1_000_000
PG_EPOCH_US = 946_684_800 * US_PER_S  # PostgreSQL's binary timestamps count from 2000-01-01 UTC


@dataclass
class ReadingBatch:
    """Readings in order of arrival, as columns. ``meter[i]`` is ``meters[meter_code[i]]``, and so on for the
    messages and sources; instants are UTC epoch microseconds."""

    meter_code: np.ndarray  # int32
    meters: list[str]
    interval_start: np.ndarray  # int64, UTC epoch microseconds
    value: np.ndarray  # float64
    received_at: np.ndarray  # int64, UTC epoch microseconds
    message_code: np.ndarray  # int32
    message_ids: list[str | None]
    source_code: np.ndarray  # int32
    sources: list[str]

    def __len__(self) -> int:
        return len(self.value)

    def keys_unique(self) -> bool:
        """No (meter, interval start) twice in the batch (the usual case: then it is merged in one round)."""
        if len(self) < 2:
            return True
        order = np.lexsort((self.interval_start, self.meter_code))
        meter, start = self.meter_code[order], self.interval_start[order]
        return not bool(((meter[1:] == meter[:-1]) & (start[1:] == start[:-1])).any())

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        """The first and last interval start of the batch (the stored versions are looked up within it)."""
        low, high = int(self.interval_start.min()), int(self.interval_start.max())
        return (_instant(low), _instant(high))

    def frames(self) -> dict[str, pd.DataFrame]:
        """The batch as frames a database scans without converting a string per reading: the readings (codes,
        numbers and times only) and the three small dictionaries."""
        return {
            "incoming": pd.DataFrame(
                {
                    "seq": np.arange(len(self), dtype=np.int64),
                    "meter_code": self.meter_code,
                    "interval_start": pd.to_datetime(self.interval_start, unit="us", utc=True),
                    "value": self.value,
                    "received_at": pd.to_datetime(self.received_at, unit="us", utc=True),
                    "message_code": self.message_code,
                    "source_code": self.source_code,
                }
            ),
            "incoming_meters": pd.DataFrame(
                {"code": np.arange(len(self.meters), dtype=np.int32), "meter": pd.Series(self.meters, dtype=object)}
            ),
            "incoming_messages": pd.DataFrame(
                {
                    "code": np.arange(len(self.message_ids), dtype=np.int32),
                    "message_id": pd.Series(self.message_ids, dtype=object),
                }
            ),
            "incoming_sources": pd.DataFrame(
                {"code": np.arange(len(self.sources), dtype=np.int32), "source": pd.Series(self.sources, dtype=object)}
            ),
        }


# The staging relation both stores build from a batch: the readings joined with their dictionaries.
STAGING_SELECT = """
SELECT i.seq, m.meter, i.interval_start, i.value, i.received_at, g.message_id, s.source
FROM incoming i
JOIN incoming_meters m ON m.code = i.meter_code
JOIN incoming_messages g ON g.code = i.message_code
JOIN incoming_sources s ON s.code = i.source_code
"""


def _instant(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)


def _codes(values: Any, n: int) -> tuple[np.ndarray, list[Any]]:
    """Integer positions into the distinct values (in order of first appearance); a scalar for all ``n``."""
    if isinstance(values, str) or values is None:
        return np.zeros(n, np.int32), [values]
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    return codes.astype(np.int32), [None if isinstance(u, float) and u != u else u for u in uniques]


def microseconds(instants: Any) -> np.ndarray:
    """UTC epoch microseconds of anything ``pandas.to_datetime(..., utc=True)`` takes (aware datetimes,
    ``datetime64``, a scalar for every reading)."""
    return np.asarray(pd.to_datetime(instants, utc=True).as_unit("us").asi8, np.int64)


def columns(
    meter: Sequence[str] | np.ndarray,
    interval_start: Any,
    value: Any,
    received_at: Any,
    message_id: Sequence[str | None] | np.ndarray | str | None = None,
    source: Sequence[str] | np.ndarray | str = "live",
) -> ReadingBatch:
    """A batch from plain columns (a scalar message id, source or receipt time stands for every reading),
    without one Python object per reading: instants as anything ``pandas.to_datetime(..., utc=True)`` takes,
    already on the meters' interval grid (the ingest checks are the caller's)."""
    n = len(meter)
    meter_code, meters = _codes(meter, n)
    message_code, message_ids = _codes(message_id, n)
    source_code, sources = _codes(source, n)
    if isinstance(received_at, dt.datetime | np.datetime64 | str):  # pd.Timestamp is a datetime
        received = np.full(n, microseconds([received_at])[0], np.int64)
    else:
        received = microseconds(received_at)
    return ReadingBatch(
        meter_code=meter_code,
        meters=meters,
        interval_start=microseconds(interval_start),
        value=np.asarray(value, dtype=np.float64),
        received_at=received,
        message_code=message_code,
        message_ids=message_ids,
        source_code=source_code,
        sources=sources,
    )


# One row of PostgreSQL's binary COPY of ``incoming`` (seq, meter_code, interval_start, value, received_at,
# message_code, source_code): a field count, then each field as its length and its big-endian bytes. Every
# field has a fixed width (the strings are in the dictionaries), so a batch is one NumPy record array.
_PG_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("l_seq", ">i4"),
        ("seq", ">i8"),
        ("l_meter", ">i4"),
        ("meter_code", ">i4"),
        ("l_start", ">i4"),
        ("interval_start", ">i8"),
        ("l_value", ">i4"),
        ("value", ">f8"),
        ("l_received", ">i4"),
        ("received_at", ">i8"),
        ("l_message", ">i4"),
        ("message_code", ">i4"),
        ("l_source", ">i4"),
        ("source_code", ">i4"),
    ]
)
PG_INCOMING_COLUMNS = "seq, meter_code, interval_start, value, received_at, message_code, source_code"
PG_INCOMING_TABLE = (
    "CREATE TEMP TABLE incoming (seq bigint, meter_code integer, interval_start timestamptz, value double precision,"
    " received_at timestamptz, message_code integer, source_code integer) ON COMMIT DROP"
)
_PG_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_PG_TRAILER = b"\xff\xff"


def pg_binary_copy(batch: ReadingBatch) -> bytes:
    """The batch's readings in PostgreSQL's binary ``COPY`` format, for the table :data:`PG_INCOMING_TABLE`."""
    rows = np.zeros(len(batch), dtype=_PG_ROW)
    rows["fields"] = 7
    for name, width in (("seq", 8), ("meter", 4), ("start", 8), ("value", 8), ("received", 8)):
        rows["l_" + name] = width
    rows["l_message"] = 4
    rows["l_source"] = 4
    rows["seq"] = np.arange(len(batch), dtype=np.int64)
    rows["meter_code"] = batch.meter_code
    rows["interval_start"] = batch.interval_start - PG_EPOCH_US
    rows["value"] = batch.value
    rows["received_at"] = batch.received_at - PG_EPOCH_US
    rows["message_code"] = batch.message_code
    rows["source_code"] = batch.source_code
    return _PG_HEADER + rows.tobytes() + _PG_TRAILER
