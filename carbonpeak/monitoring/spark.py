"""The rollups and quality indices on Apache Spark (pyspark), over the Parquet layout of :mod:`.layout`.

Nothing is defined twice: :func:`carbonpeak.monitoring.rollups.interval_consumption`,
:func:`~carbonpeak.monitoring.rollups.rollup` and the functions of :mod:`carbonpeak.monitoring.quality` take
a :class:`SparkEngine` in place of a DuckDB connection and run the same SQL in Spark's dialect
(:mod:`.dialect`). The queries use no Python function inside Spark (no UDF): executors need Java and Spark
only; carbonpeak is needed on the driver alone.

pyspark is an optional dependency (``pip install 'carbonpeak[spark]'``) and needs Java 17 or later; it is
imported only here.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from carbonpeak.monitoring.dialect import SPARK

_views = itertools.count()


def session(master: str | None = "local[2]", app: str = "carbonpeak-monitoring", **conf: str) -> Any:
    """A SparkSession whose SQL time zone is UTC (the dialect's local-time functions need it). ``master``
    None keeps what ``spark-submit`` set."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app).config("spark.sql.session.timeZone", "UTC")
    # month=YYYY-MM stays a string partition, as DuckDB reads it
    builder = builder.config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    # instants written as Parquet timestamps adjusted to UTC (Spark's default INT96 is a legacy encoding)
    builder = builder.config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    if master is not None:
        builder = builder.master(master)
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class SparkEngine:
    """A SparkSession seen as an engine of the monitoring SQL (``dialect`` SPARK)."""

    dialect = SPARK

    def __init__(self, spark: Any) -> None:
        zone = spark.conf.get("spark.sql.session.timeZone")
        if zone not in ("UTC", "Etc/UTC", "+00:00", "Z"):
            raise ValueError(f"the Spark session's time zone must be UTC, not {zone}")
        self.spark = spark

    def sql(self, query: str) -> Any:
        return self.spark.sql(query)

    def with_relations(self, query: str, **relations: Any) -> Any:
        """Run ``query`` with each DataFrame under its placeholder name (a temporary view of its own name)."""
        for name, frame in relations.items():
            view = f"_cp_{name}_{next(_views)}"
            frame.createOrReplaceTempView(view)
            query = query.replace(name, view)
        return self.spark.sql(query)

    def sql_rows(self, frame: Any, query: str) -> list[tuple[Any, ...]]:
        """:func:`rows` of ``query`` over ``frame`` (placeholder ``readings_rel``)."""
        return rows(self.with_relations(query, readings_rel=frame))


def read_layout(engine: SparkEngine, folder: str | Path) -> dict[str, Any]:
    """The relations of a layout folder (:func:`carbonpeak.monitoring.layout.export_layout`) as DataFrames:
    ``readings`` (partitioned by month), ``meters``, ``replacements``, ``arrivals``."""
    base = str(folder).rstrip("/")
    spark = engine.spark  # a reader of its own for each: options stay on a reader
    return {
        "readings": spark.read.option("basePath", f"{base}/readings").parquet(f"{base}/readings"),
        "meters": spark.read.parquet(f"{base}/meters.parquet"),
        "replacements": spark.read.parquet(f"{base}/replacements.parquet"),
        "arrivals": spark.read.parquet(f"{base}/arrivals.parquet"),
    }


def rows(frame: Any) -> list[tuple[Any, ...]]:
    """A DataFrame's rows as tuples, instants as naive UTC datetimes (pyspark would otherwise turn them into
    the Python process's local time)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    columns = [
        F.col(f.name).cast("timestamp_ntz").alias(f.name) if isinstance(f.dataType, TimestampType) else F.col(f.name)
        for f in frame.schema.fields
    ]
    return [tuple(r) for r in frame.select(*columns).collect()]
