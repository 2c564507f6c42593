"""A simulator of a province's meters that behaves like the field: one gateway per facility publishes, every
collection interval, one batch with the readings of its meters; some batches are lost for good (dropouts),
some are published twice (duplicates, as QoS 1 does), some are held back and resent later (late resends,
marked ``resend``), and one meter is stuck (its value stops changing). A meter past its calibration date is a
registry fact (:func:`carbonpeak.services.monitoring_demo.register_demo_meters` registers one).

The values are made up (a daily swing and noise around a level per meter): they exercise the pipeline and
the quality indices; they are not data of any plant. The same seed gives the same events.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from carbonpeak.monitoring.mqtt import TOPIC_ROOT, topic_for
from carbonpeak.monitoring.payload import encode_json


@dataclass(frozen=True)
class Event:
    """One publication: where, what, and why (live, duplicate or resend)."""

    topic: str
    payload: bytes
    kind: str
    message_id: str
    readings: tuple[tuple[str, dt.datetime], ...]


@dataclass
class Truth:
    """What the events hold, to check a store against: the keys published at least once, and how many
    readings were published more than once."""

    keys: set[tuple[str, dt.datetime]] = field(default_factory=set)
    duplicate_readings: int = 0
    dropped_readings: int = 0
    resent_readings: int = 0
    stuck_meter: str | None = None


@dataclass(frozen=True)
class Behaviour:
    dropout: float = 0.02  # share of batches lost for good
    late: float = 0.03  # share of batches held back and resent later
    late_after: int = 8  # resent this many intervals later
    duplicate: float = 0.03  # share of batches published twice
    stuck: str | None = None  # the meter whose value stops changing (halfway through)


def _level(rng: random.Random, meter: dict[str, Any]) -> float:
    """A made-up quantity per interval, by energy type (simulation only)."""
    scale = {"electricity": 5000.0, "heat": 50.0, "water": 20.0}.get(str(meter.get("energy_type")), 30.0)
    return scale * rng.uniform(0.5, 2.0)


def events(
    meters: list[dict[str, Any]],
    start: dt.datetime,
    end: dt.datetime,
    *,
    seed: int = 15,
    behaviour: Behaviour | None = None,
    root: str = TOPIC_ROOT,
    levels_given: Mapping[str, float] | None = None,
) -> tuple[list[Event], Truth]:
    """Every publication of ``meters`` (registry records with ``facility_code`` and ``enterprise_code``) for
    the intervals in ``[start, end)``, in publication order, and the truth about them. ``levels_given``: a
    meter's mean quantity per interval in its unit (before the multiplier) where the caller knows one (the
    demo takes it from the facility's reported month); the others get a made-up level."""
    how = behaviour or Behaviour()
    rng = random.Random(seed)
    truth = Truth(stuck_meter=how.stuck)
    by_gateway: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for meter in meters:
        if meter.get("status", "active") != "active":
            continue
        by_gateway.setdefault((meter["enterprise_code"], f"GW-{meter['facility_code']}"), []).append(meter)
    levels = {m["meter_code"]: _level(rng, m) for m in meters}  # drawn for every meter: same seed, same noise
    levels.update(levels_given or {})
    registers = {m["meter_code"]: round(rng.uniform(1e4, 1e6), 1) for m in meters}
    step = dt.timedelta(minutes=min(int(m.get("interval_min") or 15) for m in meters) if meters else 15)
    halfway = start + (end - start) / 2
    out: list[Event] = []
    held: list[tuple[int, Event]] = []
    sequence = 0
    t, tick = start, 0
    while t < end:
        for (enterprise, gateway), group in sorted(by_gateway.items()):
            rows: list[tuple[str, dt.datetime, float]] = []
            for meter in group:
                interval = dt.timedelta(minutes=int(meter.get("interval_min") or 15))
                if (t - start) % interval:
                    continue
                code = meter["meter_code"]
                hour = t.hour + t.minute / 60
                quantity = levels[code] * (1 + 0.15 * math.sin(2 * math.pi * hour / 24)) * rng.uniform(0.95, 1.05)
                frozen = code == how.stuck and t >= halfway
                if meter["reading_kind"] == "register":
                    rows.append((code, t, registers[code]))
                    if not frozen:
                        registers[code] = round(registers[code] + quantity / float(meter.get("multiplier") or 1), 1)
                        rollover = meter.get("rollover_at")
                        if rollover and registers[code] >= rollover:
                            registers[code] = round(registers[code] - rollover, 1)
                else:
                    value = levels[code] if frozen else quantity / float(meter.get("multiplier") or 1)
                    rows.append((code, t, round(value, 1)))
            if not rows:
                continue
            sequence += 1
            message_id = f"{gateway}-{sequence:08d}"
            keys = tuple((m, s) for m, s, _ in rows)
            draw = rng.random()
            if draw < how.dropout:
                truth.dropped_readings += len(rows)
                continue
            topic = topic_for(enterprise, gateway, root)
            if draw < how.dropout + how.late:
                resend = Event(
                    topic, encode_json(message_id, gateway, rows, source="resend"), "resend", message_id, keys
                )
                held.append((tick + how.late_after, resend))
                truth.resent_readings += len(rows)
                truth.keys.update(keys)
                continue
            live = Event(topic, encode_json(message_id, gateway, rows), "live", message_id, keys)
            out.append(live)
            truth.keys.update(keys)
            if draw < how.dropout + how.late + how.duplicate:
                out.append(Event(live.topic, live.payload, "duplicate", message_id, keys))
                truth.duplicate_readings += len(rows)
        tick += 1
        t += step
        due = [e for when, e in held if when <= tick]
        held = [(when, e) for when, e in held if when > tick]
        out += due
    out += [e for _, e in held]  # what is still held back is resent at the end
    return out, truth


def batches(items: list[Event], size: int) -> Iterator[list[Event]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
