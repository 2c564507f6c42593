"""The overview's cockpit parts: the KPI cards in the sector's units, the monthly trend with 同比 and
环比, the rankings and the three one-click answers (below the baseline, the peak, last month's late
reports). Arrangement only: the figures are :mod:`carbonpeak.web.cockpit`'s."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from carbonpeak.indicators import breakdown as bd
from carbonpeak.indicators.coverage import YearPeriod
from carbonpeak.services.access import Principal
from carbonpeak.web import cockpit, display, i18n
from carbonpeak.web.i18n import N_, _

CARD_NAMES = {
    "emissions_location_tco2e": N_("Emissions, location-based"),
    "emissions_market_tco2e": N_("Emissions, market-based"),
    "energy_tce": N_("Comprehensive energy consumption"),
    "electricity_used_mwh": N_("Electricity used"),
    "capacity_t_per_a": N_("Electrolytic aluminium capacity"),
}
TREND_NAMES = {
    "emissions_location_tco2e": N_("Emissions, location-based"),
    "energy_tce": N_("Comprehensive energy consumption"),
}


def month_label(month: int) -> str:
    """1月 / Jan."""
    return f"{month}月" if i18n.current_lang() == "zh" else dt.date(2000, month, 1).strftime("%b")


def cockpit_view(
    request: Request,
    session: Session,
    who: Principal,
    region: Any,
    year: int,
    period: YearPeriod,
    edition: str | None,
) -> dict[str, Any]:
    cache = request.app.state.cache
    last = period.last_month or 12
    cards = cockpit.cards(session, cache, who, region.code, year, last, edition)
    monthly = cockpit.monthly(session, cache, who, region.code, year, edition)
    ranked = cockpit.rankings(session, cache, who, region.code, year, last, edition)
    enterprises = cockpit.names(
        session, "enterprise", sorted({r.key for key in ("top_emitters", "largest_increase") for r in ranked[key]})
    )
    facilities = cockpit.names(session, "facility", sorted({r.key for r in ranked["worst_unit_consumption"]}))
    return {
        "region": region.code,
        "year": year,
        "last_month": last,
        "cards": [{**c, "name": _(CARD_NAMES[c["figure"]])} for c in cards],
        "monthly": monthly,
        "changes": [
            {
                "figure": f,
                "name": _(TREND_NAMES[f]),
                "unit": "tCO2e" if f.startswith("emissions") else "tce",
                "rows": rows,
            }
            for f, rows in monthly["changes"].items()
        ],
        "rankings": ranked,
        "enterprises": enterprises,
        "facilities": facilities,
        "enterprise_url": lambda code: cockpit.breakdown_url(
            "emissions_location_tco2e", region.code, year, enterprise=code, by="facility"
        ),
        "facility_url": lambda code: cockpit.breakdown_url("energy_tce", region.code, year, facility=code, by="month"),
        "month_url": lambda figure, month: cockpit.breakdown_url(figure, region.code, year, month=month),
        # an indicator of the table that is a sum of facility-months opens its breakdown
        "figure_url": lambda indicator, sector: (
            cockpit.breakdown_url(indicator, region.code, year, sector=sector) if indicator in bd.FIGURES else None
        ),
    }


def signed(pct: float) -> str:
    """+2.3%"""
    return f"{pct:+.1f}%"


def answers(
    request: Request,
    session: Session,
    who: Principal,
    chosen: dict[str, Any],
    data: dict[str, Any],
    reporting: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """The three questions a regulator asks first, each a link to the page that answers it, with a
    short answer where a count gives it."""
    region, year = chosen["region"], chosen["year"]
    below = cockpit.below_baseline(session, request.app.state.cache, who, region.code, year, chosen["edition"])
    change = data["comparison"]["change_pct"].get("emissions_location_tco2e")
    summary = reporting["summary"] if reporting else None
    if summary is None:
        late = ""
    elif summary.due_passed:
        late = _("Enterprises late: %(n)s", n=summary.late)
    else:  # last month is not due yet: who has still to send it
        late = _(
            "Enterprises yet to report by %(due)s: %(n)s",
            n=summary.counts.get("not_due", 0),
            due=i18n.date(summary.due),
        )
    return [
        {
            "id": "below-baseline",
            "question": _("Who is below the baseline level, and when must they exit?"),
            "answer": _("Facilities below the baseline level in %(year)s: %(n)s", n=below, year=year)
            if below is not None
            else "",
            "url": cockpit.link("/benchmark", below_baseline=1, year=year),
        },
        {
            "id": "peak",
            "question": _("Will we peak before 2030, and what drives it?"),
            "answer": _("Emissions %(change)s on the same months of the year before", change=signed(change))
            if change is not None
            else "",
            "url": cockpit.link("/pathways", region=region.code),
        },
        {
            "id": "late",
            "question": _("Who has not reported last month?"),
            "answer": late,
            "url": reporting["late_url"] if reporting else "/reporting-status",
        },
    ]


def cockpit_charts(view: dict[str, Any]) -> dict[str, Any]:
    """The monthly trend chart: the year and the year before, month by month; each point opens the
    month's breakdown."""
    year = view["year"]
    figure = "emissions_location_tco2e"
    series = view["monthly"]["series"][figure]
    factor = display.factor_of("tCO2e", "total")
    lines = []
    for shown_year in (year - 1, year):
        data = []
        for month in range(1, 13):
            value = series.get(f"{shown_year:04d}-{month:02d}")
            data.append(
                {
                    "value": None if value is None else value * factor,
                    "href": cockpit.breakdown_url(figure, view["region"], shown_year, month=month),
                }
            )
        lines.append({"name": str(shown_year), "data": data})
    unit = display.unit_of("tCO2e", "total")
    return {
        "monthly": {
            "kind": "month_lines",
            "title": _("Emissions by month, location-based (%(unit)s)", unit=unit),
            "x": [month_label(m) for m in range(1, 13)],
            "lines": lines,
            "unit": unit,
        }
    }
