"""Pathways as a person uses them: the regions they may project, a scenario run on a region's plant stock
(restricted to that region's plants), and the stored result of a scenario, computed once per data state,
region and scenario content.

A run takes about a second at the web's draws; the stored result is kept in the caller's cache (the web
platform's :class:`carbonpeak.web.queries.Cache`, any object with ``get(key, make)``) under a key of the
store's data state, the region, the scenario's content hash and the draws of the wedges: the first view
computes, later views read it, and a change of data makes a new key (the old one is never asked for again).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.pathways.scenario import ResolvedScenario
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Region

__all__ = ["Outcome", "pathway_regions", "run_on_region", "stock_of"]

WEDGE_DRAWS = 1_000  # the command line's default
PATHWAY_LEVELS = ("province", "city")  # the levels whose counted data make a plant stock


class CacheLike(Protocol):
    def get(self, key: Any, make: Any) -> Any: ...


class _NoCache:
    def get(self, key: Any, make: Any) -> Any:
        return make()


@dataclass
class Outcome:
    """A run on a region: its summary, the scenario as run (on the region's plants), what was set aside."""

    region: str
    scenario: ResolvedScenario
    summary: dict[str, Any]
    fingerprint: str
    seconds: float
    set_aside: list[str] = field(default_factory=list)
    narrowed: list[str] = field(default_factory=list)
    wedges_without_parent: bool = False


def pathway_regions(session: Session, who: Principal) -> list[Region]:
    """The regions a person may project: the provinces and cities of their jurisdiction, theirs first."""
    access.require(who, "pathways.view")
    return [r for r in access.regions_in_scope(session, who) if r.level in PATHWAY_LEVELS]


def stock_of(session: Session, cache: CacheLike | None, scenario: ResolvedScenario, params: Any) -> tuple[Any, str]:
    """The plant stock of the scenario's region and its fingerprint, kept until the store's data change."""
    from carbonpeak.store.facts import data_state
    from carbonpeak.store.pathways import read_stock

    key = (
        "pathways-stock",
        data_state(session),
        scenario.region,
        scenario.base_year,
        scenario.horizon.start,
        scenario.benchmark_edition,
    )

    def make() -> tuple[Any, str]:
        stock = read_stock(
            session,
            region=scenario.region,
            base_year=scenario.base_year,
            start_year=scenario.horizon.start,
            benchmark_edition=scenario.benchmark_edition,
            params=params,
        )
        return stock, stock.fingerprint()

    result: tuple[Any, str] = (cache or _NoCache()).get(key, make)
    return result


def _execute(
    scenario: ResolvedScenario, parent: ResolvedScenario | None, stock: Any, params: Any
) -> tuple[dict[str, Any], bool]:
    """Run, wedges and summary, as ``carbonpeak pathways run`` does."""
    from carbonpeak.indicators.targets import target_map
    from carbonpeak.pathways import run as pr
    from carbonpeak.pathways.params import ParamSource

    source = ParamSource(live=params)
    result = pr.run(scenario, stock, source)
    without_parent = False
    try:
        table = pr.wedges(scenario, parent, stock, source, draws=WEDGE_DRAWS, seed=result.seed)
    except InputError:
        table = pr.wedges(scenario, None, stock, source, draws=WEDGE_DRAWS, seed=result.seed)
        without_parent = True
    table["draws"] = WEDGE_DRAWS
    result.wedge_table = table
    return pr.summary(result, params.plans, target_map()), without_parent


def run_on_region(
    session: Session,
    cache: CacheLike | None,
    who: Principal,
    region: str,
    scenario: ResolvedScenario,
    parent: ResolvedScenario | None,
    params: Any,
    *,
    restrict: bool = True,
) -> Outcome:
    """The scenario run on ``region``'s plant stock (the person must see the region).

    ``restrict``: the levers keep the region's own plants (a shipped scenario written for the province,
    run on a city); False for a scenario a person edited, where a plant outside the region is an error to
    show beside its field. The result is kept in ``cache`` per data state, region and scenario content."""
    from carbonpeak.pathways.regional import for_stock
    from carbonpeak.store.facts import data_state

    access.require(who, "pathways.view")
    access.get_region(session, who, region)
    scenario = scenario.model_copy(update={"region": region})
    stock, fingerprint = stock_of(session, cache, scenario, params)
    if restrict:
        restricted = for_stock(scenario, stock)
        scenario, set_aside, narrowed = restricted.scenario, restricted.set_aside, restricted.narrowed
    else:
        set_aside, narrowed = [], []
    if parent is not None:
        parent = for_stock(parent.model_copy(update={"region": region}), stock).scenario
    parent_hash = parent.content_hash() if parent is not None else ""
    key = ("pathways-run", data_state(session), region, scenario.content_hash(), parent_hash, fingerprint, WEDGE_DRAWS)

    def make() -> Outcome:
        started = time.perf_counter()
        summary, without_parent = _execute(scenario, parent, stock, params)
        seconds = time.perf_counter() - started
        return Outcome(region, scenario, summary, fingerprint, seconds, set_aside, narrowed, without_parent)

    outcome: Outcome = (cache or _NoCache()).get(key, make)
    return outcome
