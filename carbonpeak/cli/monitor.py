"""CLI verbs of online energy monitoring: ``carbonpeak monitor add|change|list|history|replace`` (meters in the
registry), ``rollup`` and ``quality`` (analyses of the reading store), ``serve`` (the MQTT subscriber) and
``simulate`` (the demo province's meters over MQTT).

Thin adapters over :mod:`carbonpeak.services.monitoring` and :mod:`carbonpeak.services.monitoring_ingest`.
Meter fields are given as ``field=value`` pairs (``carbonpeak monitor add AL1-E01 facility_code=AL1
name_zh=总进线 energy_type=electricity measuring_point=plant unit=kWh reading_kind=register``). The reading
store is ``--readings`` (a DuckDB file by default, ``var/readings.duckdb``; a ``postgresql://`` URL for a
shared deployment; also ``CARBONPEAK_READINGS_URL``).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, acting
from carbonpeak.cli.registry import _done, _fail, _pairs, _print
from carbonpeak.errors import CarbonpeakError
from carbonpeak.monitoring import meters as rules
from carbonpeak.store import db

console = Console()
monitor_app = typer.Typer(
    help="Online energy monitoring: meters, the MQTT ingest service, the simulator, rollups and data quality.",
    no_args_is_help=True,
)
Code = Annotated[str, typer.Argument(help="the meter's code")]
Pairs = Annotated[list[str] | None, typer.Argument(help="field=value pairs (fields listed above)", show_default=False)]
Readings = Annotated[
    str | None,
    typer.Option(
        "--readings",
        help="reading store: a DuckDB file (default var/readings.duckdb) or a postgresql:// URL",
        envvar="CARBONPEAK_READINGS_URL",
    ),
]
FIELD_LIST = (
    "\n\n".join(f"{'*' if name in rules.REQUIRED else ' '} {name}" for name in rules.FIELDS)
    + "\n\nenergy_type: electricity, heat, water or a fuel code; measuring_point: "
    + ", ".join(rules.MEASURING_POINTS)
)


@monitor_app.command("add")
def add(
    code: Code,
    pairs: Pairs = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    from carbonpeak.services import monitoring as svc

    record = {"meter_code": code, **_pairs(pairs, lang)}
    try:
        db.upgrade(url)
        with db.transaction(url) as session:
            result = svc.add_meter(session, acting(session, actor, as_user), record)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    _done(result, as_json)


add.__doc__ = f"Register a meter of a facility. Fields (* required):\n\n{FIELD_LIST}"


@monitor_app.command("change")
def change(
    code: Code,
    pairs: Pairs = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Change some fields of a meter (a new version in the audit log)."""
    from carbonpeak.services import monitoring as svc

    try:
        with db.transaction(url) as session:
            result = svc.change_meter(session, acting(session, actor, as_user), code, _pairs(pairs, lang))
    except CarbonpeakError as exc:
        _fail(exc, lang)
    _done(result, as_json)


@monitor_app.command("list")
def list_(
    facility: Annotated[str | None, typer.Option("--facility", help="only this facility's meters")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """The meters you may see."""
    from carbonpeak.services import monitoring as svc

    try:
        with db.transaction(url) as session:
            rows = svc.list_meters(session, acting(session, actor, as_user), facility)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    _print(rows, "meters", as_json)


@monitor_app.command("history")
def history(
    code: Code, url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh", as_json: JsonFlag = False
) -> None:
    """Every version of a meter, from the audit log."""
    from carbonpeak.services import monitoring as svc

    try:
        with db.transaction(url) as session:
            versions = svc.meter_history(session, acting(session, actor, as_user), code)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    rows: list[dict[str, Any]] = [
        {
            "version": v.number,
            "at": v.at.isoformat()[:19],
            "actor": v.actor,
            "action": v.action,
            "changed": ", ".join(
                f"{k}: {(v.before or {}).get(k)} → {val}"
                for k, val in (v.after or {}).items()
                if v.action == "replace" or (v.before or {}).get(k) != val
            )
            if v.before
            else "",
        }
        for v in versions
    ]
    _print(rows, f"meter {code}", as_json)


@monitor_app.command("replace")
def replace(
    code: Code,
    at: Annotated[str, typer.Option("--at", help="when, ISO with offset, e.g. 2026-03-01T10:00+08:00")],
    old_final: Annotated[float, typer.Option("--old-final", help="the old register's last value")],
    new_initial: Annotated[float, typer.Option("--new-initial", help="the new register's first value")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Record that the physical meter behind a meter record was replaced (its register restarts)."""
    from carbonpeak.services import monitoring as svc

    try:
        when = dt.datetime.fromisoformat(at)
        with db.transaction(url) as session:
            svc.record_replacement(session, acting(session, actor, as_user), code, when, old_final, new_initial, note)
    except ValueError:
        _fail(CarbonpeakError(code="monitoring.not_a_date", value=at), lang)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    console.print(f"meter {code} replacement recorded at {when.isoformat()}", highlight=False)


Host = Annotated[str, typer.Option("--host", help="MQTT broker host", envvar="CARBONPEAK_MQTT_HOST")]
Port = Annotated[int, typer.Option("--port", help="MQTT broker port", envvar="CARBONPEAK_MQTT_PORT")]
Day = Annotated[str, typer.Option(help="a local day, e.g. 2026-03-01")]


def _day(text: str, lang: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(CarbonpeakError(code="monitoring.not_a_date", value=text), lang)


@monitor_app.command("demo-meters")
def demo_meters(
    today: Annotated[str | None, typer.Option("--today", help="calibration dates are counted from this day")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="at most this many facilities")] = None,
    url: Db = None,
    lang: Lang = "zh",
) -> None:
    """Register the demonstration meters of every operating facility that has none (one past calibration)."""
    from carbonpeak.services.monitoring_demo import register_demo_meters

    day = _day(today, lang) if today else dt.date.today()
    try:
        db.upgrade(url)
        with db.transaction(url) as session:
            made = register_demo_meters(session, day, limit)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    console.print(f"{len(made)} meters registered", highlight=False)


@monitor_app.command("serve")
def serve(
    host: Host = "127.0.0.1",
    port: Port = 1883,
    client_id: Annotated[
        str, typer.Option("--client-id", help="MQTT client id (its session keeps unacknowledged messages)")
    ] = "carbonpeak-ingest",
    topic_root: Annotated[str, typer.Option("--topic-root")] = "carbonpeak/v1/readings",
    ack_root: Annotated[str, typer.Option("--ack-root", help="where acknowledgements go")] = "carbonpeak/v1/acks",
    max_seconds: Annotated[float | None, typer.Option("--max-seconds", help="stop after this long")] = None,
    readings: Readings = None,
    url: Db = None,
    lang: Lang = "zh",
) -> None:
    """Receive meter readings over MQTT (QoS 1) and store them; each message is acknowledged after commit."""
    from carbonpeak.monitoring.mqtt import Subscriber
    from carbonpeak.monitoring.store import open_store
    from carbonpeak.services.monitoring import meter_table
    from carbonpeak.services.monitoring_ingest import IngestResult, MeterIndex, mqtt_handler

    def load() -> list[dict[str, Any]]:
        with db.transaction(url, mode="read") as session:
            return meter_table(session)

    store = open_store(readings)
    index = MeterIndex(load, refresh_s=30)
    totals = {"messages": 0, "new": 0, "duplicates": 0, "corrections": 0, "rejected": 0}

    def count(result: IngestResult) -> None:
        totals["messages"] += result.messages
        totals["new"] += result.written.new
        totals["duplicates"] += result.written.duplicates
        totals["corrections"] += result.written.corrections
        totals["rejected"] += len(result.rejected)
        for message_id, problem in result.rejected[:5]:
            console.print(f"rejected {message_id}: {problem.text(lang)}", highlight=False)

    handle = mqtt_handler(store, index, topic_root, ack_root, count)
    db.upgrade(url)
    subscriber = Subscriber(handle, host=host, port=port, client_id=client_id, root=topic_root)
    try:
        subscriber.run(
            max_seconds, on_ready=lambda: console.print(f"listening on {host}:{port} {topic_root}/+/+", highlight=False)
        )
    finally:
        store.close()
    console.print(" ".join(f"{k}={v}" for k, v in totals.items()), highlight=False)
    if subscriber.failures:
        raise typer.Exit(code=1)


@monitor_app.command("simulate")
def simulate(
    start: Annotated[
        str | None, typer.Option("--start", help="first interval, ISO with offset (default: today 00:00 local)")
    ] = None,
    hours: Annotated[float, typer.Option("--hours", help="how many hours of intervals to publish")] = 24.0,
    seed: Annotated[int, typer.Option("--seed")] = 15,
    rate: Annotated[float, typer.Option("--rate", help="messages per second at most (0: as fast as possible)")] = 200.0,
    stuck: Annotated[
        str | None, typer.Option("--stuck", help="the stuck meter (default: the first process meter)")
    ] = None,
    host: Host = "127.0.0.1",
    port: Port = 1883,
    topic_root: Annotated[str, typer.Option("--topic-root")] = "carbonpeak/v1/readings",
    url: Db = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Publish the registered meters' readings over MQTT with dropouts, duplicates, late resends and a stuck meter."""
    from zoneinfo import ZoneInfo

    from carbonpeak.monitoring.mqtt import Publisher
    from carbonpeak.monitoring.rollups import local_timezone
    from carbonpeak.monitoring.simulate import Behaviour, events
    from carbonpeak.services.monitoring import meter_table

    with db.transaction(url, mode="read") as session:
        meters = meter_table(session)
    if not meters:
        console.print("no meters registered: run carbonpeak monitor demo-meters first", highlight=False)
        raise typer.Exit(code=2)
    if start:
        try:
            first = dt.datetime.fromisoformat(start)
        except ValueError:
            _fail(CarbonpeakError(code="monitoring.payload_time", value=start), lang)
        if first.tzinfo is None:
            _fail(CarbonpeakError(code="monitoring.payload_time", value=start), lang)
    else:
        first = dt.datetime.combine(dt.date.today(), dt.time(), ZoneInfo(local_timezone()))
    first = first.astimezone(dt.UTC)
    chosen = stuck or next((m["meter_code"] for m in meters if m["measuring_point"] == "process"), None)
    published, truth = events(
        meters, first, first + dt.timedelta(hours=hours), seed=seed, behaviour=Behaviour(stuck=chosen), root=topic_root
    )
    publisher = Publisher(host, port)
    pending, began = [], time.monotonic()
    for number, event in enumerate(published):
        if rate > 0:  # do not outrun the broker's queue for a subscriber that is behind (docs/monitoring.md)
            ahead = number / rate - (time.monotonic() - began)
            if ahead > 0:
                time.sleep(ahead)
        pending.append(publisher.publish(event.topic, event.payload))
    publisher.close(pending)
    summary = {
        "messages": len(published),
        "keys": len(truth.keys),
        "duplicate_readings": truth.duplicate_readings,
        "resent_readings": truth.resent_readings,
        "dropped_readings": truth.dropped_readings,
        "stuck_meter": truth.stuck_meter,
    }
    if as_json:
        _json(summary)
    else:
        console.print(" ".join(f"{k}={v}" for k, v in summary.items()), highlight=False)


@monitor_app.command("backfill")
def backfill_command(
    file: Annotated[Path, typer.Argument(help="a CSV or .xlsx file: meter,start,value (see docs/monitoring.md)")],
    enterprise: Annotated[str, typer.Option("--enterprise", help="the enterprise whose meters these are")],
    readings: Readings = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Store past readings from a CSV or Excel file in their real intervals (the same file twice changes nothing)."""
    from carbonpeak.monitoring.backfill import FORMAT as CSV_FORMAT
    from carbonpeak.monitoring.backfill import XLSX_FORMAT
    from carbonpeak.monitoring.store import open_store
    from carbonpeak.services.monitoring_ingest import backfill

    store = open_store(readings)
    try:
        with db.transaction(url, mode="read") as session:
            kind = XLSX_FORMAT if file.suffix.lower() in (".xlsx", ".xlsm") else CSV_FORMAT
            who = acting(session, actor, as_user)
            result = backfill(session, who, store, file.read_bytes(), enterprise, format_name=kind)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    finally:
        store.close()
    rejected = [{"record": e.record, "row": e.row, "problem": e.text(lang)} for _, e in result.rejected]
    written = result.written
    if as_json:
        _json(
            {
                "new": written.new,
                "duplicates": written.duplicates,
                "corrections": written.corrections,
                "rejected": rejected,
            }
        )
        return
    console.print(
        f"new={written.new} duplicates={written.duplicates} corrections={written.corrections} rejected={len(rejected)}",
        highlight=False,
    )
    for problem in rejected[:50]:
        console.print(f"  - {problem['problem']}", highlight=False)


@monitor_app.command("rollup")
def rollup_command(
    start: Annotated[str, typer.Option("--from", help="first local day")],
    end: Annotated[str, typer.Option("--to", help="the local day after the last")],
    grain: Annotated[str, typer.Option("--grain", help="hour, day or month")] = "day",
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    fill_gaps: Annotated[
        int, typer.Option("--fill-gaps", help="fill an interval meter's gaps of at most N intervals (estimated)")
    ] = 0,
    readings: Readings = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Totals per meter and local hour, day or month (after each meter's multiplier)."""
    from carbonpeak.monitoring.store import open_store
    from carbonpeak.services.monitoring_reports import rollups

    store = open_store(readings)
    try:
        with db.transaction(url, mode="read") as session:
            who = acting(session, actor, as_user)
            rows = rollups(session, who, store, grain, _day(start, lang), _day(end, lang), facility, fill_gaps)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    finally:
        store.close()
    _print([{k: v for k, v in r.items() if k != "period_start"} for r in rows], f"rollup by {grain}", as_json)


@monitor_app.command("quality")
def quality_command(
    start: Annotated[str, typer.Option("--from", help="first local day")],
    end: Annotated[str, typer.Option("--to", help="the local day after the last")],
    level: Annotated[str, typer.Option("--level", help="meter, facility or enterprise")] = "facility",
    profile: Annotated[str | None, typer.Option("--profile", help="the weights' profile")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge as of this instant (ISO with offset)")] = None,
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    readings: Readings = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Data-quality indices (completeness, online rate, timeliness, accuracy, correctness, composite) and gaps."""
    from carbonpeak.monitoring.store import open_store
    from carbonpeak.services.monitoring_reports import quality_report

    moment = dt.datetime.fromisoformat(as_of) if as_of else None
    store = open_store(readings)
    try:
        with db.transaction(url, mode="read") as session:
            who = acting(session, actor, as_user)
            report = quality_report(
                session,
                who,
                store,
                _day(start, lang),
                _day(end, lang),
                level=level,
                as_of=moment,
                profile=profile,
                facility=facility,
            )
    except CarbonpeakError as exc:
        _fail(exc, lang)
    finally:
        store.close()
    if as_json:
        _json(report)
        return
    shown = (
        "meters",
        "expected",
        "received",
        "completeness",
        "online",
        "timeliness",
        "accuracy",
        "correctness",
        "composite",
    )
    keys = {"meter": "meter", "facility": "facility_code", "enterprise": "enterprise_code"}[level]
    _print(
        [
            {keys: r[keys], **{k: (round(r[k], 4) if isinstance(r[k], float) else r[k]) for k in shown}}
            for r in report["indices"]
        ],
        f"data quality ({report['profile']})",
        False,
    )
    if report["gaps"]:
        _print(report["gaps"][:50], "gaps", False)


@monitor_app.command("reconcile")
def reconcile_command(
    month: Annotated[str, typer.Option("--month", help="a local month, e.g. 2026-03")],
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    readings: Readings = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Days secure the month: each facility's metered month against its reported month (electricity the site
    had, electrolysis AC), and whether the difference is within the tolerance."""
    from carbonpeak.monitoring.store import open_store
    from carbonpeak.services.monitoring_reports import reconcile_month

    _day(f"{month}-01", lang)
    store = open_store(readings)
    try:
        with db.transaction(url, mode="read") as session:
            rows = reconcile_month(session, acting(session, actor, as_user), store, month, facility)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    finally:
        store.close()
    _print(rows, f"metered against reported, {month}", as_json)


def _json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")
