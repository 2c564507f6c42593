"""Reading a month's evidence deposit (月度信息化存证) as the people who work with it see it: the items of
each aluminium facility with the month's report value beside the deposited one, the evidence files with
their SHA-256 (and earlier versions), the state, the enterprise's deadline and the city's review window,
and the cross-checks against the month's report and the metered month (以日保月).

Access first (:func:`enterprise_for`): the enterprise reads its own, the regulators of its region and its
verifiers read it; an enterprise outside the person's scope is *not found*, like one that does not exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied, InputError, NotFound
from carbonpeak.ets import config as ets_config
from carbonpeak.ets import deposit as rules
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.ets_deposit_meters import against_meters
from carbonpeak.store.ets.models import EtsDeposit, EtsDepositFile
from carbonpeak.store.models import Enterprise, Facility, Submission, SubmissionVersion

LOCAL = ZoneInfo("Asia/Shanghai")  # deadlines are days in China
REPORTED = ("submitted", "returned", "verified", "locked")  # a month that left the enterprise


@dataclass(frozen=True)
class FileRow:
    id: int
    item: str
    name: str
    version: int
    sha256: str
    size: int
    demo: bool
    uploaded_by: str
    uploaded_at: dt.datetime
    current: bool  # the latest version of its item and name


@dataclass(frozen=True)
class ItemRow:
    key: str
    facility: str
    item: rules.Item
    fuel: str  # the fuel of a fuel line ('' otherwise)
    reported: float | None  # the month's report (prefill)
    deposited: float | None


@dataclass
class View:
    enterprise: Enterprise
    month: str
    cfg: ets_config.Config
    facilities: list[Facility]
    status: str  # none (nothing saved yet), draft, deposited, returned, accepted
    version: int
    items: list[ItemRow]
    files: list[FileRow]
    deadline: rules.Deadline
    review: rules.Deadline | None
    report_checks: list[rules.Check]
    meter_checks: list[rules.Check]
    metered: bool  # a reading store was configured and read
    report_versions: dict[str, tuple[int, str]]  # facility -> (version, status) of the month's report
    deposit: EtsDeposit | None = None
    history: list[tuple[int, str, dt.datetime, str | None]] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.status == "accepted"


def local_day(moment: dt.datetime | None) -> dt.date | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(LOCAL).date()


def enterprise_for(session: Session, who: Principal, code: str, action: str = "ets.view") -> Enterprise:
    """The enterprise, when the person may ``action`` its deposits (403 first for a role that may not);
    outside the person's scope it is *not found*."""
    access.require(who, action)
    try:
        return access.get_enterprise(session, who, code)
    except (NotFound, AccessDenied):
        raise NotFound(code="ets.not_found") from None


def check_month(month: str) -> None:
    if not rules.is_month(month):
        raise InputError(code="ets.bad_month", field="month", value=month)


def aluminium_facilities(session: Session, enterprise: Enterprise) -> list[Facility]:
    found = session.scalars(
        select(Facility)
        .where(Facility.enterprise_id == enterprise.id, Facility.sector == rules.ALUMINIUM)
        .order_by(Facility.code)
    )
    facilities = list(found)
    if not facilities:
        raise InputError(code="ets.not_in_ets", field="enterprise", value=enterprise.code)
    return facilities


def report_records(session: Session, facilities: list[Facility], month: str) -> dict[str, SubmissionVersion]:
    """The latest version of each facility's month that left the enterprise (submitted or later)."""
    rows = session.execute(
        select(Facility.code, SubmissionVersion)
        .join(Submission, Submission.facility_id == Facility.id)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .where(Facility.id.in_([f.id for f in facilities]), Submission.period == month)
        .order_by(SubmissionVersion.version)
    )
    latest: dict[str, SubmissionVersion] = {}
    for code, version in rows:
        if version.status in REPORTED:
            latest[code] = version
    return latest


def stored(session: Session, enterprise: Enterprise, month: str) -> EtsDeposit | None:
    return session.scalar(
        select(EtsDeposit).where(EtsDeposit.enterprise_code == enterprise.code, EtsDeposit.month == month)
    )


def keys_of(
    facilities: list[Facility], records: dict[str, SubmissionVersion], cfg: ets_config.Config
) -> list[tuple[str, rules.Item]]:
    out = []
    for f in facilities:
        record = records[f.code].record if f.code in records else None
        out += rules.item_keys(cfg.items, f.code, record)
    return out


def view(session: Session, who: Principal, code: str, month: str, today: dt.date, *, meters: bool = True) -> View:
    """The month's deposit as shown on its page and in its receipt (nothing is written)."""
    enterprise = enterprise_for(session, who, code)
    check_month(month)
    return view_of(session, enterprise, month, today, meters=meters)


def view_of(session: Session, enterprise: Enterprise, month: str, today: dt.date, *, meters: bool = True) -> View:
    """:func:`view` of an enterprise already checked."""
    cfg = ets_config.load()
    facilities = aluminium_facilities(session, enterprise)
    records = report_records(session, facilities, month)
    row = stored(session, enterprise, month)
    values: dict[str, Any] = dict(row.values) if row is not None else {}
    keys = keys_of(facilities, records, cfg)
    keys += [
        (k, cfg.item(k.split(":")[1])) for k in sorted(values) if k not in dict(keys) and cfg.item(k.split(":")[1])
    ]  # type: ignore[misc]
    reported: dict[str, float | None] = {}
    for f in facilities:
        reported.update(rules.prefill(cfg.items, f.code, records[f.code].record if f.code in records else None))
    items = [
        ItemRow(k, k.split(":")[0], item, k.split(":")[2] if k.count(":") == 2 else "", reported.get(k), values.get(k))
        for k, item in keys
    ]
    files = _files(row)
    deposited_on = local_day(row.deposited_at) if row is not None and row.status in ("deposited", "accepted") else None
    reviewed_on = local_day(row.reviewed_at) if row is not None and row.status == "accepted" else None
    report_checks = rules.against_report(keys, values, reported, cfg)
    meter_checks, metered = against_meters(session, facilities, records, values, month) if meters else ([], False)
    history = [(v.version, v.created_by, v.created_at, v.reason) for v in row.versions] if row is not None else []
    return View(
        enterprise=enterprise,
        month=month,
        cfg=cfg,
        facilities=facilities,
        status=row.status if row is not None else "none",
        version=row.version if row is not None else 0,
        items=items,
        files=files,
        deadline=rules.enterprise_deadline(month, deposited_on, today, cfg),
        review=rules.review_deadline(month, deposited_on, reviewed_on, today, cfg),
        report_checks=report_checks,
        meter_checks=meter_checks,
        metered=metered,
        report_versions={c: (v.version, v.status) for c, v in records.items()},
        deposit=row,
        history=history,
    )


def _files(row: EtsDeposit | None) -> list[FileRow]:
    if row is None:
        return []
    latest: dict[tuple[str, str], int] = {}
    for f in row.files:
        latest[(f.item, f.name)] = max(latest.get((f.item, f.name), 0), f.version)
    return [
        FileRow(
            f.id,
            f.item,
            f.name,
            f.version,
            f.sha256,
            f.size,
            f.demo,
            f.uploaded_by,
            f.uploaded_at,
            f.version == latest[(f.item, f.name)],
        )
        for f in sorted(row.files, key=lambda f: (f.item, f.name, -f.version))
    ]


def deposits(session: Session, who: Principal, month: str | None = None) -> list[EtsDeposit]:
    """The deposits of the enterprises in the person's scope (a regulator's review list), newest first."""
    access.require(who, "ets.view")
    own = select(Enterprise.code).where(access.enterprise_filter(who))
    query = select(EtsDeposit).where(EtsDeposit.enterprise_code.in_(own))
    if month:
        check_month(month)
        query = query.where(EtsDeposit.month == month)
    return list(session.scalars(query.order_by(EtsDeposit.month.desc(), EtsDeposit.enterprise_code)))


def deposits_of(session: Session, enterprise: Enterprise, year: str) -> list[EtsDeposit]:
    """The stored deposits of an enterprise already checked, in a year (for its annual report)."""
    return list(
        session.scalars(
            select(EtsDeposit)
            .where(EtsDeposit.enterprise_code == enterprise.code, EtsDeposit.month.startswith(f"{year}-"))
            .order_by(EtsDeposit.month)
        )
    )


def enterprises_in_ets(session: Session, who: Principal) -> list[Enterprise]:
    """The enterprises in the person's scope that have an electrolytic aluminium facility."""
    access.require(who, "ets.view")
    smelters = select(Facility.enterprise_id).where(Facility.sector == rules.ALUMINIUM)
    query = select(Enterprise).where(access.enterprise_filter(who), Enterprise.id.in_(smelters))
    return list(session.scalars(query.order_by(Enterprise.code)))


def year_of(session: Session, who: Principal, code: str, year: int, today: dt.date) -> list[View]:
    """The months of a year (up to the current one) of an enterprise's deposits, without the meter checks."""
    enterprise = enterprise_for(session, who, code)
    last = 12 if year < today.year else today.month
    return [view_of(session, enterprise, f"{year:04d}-{m:02d}", today, meters=False) for m in range(1, last + 1)]


def file_named(session: Session, who: Principal, code: str, month: str, name: str, version: int = 0) -> EtsDepositFile:
    """An evidence file of the month by its name: its latest version, or ``version`` when given."""
    enterprise = enterprise_for(session, who, code)
    check_month(month)
    row = stored(session, enterprise, month)
    found = [f for f in (row.files if row is not None else []) if f.name == name and version in (0, f.version)]
    if not found:
        raise NotFound(code="ets.not_found")
    return max(found, key=lambda f: f.version)
