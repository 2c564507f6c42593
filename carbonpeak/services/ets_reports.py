"""An enterprise's national carbon market reports as it uses them: make the annual report (``ets_annual``,
a year) or a month's deposit receipt (``ets_deposit_monthly``), list its reports, file (sign off, lock) one.
Thin over :mod:`carbonpeak.services.reports`, which checks access, stores, signs and regenerates every kind
the same way; here the kind is one of the two and the enterprise is named."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.services import access, ets_annual, ets_deposit_report, reports
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services.access import Principal
from carbonpeak.services.reports_monitoring import Asked

KINDS = (ets_annual.KIND, ets_deposit_report.KIND)


def make(
    session: Session,
    who: Principal,
    enterprise: str,
    kind: str,
    period: str,
    *,
    lang: str = "zh",
    as_of: dt.date | None = None,
    base_url: str = "",
) -> reports.Summary:
    """Make and store the report (all three files); its next version when one exists."""
    if kind not in KINDS:
        reads.enterprise_for(session, who, enterprise, "report.enterprise.make")  # who first, then the input
        raise InputError(code="reports.unknown_kind", field="kind", value=kind, kind=kind)
    asked = Asked(kind=kind, region="", period=period, lang=lang, as_of=as_of, enterprise=enterprise, base_url=base_url)
    return reports.make(session, who, asked)


def of_enterprise(session: Session, who: Principal, enterprise: str) -> list[reports.Summary]:
    """The enterprise's ETS reports the person may read, newest first."""
    reads.enterprise_for(session, who, enterprise, "report.enterprise.view")
    found = reports.list_reports(session, who, enterprise=enterprise)
    return [r for r in found if r.kind in KINDS]


def file(session: Session, who: Principal, report_id: int) -> reports.Summary:
    """File (sign off) a report: locked from then on. Only who files enterprise reports (403 before lookup)."""
    access.require(who, "report.enterprise.sign")
    return reports.sign_off(session, who, report_id)
