"""Reports as a person uses them: make one (on demand or on the schedule), list them, download a file,
sign one off (it is locked from then on), and check or regenerate one from its data state.

Access first: each kind names the permissions to read, make and sign it (:mod:`reports_kinds`). A region's
report needs its region in the person's jurisdiction; an enterprise's report needs the enterprise in the
person's scope (its own people, its verifiers, the regulators of its region). A report outside the
person's scope is *not found*, like one that does not exist: a refusal reveals nothing of it.

A made report is stored with its data state, the document it rendered and each file's SHA-256
(:mod:`carbonpeak.store.reports.models`). Its files are made again from the stored document to the same
bytes (:func:`regenerate`); when the data state has not moved, the figures are also recomputed from the
store and must give the same bytes again; when it has moved, the difference is listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied, Conflict, NotFound
from carbonpeak.reports import formats
from carbonpeak.reports import state as report_state
from carbonpeak.reports.document import from_dict, to_dict
from carbonpeak.reports.render import render_many
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.reports_kinds import ENTERPRISE, Kind, kind_of, kinds, parse_period
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Enterprise, Region, utcnow
from carbonpeak.store.reports.models import Report, ReportFile


@dataclass(frozen=True)
class FileInfo:
    format: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Summary:
    id: int
    kind: str
    region: str
    period: str
    lang: str
    version: int
    status: str  # made, signed
    provisional: bool
    made_on: dt.date
    made_by: str
    made_at: dt.datetime
    trigger: str
    state_sha256: str
    signed_by: str | None
    signed_at: dt.datetime | None
    files: tuple[FileInfo, ...]
    title: str
    enterprise: str = ""  # the enterprise of an enterprise report ('' for a region's)

    @property
    def locked(self) -> bool:
        return self.status == "signed"


@dataclass
class Check:
    """A stored report against the store today: whether its data state moved (and how), and whether its
    files come out of its stored document, and (data unchanged) out of the store, to the same bytes."""

    report: Summary
    state_now: str
    changes: list[report_state.Change] = field(default_factory=list)
    from_document: dict[str, bool] = field(default_factory=dict)  # format -> same SHA-256
    from_store: dict[str, bool] = field(default_factory=dict)  # format -> same SHA-256 (data unchanged only)

    @property
    def data_changed(self) -> bool:
        return self.state_now != self.report.state_sha256

    @property
    def reproduced(self) -> bool:
        same = all(self.from_document.values()) and bool(self.from_document)
        return same and (self.data_changed or (all(self.from_store.values()) and bool(self.from_store)))


def summary(row: Report) -> Summary:
    return Summary(
        id=row.id,
        kind=row.kind,
        region=row.region_code,
        period=row.period,
        lang=row.lang,
        version=row.version,
        status=row.status,
        provisional=row.provisional,
        made_on=row.made_on,
        made_by=row.made_by,
        made_at=row.made_at,
        trigger=row.trigger,
        state_sha256=row.state_sha256,
        signed_by=row.signed_by,
        signed_at=row.signed_at,
        files=tuple(FileInfo(f.format, f.sha256, f.size) for f in row.files),
        title=str(row.document.get("title", "")),
        enterprise=row.enterprise_code,
    )


def _subject(session: Session, who: Principal, kind: Kind, asked: Asked, action: str) -> Asked:
    """Access first (the kind's permission, then the region or enterprise in the person's scope: outside it,
    *not found*), then the period; the asked report with its region filled in for an enterprise's."""
    access.require(who, action)
    if kind.subject == ENTERPRISE:
        enterprise = _enterprise_in_scope(session, who, asked.enterprise)
        region = session.get(Region, enterprise.region_id) if enterprise.region_id else None
        asked = replace(asked, region=region.code if region is not None else "")
    else:
        access.get_region(session, who, asked.region)
    parse_period(kind, asked.period)
    return asked


def _enterprise_in_scope(session: Session, who: Principal, code: str) -> Enterprise:
    try:
        return access.get_enterprise(session, who, code)
    except (NotFound, AccessDenied):  # outside the scope reads as absent: nothing of it is revealed
        raise NotFound(code="reports.not_found") from None


def make(session: Session, who: Principal, asked: Asked, *, trigger: str = "on_demand") -> Summary:
    """Make the report asked for (its figures, its three files), store it as the next version of its
    kind, region (or enterprise), period and language, and return it. Nothing is stored when a file cannot
    be made."""
    require_maker(who)
    kind = kind_of(asked.kind)
    asked = _subject(session, who, kind, asked, kind.make)
    made = kind.gather(session, who, asked)
    rendered = render_many(made.document)
    latest = session.scalar(
        select(func.max(Report.version)).where(
            Report.kind == asked.kind,
            Report.region_code == asked.region,
            Report.enterprise_code == asked.enterprise,
            Report.period == asked.period,
            Report.lang == made.document.lang,
        )
    )
    row = Report(
        kind=asked.kind,
        region_code=asked.region,
        enterprise_code=asked.enterprise,
        period=asked.period,
        lang=made.document.lang,
        version=int(latest or 0) + 1,
        status="made",
        provisional=made.document.provisional,
        made_on=made.document.made_on,
        data_state=made.state,
        state_sha256=made.fingerprint,
        document=to_dict(made.document),
        trigger=trigger,
        made_by=who.actor,
        made_at=utcnow(),
    )
    row.files = [
        ReportFile(format=fmt, sha256=r.sha256, size=len(r.data), content=r.data) for fmt, r in sorted(rendered.items())
    ]
    session.add(row)
    session.flush()
    repo.audit(session, who.actor, "make", "report", _key(row), None, {"state": made.fingerprint, "trigger": trigger})
    return summary(row)


def _key(row: Report) -> str:
    subject = f"{row.region_code}:{row.enterprise_code}" if row.enterprise_code else row.region_code
    return f"{row.kind}:{subject}:{row.period}:{row.lang}:v{row.version}"


def _readable_kinds(who: Principal) -> list[str]:
    return [k.name for k in kinds().values() if access.allowed(who, k.view)]


# the permissions behind each step, for a region's reports and an enterprise's: a person with neither is
# refused (403) before anything is looked up
READ = ("overview.view", "report.enterprise.view")
MAKE = ("overview.view", "report.enterprise.make")
SIGN = ("report.sign", "report.enterprise.sign")


def may_read(who: Principal) -> bool:
    """Whether the person reads any report (a region's, or an enterprise's in their scope)."""
    return any(access.allowed(who, action) for action in READ)


def require_maker(who: Principal) -> None:
    """403 before anything is looked at for a person who makes no kind of report."""
    if not any(access.allowed(who, action) for action in MAKE):
        raise AccessDenied()


def may_sign(who: Principal, report: Summary) -> bool:
    return not report.locked and access.allowed(who, kind_of(report.kind).sign)


def kind_title(kind: str, lang: str) -> str:
    return kind_of(kind).title(lang)


def subject_names(session: Session, reports: list[Summary], lang: str) -> dict[str, str]:
    """The names of the regions and enterprises the reports are of, by code, in the language."""
    regions = {r.region for r in reports}
    enterprises = {r.enterprise for r in reports if r.enterprise}
    names: dict[str, str] = {}
    for code, zh, en in session.execute(
        select(Region.code, Region.name_zh, Region.name_en).where(Region.code.in_(regions))
    ):
        names[code] = zh if lang == "zh" else en or zh
    for code, zh, en in session.execute(
        select(Enterprise.code, Enterprise.name_zh, Enterprise.name_en).where(Enterprise.code.in_(enterprises))
    ):
        names[code] = zh if lang == "zh" else en or zh
    return names


def _require_reader(who: Principal) -> None:
    if not may_read(who):
        raise AccessDenied()  # a person who reads no report is refused before anything is looked up


def _get(session: Session, who: Principal, report_id: int) -> Report:
    """The report, if it exists, the person may read its kind and its region or enterprise is in their
    scope; else *not found* either way (403 first for a person who may read no report at all)."""
    _require_reader(who)
    readable = _readable_kinds(who)
    row = access.by_id(session, Report, report_id)
    if row is None or row.kind not in readable or not _in_scope(session, who, row):
        raise NotFound(code="reports.not_found")
    return row


def _in_scope(session: Session, who: Principal, row: Report) -> bool:
    if who.is_admin:
        return True
    if row.enterprise_code:
        try:
            _enterprise_in_scope(session, who, row.enterprise_code)
        except NotFound:
            return False
        return True
    region = session.scalar(select(Region).where(Region.code == row.region_code))
    return region is not None and region.id in who.region_ids


def get(session: Session, who: Principal, report_id: int) -> Summary:
    return summary(_get(session, who, report_id))


def data_state_of(session: Session, who: Principal, report_id: int) -> dict[str, Any]:
    """The data state a report was made from (the months, parameter fingerprints, digests, the day)."""
    return dict(_get(session, who, report_id).data_state)


def list_reports(
    session: Session,
    who: Principal,
    *,
    region: str | None = None,
    kind: str | None = None,
    enterprise: str | None = None,
    limit: int = 200,
) -> list[Summary]:
    """The stored reports the person may read (the kinds their role reads, in their scope), newest first."""
    _require_reader(who)
    readable = _readable_kinds(who)
    query = select(Report).where(Report.kind.in_(readable))
    query = query.order_by(Report.period.desc(), Report.made_at.desc(), Report.id.desc())
    if region:
        query = query.where(Report.region_code == region)
    if kind:
        query = query.where(Report.kind == kind)
    if enterprise is not None:
        query = query.where(Report.enterprise_code == enterprise)
    if not who.is_admin:
        regions = select(Region.code).where(Region.id.in_(sorted(who.region_ids)))
        own = select(Enterprise.code).where(Enterprise.id.in_(sorted(who.enterprise_ids)))
        query = query.where(Report.region_code.in_(regions) | Report.enterprise_code.in_(own))
        if who.role not in access.REGULATORS:  # enterprises and verifiers: their enterprises' reports only
            query = query.where(Report.enterprise_code.in_(own))
    return [summary(r) for r in session.scalars(query.limit(limit))]


def file_of(session: Session, who: Principal, report_id: int, fmt: str) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of a stored report's file."""
    row = _get(session, who, report_id)
    found = next((f for f in row.files if f.format == fmt), None)
    if found is None:
        raise NotFound(code="reports.no_file", format=fmt)
    name = f"{row.kind}_{row.region_code}_{row.period}_{row.lang}_v{row.version}.{fmt}"
    return name, formats.MEDIA_TYPES[fmt], bytes(found.content)


def sign_off(session: Session, who: Principal, report_id: int) -> Summary:
    """Sign a report off: from now on it is locked and never changes (a later report is a new version).
    The kind names who signs: the regulators a region's report, the enterprise its own (filing it)."""
    if not any(access.allowed(who, action) for action in SIGN):
        raise AccessDenied()  # a person who signs no report is refused before anything is looked up
    row = _get(session, who, report_id)
    access.require(who, kind_of(row.kind).sign)
    if row.status == "signed":
        raise Conflict(code="reports.already_signed", by=row.signed_by or "", at=str(row.signed_at or ""))
    row.status, row.signed_by, row.signed_at = "signed", who.actor, utcnow()
    session.flush()
    repo.audit(session, who.actor, "sign", "report", _key(row), {"status": "made"}, {"status": "signed"})
    return summary(row)


def regenerate(session: Session, who: Principal, report_id: int) -> Check:
    """Make a stored report's files again and compare their SHA-256 with the stored ones: from the
    stored document always; from the store's figures too when the data state has not moved (then the
    figures are recomputed exactly as they were made). Changes nothing."""
    row = _get(session, who, report_id)
    stored = {f.format: f.sha256 for f in row.files}
    again = render_many(from_dict(row.document), tuple(sorted(stored)))
    asked = _asked_of(row)
    made = kind_of(row.kind).gather(session, who, asked)
    check = Check(summary(row), made.fingerprint)
    check.from_document = {fmt: again[fmt].sha256 == sha for fmt, sha in stored.items()}
    if made.fingerprint == row.state_sha256:
        recomputed = render_many(made.document, tuple(sorted(stored)))
        check.from_store = {fmt: recomputed[fmt].sha256 == sha for fmt, sha in stored.items()}
    else:
        check.changes = report_state.difference(row.data_state, made.state)
    return check


def _asked_of(row: Report) -> Asked:
    state: dict[str, Any] = row.data_state
    return Asked(
        kind=row.kind,
        region=row.region_code,
        period=row.period,
        lang=row.lang,
        as_of=dt.date.fromisoformat(state["as_of"]),
        edition=state.get("edition"),
        draws=int(state.get("draws", 1000)),
        base_url=str(row.document.get("base_url", "")),
        enterprise=row.enterprise_code,
    )
