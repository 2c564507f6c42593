"""The warnings as the inbox shows them (grouped by enterprise: ``list_views.warning_groups``), each with
its text in the reader's language (facility names, Chinese field names, from the catalog by code) and a
link to the figure that raised it: the month's report, the facility's months and capacity, the benchmark
board or the plan's targets."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.store.models import Enterprise, Facility, Warning
from carbonpeak.web.i18n import N_, gettext

MONTH_KINDS = ("late_submission", "held_month", "implausible_jump", "estimated_month", "metered_month_differs")


@dataclass
class Row:
    warning: Warning
    text: str
    facility_name: str
    link: str | None
    link_label: str


@dataclass
class Group:
    """One enterprise's warnings on this page (``code`` None: warnings about a region, e.g. a plan target)."""

    code: str | None
    name: str
    total: int  # all its warnings in the listing, not only those on this page
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class _Owner:
    facility_zh: str
    facility_en: str
    enterprise: str
    enterprise_zh: str
    enterprise_en: str


def _owners(session: Session, codes: set[str]) -> dict[str, _Owner]:
    if not codes:
        return {}
    query = (
        select(
            Facility.code, Facility.name_zh, Facility.name_en, Enterprise.code, Enterprise.name_zh, Enterprise.name_en
        )
        .join(Enterprise, Enterprise.id == Facility.enterprise_id)
        .where(Facility.code.in_(sorted(codes)))
    )
    return {row[0]: _Owner(*row[1:]) for row in session.execute(query)}


def figure(warning: Warning) -> tuple[str | None, str]:
    """Where the figure that raised a warning is shown, and what the link says."""
    code, period, kind = warning.facility_code, warning.period or "", warning.kind
    if kind in MONTH_KINDS and code and len(period) == 7:
        return f"/submissions/{code}/{period}", gettext(N_("the month's report"))
    if kind == "missing_submission" and code:
        return f"/facilities/{code}?year={period[:4]}", gettext(N_("the facility's months"))
    if kind == "over_capacity" and code:
        return f"/facilities/{code}?year={period[:4]}#capacity", gettext(N_("approved capacity and output"))
    if kind in ("below_baseline", "baseline_deadline_passed") and period:
        return f"/benchmark?year={period[:4]}", gettext(N_("the benchmark board"))
    plan = (warning.details or {}).get("plan")
    if kind == "target_off_track" and plan:
        region = f"&region={warning.region}" if warning.region else ""
        return f"/overview?plan={plan}{region}", gettext(N_("the plan's targets"))
    return None, ""
