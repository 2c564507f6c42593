"""Changes an enterprise proposes to its own facilities, decided by a regulator of the facility's region.

An enterprise user never changes the registry directly: :func:`propose` keeps the proposed values (checked
like any change) as pending; a city or provincial regulator whose jurisdiction holds the facility (or the
administrator) :func:`approve` s it, which applies it as a registry change (a version in the audit log
naming the proposal, a capacity change through the ledger), or :func:`reject` s it with a reason.
A facility outside the enterprise's own gets the same answer whether or not it exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied, Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.services import access, limits
from carbonpeak.services import registry as reg
from carbonpeak.services.access import Principal
from carbonpeak.services.registry_checks import Where, blank, facility_dates, parse
from carbonpeak.store.models import Enterprise, Facility, FacilityChangeProposal, utcnow
from carbonpeak.store.repository import audit

PROPOSABLE = (
    "name_zh",
    "name_en",
    "product",
    "process_route",
    "technology",
    "capacity_t_per_a",
    "capacity_effective_on",
    "capacity_document",
    "cell_amperage_ka",
    "commissioning_year",
    "commissioned_on",
    "status",
    "status_since",
    "retired_on",
)


@dataclass(frozen=True)
class Proposal:
    id: int
    facility_code: str
    facility_name_zh: str
    enterprise_code: str
    enterprise_name_zh: str
    changes: dict[str, Any]
    before: dict[str, Any]
    note: str | None
    status: str
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None


def _view(session: Session, row: FacilityChangeProposal) -> Proposal:
    facility = row.facility
    enterprise = session.get(Enterprise, facility.enterprise_id)
    assert enterprise is not None
    return Proposal(
        id=row.id,
        facility_code=facility.code,
        facility_name_zh=facility.name_zh,
        enterprise_code=enterprise.code,
        enterprise_name_zh=enterprise.name_zh,
        changes=dict(row.changes),
        before=dict(row.before),
        note=row.note,
        status=row.status,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
    )


def propose(
    session: Session, principal: Principal, facility_code: str, changes: dict[str, Any], note: str | None = None
) -> Proposal:
    """An enterprise user proposes new values for some fields of one of its facilities."""
    access.require(principal, "registry.propose")
    facility = session.scalar(select(Facility).where(Facility.code == facility_code))
    if facility is None or facility.enterprise_id not in principal.enterprise_ids:
        raise NotFound()  # the same answer for another enterprise's facility and for none
    where = Where(record=facility_code)
    errors: list[InputError] = [
        where.error("registry.not_proposable", name, name, fields=list(PROPOSABLE))
        for name in changes
        if name not in PROPOSABLE
    ]
    given = {k: v for k, v in changes.items() if k in PROPOSABLE}
    parsed = parse("facilities", given, where, partial=True)
    errors += parsed.errors
    if (too_long := limits.too_long("note", (note or "").strip(), record=facility_code)) is not None:
        errors.append(too_long)
    before = reg.snapshot(session, "facilities", facility)
    current = reg._typed_snapshot("facilities", before)
    proposed = {
        k: v
        for k, v in parsed.values.items()
        if k in reg.CAPACITY_EVENT_FIELDS or current.get(k) != v or (v is None and not blank(current.get(k)))
    }
    if not errors:
        errors += facility_dates({**current, **proposed}, where)
    if not errors and not any(k not in reg.CAPACITY_EVENT_FIELDS for k in proposed):
        errors.append(where.error("registry.nothing_proposed", None))
    if errors:
        raise ValidationFailed(errors)
    row = FacilityChangeProposal(
        facility_id=facility.id,
        changes={k: _plain(v) for k, v in proposed.items()},
        before={k: before.get(k) for k in proposed if k in before},
        note=(note or "").strip() or None,
        status="pending",
        proposed_by=reg.actor_of(principal),
    )
    session.add(row)
    session.flush()
    audit(
        session,
        row.proposed_by,
        "propose",
        "facility_change_proposal",
        f"proposal:{row.id}",
        after={"facility": facility.code, "changes": row.changes, "note": row.note},
    )
    return _view(session, row)


def _decidable(session: Session, principal: Principal, proposal_id: int) -> FacilityChangeProposal:
    access.require(principal, "registry.decide")
    row = access.by_id(session, FacilityChangeProposal, proposal_id)
    if row is None:
        raise NotFound()
    if not reg.in_scope(session, principal, row.facility.region_id):
        raise AccessDenied()
    if row.status != "pending":
        raise Conflict(code="registry.proposal_not_pending", status=row.status)
    return row


def approve(session: Session, principal: Principal, proposal_id: int, note: str | None = None) -> Proposal:
    """Apply a pending proposal as a registry change by the deciding regulator, naming the proposal."""
    row = _decidable(session, principal, proposal_id)
    limits.check_lengths({"note": (note or "").strip()})
    reg.change(
        session,
        principal,
        "facilities",
        row.facility.code,
        row.changes,
        via={"proposal": row.id, "proposed_by": row.proposed_by},
    )
    return _decide(session, principal, row, "approved", (note or "").strip() or None)


def reject(session: Session, principal: Principal, proposal_id: int, reason: str) -> Proposal:
    """Refuse a pending proposal; the reason is required and shown to the enterprise."""
    row = _decidable(session, principal, proposal_id)
    if blank(reason):
        raise ValidationFailed([InputError(code="registry.reason_required", field="reason", record=row.id)])
    limits.check_lengths({"reason": reason.strip()})
    return _decide(session, principal, row, "rejected", reason.strip())


def _decide(
    session: Session, principal: Principal, row: FacilityChangeProposal, status: str, reason: str | None
) -> Proposal:
    before = {"status": row.status}
    row.status, row.reason = status, reason
    row.decided_by, row.decided_at = reg.actor_of(principal), utcnow()
    session.flush()
    audit(
        session,
        row.decided_by,
        "approve" if status == "approved" else "reject",
        "facility_change_proposal",
        f"proposal:{row.id}",
        before=before,
        after={"status": status, "reason": reason},
    )
    return _view(session, row)


def list_proposals(session: Session, principal: Principal, status: str | None = None) -> list[Proposal]:
    """Proposals about facilities the person sees (an enterprise its own, a regulator its jurisdiction's),
    newest first."""
    access.require(principal, "registry.view")
    query = (
        select(FacilityChangeProposal)
        .join(Facility, Facility.id == FacilityChangeProposal.facility_id)
        .where(access.facility_filter(principal))
        .order_by(FacilityChangeProposal.id.desc())
    )
    if status:
        query = query.where(FacilityChangeProposal.status == status)
    return [_view(session, row) for row in session.scalars(query)]


def get_proposal(session: Session, principal: Principal, proposal_id: int) -> Proposal:
    access.require(principal, "registry.view")
    row = access.by_id(session, FacilityChangeProposal, proposal_id)
    if row is None or not session.scalar(
        select(true()).where(Facility.id == row.facility_id, access.facility_filter(principal))
    ):
        raise NotFound()
    return _view(session, row)


def may_decide(session: Session, principal: Principal, proposal: Proposal) -> bool:
    if not access.allowed(principal, "registry.decide") or proposal.status != "pending":
        return False
    region = session.scalar(select(Facility.region_id).where(Facility.code == proposal.facility_code))
    return reg.in_scope(session, principal, region)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
