"""Consumption per interval, and rollups to hour, day and month at local-midnight boundaries, in DuckDB SQL.

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

DEFAULT_TZ = "Asia/Shanghai"
GRAINS = ("hour", "day", "month")

Relation = duckdb.DuckDBPyRelation


def local_timezone() -> str:
    """The time zone of local days and months: ``CARBONPEAK_MONITORING_TZ``, else Asia/Shanghai."""
    return os.environ.get("CARBONPEAK_MONITORING_TZ", "").strip() or DEFAULT_TZ


def _quote(name: str) -> str:
    if "'" in name:
        raise ValueError(f"not a time zone: {name!r}")
    return f"'{name}'"


def empty_replacements(con: duckdb.DuckDBPyConnection) -> Relation:
    return con.sql(
        "SELECT * FROM (SELECT NULL::VARCHAR AS meter, NULL::TIMESTAMPTZ AS replaced_at, "
        "NULL::DOUBLE AS old_final, NULL::DOUBLE AS new_initial) WHERE false"
    )


def interval_consumption(
    con: duckdb.DuckDBPyConnection,
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
    (a documented estimate; 0, the default, fills nothing)."""
    repl = replacements if replacements is not None else empty_replacements(con)
    sql = f"""
    WITH m AS (SELECT meter, reading_kind, interval_min, multiplier, rollover_at FROM meters_rel),
    interval_values AS (
        SELECT r.meter, r.interval_start, r.value * m.multiplier AS quantity, false AS estimated,
               NULL::VARCHAR AS flag
        FROM readings_rel r JOIN m USING (meter) WHERE m.reading_kind = 'interval'
    ),
    interval_next AS (
        SELECT r.meter, r.interval_start, r.value, m.multiplier, m.interval_min,
               lead(r.value) OVER w AS next_value, lead(r.interval_start) OVER w AS next_start
        FROM readings_rel r JOIN m USING (meter) WHERE m.reading_kind = 'interval'
        WINDOW w AS (PARTITION BY r.meter ORDER BY r.interval_start)
    ),
    interval_filled AS (
        SELECT n.meter,
               n.interval_start + to_minutes(CAST(k * n.interval_min AS BIGINT)) AS interval_start,
               (n.value + n.next_value) / 2 * n.multiplier AS quantity, true AS estimated, NULL::VARCHAR AS flag
        FROM (
            SELECT *, CAST(round(epoch(next_start - interval_start) / (60 * interval_min)) AS BIGINT) AS span
            FROM interval_next WHERE next_start IS NOT NULL
        ) n, range(1, n.span) AS t(k)
        WHERE n.span - 1 BETWEEN 1 AND {int(fill_gaps)}
    ),
    steps AS (
        SELECT r.meter, r.interval_start, r.value, m.multiplier, m.rollover_at, m.interval_min,
               lead(r.value) OVER w AS next_value, lead(r.interval_start) OVER w AS next_start
        FROM readings_rel r JOIN m USING (meter) WHERE m.reading_kind = 'register'
        WINDOW w AS (PARTITION BY r.meter ORDER BY r.interval_start)
    ),
    stepped AS (
        SELECT s.*,
               (SELECT min(x.replaced_at) FROM repl_rel x
                 WHERE x.meter = s.meter AND x.replaced_at > s.interval_start AND x.replaced_at <= s.next_start)
                 AS replaced_at
        FROM steps s WHERE s.next_value IS NOT NULL
    ),
    diffs AS (
        SELECT s.meter, s.interval_start, s.multiplier, s.interval_min,
               CAST(round(epoch(s.next_start - s.interval_start) / (60 * s.interval_min)) AS BIGINT) AS span,
               CASE
                 WHEN x.meter IS NOT NULL THEN (x.old_final - s.value) + (s.next_value - x.new_initial)
                 WHEN s.next_value >= s.value THEN s.next_value - s.value
                 WHEN s.rollover_at IS NOT NULL THEN s.next_value - s.value + s.rollover_at
                 ELSE NULL
               END AS diff
        FROM stepped s LEFT JOIN repl_rel x ON x.meter = s.meter AND x.replaced_at = s.replaced_at
    ),
    register_values AS (
        SELECT d.meter,
               d.interval_start + to_minutes(CAST(k * d.interval_min AS BIGINT)) AS interval_start,
               d.diff * d.multiplier / d.span AS quantity,
               d.span > 1 AS estimated,
               CASE WHEN d.diff IS NULL THEN 'negative_step' END AS flag
        FROM diffs d, range(d.span) AS t(k)
        WHERE d.span >= 1 AND (d.diff IS NOT NULL OR k = 0)
    )
    SELECT * FROM interval_values UNION ALL SELECT * FROM interval_filled UNION ALL SELECT * FROM register_values
    """
    return with_relations(con, sql, readings_rel=readings, meters_rel=meters, repl_rel=repl)


def rollup(con: duckdb.DuckDBPyConnection, consumption: Relation, grain: str, tz: str | None = None) -> Relation:
    """Totals per meter and local ``grain`` (hour, day, month): ``meter, period`` (local wall-clock start)
    ``, period_start`` (its UTC instant) ``, quantity, intervals`` (intervals counted) ``, estimated``
    (of those, spread over a gap) ``, flagged`` (intervals left out as negative steps)."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}")
    zone = _quote(tz or local_timezone())
    sql = f"""
    WITH local AS (
        SELECT *, date_trunc('{grain}', timezone({zone}, interval_start)) AS period FROM consumption_rel
    )
    SELECT meter, period, timezone({zone}, period) AS period_start,
           sum(quantity) AS quantity,
           count(quantity) AS intervals,
           count(*) FILTER (WHERE estimated) AS estimated,
           count(*) FILTER (WHERE flag IS NOT NULL) AS flagged
    FROM local GROUP BY meter, period ORDER BY meter, period
    """
    return with_relations(con, sql, consumption_rel=consumption)


def with_relations(con: duckdb.DuckDBPyConnection, sql: str, **relations: Relation) -> Relation:
    """Run ``sql`` with each given relation visible under its placeholder name (a view of a name of its own,
    so that later calls never change what an earlier result reads)."""
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
