"""Payloads of meter readings: carbonpeak's own JSON format, and the registry of decoders.

**carbonpeak.readings/1** (one message = one batch of one gateway)::

    {
      "format": "carbonpeak.readings/1",          # optional; this format when absent
      "message_id": "GW-17-000123",               # required, unique per gateway and message
      "gateway": "GW-17",                         # required
      "sent_at": "2026-03-01T10:15:04+08:00",     # optional
      "source": "live",                           # optional: live (default), resend, backfill, manual
      "readings": [                               # required, at least one
        {"meter": "AL1-E01", "start": "2026-03-01T10:00:00+08:00", "value": 123456.7},
        {"meter": "AL1-E01", "start": "2026-03-01T02:15:00Z", "value": 123502.1, "source": "resend"}
      ]
    }

``start`` is the start of the interval the value belongs to (the national time-label rule), in UTC (``Z``)
or local time with its offset; a time without an offset is refused (it cannot be placed in time). ``value``
is what the meter sends, in its registered unit, before its multiplier: a register's reading at ``start``
or the interval's quantity. A reading may name its own ``source`` (a gateway resending a stored history
marks it ``resend``).

**Other formats.** A decoder turns bytes into a :class:`Batch`; :func:`register_decoder` adds one under a
format name, and a payload names its format in ``format`` (or the transport chooses one). The upload
format of GB/T 37947 (parts 1, 3 and 7) can be added this way once its text is available: its field names,
data-item coding and energy-type codes were not found in our sources and are not guessed here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import pandas as pd

from carbonpeak.errors import InputError
from carbonpeak.monitoring.readings import SOURCES

FORMAT = "carbonpeak.readings/1"


@dataclass(frozen=True)
class Item:
    """One reading as decoded, not yet checked against the meter registry."""

    index: int
    meter: str
    start: dt.datetime  # aware
    value: float
    source: str


@dataclass
class Batch:
    """One decoded message: its identity and its readings, with every problem found while decoding."""

    message_id: str | None
    gateway: str | None
    source: str = "live"
    sent_at: dt.datetime | None = None
    items: list[Item] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


Decoder = Callable[[bytes], Batch]
_DECODERS: dict[str, Decoder] = {}


def register_decoder(name: str, decoder: Decoder) -> None:
    """Make a payload format known under ``name``."""
    _DECODERS[name] = decoder


def decoders() -> list[str]:
    return sorted(_DECODERS)


def decode(data: bytes, format_name: str | None = None) -> Batch:
    """The batch in ``data``: by ``format_name`` when the transport says, else by the payload's ``format``
    field, else carbonpeak's own format."""
    name = format_name
    head: Any = None
    if name is None:
        try:
            head = _loads(data)
            name = head.get("format") if isinstance(head, dict) else None
        except ValueError:
            name = None
    if (name or FORMAT) == FORMAT and isinstance(head, dict) and _DECODERS.get(FORMAT) is decode_json:
        return _decode_body(head)  # parsed once (a large batch costs its parse twice otherwise)
    decoder = _DECODERS.get(name or FORMAT)
    if decoder is None:
        batch = Batch(message_id=None, gateway=None)
        batch.errors.append(InputError(code="monitoring.payload_format", field="format", value=name, known=decoders()))
        return batch
    return decoder(data)


def _loads(data: bytes) -> Any:
    """JSON with orjson (fast); what only Python's reader takes (``NaN``: a reading then refused as not a
    number, not the whole message) with it."""
    try:
        return orjson.loads(data)
    except ValueError:
        pass
    try:
        return json.loads(data)
    except RecursionError:  # nested thousands deep: not a message (orjson stops at 1,024 levels)
        raise ValueError("nested too deep") from None


def _finite(value: int | float) -> bool:
    """A number a meter can send: not NaN, not ±infinity (``1e999`` in JSON reads as infinity)."""
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond a double
        return False


def _time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def decode_json(data: bytes) -> Batch:
    """Decode carbonpeak.readings/1; every problem is a coded error naming the reading (its index)."""
    try:
        body = _loads(data)
    except (ValueError, UnicodeDecodeError):
        batch = Batch(message_id=None, gateway=None)
        batch.errors.append(InputError(code="monitoring.payload_not_json"))
        return batch
    return _decode_body(body)


def _decode_body(body: Any) -> Batch:
    if not isinstance(body, dict):
        batch = Batch(message_id=None, gateway=None)
        batch.errors.append(InputError(code="monitoring.payload_not_json"))
        return batch
    batch = Batch(message_id=_text(body.get("message_id")), gateway=_text(body.get("gateway")))
    for name in ("message_id", "gateway"):
        if getattr(batch, name) is None:
            batch.errors.append(InputError(code="monitoring.payload_field_missing", field=name))
    source = body.get("source", "live")
    if source not in SOURCES:
        batch.errors.append(InputError(code="monitoring.payload_source", field="source", value=source, allowed=SOURCES))
        source = "live"
    batch.source = source
    batch.sent_at = _time(body.get("sent_at"))
    readings = body.get("readings")
    if not isinstance(readings, list) or not readings:
        batch.errors.append(InputError(code="monitoring.payload_field_missing", field="readings"))
        return batch
    for index, raw in enumerate(readings):
        if not isinstance(raw, dict):
            batch.errors.append(InputError(code="monitoring.payload_reading", record=index))
            continue
        meter = _text(raw.get("meter"))
        start = _time(raw.get("start"))
        value = raw.get("value")
        item_source = raw.get("source", source)
        problems = []
        if meter is None:
            problems.append(InputError(code="monitoring.payload_field_missing", field="meter", record=index))
        if start is None:
            problems.append(
                InputError(code="monitoring.payload_time", field="start", value=raw.get("start"), record=index)
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            problems.append(InputError(code="monitoring.not_a_number", field="value", value=value, record=index))
        if item_source not in SOURCES:
            problems.append(
                InputError(
                    code="monitoring.payload_source", field="source", value=item_source, record=index, allowed=SOURCES
                )
            )
        if problems:
            batch.errors += problems
            continue
        assert meter is not None and start is not None and isinstance(value, int | float)
        batch.items.append(Item(index, meter, start, float(value), str(item_source)))
    return batch


@dataclass
class Columns:
    """A well-formed carbonpeak.readings/1 message as columns (:func:`decode_columns`): times not yet parsed
    (:func:`instants` parses the times of many messages at once)."""

    message_id: str
    meter: Sequence[str]
    start: Sequence[str]
    value: np.ndarray  # float64
    source: str | list[str]  # one source for every reading (the usual case), or each reading's own


_READING = operator.itemgetter("meter", "start", "value")


def decode_columns(data: bytes, format_name: str | None = None) -> Columns | None:
    """carbonpeak.readings/1 as columns, without an object per reading, when every part of the message is well
    formed (the usual case); None otherwise, and then :func:`decode` says what is wrong, reading by reading.
    The ingest's fast path (:func:`carbonpeak.services.monitoring_ingest.ingest`). The checks are made per
    column in C loops (the types of a column as one set; a meter code's spelling once per distinct code);
    the times are checked where they are parsed (:func:`instants`)."""
    if format_name not in (None, FORMAT) or _DECODERS.get(FORMAT) is not decode_json:
        return None
    try:
        body = orjson.loads(data)
    except ValueError:
        return None
    if type(body) is not dict or body.get("format", FORMAT) != FORMAT:
        return None
    message_id, readings, source = body.get("message_id"), body.get("readings"), body.get("source", "live")
    if (
        not (type(message_id) is str and message_id.strip() == message_id and message_id)
        or _text(body.get("gateway")) is None
    ):
        return None
    if source not in SOURCES or type(readings) is not list or not readings:
        return None
    if not all(type(r) is dict for r in readings):
        return None
    try:
        meter, start, value = zip(*map(_READING, readings), strict=True)
    except KeyError:
        return None
    sources: str | list[str] = source
    if sum(map(len, readings)) != 3 * len(readings):  # some reading carries more than meter, start, value
        sources = [r.get("source", source) for r in readings]
        if not set(sources) <= set(SOURCES):
            return None
    if set(map(type, meter)) != {str} or set(map(type, start)) != {str}:
        return None
    if not all(m and m.strip() == m for m in set(meter)):
        return None
    if not set(map(type, value)) <= {float, int}:  # not bool, not a numeric string
        return None
    try:
        values = np.array(value, dtype=np.float64)
    except OverflowError:  # an integer beyond a double
        return None
    return Columns(message_id, meter, start, values, sources)


def _has_offset(text: Any) -> bool:
    return type(text) is str and len(text) > 6 and (text[-1] == "Z" or (text[-6] in "+-" and text[-3] == ":"))


_DIGITS_AT = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_ZERO = ord("0")


def instants(texts: Sequence[str]) -> np.ndarray | None:
    """ISO 8601 times with their offsets (``2026-03-01T10:00:00+08:00`` or ``2026-03-01T02:00:00Z``, a space
    allowed for the ``T``) as UTC epoch nanoseconds, in C loops: when all have one of these two fixed
    shapes they are read as a byte matrix by NumPy (each field checked: digits where digits belong, a real
    date, hours below 24 ...), otherwise by pandas' ISO 8601 parser. None when any time is not a valid time
    with its offset (the caller then decodes reading by reading and names it)."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, np.int64)
    width = len(texts[0])
    joined = "".join(texts)
    if width in (20, 25) and len(joined) == n * width and joined.isascii():
        grid = np.frombuffer(joined.encode("ascii"), np.uint8).reshape(n, width)
        ok = (
            (grid[:, _DIGITS_AT] - _ZERO < 10).all()
            and (grid[:, [4, 7]] == ord("-")).all()
            and np.isin(grid[:, 10], (ord("T"), ord(" "))).all()
            and (grid[:, [13, 16]] == ord(":")).all()
        )
        if width == 20:
            ok = ok and bool((grid[:, 19] == ord("Z")).all())
            offset = np.zeros(n, np.int64)
        else:
            digits = grid[:, [20, 21, 23, 24]].astype(np.int64) - _ZERO
            ok = ok and bool(
                np.isin(grid[:, 19], (ord("+"), ord("-"))).all()
                and (grid[:, 22] == ord(":")).all()
                and ((digits >= 0) & (digits < 10)).all()
            )
            hours, minutes = digits[:, 0] * 10 + digits[:, 1], digits[:, 2] * 10 + digits[:, 3]
            ok = ok and bool((hours < 24).all() and (minutes < 60).all())
            offset = np.where(grid[:, 19] == ord("-"), -1, 1) * (hours * 3600 + minutes * 60)
        year = (grid[:, :4].astype(np.int64) - _ZERO) @ np.array([1000, 100, 10, 1])
        if not ok or not ((year >= 1900) & (year < 2200)).all():  # other years: pandas or the slow path
            return None
        local = np.ascontiguousarray(grid[:, :19]).copy()
        local[:, 10] = ord("T")
        try:
            seconds = local.view("S19").ravel().astype("datetime64[s]").astype(np.int64)
        except ValueError:  # no such date or time (30 February, 24:00, 60 s)
            return None
        return (seconds - offset) * 1_000_000_000
    if not all(map(_has_offset, texts)):
        return None
    try:
        return np.asarray(pd.to_datetime(list(texts), format="ISO8601", utc=True).as_unit("ns").asi8, np.int64)
    except (ValueError, TypeError, OverflowError):
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def encode_json(
    message_id: str,
    gateway: str,
    readings: list[tuple[str, dt.datetime, float]],
    *,
    source: str = "live",
    sent_at: dt.datetime | None = None,
) -> bytes:
    """A carbonpeak.readings/1 payload (used by the simulator and the tests; a gateway may use it too)."""
    body: dict[str, Any] = {"format": FORMAT, "message_id": message_id, "gateway": gateway, "source": source}
    if sent_at is not None:
        body["sent_at"] = sent_at.isoformat()
    body["readings"] = [{"meter": m, "start": s.isoformat(), "value": v} for m, s, v in readings]
    return json.dumps(body, separators=(",", ":")).encode()


register_decoder(FORMAT, decode_json)
