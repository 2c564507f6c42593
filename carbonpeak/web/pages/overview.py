"""Province (or city) overview: emissions and energy by year, sector and city; the plan's targets;
open warnings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.web import aggregates, cockpit, display, i18n, labels, queries
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.errors import NotFound
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, year_of
from carbonpeak.web.pages.green_power import block as green_block
from carbonpeak.web.pages.overview_cockpit import answers, cockpit_charts, cockpit_view
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
    chosen["reporting"] = overview_block(request, session, who, chosen["region"])  # who has reported last month
    cockpit_data = _cockpit(request, session, who, chosen, data)
    charts = {**_charts(data, chosen["year"], chosen["region"].code), **cockpit_charts(cockpit_data)}
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
            cockpit=cockpit_data,
            green=request.app.state.cache.get(  # both indirect figures: kept until the store changes
                ("green_block", queries.scope_key(who), chosen["year"], chosen["region"].code),
                lambda: green_block(session, who, year=chosen["year"], region=chosen["region"].code),
                queries.fresh(session, request.app.state.cache),
            ),
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
        "emissions_before": aggregates.comparison_text(data["comparison"], "emissions_location_tco2e", "tCO2e"),
        "energy_before": aggregates.comparison_text(data["comparison"], "energy_tce", "tce"),
    }


def _shown_value(value: float | None, unit: str) -> float | None:
    """A chart's value in the unit the page shows totals in (万吨CO2e on zh pages)."""
    return None if value is None else value * display.factor_of(unit, "total")


def _axis(name: str, unit: str) -> str:
    return (
        f"{name}（{display.unit_of(unit, 'total')}）"
        if i18n.current_lang() == "zh"
        else f"{name} ({display.unit_of(unit, 'total')})"
    )


def _charts(data: dict[str, Any], year: int, region: str) -> dict[str, Any]:
    """Chart specifications (data and translated labels, values in the page's units, each bar, slice
    and point with the breakdown it opens); static/app.js draws them with ECharts."""
    by_year = data["by_year"]
    period = aggregates.period_label(data["period"])
    sectors = list(by_year["emissions_by_sector"])
    cities = sorted(data["cities"], key=lambda c: -(c["emissions"] or 0))
    emission, energy = "emissions_location_tco2e", "energy_tce"
    share = [
        {
            "name": labels.sector(s),
            "value": _shown_value(vals[by_year["years"].index(year)] if year in by_year["years"] else None, "tCO2e"),
            "href": cockpit.breakdown_url(emission, region, year, sector=s),
        }
        for s, vals in by_year["emissions_by_sector"].items()
    ]
    return {
        "by_year": {
            "kind": "stacked_bar_line",
            "title": _("Emissions by sector and energy by year"),
            "x": [aggregates.short_period(p) for p in by_year["periods"]],
            "bars": [
                {
                    "name": labels.sector(s),
                    "data": [
                        {
                            "value": _shown_value(v, "tCO2e"),
                            "href": cockpit.breakdown_url(emission, region, y, sector=s),
                        }
                        for y, v in zip(by_year["years"], by_year["emissions_by_sector"][s], strict=True)
                    ],
                }
                for s in sectors
            ],
            "bar_axis": _axis(_("emissions, location-based"), "tCO2e"),
            "line": {
                "name": _axis(_("comprehensive energy"), "tce"),
                "data": [
                    {"value": _shown_value(v, "tce"), "href": cockpit.breakdown_url(energy, region, y)}
                    for y, v in zip(by_year["years"], by_year["energy"], strict=True)
                ],
            },
        },
        "by_city": {
            "kind": "hbar",
            "title": _("Emissions by city, %(period)s", period=period),
            "y": [labels.named(c["region"]) for c in cities],
            "series": [
                {
                    "name": _axis(_("emissions, location-based"), "tCO2e"),
                    "data": [
                        {
                            "value": _shown_value(c["emissions"], "tCO2e"),
                            "href": cockpit.breakdown_url(emission, c["region"].code, year),
                        }
                        for c in cities
                    ],
                },
                {
                    "name": _axis(_("comprehensive energy"), "tce"),
                    "data": [
                        {
                            "value": _shown_value(c["energy"], "tce"),
                            "href": cockpit.breakdown_url(energy, c["region"].code, year),
                        }
                        for c in cities
                    ],
                },
            ],
        },
        "by_sector": {
            "kind": "pie",
            "title": _("Emissions by sector, %(period)s", period=period),
            "data": [s for s in share if s["value"]],
            "unit": display.unit_of("tCO2e", "total"),
        },
    }


def _cockpit(
    request: Request, session: Session, who: Principal, chosen: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """The cockpit's figures (cards, trend, rankings) and the three one-click answers."""
    view = cockpit_view(request, session, who, chosen["region"], chosen["year"], data["period"], chosen["edition"])
    view["answers"] = answers(request, session, who, chosen, data, chosen.get("reporting"))
    return view
