"""The idempotent reading store: an embedded DuckDB file by default, PostgreSQL for a shared deployment.

**Why DuckDB's own file, not DuckDB over Parquet, for the embedded store.** Ingest must be idempotent and
keep corrections as versions, and no reading may be acknowledged before it is durably stored. A DuckDB
database file gives both in one place: a transaction that classifies the incoming readings against the
stored ones and inserts the new versions commits atomically, with its write-ahead log synced at commit.
Parquet files are immutable: de-duplicating against them, or adding a version, means rewriting a month's
file (or piling up small files to compact later), with no transaction around the check and the write.
Parquet stays the exchange layout: :meth:`DuckDBStore.export_parquet` writes the current readings
partitioned by month, the layout a cluster (Spark) reads. One process writes a DuckDB file at a time (the
ingest service); where several processes must write or read live, use PostgreSQL.

Both stores share one schema (DuckDB's without the primary-key index: see :data:`DUCKDB_SCHEMA_SQL`) and
one rule:

``meter_reading(meter, interval_start, version, value, received_at, message_id, source)``, keyed by
``(meter, interval_start, version)``. A write stages the batch, classifies each reading against the
latest stored version of its key (new / duplicate: the same value / correction: another value), inserts
the new ones and the corrections (version + 1), and appends to ``reading_arrival`` one row per message
and meter with those counts and the first and last interval it carried (what the correctness index counts
as duplicates). A duplicate adds no reading. DuckDB merges in SQL (:data:`DUCKDB_CLASSIFY_SQL`,
:data:`MERGE_SQL`). On PostgreSQL the batch is copied (binary ``COPY``) into a temporary staging table and,
under a transaction-scoped advisory lock (so that two ingest processes never give two values the same
version), the stored keys are looked up and the new rows written by ``COPY``
(:mod:`carbonpeak.monitoring.pg_merge`).

A batch comes as dictionary-encoded columns (``write_batch``, :class:`ReadingBatch`, :func:`columns`: what
the ingest pipeline gives) or as :class:`Reading` objects (``write``, turned into columns first). A batch
whose keys are all different (the usual case) is merged in one round; one that carries a key twice is
numbered and merged in rounds in SQL (:data:`ROUNDS_SQL`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd

from carbonpeak.errors import Conflict
from carbonpeak.monitoring.batch import (
    PG_INCOMING_COLUMNS,
    PG_INCOMING_TABLE,
    STAGING_SELECT,
    ReadingBatch,
    columns,
    pg_binary_copy,
)
from carbonpeak.monitoring.pg_merge import merge_by_copy
from carbonpeak.monitoring.readings import UTC, Reading, WriteResult

__all__ = ["DuckDBStore", "PostgresStore", "ReadingBatch", "ReadingStore", "columns", "open_store"]

SCHEMA_SQL = [
    """CREATE TABLE IF NOT EXISTS meter_reading (
        meter VARCHAR(60) NOT NULL,
        interval_start TIMESTAMPTZ NOT NULL,
        version INTEGER NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        message_id VARCHAR(200),
        source VARCHAR(20) NOT NULL,
        PRIMARY KEY (meter, interval_start, version)
    )""",
    """CREATE TABLE IF NOT EXISTS reading_arrival (
        message_id VARCHAR(200),
        meter VARCHAR(60) NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        first_interval TIMESTAMPTZ NOT NULL,
        last_interval TIMESTAMPTZ NOT NULL,
        readings INTEGER NOT NULL,
        new INTEGER NOT NULL,
        duplicates INTEGER NOT NULL,
        corrections INTEGER NOT NULL
    )""",
]

# DuckDB's table has no primary key: maintaining its index was most of the time of a write (measured: an
# insert of 100,000 readings 1.28 s with it, 0.15 s without; its commit 1.4 s against 0.15 s). A DuckDB file
# has one writer (the file is locked to one process; the store serialises its threads), and the merge below
# is the only writer of versions, so (meter, interval_start, version) stays unique without the index
# (tests/monitoring/test_reading_store.py checks it after duplicates, corrections and repeated keys).
# A file made before keeps its key and works as before (slower). PostgreSQL keeps the key: several ingest
# processes may write there, and its B-tree costs far less.
DUCKDB_SCHEMA_SQL = [
    SCHEMA_SQL[0].replace(",\n        PRIMARY KEY (meter, interval_start, version)", ""),
    SCHEMA_SQL[1],
]

STAGING_COLUMNS = ("meter", "interval_start", "value", "received_at", "message_id", "source")

# A batch may carry one key more than once (a duplicate within the batch, or a correction right after the
# value): the arrivals are numbered (seq) and merged in rounds, the n-th occurrence of each key in round n,
# so that a later value becomes a later version. The numbering is SQL, not Python (hashing a million keys
# in Python costs more than the merge).
ROUNDS_SQL = """
CREATE TEMP TABLE staged AS
SELECT *, row_number() OVER (PARTITION BY meter, interval_start ORDER BY seq) - 1 AS round FROM arrived
"""
ROUND_SQL = "CREATE TEMP TABLE staging AS SELECT {columns} FROM staged WHERE round = {round}"

# Classify the staged readings against the latest stored version of each key (one round: keys unique). The
# stored rows are looked up only within the batch's interval range (DuckDB skips the row groups outside it).
CLASSIFY_SQL = """
CREATE TEMP TABLE classified AS
WITH keys AS (SELECT DISTINCT meter, interval_start FROM staging),
span AS (SELECT min(interval_start) AS lo, max(interval_start) AS hi FROM staging),
latest AS (
    SELECT DISTINCT ON (r.meter, r.interval_start) r.meter, r.interval_start, r.version, r.value
    FROM meter_reading r JOIN keys k ON r.meter = k.meter AND r.interval_start = k.interval_start
    WHERE r.interval_start >= (SELECT lo FROM span) AND r.interval_start <= (SELECT hi FROM span)
    ORDER BY r.meter, r.interval_start, r.version DESC
)
SELECT s.meter, s.interval_start, s.value, s.received_at, s.message_id, s.source,
       l.version AS old_version,
       CASE WHEN l.version IS NULL THEN 'new' WHEN l.value = s.value THEN 'duplicate' ELSE 'correction' END AS kind
FROM staging s LEFT JOIN latest l ON l.meter = s.meter AND l.interval_start = s.interval_start
"""
# DuckDB's classification: the latest version of each stored key by arg_max (no sort), and the batch's interval
# range as constants, which DuckDB checks against each row group's min/max before reading it.
DUCKDB_CLASSIFY_SQL = """
CREATE TEMP TABLE classified AS
WITH latest AS (
    SELECT r.meter, r.interval_start, max(r.version) AS version, arg_max(r.value, r.version) AS value
    FROM meter_reading r SEMI JOIN staging k ON r.meter = k.meter AND r.interval_start = k.interval_start
    WHERE r.interval_start >= TIMESTAMPTZ '{lo}' AND r.interval_start <= TIMESTAMPTZ '{hi}'
    GROUP BY r.meter, r.interval_start
)
SELECT s.meter, s.interval_start, s.value, s.received_at, s.message_id, s.source,
       l.version AS old_version,
       CASE WHEN l.version IS NULL THEN 'new' WHEN l.value = s.value THEN 'duplicate' ELSE 'correction' END AS kind
FROM staging s LEFT JOIN latest l ON l.meter = s.meter AND l.interval_start = s.interval_start
"""
MERGE_SQL = [
    """INSERT INTO meter_reading (meter, interval_start, version, value, received_at, message_id, source)
       SELECT meter, interval_start, COALESCE(old_version, 0) + 1, value, received_at, message_id, source
       FROM classified WHERE kind <> 'duplicate'""",
    """INSERT INTO reading_arrival (message_id, meter, received_at, first_interval, last_interval, readings, new,
                                    duplicates, corrections)
       SELECT message_id, meter, min(received_at), min(interval_start), max(interval_start), count(*),
              sum(CASE WHEN kind = 'new' THEN 1 ELSE 0 END),
              sum(CASE WHEN kind = 'duplicate' THEN 1 ELSE 0 END),
              sum(CASE WHEN kind = 'correction' THEN 1 ELSE 0 END)
       FROM classified GROUP BY message_id, meter""",
]
COUNT_SQL = "SELECT kind, count(*) FROM classified GROUP BY kind"

CURRENT_SQL = """
SELECT r.meter, r.interval_start, r.value, r.version, first_received_at AS received_at, r.source
FROM (
    SELECT meter, interval_start, value, version, source,
           min(received_at) OVER (PARTITION BY meter, interval_start) AS first_received_at,
           row_number() OVER (PARTITION BY meter, interval_start ORDER BY version DESC) AS rank
    FROM meter_reading {where}
) r WHERE r.rank = 1
"""


class ReadingStore(Protocol):
    """What ingest and the analyses need of a store."""

    def write(self, readings: Sequence[Reading]) -> WriteResult: ...

    def write_batch(self, batch: ReadingBatch) -> WriteResult: ...

    def current(
        self, meters: Iterable[str] | None = None, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> pd.DataFrame: ...

    def versions(self, meter: str, interval_start: dt.datetime) -> list[dict[str, Any]]: ...

    def arrivals(self) -> pd.DataFrame: ...

    def state(self) -> tuple[int, int, int]: ...

    def close(self) -> None: ...


# What changes with every write (a new reading, a correction, a duplicate counted in the arrival log): the
# key of what is computed from the store and kept (the monitoring pages' board, carbonpeak.web.queries.Cache).
STATE_SQL = (
    "SELECT (SELECT count(*) FROM meter_reading), (SELECT count(*) FROM reading_arrival), "
    "(SELECT coalesce(sum(readings), 0) FROM reading_arrival)"
)


def _counts(rows: Iterable[tuple[str, int]]) -> WriteResult:
    found = dict(rows)
    return WriteResult(int(found.get("new", 0)), int(found.get("duplicate", 0)), int(found.get("correction", 0)))


def _where(
    meters: Iterable[str] | None, start: dt.datetime | None, end: dt.datetime | None, mark: str
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if meters is not None:
        chosen = list(meters)
        if not chosen:
            return "WHERE false", []
        clauses.append("meter IN (" + ", ".join(mark for _ in chosen) + ")")
        params += chosen
    if start is not None:
        clauses.append(f"interval_start >= {mark}")
        params.append(start.astimezone(UTC))
    if end is not None:
        clauses.append(f"interval_start < {mark}")
        params.append(end.astimezone(UTC))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _batch(readings: Sequence[Reading]) -> ReadingBatch:
    """Reading objects as a batch of columns (instants through epoch seconds in one call: converting aware
    datetimes one by one is the slow part)."""
    n = len(readings)
    seconds = np.fromiter((r.interval_start.timestamp() for r in readings), float, n)
    received = np.fromiter((r.received_at.timestamp() for r in readings), float, n)
    return columns(
        [r.meter for r in readings],
        pd.to_datetime(seconds, unit="s", utc=True).round("us"),
        np.fromiter((r.value for r in readings), float, n),
        pd.to_datetime(received, unit="s", utc=True).round("us"),
        [r.message_id for r in readings],
        [r.source for r in readings],
    )


def _utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


# ---------------------------------------------------------------- DuckDB


class DuckDBStore:
    """Readings in one DuckDB database file (or ``:memory:`` for tests). One process writes it; within the
    process the store serialises its users (a DuckDB connection is not shared between threads)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        try:
            self.con = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            raise Conflict(code="monitoring.store_locked", path=self.path) from exc
        self.con.execute("SET TimeZone = 'UTC'")
        self._lock = threading.Lock()
        for statement in DUCKDB_SCHEMA_SQL:
            self.con.execute(statement)

    def write(self, readings: Sequence[Reading]) -> WriteResult:
        """Store a batch: one transaction, committed (durable) before this returns."""
        return self.write_batch(_batch(readings)) if readings else WriteResult()

    def write_batch(self, batch: ReadingBatch) -> WriteResult:
        """Store a batch of columns (:class:`ReadingBatch`): one transaction, committed before this returns."""
        if not len(batch):
            return WriteResult()
        unique = batch.keys_unique()
        lo, hi = (t.isoformat() for t in batch.span())
        frames = batch.frames()
        total = WriteResult()
        with self._lock:
            self.con.execute("BEGIN TRANSACTION")
            try:
                for name, frame in frames.items():
                    self.con.register(name, frame)
                if unique:
                    self.con.execute("CREATE OR REPLACE TEMP TABLE staging AS " + STAGING_SELECT)
                    total = self._merge_staging(lo, hi)
                else:
                    total = self._merge_rounds(lo, hi)
                for name in frames:
                    self.con.unregister(name)
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
        return total

    def _merge_staging(self, lo: str, hi: str) -> WriteResult:
        self.con.execute("DROP TABLE IF EXISTS classified")
        self.con.execute(DUCKDB_CLASSIFY_SQL.format(lo=lo, hi=hi))
        for statement in MERGE_SQL:
            self.con.execute(statement)
        total = _counts(self.con.execute(COUNT_SQL).fetchall())
        for name in ("classified", "staging"):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        return total

    def _merge_rounds(self, lo: str, hi: str) -> WriteResult:
        total = WriteResult()
        self.con.execute("CREATE OR REPLACE TEMP TABLE arrived AS " + STAGING_SELECT)
        self.con.execute("DROP TABLE IF EXISTS staged")
        self.con.execute(ROUNDS_SQL)
        last = self.con.execute("SELECT max(round) FROM staged").fetchone()
        for number in range(0 if last is None or last[0] is None else int(last[0]) + 1):
            self.con.execute("DROP TABLE IF EXISTS staging")
            self.con.execute(ROUND_SQL.format(columns=", ".join(STAGING_COLUMNS), round=number))
            total = total + self._merge_staging(lo, hi)
        for name in ("staged", "arrived"):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        return total

    def current(
        self, meters: Iterable[str] | None = None, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> pd.DataFrame:
        """The latest version of each reading (``received_at``: when its first version arrived)."""
        where, params = _where(meters, start, end, "?")
        with self._lock:
            frame = self.con.execute(CURRENT_SQL.format(where=where) + " ORDER BY 1, 2", params).df()
        return _utc(frame, "interval_start", "received_at")

    def versions(self, meter: str, interval_start: dt.datetime) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self.con.execute(
                "SELECT version, value, received_at, message_id, source FROM meter_reading "
                "WHERE meter = ? AND interval_start = ? ORDER BY version",
                [meter, interval_start.astimezone(UTC)],
            )
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def arrivals(self) -> pd.DataFrame:
        with self._lock:
            frame = self.con.execute("SELECT * FROM reading_arrival ORDER BY received_at").df()
        return _utc(frame, "received_at")

    def count(self) -> int:
        with self._lock:
            return int(self.con.execute("SELECT count(*) FROM meter_reading").fetchone()[0])  # type: ignore[index]

    def state(self) -> tuple[int, int, int]:
        """Reading versions, arrival-log rows, readings received: changed by every write (:data:`STATE_SQL`)."""
        with self._lock:
            row = self.con.execute(STATE_SQL).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    def export_parquet(self, folder: str | Path) -> Path:
        """The current readings as Parquet, partitioned by month (``month=YYYY-MM/``, UTC months of the
        interval start): the layout an analysis cluster reads."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self.con.execute(
                f"COPY (SELECT *, strftime(interval_start, '%Y-%m') AS month FROM ({CURRENT_SQL.format(where='')})) "
                f"TO '{folder.as_posix()}' (FORMAT PARQUET, PARTITION_BY (month), OVERWRITE_OR_IGNORE TRUE)"
            )
        return folder

    def close(self) -> None:
        with self._lock:
            self.con.close()


# ---------------------------------------------------------------- PostgreSQL

ADVISORY_KEY = 0x6D6F6E69  # "moni": one key for the merge of every ingest process


def conninfo(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://...``) as the libpq URL psycopg takes."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


class PostgresStore:
    """Readings in PostgreSQL (the shared deployment). Tables are made on first use if missing."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = conninfo(url)
        self._psycopg = psycopg
        self._lock = threading.Lock()
        self.con = psycopg.connect(self.url)
        with self.con.transaction():
            self.con.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_KEY,))
            for statement in SCHEMA_SQL:
                self.con.execute(statement)

    def write(self, readings: Sequence[Reading]) -> WriteResult:
        """Store a batch: ``COPY`` into a temporary table, one merge, committed before this returns."""
        return self.write_batch(_batch(readings)) if readings else WriteResult()

    def write_batch(self, batch: ReadingBatch) -> WriteResult:
        """Store a batch of columns (:class:`ReadingBatch`): its readings go to the server as one binary
        ``COPY`` made by NumPy (codes, numbers and times), its strings once each in three small tables; then
        the merge; committed before this returns."""
        if not len(batch):
            return WriteResult()
        unique = batch.keys_unique()
        data = pg_binary_copy(batch)
        total = WriteResult()
        with self._lock, self.con.transaction():
            self.con.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_KEY,))
            self.con.execute(PG_INCOMING_TABLE)
            with self.con.cursor().copy(f"COPY incoming ({PG_INCOMING_COLUMNS}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
            for table, column, width, values in (
                ("incoming_meters", "meter", 60, batch.meters),
                ("incoming_messages", "message_id", 200, batch.message_ids),
                ("incoming_sources", "source", 20, batch.sources),
            ):
                self.con.execute(f"CREATE TEMP TABLE {table} (code integer, {column} varchar({width})) ON COMMIT DROP")
                with self.con.cursor().copy(f"COPY {table} (code, {column}) FROM STDIN") as copy:
                    for code, text in enumerate(values):
                        copy.write_row((code, text))
            table = "staging" if unique else "arrived"
            self.con.execute(f"CREATE TEMP TABLE {table} ON COMMIT DROP AS {STAGING_SELECT}")
            # a temporary table has no statistics until analysed: without them the planner guesses the join
            self.con.execute(f"ANALYZE {table}")
            if unique:
                total = merge_by_copy(self.con, batch)
            else:
                self.con.execute(
                    ROUNDS_SQL.replace("CREATE TEMP TABLE staged", "CREATE TEMP TABLE staged ON COMMIT DROP")
                )
                last = self.con.execute("SELECT max(round) FROM staged").fetchone()
                for number in range(0 if last is None or last[0] is None else int(last[0]) + 1):
                    self.con.execute(ROUND_SQL.format(columns=", ".join(STAGING_COLUMNS), round=number))
                    total = total + self._merge_staging(drop=True)
        return total

    def _merge_staging(self, drop: bool) -> WriteResult:
        self.con.execute(
            CLASSIFY_SQL.replace("CREATE TEMP TABLE classified", "CREATE TEMP TABLE classified ON COMMIT DROP")
        )
        for statement in MERGE_SQL:
            self.con.execute(statement)
        total = _counts(self.con.execute(COUNT_SQL).fetchall())
        self.con.execute("DROP TABLE classified")
        if drop:
            self.con.execute("DROP TABLE staging")
        return total

    def _query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self._lock, self.con.transaction():
            cursor = self.con.execute(sql, params)
            names = [d.name for d in cursor.description or []]
            return pd.DataFrame(cursor.fetchall(), columns=names)

    def current(
        self, meters: Iterable[str] | None = None, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> pd.DataFrame:
        where, params = _where(meters, start, end, "%s")
        frame = self._query(CURRENT_SQL.format(where=where) + " ORDER BY 1, 2", params)
        return _utc(frame, "interval_start", "received_at")

    def versions(self, meter: str, interval_start: dt.datetime) -> list[dict[str, Any]]:
        frame = self._query(
            "SELECT version, value, received_at, message_id, source FROM meter_reading "
            "WHERE meter = %s AND interval_start = %s ORDER BY version",
            (meter, interval_start.astimezone(UTC)),
        )
        return list(frame.to_dict("records"))

    def arrivals(self) -> pd.DataFrame:
        return _utc(self._query("SELECT * FROM reading_arrival ORDER BY received_at"), "received_at")

    def count(self) -> int:
        return int(self._query("SELECT count(*) AS n FROM meter_reading")["n"].iloc[0])

    def state(self) -> tuple[int, int, int]:
        """Reading versions, arrival-log rows, readings received: changed by every write (:data:`STATE_SQL`)."""
        row = self._query(STATE_SQL).iloc[0]
        return int(row.iloc[0]), int(row.iloc[1]), int(row.iloc[2])

    def close(self) -> None:
        with self._lock:
            self.con.close()


def open_store(url: str | None) -> DuckDBStore | PostgresStore:
    """The store at ``url``: ``postgresql...`` for PostgreSQL, ``duckdb:///path`` or a path for a DuckDB
    file (default ``var/readings.duckdb``)."""
    if url and url.startswith("postgres"):
        return PostgresStore(url)
    path = (url or "var/readings.duckdb").removeprefix("duckdb:///").removeprefix("duckdb://")
    return DuckDBStore(path)
