"""The few SQL spellings in which DuckDB and Spark SQL differ, so that the rollups and the quality indices are
written once (:mod:`.rollups`, :mod:`.quality`) and run on either engine.

Everything else in those queries is SQL both engines read the same way (CTEs, window functions, ``USING``
joins, ``NOT EXISTS``, ``median``, ``CASE``). What differs:

* a timestamp literal (DuckDB ``TIMESTAMPTZ '...'``, Spark ``TIMESTAMP '...'``);
* an instant as integer microseconds since the epoch (``epoch_us`` / ``unix_micros``): differences of
  instants are taken on these integers, so that both engines compute the same exact number;
* adding minutes to an instant;
* an instant as local wall-clock time in a time zone and back (DuckDB ``timezone(zone, ...)``, Spark
  ``from_utc_timestamp`` / ``to_utc_timestamp``; the Spark session's time zone must be UTC,
  :func:`carbonpeak.monitoring.spark.session` sets it);
* a local wall-clock time as a value without a time zone (Spark ``TIMESTAMP_NTZ``; DuckDB's is already one);
* one row per integer of a range for each row of a relation (DuckDB ``range`` in a lateral join, Spark
  ``LATERAL VIEW explode(sequence(...))``).

An engine object says which dialect it speaks by an attribute ``dialect``; a DuckDB connection has none and
is DuckDB.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def spark(self) -> bool:
        return self.name == "spark"

    @property
    def instant_type(self) -> str:
        return "TIMESTAMP" if self.spark else "TIMESTAMPTZ"

    def ts(self, value: dt.datetime) -> str:
        """An instant as a literal."""
        return f"{self.instant_type} '{value.astimezone(dt.UTC).isoformat()}'"

    def epoch_us(self, expr: str) -> str:
        return f"unix_micros({expr})" if self.spark else f"epoch_us({expr})"

    def plus_minutes(self, instant: str, minutes: str) -> str:
        if self.spark:
            return f"timestamp_micros(unix_micros({instant}) + CAST({minutes} AS BIGINT) * 60000000)"
        return f"({instant} + to_minutes(CAST({minutes} AS BIGINT)))"

    def local(self, instant: str, zone: str) -> str:
        """The instant as wall-clock time in ``zone`` (to be truncated to local hours, days, months)."""
        return f"from_utc_timestamp({instant}, {quote(zone)})" if self.spark else f"timezone({quote(zone)}, {instant})"

    def utc(self, local: str, zone: str) -> str:
        """A wall-clock time of ``zone`` (as :meth:`local` gives) as the instant it names."""
        return f"to_utc_timestamp({local}, {quote(zone)})" if self.spark else f"timezone({quote(zone)}, {local})"

    def wall(self, local: str) -> str:
        """A wall-clock time (as :meth:`local` gives) as a value without a time zone."""
        return f"CAST({local} AS TIMESTAMP_NTZ)" if self.spark else local

    def expand(self, source: str, start: str, stop: str, name: str) -> str:
        """A FROM clause: each row of ``source`` (a relation with its alias) once for each integer ``name`` in
        ``[start, stop)``. The caller keeps ``stop > start`` in ``source`` (Spark's ``sequence`` counts down
        where DuckDB's ``range`` gives nothing)."""
        if self.spark:
            bounds = f"CAST({start} AS BIGINT), CAST({stop} AS BIGINT) - 1"
            return f"{source} LATERAL VIEW explode(sequence({bounds})) t AS {name}"
        return f"{source}, range(CAST({start} AS BIGINT), CAST({stop} AS BIGINT)) AS t({name})"


# microseconds per minute, as a DOUBLE in both (a literal 60000000.0 is a DECIMAL in Spark: divisions by it
# would round to a decimal scale where DuckDB computes in floating point)
US_PER_MIN = "CAST(60000000 AS DOUBLE)"

DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


def dialect_of(engine: Any) -> Dialect:
    found = getattr(engine, "dialect", None)
    return found if isinstance(found, Dialect) else DUCKDB


def quote(zone: str) -> str:
    if "'" in zone:
        raise ValueError(f"not a time zone: {zone!r}")
    return f"'{zone}'"
