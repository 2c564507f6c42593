"""The monitoring analyses as one Spark job: rollups (hour, day, month) and quality indices (per meter,
facility, enterprise), the gaps and the process-against-plant days, from a Parquet layout folder
(:mod:`.layout`) to Parquet folders of results.

Local (pyspark's own Spark, ``local[*]``)::

    python -m carbonpeak.monitoring.spark_job --input var/layout --output var/analysis --from 2026-03-01 --to 2026-04-01

On a cluster, carbonpeak is installed on the machine that runs the driver (``--deploy-mode client``: the
queries use no Python function inside Spark, so executors need nothing of carbonpeak)::

    spark-submit --master yarn --deploy-mode client \\
        "$(python -c 'import carbonpeak.monitoring.spark_job as j; print(j.__file__)')" \\
        --input hdfs:///carbonpeak/layout --output hdfs:///carbonpeak/analysis --from 2026-03-01 --to 2026-04-01

Written under ``--output``: ``rollup_hour/``, ``rollup_day/``, ``rollup_month/``, ``quality_meter/``,
``quality_facility/``, ``quality_enterprise/``, ``quality_region/`` (by the facility's own region, the layout's
``region_code``), ``gaps/``, ``process_plant/`` (each overwritten).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from carbonpeak.monitoring import quality as q
from carbonpeak.monitoring.rollups import GRAINS, interval_consumption, local_timezone, rollup
from carbonpeak.monitoring.spark import SparkEngine, read_layout, session


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("as of: a time with its offset is needed (e.g. 2026-03-10T00:00+08:00)")
    return value


def data_days(engine: SparkEngine, readings: Any, tz: str) -> tuple[dt.date, dt.date]:
    """The local days the readings span: [first, last + 1)."""
    found = engine.sql_rows(readings, "SELECT min(interval_start), max(interval_start) FROM readings_rel")[0]
    zone = ZoneInfo(tz)
    first, last = (v.replace(tzinfo=dt.UTC).astimezone(zone).date() for v in found)
    return first, last + dt.timedelta(days=1)


def run(
    engine: SparkEngine,
    input_folder: str,
    output_folder: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.datetime | None = None,
    tz: str | None = None,
    grains: Sequence[str] = GRAINS,
    fill_gaps: int = 0,
    profile: str | None = None,
) -> dict[str, float]:
    """Run the analyses and write their results; returns the seconds each output took."""
    from carbonpeak.parameters import load

    zone = tz or local_timezone()
    layout = read_layout(engine, input_folder)
    if start is None or end is None:
        first, after = data_days(engine, layout["readings"], zone)
        start, end = start or first, end or after
    rules = q.Rules.load(load(), start, profile)
    consumption = interval_consumption(
        engine, layout["readings"], layout["meters"], layout["replacements"], fill_gaps=fill_gaps
    ).cache()
    outputs: dict[str, Any] = {f"rollup_{g}": rollup(engine, consumption, g, zone) for g in grains}
    counts = q.meter_quality(
        engine,
        layout["readings"],
        layout["meters"],
        layout["arrivals"],
        consumption,
        start,
        end,
        rules,
        as_of=as_of,
        tz=zone,
    ).cache()
    for level in q.LEVELS:
        outputs[f"quality_{level}"] = q.indices(engine, counts, rules, level)
    outputs["gaps"] = q.gaps(engine, layout["readings"], layout["meters"], start, end, as_of=as_of, tz=zone)
    daily = outputs["rollup_day"] if "rollup_day" in outputs else rollup(engine, consumption, "day", zone)
    outputs["process_plant"] = q.process_plant_consistency(engine, daily, layout["meters"], rules)
    seconds: dict[str, float] = {}
    for name, frame in outputs.items():
        began = time.perf_counter()
        frame.write.mode("overwrite").parquet(f"{output_folder.rstrip('/')}/{name}")
        seconds[name] = time.perf_counter() - began
    return seconds


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--input", required=True, help="the layout folder (readings/, meters.parquet, ...)")
    parser.add_argument("--output", required=True, help="the folder of the results")
    parser.add_argument("--from", dest="start", type=_date, help="first local day (default: the data's first)")
    parser.add_argument("--to", dest="end", type=_date, help="local day after the last (default: after the data)")
    parser.add_argument("--as-of", type=_instant, help="judge a period not yet over up to this instant")
    parser.add_argument("--tz", help="time zone of local days (default CARBONPEAK_MONITORING_TZ or Asia/Shanghai)")
    parser.add_argument("--grains", default=",".join(GRAINS), help="rollup grains, comma-separated")
    parser.add_argument("--fill-gaps", type=int, default=0, help="fill an interval meter's gaps up to N intervals")
    parser.add_argument("--profile", help="quality weight profile (default published_platform)")
    parser.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    args = parser.parse_args(argv)
    engine = SparkEngine(session(args.master))
    seconds = run(
        engine,
        args.input,
        args.output,
        start=args.start,
        end=args.end,
        as_of=args.as_of,
        tz=args.tz,
        grains=[g.strip() for g in args.grains.split(",") if g.strip()],
        fill_gaps=args.fill_gaps,
        profile=args.profile,
    )
    for name, value in seconds.items():
        sys.stdout.write(f"{name}\t{value:.1f} s\n")
    engine.spark.stop()


if __name__ == "__main__":
    main()
