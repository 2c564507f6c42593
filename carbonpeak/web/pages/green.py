"""The green-manufacturing register pages: ``/green`` (who is designated in a year by kind and level; the
regulator's view of its region with filing states, flags for removal and 企业绿码; forms to designate and decide)
and ``/enterprises/{code}/green`` (an enterprise's designations with their history, the year's
dynamic-management filing pre-filled from measured data, and its GB/T 36132-2025 gaps). Thin: everything comes
from :mod:`carbonpeak.services.green_register` and :mod:`carbonpeak.services.green_register_filing`.

Also :func:`block`, the designations card of the registry's enterprise page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.green import config, scoring
from carbonpeak.services import access
from carbonpeak.services import green_register as use
from carbonpeak.services import green_register_filing as filing
from carbonpeak.services.access import Principal
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.i18n import N_
from carbonpeak.web.pages.common import context, flash, redirect, year_of
from carbonpeak.web.pages.reporting_status import today_of

router = APIRouter()

KIND_NAMES = {
    "factory": N_("green factory"),
    "park": N_("green industrial park"),
    "supply_chain": N_("green supply-chain management enterprise"),
}
LEVEL_NAMES = {
    "national": N_("national"),
    "provincial": N_("provincial"),
    "city": N_("city"),
    "": N_("level not stated"),
}
STATUS_NAMES = {"listed": N_("listed"), "warned": N_("warned"), "removed": N_("removed")}
STATE_NAMES = {
    "filed": N_("filed"),
    "filed_late": N_("filed late"),
    "due": N_("not filed yet"),
    "overdue": N_("not filed, deadline passed"),
    "no_deadline": N_("not filed (no deadline configured)"),
}
GAP_NAMES = {
    "baseline_unpublished": N_("baseline not published"),
    "not_measured": N_("not measured"),
    "below_baseline": N_("below the baseline"),
    "baseline_met": N_("baseline met"),
    "leading_met": N_("leading value met"),
}
INDICATOR_NAMES = {
    "energy_tce": (N_("Comprehensive energy consumption"), "tce"),
    "total_tco2": (N_("CO2 emissions"), "tCO2"),
    "output_t": (N_("Output of the main product"), "t"),
    "energy_per_product": (N_("Energy per unit of product"), "kgce/t"),
    "carbon_per_product": (N_("CO2 per unit of product"), "tCO2/t"),
    "electricity_mwh": (N_("Electricity used"), "MWh"),
    "renewable_share": (N_("Renewable share of electricity"), "%"),
    "solid_waste_utilisation": (N_("Solid waste utilisation"), "%"),
    "pollutants_per_product": (N_("Main pollutants per unit of product"), "kg/t"),
    "recycled_input_share": (N_("Recycled share of metal charged"), "%"),
}


def _names() -> dict[str, dict[str, str]]:
    return {
        "kind": {k: i18n.gettext(v) for k, v in KIND_NAMES.items()},
        "level": {k: i18n.gettext(v) for k, v in LEVEL_NAMES.items()},
        "status": {k: i18n.gettext(v) for k, v in STATUS_NAMES.items()},
        "state": {k: i18n.gettext(v) for k, v in STATE_NAMES.items()},
        "gap": {k: i18n.gettext(v) for k, v in GAP_NAMES.items()},
        "indicator": {k: i18n.gettext(v[0]) for k, v in INDICATOR_NAMES.items()},
        "unit": {k: v[1] for k, v in INDICATOR_NAMES.items()},
    }


def _years() -> list[int]:
    return list(range(dt.date.today().year, 2014, -1))


def block(session: Session, who: Principal, enterprise_code: str) -> dict[str, Any] | None:
    """The enterprise's designations for its registry page (None: nothing to show or not allowed)."""
    if not access.allowed(who, use.VIEW):
        return None
    rows = [
        r
        for r in use.register_rows(session, who, dt.date.today().year, i18n.current_lang())
        if r["code"] == enterprise_code
    ]
    return {"rows": rows, "names": _names(), "enterprise": enterprise_code} if rows else None


def _page(
    request: Request,
    session: Session,
    who: Principal,
    year: str | None,
    status_code: int = 200,
    errors: list[str] | None = None,
) -> Response:
    access.require(who, use.VIEW)
    chosen = year_of(year, _years(), default=dt.date.today().year - 1)
    rows = use.register_rows(session, who, chosen, i18n.current_lang())
    board = filing.board(session, who, chosen, today=today_of(request))
    return render(
        request,
        "green.html",
        status_code=status_code,
        **context(
            request,
            year=chosen,
            years=_years(),
            rows=rows,
            in_force=[r for r in rows if r["in_force"]],
            out_of_force=[r for r in rows if not r["in_force"]],
            counts=use.counts(rows),
            board=board,
            names=_names(),
            may_manage=access.allowed(who, use.MANAGE),
            errors=errors or [],
            shares="，".join(f"{grade} {share:g}%" for grade, share in config.code_shares()),
            score_note=config.dynamic()["green_code"]["score"]["note_zh"],
            filing_note=config.dynamic()["filing"]["note_zh"],
        ),
    )


@router.get("/green")
def green_page(request: Request, session: DbSession, who: Who, year: str | None = None) -> Response:
    return _page(request, session, who, year)


@router.get("/enterprises/{code}/green")
def green_enterprise_page(
    request: Request, code: str, session: DbSession, who: Who, year: str | None = None
) -> Response:
    return _enterprise_page(request, session, who, code, year)


def _enterprise_page(
    request: Request,
    session: Session,
    who: Principal,
    enterprise: str,
    year: str | None,
    status_code: int = 200,
    errors: list[str] | None = None,
) -> Response:
    access.require(who, use.VIEW)
    chosen = year_of(year, _years(), default=dt.date.today().year - 1)
    taken = filing.prefill(session, who, enterprise, chosen)  # not found outside the scope
    company = access.get_enterprise(session, who, enterprise)
    rows = [r for r in use.register_rows(session, who, chosen, i18n.current_lang()) if r["code"] == enterprise]
    histories = {r["id"]: use.history(session, who, r["id"]) for r in rows}
    board = [b for b in filing.board(session, who, chosen, today=today_of(request)) if b["enterprise"] == enterprise]
    return render(
        request,
        "green_enterprise.html",
        status_code=status_code,
        **context(
            request,
            company=company,
            year=chosen,
            years=_years(),
            rows=rows,
            histories=histories,
            board=board[0] if board else None,
            measured=taken,
            gaps=scoring.gaps(config.standard(), taken["values"]),
            names=_names(),
            may_file=access.allowed(who, filing.FILE) and bool(rows),
            errors=errors or [],
        ),
    )


def _problems(failed: InputError) -> list[str]:
    lang = i18n.current_lang()
    return [p.text(lang) for p in (failed.errors if isinstance(failed, ValidationFailed) else [failed])]


@router.post("/green/designations")
async def designate(request: Request, session: DbSession, who: Who) -> Response:
    form = await request.form()
    data = {k: str(form.get(k) or "").strip() for k in ("subject", "kind", "level", "year", "batch", "document")}
    try:
        done = use.designate(session, who, data)
    except InputError as failed:
        session.rollback()
        return _page(request, session, who, None, 422, _problems(failed))
    session.commit()
    flash(request, i18n.gettext("Designated: version %(version)s.", version=done.version))
    return redirect("/green")


@router.post("/green/designations/{designation_id}/decide")
def decide(
    request: Request,
    designation_id: int,
    session: DbSession,
    who: Who,
    action: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    year: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    try:
        done = use.decide(session, who, designation_id, action, reason, year=int(year) if year.isdigit() else None)
    except InputError as failed:
        session.rollback()
        return _page(request, session, who, year or None, 422, _problems(failed))
    session.commit()
    flash(request, i18n.gettext("Recorded: version %(version)s.", version=done.version))
    return redirect(f"/green?year={year}" if year.isdigit() else "/green")


@router.post("/enterprises/{code}/green/filings")
async def file_indicators(request: Request, code: str, session: DbSession, who: Who) -> Response:
    enterprise = code
    form = await request.form()
    year = str(form.get("year") or "")
    values = {k: str(form.get(k) or "").strip() for k in filing.INDICATORS}
    try:
        done = filing.file(
            session,
            who,
            enterprise,
            int(year) if year.isdigit() else 0,
            values,
            note=str(form.get("note") or ""),
            reason=str(form.get("reason") or ""),
        )
    except InputError as failed:
        session.rollback()
        return _enterprise_page(request, session, who, enterprise, year or None, 422, _problems(failed))
    session.commit()
    flash(request, i18n.gettext("Indicators filed: version %(version)s.", version=done.version))
    return redirect(f"/enterprises/{enterprise}/green?year={done.year}")
