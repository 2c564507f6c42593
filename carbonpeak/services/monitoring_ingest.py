"""The one ingest pipeline of meter readings, whatever brought them: MQTT (:mod:`carbonpeak.monitoring.mqtt`)
and a CSV backfill (:func:`backfill`) now; an HTTP endpoint for gateways is to call the same function.

:func:`ingest` takes raw payloads (one or many messages), decodes each (:mod:`carbonpeak.monitoring.payload`),
checks every reading against the meter registry (a known meter, of the enterprise the gateway speaks for,
not retired; its time on the meter's interval grid; not in the future), and writes all accepted readings of
all the messages in ONE store transaction (:mod:`carbonpeak.monitoring.store`), which is committed before
it returns. The caller acknowledges the messages only after that (MQTT: the PUBACK is sent after commit),
so a crash between receipt and commit means the message is delivered again, and the store's idempotent key
makes the second delivery count once.

A reading refused here (an unknown meter, a time off the grid) is reported, not stored; its message is still
acknowledged, since sending it again cannot make it right. A fault of the store (the database down) raises:
nothing is acknowledged.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.monitoring import backfill as csv_backfill
from carbonpeak.monitoring import mqtt
from carbonpeak.monitoring.payload import Batch, Columns, Item, decode, decode_columns
from carbonpeak.monitoring.readings import Reading, WriteResult, aligned
from carbonpeak.monitoring.store import ReadingStore, columns
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.monitoring import meter_table

ALIGN_TOLERANCE_S = 60  # a gateway clock a little off still labels its interval (see readings.aligned)


@dataclass(frozen=True)
class MeterInfo:
    code: str
    enterprise_code: str
    interval_min: int
    status: str


class MeterIndex:
    """The registry's meters as ingest needs them, reloaded from ``load`` at most every ``refresh_s``
    seconds (a meter registered while the service runs is known within that time)."""

    def __init__(self, load: Callable[[], list[dict[str, Any]]], refresh_s: float = 60.0) -> None:
        self._load, self._refresh_s = load, refresh_s
        self._meters: dict[str, MeterInfo] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    @classmethod
    def of(cls, meters: list[dict[str, Any]]) -> MeterIndex:
        """A fixed index (tests, the simulator)."""
        return cls(lambda: meters, refresh_s=float("inf"))

    def get(self, code: str) -> MeterInfo | None:
        with self._lock:
            if time.monotonic() - self._loaded_at > self._refresh_s or (self._loaded_at == float("-inf")):
                self._meters = {
                    m["meter_code"]: MeterInfo(
                        m["meter_code"], m.get("enterprise_code") or "", int(m["interval_min"]), m["status"]
                    )
                    for m in self._load()
                }
                self._loaded_at = time.monotonic()
            return self._meters.get(code)


@dataclass
class Message:
    """One received message: its bytes, and what the transport says about its sender."""

    payload: bytes
    enterprise: str | None = None  # the enterprise the gateway speaks for (MQTT topic, HTTP token)
    format_name: str | None = None


@dataclass
class IngestResult:
    messages: int = 0
    written: WriteResult = field(default_factory=WriteResult)
    rejected: list[tuple[str | None, InputError]] = field(default_factory=list)  # (message id, problem)
    message_ids: list[str | None] = field(default_factory=list)  # of each message, in order (None: unreadable)
    rejected_per_message: list[int] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.written.received


def check(batch: Batch, meters: MeterIndex, enterprise: str | None, received_at: dt.datetime) -> list[Reading]:
    """The batch's readings that the registry accepts; every other one becomes a coded error in the batch."""
    return [
        Reading(item.meter, start, item.value, received_at, batch.message_id, item.source)
        for item, start in _accepted(batch, meters, enterprise, received_at)
    ]


def _accepted(
    batch: Batch, meters: MeterIndex, enterprise: str | None, received_at: dt.datetime
) -> list[tuple[Item, dt.datetime]]:
    """The items the registry accepts, each with its interval start (UTC); the others become coded errors."""
    out: list[tuple[Item, dt.datetime]] = []
    for item in batch.items:
        info = meters.get(item.meter)
        if info is None or (enterprise is not None and info.enterprise_code != enterprise):
            batch.errors.append(
                InputError(code="monitoring.unknown_meter", field="meter", value=item.meter, record=item.index)
            )
            continue
        if info.status == "retired":
            batch.errors.append(
                InputError(code="monitoring.meter_retired", field="meter", value=item.meter, record=item.index)
            )
            continue
        start = aligned(item.start, info.interval_min, ALIGN_TOLERANCE_S)
        if start is None:
            batch.errors.append(
                InputError(
                    code="monitoring.not_aligned",
                    field="start",
                    value=item.start.isoformat(),
                    record=item.index,
                    interval=info.interval_min,
                )
            )
            continue
        if start > received_at + dt.timedelta(minutes=info.interval_min):
            batch.errors.append(
                InputError(
                    code="monitoring.future_reading", field="start", value=item.start.isoformat(), record=item.index
                )
            )
            continue
        out.append((item, start))
    return out


def ingest(
    store: ReadingStore,
    meters: MeterIndex,
    messages: Sequence[Message],
    *,
    received_at: dt.datetime | None = None,
    atomic: bool = False,
) -> IngestResult:
    """Decode, check and store a set of messages in one transaction; returns once it is committed.
    ``atomic``: when any reading of any message is refused, nothing is written (the HTTP endpoint: a
    gateway gets every problem at once and sends the corrected batch again)."""
    now = received_at or dt.datetime.now(dt.UTC)
    result = IngestResult(messages=len(messages))
    # the accepted readings as columns, not Reading objects (the store takes columns: store.write_frame)
    meter: list[str] = []
    start: list[np.ndarray] = []  # UTC epoch nanoseconds, per message
    value: list[float] = []
    message_id: list[str | None] = []
    source: list[str] = []
    for message in messages:
        fast = decode_columns(message.payload, message.format_name)
        starts = _accepted_columns(fast, meters, message.enterprise, now) if fast is not None else None
        if fast is not None and starts is not None:  # every reading well formed and accepted: no object per reading
            meter += fast.meter
            start.append(starts)
            value += fast.value
            message_id += [fast.message_id] * len(fast.meter)
            source += fast.source
            result.message_ids.append(fast.message_id)
            result.rejected_per_message.append(0)
            continue
        batch = decode(message.payload, message.format_name)  # reading by reading, each problem a coded error
        accepted = _accepted(batch, meters, message.enterprise, now)
        for item, _ in accepted:
            meter.append(item.meter)
            value.append(item.value)
            message_id.append(batch.message_id)
            source.append(item.source)
        start.append(np.array([(at - EPOCH) // dt.timedelta(microseconds=1) * 1000 for _, at in accepted], np.int64))
        result.rejected += [(batch.message_id, e) for e in batch.errors]
        result.message_ids.append(batch.message_id)
        result.rejected_per_message.append(len(batch.errors))
    if meter and not (atomic and result.rejected):
        starts = pd.to_datetime(np.concatenate(start), unit="ns", utc=True)
        result.written = store.write_frame(columns(meter, starts, value, now.astimezone(dt.UTC), message_id, source))
    return result


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _accepted_columns(
    fast: Columns, meters: MeterIndex, enterprise: str | None, received_at: dt.datetime
) -> np.ndarray | None:
    """The interval starts (UTC epoch nanoseconds) of a well-formed message when the registry accepts every
    one of its readings by the rules of :func:`_accepted` (known meter of the enterprise, not retired, on the
    meter's interval grid within the tolerance, not in the future); None when any is refused (then the
    message goes reading by reading, so that each refusal is named)."""
    interval: dict[str, int] = {}
    for code in set(fast.meter):
        info = meters.get(code)
        if info is None or (enterprise is not None and info.enterprise_code != enterprise):
            return None
        if info.status == "retired":
            return None
        interval[code] = info.interval_min
    try:
        ns = pd.to_datetime(fast.start, format="ISO8601", utc=True).as_unit("ns").asi8
    except (ValueError, TypeError, OverflowError):
        return None
    minutes = set(interval.values())
    step = (
        np.int64(minutes.pop() * 60_000_000_000)
        if len(minutes) == 1
        else np.array([interval[m] for m in fast.meter], np.int64) * 60_000_000_000
    )
    rest = ns % step
    down = rest * 2 < step
    if (np.where(down, rest, step - rest) > ALIGN_TOLERANCE_S * 1_000_000_000).any():
        return None
    starts = np.where(down, ns - rest, ns + step - rest)
    now_ns = (received_at.astimezone(dt.UTC) - EPOCH) // dt.timedelta(microseconds=1) * 1000
    if (starts > now_ns + step).any():
        return None
    return np.asarray(starts, np.int64)


def ingest_payloads(
    store: ReadingStore, meters: MeterIndex, payloads: Iterable[bytes], enterprise: str | None = None
) -> IngestResult:
    """:func:`ingest` of plain payloads from one sender."""
    return ingest(store, meters, [Message(p, enterprise) for p in payloads])


def backfill(
    session: Session,
    principal: Principal,
    store: ReadingStore,
    data: bytes,
    enterprise_code: str,
    *,
    format_name: str = csv_backfill.FORMAT,
) -> IngestResult:
    """Store a file of past readings of one enterprise's meters (CSV by default) with their real timestamps,
    through the same pipeline: the person must be able to report for the enterprise (its own user, or the
    administrator); the file is one message, so importing it again changes nothing."""
    access.require(principal, "submission.report")
    access.get_enterprise(session, principal, enterprise_code)
    meters = MeterIndex.of(meter_table(session))
    return ingest(store, meters, [Message(data, enterprise_code, format_name)])


def mqtt_handler(
    store: ReadingStore,
    meters: MeterIndex,
    root: str = mqtt.TOPIC_ROOT,
    ack_root: str = mqtt.ACK_ROOT,
    on_result: Callable[[IngestResult], None] | None = None,
) -> mqtt.Handler:
    """The subscriber's handler: the messages' enterprise from their topics, one :func:`ingest` (committed
    when it returns), and an acknowledgement per message for its gateway (``ack_root``/enterprise/gateway):
    ``{"message_id", "stored": true, "rejected": n}``; a message that could not be read is acknowledged with
    ``"message_id": null``."""

    def handle(batch: Sequence[mqtt.Received]) -> list[tuple[str, bytes]]:
        result = ingest(store, meters, [Message(r.payload, mqtt.enterprise_of(r.topic, root)) for r in batch])
        if on_result is not None:
            on_result(result)
        replies = []
        for received, message_id, rejected in zip(batch, result.message_ids, result.rejected_per_message, strict=True):
            body = {"message_id": message_id, "stored": True, "rejected": rejected}
            replies.append((mqtt.ack_topic(received.topic, root, ack_root), json.dumps(body).encode()))
        return replies

    return handle
