"""An overview figure's breakdown (/overview/breakdown): the figure of a region and year (or a month)
split by city, enterprise, sector, facility or month, each part a link one level down (province → city
→ enterprise → facility → month → the facility's month), and "这个数是怎么来的": the methods,
parameters and sources of the stored results behind it and the count of facility-months.

A thin adapter: the reads are :mod:`carbonpeak.web.cockpit`'s; the figures its domain modules'."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from carbonpeak.engine.methods import METHODS
from carbonpeak.indicators import breakdown as bd
from carbonpeak.services import access
from carbonpeak.vocabulary import Sector
from carbonpeak.web import cockpit, labels, queries
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.errors import BadRequest
from carbonpeak.web.i18n import N_, _, current_lang
from carbonpeak.web.pages.common import context
from carbonpeak.web.pages.overview import selection
from carbonpeak.web.pages.overview_cockpit import month_label

router = APIRouter()
_CJK = re.compile(r"[\u4e00-\u9fff]")
Code = Annotated[str | None, Query(max_length=60)]

FIGURE_NAMES = {
    "emissions_location_tco2e": N_("Emissions, location-based"),
    "emissions_market_tco2e": N_("Emissions, market-based"),
    "energy_tce": N_("Comprehensive energy consumption"),
    "electricity_used_mwh": N_("Electricity used"),
    "output_t": N_("Product output"),
    "capacity_t_per_a": N_("Production capacity"),
}
# How each figure is made from the facility-months, in the reader's words.
FIGURE_RULES = {
    "emissions_location_tco2e": N_(
        "The sum of the location-based emissions of every counted facility-month (each month's stored result)."
    ),
    "emissions_market_tco2e": N_(
        "The sum of the market-based emissions of every counted facility-month (each month's stored result)."
    ),
    "energy_tce": N_(
        "The sum of the comprehensive energy consumption of every counted facility-month (each month's stored result)."
    ),
    "electricity_used_mwh": N_(
        "Grid purchases plus captive and on-site renewable generation minus electricity exported, summed over every counted facility-month (as reported)."  # noqa: E501
    ),
    "output_t": N_("The sum of the product output of every counted facility-month (as reported)."),
    "capacity_t_per_a": N_(
        "Each facility's approved capacity in force in its last counted month of the period (capacity ledger, else the registry), summed over facilities; by month, the capacity in force that month."  # noqa: E501
    ),
}
LEVEL_NAMES = {
    "city": N_("By city"),
    "enterprise": N_("By enterprise"),
    "sector": N_("By sector"),
    "facility": N_("By facility"),
    "month": N_("By month"),
}


def _month(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        month = int(str(value))
    except ValueError:
        raise BadRequest(N_("The month must be a number from 1 to 12.")) from None
    if not 1 <= month <= 12:
        raise BadRequest(N_("The month must be a number from 1 to 12."))
    return month


@router.get(cockpit.BREAKDOWN)
def breakdown_page(
    request: Request,
    session: DbSession,
    who: Who,
    figure: Annotated[str, Query(max_length=40)] = "emissions_location_tco2e",
    region: Code = None,
    year: Annotated[str | None, Query(max_length=8)] = None,
    month: Annotated[str | None, Query(max_length=4)] = None,
    sector: Code = None,
    city: Code = None,
    enterprise: Code = None,
    facility: Code = None,
    by: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    if figure not in bd.FIGURES:
        raise BadRequest(N_("Unknown figure."))
    if sector and sector not in {s.value for s in Sector}:
        raise BadRequest(N_("Unknown sector."))
    chosen = selection(request, session, who, region, year, None)
    place, year_shown = chosen["region"], chosen["year"]
    level = by or ("month" if facility else "facility" if enterprise else "enterprise")
    if level not in bd.LEVELS:
        raise BadRequest(N_("Unknown level."))
    month_number = _month(month)
    filters: dict[str, Any] = {
        "month": month_number,
        "sector": sector or None,
        "city": city or None,
        "enterprise": enterprise or None,
        "facility": facility or None,
    }
    found = cockpit.breakdown(
        session,
        request.app.state.cache,
        who,
        figure=figure,
        region=place.code,
        year=year_shown,
        by=level,
        edition=chosen["edition"],
        **filters,
    )
    split: bd.Breakdown = found["breakdown"]
    here = {"figure": figure, "region": place.code, "year": year_shown, **filters}
    return render(
        request,
        "breakdown.html",
        **context(
            request,
            **chosen,
            figure=figure,
            figure_name=_(FIGURE_NAMES[figure]),
            figure_rule=_(FIGURE_RULES[figure]),
            level=level,
            level_name=_(LEVEL_NAMES[level]),
            sectors=found["sectors"],
            months=[(m, month_label(m)) for m in range(1, 13)],
            levels=[
                (name, _(LEVEL_NAMES[name]), cockpit.link(cockpit.BREAKDOWN, **{**here, "by": name}))
                for name in _levels(filters)
            ],
            filters=filters,
            split=split,
            names=found["names"],
            parts=[_part(p, level, here, found["names"]) for p in split.parts],
            crumbs=_crumbs(session, who, place, here),
            how=_how(session, found["provenance"]),
            scale="detail" if facility else "total",
        ),
    )


def _levels(filters: dict[str, Any]) -> list[str]:
    """The levels a breakdown can be split by, given what it is narrowed to."""
    if filters["facility"]:
        return ["month"]
    if filters["enterprise"]:
        return ["facility", "month"]
    return ["city", "enterprise", "sector", "facility", "month"]


def _part(part: bd.Part, level: str, here: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    """A part of the breakdown with its name and the link one level down."""
    down: dict[str, Any] = {**here}
    if level == "city":
        down.update(region=part.key, by="enterprise")
        href = cockpit.link(cockpit.BREAKDOWN, **down)
    elif level == "enterprise":
        down.update(enterprise=part.key, by="facility")
        href = cockpit.link(cockpit.BREAKDOWN, **down)
    elif level == "sector":
        down.update(sector=part.key, by="enterprise")
        href = cockpit.link(cockpit.BREAKDOWN, **down)
    elif level == "facility":
        down.update(facility=part.key, by="month")
        href = cockpit.link(cockpit.BREAKDOWN, **down)
    elif here.get("facility"):  # a facility's month: its page
        href = f"/submissions/{here['facility']}/{part.key}"
    else:
        down.update(month=int(part.key[5:7]), by="enterprise")
        href = cockpit.link(cockpit.BREAKDOWN, **down)
    return {"part": part, "row": names.get(part.key), "href": href}


def _crumbs(session: Any, who: Any, place: Any, here: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Where the breakdown stands: the region's path (a link where the person may look), then the
    enterprise and the facility asked."""
    visible = {r.id for r in access.regions_in_scope(session, who)}
    out: list[tuple[str, str | None]] = [
        (
            labels.named(r),
            cockpit.link(
                cockpit.BREAKDOWN, **{**here, "region": r.code, "enterprise": None, "facility": None, "by": None}
            )
            if r.id in visible
            else None,
        )
        for r in queries.region_path(session, place)
    ]
    base = {**here, "facility": None, "by": None}
    if here.get("enterprise"):
        out.append((here["enterprise"], cockpit.link(cockpit.BREAKDOWN, **base)))
    if here.get("facility"):
        out.append((here["facility"], cockpit.link(cockpit.BREAKDOWN, **{**here, "by": None})))
    return out


# Our own annotations of a citation (not part of the document's title), in the reader's language.
_ANNOTATIONS = {", as reported": N_(" (as reported)")}


def _annotated(document: str) -> str:
    for note, said in _ANNOTATIONS.items():
        if document.endswith(note):
            return document[: -len(note)] + _(said)
    return document


def _how(session: Any, provenance: Any) -> dict[str, Any]:
    """The methods (their names) and parameter families (their titles and publishers) behind a figure."""
    files = queries.params(session).files
    lang = current_lang()
    methods = []
    for method_id, count in provenance.methods:
        method = METHODS.get(method_id)
        name = (method.name_zh if lang == "zh" else method.name_en) if method else method_id
        methods.append({"name": name, "months": count})
    parameters = []
    for use in provenance.parameters:
        file = files.get(use.family)
        title = file.title.get(lang) or file.title.get("zh") if file else use.family
        publisher = (file.publisher or {}).get(lang, "") if file else ""
        # In Chinese, the documents with a Chinese title are listed; those published only in another
        # language (the IPCC's reports) are counted and cited on the family's parameter page.
        documents = [_annotated(d) for d in use.documents if lang != "zh" or _CJK.search(d)]
        parameters.append(
            {
                "family": use.family,
                "title": title,
                "publisher": publisher,
                "months": use.facility_months,
                "documents": documents,
                "foreign": len(use.documents) - len(documents),
            }
        )
    return {
        "months": provenance.facility_months,
        "methods": methods,
        "parameters": parameters,
        "snapshots": provenance.snapshots,
    }
