"""Data-quality indices of online energy monitoring, as the provincial platforms score them, in SQL that runs
on DuckDB and on Spark SQL (:mod:`.dialect`, :mod:`.spark`).

For a period of local days ``[start, end)`` and each meter (then summed to a facility or an enterprise):

* **completeness** (完整性): received points / expected points. Expected points come from the local
  calendar (the period's UTC length divided by the meter's interval), up to ``as_of`` when the period has
  not ended; only meters in status ``active`` are expected to send. Published rule: at least 90 %
  (anchors-next §1.3);
* **online rate**: days with data / days (the platform's "online index", days uploaded / days);
* **timeliness** (时效): the delay between the end of an interval and the arrival of its first value: the
  median and the largest delay, and the share that arrived within ``timely_within`` minutes;
* **accuracy** (准确): meters inside their calibration date on ``as_of`` / meters (DB53/T 1116-2022's
  definition: instruments inside their valid verification or calibration period / all instruments);
* **consistency**: (a) per facility, energy type and local day, the sum of its process and line meters
  against its plant meter, within ``process_plant_tolerance`` (share of such days within it); (b) the daily
  sums against a month's figure, within 5 % (:func:`day_month_consistency`; the monthly figure must come
  from elsewhere: separately uploaded monthly data or the enterprise's reported month);
* **correctness**: points with a finding: negative values (a negative interval value, or a register step
  down that neither a rollover nor a recorded replacement explains), spikes (above ``spike_factor`` times the
  meter's median interval of the period), stuck values (``stuck_run`` or more equal consecutive values; each
  value after the first counts), and duplicates (readings received again, from the arrival log, counted in
  the period of the interval they carried).
  correctness = 1 - findings / (received + duplicates);
* **composite**: the weighted sum of the indices the province's profile weights
  (``parameters/monitoring/quality_weights.yaml``: online 0.1, completeness 0.3, accuracy 0.4,
  correctness 0.2 in the one published set).

Every index can be explained down to its points: :func:`gaps` lists the missing intervals as runs.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from carbonpeak.monitoring.dialect import DUCKDB, US_PER_MIN, Dialect, dialect_of
from carbonpeak.monitoring.rollups import Engine, Relation, local_timezone, with_relations
from carbonpeak.parameters import ParameterSet

LEVELS = {
    "meter": ("meter",),
    "facility": ("facility_code",),
    "enterprise": ("enterprise_code",),
    # the meters' region_code (the facility's region; the service may regroup it to an ancestor region)
    "region": ("region_code",),
}
WEIGHTED = ("online", "completeness", "accuracy", "correctness")
DEFAULT_PROFILE = "published_platform"


@dataclass(frozen=True)
class Rules:
    """The thresholds of the checks (``parameters/monitoring/quality_rules.yaml``), with their weights."""

    completeness_min: float  # percent
    day_month_tolerance: float  # percent
    process_plant_tolerance: float  # percent
    spike_factor: float
    stuck_run: int
    timely_within: float  # minutes
    weights: dict[str, float]
    profile: str

    @classmethod
    def load(cls, params: ParameterSet, day: dt.date, profile: str | None = None) -> Rules:
        chosen = profile or os.environ.get("CARBONPEAK_MONITORING_QUALITY_PROFILE", "").strip() or DEFAULT_PROFILE

        def rule(name: str) -> float:
            return float(params.value("monitoring.quality_rule", period=day, rule=name))

        weights = {
            i: float(params.value("monitoring.quality_weight", period=day, profile=chosen, index=i)) for i in WEIGHTED
        }
        return cls(
            completeness_min=rule("completeness_min"),
            day_month_tolerance=rule("day_month_tolerance"),
            process_plant_tolerance=rule("process_plant_tolerance"),
            spike_factor=rule("spike_factor"),
            stuck_run=int(rule("stuck_run")),
            timely_within=rule("timely_within"),
            weights=weights,
            profile=chosen,
        )


def bounds(start: dt.date, end: dt.date, tz: str, as_of: dt.datetime | None) -> tuple[dt.datetime, dt.datetime, int]:
    """The period's UTC start and effective end (not past ``as_of``) and its number of local days begun."""
    zone = ZoneInfo(tz)
    lo = dt.datetime.combine(start, dt.time(), zone).astimezone(dt.UTC)
    hi = dt.datetime.combine(end, dt.time(), zone).astimezone(dt.UTC)
    if as_of is not None:
        hi = max(lo, min(hi, as_of.astimezone(dt.UTC)))
    days, day = 0, start
    while dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC) < hi:
        days, day = days + 1, day + dt.timedelta(days=1)
    return lo, hi, days


def ts(value: dt.datetime) -> str:
    """An instant as a DuckDB literal."""
    return DUCKDB.ts(value)


def meter_quality(
    con: Engine,
    readings: Relation,
    meters: Relation,
    arrivals: Relation,
    consumption: Relation,
    start: dt.date,
    end: dt.date,
    rules: Rules,
    *,
    as_of: dt.datetime | None = None,
    tz: str | None = None,
) -> Relation:
    """One row per active meter with its counts and indices for the local days ``[start, end)``.

    Relations: readings ``meter, interval_start, value, received_at``; meters ``meter, facility_code,
    enterprise_code, region_code`` (optional), ``measuring_point, energy_type, interval_min, calibration_due,
    status``; arrivals (the
    store's log) ``meter, first_interval, duplicates`` (a message's duplicates count in the period of the first
    interval it carried); consumption (:func:`.rollups.interval_consumption`)."""
    zone = tz or local_timezone()
    # a layout written before meters carried their region has no region_code: its region level is empty
    region = "m.region_code" if "region_code" in meters.columns else "CAST(NULL AS STRING)"
    sql = meter_quality_sql(dialect_of(con), start, end, rules, as_of=as_of, zone=zone, region=region)
    return with_relations(
        con, sql, readings_rel=readings, meters_rel=meters, arrivals_rel=arrivals, consumption_rel=consumption
    )


def meter_quality_sql(
    d: Dialect,
    start: dt.date,
    end: dt.date,
    rules: Rules,
    *,
    as_of: dt.datetime | None,
    zone: str,
    region: str = "m.region_code",
) -> str:
    """The query of :func:`meter_quality` in dialect ``d``."""
    lo, hi, days = bounds(start, end, zone, as_of)
    on = (as_of or hi).astimezone(dt.UTC).date()
    end_of_interval = d.plus_minutes("r.interval_start", "m.interval_min")
    period_us = int((hi - lo) / dt.timedelta(microseconds=1))
    return f"""
    WITH m AS (SELECT * FROM meters_rel WHERE status = 'active'),
    r AS (
        SELECT r.meter, r.interval_start, r.value, r.received_at, m.interval_min,
               ({d.epoch_us("r.received_at")} - {d.epoch_us(end_of_interval)}) / {US_PER_MIN} AS delay_min
        FROM readings_rel r JOIN m ON r.meter = m.meter
        WHERE r.interval_start >= {d.ts(lo)} AND r.interval_start < {d.ts(hi)}
    ),
    got AS (
        SELECT meter, count(*) AS received,
               count(DISTINCT date_trunc('day', {d.local("interval_start", zone)})) AS days_with_data,
               median(delay_min) AS median_delay_min, max(delay_min) AS max_delay_min,
               count(CASE WHEN delay_min <= {rules.timely_within!r} THEN 1 END) AS timely
        FROM r GROUP BY meter
    ),
    c AS (
        SELECT c.* FROM consumption_rel c JOIN m ON c.meter = m.meter
        WHERE c.interval_start >= {d.ts(lo)} AND c.interval_start < {d.ts(hi)}
    ),
    typical AS (SELECT meter, median(quantity) AS typical FROM c WHERE quantity > 0 GROUP BY meter),
    spikes AS (
        SELECT c.meter, count(*) AS spikes FROM c JOIN typical t ON c.meter = t.meter
        WHERE c.quantity > {rules.spike_factor!r} * t.typical GROUP BY c.meter
    ),
    negatives AS (
        SELECT meter, count(*) AS negatives FROM (
            SELECT meter FROM c WHERE flag = 'negative_step' OR quantity < 0
        ) x GROUP BY meter
    ),
    runs AS (
        SELECT meter, value, interval_start,
               sum(CASE WHEN value = previous THEN 0 ELSE 1 END)
                 OVER (PARTITION BY meter ORDER BY interval_start) AS run
        FROM (SELECT meter, value, interval_start,
                     lag(value) OVER (PARTITION BY meter ORDER BY interval_start) AS previous FROM r) p
    ),
    stuck AS (
        SELECT meter, sum(n - 1) AS stuck FROM (SELECT meter, run, count(*) AS n FROM runs GROUP BY meter, run) u
        WHERE n >= {rules.stuck_run} GROUP BY meter
    ),
    dups AS (
        SELECT meter, sum(duplicates) AS duplicates FROM arrivals_rel
        WHERE first_interval >= {d.ts(lo)} AND first_interval < {d.ts(hi)} GROUP BY meter
    ),
    counted AS (
        SELECT m.meter, m.facility_code, m.enterprise_code, {region} AS region_code, m.measuring_point,
               m.energy_type, m.interval_min, m.calibration_due,
               CAST(floor({period_us} / ({US_PER_MIN} * m.interval_min)) AS BIGINT) AS expected,
               coalesce(g.received, 0) AS received,
               {days} AS days, coalesce(g.days_with_data, 0) AS days_with_data,
               g.median_delay_min, g.max_delay_min, coalesce(g.timely, 0) AS timely,
               CASE WHEN m.calibration_due IS NOT NULL AND m.calibration_due >= DATE '{on.isoformat()}'
                    THEN 1 ELSE 0 END AS calibrated,
               coalesce(n.negatives, 0) AS negatives, coalesce(s.spikes, 0) AS spikes,
               coalesce(k.stuck, 0) AS stuck, coalesce(d.duplicates, 0) AS duplicates
        FROM m LEFT JOIN got g ON g.meter = m.meter LEFT JOIN negatives n ON n.meter = m.meter
               LEFT JOIN spikes s ON s.meter = m.meter LEFT JOIN stuck k ON k.meter = m.meter
               LEFT JOIN dups d ON d.meter = m.meter
    )
    SELECT * FROM counted ORDER BY meter
    """


def indices(con: Engine, counts: Relation, rules: Rules, level: str = "meter") -> Relation:
    """The indices (0..1) and the composite from :func:`meter_quality`'s counts, per meter, facility or
    enterprise (counts summed first, so a facility's completeness is its points received / expected)."""
    return with_relations(con, indices_sql(rules, level), counts_rel=counts)


def indices_sql(rules: Rules, level: str = "meter") -> str:
    """The query of :func:`indices` (the same in both dialects)."""
    keys = ", ".join(LEVELS[level])
    w = {k: f"CAST({v!r} AS DOUBLE)" for k, v in rules.weights.items()}
    return f"""
    WITH s AS (
        SELECT {keys}, count(*) AS meters, sum(expected) AS expected, sum(received) AS received,
               sum(days) AS meter_days, sum(days_with_data) AS days_with_data, sum(timely) AS timely,
               max(max_delay_min) AS max_delay_min, median(median_delay_min) AS median_delay_min,
               sum(calibrated) AS calibrated, sum(negatives) AS negatives, sum(spikes) AS spikes,
               sum(stuck) AS stuck, sum(duplicates) AS duplicates
        FROM counts_rel GROUP BY {keys}
    ),
    i AS (
        SELECT *,
               CASE WHEN expected > 0 THEN least(1.0, received / expected) END AS completeness,
               CASE WHEN meter_days > 0 THEN days_with_data / meter_days END AS online,
               CASE WHEN received > 0 THEN timely / received END AS timeliness,
               calibrated / meters AS accuracy,
               CASE WHEN received + duplicates > 0
                    THEN greatest(0.0, 1 - (negatives + spikes + stuck + duplicates) / (received + duplicates)) END
                    AS correctness
        FROM s
    )
    SELECT *,
           {w["online"]} * coalesce(online, 0) + {w["completeness"]} * coalesce(completeness, 0)
           + {w["accuracy"]} * coalesce(accuracy, 0) + {w["correctness"]} * coalesce(correctness, 0) AS composite,
           coalesce(completeness, 0) * 100 >= {rules.completeness_min!r} AS completeness_met
    FROM i ORDER BY {keys}
    """


def process_plant_consistency(con: Engine, daily: Relation, meters: Relation, rules: Rules) -> Relation:
    """Per facility, energy type and local day where both exist: the plant meter's total, the sum of the
    process and line meters, their difference in percent of the plant total, and whether it is within the
    tolerance. ``daily``: :func:`.rollups.rollup` at grain day."""
    sql = f"""
    WITH d AS (
        SELECT d.period AS day, d.quantity, m.facility_code, m.energy_type, m.measuring_point
        FROM daily_rel d JOIN meters_rel m ON d.meter = m.meter WHERE m.status = 'active'
    ),
    plant AS (SELECT facility_code, energy_type, day, sum(quantity) AS plant FROM d
              WHERE measuring_point = 'plant' GROUP BY facility_code, energy_type, day),
    parts AS (SELECT facility_code, energy_type, day, sum(quantity) AS parts FROM d
              WHERE measuring_point IN ('process', 'line', 'electrolysis_ac') GROUP BY facility_code, energy_type, day)
    SELECT facility_code, energy_type, day, plant, parts,
           CASE WHEN plant <> 0 THEN 100 * (parts - plant) / plant END AS difference_pct,
           plant <> 0 AND abs(100 * (parts - plant) / plant) <= {rules.process_plant_tolerance!r} AS within
    FROM plant JOIN parts USING (facility_code, energy_type, day)
    ORDER BY facility_code, energy_type, day
    """
    return with_relations(con, sql, daily_rel=daily, meters_rel=meters)


def day_month_consistency(
    con: Engine, daily: Relation, monthly: Relation, rules: Rules, tz: str | None = None
) -> Relation:
    """The sum of a meter's daily totals in a local month against a monthly figure for that month (``monthly``:
    ``meter, month`` (local first day, DATE) ``, quantity``), within ``day_month_tolerance`` (5 %)."""
    sql = f"""
    WITH days AS (SELECT meter, CAST(date_trunc('month', period) AS DATE) AS month, sum(quantity) AS days_sum
                  FROM daily_rel GROUP BY meter, CAST(date_trunc('month', period) AS DATE))
    SELECT meter, month, days_sum, m.quantity AS month_figure,
           CASE WHEN m.quantity <> 0 THEN 100 * (days_sum - m.quantity) / m.quantity END AS difference_pct,
           m.quantity <> 0
             AND abs(100 * (days_sum - m.quantity) / m.quantity) <= {rules.day_month_tolerance!r} AS within
    FROM days JOIN monthly_rel m USING (meter, month) ORDER BY meter, month
    """
    return with_relations(con, sql, daily_rel=daily, monthly_rel=monthly)


def gaps(
    con: Engine,
    readings: Relation,
    meters: Relation,
    start: dt.date,
    end: dt.date,
    *,
    as_of: dt.datetime | None = None,
    tz: str | None = None,
) -> Relation:
    """The missing intervals of each active meter in ``[start, end)``, as runs: ``meter, gap_start`` (UTC)
    ``, gap_end`` (exclusive) ``, missing`` (intervals)."""
    sql = gaps_sql(dialect_of(con), start, end, as_of=as_of, zone=tz or local_timezone())
    return with_relations(con, sql, readings_rel=readings, meters_rel=meters)


def gaps_sql(d: Dialect, start: dt.date, end: dt.date, *, as_of: dt.datetime | None, zone: str) -> str:
    """The query of :func:`gaps` in dialect ``d``: the expected interval starts are ``lo + k * interval``
    for every ``k`` that starts before the period's end (at least a second before it)."""
    lo, hi, _ = bounds(start, end, zone, as_of)
    last_us = int((hi - lo) / dt.timedelta(microseconds=1)) - 1_000_000
    return f"""
    WITH m AS (
        SELECT meter, interval_min, CAST(floor({last_us} / ({US_PER_MIN} * interval_min)) AS BIGINT) + 1 AS n
        FROM meters_rel WHERE status = 'active' AND {last_us} >= 0
    ),
    expected AS (
        SELECT m.meter, m.interval_min, {d.plus_minutes(d.ts(lo), "k * m.interval_min")} AS interval_start
        FROM {d.expand("m", "0", "m.n", "k")}
    ),
    missing AS (
        SELECT e.* FROM expected e WHERE NOT EXISTS (
            SELECT 1 FROM readings_rel r WHERE r.meter = e.meter AND r.interval_start = e.interval_start
        )
    ),
    islands AS (
        SELECT x.*, {d.epoch_us("x.interval_start")} / ({US_PER_MIN} * x.interval_min)
                    - row_number() OVER (PARTITION BY x.meter ORDER BY x.interval_start) AS island
        FROM missing x
    )
    SELECT meter, min(interval_start) AS gap_start,
           {d.plus_minutes("max(interval_start)", "max(interval_min)")} AS gap_end,
           count(*) AS missing
    FROM islands GROUP BY meter, island ORDER BY meter, gap_start
    """


def as_records(relation: Relation) -> list[dict[str, Any]]:
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
