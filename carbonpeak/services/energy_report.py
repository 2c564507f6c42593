"""Use cases of the energy-utilisation status report (能源利用状况报告): open an enterprise's report of a
year pre-filled from the ledger, save what the enterprise completes (a new version each time), file it,
and review it (accept: locked; return with a reason: the correction is a new version).

Access first, every time: the person's role may do the step (else 403 before anything is looked up), then
the enterprise is in their scope (else *not found*, revealing nothing): an enterprise its own, the
regulators of its region, its assigned verifiers (read only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.energy_report import config, prefill
from carbonpeak.errors import Conflict, InputError, NotFound
from carbonpeak.services import access
from carbonpeak.services import energy_report_data as data
from carbonpeak.services.access import Principal
from carbonpeak.services.energy_report_entries import checked, entries_from_csv
from carbonpeak.store import repository as repo
from carbonpeak.store.energy_report.models import EnergyReportVersion
from carbonpeak.store.models import Enterprise, Facility, Region, utcnow
from carbonpeak.store.parameters import parameter_set

ENTITY = "energy_report"
DRAFT, SUBMITTED, RETURNED, ACCEPTED = "draft", "submitted", "returned", "accepted"


@dataclass(frozen=True)
class Basic:
    """表1 from the registry."""

    code: str
    name_zh: str
    name_en: str
    uscc: str
    region: str
    province: str | None
    key_energy_user: bool  # the registry's flag
    contact: str
    facilities: list[tuple[str, str, str, float | None, str]]  # code, name, sector, capacity t/a, status


@dataclass(frozen=True)
class VersionInfo:
    version: int
    status: str
    created_by: str
    created_at: dt.datetime
    submitted_by: str | None
    submitted_at: dt.datetime | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    reason: str | None
    figures_sha256: str | None


@dataclass
class Opened:
    basic: Basic
    year: int
    figures: prefill.Prefill
    figures_sha256: str
    forms: config.FormSet
    entries: dict[str, list[dict[str, Any]]]
    history: list[VersionInfo] = field(default_factory=list)
    deadline: config.DeadlineStatus = field(default_factory=lambda: config.DeadlineStatus("not_configured", None))
    may_fill: bool = False
    may_review: bool = False

    @property
    def current(self) -> VersionInfo | None:
        return self.history[-1] if self.history else None

    @property
    def status(self) -> str:
        return self.current.status if self.current else "none"

    @property
    def locked(self) -> bool:
        return self.status == ACCEPTED


def _enterprise(session: Session, who: Principal, code: str, action: str) -> Enterprise:
    """The enterprise when the person may do ``action`` on it: 403 for the role first, then not found for
    one outside their scope (as for one that does not exist)."""
    access.require(who, action)
    found = session.scalar(select(Enterprise).where(Enterprise.code == code, access.enterprise_filter(who)))
    if found is None:
        raise NotFound(code="energy_report.not_found", enterprise=code)
    return found


def year_of(year: Any) -> int:
    try:
        value = int(str(year))
    except ValueError:
        value = 0
    if not 2000 <= value <= 2100:
        raise InputError(code="energy_report.bad_year", field="year", value=str(year))
    return value


def _versions(session: Session, code: str, year: int) -> list[EnergyReportVersion]:
    return list(
        session.scalars(
            select(EnergyReportVersion)
            .where(EnergyReportVersion.enterprise_code == code, EnergyReportVersion.year == year)
            .order_by(EnergyReportVersion.version)
        )
    )


def _info(v: EnergyReportVersion) -> VersionInfo:
    return VersionInfo(
        v.version,
        v.status,
        v.created_by,
        v.created_at,
        v.submitted_by,
        v.submitted_at,
        v.reviewed_by,
        v.reviewed_at,
        v.reason,
        v.figures_sha256,
    )


def _basic(session: Session, enterprise: Enterprise) -> Basic:
    region = session.get(Region, enterprise.region_id)
    facilities = list(
        session.scalars(select(Facility).where(Facility.enterprise_id == enterprise.id).order_by(Facility.code))
    )
    province = repo.facility_province(session, facilities[0]) if facilities else None
    contact = " ".join(x for x in (enterprise.contact_person, enterprise.contact_phone) if x)
    return Basic(
        code=enterprise.code,
        name_zh=enterprise.name_zh,
        name_en=enterprise.name_en,
        uscc=enterprise.uscc,
        region=region.name_zh if region is not None else "",
        province=province,
        key_energy_user=bool(enterprise.key_energy_user),
        contact=contact,
        facilities=[(f.code, f.name_zh, f.sector, f.capacity_t_per_a, f.status) for f in facilities],
    )


def open_report(
    session: Session, who: Principal, enterprise: str, year: Any, *, today: dt.date | None = None
) -> Opened:
    """The report of ``year``: the platform's figures, the latest entries, the history, the deadline."""
    found = _enterprise(session, who, enterprise, "energy_report.view")
    y = year_of(year)
    figures = data.figures(session, parameter_set(session), found, y)
    versions = _versions(session, found.code, y)
    basic = _basic(session, found)
    forms = config.load()
    submitted = next((v.submitted_at for v in versions if v.submitted_at is not None), None)
    return Opened(
        basic=basic,
        year=y,
        figures=figures,
        figures_sha256=data.figures_sha256(figures),
        forms=forms,
        entries=dict(versions[-1].entries) if versions else {},
        history=[_info(v) for v in versions],
        deadline=config.deadline_status(
            forms, basic.province, y, today or dt.date.today(), submitted.date() if submitted else None
        ),
        may_fill=access.allowed(who, "energy_report.fill"),
        may_review=access.allowed(who, "energy_report.review"),
    )


def _refuse_locked_or_filed(latest: EnergyReportVersion | None, versions: list[EnergyReportVersion]) -> None:
    if any(v.status == ACCEPTED for v in versions):
        accepted = next(v for v in versions if v.status == ACCEPTED)
        raise Conflict(code="energy_report.locked", version=accepted.version, by=accepted.reviewed_by or "")
    if latest is not None and latest.status == SUBMITTED:
        raise Conflict(code="energy_report.under_review", version=latest.version)


def save(session: Session, who: Principal, enterprise: str, year: Any, given: Any) -> VersionInfo:
    """Save what the enterprise completed as the next version (a draft). Refused, with every problem
    named at once and nothing written, when an entry is bad; refused when the report is accepted (locked)
    or filed and under review."""
    found = _enterprise(session, who, enterprise, "energy_report.fill")
    y = year_of(year)
    forms = config.load()
    versions = _versions(session, found.code, y)
    latest = versions[-1] if versions else None
    _refuse_locked_or_filed(latest, versions)
    clean = checked(forms, given, complete=False)
    row = EnergyReportVersion(
        enterprise_code=found.code,
        year=y,
        version=(latest.version if latest else 0) + 1,
        status=DRAFT,
        entries=clean,
        created_by=who.actor,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    before = {"version": latest.version, "status": latest.status} if latest else None
    repo.audit(session, who.actor, "save", ENTITY, _key(row), before, {"version": row.version, "entries": clean})
    return _info(row)


def save_csv(session: Session, who: Principal, enterprise: str, year: Any, content: bytes) -> VersionInfo:
    """Save a CSV file of the entries (:func:`entries_from_csv`) as the next version: access first."""
    _enterprise(session, who, enterprise, "energy_report.fill")
    return save(session, who, enterprise, year, entries_from_csv(content))


def submit(session: Session, who: Principal, enterprise: str, year: Any, given: Any = None) -> VersionInfo:
    """File the report: the entries given (saved first as a new version) or the latest draft, checked
    complete; it keeps the fingerprint of the platform's figures it was filed with."""
    found = _enterprise(session, who, enterprise, "energy_report.fill")
    y = year_of(year)
    forms = config.load()
    versions = _versions(session, found.code, y)
    latest = versions[-1] if versions else None
    _refuse_locked_or_filed(latest, versions)
    if given is not None or latest is None or latest.status != DRAFT:
        source = given if given is not None else (latest.entries if latest is not None else {})
        checked(forms, source, complete=True)
        save(session, who, found.code, y, source)
        latest = _versions(session, found.code, y)[-1]
    else:
        checked(forms, latest.entries, complete=True)
    figures = data.figures(session, parameter_set(session), found, y)
    latest.status, latest.submitted_by, latest.submitted_at = SUBMITTED, who.actor, utcnow()
    latest.figures_sha256 = data.figures_sha256(figures)
    session.flush()
    repo.audit(session, who.actor, "submit", ENTITY, _key(latest), {"status": DRAFT}, {"status": SUBMITTED})
    return _info(latest)


def review(
    session: Session, who: Principal, enterprise: str, year: Any, decision: str, reason: str | None = None
) -> VersionInfo:
    """The regulator's decision on the filed version: ``accept`` (locked from now on) or ``return`` with a
    reason (the enterprise corrects it as a new version)."""
    found = _enterprise(session, who, enterprise, "energy_report.review")
    if decision not in ("accept", "return"):
        raise InputError(code="energy_report.bad_decision", field="decision", value=decision)
    y = year_of(year)
    versions = _versions(session, found.code, y)
    latest = versions[-1] if versions else None
    if latest is None or latest.status != SUBMITTED:
        raise Conflict(code="energy_report.not_submitted", status=latest.status if latest else "none")
    text = (reason or "").strip()
    if decision == "return" and not text:
        raise InputError(code="energy_report.reason_required", field="reason")
    latest.status = ACCEPTED if decision == "accept" else RETURNED
    latest.reviewed_by, latest.reviewed_at, latest.reason = who.actor, utcnow(), text or None
    session.flush()
    repo.audit(
        session,
        who.actor,
        decision,
        ENTITY,
        _key(latest),
        {"status": SUBMITTED},
        {"status": latest.status, "reason": text},
    )
    return _info(latest)


def _key(row: EnergyReportVersion) -> str:
    return f"{row.enterprise_code}:{row.year}:v{row.version}"


__all__ = ["entries_from_csv", "open_report", "review", "save", "save_csv", "submit"]
