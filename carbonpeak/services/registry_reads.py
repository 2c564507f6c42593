"""Reading the registry: lists of what a person may see and the versions of one object (from the audit log).

Re-exported by :mod:`carbonpeak.services.registry`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import NotFound
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.registry import ENTITY, Version, _exists, in_scope, snapshot
from carbonpeak.store.models import AuditEvent, Cluster, Enterprise, Facility, Park, Region

# ---------------------------------------------------------------- reading


def history(session: Session, principal: Principal, kind: str, code: str) -> list[Version]:
    """Every version of a registry object, oldest first (the audit log's create and change events)."""
    access.require(principal, "registry.view")
    if kind == "facilities":
        access.get_facility(session, principal, code, "registry.view")
    elif kind == "enterprises":
        access.get_enterprise(session, principal, code)
    elif not _exists(session, kind, code):
        raise NotFound()
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == ENTITY[kind], AuditEvent.entity_key == code)
        .order_by(AuditEvent.id)
    ).all()
    return [Version(i, e.at, e.actor, e.action, e.before, e.after) for i, e in enumerate(events, start=1)]


def list_regions(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Every region (administrative divisions are public), with whether the person manages it."""
    access.require(principal, "registry.view")
    rows = session.scalars(select(Region).order_by(Region.id)).all()
    return [
        {
            **snapshot(session, "regions", r),
            "managed": access.allowed(principal, "registry.manage") and in_scope(session, principal, r.id),
        }
        for r in rows
    ]


def list_clusters(session: Session, principal: Principal) -> list[dict[str, Any]]:
    access.require(principal, "registry.view")
    return [snapshot(session, "clusters", c) for c in session.scalars(select(Cluster).order_by(Cluster.code))]


def list_parks(session: Session, principal: Principal) -> list[dict[str, Any]]:
    access.require(principal, "registry.view")
    return [snapshot(session, "parks", p) for p in session.scalars(select(Park).order_by(Park.code))]


def list_enterprises(session: Session, principal: Principal) -> list[dict[str, Any]]:
    access.require(principal, "registry.view")
    rows = session.scalars(select(Enterprise).where(access.enterprise_filter(principal)).order_by(Enterprise.code))
    return [snapshot(session, "enterprises", e) for e in rows]


def list_facilities(session: Session, principal: Principal, enterprise_code: str | None = None) -> list[dict[str, Any]]:
    access.require(principal, "registry.view")
    query = select(Facility).where(access.facility_filter(principal)).order_by(Facility.code)
    if enterprise_code:
        query = query.join(Enterprise, Enterprise.id == Facility.enterprise_id).where(
            Enterprise.code == enterprise_code
        )
    return [snapshot(session, "facilities", f) for f in session.scalars(query)]


def get(session: Session, principal: Principal, kind: str, code: str) -> dict[str, Any]:
    """One object as plain data, when the person may see it."""
    access.require(principal, "registry.view")
    if kind == "facilities":
        return snapshot(session, kind, access.get_facility(session, principal, code, "registry.view"))
    if kind == "enterprises":
        return snapshot(session, kind, access.get_enterprise(session, principal, code))
    model = {"regions": Region, "parks": Park, "clusters": Cluster}[kind]
    row = session.scalar(select(model).where(model.code == code))
    if row is None:
        raise NotFound()
    return snapshot(session, kind, row)
