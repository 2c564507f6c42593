"""Reads and writes of the green register: designations (each change a version), filings (each a version), and
the plain frame of designations the counts read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.store.green.models import GreenDesignation, GreenDesignationVersion, GreenFiling
from carbonpeak.store.models import Enterprise, Park

FIELDS = ("kind", "level", "year_designated", "batch", "document", "status", "warned_on", "removed_on", "reason")
FRAME_COLUMNS = [
    "designation_id",
    "subject",
    "subject_code",
    "enterprise_code",
    "park_code",
    "kind",
    "level",
    "year_designated",
    "removed_year",
    "status",
    "origin",
]


def as_record(row: GreenDesignation) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(row, name) for name in FIELDS}
    for name in ("warned_on", "removed_on"):
        out[name] = out[name].isoformat() if out[name] is not None else None
    return out


def add_version(
    session: Session, row: GreenDesignation, action: str, actor: str, reason: str | None, year: int | None = None
) -> GreenDesignationVersion:
    session.flush()
    number = (
        session.scalar(
            select(func.max(GreenDesignationVersion.version)).where(GreenDesignationVersion.designation_id == row.id)
        )
        or 0
    ) + 1
    row.version = number
    version = GreenDesignationVersion(
        designation_id=row.id,
        version=number,
        action=action,
        year=year,
        fields=as_record(row),
        reason=reason,
        created_by=actor,
    )
    session.add(version)
    session.flush()
    return version


def designations(session: Session) -> list[GreenDesignation]:
    return list(session.scalars(select(GreenDesignation).order_by(GreenDesignation.id)))


def latest_filings(session: Session, year: int | None = None) -> dict[tuple[int, int], GreenFiling]:
    """(enterprise id, year) → its latest filing version."""
    query = select(GreenFiling).order_by(GreenFiling.enterprise_id, GreenFiling.year, GreenFiling.version)
    if year is not None:
        query = query.where(GreenFiling.year == year)
    return {(f.enterprise_id, f.year): f for f in session.scalars(query)}


def next_filing_version(session: Session, enterprise_id: int, year: int) -> int:
    found = session.scalar(
        select(func.max(GreenFiling.version)).where(
            GreenFiling.enterprise_id == enterprise_id, GreenFiling.year == year
        )
    )
    return (found or 0) + 1


def kept_years(session: Session) -> dict[int, set[int]]:
    """designation id → the filing years a regulator decided to keep it despite no filing."""
    out: dict[int, set[int]] = {}
    rows = session.execute(
        select(GreenDesignationVersion.designation_id, GreenDesignationVersion.year).where(
            GreenDesignationVersion.action == "kept"
        )
    )
    for designation_id, year in rows:
        if year is not None:
            out.setdefault(designation_id, set()).add(int(year))
    return out


def designation_frame(session: Session) -> pd.DataFrame:
    """Every designation as a plain row; an enterprise's registry flags stand in as designations (origin
    ``registry_flag``) for a kind the register holds none of for it (a registry filled before the register)."""
    codes = dict(session.execute(select(Enterprise.id, Enterprise.code)).all())
    parks = dict(session.execute(select(Park.id, Park.code)).all())
    rows: list[dict[str, Any]] = []
    held: set[tuple[int, str]] = set()
    for d in designations(session):
        enterprise = codes.get(d.enterprise_id) if d.enterprise_id is not None else None
        park = parks.get(d.park_id) if d.park_id is not None else None
        if d.enterprise_id is not None:
            held.add((d.enterprise_id, d.kind))
        rows.append(
            {
                "designation_id": d.id,
                "subject": d.subject,
                "subject_code": enterprise if d.subject == "enterprise" else park,
                "enterprise_code": enterprise,
                "park_code": park,
                "kind": d.kind,
                "level": d.level,
                "year_designated": d.year_designated,
                "removed_year": d.removed_on.year if isinstance(d.removed_on, dt.date) else None,
                "status": d.status,
                "origin": d.origin,
            }
        )
    flags = session.execute(
        select(
            Enterprise.id,
            Enterprise.code,
            Enterprise.green_factory_level,
            Enterprise.green_factory_year,
            Enterprise.green_supply_chain,
        )
    )
    for eid, code, level, year, chain in flags:
        wanted = []
        if level and (eid, "factory") not in held:
            wanted.append(("factory", level, year))
        if chain and (eid, "supply_chain") not in held:
            wanted.append(("supply_chain", None, None))
        for kind, lvl, yr in wanted:
            rows.append(
                {
                    "designation_id": None,
                    "subject": "enterprise",
                    "subject_code": code,
                    "enterprise_code": code,
                    "park_code": None,
                    "kind": kind,
                    "level": lvl,
                    "year_designated": yr,
                    "removed_year": None,
                    "status": "listed",
                    "origin": "registry_flag",
                }
            )
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)
