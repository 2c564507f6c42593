"""The city map on the overview: the values of an indicator by city (JSON) and the province's shapes.

Figures come from :mod:`carbonpeak.services.city_map` (the indicators' formulas over the data the
overview uses, cached per data state); which shapes are drawn is configuration (:mod:`carbonpeak.web.
city_maps`). Here only labels, display units and links are added.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from carbonpeak.indicators import definitions as ind
from carbonpeak.services import access
from carbonpeak.services import city_map as use
from carbonpeak.vocabulary import Sector
from carbonpeak.web import city_maps, display, labels, queries
from carbonpeak.web.deps import DbSession, Who, settings_of
from carbonpeak.web.errors import NotFound
from carbonpeak.web.i18n import current_lang
from carbonpeak.web.list_views import say
from carbonpeak.web.pages.common import year_of

router = APIRouter()


@router.get("/overview/city-map.json")
def city_map_values(
    request: Request,
    session: DbSession,
    who: Who,
    region: str | None = None,
    year: str | None = None,
    indicator: str | None = None,
    sector: str | None = None,
) -> Response:
    access.require(who, "overview.view")
    cache = request.app.state.cache
    chosen = access.get_region(session, who, region) if region else queries.default_region(session, who)
    if chosen is None:
        raise NotFound()
    offered = city_maps.indicators()
    pick = next((i for i in offered if i.id == indicator), offered[0] if offered else None)
    if pick is None:
        raise NotFound()
    sectors = sorted({s.value for s in Sector} & set(_sectors(request, session, who, chosen.code)))
    if not pick.sector:
        sector = None
    elif sector not in sectors:  # a ratio within one sector: the first of the region's when none is asked
        sector = sectors[0] if sectors else None
    when = year_of(year, []) if year not in (None, "") else queries.default_year(session, cache, who, chosen.code)
    edition = settings_of(request).benchmark_edition
    found = cache.get(
        (
            "city_map",
            queries.fresh(session, cache),
            queries.today(),
            queries.scope_key(who),
            chosen.code,
            when,
            pick.id,
            sector,
            edition,
        ),
        lambda: use.city_map(
            session,
            who,
            region=chosen.code,
            year=when,
            indicator=pick.id,
            sector=sector,
            prepared=lambda code: queries.prepared_region(session, cache, who, code, edition),
        ),
    )
    return JSONResponse(_shown(found, offered, sectors, chosen.code))


def _sectors(request: Request, session: DbSession, who: Who, region: str) -> list[str]:
    prepared = queries.prepared_region(
        session, request.app.state.cache, who, region, settings_of(request).benchmark_edition
    )
    return [] if prepared is None or prepared.rows.empty else list(prepared.rows["sector"].dropna().unique())


def _shown(
    found: use.CityMap, offered: tuple[city_maps.MapIndicator, ...], sectors: list[str], asked: str
) -> dict[str, Any]:
    """The figures with their labels in the page's language, in the display units (万吨CO2e for totals)."""
    shape = city_maps.for_province(found.province.code)
    unit = ind.get(found.indicator).unit
    factor = display.factor_of(unit, "total")
    cities = []
    for city, value in zip(found.cities, found.values, strict=True):
        cities.append(
            {
                "code": city.code,
                "name": labels.named(city),
                "feature": shape.cities.get(city.code) if shape else None,
                "value": None if value.value is None else value.value * factor,
                "text": display.qty_text(value.value, unit, "total") if value.value is not None else say("map.no_data"),
                "facilities": value.facilities,
                "url": f"/overview?region={city.code}&year={found.year}",
                "chosen": city.code == asked,
            }
        )
    lang = current_lang()
    return {
        "province": found.province.code,
        "map": f"/maps/{shape.geojson.stem}.geojson" if shape else None,
        "map_name": f"carbonpeak-{shape.geojson.stem}" if shape else None,
        "feature_property": shape.feature if shape else "name",
        "note": shape.note.get(lang, "") if shape else say("map.no_map"),
        "stand_in": bool(shape and shape.stand_in),
        "year": found.year,
        "indicator": found.indicator,
        "label": labels.indicator(found.indicator),
        "unit": display.unit_of(unit, "total"),
        "sector": found.sector,
        "sectors": [{"id": s, "label": labels.sector(s)} for s in sectors],
        "indicators": [{"id": i.id, "label": labels.indicator(i.id), "sector": i.sector} for i in offered],
        "cities": cities,
    }


@router.get("/maps/{name}.geojson")
def map_shapes(name: str, who: Who) -> Response:
    """A province's shapes (any signed-in person: a map holds no figures)."""
    shape = city_maps.by_name(name)
    if shape is None:
        raise NotFound()
    return FileResponse(
        shape.geojson, media_type="application/geo+json", headers={"Cache-Control": "private, max-age=86400"}
    )
