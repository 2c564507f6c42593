"""The long lists a person searches, filters, sorts and pages: enterprises, facilities, warnings.

One function per list; each reads only the person's scope (the access filters), filters and searches in
the database and returns one page (:func:`carbonpeak.store.paging.paged`). A benchmark class is not a
column of the registry (it is judged on a facility's year of data), so the caller gives the classes it
has (facility code -> class, the benchmark board's, kept per data state) for the class filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, false, func, or_, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.reporting_status import EnterpriseRow as StatusRow
from carbonpeak.services.reporting_status import Matrix
from carbonpeak.store.models import Enterprise, Facility, Region, Warning
from carbonpeak.store.paging import Page, paged

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListQuery:
    """What a person asked of a list; empty fields ask nothing."""

    search: str = ""
    sort: str = ""  # one of the list's SORTS; empty: the list's default order
    descending: bool = False
    page: int = 1
    size: int = PAGE_SIZE
    city: str = ""  # a region code: rows in it or below it
    sector: str = ""
    benchmark_class: str = ""
    status: str = ""
    kind: str = ""
    facility: str = ""


@dataclass(frozen=True)
class EnterpriseRow:
    enterprise: Enterprise
    facilities: list[Facility] = field(default_factory=list)  # its facilities in the person's scope


@dataclass(frozen=True)
class FacilityRow:
    facility: Facility
    benchmark_class: str | None  # from the caller's classes; None where the facility was not classified


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(text: str, *columns: Any) -> ColumnElement[bool]:
    pattern = _like(text)
    return or_(*(c.ilike(pattern, escape="\\") for c in columns))


def _region_ids(session: Session, code: str) -> frozenset[int]:
    region = session.scalar(select(Region).where(Region.code == code))
    return access.subtree(session, region.id) if region is not None else frozenset()


def _in_class(classes: Mapping[str, str] | None, wanted: str) -> list[str]:
    return sorted(code for code, found in (classes or {}).items() if found == wanted)


def _order(sorts: Mapping[str, Any], query: ListQuery, default: list[Any]) -> list[Any]:
    column = sorts.get(query.sort)
    if column is None:
        return default
    # empty values last either way (databases differ: SQLite sorts NULL first, PostgreSQL last)
    return [(column.desc() if query.descending else column.asc()).nulls_last()]


# ---------------------------------------------------------------- enterprises

_FACILITY_COUNT = (
    select(func.count(Facility.id))
    .where(Facility.enterprise_id == Enterprise.id)
    .correlate(Enterprise)
    .scalar_subquery()
)
_REGION_NAME = select(Region.name_zh).where(Region.id == Enterprise.region_id).correlate(Enterprise).scalar_subquery()
ENTERPRISE_SORTS: dict[str, Any] = {
    "code": Enterprise.code,
    "name": Enterprise.name_zh,
    "region": _REGION_NAME,
    "facilities": _FACILITY_COUNT,
}


def enterprises(
    session: Session, principal: Principal, query: ListQuery, classes: Mapping[str, str] | None = None
) -> Page[EnterpriseRow]:
    """Enterprises in scope matching the search (code or name) and filters (city; a facility of the
    sector; a facility of the benchmark class), with their facilities in scope."""
    access.require(principal, "registry.view")
    found: Select[Any] = select(Enterprise).where(access.enterprise_filter(principal))
    if query.search.strip():
        found = found.where(_matches(query.search, Enterprise.code, Enterprise.name_zh, Enterprise.name_en))
    facility_scope = access.facility_filter(principal)
    if query.city:
        ids = sorted(_region_ids(session, query.city))
        has_there = select(Facility.enterprise_id).where(Facility.region_id.in_(ids), facility_scope)
        found = found.where(or_(Enterprise.region_id.in_(ids), Enterprise.id.in_(has_there)))
    if query.sector:
        found = found.where(
            Enterprise.id.in_(select(Facility.enterprise_id).where(Facility.sector == query.sector, facility_scope))
        )
    if query.benchmark_class:
        codes = _in_class(classes, query.benchmark_class)
        found = found.where(
            Enterprise.id.in_(select(Facility.enterprise_id).where(Facility.code.in_(codes), facility_scope))
            if codes
            else false()
        )
    page = paged(
        session,
        found.options(joinedload(Enterprise.region)),
        order=_order(ENTERPRISE_SORTS, query, [Enterprise.code]),
        tiebreak=Enterprise.id,
        page=query.page,
        size=query.size,
    )
    ids = [e.id for e in page.rows]
    per: dict[int, list[Facility]] = {}
    if ids:
        owned = select(Facility).where(Facility.enterprise_id.in_(ids), facility_scope).order_by(Facility.code)
        for facility in session.scalars(owned):
            per.setdefault(facility.enterprise_id, []).append(facility)
    return Page([EnterpriseRow(e, per.get(e.id, [])) for e in page.rows], page.total, page.page, page.size)


# ---------------------------------------------------------------- facilities

FACILITY_SORTS: dict[str, Any] = {
    "code": Facility.code,
    "name": Facility.name_zh,
    "enterprise": Enterprise.code,
    "sector": Facility.sector,
    "capacity": Facility.capacity_t_per_a,
    "status": Facility.status,
    "region": Region.name_zh,
}


def facilities(
    session: Session, principal: Principal, query: ListQuery, classes: Mapping[str, str] | None = None
) -> Page[FacilityRow]:
    """Facilities in scope matching the search (code, name or enterprise name) and filters (city,
    sector, benchmark class, status)."""
    access.require(principal, "registry.view")
    found: Select[Any] = (
        select(Facility)
        .join(Enterprise, Enterprise.id == Facility.enterprise_id)
        .join(Region, Region.id == Facility.region_id)
        .where(access.facility_filter(principal))
    )
    if query.search.strip():
        found = found.where(
            _matches(
                query.search, Facility.code, Facility.name_zh, Facility.name_en, Enterprise.name_zh, Enterprise.code
            )
        )
    if query.city:
        found = found.where(Facility.region_id.in_(sorted(_region_ids(session, query.city))))
    if query.sector:
        found = found.where(Facility.sector == query.sector)
    if query.status:
        found = found.where(Facility.status == query.status)
    if query.benchmark_class:
        codes = _in_class(classes, query.benchmark_class)
        found = found.where(Facility.code.in_(codes) if codes else false())
    page = paged(
        session,
        found.options(joinedload(Facility.enterprise), joinedload(Facility.region)),
        order=_order(FACILITY_SORTS, query, [Facility.code]),
        tiebreak=Facility.id,
        page=query.page,
        size=query.size,
    )
    rows = [FacilityRow(f, (classes or {}).get(f.code)) for f in page.rows]
    return Page(rows, page.total, page.page, page.size)


# ---------------------------------------------------------------- warnings

SEVERITY_RANK = case((Warning.severity == "high", 0), (Warning.severity == "medium", 1), else_=2)  # high first
WARNING_SORTS: dict[str, Any] = {
    "id": Warning.id,
    "severity": SEVERITY_RANK,
    "kind": Warning.kind,
    "deadline": Warning.deadline,
    "status": Warning.status,
    "facility": Warning.facility_code,
}


def warnings(session: Session, principal: Principal, query: ListQuery) -> Page[Warning]:
    """Warnings in scope: of a status (every status but closed when none is asked), a kind, a facility,
    a city (its facilities' and its own region-wide ones), a sector; the search looks in the facility's
    code and name, its enterprise's name and the message. Default order, the inbox's: region-wide
    warnings first, then by enterprise (a page keeps an enterprise's warnings together), the enterprises
    with the most severe warning first, then those with most warnings (then by code); within one, most severe and
    latest deadline first."""
    found = _warnings_query(session, principal, query)
    groups = _groups(found)
    default = [
        Enterprise.code.is_(None).desc(),  # region-wide first
        groups.c.worst,
        groups.c.n.desc(),
        Enterprise.code,  # not the name: a code sorts alike in every database's collation
        SEVERITY_RANK,
        Warning.deadline.is_(None),
        Warning.deadline.desc(),
    ]
    ordered = found.outerjoin(groups, groups.c.enterprise == Enterprise.code)
    return paged(
        session,
        ordered,
        order=_order(WARNING_SORTS, query, default),
        tiebreak=Warning.id.desc(),
        page=query.page,
        size=query.size,
    )


def _groups(found: Select[Any]) -> Any:
    """Each enterprise's most severe warning (rank) and number of warnings among those found."""
    return (
        found.with_only_columns(
            Enterprise.code.label("enterprise"), func.min(SEVERITY_RANK).label("worst"), func.count().label("n")
        )
        .group_by(Enterprise.code)
        .subquery("warning_groups")
    )


def _warnings_query(session: Session, principal: Principal, query: ListQuery) -> Select[Any]:
    access.require(principal, "warning.view")
    found: Select[Any] = (
        select(Warning)
        .outerjoin(Facility, Facility.code == Warning.facility_code)
        .outerjoin(Enterprise, Enterprise.id == Facility.enterprise_id)
        .where(access.warning_filter(principal))
    )
    found = found.where(Warning.status == query.status) if query.status else found.where(Warning.status != "closed")
    if query.kind:
        found = found.where(Warning.kind == query.kind)
    if query.facility:
        found = found.where(Warning.facility_code == query.facility)
    if query.sector:
        found = found.where(Facility.sector == query.sector)
    if query.city:
        ids = sorted(_region_ids(session, query.city))
        codes = select(Region.code).where(Region.id.in_(ids))
        found = found.where(
            or_(Facility.region_id.in_(ids), Warning.region.in_(codes) & Warning.facility_code.is_(None))
        )
    if query.search.strip():
        found = found.where(
            _matches(
                query.search,
                Warning.facility_code,
                Facility.name_zh,
                Enterprise.name_zh,
                Enterprise.name_en,
                Warning.message_zh,
                Warning.message_en,
            )
        )
    return found


def warning_totals(session: Session, principal: Principal, query: ListQuery) -> dict[str | None, int]:
    """How many warnings matching ``query`` each enterprise has over every page (None: region-wide)."""
    groups = _groups(_warnings_query(session, principal, query))
    return {code: int(n) for code, n in session.execute(select(groups.c.enterprise, groups.c.n))}


# ---------------------------------------------------------------- the reporting matrix's enterprises

STATUS_SORTS = ("code", "name", "late")


def status_rows(found: Matrix, query: ListQuery) -> Page[StatusRow]:
    """One page of the reporting matrix's enterprise rows: searched (code or name), filtered by a state
    some month of theirs is in (late, returned, ...), sorted (code, name, number of late months) and
    paged. The matrix's counts stay those of the whole selection. Its states are judged for every
    facility at once (one classification of the selection's versions), so the rows are paged here, after
    it; what a page costs to show is its rows."""
    rows = list(found.enterprises)
    text = query.search.strip().lower()
    if text:
        rows = [r for r in rows if text in r.code.lower() or text in r.name_zh.lower() or text in r.name_en.lower()]
    if query.status:
        rows = [r for r in rows if any(c.state == query.status for c in r.cells)]
    if query.sort == "name":
        rows.sort(key=lambda r: (r.name_zh, r.code), reverse=query.descending)
    elif query.sort == "late":
        rows.sort(key=lambda r: (sum(c.state == "late" for c in r.cells), r.code), reverse=query.descending)
    elif query.descending:
        rows.sort(key=lambda r: r.code, reverse=True)
    size = max(1, min(query.size, 200))
    pages = max(1, -(-len(rows) // size))
    page = min(max(query.page, 1), pages)
    return Page(rows[(page - 1) * size : page * size], len(rows), page, size)
