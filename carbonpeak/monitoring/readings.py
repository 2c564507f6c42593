"""The reading model.

A reading is one value of one meter for one collection interval, keyed by ``(meter, interval_start)``:

* ``interval_start`` is an instant in UTC, the **start** of the period the value belongs to. The national
  monitoring system labels uploaded data with the start of the statistical period (anchors-next §1.2:
  "上传数据的时间标签应为数据统计周期的起始时间", DB34/T 4689-2024 §5.4.1); we use the same rule inside.
* For an *interval* meter the value is what flowed during ``[interval_start, interval_start + interval)``.
  For a *register* meter (a cumulative counter) the value is the register as read at the instant
  ``interval_start``; the interval's consumption is the next reading minus this one (:mod:`.rollups`).
* Values are stored as the meter sent them (in the meter's unit, before its multiplier): what the meter
  said is evidence; the multiplier is applied in the rollups from the meter's record.

The store keeps versions (:mod:`.store`): the same value sent again is a duplicate and changes nothing;
a different value for the same key is a correction, stored as version n+1 beside version n.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

UTC = dt.UTC
SOURCES = ("live", "resend", "backfill", "manual")
INTERVALS_MIN = (15, 30, 60)  # 15 min standard; 30 min or 1 h where 15 is hard (anchors-next §1.2)
DEFAULT_INTERVAL_MIN = 15


@dataclass(frozen=True)
class Reading:
    """One meter value for one interval, as received."""

    meter: str
    interval_start: dt.datetime  # aware, UTC
    value: float
    received_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(UTC))
    message_id: str | None = None
    source: str = "live"

    def __post_init__(self) -> None:
        if self.interval_start.tzinfo is None:
            raise ValueError("interval_start must carry its offset (UTC or local with offset)")
        object.__setattr__(self, "interval_start", self.interval_start.astimezone(UTC))
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must carry its offset")
        object.__setattr__(self, "received_at", self.received_at.astimezone(UTC))

    @property
    def key(self) -> tuple[str, dt.datetime]:
        return (self.meter, self.interval_start)


@dataclass(frozen=True)
class WriteResult:
    """What one write did: readings new to the store, duplicates (changed nothing), corrections (new
    versions beside the old ones). ``new + duplicates + corrections`` is the number of readings given."""

    new: int = 0
    duplicates: int = 0
    corrections: int = 0

    @property
    def received(self) -> int:
        return self.new + self.duplicates + self.corrections

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(
            self.new + other.new, self.duplicates + other.duplicates, self.corrections + other.corrections
        )


def aligned(instant: dt.datetime, interval_min: int, tolerance_s: int = 0) -> dt.datetime | None:
    """The start of the collection interval ``instant`` labels, or None when it is not on the interval grid.

    The grid is counted from midnight UTC; for the whole-hour offsets of China (UTC+8) that is also local
    midnight. ``tolerance_s`` lets a gateway's clock be a little off: an instant within that many seconds of
    a grid point is taken as that point (our choice; the national tolerance of 1 min is stated for daily
    data, anchors-next §1.2)."""
    instant = instant.astimezone(UTC)
    step = interval_min * 60
    seconds = instant.hour * 3600 + instant.minute * 60 + instant.second + instant.microsecond / 1e6
    nearest = round(seconds / step) * step
    if abs(seconds - nearest) > tolerance_s:
        return None
    midnight = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + dt.timedelta(seconds=nearest)


def rounds(readings: list[Reading]) -> list[list[Reading]]:
    """Split readings so that no key appears twice in one round, keeping the order of arrival.

    A batch may carry the same key twice: the same value again (then counted as a duplicate against the
    version the earlier round wrote) or a different value (a correction sent right after); each round is
    merged after the one before, so the later value becomes the later version."""
    depth: dict[tuple[str, dt.datetime], int] = {}
    out: list[list[Reading]] = []
    for reading in readings:
        level = depth.get(reading.key, -1) + 1
        depth[reading.key] = level
        if level == len(out):
            out.append([])
        out[level].append(reading)
    return out
