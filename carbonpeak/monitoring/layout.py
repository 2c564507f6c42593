"""The Parquet layout the analyses read, on one machine (DuckDB) or on a cluster (Spark: :mod:`.spark`).

One folder::

    readings/month=YYYY-MM/*.parquet   the current readings (latest version of each key), partitioned by the
                                       UTC month of the interval start (:meth:`.store.DuckDBStore.export_parquet`)
    meters.parquet                     the meters' records (:func:`.rollups.meter_frame`'s columns)
    replacements.parquet               recorded meter replacements: meter, replaced_at, old_final, new_initial
    arrivals.parquet                   the store's arrival log (duplicates per message and meter)

Instants are Parquet timestamps adjusted to UTC (microseconds); both engines read them as instants.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from carbonpeak.monitoring.rollups import empty_replacements, meter_frame
from carbonpeak.monitoring.store import DuckDBStore, ReadingStore

ARRIVAL_COLUMNS = (
    "message_id, meter, received_at, first_interval, last_interval, readings, new, duplicates, corrections"
)


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def export_layout(
    store: ReadingStore,
    meters: list[dict[str, Any]],
    replacements: list[dict[str, Any]] | None,
    folder: str | Path,
) -> Path:
    """Write the layout of ``store``'s current readings, the meters and the replacements into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    con = _connection()
    if isinstance(store, DuckDBStore):
        store.export_parquet(folder / "readings")
    else:
        current = store.current()
        con.register("current_frame", current)
        con.execute(
            "COPY (SELECT *, strftime(interval_start, '%Y-%m') AS month FROM current_frame) "
            f"TO '{(folder / 'readings').as_posix()}' (FORMAT PARQUET, PARTITION_BY (month), OVERWRITE_OR_IGNORE TRUE)"
        )
    con.from_df(meter_frame(meters)).write_parquet(str(folder / "meters.parquet"))
    if replacements:
        frame = pd.DataFrame(replacements)[["meter", "replaced_at", "old_final", "new_initial"]]
        frame["replaced_at"] = pd.to_datetime(frame["replaced_at"], utc=True)
        con.from_df(frame).write_parquet(str(folder / "replacements.parquet"))
    else:
        empty_replacements(con).write_parquet(str(folder / "replacements.parquet"))
    arrivals = store.arrivals()
    if arrivals.empty:
        con.sql(
            "SELECT CAST(NULL AS VARCHAR) AS message_id, CAST(NULL AS VARCHAR) AS meter, "
            "CAST(NULL AS TIMESTAMPTZ) AS received_at, CAST(NULL AS TIMESTAMPTZ) AS first_interval, "
            "CAST(NULL AS TIMESTAMPTZ) AS last_interval, 0 AS readings, 0 AS new, 0 AS duplicates, "
            "0 AS corrections WHERE false"
        ).write_parquet(str(folder / "arrivals.parquet"))
    else:
        con.from_df(_utc(arrivals)).project(ARRIVAL_COLUMNS).write_parquet(str(folder / "arrivals.parquet"))
    con.close()
    return folder


def _utc(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("received_at", "first_interval", "last_interval"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def write_readings(con: duckdb.DuckDBPyConnection, readings: duckdb.DuckDBPyRelation, folder: str | Path) -> None:
    """Write readings (``meter, interval_start, value, received_at``...) into ``folder``'s ``readings/`` as the
    layout partitions them (the benchmarks and tests make layouts without a store this way)."""
    target = (Path(folder) / "readings").as_posix()
    readings.create_view("_layout_readings", replace=True)
    con.execute(
        "COPY (SELECT *, strftime(interval_start, '%Y-%m') AS month FROM _layout_readings) "
        f"TO '{target}' (FORMAT PARQUET, PARTITION_BY (month), OVERWRITE_OR_IGNORE TRUE)"
    )


def read_layout(con: duckdb.DuckDBPyConnection, folder: str | Path) -> dict[str, duckdb.DuckDBPyRelation]:
    """The relations of a layout folder on a DuckDB connection (its time zone should be UTC)."""
    base = Path(folder).as_posix()
    return {
        "readings": con.sql(
            f"SELECT * FROM read_parquet('{base}/readings/*/*.parquet', hive_partitioning = true, "
            "hive_types_autocast = false)"
        ),
        "meters": con.read_parquet(f"{base}/meters.parquet"),
        "replacements": con.read_parquet(f"{base}/replacements.parquet"),
        "arrivals": con.read_parquet(f"{base}/arrivals.parquet"),
    }
