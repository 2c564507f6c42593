"""A job run once a day, claimed in the database so that it never runs twice at once.

Several server processes (``carbonpeak serve --workers N``, or servers on several machines sharing one
PostgreSQL) and a cron entry may all try the day's run; the first to claim it in the ``job`` table runs
it, the others see the claim and skip. A claim is one short transaction that decides under a lock held
by one claimer at a time: on SQLite the write lock every write transaction takes at once (``BEGIN
IMMEDIATE``, :func:`carbonpeak.store.db.engine_for`), on PostgreSQL a transaction-scoped advisory lock.
A run whose process died is noticed by its age (``stale_after``) and counted as failed.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from carbonpeak.store.models import Job, utcnow

RUNNING, DONE, FAILED = "running", "done", "failed"
ATTEMPTS = 3  # failed runs of a day before the day is given up (a forced run still goes)


@dataclass(frozen=True)
class Claim:
    """The outcome of trying to claim a day's run: ``job`` is the claimed job's id, or None with the job
    that holds the day (``holder``) and why (``reason``: running, done, gave_up)."""

    job: int | None
    holder: int | None = None
    reason: str = ""


def claim(
    session: Session,
    kind: str,
    day: dt.date,
    actor: str,
    *,
    force: bool = False,
    detail: dict[str, Any] | None = None,
    stale_after: dt.timedelta = dt.timedelta(hours=6),
    attempts: int = ATTEMPTS,
) -> Claim:
    """Claim the run of ``kind`` for ``day``: a new job row (status running), unless a run of ``kind`` is
    running (any day), or (without ``force``) the day's run is done or has failed ``attempts`` times.
    Call it in a transaction of its own and commit at once, so that the claim is seen by the others."""
    _serialise(session, kind)
    now = utcnow()
    recent = list(
        session.scalars(
            select(Job)
            .where(Job.kind == kind, Job.status.in_((RUNNING, DONE, FAILED)))
            .order_by(Job.id.desc())
            .limit(50)
        )
    )
    for job in recent:
        if job.status == RUNNING and job.started_at is not None and now - _aware(job.started_at) > stale_after:
            job.status, job.finished_at = FAILED, now  # its process died: it will not finish
            job.error = {"code": "warning.job_abandoned", "params": {}}
    running = next((j for j in recent if j.status == RUNNING), None)
    if running is not None:
        return Claim(None, running.id, RUNNING)
    todays = [j for j in recent if (j.detail or {}).get("day") == day.isoformat()]
    if not force:
        done = next((j for j in todays if j.status == DONE), None)
        if done is not None:
            return Claim(None, done.id, DONE)
        failed = [j for j in todays if j.status == FAILED]
        if len(failed) >= attempts:
            return Claim(None, failed[0].id, "gave_up")
    job = Job(
        kind=kind,
        status=RUNNING,
        started_by=actor,
        started_at=now,
        detail={**(detail or {}), "day": day.isoformat()},
    )
    session.add(job)
    session.flush()
    return Claim(job.id)


def finish(session: Session, job_id: int, detail: dict[str, Any], *, total: int = 0) -> None:
    """The claimed job ran to its end: done, with what it did."""
    job = session.get(Job, job_id)
    assert job is not None
    job.status, job.finished_at = DONE, utcnow()
    job.total = job.done = total
    job.detail = {**(job.detail or {}), **detail}


def fail(session: Session, job_id: int, error: dict[str, Any]) -> None:
    """The claimed job stopped on an error (a coded message: code and params)."""
    job = session.get(Job, job_id)
    assert job is not None
    job.status, job.finished_at, job.error = FAILED, utcnow(), error


def last_runs(session: Session, kind: str, limit: int = 10) -> list[Job]:
    """The latest jobs of ``kind``, newest first."""
    return list(session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(limit)))


def _serialise(session: Session, kind: str) -> None:
    """One claimer at a time. SQLite: this transaction already holds the database's write lock (a write
    session begins IMMEDIATE); touching the database takes it. PostgreSQL: an advisory lock on the kind,
    released when the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(f"job:{kind}".encode())})
    else:
        session.execute(select(Job.id).limit(1))


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
