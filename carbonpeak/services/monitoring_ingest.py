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
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.monitoring import backfill as csv_backfill
from carbonpeak.monitoring import mqtt
from carbonpeak.monitoring.batch import ReadingBatch
from carbonpeak.monitoring.payload import Batch, Columns, Item, decode, decode_columns, instants
from carbonpeak.monitoring.readings import Reading, WriteResult, aligned
from carbonpeak.monitoring.store import ReadingStore
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
    gateway gets every problem at once and sends the corrected batch again).

    Well-formed messages whose every reading the registry accepts (the usual case) are handled together as
    columns: their times parsed and checked against the meters' grids in one NumPy pass over all of them
    (:func:`_fast`). Any other message is decoded reading by reading, so that each refusal is named."""
    now = (received_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    result = IngestResult(messages=len(messages))
    fast = _fast(messages, meters, now)
    parts: list[_Part] = []
    errors: list[list[InputError]] = []
    ids: list[str | None] = []
    for position, message in enumerate(messages):
        part = fast.get(position)
        if part is not None:
            parts.append(part)
            ids.append(part.message_id)
            errors.append([])
            continue
        batch = decode(message.payload, message.format_name)  # reading by reading, each problem a coded error
        accepted = _accepted(batch, meters, message.enterprise, now)
        parts.append(
            _Part(
                batch.message_id,
                [item.meter for item, _ in accepted],
                np.array([(at - EPOCH) // dt.timedelta(microseconds=1) for _, at in accepted], np.int64),
                np.array([item.value for item, _ in accepted], np.float64),
                [item.source for item, _ in accepted],
            )
        )
        ids.append(batch.message_id)
        errors.append(batch.errors)
    for message_id, problems in zip(ids, errors, strict=True):
        result.rejected += [(message_id, e) for e in problems]
    result.message_ids = ids
    result.rejected_per_message = [len(e) for e in errors]
    if any(len(p.meter) for p in parts) and not (atomic and result.rejected):
        result.written = store.write_batch(_batch_of(parts, now))
    return result


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NS_PER_US = 1000


@dataclass
class _Part:
    """The accepted readings of one message, as columns (interval starts in UTC epoch microseconds)."""

    message_id: str | None
    meter: Sequence[str]
    start_us: np.ndarray
    value: np.ndarray
    source: str | list[str]


def _batch_of(parts: list[_Part], now: dt.datetime) -> ReadingBatch:
    """The readings of all messages in their order of arrival, as one batch for the store."""
    counts = np.array([len(p.meter) for p in parts], np.int64)
    meter = list(chain.from_iterable(p.meter for p in parts))
    if all(isinstance(p.source, str) for p in parts):
        source: list[str] | np.ndarray = np.repeat(np.array([p.source for p in parts], dtype=object), counts)
    else:
        source = list(
            chain.from_iterable([p.source] * len(p.meter) if isinstance(p.source, str) else p.source for p in parts)
        )
    meter_code, meters = _codes_of(meter)
    source_code, sources = _codes_of(source)
    return ReadingBatch(
        meter_code=meter_code,
        meters=meters,
        interval_start=np.concatenate([p.start_us for p in parts]),
        value=np.concatenate([p.value for p in parts]),
        received_at=np.full(int(counts.sum()), (now - EPOCH) // dt.timedelta(microseconds=1), np.int64),
        message_code=np.repeat(np.arange(len(parts), dtype=np.int32), counts),
        message_ids=[p.message_id for p in parts],
        source_code=source_code,
        sources=sources,
    )


def _codes_of(values: Sequence[str] | np.ndarray) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes.astype(np.int32), list(uniques)


def _fast(messages: Sequence[Message], meters: MeterIndex, now: dt.datetime) -> dict[int, _Part]:
    """The messages (by position) that are well formed and whose every reading the registry accepts by the
    rules of :func:`_accepted` (a known meter of the enterprise, not retired, on the meter's interval grid
    within the tolerance, not in the future), as columns. The times of all of them are parsed in one call
    and checked in one NumPy pass; a message with any problem is left out (the caller decodes it reading by
    reading and names each problem)."""
    chosen: list[tuple[int, Columns]] = []
    interval: dict[str, int] = {}
    for position, message in enumerate(messages):
        columns = decode_columns(message.payload, message.format_name)
        if columns is not None and _meters_accepted(columns, meters, message.enterprise, interval):
            chosen.append((position, columns))
    if not chosen:
        return {}
    counts = np.array([len(c.meter) for _, c in chosen], np.int64)
    ns = instants(list(chain.from_iterable(c.start for _, c in chosen)))
    if ns is None:  # some time is not valid: find whose, message by message
        each = [instants(c.start) for _, c in chosen]
        keep = [i for i, parsed in enumerate(each) if parsed is not None]
        chosen, counts = [chosen[i] for i in keep], counts[keep]
        if not chosen:
            return {}
        ns = np.concatenate([parsed for parsed in each if parsed is not None])
    meter = list(chain.from_iterable(c.meter for _, c in chosen))
    minutes = {interval[m] for _, c in chosen for m in set(c.meter)}
    step = (
        np.int64(minutes.pop() * 60_000_000_000)
        if len(minutes) == 1
        else np.array([interval[m] for m in meter], np.int64) * 60_000_000_000
    )
    rest = ns % step
    down = rest * 2 < step
    starts = np.where(down, ns - rest, ns + step - rest)
    now_ns = (now - EPOCH) // dt.timedelta(microseconds=1) * NS_PER_US
    bad = (np.where(down, rest, step - rest) > ALIGN_TOLERANCE_S * 1_000_000_000) | (starts > now_ns + step)
    ends = np.cumsum(counts)
    refused = np.add.reduceat(bad, ends - counts) if bad.any() else np.zeros(len(chosen), bool)
    out: dict[int, _Part] = {}
    for (position, columns), end, count, no in zip(chosen, ends, counts, refused, strict=True):
        if not no:
            out[position] = _Part(
                columns.message_id, columns.meter, starts[end - count : end] // NS_PER_US, columns.value, columns.source
            )
    return out


def _meters_accepted(columns: Columns, meters: MeterIndex, enterprise: str | None, interval: dict[str, int]) -> bool:
    """Every meter of the message known, of ``enterprise`` and not retired (``interval`` gets their
    collection intervals)."""
    for code in set(columns.meter):
        info = meters.get(code)
        if info is None or (enterprise is not None and info.enterprise_code != enterprise):
            return False
        if info.status == "retired":
            return False
        interval[code] = info.interval_min
    return True


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
