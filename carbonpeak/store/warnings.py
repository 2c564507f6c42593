"""Warnings in the store: kept once by key, with the history of every step taken on them.

Reads give plain frames (what the rules of :mod:`carbonpeak.indicators.warnings` generate from) and
:class:`WarningRecord` records; the writes store newly raised warnings (:func:`add_new`) and one step of
the workflow (:func:`record_step`). Each warning's events are its audit trail: who raised, acknowledged,
assigned, closed or reopened it, when and why. Raising and acting are use cases:
:mod:`carbonpeak.services.warnings`.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from carbonpeak.indicators.warnings import Raised
from carbonpeak.store.models import Facility, Submission, SubmissionVersion, Warning, WarningEvent, utcnow


@dataclass(frozen=True)
class Event:
    """One step in a warning's history."""

    at: dt.datetime
    actor: str
    action: str  # raise, acknowledge, assign, close, reopen
    note: str | None


@dataclass(frozen=True)
class WarningRecord:
    """A stored warning as plain values (its history only where asked for)."""

    id: int
    key: str
    kind: str
    severity: str
    region: str
    facility_code: str | None
    period: str | None
    message_zh: str
    message_en: str
    details: dict[str, Any]
    deadline: dt.date | None
    status: str
    assignee: str | None
    raised_at: dt.datetime | None
    events: tuple[Event, ...] = ()


def record_of(warning: Warning, *, history: bool = False) -> WarningRecord:
    return WarningRecord(
        id=warning.id,
        key=warning.key,
        kind=warning.kind,
        severity=warning.severity,
        region=warning.region,
        facility_code=warning.facility_code,
        period=warning.period,
        message_zh=warning.message_zh,
        message_en=warning.message_en,
        details=dict(warning.details or {}),
        deadline=warning.deadline,
        status=warning.status,
        assignee=warning.assignee,
        raised_at=warning.raised_at,
        events=tuple(Event(e.at, e.actor, e.action, e.note) for e in warning.events) if history else (),
    )


# ---------------------------------------------------------------- what the rules read


def submissions_frame(session: Session, facility_codes: Collection[str] | None = None) -> pd.DataFrame:
    """Every month with a version (only those facilities' when codes are given): the status and the
    plausibility flags of its latest version, and when the month was first reported (``submitted_at``, the
    earliest submission of any version: a correction is not lateness; empty for a month only ever a draft)."""
    newest = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    first = (
        select(SubmissionVersion.submission_id, func.min(SubmissionVersion.submitted_at).label("submitted_at"))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    query = (
        select(
            Facility.code, Submission.period, SubmissionVersion.status, first.c.submitted_at, SubmissionVersion.flags
        )
        .join(Submission, Submission.facility_id == Facility.id)
        .join(newest, newest.c.submission_id == Submission.id)
        .join(first, first.c.submission_id == Submission.id)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id) & (SubmissionVersion.version == newest.c.version),
        )
    )
    if facility_codes is not None:
        query = query.where(Facility.code.in_(sorted(facility_codes)))
    return pd.DataFrame(
        session.execute(query).all(), columns=["facility_code", "period", "status", "submitted_at", "flags"]
    )


def facilities_frame(session: Session, facility_codes: Collection[str] | None = None) -> pd.DataFrame:
    """Every facility (or those of the codes given) with its status, commissioning year, retirement date and
    approved capacity."""
    query = select(Facility)
    if facility_codes is not None:
        query = query.where(Facility.code.in_(sorted(facility_codes)))
    return pd.DataFrame(
        [(f.code, f.status, f.commissioning_year, f.retired_on, f.capacity_t_per_a) for f in session.scalars(query)],
        columns=["facility_code", "status", "commissioning_year", "retired_on", "capacity_t_per_a"],
    )


# ---------------------------------------------------------------- the warnings


def add_new(session: Session, raised: list[Raised], actor: str) -> int:
    """Store the warnings not stored yet (by key), each with its ``raise`` event; returns how many are new.
    Existing ones keep their status: closing a warning does not make it come back."""
    existing = set(session.scalars(select(Warning.key)))
    new = [w for w in raised if w.key not in existing]
    for w in new:
        warning = Warning(
            key=w.key,
            kind=w.kind,
            severity=w.severity,
            region=w.region,
            facility_code=w.facility_code,
            period=w.period,
            message_zh=w.message_zh,
            message_en=w.message_en,
            details=_jsonable(w.details),
            deadline=w.deadline,
            status="open",
        )
        warning.events.append(WarningEvent(actor=actor, action="raise", note=None))
        session.add(warning)
    session.flush()
    return len(new)


def serialise(session: Session) -> None:
    """One run of the warnings at a time, until the caller's transaction ends, so that two runs (a report and
    the daily check, two reports of one facility) never store the same warning twice nor judge on what the
    other is changing. SQLite: the write transaction already holds the database's write lock. PostgreSQL:
    a transaction-scoped advisory lock, taken before the run reads anything."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


_LOCK_KEY = zlib.crc32(b"carbonpeak:warnings")


@dataclass(frozen=True)
class Settled:
    """What storing one run of the rules did: warnings raised (new, or raised again after the system had
    cleared them) and warnings cleared (their situation was checked and no longer holds)."""

    new: int
    cleared: int


Covers = Callable[[str, str | None, str, dict[str, Any] | None], bool]  # (kind, facility, key, details)
CLEARED = "resolve"  # the event of a warning the system closed because its situation no longer holds


def settle(
    session: Session,
    raised: list[Raised],
    actor: str,
    *,
    facilities: Collection[str] | None = None,
    covers: Covers | None = None,
) -> Settled:
    """Store one run of the rules.

    A warning raised for the first time is stored with its ``raise`` event; one stored already keeps its
    status and history (a warning a person closed stays closed), and takes the run's details and texts
    while not closed; one the system had cleared and raised again opens again (a new ``raise`` event).
    With ``covers``, every warning not closed (of ``facilities`` when given) whose situation the run
    checked (``covers`` says so) and did not raise is closed with a ``resolve`` event."""
    by_key = {w.key: w for w in raised}
    stored: dict[str, Warning] = {}
    keys = sorted(by_key)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        stored.update({w.key: w for w in session.scalars(select(Warning).where(Warning.key.in_(chunk)))})
    new = 0
    for key, w in by_key.items():
        warning = stored.get(key)
        if warning is None:
            warning = Warning(key=key, kind=w.kind, severity=w.severity, status="open")
            _describe(warning, w)
            warning.events.append(WarningEvent(actor=actor, action="raise", note=None))
            session.add(warning)
            new += 1
        elif warning.status == "closed" and warning.events and warning.events[-1].action == CLEARED:
            warning.status = "open"
            _describe(warning, w)
            warning.events.append(WarningEvent(actor=actor, action="raise", note=None, at=utcnow()))
            new += 1
        elif warning.status != "closed":
            _describe(warning, w)
    cleared = 0
    if covers is not None:
        query = select(Warning).where(Warning.status != "closed")
        if facilities is not None:
            query = query.where(Warning.facility_code.in_(sorted(facilities)))
        for warning in session.scalars(query):
            if warning.key in by_key or not covers(warning.kind, warning.facility_code, warning.key, warning.details):
                continue
            warning.status = "closed"
            warning.events.append(WarningEvent(actor=actor, action=CLEARED, note=None, at=utcnow()))
            cleared += 1
    session.flush()
    return Settled(new=new, cleared=cleared)


def _describe(warning: Warning, raised: Raised) -> None:
    """The warning's current description (only what changed is written)."""
    values = {
        "region": raised.region,
        "facility_code": raised.facility_code,
        "period": raised.period,
        "message_zh": raised.message_zh,
        "message_en": raised.message_en,
        "details": _jsonable(raised.details),
        "deadline": raised.deadline,
        "severity": raised.severity,
    }
    for name, value in values.items():
        if getattr(warning, name) != value:
            setattr(warning, name, value)


def record_step(
    session: Session,
    warning: Warning,
    action: str,
    status: str,
    actor: str,
    *,
    note: str | None = None,
    assignee: str | None = None,
) -> WarningRecord:
    """Move ``warning`` to ``status`` by ``action`` and keep the step in its history (the rules decided
    the status: :func:`carbonpeak.indicators.warnings.next_status`)."""
    warning.status = status
    if action == "assign":
        warning.assignee = assignee
    warning.events.append(
        WarningEvent(actor=actor, action=action, note=note or (f"to {assignee}" if assignee else None), at=utcnow())
    )
    session.flush()
    return record_of(warning, history=True)


def get(session: Session, warning_id: int) -> WarningRecord | None:
    """One warning with its history; None when there is none."""
    warning = session.get(Warning, warning_id)
    return None if warning is None else record_of(warning, history=True)


def listing(
    session: Session, *, status: str | None = None, kind: str | None = None, facility: str | None = None
) -> list[WarningRecord]:
    """Every stored warning (optionally of one status, kind or facility), oldest first, without history."""
    query = select(Warning).order_by(Warning.id)
    if status:
        query = query.where(Warning.status == status)
    if kind:
        query = query.where(Warning.kind == kind)
    if facility:
        query = query.where(Warning.facility_code == facility)
    return [record_of(w) for w in session.scalars(query)]


def _jsonable(value: Any) -> Any:
    """Details as JSON keeps them: NumPy scalars as numbers, dates as ISO text, at any depth."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
