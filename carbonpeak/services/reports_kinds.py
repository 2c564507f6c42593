"""The kinds of report and what each is about: a region (the regulator's 碳达峰监测报告) or an enterprise
(the aluminium ETS annual report, the monthly evidence deposit, the energy-utilisation report, the green
low-carbon report, the disclosure sections). One entry per kind: who may read, make and sign it, whether
its period is a month or a year, and the function that gathers its document and data state.

Storing, listing, downloading, signing off (locking) and regenerating are the same for every kind
(:mod:`carbonpeak.services.reports`); a new kind adds its template to
:data:`carbonpeak.reports.render.KINDS` and one entry to :func:`_registered` here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import InputError
from carbonpeak.services.access import Principal
from carbonpeak.services.reports_monitoring import MONTHLY, YEARLY, Asked, Made

REGION, ENTERPRISE = "region", "enterprise"
Gather = Callable[[Session, Principal, Asked], Made]


@dataclass(frozen=True)
class Kind:
    name: str
    subject: str  # REGION or ENTERPRISE
    period: str  # "month" (2025-12) or "year" (2025)
    gather: Gather
    view: str  # the permission to read the kind's reports (in scope)
    make: str  # ... to make one
    sign: str  # ... to sign one off (lock it)

    def title(self, lang: str) -> str:
        """The kind's name as pages and lists show it (messages ``reports.kind.<name>``)."""
        return messages.render(f"reports.kind.{self.name}", lang)


def _region_kind(name: str, period: str, gather: Gather) -> Kind:
    return Kind(name, REGION, period, gather, "overview.view", "overview.view", "report.sign")


def _enterprise_kind(name: str, period: str, gather: Gather) -> Kind:
    """An enterprise's report: its own people make and sign (file) it; the regulators of its region and its
    verifiers read it."""
    return Kind(
        name, ENTERPRISE, period, gather, "report.enterprise.view", "report.enterprise.make", "report.enterprise.sign"
    )


@cache
def _registered() -> dict[str, Kind]:
    # imported here: the gatherers import the report engine and the store, which need not load with this list
    from carbonpeak.services import energy_report_doc, ets_annual, ets_deposit_report, reports_green, reports_monitoring
    from carbonpeak.services.disclosure_kinds import DISCLOSURE  # disclosure (docs/disclosure.md)

    kinds = [
        _region_kind(MONTHLY, "month", reports_monitoring.gather),
        _region_kind(YEARLY, "year", reports_monitoring.gather),
        *[_enterprise_kind(name, "year", gather) for name, gather in DISCLOSURE],
        _enterprise_kind(reports_green.KIND, "year", reports_green.gather),  # docs/green-manufacturing.md
        _enterprise_kind(energy_report_doc.KIND, "year", energy_report_doc.gather),  # docs/energy-report.md
        _enterprise_kind(ets_annual.KIND, "year", ets_annual.gather),  # the national carbon market (docs/ets.md)
        _enterprise_kind(ets_deposit_report.KIND, "month", ets_deposit_report.gather),
    ]
    return {k.name: k for k in kinds}


def kinds() -> dict[str, Kind]:
    return _registered()


def kind_of(name: str) -> Kind:
    found = _registered().get(name)
    if found is None:  # asked for by a person (a form, the API, the CLI): the request is at fault
        raise InputError(code="reports.unknown_kind", field="kind", value=name, kind=name)
    return found


def parse_period(kind: Kind, period: str) -> tuple[int, int | None]:
    """(year, month) of a month's report (2025-12), (year, None) of a year's (2025)."""
    if kind.period == "month" and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        return int(period[:4]), int(period[5:7])
    if kind.period == "year" and re.fullmatch(r"\d{4}", period):
        return int(period), None
    raise InputError(code="reports.bad_period", field="period", value=period, period=period)
