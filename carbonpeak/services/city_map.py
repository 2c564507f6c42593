"""The city map's figures: an indicator for each city of a province that the person may see.

The caller gives the way to a region's prepared data (the web keeps them cached per data state, the CLI
may prepare them afresh); this module decides which cities are asked for (the person's scope: a city
regulator gets their own city only) and asks :mod:`carbonpeak.indicators.city_map` for the values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.city_map import CityValue, city_values
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Region


@dataclass(frozen=True)
class CityMap:
    province: Region  # whose map is drawn
    cities: list[Region]  # the cities the person may see, with a value or none
    values: list[CityValue]  # one per city, in the same order
    indicator: str
    year: int
    sector: str | None


def province_of(session: Session, region: Region) -> Region:
    """The province a region lies in (itself for a province)."""
    while region.parent_id is not None and region.level != "province":
        parent = session.get(Region, region.parent_id)
        if parent is None:
            break
        region = parent
    return region


def city_map(
    session: Session,
    principal: Principal,
    *,
    region: str,
    year: int,
    indicator: str,
    sector: str | None,
    prepared: Callable[[str], ind.Prepared | None],
) -> CityMap:
    """The indicator for every city of ``region``'s province in the person's scope (``region`` a
    province or one of its cities); ``prepared(city_code)`` gives a city's prepared data."""
    chosen = access.get_region(session, principal, region)  # Forbidden outside the person's jurisdiction
    ind.get(indicator)  # an unknown indicator is an InputError naming the choices
    province = province_of(session, chosen)
    query = (
        select(Region)
        .where(Region.parent_id == province.id, Region.level == "city", access.region_filter(principal))
        .order_by(Region.code)
    )
    cities = list(session.scalars(query))
    values = city_values({c.code: prepared(c.code) for c in cities}, indicator, year, sector)
    return CityMap(province, cities, values, indicator, year, sector)
