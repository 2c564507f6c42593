"""``carbonpeak monitor demo``: the demonstration's meters and a short simulated history in the store, so that the
monitoring pages show data from an empty database; ``--publish`` sends the rest of the demo's day over MQTT
(what ``make run`` does while ``carbonpeak monitor serve`` listens). A thin adapter over
:mod:`carbonpeak.services.monitoring_demo_history`."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.common import Db, JsonFlag, Lang, fail_listed, use_case
from carbonpeak.cli.monitor import Host, Port, Readings, _day, _json, console, monitor_app, open_readings
from carbonpeak.errors import CarbonpeakError
from carbonpeak.store import db


@monitor_app.command("demo")
def demo(
    today: Annotated[str, typer.Option("--today", help="the demo's day (make run: 2026-01-20)")] = "2026-01-20",
    publish: Annotated[
        bool, typer.Option("--publish", help="publish the rest of the day over MQTT instead (nothing is stored here)")
    ] = False,
    rate: Annotated[float, typer.Option("--rate", help="messages per second at most, with --publish")] = 200.0,
    max_seconds: Annotated[float, typer.Option("--max-seconds", help="stop publishing after this long")] = 20.0,
    tail_file: Annotated[
        Path, typer.Option("--tail-file", help="where the history step keeps the rest of the day for --publish")
    ] = Path("var/monitoring_demo_tail.jsonl"),
    host: Host = "127.0.0.1",
    port: Port = 1883,
    readings: Readings = None,
    url: Db = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Register the demo meters and store their simulated history from the first of last month to 20:00 of --today."""
    from carbonpeak.services import monitoring_demo_history as history
    from carbonpeak.services.monitoring import meter_table

    day = _day(today, lang)
    if publish:
        try:
            socket.create_connection((host, port), 2).close()
        except OSError:
            console.print(
                f"no MQTT broker on {host}:{port}: the rest of the demo day is not published (install Mosquitto: "
                "apt-get install mosquitto; see docs/monitoring.md). The pages show the stored history.",
                highlight=False,
            )
            return
        from carbonpeak.monitoring.mqtt import Publisher

        if tail_file.exists():  # kept by the history step: no need to simulate the whole run again
            tail = history.read_tail(tail_file)
        else:
            with db.transaction(url, mode="read") as session:
                meters = meter_table(session)
                levels = history.reported_levels(session, meters, day)
                tail = [(e.topic, e.payload) for e in history.split_events(meters, day, levels=levels).tail]
        publisher = Publisher(host, port)
        pending, began, sent = [], time.monotonic(), 0
        for number, (topic, payload) in enumerate(tail):
            elapsed = time.monotonic() - began
            if elapsed > max_seconds:
                break
            ahead = number / rate - elapsed if rate > 0 else 0
            if ahead > 0:
                time.sleep(ahead)
            pending.append(publisher.publish(topic, payload))
            sent += 1
        publisher.close(pending)
        console.print(f"published {sent} of {len(tail)} messages to {host}:{port}", highlight=False)
        return
    try:
        db.upgrade(url)
    except CarbonpeakError as exc:
        fail_listed(exc, lang)
    store = open_readings(readings, lang)
    try:
        found = use_case(
            lambda session, _who: history.load_history(session, store, day, tail_file=tail_file), url=url, lang=lang
        )
    finally:
        store.close()
    if as_json:
        _json(found)
    else:
        console.print(" ".join(f"{k}={v}" for k, v in found.items()), highlight=False)
