"""A scenario written for a province, run on one of its cities (or any region): the levers keep the plants
of the region's stock and a lever with none of them left is set aside.

A scenario file names plants by code (``plants: [AL03, AL04, AL05]``) for the whole region it was
written for. Run on a city's stock, those codes are mostly elsewhere and the compiler refuses them
(``pathways.unknown_plant``), rightly for a file a person wrote for that city. For a shipped scenario
shown to a city regulator, the plan's levers apply to the city's own plants only: that is what
:func:`for_stock` makes. Levers that choose plants by attribute (sector, class ...) select within the
stock already and are kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carbonpeak.pathways import scenario as sc
from carbonpeak.pathways.stock import Stock

__all__ = ["Restricted", "for_stock", "plant_codes"]


@dataclass(frozen=True)
class Restricted:
    scenario: sc.ResolvedScenario
    set_aside: list[str] = field(default_factory=list)  # ids of levers with no plant in the stock
    narrowed: list[str] = field(default_factory=list)  # ids of levers that lost some of their plants


def plant_codes(stock: Stock) -> set[str]:
    return {str(code) for code in stock.plants["facility_code"]}


def _keep(plants: sc.Plants | None, codes: set[str]) -> tuple[sc.Plants | None, bool, bool]:
    """(the plants within ``codes``, whether any is left, whether some were removed)."""
    if plants is None:
        return None, True, False
    if isinstance(plants, list):
        kept = [c for c in plants if c in codes]
        return kept, bool(kept), len(kept) < len(plants)
    if plants.codes is None:
        return plants, True, False
    kept = [c for c in plants.codes if c in codes]
    return plants.model_copy(update={"codes": kept}), bool(kept), len(kept) < len(plants.codes)


def _lever(lever: sc.Lever, codes: set[str]) -> tuple[sc.Lever | None, bool]:
    """The lever on the plants of ``codes`` (None when it has nothing left to act on), and whether it lost
    some plants."""
    if isinstance(lever, sc.ReplacementLever):
        source = [c for c in lever.source if c in codes]
        if lever.destination.like not in codes or not (source or lever.source_outside):
            return None, False
        return lever.model_copy(update={"source": source}), len(source) < len(lever.source)
    update: dict[str, object] = {}
    narrowed = False
    plants = getattr(lever, "plants", None)
    kept, any_left, removed = _keep(plants, codes)
    if not any_left:
        return None, False
    if removed:
        update["plants"], narrowed = kept, True
    if isinstance(lever, sc.GreenLever) and lever.contracts:
        contracts = [c for c in lever.contracts if c.plant in codes]
        if not contracts and lever.share_pct is None:
            return None, False
        if len(contracts) < len(lever.contracts):
            update["contracts"], narrowed = contracts, True
    return (lever.model_copy(update=update) if update else lever), narrowed


def for_stock(scenario: sc.ResolvedScenario, stock: Stock) -> Restricted:
    """The scenario on ``stock``'s region: its region set to the stock's, each lever on the stock's plants."""
    codes = plant_codes(stock)
    levers: list[sc.Lever] = []
    set_aside: list[str] = []
    narrowed: list[str] = []
    for lever in scenario.levers:
        kept, lost_some = _lever(lever, codes)
        if kept is None:
            set_aside.append(lever.id)
            continue
        levers.append(kept)
        if lost_some:
            narrowed.append(lever.id)
    origin = {k: v for k, v in scenario.lever_origin.items() if k not in set_aside}
    restricted = scenario.model_copy(update={"region": stock.region, "levers": levers, "lever_origin": origin})
    return Restricted(restricted, set_aside, narrowed)
