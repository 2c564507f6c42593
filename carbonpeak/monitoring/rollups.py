"""Consumption per interval, and rollups to hour, day and month at local-midnight boundaries, in SQL that
runs on DuckDB and on Spark SQL (:mod:`.dialect`; Spark: :mod:`.spark`).

Pure functions over relations: they read the relations they are given and return a new relation; they
never read the store. The same code runs on the embedded store's own connection or on readings loaded
from PostgreSQL into DuckDB.

Inputs (column names):

* readings: ``meter, interval_start`` (TIMESTAMPTZ, the start of the period: anchors-next §1.2) ``, value``:
  one current value per key (:meth:`carbonpeak.monitoring.store.DuckDBStore.current`);
* meters: ``meter, reading_kind`` (register | interval) ``, interval_min, multiplier, rollover_at``;
* replacements (may be empty): ``meter, replaced_at, old_final, new_initial``.

How a register becomes consumption. A register reading labelled ``t`` is the register at the instant ``t``;
the interval ``t`` consumed ``R(next) - R(t)``, times the multiplier. Where the register wrapped (the next
value is lower and the meter has a ``rollover_at``), the wrap value is added. Where the physical meter was
replaced between two readings, the step is ``(old_final - R(t)) + (R(next) - new_initial)``. A lower next
value with neither is not consumption: it is kept out and flagged ``negative_step`` (a correctness finding).
Where readings are missing between two register values, the difference covers several intervals: it is
spread evenly over them and marked ``estimated`` (never silently taken as one interval's use). An interval
meter's short gap may be filled on request (``fill_gaps``), also marked ``estimated``.

Periods are local calendar periods (Asia/Shanghai by default, :func:`local_timezone`): a day runs from
local midnight to local midnight, whatever the offset; each row carries its local label and its UTC start.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import duckdb
import pandas as pd

from carbonpeak.monitoring.dialect import US_PER_MIN, Dialect, dialect_of, quote

DEFAULT_TZ = "Asia/Shanghai"
GRAINS = ("hour", "day", "month")

Relation = duckdb.DuckDBPyRelation


def local_timezone() -> str:
    """The time zone of local days and months: ``CARBONPEAK_MONITORING_TZ``, else Asia/Shanghai."""
    return os.environ.get("CARBONPEAK_MONITORING_TZ", "").strip() or DEFAULT_TZ


def _quote(name: str) -> str:
    return quote(name)


Engine = Any  # a DuckDB connection, or a :class:`carbonpeak.monitoring.spark.SparkEngine` (same functions)


def empty_replacements(con: Engine) -> Relation:
    d = dialect_of(con)
    return con.sql(
        "SELECT * FROM (SELECT CAST(NULL AS STRING) AS meter, "
        f"CAST(NULL AS {d.instant_type}) AS replaced_at, "
        "CAST(NULL AS DOUBLE) AS old_final, CAST(NULL AS DOUBLE) AS new_initial) e WHERE false"
    )


def consumption_sql(d: Dialect, fill_gaps: int = 0) -> str:
    """The query of :func:`interval_consumption` in dialect ``d`` (placeholders ``readings_rel``,
    ``meters_rel``, ``repl_rel``)."""
    span_us = f"({US_PER_MIN} * {{m}}.interval_min)"
    return f"""
    WITH m AS (SELECT meter, reading_kind, interval_min, multiplier, rollover_at FROM meters_rel),
    interval_values AS (
        SELECT r.meter, r.interval_start, r.value * m.multiplier AS quantity, false AS estimated,
               CAST(NULL AS STRING) AS flag
        FROM readings_rel r JOIN m ON r.meter = m.meter WHERE m.reading_kind = 'interval'
    ),
    interval_next AS (
        SELECT r.meter, r.interval_start, r.value, m.multiplier, m.interval_min,
               lead(r.value) OVER w AS next_value, lead(r.interval_start) OVER w AS next_start
        FROM readings_rel r JOIN m ON r.meter = m.meter WHERE m.reading_kind = 'interval'
        WINDOW w AS (PARTITION BY r.meter ORDER BY r.interval_start)
    ),
    interval_gaps AS (
        SELECT * FROM (
            SELECT n.*, CAST(round(({d.epoch_us("n.next_start")} - {d.epoch_us("n.interval_start")})
                                   / {span_us.format(m="n")}) AS BIGINT) AS span
            FROM interval_next n WHERE n.next_start IS NOT NULL
        ) g WHERE g.span - 1 BETWEEN 1 AND {int(fill_gaps)}
    ),
    interval_filled AS (
        SELECT n.meter, {d.plus_minutes("n.interval_start", "k * n.interval_min")} AS interval_start,
               (n.value + n.next_value) / 2 * n.multiplier AS quantity, true AS estimated,
               CAST(NULL AS STRING) AS flag
        FROM {d.expand("interval_gaps n", "1", "n.span", "k")}
    ),
    steps AS (
        SELECT r.meter, r.interval_start, r.value, m.multiplier, m.rollover_at, m.interval_min,
               lead(r.value) OVER w AS next_value, lead(r.interval_start) OVER w AS next_start
        FROM readings_rel r JOIN m ON r.meter = m.meter WHERE m.reading_kind = 'register'
        WINDOW w AS (PARTITION BY r.meter ORDER BY r.interval_start)
    ),
    step_replaced AS (
        SELECT s.meter, s.interval_start, min(x.replaced_at) AS replaced_at
        FROM steps s JOIN repl_rel x
          ON x.meter = s.meter AND x.replaced_at > s.interval_start AND x.replaced_at <= s.next_start
        WHERE s.next_value IS NOT NULL GROUP BY s.meter, s.interval_start
    ),
    stepped AS (
        SELECT s.*, y.replaced_at
        FROM steps s LEFT JOIN step_replaced y ON y.meter = s.meter AND y.interval_start = s.interval_start
        WHERE s.next_value IS NOT NULL
    ),
    diffs AS (
        SELECT * FROM (
            SELECT s.meter, s.interval_start, s.multiplier, s.interval_min,
                   CAST(round(({d.epoch_us("s.next_start")} - {d.epoch_us("s.interval_start")})
                              / {span_us.format(m="s")}) AS BIGINT) AS span,
                   CASE
                     WHEN x.meter IS NOT NULL THEN (x.old_final - s.value) + (s.next_value - x.new_initial)
                     WHEN s.next_value >= s.value THEN s.next_value - s.value
                     WHEN s.rollover_at IS NOT NULL THEN s.next_value - s.value + s.rollover_at
                     ELSE NULL
                   END AS diff
            FROM stepped s LEFT JOIN repl_rel x ON x.meter = s.meter AND x.replaced_at = s.replaced_at
        ) e WHERE e.span >= 1
    ),
    register_values AS (
        SELECT d.meter, {d.plus_minutes("d.interval_start", "k * d.interval_min")} AS interval_start,
               d.diff * d.multiplier / d.span AS quantity,
               d.span > 1 AS estimated,
               CASE WHEN d.diff IS NULL THEN 'negative_step' END AS flag
        FROM {d.expand("diffs d", "0", "d.span", "k")}
        WHERE d.diff IS NOT NULL OR k = 0
    )
    SELECT * FROM interval_values UNION ALL SELECT * FROM interval_filled UNION ALL SELECT * FROM register_values
    """


def interval_consumption(
    con: Engine,
    readings: Relation,
    meters: Relation,
    replacements: Relation | None = None,
    *,
    fill_gaps: int = 0,
) -> Relation:
    """One row per meter and interval: ``meter, interval_start, quantity`` (the meter's unit times its
    multiplier) ``, estimated`` (spread over a gap, or filled) ``, flag`` (NULL, or ``negative_step`` with a
    NULL quantity).

    ``fill_gaps``: an interval meter's run of at most this many missing intervals, with readings on both
    sides, is filled with the mean of the two neighbouring intervals, each filled interval marked estimated
    (a documented estimate; 0, the default, fills nothing).

    ``con`` is a DuckDB connection or a Spark engine (:mod:`.spark`): the same query runs on both."""
    repl = replacements if replacements is not None else empty_replacements(con)
    sql = consumption_sql(dialect_of(con), fill_gaps)
    return with_relations(con, sql, readings_rel=readings, meters_rel=meters, repl_rel=repl)


def rollup_sql(d: Dialect, grain: str, zone: str) -> str:
    """The query of :func:`rollup` in dialect ``d`` (placeholder ``consumption_rel``)."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}")
    return f"""
    WITH localized AS (
        SELECT c.*, date_trunc('{grain}', {d.local("c.interval_start", zone)}) AS local_period FROM consumption_rel c
    ),
    totals AS (
        SELECT meter, local_period,
               sum(quantity) AS quantity,
               count(quantity) AS intervals,
               count(CASE WHEN estimated THEN 1 END) AS estimated,
               count(CASE WHEN flag IS NOT NULL THEN 1 END) AS flagged
        FROM localized GROUP BY meter, local_period
    )
    SELECT meter, {d.wall("local_period")} AS period, {d.utc("local_period", zone)} AS period_start,
           quantity, intervals, estimated, flagged
    FROM totals ORDER BY meter, period
    """


def rollup(con: Engine, consumption: Relation, grain: str, tz: str | None = None) -> Relation:
    """Totals per meter and local ``grain`` (hour, day, month): ``meter, period`` (local wall-clock start)
    ``, period_start`` (its UTC instant) ``, quantity, intervals`` (intervals counted) ``, estimated``
    (of those, spread over a gap) ``, flagged`` (intervals left out as negative steps)."""
    sql = rollup_sql(dialect_of(con), grain, tz or local_timezone())
    return with_relations(con, sql, consumption_rel=consumption)


def with_relations(con: Engine, sql: str, **relations: Relation) -> Relation:
    """Run ``sql`` with each given relation visible under its placeholder name (a view of a name of its own,
    so that later calls never change what an earlier result reads). A Spark engine does the same with
    temporary views (:meth:`carbonpeak.monitoring.spark.SparkEngine.with_relations`)."""
    if dialect_of(con).spark:
        return con.with_relations(sql, **relations)
    for name, relation in relations.items():
        view = f"_cp_{name}_{next(_views)}"
        relation.create_view(view, replace=True)
        sql = sql.replace(name, view)
    return con.sql(sql)


_views = itertools.count()


def frames(
    con: duckdb.DuckDBPyConnection,
    readings: pd.DataFrame,
    meters: list[dict[str, Any]],
    replacements: list[dict[str, Any]] | None = None,
) -> tuple[Relation, Relation, Relation]:
    """Relations on ``con`` from plain data: the store's current readings, the meters' records (as
    :func:`carbonpeak.services.monitoring.meter_table` gives them) and the recorded replacements."""
    columns = [c for c in ("meter", "interval_start", "value", "received_at") if c in readings]
    reading_frame = readings[columns].copy()
    if "received_at" not in reading_frame:
        reading_frame["received_at"] = reading_frame["interval_start"]
    relations = [con.from_df(reading_frame), con.from_df(meter_frame(meters))]
    if replacements:
        frame = pd.DataFrame(replacements)[["meter", "replaced_at", "old_final", "new_initial"]]
        frame["replaced_at"] = pd.to_datetime(frame["replaced_at"], utc=True)
        relations.append(con.from_df(frame))
    else:
        relations.append(empty_replacements(con))
    return relations[0], relations[1], relations[2]


def meter_frame(meters: list[dict[str, Any]]) -> pd.DataFrame:
    """The meters' records as one table (the columns the rollups and the quality checks read)."""

    def column(name: str, default: Any = None) -> list[Any]:
        return [m.get(name, default) for m in meters]

    due = [m.get("calibration_due") for m in meters]
    return pd.DataFrame(
        {
            "meter": [m.get("meter_code", m.get("meter")) for m in meters],
            "facility_code": pd.array(column("facility_code"), dtype="string"),
            "enterprise_code": pd.array(column("enterprise_code"), dtype="string"),
            "region_code": pd.array(column("region_code"), dtype="string"),
            "energy_type": pd.array(column("energy_type", "electricity"), dtype="string"),
            "measuring_point": pd.array(column("measuring_point", "plant"), dtype="string"),
            "unit": pd.array(column("unit", ""), dtype="string"),
            "reading_kind": column("reading_kind"),
            "interval_min": [int(m.get("interval_min") or 15) for m in meters],
            "multiplier": [float(m.get("multiplier") or 1.0) for m in meters],
            "rollover_at": pd.array(column("rollover_at"), dtype="Float64"),
            "calibration_due": pd.to_datetime(pd.Series(due, dtype="object"), errors="coerce").dt.date,
            "status": column("status", "active"),
        }
    )
