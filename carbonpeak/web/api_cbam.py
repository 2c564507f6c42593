"""EU CBAM in the REST API, /api/v1/cbam: the aluminium installations a person may make a package for, one
installation's package for a year as JSON (SEE, default vs actual by year, gaps) and as the Excel workbook.

Thin adapters over :mod:`carbonpeak.services.cbam`. Access is asked first (403 for a role that may not, 404
for an installation outside the scope); a year with months not verified is a 400 naming them; a bad form
value a 422 naming the field; ``complete=true`` turns missing installation data into a 422 listing them all.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from carbonpeak.services import cbam as cbam_use
from carbonpeak.services.cbam_form import InstallationForm
from carbonpeak.services.cbam_notes import note_messages
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, csrf_protect
from carbonpeak.web.pages.cbam import FORM_FIELDS, workbook_response

router = APIRouter(prefix="/api/v1/cbam", dependencies=[Depends(csrf_protect)], tags=["cbam"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a facility outside your scope, or a role that may not do this"},
    404: {"description": "no such facility, or not an aluminium installation"},
    422: {"description": "months not verified, or installation data missing or wrong: every problem, coded"},
}
Year = Annotated[int, PathParam(ge=2000, le=2100, description="the calendar year (reporting period)")]
Complete = Annotated[bool, Query(description="refuse (422) when installation data are missing, listing them all")]
FORM_HELP = "Form fields as query parameters: " + ", ".join(FORM_FIELDS)


def _form(request: Request) -> InstallationForm:
    return InstallationForm.from_mapping({k: request.query_params.get(k, "")[:200] for k in FORM_FIELDS})


@router.get(
    "/installations", responses=ERRORS, summary="Aluminium installations in your scope, with their complete years"
)
def installations(session: DbSession, who: Who) -> list[dict[str, Any]]:
    return [
        {"facility": i.code, "sector": i.sector.value, "complete_years": i.complete_years}
        for i in cbam_use.installations(session, who)
    ]


@router.get(
    "/{facility}/{year}",
    responses=ERRORS,
    summary="The CBAM package of an installation for a year",
    description=FORM_HELP,
)
def package(
    facility: str, year: Year, request: Request, session: DbSession, who: Who, complete: Complete = False
) -> dict[str, Any]:
    found = cbam_use.cbam_package(session, who, facility, year, _form(request), complete=complete)
    lang = i18n.current_lang()
    f = found.figures
    return {
        "facility": found.facility_code,
        "year": found.year,
        "category": f.category,
        "cn_code": f.cn_code,
        "activity_level_t": f.activity_level_t,
        "attributed_direct_tco2e": f.attributed_tco2e,
        "precursors": [
            {"country": p.country, "mass_t": p.mass_t, "see": p.see, "by_default": p.by_default} for p in f.precursors
        ],
        "see_direct_tco2e_per_t": f.see,
        "share_by_default_value": f.share_default,
        "rules_on": found.rules_on.isoformat() if found.rules_on else None,
        "comparisons": [
            {
                "year": c.year,
                "default_see": c.default_see,
                "markup_pct": c.markup_pct,
                "default_marked_up": c.default_marked_up,
                "actual_see": c.actual_see,
                "price_eur_per_tco2e": c.price_eur,
                "cost_actual_eur_per_t": c.cost_actual_eur_per_t,
                "cost_default_eur_per_t": c.cost_default_eur_per_t,
                "sources": [c2.as_dict() for c2 in c.cited],
                "gaps": [g.text(lang) for g in c.gaps],
            }
            for c in found.comparisons
        ],
        "registration": found.registration,
        "gaps": [g.text(lang) for g in found.gaps],
        "notes": [n.text(lang) for n in note_messages(found)],
        "months": found.months_used,
    }


@router.get(
    "/{facility}/{year}/package.xlsx",
    responses=ERRORS,
    summary="The CBAM package as an Excel workbook",
    description=FORM_HELP,
)
def package_workbook(
    facility: str, year: Year, request: Request, session: DbSession, who: Who, complete: Complete = False
) -> Response:
    found = cbam_use.cbam_package(session, who, facility, year, _form(request), complete=complete)
    return workbook_response(found)
