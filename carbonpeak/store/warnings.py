"""Warnings in the store: kept once by key, with the history of every step taken on them.

Reads give plain frames (what the rules of :mod:`carbonpeak.indicators.warnings` generate from) and
:class:`WarningRecord` records; the writes store newly raised warnings (:func:`add_new`) and one step of
the workflow (:func:`record_step`). Each warning's events are its audit trail: who raised, acknowledged,
assigned, closed or reopened it, when and why. Raising and acting are use cases:
:mod:`carbonpeak.services.warnings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
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


def submissions_frame(session: Session) -> pd.DataFrame:
    """The latest version of every reported month, with when it was submitted."""
    newest = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    query = (
        select(Facility.code, Submission.period, SubmissionVersion.status, SubmissionVersion.submitted_at)
        .join(Submission, Submission.facility_id == Facility.id)
        .join(newest, newest.c.submission_id == Submission.id)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id) & (SubmissionVersion.version == newest.c.version),
        )
    )
    return pd.DataFrame(session.execute(query).all(), columns=["facility_code", "period", "status", "submitted_at"])


def facilities_frame(session: Session) -> pd.DataFrame:
    """Every facility with its status, commissioning year, retirement date and approved capacity."""
    return pd.DataFrame(
        [
            (f.code, f.status, f.commissioning_year, f.retired_on, f.capacity_t_per_a)
            for f in session.scalars(select(Facility))
        ],
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


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in details.items()}
