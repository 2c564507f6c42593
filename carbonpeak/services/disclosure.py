"""Disclosure as an enterprise and a regulator use it: state the year's allowance surrender, publish (file,
sign off, lock) a disclosure report, see one's own due day and what is published; a regulator flags an
enterprise that must disclose though it is in no carbon-market sector (docs/disclosure.md).

Access first; a refusal reveals nothing (an enterprise outside the person's scope is *not found*). Every
change is a new version with its audit entry; nothing is overwritten."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.disclosure import deadlines
from carbonpeak.disclosure.config import config
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import reports as report_use
from carbonpeak.services.access import Principal
from carbonpeak.services.disclosure_climate import CLIMATE
from carbonpeak.services.disclosure_inputs import enterprise_in_scope
from carbonpeak.services.disclosure_mee import MEE
from carbonpeak.store import repository as repo
from carbonpeak.store.disclosure.models import AllowanceStatement, DisclosureFlag
from carbonpeak.store.disclosure.reads import latest_statement, next_flag_version, next_statement_version
from carbonpeak.store.models import utcnow

KINDS = (MEE, CLIMATE)
STATUSES = ("completed", "partly", "not_completed")
CHINA = dt.timezone(dt.timedelta(hours=8))  # the day a report is published on is China's (no summer time)


@dataclass(frozen=True)
class Statement:
    enterprise: str
    year: int
    version: int
    status: str
    surrendered_tco2e: float | None
    note: str | None
    entered_by: str
    entered_at: dt.datetime


@dataclass(frozen=True)
class Flag:
    enterprise: str
    version: int
    obliged: bool
    reason: str
    entered_by: str
    entered_at: dt.datetime


@dataclass(frozen=True)
class Own:
    """An enterprise's disclosure of a year as its own page shows it."""

    enterprise: str
    name: str
    year: int
    due: dt.date
    state: str  # deadlines.STATES
    published_on: dt.date | None
    statement: Statement | None
    reports: list[report_use.Summary]


def statement_of(row: AllowanceStatement) -> Statement:
    return Statement(
        row.enterprise_code,
        row.year,
        row.version,
        row.status,
        row.surrendered_tco2e,
        row.note,
        row.entered_by,
        row.entered_at,
    )


def check_year(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        year = 0
    if not 1990 <= year <= 2100:
        raise InputError(code="disclosure.bad_year", field="year", value=value)
    return year


def record_allowance(
    session: Session,
    who: Principal,
    enterprise: str,
    year: Any,
    status: str,
    surrendered_tco2e: Any = None,
    note: str | None = None,
) -> Statement:
    """The enterprise's statement of its allowance surrender for ``year``, as a new version (every problem
    at once; nothing written when one is wrong)."""
    access.require(who, "disclosure.state")
    found = enterprise_in_scope(session, who, enterprise)
    problems: list[InputError] = []
    try:
        chosen_year = check_year(year)
    except InputError as exc:
        problems.append(exc)
    if status not in STATUSES:
        problems.append(InputError(code="disclosure.bad_status", field="surrender_status", value=status))
    quantity: float | None = None
    if surrendered_tco2e not in (None, ""):
        try:
            quantity = float(surrendered_tco2e)
        except (TypeError, ValueError):
            quantity = -1.0
        if not math.isfinite(quantity) or quantity < 0:
            problems.append(
                InputError(code="disclosure.bad_quantity", field="surrendered_tco2e", value=surrendered_tco2e)
            )
    if problems:
        raise problems[0] if len(problems) == 1 else ValidationFailed(problems)
    row = AllowanceStatement(
        enterprise_code=found.code,
        year=chosen_year,
        version=next_statement_version(session, found.code, chosen_year),
        status=status,
        surrendered_tco2e=quantity,
        note=(note or "").strip() or None,
        entered_by=who.actor,
        entered_at=utcnow(),
    )
    session.add(row)
    session.flush()
    after = {"status": status, "surrendered_tco2e": quantity, "note": row.note}
    repo.audit(
        session, who.actor, "state", "allowance_statement", f"{found.code}:{chosen_year}:v{row.version}", None, after
    )
    return statement_of(row)


def flag(session: Session, who: Principal, enterprise: str, obliged: bool, reason: str) -> Flag:
    """A regulator's decision that an enterprise of its region must disclose (``obliged``) or no longer must
    by a flag (a carbon-market sector's obligation is not withdrawn by it), with the reason."""
    access.require(who, "disclosure.flag")
    found = enterprise_in_scope(session, who, enterprise)
    if not (reason or "").strip():
        raise InputError(code="disclosure.reason_required", field="reason", value=reason)
    row = DisclosureFlag(
        enterprise_code=found.code,
        version=next_flag_version(session, found.code),
        obliged=bool(obliged),
        reason=reason.strip(),
        entered_by=who.actor,
        entered_at=utcnow(),
    )
    session.add(row)
    session.flush()
    repo.audit(
        session, who.actor, "flag", "disclosure_flag", f"{found.code}:v{row.version}", None, {"obliged": row.obliged}
    )
    return Flag(row.enterprise_code, row.version, row.obliged, row.reason, row.entered_by, row.entered_at)


def publish(session: Session, who: Principal, report_id: int) -> report_use.Summary:
    """Publish a disclosure report: the enterprise files it (the engine's sign-off, which locks it); from
    then on the public disclosure page shows it."""
    access.require(who, "report.enterprise.sign")  # the wrong role is refused before anything is looked up
    found = report_use.get(session, who, report_id)  # not found outside the scope
    if found.kind not in KINDS:
        raise InputError(code="disclosure.not_disclosure", field="report", value=report_id)
    return report_use.sign_off(session, who, report_id)


def published_on(summary: report_use.Summary) -> dt.date | None:
    if summary.status != "signed" or summary.signed_at is None:
        return None
    at = summary.signed_at if summary.signed_at.tzinfo else summary.signed_at.replace(tzinfo=dt.UTC)
    return at.astimezone(CHINA).date()


def first_published(reports: list[report_use.Summary], kind: str, year: int) -> dt.date | None:
    """The day the first report of ``kind`` for ``year`` was published (None: not published)."""
    days = [d for r in reports if r.kind == kind and r.period == str(year) and (d := published_on(r)) is not None]
    return min(days) if days else None


def own(session: Session, who: Principal, enterprise: str, year: Any, today: dt.date) -> Own:
    """An enterprise's disclosure of ``year``: its due day and state, the statement, its disclosure reports."""
    access.require(who, "disclosure.view")
    found = enterprise_in_scope(session, who, enterprise)
    chosen = check_year(year)
    listed = [
        r
        for kind in KINDS
        for r in report_use.list_reports(session, who, kind=kind, enterprise=found.code)
        if r.period == str(chosen)
    ]
    due = deadlines.annual_due(config().rule, chosen)
    on = first_published(listed, MEE, chosen)
    statement = latest_statement(session, found.code, chosen)
    return Own(
        enterprise=found.code,
        name=found.name_zh,
        year=chosen,
        due=due,
        state=deadlines.state(due, on, today),
        published_on=on,
        statement=statement_of(statement) if statement else None,
        reports=sorted(listed, key=lambda r: (r.kind, -r.version)),
    )
