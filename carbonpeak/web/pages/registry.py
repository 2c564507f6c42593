"""Enterprises and facilities: who reports what, the months reported, their states and results (the
lists /enterprises and /facilities: pages/lists.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services import registry as reg
from carbonpeak.store import capacity as capacity_ledger
from carbonpeak.web import queries
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.pages.common import context, year_of
from carbonpeak.web.pages.green import block as green_register_block
from carbonpeak.web.pages.green_power import block as green_block
from carbonpeak.web.pages.pollutants import block as synergy_block

router = APIRouter()


@router.get("/enterprises/{code}")
def enterprise_page(request: Request, code: str, session: DbSession, who: Who, year: str | None = None) -> Response:
    enterprise = access.get_enterprise(session, who, code)
    facilities = queries.facilities(session, who, enterprise)
    years = queries.month_years(session, who, facilities)
    chosen = year_of(year, years)
    rows = queries.months(session, who, facilities=facilities, year=chosen)
    grid: dict[str, dict[str, dict[str, object]]] = {}  # facility code -> month (01..12) -> row
    for row in rows:
        grid.setdefault(row["facility"].code, {})[row["period"][5:7]] = row
    return render(
        request,
        "enterprise.html",
        **context(
            request,
            enterprise=enterprise,
            facilities=facilities,
            year=chosen,
            years=years,
            months=rows,
            grid=grid,
            month_numbers=[f"{m:02d}" for m in range(1, 13)],
            path=queries.region_path(session, enterprise.region),
            may_manage=access.allowed(who, "registry.manage") and reg.in_scope(session, who, enterprise.region_id),
            warnings=[
                w
                for w in queries.warnings(session, who, open_only=True)
                if w.facility_code in {f.code for f in facilities}
            ][:10],
            green=green_block(session, who, year=chosen, enterprise=enterprise.code, include_submitted=True),
            synergy=synergy_block(session, who, year=chosen, enterprise=enterprise.code),
            green_register=green_register_block(session, who, enterprise.code),
        ),
    )


@router.get("/facilities/{code}")
def facility_page(request: Request, code: str, session: DbSession, who: Who, year: str | None = None) -> Response:
    facility = access.get_facility(session, who, code)
    years = queries.month_years(session, who, [facility])
    chosen = year_of(year, years)
    rows = queries.months(session, who, facility=facility, year=chosen)
    return render(
        request,
        "facility.html",
        **context(
            request,
            facility=facility,
            year=chosen,
            years=years,
            months=rows,
            capacity_rows=_capacity_rows(session, facility.id),
            may_report=access.allowed(who, "submission.report"),
            may_manage=access.allowed(who, "registry.manage") and reg.in_scope(session, who, facility.region_id),
            may_propose=access.allowed(who, "registry.propose") and facility.enterprise_id in who.enterprise_ids,
            green=green_block(session, who, year=chosen, facility=facility.code, include_submitted=True),
            synergy=synergy_block(session, who, year=chosen, facility=facility.code),
        ),
    )


def _capacity_rows(session: Session, facility_id: int) -> list[tuple[object, float, float]]:
    """The facility's capacity ledger: (effective from, change, approved capacity after it), oldest first
    (the capacity an over-capacity warning compares output with)."""
    rows, total = [], 0.0
    for day, change in sorted(capacity_ledger.changes(session, facility_id), key=lambda r: r[0]):
        total += change
        rows.append((day, change, total))
    return rows


from carbonpeak.web.pages import registry_manage  # noqa: E402  (its routes join this router)

router.include_router(registry_manage.router)
