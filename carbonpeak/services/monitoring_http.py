"""Readings sent by a gateway over HTTP (``POST /api/v1/monitoring/readings``): the same pipeline as MQTT and
the backfill (:func:`carbonpeak.services.monitoring_ingest.ingest`), with the rules of a synchronous answer.

* **Who.** The token's account must be able to report for an enterprise (``submission.report``: the
  enterprise's own user; an administrator names the enterprise). :func:`gateway_enterprise` decides it
  before the body is read, so a token of another role learns nothing from what it sends.
* **Which meters.** Only the enterprise's own meters are loaded; a meter of another enterprise reads as
  unknown (``monitoring.unknown_meter``), exactly like a meter that does not exist.
* **All or nothing.** The body is one message of ``carbonpeak.readings/1`` or a JSON array of them. Every
  problem of every message is listed at once (message, reading index, field, value, what was expected) and
  then nothing is written; a batch without problems is written in one transaction, committed before the
  answer.
* **Idempotent.** The answer names the messages and how many readings each carried, never whether they
  were new: a resend answers the same and changes nothing in the store.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFound
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.monitoring_ingest import Message, MeterIndex, ingest
from carbonpeak.store.models import Enterprise, Facility
from carbonpeak.store.monitoring.models import Meter

EXPECTED_PARAMS = ("allowed", "interval", "known")  # the error parameters that say what was expected


@dataclass(frozen=True)
class Problem:
    """One refused part of a batch: which message (its position and id), which reading, which field."""

    message: int
    message_id: str | None
    error: InputError

    def as_dict(self, lang: str) -> dict[str, Any]:
        expected = next((self.error.params[k] for k in EXPECTED_PARAMS if k in self.error.params), None)
        if isinstance(expected, list | tuple):
            expected = ", ".join(map(str, expected))
        if self.error.code == "monitoring.not_aligned":
            expected = f"{expected} min"
        return {
            "message": self.message,
            "message_id": self.message_id,
            "reading": self.error.record,
            "field": self.error.field,
            "value": self.error.value,
            "expected": expected,
            "code": self.error.code,
            "text": self.error.text(lang),
        }


@dataclass
class Receipt:
    """What the gateway is told: stored (committed) or refused with every problem."""

    stored: bool
    messages: list[dict[str, Any]] = field(default_factory=list)  # message_id, readings
    readings: int = 0
    problems: list[Problem] = field(default_factory=list)
    new: int = 0  # for the log and the tests; not in the answer (a resend must answer the same)
    duplicates: int = 0
    corrections: int = 0


def gateway_enterprise(session: Session, principal: Principal, enterprise: str | None) -> str:
    """The enterprise whose readings the person sends: their own (an enterprise user; another code named
    reads as not found) or, for an administrator, the one named."""
    access.require(principal, "submission.report")
    if principal.role == access.ENTERPRISE:
        own = session.scalar(select(Enterprise.code).where(Enterprise.id == principal.enterprise_id))
        if own is None or enterprise not in (None, "", own):
            raise NotFound()
        return own
    if not enterprise:
        raise InputError(code="monitoring.http_enterprise_needed", field="enterprise")
    return access.get_enterprise(session, principal, enterprise).code


def enterprise_meters(session: Session, enterprise: str) -> list[dict[str, Any]]:
    """The enterprise's meters as the pipeline checks them (one query; no other enterprise's meter)."""
    rows = session.execute(
        select(Meter.code, Meter.interval_min, Meter.status)
        .join(Facility, Facility.id == Meter.facility_id)
        .join(Enterprise, Enterprise.id == Facility.enterprise_id)
        .where(Enterprise.code == enterprise)
    ).all()
    return [{"meter_code": c, "enterprise_code": enterprise, "interval_min": i, "status": s} for c, i, s in rows]


def _messages(body: bytes) -> list[tuple[bytes, int]]:
    """Each message of the body with the number of readings it carries (orjson: C speed; what only Python's
    reader takes, such as ``NaN``, goes through it so that the decoder names the reading)."""
    try:
        parsed = orjson.loads(body)
        dumps = orjson.dumps
    except ValueError:
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return [(body, 0)]
        dumps = _json_dumps
    if isinstance(parsed, list) and parsed:
        return [(dumps(item), _count(item)) for item in parsed]
    return [(body, _count(parsed))]


def _json_dumps(item: Any) -> bytes:
    return json.dumps(item).encode()


def _count(message: Any) -> int:
    readings = message.get("readings") if isinstance(message, dict) else None
    return len(readings) if isinstance(readings, list) else 0


def receive(
    session: Session,
    store: ReadingStore,
    enterprise: str,
    body: bytes,
    received_at: dt.datetime | None = None,
) -> Receipt:
    """Check every message of ``body`` against the enterprise's meters and store them all, or none."""
    try:
        messages = _messages(body)
    except RecursionError:  # JSON nested thousands deep: refused as not a message, before any decoder sees it
        problem = InputError(code="monitoring.payload_not_json", field="body")
        return Receipt(stored=False, problems=[Problem(0, None, problem)])
    payloads = [payload for payload, _ in messages]
    meters = MeterIndex.of(enterprise_meters(session, enterprise))
    result = ingest(store, meters, [Message(p, enterprise) for p in payloads], received_at=received_at, atomic=True)
    receipt = Receipt(stored=not result.rejected)
    rejected = iter(result.rejected)
    for position, (message_id, count) in enumerate(zip(result.message_ids, result.rejected_per_message, strict=True)):
        for _ in range(count):
            _, error = next(rejected)
            receipt.problems.append(Problem(position, message_id, error))
    if receipt.stored:
        for (_, count), message_id in zip(messages, result.message_ids, strict=True):
            receipt.messages.append({"message_id": message_id, "readings": count})
        receipt.readings = result.accepted
        receipt.new = result.written.new
        receipt.duplicates = result.written.duplicates
        receipt.corrections = result.written.corrections
    return receipt
