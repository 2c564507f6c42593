"""A short simulated history for the demonstration province, so that the monitoring pages show data from an
empty database (``carbonpeak monitor demo``; ``make run``).

One run of the simulator (:func:`carbonpeak.monitoring.simulate.events`: dropouts, duplicates, late resends,
a stuck meter; the registry has a meter past its calibration date) covers the local days from the first of
last month to the end of the demo's day. It is cut in two at ``cut`` (default 20:00 local on that day), in
publication order:

* the **history** (everything published before the simulated clock reaches ``cut``) goes through the one
  ingest pipeline straight into the store, a day of messages per transaction, received 90 s after that day
  ended; the last two days an hour per transaction, received 90 s after the hour (so that the recent days'
  timeliness has realistic delays: 1.5 to 46.5 minutes; older days arrive late, as a backfill would);
* the **tail** (the rest, late resends included) is what ``make run`` then publishes over the real MQTT
  broker to ``carbonpeak monitor serve``: the same seed gives the same events, so the registers continue
  where the history stopped.

The values are made up (see the simulator): they exercise the pipeline and the pages; no plant's data.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from carbonpeak.monitoring import mqtt
from carbonpeak.monitoring.readings import WriteResult
from carbonpeak.monitoring.rollups import local_timezone
from carbonpeak.monitoring.simulate import Behaviour, Event, events
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.services.monitoring import meter_table
from carbonpeak.services.monitoring_demo import register_demo_meters
from carbonpeak.services.monitoring_ingest import Message, MeterIndex, ingest

CUT_HOUR = 20  # local hour of the demo's day from which the simulated readings come over MQTT
# The history is stored a day of messages per transaction, the last RECENT_DAYS an hour per transaction: one
# transaction per hour throughout took 5.5 min for the demo's 181 meters on this machine, a day per
# transaction 1 min (docs/monitoring.md).
RECENT_DAYS = 2
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)
DELAY = dt.timedelta(seconds=90)  # a batch's messages arrive this long after its day or hour ended
SEED = 2026


@dataclass
class Split:
    history: list[tuple[dt.datetime, list[Event]]] = field(default_factory=list)  # (received at, events)
    tail: list[Event] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    cut: dt.datetime | None = None


def window(
    today: dt.date, tz: str | None = None, cut_hour: int = CUT_HOUR
) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """UTC start (the first of last month, local midnight), end (the end of ``today``) and cut."""
    zone = ZoneInfo(tz or local_timezone())
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    cut = dt.datetime.combine(today, dt.time(cut_hour), zone).astimezone(dt.UTC)
    return start, end, cut


def split_events(
    meters: list[dict[str, Any]],
    today: dt.date,
    seed: int = SEED,
    cut_hour: int = CUT_HOUR,
    recent_days: int = RECENT_DAYS,
) -> Split:
    """The demo's events, cut into the history (batches of a day of the simulated clock, of an hour in the
    last ``recent_days`` before the cut; each with its arrival) and the MQTT tail."""
    start, end, cut = window(today, cut_hour=cut_hour)
    stuck = next((m["meter_code"] for m in meters if m["measuring_point"] == "process"), None)
    published, _ = events(meters, start, end, seed=seed, behaviour=Behaviour(stuck=stuck))
    recent = cut - dt.timedelta(days=recent_days)
    out = Split(start=start, end=end, cut=cut)
    bucket: tuple[dt.datetime, dt.timedelta] | None = None  # the batch the simulated clock is in: start, length
    group: list[Event] = []
    for position, event in enumerate(published):
        latest = max(s for _, s in event.readings)
        if latest >= cut:
            out.tail = published[position:]
            break
        step = HOUR if latest >= recent else DAY
        origin = recent if latest >= recent else start
        now = origin + step * ((latest - origin) // step)
        if bucket is None or now > bucket[0]:
            if group and bucket is not None:
                out.history.append((bucket[0] + bucket[1] + DELAY, group))
            group, bucket = [], (now, step)
        group.append(event)
    if group and bucket is not None:
        out.history.append((bucket[0] + bucket[1] + DELAY, group))
    return out


def write_tail(tail: list[Event], path: Path) -> None:
    """The tail as JSON lines (topic, payload), for ``--publish`` to send without simulating again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for event in tail:
            out.write(json.dumps({"topic": event.topic, "payload": event.payload.decode()}) + "\n")


def read_tail(path: Path) -> list[tuple[str, bytes]]:
    """(topic, payload) of each message :func:`write_tail` kept."""
    out = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            out.append((row["topic"], row["payload"].encode()))
    return out


def load_history(
    session: Session,
    store: ReadingStore,
    today: dt.date,
    seed: int = SEED,
    cut_hour: int = CUT_HOUR,
    limit: int | None = None,
    tail_file: Path | None = None,
) -> dict[str, Any]:
    """Register the demo meters (where a facility has none; at most ``limit`` facilities) and store the
    history through :func:`ingest`."""
    made = register_demo_meters(session, today, limit)
    meters = meter_table(session)
    found = split_events(meters, today, seed, cut_hour)
    if tail_file is not None:
        write_tail(found.tail, tail_file)
    index = MeterIndex.of(meters)
    total, rejected, messages = WriteResult(), 0, 0
    for received_at, group in found.history:
        result = ingest(
            store, index, [Message(e.payload, mqtt.enterprise_of(e.topic)) for e in group], received_at=received_at
        )
        total = total + result.written
        rejected += len(result.rejected)
        messages += result.messages
    return {
        "meters_registered": len(made),
        "meters": len(meters),
        "messages": messages,
        "new": total.new,
        "duplicates": total.duplicates,
        "corrections": total.corrections,
        "rejected": rejected,
        "tail_messages": len(found.tail),
        "from": found.start,
        "cut": found.cut,
    }
