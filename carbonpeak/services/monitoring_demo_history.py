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

The values are made up (see the simulator): they exercise the pipeline and the pages; no plant's data. The
plant-level meters of a facility that reported last month (electricity, electrolysis AC, fuels) run at that
month's reported quantities (so days secure the month as they should), except at ``DIFFERS``: its reported month is
8 % above what its meters measure, so the reconciliation warning (计量月度值偏差超限) has a case to show.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from carbonpeak.monitoring import mqtt, reconcile
from carbonpeak.monitoring.readings import WriteResult
from carbonpeak.monitoring.rollups import local_timezone
from carbonpeak.monitoring.simulate import Behaviour, Event, events
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.services.monitoring import meter_table
from carbonpeak.services.monitoring_demo import register_demo_meters
from carbonpeak.services.monitoring_ingest import Message, MeterIndex, ingest
from carbonpeak.services.monitoring_month import latest_records
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import FUELS

CUT_HOUR = 20  # local hour of the demo's day from which the simulated readings come over MQTT
# The history is stored a day of messages per transaction, the last RECENT_DAYS an hour per transaction: one
# transaction per hour throughout took 5.5 min for the demo's 181 meters on this machine, a day per
# transaction 1 min (docs/monitoring.md).
RECENT_DAYS = 2
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)
DELAY = dt.timedelta(seconds=90)  # a batch's messages arrive this long after its day or hour ended
SEED = 2026
DIFFERS = {"AL03": 1.08}  # facility: reported / metered (the demo's one month beyond the tolerance of 5 %)


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


def reported_levels(session: Session, meters: list[dict[str, Any]], today: dt.date) -> dict[str, float]:
    """Per plant-level meter (electricity, electrolysis AC, a fuel), the quantity per interval in its unit that
    makes its month the facility's reported last month (site electricity, electrolysis AC, the fuel's line),
    shared equally among the facility's meters of that point and carrier; at ``DIFFERS`` the reported month
    is that factor above the meters."""
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = f"{first.year:04d}-{first.month:02d}"
    days = (today.replace(day=1) - first).days
    records = latest_records(session, {m["facility_code"] for m in meters}, month)
    wanted = [
        m
        for m in meters
        if (m["energy_type"] == "electricity" and m["measuring_point"] in ("plant", "electrolysis_ac"))
        or (m["energy_type"] in FUELS and m["measuring_point"] == "plant")
    ]
    sharing: dict[tuple[str, str, str], int] = {}
    for m in wanted:
        key = (m["facility_code"], m["energy_type"], m["measuring_point"])
        sharing[key] = sharing.get(key, 0) + 1
    levels: dict[str, float] = {}
    for m in wanted:
        version = records.get(m["facility_code"])
        if version is None:
            continue
        amount = _reported_amount(version.record, m)
        if amount is None:
            continue
        intervals = days * 24 * 60 // int(m["interval_min"] or 15)
        share = amount / sharing[(m["facility_code"], m["energy_type"], m["measuring_point"])]
        levels[m["meter_code"]] = share / intervals / DIFFERS.get(m["facility_code"], 1.0)
    return levels


def _reported_amount(record: dict[str, Any], meter: dict[str, Any]) -> float | None:
    """What the reported month gives for this meter's carrier and point, in the meter's unit (None: nothing)."""
    unit = str(meter["unit"])
    try:
        if meter["energy_type"] == "electricity":
            figure = "site_electricity_mwh" if meter["measuring_point"] == "plant" else "electrolysis_ac_mwh"
            mwh = reconcile.reported_figures(record)[figure]
            return None if mwh is None else mwh * conversion_factor("MWh", unit)
        code = meter["energy_type"]
        line = next((x for x in record.get("fuels") or [] if x.get("fuel") == code), None)
        amount = 0.0 if line is None else float(line.get("amount") or 0.0)  # a fuel not reported: none used
        return amount * conversion_factor(FUELS[code].unit, unit)
    except (KeyError, ValueError, TypeError):  # a unit the conversion does not know: the made-up level stays
        return None


def split_events(
    meters: list[dict[str, Any]],
    today: dt.date,
    seed: int = SEED,
    cut_hour: int = CUT_HOUR,
    recent_days: int = RECENT_DAYS,
    levels: dict[str, float] | None = None,
) -> Split:
    """The demo's events, cut into the history (batches of a day of the simulated clock, of an hour in the
    last ``recent_days`` before the cut; each with its arrival) and the MQTT tail."""
    start, end, cut = window(today, cut_hour=cut_hour)
    stuck = next((m["meter_code"] for m in meters if m["measuring_point"] == "process"), None)
    published, _ = events(meters, start, end, seed=seed, behaviour=Behaviour(stuck=stuck), levels_given=levels)
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
    found = split_events(meters, today, seed, cut_hour, levels=reported_levels(session, meters, today))
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
