"""The green-power page (/green-power): the renewable share of electrolytic aluminium by month against the
plan's 30 % by 2030, electricity by source with the location- and market-based indirect emissions, and the
register of certificates, contracts and on-site generation (an enterprise registers and withdraws its own).

Also :func:`block`, the small card the facility, enterprise and overview pages include to show both
indirect figures side by side. Thin: the figures come from :mod:`carbonpeak.services.green_power_reads`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import green_power as use
from carbonpeak.services import green_power_reads as reads
from carbonpeak.services.access import Principal
from carbonpeak.services.green_power_checks import KINDS, MEASUREMENTS, SOURCE_TYPES
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.i18n import N_
from carbonpeak.web.pages.common import context, flash, redirect, year_of

router = APIRouter()

KIND_NAMES = {
    "certificate": N_("green certificate"),
    "contract": N_("green-power contract"),
    "onsite": N_("on-site renewables"),
}
SOURCE_NAMES = {
    "wind": N_("wind"),
    "solar": N_("solar"),
    "hydro": N_("hydro"),
    "biomass": N_("biomass"),
    "geothermal": N_("geothermal"),
    "other": N_("other source"),
}
MEASUREMENT_NAMES = {"metered": N_("metered"), "reported": N_("reported")}
BASIS_NAMES = {
    "residual": N_("national residual factor"),
    "fallback_location": N_("no residual factor held: the location-based factor, said so"),
    "ets": N_("national carbon market factor (no residual factor exists for these years)"),
    "missing": N_("factor not held yet: the month waits"),
}
FORM_FIELDS = (
    "code",
    "kind",
    "facility",
    "source_type",
    "volumes",
    "serial_from",
    "serial_to",
    "batch_id",
    "volume_mwh",
    "production_from",
    "production_to",
    "cancelled_on",
    "project_name",
    "counterparty",
    "measurement",
    "reason",
)


def block(
    session: Session,
    who: Principal,
    *,
    year: int,
    facility: str | None = None,
    enterprise: str | None = None,
    region: str | None = None,
    include_submitted: bool = False,
) -> reads.Summary | None:
    """Both indirect figures of a facility, an enterprise or a region for the year (None: nothing to show)."""
    if not access.allowed(who, "green_power.view"):
        return None
    shown = reads.summary(
        session,
        who,
        year=year,
        facility=facility,
        enterprise=enterprise,
        region=region,
        include_submitted=include_submitted,
    )
    return None if shown.empty else shown


def _names() -> dict[str, dict[str, str]]:
    return {
        "kind": {k: i18n.gettext(v) for k, v in KIND_NAMES.items()},
        "source": {k: i18n.gettext(v) for k, v in SOURCE_NAMES.items()},
        "measurement": {k: i18n.gettext(v) for k, v in MEASUREMENT_NAMES.items()},
        "basis": {k: i18n.gettext(v) for k, v in BASIS_NAMES.items()},
    }


def _chart(series: dict[str, Any]) -> dict[str, Any]:
    target = series["target"]
    return {
        "x": [r["period"] for r in series["months"]],
        "share": [None if r["share_pct"] is None else round(r["share_pct"], 2) for r in series["months"]],
        "target": target["value"],
        "share_name": i18n.gettext("Renewable share of electrolytic aluminium"),
        "target_name": i18n.gettext(
            "Target %(value)s%% by %(year)s", value=f"{target['value']:g}", year=target["year"]
        ),
    }


def _page(
    request: Request,
    session: Session,
    who: Principal,
    region: str | None,
    enterprise: str | None,
    year: str | None,
    status_code: int = 200,
    errors: list[str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    access.require(who, "green_power.view")
    regions = access.regions_in_scope(session, who)
    if enterprise is None and region is None:
        if who.enterprise_id is not None and (mine := use.enterprise_of(session, who)) is not None:
            enterprise = mine.code
        elif regions:
            region = regions[0].code
    series = reads.share_series(session, who, enterprise=enterprise, region=region)
    years = sorted({int(r["year"]) for r in series["years"]})
    chosen = year_of(year, years)
    shown = reads.summary(session, who, year=chosen, enterprise=enterprise, region=region, include_submitted=True)
    register = use.instruments(session, who, enterprise=enterprise) if enterprise else use.instruments(session, who)
    facilities = sorted(access.visible_facility_codes(session, who)) if access.allowed(who, "green_power.enter") else []
    return render(
        request,
        "green_power.html",
        status_code=status_code,
        **context(
            request,
            region=region,
            enterprise=enterprise,
            regions=regions,
            year=chosen,
            years=years,
            series=series,
            chart=_chart(series),
            shown=shown,
            register=register,
            names=_names(),
            may_enter=access.allowed(who, "green_power.enter"),
            facilities=facilities,
            kinds=KINDS,
            sources=SOURCE_TYPES,
            measurements=MEASUREMENTS,
            errors=errors or [],
            values={name: (values or {}).get(name, "") for name in FORM_FIELDS},
        ),
    )


@router.get("/green-power")
def green_power_page(
    request: Request,
    session: DbSession,
    who: Who,
    region: str | None = None,
    enterprise: str | None = None,
    year: str | None = None,
) -> Response:
    return _page(request, session, who, region or None, enterprise or None, year)


@router.post("/green-power/instruments")
async def register_instrument(request: Request, session: DbSession, who: Who) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    try:
        done = use.register(session, who, values)
    except InputError as failed:
        session.rollback()
        problems = failed.errors if isinstance(failed, ValidationFailed) else [failed]
        lang = i18n.current_lang()
        return _page(request, session, who, None, None, None, 422, [p.text(lang) for p in problems], values)
    session.commit()
    flash(request, i18n.gettext("Registered: %(code)s, version %(version)s.", code=done.code, version=done.version))
    return redirect("/green-power")


@router.post("/green-power/instruments/{code}/withdraw")
def withdraw_instrument(
    request: Request, code: str, session: DbSession, who: Who, reason: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    try:
        done = use.withdraw(session, who, code, reason)
    except InputError as failed:
        session.rollback()
        return _page(request, session, who, None, None, None, 422, [failed.text(i18n.current_lang())])
    session.commit()
    flash(request, i18n.gettext("Withdrawn: %(code)s, version %(version)s.", code=done.code, version=done.version))
    return redirect("/green-power")
