"""Reads around the energy-utilisation report beside :mod:`carbonpeak.services.energy_report`: the year's
reports in the person's scope, the enterprises they may open, an enterprise user's own, and the NBS
205-1/205-2/205-3 workbook from the same figures as the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services import energy_report as use
from carbonpeak.services.access import Principal
from carbonpeak.store.energy_report.models import EnergyReportVersion
from carbonpeak.store.models import Enterprise


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
    y = use.year_of(year)
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

    opened = use.open_report(session, who, enterprise, year)
    content = forms205.workbook(
        opened.figures,
        enterprise=opened.basic.code,
        enterprise_name=opened.basic.name_zh,
        source=opened.forms.nbs_source,
    )
    return f"nbs205_{opened.basic.code}_{opened.year}.xlsx", content
