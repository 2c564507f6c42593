"""Background jobs (``Job``) and what a recompute reads: which months a parameter value affects, their
latest results, and the parameter snapshots that explain two results' difference.

Each function runs in a transaction given by the caller. A job's progress is written in transactions of
its own (the page that shows it reads them while the job runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from carbonpeak.store import repository as repo
from carbonpeak.store.models import (
    Facility,
    Job,
    ParameterSnapshot,
    Result,
    Submission,
    SubmissionVersion,
    utcnow,
)

RECOMPUTE = "recompute"


def create(session: Session, kind: str, actor: str, detail: dict[str, Any]) -> Job:
    """A queued job, audited (who asked for it and what for)."""
    job = Job(kind=kind, status="queued", total=0, done=0, detail=detail, started_by=actor, created_at=utcnow())
    session.add(job)
    session.flush()
    repo.audit(session, actor, "start", "job", f"job:{job.id}", after={"kind": kind, **detail})
    return job


def latest(session: Session, kind: str, family: str | None = None, limit: int = 20) -> Job | None:
    """The newest job of a kind (for a family's recompute: the newest one about that family)."""
    for job in session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(limit)):
        scope = (job.detail or {}).get("scope") or {}
        if family is None or scope.get("family") == family:
            return job
    return None


# ---------------------------------------------------------------- which months a value affects


@dataclass(frozen=True)
class Scope:
    """A parameter value that changed: its family, and (when known) its key, edition and period."""

    family: str
    key: dict[str, Any] | None = None
    edition: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Scope | None:
        if not data or not data.get("family"):
            return None
        return cls(data["family"], data.get("key"), data.get("edition"), data.get("valid_from"), data.get("valid_to"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "key": self.key,
            "edition": self.edition,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }

    def used_by(self, cited: dict[str, Any]) -> bool:
        """Whether a cited value of a result's snapshot is this value (or one it supersedes)."""
        if cited.get("parameter") != self.family:
            return False
        if self.key is None:
            return True
        key = cited.get("key") or {}
        if {str(k): str(v) for k, v in key.items()} != {str(k): str(v) for k, v in self.key.items()}:
            return False
        if (cited.get("edition") or None) != (self.edition or None):
            return False
        return _overlap(self.valid_from, self.valid_to, cited.get("valid_from"), cited.get("valid_to"))


def _overlap(a_from: str | None, a_to: str | None, b_from: str | None, b_to: str | None) -> bool:
    low, high = dt.date.min.isoformat(), dt.date.max.isoformat()
    return (a_from or low) <= (b_to or high) and (b_from or low) <= (a_to or high)


def _newest(session: Session, statuses: Sequence[str] | None) -> set[int]:
    """Per facility-month, the id of its newest version (among ``statuses``, when given)."""
    best = select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
    if statuses is not None:
        best = best.where(SubmissionVersion.status.in_(list(statuses)))
    newest = best.group_by(SubmissionVersion.submission_id).subquery()
    query = select(SubmissionVersion.id).join(
        newest,
        (newest.c.submission_id == SubmissionVersion.submission_id) & (newest.c.version == SubmissionVersion.version),
    )
    return set(session.scalars(query))


def candidates(session: Session) -> set[int]:
    """The versions a recompute looks at: each month's latest version and the one that counts in totals."""
    return _newest(session, None) | _newest(session, repo.COUNTED)


def waiting(session: Session, among: set[int]) -> dict[int, dict[str, Any]]:
    """The waiting versions among ``among``, with why they wait."""
    query = select(SubmissionVersion.id, SubmissionVersion.waiting).where(SubmissionVersion.waiting.is_not(None))
    return {vid: reason for vid, reason in session.execute(query) if vid in among and reason}


def latest_results(session: Session, version_ids: Iterable[int]) -> dict[int, Result]:
    """The newest result of each version."""
    ids = list(version_ids)
    out: dict[int, Result] = {}
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        newest = select(func.max(Result.id)).where(Result.version_id.in_(chunk)).group_by(Result.version_id)
        for result in session.scalars(select(Result).where(Result.id.in_(newest.scalar_subquery()))):
            out[result.version_id] = result
    return out


def affected(session: Session, scope: Scope | None) -> list[int]:
    """The versions to recompute for a changed value: those without a result that wait for a value of its
    family (or for one not named, or saved before the reason was kept), and those whose latest result
    used a value it supersedes. Without a scope: every candidate."""
    among = candidates(session)
    if scope is None:
        return sorted(among)
    reasons = waiting(session, among)
    has_result = exists().where(Result.version_id == SubmissionVersion.id)
    resultless = set(session.scalars(select(SubmissionVersion.id).where(~has_result))) & among
    chosen = {
        vid
        for vid in resultless
        if not (reasons.get(vid) or {}).get("missing") or reasons[vid]["missing"].get("family") == scope.family
    }
    used = {
        fingerprint
        for fingerprint, parameters in session.execute(
            select(ParameterSnapshot.fingerprint, ParameterSnapshot.parameters)
        )
        if any(scope.used_by(cited) for cited in parameters or [])
    }
    if used:
        newest = select(func.max(Result.id)).group_by(Result.version_id).scalar_subquery()
        query = select(Result.version_id, Result.parameter_fingerprint).where(Result.id.in_(newest))
        chosen.update(vid for vid, fingerprint in session.execute(query) if fingerprint in used and vid in among)
    return sorted(chosen)


def versions(session: Session, ids: Sequence[int]) -> list[tuple[SubmissionVersion, str, str]]:
    """(version, facility code, period) of each id, in id order."""
    query = (
        select(SubmissionVersion, Facility.code, Submission.period)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .join(Facility, Facility.id == Submission.facility_id)
        .where(SubmissionVersion.id.in_(list(ids)))
        .order_by(SubmissionVersion.id)
    )
    return [(v, code, period) for v, code, period in session.execute(query)]


def snapshots(session: Session, fingerprints: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The cited parameter values of each fingerprint."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    query = select(ParameterSnapshot.fingerprint, ParameterSnapshot.parameters).where(
        ParameterSnapshot.fingerprint.in_(wanted)
    )
    return {fingerprint: list(parameters or []) for fingerprint, parameters in session.execute(query)}
