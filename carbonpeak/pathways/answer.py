"""The one-line answer of a run: the probability of having peaked by a year, and the uncertain input that
drives most of the spread of the peak year.

Both come from a run's summary (:func:`carbonpeak.pathways.run.summary`): the probability is the share of
the Monte Carlo draws that have peaked by the year (``peak.p_peaked_by``), the driver the input with the
largest first-order variance share of the peak year (``attribution.inputs``) above the noise floor. The
driver is returned as its parts (what kind of input, which sector or lever), for a page to name it in
its own language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Answer", "Driver", "answer", "driver_of"]

ANSWER_YEAR = 2030  # the national peaking year of the plans (碳达峰: 2030年前)

_PRODUCTION = re.compile(r"^production\.([^./@]+)(?:/([^.@]+))?\.(\w+?)(?:@(\d{4}))?$")
_LEVER = re.compile(r"^levers\.([^.]+)\.(.+)$")


@dataclass(frozen=True)
class Driver:
    """An uncertain input of a run, in parts: ``kind`` is production, grid, scrap, lever or other."""

    input: str
    kind: str
    share: float  # first-order share of the peak year's variance, 0-1
    sector: str | None = None
    province: str | None = None
    lever: str | None = None
    attribute: str | None = None
    from_year: int | None = None


@dataclass(frozen=True)
class Answer:
    year: int
    probability: float | None  # share of draws peaked by ``year``; None when the horizon misses it
    driver: Driver | None  # None when no input stands above the noise floor
    peak_year_p50: float | None
    draws: int


def driver_of(name: str, share: float) -> Driver:
    """An input's name as the compiler writes it (``production.magnesium.growth_pct_per_year``,
    ``levers.retrofit_to_benchmark.year``, ``grid.decline_pct_per_year`` ...), in parts."""
    found = _PRODUCTION.match(name)
    if found:
        year = int(found[4]) if found[4] else None
        return Driver(name, "production", share, sector=found[1], province=found[2], attribute=found[3], from_year=year)
    found = _LEVER.match(name)
    if found:
        return Driver(name, "lever", share, lever=found[1], attribute=found[2])
    head, _dot, attribute = name.partition(".")
    if head in ("grid", "scrap"):
        return Driver(name, head, share, attribute=attribute)
    return Driver(name, "other", share)


def answer(summary: dict[str, Any], year: int = ANSWER_YEAR) -> Answer:
    """The answer of a run's summary."""
    peak = summary["peak"]
    probability = peak["p_peaked_by"].get(str(year))
    attribution = summary.get("attribution") or {}
    floor = float(attribution.get("noise_floor", 1.0))
    above = [a for a in attribution.get("inputs", []) if a["share"] > floor]
    top = max(above, key=lambda a: a["share"]) if above else None
    p50 = peak["peak_year"]["p50"]
    return Answer(
        year=year,
        probability=None if probability is None else float(probability),
        driver=driver_of(top["input"], float(top["share"])) if top else None,
        peak_year_p50=None if p50 is None or p50 != p50 else float(p50),
        draws=int(summary["scenario"]["draws"]),
    )
