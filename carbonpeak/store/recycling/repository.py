"""Reading and writing scrap intake ledgers: months locked for a write, versions added, workflow steps taken.

The steps are the monthly submissions' (:data:`carbonpeak.store.repository.NEXT_STATUS`, the same stamps, the
same audit actions, the same refusal ``submission.step_refused``); the entity in the audit log is
``scrap_ledger`` keyed ``facility@period``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.store import facility_months
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility, utcnow
from carbonpeak.store.recycling.models import ScrapLedger, ScrapLedgerVersion

ENTITY = "scrap_ledger"


def canonical_sha256(lots: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> str:
    text = json.dumps({"lots": lots, "outputs": outputs}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock_ledgers(session: Session, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], ScrapLedger]:
    """The ledgers of (facility id, period), created when missing, locked for this transaction (a row lock on
    PostgreSQL; on SQLite the transaction holds the write lock)."""
    return facility_months.lock_pairs(session, ScrapLedger, pairs)


def latest_versions(session: Session, ledger_ids: Sequence[int]) -> dict[int, ScrapLedgerVersion]:
    return facility_months.latest_versions(session, ScrapLedgerVersion, "ledger_id", ledger_ids)


def add_version(
    session: Session,
    ledger: ScrapLedger,
    previous: ScrapLedgerVersion | None,
    lots: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    actor: str,
    *,
    reason: str | None = None,
    upload_id: int | None = None,
    key: str,
) -> ScrapLedgerVersion:
    """A new draft version of a ledger (the next number), audited."""
    version = ScrapLedgerVersion(
        ledger_id=ledger.id,
        version=(previous.version if previous else 0) + 1,
        status="draft",
        lots=lots,
        outputs=outputs,
        sha256=canonical_sha256(lots, outputs),
        reason=reason,
        upload_id=upload_id,
        created_by=actor,
    )
    session.add(version)
    session.flush()
    repo.audit(
        session,
        actor,
        "correct" if previous else "create",
        ENTITY,
        key,
        before={"version": previous.version, "status": previous.status} if previous else None,
        after={
            "version": version.version,
            "status": "draft",
            "lots": len(lots),
            "sha256": version.sha256,
            **({"reason": reason} if reason else {}),
        },
    )
    return version


def transition(
    session: Session, versions: Sequence[tuple[str, ScrapLedgerVersion]], target: str, actor: str, note: str | None
) -> None:
    """Move versions (each with its ``facility@period`` key) one workflow step: all, or none."""
    if target not in repo.NEXT_STATUS:
        raise InputError(code="submission.unknown_step", field="status", value=target)
    for key, version in versions:
        refusal = repo.step_refusal(version.status, version.version, target)
        if refusal is not None:
            raise InputError(refusal, record=key, field="status")
    now = utcnow()
    stamps = repo.WORKFLOW_STAMPS[target]
    for key, version in versions:
        before = {"version": version.version, "status": version.status}
        version.status = target
        values = {"by": actor, "at": now, "note": note}
        for role, column in stamps.items():
            setattr(version, column, values[role])
        after: dict[str, Any] = {"version": version.version, "status": target}
        if target in repo.WORKFLOW_NOTE_KEYS:
            after[repo.WORKFLOW_NOTE_KEYS[target]] = note
        repo.audit(session, actor, repo.WORKFLOW_ACTIONS[target], ENTITY, key, before=before, after=after)
    session.flush()


def latest_query() -> Any:
    """(ledger, latest version, facility) of every casthouse-month: callers add their filters."""
    newest = (
        select(ScrapLedgerVersion.ledger_id, func.max(ScrapLedgerVersion.version).label("version"))
        .group_by(ScrapLedgerVersion.ledger_id)
        .subquery()
    )
    return (
        select(ScrapLedger, ScrapLedgerVersion, Facility)
        .select_from(ScrapLedger)
        .join(newest, newest.c.ledger_id == ScrapLedger.id)
        .join(
            ScrapLedgerVersion,
            (ScrapLedgerVersion.ledger_id == ScrapLedger.id) & (ScrapLedgerVersion.version == newest.c.version),
        )
        .join(Facility, Facility.id == ScrapLedger.facility_id)
    )


def counted(
    session: Session, scope: ColumnElement[bool], *, year: int | None = None, include_submitted: bool = False
) -> list[tuple[ScrapLedger, ScrapLedgerVersion, Facility]]:
    """Per casthouse-month in ``scope`` (a condition on Facility), the version that counts: the latest verified or
    locked one (or submitted, on request), as the monthly figures count."""
    statuses = (*repo.COUNTED, "submitted") if include_submitted else repo.COUNTED
    best = (
        select(ScrapLedgerVersion.ledger_id, func.max(ScrapLedgerVersion.version).label("version"))
        .where(ScrapLedgerVersion.status.in_(statuses))
        .group_by(ScrapLedgerVersion.ledger_id)
        .subquery()
    )
    query = (
        select(ScrapLedger, ScrapLedgerVersion, Facility)
        .select_from(ScrapLedger)
        .join(best, best.c.ledger_id == ScrapLedger.id)
        .join(
            ScrapLedgerVersion,
            (ScrapLedgerVersion.ledger_id == ScrapLedger.id) & (ScrapLedgerVersion.version == best.c.version),
        )
        .join(Facility, Facility.id == ScrapLedger.facility_id)
        .where(scope)
        .order_by(Facility.code, ScrapLedger.period)
    )
    if year is not None:
        query = query.where(ScrapLedger.period.like(f"{year:04d}-%"))
    return [(a, b, c) for a, b, c in session.execute(query).all()]


def versions_of(session: Session, ledger: ScrapLedger) -> list[ScrapLedgerVersion]:
    return list(
        session.scalars(
            select(ScrapLedgerVersion)
            .where(ScrapLedgerVersion.ledger_id == ledger.id)
            .order_by(ScrapLedgerVersion.version)
        )
    )
