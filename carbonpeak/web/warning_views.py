"""The warnings as the inbox shows them: grouped by enterprise (by name), each with its text in the reader's
language (facility names, Chinese field names, from the catalog by code) and a link to the figure that
raised it: the month's report, the facility's months and capacity, the benchmark board or the plan's
targets."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.indicators.warning_texts import text
from carbonpeak.store.models import Enterprise, Facility, Warning
from carbonpeak.web.i18n import N_, current_lang, gettext

_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
MONTH_KINDS = ("late_submission", "held_month", "implausible_jump", "estimated_month")


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


def grouped(session: Session, warnings: list[Warning], page: int, size: int) -> tuple[list[Group], int]:
    """The page's warnings grouped by enterprise, and the number of pages. Groups are ordered by their most
    severe warning, then by how many they have, then by name; warnings about a region come first."""
    lang = current_lang()
    owners = _owners(session, {w.facility_code for w in warnings if w.facility_code})
    region_wide = gettext(N_("Region-wide"))

    def owner_of(w: Warning) -> tuple[str | None, str]:
        owner = owners.get(w.facility_code or "")
        if owner is None:
            return (None, region_wide) if not w.facility_code else (w.facility_code, w.facility_code)
        return owner.enterprise, owner.enterprise_zh if lang == "zh" else owner.enterprise_en

    keys = [owner_of(w) for w in warnings]
    totals: dict[str | None, int] = {}
    worst: dict[str | None, int] = {}
    for (code, _name), w in zip(keys, warnings, strict=True):
        totals[code] = totals.get(code, 0) + 1
        worst[code] = min(worst.get(code, 9), _SEVERITY_RANK.get(w.severity, 3))
    order = sorted(
        range(len(warnings)),
        key=lambda i: (keys[i][0] is not None, worst[keys[i][0]], -totals[keys[i][0]], keys[i][1], i),
    )
    pages = max(1, -(-len(warnings) // size))
    page = min(max(page, 1), pages)
    groups: list[Group] = []
    names = {c: (o.facility_zh if lang == "zh" else o.facility_en) for c, o in owners.items()}
    for i in order[(page - 1) * size : page * size]:
        w, (code, name) = warnings[i], keys[i]
        if not groups or groups[-1].code != code:
            groups.append(Group(code=code, name=name, total=totals[code]))
        link, label = figure(w)
        fallback = w.message_zh if lang == "zh" else w.message_en
        groups[-1].rows.append(
            Row(w, text(w.details, lang, fallback, names), names.get(w.facility_code or "", ""), link, label)
        )
    return groups, pages
