"""An indicator for each city of a province, for the city map: the same formula and the same prepared
data as the overview's figures (:mod:`carbonpeak.indicators.definitions`), one value per city.

Pure: the caller gives each city's prepared data (``definitions.prepare``); nothing here reads the
database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from carbonpeak.indicators import definitions as ind


@dataclass(frozen=True)
class CityValue:
    """One city's value of one indicator in one year; ``value`` None where the city has no figure."""

    city: str  # region code
    value: float | None
    unit: str
    facilities: int  # facilities counted
    months: int  # facility-months counted


def city_values(
    prepared: Mapping[str, ind.Prepared | None], indicator: str, year: int, sector: str | None = None
) -> list[CityValue]:
    """``indicator`` for ``year`` in each city of ``prepared`` (city code -> its prepared data, None
    where no facility of the city is counted), over one sector or every sector the indicator covers."""
    definition = ind.get(indicator)
    out = []
    for city, data in prepared.items():
        if data is None:
            out.append(CityValue(city, None, definition.unit, 0, 0))
            continue
        found = ind.series(data, indicator, [year], sector=sector)
        value = float(found.at[year, "value"]) if year in found.index else math.nan
        out.append(
            CityValue(
                city,
                None if math.isnan(value) else value,
                definition.unit,
                int(found.at[year, "facilities"]) if year in found.index else 0,
                int(found.at[year, "months"]) if year in found.index else 0,
            )
        )
    return out
