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

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from carbonpeak.energy_report import config, entries, prefill
from carbonpeak.errors import Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.messages import Bilingual
from carbonpeak.services import access
from carbonpeak.services import energy_report_data as data
from carbonpeak.services.access import Principal
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


def _year(year: Any) -> int:
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
    y = _year(year)
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


def problems_as_errors(problems: list[entries.Problem]) -> ValidationFailed:
    """Every problem as a coded error naming the table, the row and the field (zh and en)."""
    errors = []
    for p in problems:
        zh, en = p.params("zh"), p.params("en")
        errors.append(
            InputError(
                code=p.code,
                table=Bilingual(zh["table"], en["table"]),
                line=p.row,
                column=Bilingual(zh["field"], en["field"]),
                given=p.value,
                minimum=zh["minimum"],
            )
        )
    return ValidationFailed(errors)


CSV_COLUMNS = {"表": "table", "行": "row", "字段": "field", "内容": "value"}  # a Chinese header reads the same


def entries_from_csv(content: bytes) -> dict[str, list[dict[str, str]]]:
    """What the enterprise completes, from a CSV file (UTF-8 or GBK) of lines ``table,row,field,value``;
    the header may be in Chinese (表,行,字段,内容); every line that names no table, field or row is refused
    at once (nothing is saved)."""
    import csv
    import io

    text = None
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise InputError(code="energy_report.csv.encoding")
    reader = csv.reader(io.StringIO(text))
    header = [CSV_COLUMNS.get(h.strip(), h.strip()) for h in next(reader, [])]
    missing = [c for c in ("table", "row", "field", "value") if c not in header]
    if missing:
        raise InputError(code="energy_report.csv.columns", missing=", ".join(missing))
    lines = [dict(zip(header, cells, strict=False)) for cells in reader]
    found, bad = entries.from_rows(config.load(), lines)
    if bad:
        raise ValidationFailed(
            [InputError(code=f"energy_report.csv.unknown_{b.what}", line=b.line, given=b.given) for b in bad]
        )
    return found


def _check(forms: config.FormSet, given: Any, *, complete: bool) -> dict[str, list[dict[str, Any]]]:
    clean, problems = entries.check(forms, given)
    if complete:  # a filed report answers every single-row table's required field
        for table in forms.enterprise_tables():
            if not table.many and table.id not in clean and not any(p.table.id == table.id for p in problems):
                for f in table.fields:
                    if f.required:
                        problems.append(entries.Problem(table, 1, f, "energy_report.entry.required"))
    if problems:
        raise problems_as_errors(problems)
    return clean


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
    y = _year(year)
    forms = config.load()
    versions = _versions(session, found.code, y)
    latest = versions[-1] if versions else None
    _refuse_locked_or_filed(latest, versions)
    clean = _check(forms, given, complete=False)
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


def submit(session: Session, who: Principal, enterprise: str, year: Any, given: Any = None) -> VersionInfo:
    """File the report: the entries given (saved first as a new version) or the latest draft, checked
    complete; it keeps the fingerprint of the platform's figures it was filed with."""
    found = _enterprise(session, who, enterprise, "energy_report.fill")
    y = _year(year)
    forms = config.load()
    versions = _versions(session, found.code, y)
    latest = versions[-1] if versions else None
    _refuse_locked_or_filed(latest, versions)
    if given is not None or latest is None or latest.status != DRAFT:
        source = given if given is not None else (latest.entries if latest is not None else {})
        _check(forms, source, complete=True)
        save(session, who, found.code, y, source)
        latest = _versions(session, found.code, y)[-1]
    else:
        _check(forms, latest.entries, complete=True)
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
    if decision not in ("accept", "return"):
        access.require(who, "energy_report.review")
        raise InputError(code="energy_report.bad_decision", field="decision", value=decision)
    found = _enterprise(session, who, enterprise, "energy_report.review")
    y = _year(year)
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


@dataclass(frozen=True)
class Listed:
    enterprise: str
    name: str
    year: int
    status: str
    version: int


def inbox(session: Session, who: Principal, year: Any) -> list[Listed]:
    """The reports of ``year`` of the enterprises in the person's scope, latest version each."""
    access.require(who, "energy_report.view")
    y = _year(year)
    latest = (
        select(EnergyReportVersion.enterprise_code, func.max(EnergyReportVersion.version).label("version"))
        .where(EnergyReportVersion.year == y)
        .group_by(EnergyReportVersion.enterprise_code)
        .subquery()
    )
    query = (
        select(EnergyReportVersion, Enterprise)
        .join(
            latest,
            (latest.c.enterprise_code == EnergyReportVersion.enterprise_code)
            & (latest.c.version == EnergyReportVersion.version),
        )
        .join(Enterprise, Enterprise.code == EnergyReportVersion.enterprise_code)
        .where(EnergyReportVersion.year == y, access.enterprise_filter(who) if not who.is_admin else true())
        .order_by(Enterprise.code)
    )
    return [Listed(e.code, e.name_zh, y, v.status, v.version) for v, e in session.execute(query)]


def enterprises(session: Session, who: Principal) -> list[tuple[str, str]]:
    """(code, name) of the enterprises whose reports the person may read."""
    access.require(who, "energy_report.view")
    query = select(Enterprise.code, Enterprise.name_zh).where(access.enterprise_filter(who)).order_by(Enterprise.code)
    return [(code, name) for code, name in session.execute(query)]


def own_enterprise(session: Session, who: Principal) -> str | None:
    """An enterprise user's own enterprise code (None for other roles)."""
    if who.role != access.ENTERPRISE or who.enterprise_id is None:
        return None
    own = session.get(Enterprise, who.enterprise_id)
    return own.code if own is not None else None


def nbs205(session: Session, who: Principal, enterprise: str, year: Any) -> tuple[str, bytes]:
    """The NBS 205-1/205-2/205-3 workbook of the year, from the same figures as the report."""
    from carbonpeak.energy_report import nbs205 as forms205

    opened = open_report(session, who, enterprise, year)
    content = forms205.workbook(
        opened.figures,
        enterprise=opened.basic.code,
        enterprise_name=opened.basic.name_zh,
        source=opened.forms.nbs_source,
    )
    return f"nbs205_{opened.basic.code}_{opened.year}.xlsx", content


def _key(row: EnergyReportVersion) -> str:
    return f"{row.enterprise_code}:{row.year}:v{row.version}"
