"""Province (or city) overview: emissions and energy by year, sector and city; the plan's targets;
open warnings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.web import aggregates, labels, queries
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.errors import NotFound
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, year_of
from carbonpeak.web.pages.reporting_status import overview_block

router = APIRouter()


def selection(
    request: Request, session: Session, who: Principal, region: str | None, year: str | None, plan: str | None
) -> dict[str, Any]:
    """The region, year, plan and benchmark edition a request asks for (defaults: the person's region,
    the region's latest complete year (else its latest year with data), the plan of the region's province)."""
    access.require(who, "overview.view")
    chosen = access.get_region(session, who, region) if region else queries.default_region(session, who)
    if chosen is None:
        raise NotFound()
    cache = request.app.state.cache
    rows = queries.facts(session, cache, who)
    years = queries.years_with_data(rows)
    plans = queries.plans_for(queries.region_path(session, chosen)[0])
    if plan and plan not in dict(plans):
        raise NotFound()
    asked = year not in (None, "")
    return {
        "region": chosen,
        "year": year_of(year, years) if asked else queries.default_year(session, cache, who, chosen.code),
        "year_asked": asked,  # else the default: the latest complete year
        "years": years,
        "plans": plans,
        "plan": plan or (plans[0][0] if plans else None),
        "edition": settings_of(request).benchmark_edition,
        # figures are kept by province and city (the facts table's levels), so those are the choices
        "regions": [r for r in access.regions_in_scope(session, who) if r.level in ("province", "city")],
    }


@router.get("/overview")
def overview_page(
    request: Request,
    session: DbSession,
    who: Who,
    region: str | None = None,
    year: str | None = None,
    plan: str | None = None,
) -> Response:
    chosen = selection(request, session, who, region, year, plan)
    data = queries.overview(
        session, request.app.state.cache, who, chosen["region"], chosen["year"], chosen["plan"], chosen["edition"]
    )
    warnings = queries.warnings(session, who, open_only=True, limit=8)
    counts = queries.warning_counts(session, who)
    charts = _charts(data, chosen["year"])
    chosen["reporting"] = overview_block(request, session, who, chosen["region"])  # who has reported last month
    return render(
        request,
        "overview.html",
        **context(
            request,
            **chosen,
            data=data,
            warnings=warnings,
            counts=counts,
            charts=charts,
            shown=_shown(session, data, chosen["year_asked"]),
        ),
    )


def _shown(session: Session, data: dict[str, Any], asked: bool) -> dict[str, Any]:
    """What the figures rest on, in the reader's language: the period (1–9月累计), why this year, the
    coverage of the totals, of each sector and city, and the comparison with the year before."""
    period = data["period"]
    return {
        "title": aggregates.title(),
        "period": aggregates.period_label(period),
        "default_note": aggregates.default_note(asked, period),
        "rule": aggregates.rule_text(queries.due_day(session)),
        "coverage": aggregates.coverage_text(data["coverage"]),
        "by": aggregates.by_title(),
        "states": aggregates.state_names(),
        "emissions_before": aggregates.comparison_text(data["comparison"], "emissions_location_tco2e"),
        "energy_before": aggregates.comparison_text(data["comparison"], "energy_tce"),
    }


def _charts(data: dict[str, Any], year: int) -> dict[str, Any]:
    """Chart specifications (data and translated labels); static/app.js draws them with ECharts."""
    by_year = data["by_year"]
    period = aggregates.period_label(data["period"])
    sectors = list(by_year["emissions_by_sector"])
    cities = sorted(data["cities"], key=lambda c: -(c["emissions"] or 0))
    share = [
        {"name": labels.sector(s), "value": (vals[by_year["years"].index(year)] if year in by_year["years"] else None)}
        for s, vals in by_year["emissions_by_sector"].items()
    ]
    return {
        "by_year": {
            "kind": "stacked_bar_line",
            "title": _("Emissions by sector and energy by year"),
            "x": [aggregates.short_period(p) for p in by_year["periods"]],
            "bars": [{"name": labels.sector(s), "data": by_year["emissions_by_sector"][s]} for s in sectors],
            "bar_axis": _("emissions, location-based") + " (tCO2e)",
            "line": {"name": _("comprehensive energy") + " (tce)", "data": by_year["energy"]},
        },
        "by_city": {
            "kind": "hbar",
            "title": _("Emissions by city, %(year)s", year=period),
            "y": [labels.named(c["region"]) for c in cities],
            "series": [
                {"name": _("emissions, location-based") + " (tCO2e)", "data": [c["emissions"] for c in cities]},
                {"name": _("comprehensive energy") + " (tce)", "data": [c["energy"] for c in cities]},
            ],
        },
        "by_sector": {
            "kind": "pie",
            "title": _("Emissions by sector, %(year)s", year=period),
            "data": [s for s in share if s["value"]],
            "unit": "tCO2e",
        },
    }
