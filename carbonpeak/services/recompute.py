"""Recompute: an official parameter value is entered, and every month it affects gets its result again.

:func:`enter_parameter` is the use case of the parameters page, the API and ``carbonpeak parameters
enter``: the person's permission is checked first, the value is validated and written with its citation
(:func:`carbonpeak.store.parameters.enter`), and a recompute job is queued in the same transaction. The
adapter starts the job once that transaction is committed (:func:`run_job`: the web in a process or
thread of its own, the CLI in front of the person with its progress). :func:`start_recompute` queues one
by hand (the administrators' button, ``carbonpeak recompute``).

A job recomputes the months waiting for a value of the family and the months whose latest result used
a value the new one supersedes, a chunk at a time, each chunk in a transaction of its own that also
moves the job's progress (``Job.done`` of ``Job.total``). A new result is added only where the
parameter values changed; earlier results stay, so a month's history shows both and why they differ.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.errors import CarbonpeakError, InputError, NotFound, ParameterNotFound
from carbonpeak.messages import Bilingual
from carbonpeak.services import access
from carbonpeak.services import warnings as warning_cases
from carbonpeak.services.access import Principal
from carbonpeak.store import db
from carbonpeak.store import jobs as stored
from carbonpeak.store import parameters as parameter_store
from carbonpeak.store import service as store_service
from carbonpeak.store.models import Job, ParameterValue, SubmissionVersion, utcnow

log = logging.getLogger("carbonpeak.recompute")

CHUNK = 500  # months per transaction: the job's progress moves this often
CHANGES_KEPT = 200  # months listed by name in a job's summary (the counts cover every month)


@dataclass(frozen=True)
class EnteredValue:
    """A value entered, and the recompute job it queued (start it once the transaction is committed)."""

    value: ParameterValue
    job: Job


def enter_parameter(session: Session, principal: Principal, family: str, data: dict[str, Any]) -> EnteredValue:
    """Enter an official value with its citation and queue the recompute of the months it affects.

    Raises AccessDenied before anything is read, and coded InputErrors naming each bad field (nothing
    is then written)."""
    access.require(principal, "parameters.enter")
    row = parameter_store.enter(session, family, data, principal.actor)
    scope = stored.Scope(
        family=row.family,
        key=dict(row.key),
        edition=row.edition,
        valid_from=row.valid_from.isoformat() if row.valid_from else None,
        valid_to=row.valid_to.isoformat() if row.valid_to else None,
    )
    job = stored.create(
        session, stored.RECOMPUTE, principal.actor, {"scope": scope.as_dict(), "trigger": "entry", "value_id": row.id}
    )
    after_parameter_entry(session, principal, row)
    return EnteredValue(row, job)


def after_parameter_entry(session: Session, principal: Principal, row: ParameterValue) -> None:
    """Warnings the value itself can change (e.g. a new due day or jump band), in the entry's transaction;
    those its recomputed figures change are judged when the recompute ends (:func:`run_job`)."""
    warning_cases.after_change(session, principal.actor, parameter=row.family)


def start_recompute(
    session: Session, principal: Principal, family: str | None = None, *, trigger: str = "button"
) -> Job:
    """Queue a recompute: of the months a family's values affect, or (no family) of every month."""
    access.require(principal, "parameters.recompute")
    if family is not None and family not in parameter_store.parameter_set(session):
        raise NotFound()
    scope = stored.Scope(family) if family else None
    return stored.create(
        session, stored.RECOMPUTE, principal.actor, {"scope": scope.as_dict() if scope else None, "trigger": trigger}
    )


def parameter_title(session: Session, family: str) -> Bilingual:
    """A family's title in both languages (its id where the family is unknown)."""
    file = parameter_store.parameter_set(session).files.get(family)
    return Bilingual(file.title["zh"], file.title["en"]) if file is not None else Bilingual(family, family)


def job_of(session: Session, principal: Principal, job_id: int) -> Job:
    """A job, for a person who may start one (refused before the job is looked up)."""
    access.require(principal, "parameters.recompute")
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound()
    return job


def latest_job(session: Session, principal: Principal, family: str) -> Job | None:
    """The newest recompute about a family, for the people who may start one."""
    if not access.allowed(principal, "parameters.recompute"):
        return None
    return stored.latest(session, stored.RECOMPUTE, family)


# ---------------------------------------------------------------- running a job


@dataclass
class Summary:
    """What a recompute did: months looked at, results added, months that waited and now have one,
    months still waiting, months that could not be computed, and the months whose figures changed."""

    months: int = 0
    added: int = 0
    resolved: int = 0
    waiting: int = 0
    failed: int = 0
    changed: list[dict[str, Any]] = field(default_factory=list)
    facilities: set[str] = field(default_factory=set)  # whose figures changed: their warnings are judged again

    def as_dict(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "added": self.added,
            "resolved": self.resolved,
            "waiting": self.waiting,
            "failed": self.failed,
            "changed": self.changed,
        }


Progress = Callable[[int, int], None]


def run_job(url: str, job_id: int, progress: Progress | None = None) -> Summary | None:
    """Run a queued job to its end (None when it is not queued: another runner has it, or it ran).

    Each chunk of months is one transaction; the job's progress moves with it. A failure is kept on the
    job as a coded message and raised again."""
    with db.transaction(url) as session:
        job = session.get(Job, job_id)
        if job is None or job.status != "queued":
            return None
        scope = stored.Scope.of((job.detail or {}).get("scope"))
        ids = stored.affected(session, scope)
        job.status, job.started_at, job.total, job.done = "running", utcnow(), len(ids), 0
        actor = job.started_by
    summary = Summary(months=len(ids))
    if progress:
        progress(0, len(ids))
    try:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            with db.transaction(url) as session:
                _recompute(session, chunk, actor, summary)
                job = session.get(Job, job_id)
                assert job is not None
                job.done = min(start + len(chunk), len(ids))
            if progress:
                progress(min(start + len(chunk), len(ids)), len(ids))
        with db.transaction(url) as session:
            job = session.get(Job, job_id)
            assert job is not None
            job.status, job.finished_at = "done", utcnow()
            job.detail = {**(job.detail or {}), "summary": summary.as_dict()}
            if summary.facilities:  # new figures may raise or clear warnings (a jump, over capacity, ...)
                warning_cases.after_change(session, actor, facilities=summary.facilities)
    except Exception as exc:
        log.exception("recompute job %s failed", job_id)
        _failed(url, job_id, exc, summary)
        raise
    return summary


def _failed(url: str, job_id: int, exc: Exception, summary: Summary) -> None:
    if isinstance(exc, CarbonpeakError) and exc.code:
        error = {"code": "recompute.failed", "params": {"detail": {"zh": exc.text("zh"), "en": exc.text("en")}}}
    else:  # not an error a person can act on: its text is in the server's log
        error = {"code": "recompute.failed_internal", "params": {}}
    with db.transaction(url) as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.status, job.finished_at, job.error = "failed", utcnow(), error
            job.detail = {**(job.detail or {}), "summary": summary.as_dict()}


def _recompute(session: Session, ids: list[int], actor: str, summary: Summary) -> None:
    rows = stored.versions(session, ids)
    versions = [v for v, _code, _period in rows]
    before = stored.latest_results(session, ids)
    try:
        summary.added += store_service.compute_results_where_possible(session, versions, actor)[0]
    except (InputError, ParameterNotFound):  # a record that no longer passes the checks: one at a time
        for version in versions:
            try:
                with session.begin_nested():
                    summary.added += store_service.compute_results_where_possible(session, [version], actor)[0]
            except (InputError, ParameterNotFound):
                summary.failed += 1
    after = stored.latest_results(session, ids)
    for version, code, period in rows:
        old, new = before.get(version.id), after.get(version.id)
        if new is None:
            summary.waiting += 1
            continue
        if old is not None and old.id == new.id:
            continue
        summary.resolved += old is None
        summary.facilities.add(code)
        if len(summary.changed) < CHANGES_KEPT:
            summary.changed.append(_change(version, code, period, old, new))


def _change(version: SubmissionVersion, code: str, period: str, old: Any, new: Any) -> dict[str, Any]:
    return {
        "facility": code,
        "period": period,
        "version": version.version,
        "before": None if old is None else old.total_location_tco2e,
        "after": new.total_location_tco2e,
        "before_market": None if old is None else old.total_market_tco2e,
        "after_market": new.total_market_tco2e,
    }
