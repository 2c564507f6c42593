"""The rollups and quality indices on Apache Spark (local mode) and on DuckDB, over the same Parquet layout,
give identical results: register differences with a rollover and a gap spread over it, a meter replacement,
an unexplained step down, interval meters with short and long gaps (filled on request), a spike, a stuck
meter, duplicates and a correction in the arrival log, an inactive meter and one past its calibration
date, cut at local midnight of Asia/Shanghai across the end of a month.

Skipped, saying why, where pyspark or Java is missing (``pip install '.[spark]'``; Debian:
``apt-get install openjdk-17-jre-headless``). One SparkSession serves the whole module."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from carbonpeak.monitoring import layout
from carbonpeak.monitoring import quality as q
from carbonpeak.monitoring.readings import Reading
from carbonpeak.monitoring.rollups import GRAINS, interval_consumption, rollup
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.parameters import ParameterSet

UTC = dt.UTC
TZ = "Asia/Shanghai"
START = dt.datetime(2025, 3, 30, 16, tzinfo=UTC)  # local midnight of 31 March 2025
Q = dt.timedelta(minutes=15)
DAYS = (dt.date(2025, 3, 31), dt.date(2025, 4, 2))  # two local days, across the end of March
AS_OF = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)  # the second day judged up to 20:00 local


def _spark_problem() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install '.[spark]'): the Spark rollups are not checked"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java (Debian: apt-get install openjdk-17-jre-headless): the Spark rollups are not checked"
    return None


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    problem = _spark_problem()
    if problem:
        pytest.skip(problem)
    from carbonpeak.monitoring.spark import SparkEngine, session

    spark = session(
        "local[2]",
        "carbonpeak-test",
        **{
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "1",
            "spark.default.parallelism": "1",
            "spark.driver.memory": "1g",
            # tiny data: compiling whole-stage code and re-planning cost more than they save
            "spark.sql.codegen.wholeStage": "false",
            "spark.sql.adaptive.enabled": "false",
        },
    )
    yield SparkEngine(spark)
    spark.stop()


def meter(code: str, kind: str, point: str, **extra: Any) -> dict[str, Any]:
    return {
        "meter_code": code,
        "facility_code": "F1" if code != "G" else "F2",
        "enterprise_code": "E1",
        "region_code": "R1" if code != "G" else "R2",
        "energy_type": extra.pop("energy", "electricity"),
        "measuring_point": point,
        "unit": "kWh",
        "reading_kind": kind,
        "interval_min": extra.pop("interval", 15),
        "multiplier": extra.pop("multiplier", 1.0),
        "rollover_at": extra.pop("rollover", None),
        "calibration_due": extra.pop("due", "2026-01-01"),
        "status": extra.pop("status", "active"),
    }


METERS = [
    meter("P", "register", "plant", multiplier=2.0, rollover=100000.0),
    meter("A", "register", "process"),
    meter("B", "interval", "process", due="2025-01-01"),
    meter("S", "interval", "line", energy="heat"),
    meter("G", "register", "plant", energy="natural_gas", interval=60),
    meter("X", "interval", "process", status="inactive"),
]
REPLACED_AT = START + 99 * Q + dt.timedelta(minutes=5)  # between the 99th and the 100th reading
REPLACEMENTS = [{"meter": "A", "replaced_at": REPLACED_AT, "old_final": 1403.0, "new_initial": 0.0}]


def _series() -> dict[str, list[tuple[int, float]]]:
    """(index of the interval, value) per meter; values exact in binary, so that sums do not depend on order."""
    p, value = [], 99000.0
    for i in range(192):
        if i not in (50, 51, 52):  # three readings missing: the step 49 -> 53 spread over four intervals
            p.append((i, value))
        value = (value + 7 + i % 5) % 100000.0  # wraps at 100000
    a, value = [], 500.0
    for i in range(192):
        if i == 100:
            value = 2.0  # the new meter (replaced after the 99th reading, the old register at 1403)
        a.append((i, value))
        value += 9.0
    b = [(i, 4.0 if i % 2 == 0 else 5.5) for i in range(192) if i not in (30, 31) and not 120 <= i < 126]
    b = [(i, 100.0 if i == 10 else -1.0 if i == 20 else v) for i, v in b]  # a spike and a negative value
    s = [(i, 3.0 if i < 12 else 2.0 if i % 2 == 0 else 3.25) for i in range(150)]  # stuck for 12, then silent
    g, value = [], 10.0
    for i in range(48):
        g.append((i, value))
        value = value + 4.5 if i != 30 else value - 20.0  # a step down neither a rollover nor a replacement explains
    x = [(i, 1.0) for i in range(10)]
    return {"P": p, "A": a, "B": b, "S": s, "G": g, "X": x}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The layout of a store that received the series, some of it twice, and one correction."""
    store = DuckDBStore(tmp_path_factory.mktemp("spark") / "readings.duckdb")
    readings: list[Reading] = []
    for code, values in _series().items():
        step = Q * (4 if code == "G" else 1)
        for i, value in values:
            start = START + i * step
            delay = dt.timedelta(minutes=(i * 7) % 90)
            readings.append(Reading(code, start, value, start + step + delay, f"{code}-{i // 8}"))
    store.write(readings)
    store.write([r for r in readings if r.meter == "P" and r.interval_start < START + 16 * Q])  # resent: duplicates
    fix = next(r for r in readings if r.meter == "B" and r.interval_start == START + 40 * Q)
    store.write([Reading("B", fix.interval_start, 6.5, fix.received_at + dt.timedelta(hours=3), "B-fix")])
    out = layout.export_layout(store, METERS, REPLACEMENTS, tmp_path_factory.mktemp("layout"))
    store.close()
    return out


def normal(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows comparable across engines: instants as naive UTC, decimals as floats, sorted."""

    def value(v: Any) -> Any:
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            return v.astimezone(UTC).replace(tzinfo=None)
        if isinstance(v, decimal.Decimal):
            return float(v)
        return v

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def analyses(con: Any, rel: dict[str, Any], rules: q.Rules, fill_gaps: int, quality: bool = True) -> dict[str, Any]:
    """The same analyses, whatever the engine: one definition of each."""
    consumption = interval_consumption(con, rel["readings"], rel["meters"], rel["replacements"], fill_gaps=fill_gaps)
    if hasattr(consumption, "cache"):  # a Spark DataFrame: computed once for the analyses below
        consumption = consumption.cache()
    out = {f"rollup_{g}": rollup(con, consumption, g, TZ) for g in GRAINS}
    if not quality:
        return out
    counts = q.meter_quality(
        con, rel["readings"], rel["meters"], rel["arrivals"], consumption, *DAYS, rules, as_of=AS_OF, tz=TZ
    )
    out["counts"] = counts
    for level in q.LEVELS:
        out[f"quality_{level}"] = q.indices(con, counts, rules, level)
    out["gaps"] = q.gaps(con, rel["readings"], rel["meters"], *DAYS, as_of=AS_OF, tz=TZ)
    out["process_plant"] = q.process_plant_consistency(con, out["rollup_day"], rel["meters"], rules)
    monthly = q.with_relations(
        con,
        "SELECT meter, CAST(period AS DATE) AS month, quantity * 1.02 AS quantity FROM month_rel",
        month_rel=out["rollup_month"],
    )
    out["day_month"] = q.day_month_consistency(con, out["rollup_day"], monthly, rules, TZ)
    return out


@pytest.mark.parametrize("fill_gaps", [0, 2])
def test_spark_and_duckdb_agree(engine: Any, folder: Path, params: ParameterSet, fill_gaps: int) -> None:
    from carbonpeak.monitoring import spark

    rules = q.Rules.load(params, DAYS[0])
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # the quality indices do not depend on filling (they count what was received): checked once
    on_duckdb = analyses(con, layout.read_layout(con, folder), rules, fill_gaps, quality=not fill_gaps)
    on_spark = analyses(engine, spark.read_layout(engine, folder), rules, fill_gaps, quality=not fill_gaps)
    for name, relation in on_duckdb.items():
        expected = normal(relation.fetchall())
        assert expected, f"{name}: no rows (the data should exercise it)"
        assert normal(spark.rows(on_spark[name])) == expected, name
        assert list(relation.columns) == on_spark[name].columns, name

    # the data exercise what they are meant to (so that agreeing means something)
    day = {(r[0], r[1]): r for r in on_duckdb["rollup_day"].fetchall()}
    assert day[("P", dt.datetime(2025, 3, 31))][5] == 4  # the gap spread: four intervals estimated
    assert day[("G", dt.datetime(2025, 4, 1))][6] == 1  # the unexplained step down left out
    months = {(r[0], r[1]) for r in on_duckdb["rollup_month"].fetchall()}
    assert ("P", dt.datetime(2025, 3, 1)) in months and ("P", dt.datetime(2025, 4, 1)) in months
    if not fill_gaps:
        counts = {r[0]: r for r in on_duckdb["counts"].fetchall()}
        assert "X" not in counts
        assert counts["P"][-1] == 16  # duplicates from the arrival log
    filled = [r for r in on_duckdb["rollup_day"].fetchall() if r[0] == "B"]
    assert sum(r[5] for r in filled) == (2 if fill_gaps else 0)  # the two-interval gap only


def test_spark_job_writes_what_duckdb_computes(engine: Any, folder: Path, tmp_path: Path, params: ParameterSet) -> None:
    from carbonpeak.monitoring import spark_job

    seconds = spark_job.run(engine, str(folder), str(tmp_path / "out"), start=DAYS[0], end=DAYS[1], tz=TZ)
    assert set(seconds) == {f"rollup_{g}" for g in GRAINS} | {f"quality_{lv}" for lv in q.LEVELS} | {
        "gaps",
        "process_plant",
    }
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = layout.read_layout(con, folder)
    rules = q.Rules.load(params, DAYS[0])
    consumption = interval_consumption(con, rel["readings"], rel["meters"], rel["replacements"])
    expected = rollup(con, consumption, "day", TZ).fetchall()
    written = con.sql(f"SELECT * FROM read_parquet('{tmp_path}/out/rollup_day/*.parquet')").fetchall()
    assert normal(written) == normal(expected)
    counts = q.meter_quality(con, rel["readings"], rel["meters"], rel["arrivals"], consumption, *DAYS, rules, tz=TZ)
    facility = q.indices(con, counts, rules, "facility").fetchall()
    written = con.sql(f"SELECT * FROM read_parquet('{tmp_path}/out/quality_facility/*.parquet')").fetchall()
    assert normal(written) == normal(facility)
