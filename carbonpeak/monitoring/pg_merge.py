"""PostgreSQL's merge of a batch whose keys are all different, written with ``COPY`` instead of
``INSERT ... SELECT``.

**Why.** Measured on 100,000 readings into a table of 500,000: the staging ``COPY`` took 0.3 s, while
``INSERT ... SELECT`` of the new versions took 3.0 s and of the arrival log 2.4 s (the same rows selected
alone: 0.4 s). PostgreSQL inserts the rows of an ``INSERT ... SELECT`` one at a time, each with its own WAL
record, where ``COPY`` inserts them in blocks. So the server classifies (it returns only the keys already
stored, with their latest version and value: none for new readings), the client numbers the versions and
counts the arrivals with NumPy, and both tables are written by ``COPY``; all in the caller's transaction,
under its advisory lock, so that the classification and the write see the same stored versions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.monitoring.batch import ReadingBatch
from carbonpeak.monitoring.readings import WriteResult

# The stored keys of the staged batch, each with its latest version and value (within the batch's range).
EXISTING_SQL = """
WITH span AS (SELECT min(interval_start) AS lo, max(interval_start) AS hi FROM staging),
latest AS (
    SELECT DISTINCT ON (r.meter, r.interval_start) r.meter, r.interval_start, r.version, r.value
    FROM meter_reading r JOIN staging k ON r.meter = k.meter AND r.interval_start = k.interval_start
    WHERE r.interval_start >= (SELECT lo FROM span) AND r.interval_start <= (SELECT hi FROM span)
    ORDER BY r.meter, r.interval_start, r.version DESC
)
SELECT s.seq, l.version, l.value
FROM staging s JOIN latest l ON l.meter = s.meter AND l.interval_start = s.interval_start
"""

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(values: list[Any]) -> np.ndarray:
    """Strings as ``COPY``'s text format spells them (escaped; None as NULL), once per distinct value."""
    return np.array([r"\N" if v is None else str(v).translate(_ESCAPES) for v in values], dtype=object)


def _instants(us: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(us.astype("datetime64[us]"), unit="us", timezone="UTC").astype(object)


def _lines(*columns: Any) -> bytes:
    return ("".join(f"{line}\n" for line in map("\t".join, zip(*columns, strict=True)))).encode()


def merge_by_copy(con: Any, batch: ReadingBatch) -> WriteResult:
    """Merge the batch staged in ``staging`` (keys all different) into ``meter_reading`` and
    ``reading_arrival``, on the connection ``con`` inside its transaction."""
    n = len(batch)
    old_version = np.zeros(n, np.int64)
    old_value = np.zeros(n, np.float64)
    found = con.execute(EXISTING_SQL).fetchall()
    if found:
        seq, version, value = (np.array(column) for column in zip(*found, strict=True))
        old_version[seq.astype(np.int64)] = version.astype(np.int64)
        old_value[seq.astype(np.int64)] = value.astype(np.float64)
    new = old_version == 0
    duplicate = ~new & (old_value == batch.value)
    correction = ~new & ~duplicate
    write = ~duplicate
    if write.any():
        data = _lines(
            _text(batch.meters)[batch.meter_code[write]],
            _instants(batch.interval_start[write]),
            map(str, (old_version[write] + 1).tolist()),
            map(repr, batch.value[write].tolist()),
            _instants(batch.received_at[write]),
            _text(batch.message_ids)[batch.message_code[write]],
            _text(batch.sources)[batch.source_code[write]],
        )
        with con.cursor().copy(
            "COPY meter_reading (meter, interval_start, version, value, received_at, message_id, source) FROM STDIN"
        ) as copy:
            copy.write(data)
    _arrivals(con, batch, new, duplicate, correction)
    return WriteResult(int(new.sum()), int(duplicate.sum()), int(correction.sum()))


def _arrivals(con: Any, batch: ReadingBatch, new: np.ndarray, duplicate: np.ndarray, correction: np.ndarray) -> None:
    """One arrival row per message id and meter (as the SQL merge's ``GROUP BY message_id, meter``)."""
    message_code, message_ids = pd.factorize(np.array(batch.message_ids, dtype=object), use_na_sentinel=False)
    by_id = message_code[batch.message_code]  # the same id sent twice in one batch is one group
    key = by_id.astype(np.int64) * len(batch.meters) + batch.meter_code
    groups, inverse = np.unique(key, return_inverse=True)
    size = len(groups)
    first = np.full(size, np.iinfo(np.int64).max, np.int64)
    last = np.full(size, np.iinfo(np.int64).min, np.int64)
    received = np.full(size, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, inverse, batch.interval_start)
    np.maximum.at(last, inverse, batch.interval_start)
    np.minimum.at(received, inverse, batch.received_at)
    counts = [
        np.bincount(inverse, weights=None if w is None else w.astype(np.float64), minlength=size).astype(np.int64)
        for w in (None, new, duplicate, correction)
    ]
    ids = [None if isinstance(v, float) and v != v else v for v in message_ids]
    data = _lines(
        _text(ids)[groups // len(batch.meters)],
        _text(batch.meters)[groups % len(batch.meters)],
        _instants(received),
        _instants(first),
        _instants(last),
        *(map(str, c.tolist()) for c in counts),
    )
    with con.cursor().copy(
        "COPY reading_arrival (message_id, meter, received_at, first_interval, last_interval, readings, new,"
        " duplicates, corrections) FROM STDIN"
    ) as copy:
        copy.write(data)
