"""The regulator's list of the enterprises of its region obliged to disclose a year, with the 15 March due
day and each one's state: published on time, late, not yet (the day has not passed) or overdue.

Who is obliged (``carbonpeak/disclosure/disclosure.yaml``, docs/disclosure.md): an enterprise of the
carbon market from the configured first year, i.e. marked ``national_carbon_market`` in the registry or
with a facility of a carbon-market sector (electrolytic aluminium), plus every enterprise a regulator
flagged (its latest flag obliged). Published means the first signed-off MEE disclosure report of the year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.disclosure import deadlines
from carbonpeak.disclosure.config import config
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.disclosure import CHINA, check_year
from carbonpeak.services.disclosure_mee import MEE
from carbonpeak.store.disclosure.reads import flags
from carbonpeak.store.models import Enterprise, Facility, Region
from carbonpeak.store.reports.models import Report

MARKET, SECTOR, FLAGGED = "carbon_market", "sector", "flagged"


@dataclass(frozen=True)
class Row:
    enterprise: str
    name: str
    region: str  # the enterprise's region's name
    why: tuple[str, ...]  # MARKET, SECTOR, FLAGGED
    due: dt.date
    state: str  # deadlines.STATES
    published_on: dt.date | None
    report_id: int | None  # the published report (the first signed MEE disclosure of the year)


@dataclass(frozen=True)
class Board:
    year: int
    due: dt.date
    rows: list[Row]
    counts: dict[str, int]  # state -> enterprises
    source: dict[str, Any]  # the due day's citation
    obliged_source: dict[str, Any]
    obliged_note: str


def board(session: Session, who: Principal, year: Any, today: dt.date) -> Board:
    access.require(who, "disclosure.deadlines")
    chosen = check_year(year)
    settings = config()
    due = deadlines.annual_due(settings.rule, chosen)
    enterprises = list(
        session.scalars(select(Enterprise).where(access.enterprise_filter(who)).order_by(Enterprise.code))
    )
    ids = [e.id for e in enterprises]
    in_sector = set()
    if chosen >= settings.from_year and ids:
        in_sector = set(
            session.scalars(
                select(Facility.enterprise_id).where(
                    Facility.enterprise_id.in_(ids), Facility.sector.in_(list(settings.sectors))
                )
            )
        )
    flagged = flags(session)
    region_names = dict(session.execute(select(Region.id, Region.name_zh)).tuples().all())
    codes = [e.code for e in enterprises]
    signed: dict[str, tuple[dt.date, int]] = {}
    if codes:
        query = (
            select(Report.enterprise_code, Report.signed_at, Report.id)
            .where(Report.kind == MEE, Report.period == str(chosen), Report.status == "signed")
            .where(Report.enterprise_code.in_(codes))
        )
        for code, at, report_id in session.execute(query):
            if at is None:
                continue
            day = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(CHINA).date()
            if code not in signed or day < signed[code][0]:
                signed[code] = (day, int(report_id))
    rows = []
    for e in enterprises:
        why = []
        if e.national_carbon_market and chosen >= settings.from_year:
            why.append(MARKET)
        if e.id in in_sector:
            why.append(SECTOR)
        latest = flagged.get(e.code)
        if latest is not None and latest.obliged:
            why.append(FLAGGED)
        if not why:
            continue
        day, report_id = signed.get(e.code, (None, None))
        rows.append(
            Row(
                enterprise=e.code,
                name=e.name_zh,
                region=region_names.get(e.region_id, "") if e.region_id else "",
                why=tuple(why),
                due=due,
                state=deadlines.state(due, day, today),
                published_on=day,
                report_id=report_id,
            )
        )
    counts = {s: sum(1 for r in rows if r.state == s) for s in deadlines.STATES}
    return Board(
        chosen,
        due,
        rows,
        counts,
        settings.sources["annual_report"],
        settings.sources["obliged"],
        settings.notes["obliged"],
    )


def temporary_due(received: dt.date) -> dt.date:
    """The temporary report's due day: the configured working days after the legal document was received
    (Monday to Friday; no holiday calendar, see :mod:`carbonpeak.disclosure.deadlines`)."""
    return deadlines.add_working_days(received, config().rule.temporary_working_days)
