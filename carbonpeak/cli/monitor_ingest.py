"""``carbonpeak monitor serve|simulate|backfill|demo-meters``: how readings come in (thin adapters over
:mod:`carbonpeak.services.monitoring_ingest` and :mod:`carbonpeak.services.monitoring_demo`)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, fail_listed, use_case
from carbonpeak.cli.monitor import Host, Port, Readings, _day, _json, console, monitor_app, open_readings
from carbonpeak.errors import CarbonpeakError
from carbonpeak.store import db


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
    made = use_case(lambda session, _who: register_demo_meters(session, day, limit), url=url, lang=lang, upgrade=True)
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
    from carbonpeak.services.monitoring import meter_table
    from carbonpeak.services.monitoring_ingest import IngestResult, MeterIndex, mqtt_handler

    def load() -> list[dict[str, Any]]:
        with db.transaction(url, mode="read") as session:
            return meter_table(session)

    store = open_readings(readings, lang)  # the one writer of a DuckDB file: refused clearly while another holds it
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
            fail_listed(CarbonpeakError(code="monitoring.payload_time", value=start), lang)
        if first.tzinfo is None:
            fail_listed(CarbonpeakError(code="monitoring.payload_time", value=start), lang)
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
    """Store past readings from a CSV or Excel file in their real intervals: all of them, or none when any row
    has a problem (every problem listed). The same file twice changes nothing."""
    from carbonpeak.services.monitoring_backfill import backfill_file, max_bytes

    try:
        with file.open("rb") as stream:
            data = stream.read(max_bytes() + 1)  # one byte more than taken: a huge file is refused unread
    except OSError:
        fail_listed(CarbonpeakError(code="intake.file_missing", file=str(file)), lang)
    store = open_readings(readings, lang)
    try:
        result = use_case(
            lambda session, who: backfill_file(session, who, store, file.name, data, enterprise),
            url=url,
            lang=lang,
            actor=actor,
            as_user=as_user,
            mode="read",
        )
    finally:
        store.close()
    written = result.written
    summary = {"new": written.new, "duplicates": written.duplicates, "corrections": written.corrections}
    if as_json:
        _json(summary)
        return
    console.print(" ".join(f"{k}={v}" for k, v in summary.items()), highlight=False)
