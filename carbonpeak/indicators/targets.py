"""Plan targets evaluated on the indicators: value now, target, margin, status, and the rule used.

Each target of ``carbonpeak/parameters/targets/*.yaml`` (every row of plan-targets.csv) is matched
to an indicator in ``target_indicators.yaml``, or is reported as not measurable with the reason.
The status rule is carbonpeak's own, stated in every result and held as the parameter
``indicators.status_rule`` (docs/methods/targets.md).
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.indicators import coverage as cov
from carbonpeak.indicators import definitions as ind
from carbonpeak.messages import Bilingual, CodedText, Message, known, text_in
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.parameters.schema import Plan, Target
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import SECTOR_LABELS

COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
}
STATUSES = ("met", "on_track", "at_risk", "off_track", "missed", "no_data", "not_measurable")
# Relative to the largest figure compared: far below any real difference (a billionth of a percent of a share),
# far above the float noise of summing months (about 1e-16 per operation).
TOLERANCE = 1e-9
RULE = (
    "path: straight line from the first year with data (or the base year) to the target in the target year; "
    "met: target reached; on track: at least as good as the path; at risk: short of the path by at most "
    "{band:g} % of the distance from start to target; off track: further short; missed: not reached by the "
    "target year (carbonpeak's rule, parameter indicators.status_rule)"
)


@dataclass
class YearStatus:
    year: int
    value: float | None
    expected: float | None
    status: str
    margin: float | None  # value − target, signed so that positive is better


@dataclass
class Evaluation:
    plan: str
    target: Target
    indicator: str | None
    sectors: list[str]
    status: str  # for the latest year with data (or not measurable / no data)
    reason: str  # English; its parts (``; ``) that are coded (CodedText) are shown in the reader's language
    years: list[YearStatus] = field(default_factory=list)
    rule: str = ""
    note: str = ""
    coverage: cov.Coverage | None = None  # facility-months behind the status year's value (None: no value)
    period: cov.YearPeriod | None = None  # the months the status year's value spans
    quote_zh_status: str = "translated"  # the plan's: its targets' Chinese wording is "original" or ours
    plan_title: dict[str, str] = field(default_factory=dict)  # the plan's title as shown, by language

    def _chinese(self) -> dict[str, str | None]:
        """The target in Chinese: its indicator, its wording in the plan (quoted from the Chinese original or
        translated by us: ``quote_zh_status``), its figure where the numbers alone cannot say it, the note,
        and, where it is the mapping's reason, the reason; ``see``: the page where it is followed."""
        entry = target_map().get(self.target.id, {})
        why_zh = entry.get("why_zh") if self.reason == entry.get("why") else None
        return {
            "indicator_text_zh": entry.get("zh"),
            "quote_zh": entry.get("quote_zh"),
            "quote_zh_status": self.quote_zh_status,
            "goal_zh": entry.get("goal_zh"),
            "note_zh": entry.get("note_zh") if self.note else None,
            "reason_zh": why_zh or self._coded_zh(),
            "see": entry.get("see") if self.reason == entry.get("why") else None,
        }

    def _coded_zh(self) -> str | None:
        # A status with a value is shown by its margin on the board; its reason only where there is no value.
        return reason_in(self.reason, "zh") if self.status in ("not_measurable", "no_data") else None

    def as_dict(self) -> dict[str, Any]:
        valued = [y for y in self.years if y.value is not None]
        latest = valued[-1] if valued else (self.years[-1] if self.years else None)
        return {
            "plan": self.plan,
            "id": self.target.id,
            "indicator_text": self.target.indicator,
            "indicator": self.indicator,
            "sectors": self.sectors,
            "comparator": self.target.comparator,
            "target": self.target.value if self.target.value is not None else self.target.value_text,
            "unit": self.target.unit,
            "target_year": self.target.target_year,
            "year": latest.year if latest else None,
            "value": latest.value if latest else None,
            "expected": latest.expected if latest else None,
            "margin": latest.margin if latest else None,
            "status": self.status,
            "reason": self.reason,
            **self._chinese(),
            "rule": self.rule,
            "note": self.note,
            "coverage": self.coverage.as_dict() if self.coverage is not None else None,
            "period": self.period.as_dict() if self.period is not None else None,
            "history": [y.__dict__ for y in self.years],
        }


@cache
def target_map() -> dict[str, dict[str, Any]]:
    text = resources.files("carbonpeak.indicators").joinpath("target_indicators.yaml").read_text(encoding="utf-8")
    return check_target_map(yaml.safe_load(text))


def check_target_map(data: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Refuse a mapping that names an unknown indicator or gives neither an indicator nor a reason."""
    for target_id, entry in data.items():
        if "indicator" in entry and entry["indicator"] not in ind.INDICATORS:
            raise InputError(
                "target mapped to an unknown indicator",
                record=target_id,
                field="indicator",
                value=entry["indicator"],
                expected="one of " + ", ".join(ind.INDICATORS),
            )
        scope = entry.get("scope")
        if "indicator" in entry and scope is not None and scope not in ind.INDICATORS[entry["indicator"]].scopes:
            raise InputError(
                "scope not available for the indicator",
                record=target_id,
                field="scope",
                value=scope,
                expected="one of " + ", ".join(ind.INDICATORS[entry["indicator"]].scopes),
            )
        if "indicator" not in entry and "why" not in entry:
            raise InputError("a target needs an indicator or the reason it cannot be measured", record=target_id)
        if not entry.get("zh") or ("why" in entry) != ("why_zh" in entry):
            raise InputError(
                "a target needs its indicator in Chinese (zh), and a reason in Chinese (why_zh) with its why",
                record=target_id,
                field="zh" if not entry.get("zh") else "why_zh",
            )
        if not entry.get("quote_zh") or ("note" in entry and not entry.get("note_zh")):
            raise InputError(
                "a target needs its wording in Chinese (quote_zh), and a note in Chinese (note_zh) with its note",
                record=target_id,
                field="quote_zh" if not entry.get("quote_zh") else "note_zh",
            )
        if "see" in entry and not str(entry["see"]).startswith("/"):
            raise InputError(
                "a target's page is a path of this site", record=target_id, field="see", value=entry["see"]
            )
    return dict(data)


def _better(comparator: str) -> int:
    """+1 when larger values are better for the target, −1 when smaller are."""
    return 1 if comparator in (">=", ">") else -1


def evaluate(
    plan: Plan,
    target: Target,
    facts: pd.DataFrame,
    *,
    region: str | None,
    year: int,
    params: ParameterSet | None = None,
    benchmark_edition: str | None = None,
    prepared: ind.Prepared | None = None,
    options: ind.Options | None = None,
) -> Evaluation:
    """One target for a region, for every year with data up to ``year``.

    ``prepared`` (:func:`carbonpeak.indicators.definitions.prepare` of the same facts and region) saves
    summing the facts again when several targets are evaluated.
    """
    found = _evaluate(
        plan,
        target,
        facts,
        region=region,
        year=year,
        params=params,
        benchmark_edition=benchmark_edition,
        prepared=prepared,
        options=options,
    )
    found.quote_zh_status = plan.quote_zh_status
    found.plan_title = {lang: plan.shown_title(lang) for lang in ("zh", "en")}
    return found


def _evaluate(
    plan: Plan,
    target: Target,
    facts: pd.DataFrame,
    *,
    region: str | None,
    year: int,
    params: ParameterSet | None,
    benchmark_edition: str | None,
    prepared: ind.Prepared | None,
    options: ind.Options | None,
) -> Evaluation:
    params = params or load()
    band = float(params.value("indicators.status_rule", period=year, item="at_risk_band"))
    rule = RULE.format(band=band)
    entry = target_map().get(target.id)
    if entry is None:
        return Evaluation(plan.id, target, None, [], "not_measurable", _coded("targets.no_indicator"), rule=rule)
    if "indicator" not in entry:
        return Evaluation(plan.id, target, None, [], "not_measurable", entry["why"], rule=rule)
    indicator, sectors = entry["indicator"], list(entry.get("sectors", []))
    note = entry.get("note", "")
    if target.comparator not in COMPARATORS and target.comparator != "increase":
        return Evaluation(
            plan.id,
            target,
            indicator,
            sectors,
            "not_measurable",
            _coded("targets.comparator_untestable", comparator=target.comparator),
            rule=rule,
            note=note,
        )
    if entry.get("national") and region is not None:
        return Evaluation(
            plan.id,
            target,
            indicator,
            sectors,
            "not_measurable",
            _coded("targets.national_total"),
            rule=rule,
            note=note,
        )
    unit = ind.INDICATORS[indicator].unit
    scope = entry.get("scope")
    if target.value is not None and target.base_year is not None and target.unit == f"% vs {target.base_year}":
        target = target.model_copy(update={"unit": unit})  # a change against the base year, in percent
    if target.value is not None and target.unit != unit:
        try:
            factor = conversion_factor(target.unit, unit)
        except CarbonpeakError:
            return Evaluation(
                plan.id,
                target,
                indicator,
                sectors,
                "not_measurable",
                _coded("targets.unit_incomparable", unit=target.unit, indicator=indicator, indicator_unit=unit),
                rule=rule,
                note=note,
            )
        target = target.model_copy(update={"value": float(target.value) * factor, "unit": unit})
    if prepared is None:
        options = options or ind.Options(params=params, benchmark_edition=benchmark_edition)
        prepared = ind.prepare(facts, region=region, options=options)
    if target.base_year is not None:  # the target's own base year for changes
        prepared = dataclasses.replace(
            prepared, options=dataclasses.replace(prepared.options, base_year=target.base_year)
        )
    years_with_data = sorted(set(prepared.sums.index.get_level_values("year")))
    if indicator in ind.STATISTIC_INDICATORS and not prepared.statistics.empty:
        years_with_data = sorted(set(years_with_data) | set(prepared.statistics["year"].astype(int)))
    asked = [y for y in years_with_data if y <= year]
    values = ind.series(prepared, indicator, asked, sectors=sectors or None, scope=scope)
    series: dict[int, tuple[float | None, str]] = {
        y: (None if math.isnan(v) else float(v), n if isinstance(n, str) else str(n))
        for y, v, n in zip(values.index, values["value"], values["note"], strict=True)
    }
    if ind.INDICATORS[indicator].additive:
        # A partial year's sum (1–9月累计) is not an annual figure: it gets no status against an annual target.
        for y in [y for y, (v, _) in series.items() if v is not None and prepared.partial(y)]:
            series[y] = (None, _coded("aggregates.partial_against_annual", period=prepared.period(y).label()))
    history: list[YearStatus] = []
    valued = {y: v for y, (v, _) in series.items() if v is not None}
    if not valued:
        reasons = {why for _, why in series.values() if why}
        return Evaluation(
            plan.id,
            target,
            indicator,
            sectors,
            "no_data",
            _joined(sorted(reasons)) or _coded("indicators.no_counted_data_region"),
            rule=rule,
            note=note,
        )
    start_year = target.base_year if target.base_year in valued else min(valued)
    start = valued[start_year]
    for y, (value, _why) in sorted(series.items()):
        if value is None:
            history.append(YearStatus(y, None, None, "no_data", None))
            continue
        history.append(_status(target, y, value, start_year, start, band, valued.get(y - 1)))
    # The status is that of the latest year with a value; later years without one say why.
    valued_history = [h for h in history if h.value is not None]
    latest = valued_history[-1] if valued_history else history[-1]
    partial = latest.value is not None and prepared.partial(latest.year)
    if partial and latest.status == "missed":
        # the target year is not over in the figures (1–9月累计): not reached yet, not missed for good
        latest = dataclasses.replace(latest, status="off_track")
        history = [latest if h.year == latest.year else h for h in history]
    reason = _reason(target, latest, indicator, sectors)
    if partial:
        reason = _joined([reason, _coded("aggregates.partial_status", period=prepared.period(latest.year).label())])
    if latest.status == "no_data":
        reason = series[latest.year][1] or _coded("indicators.no_counted_data")
    later = [h.year for h in history if h.year > latest.year]
    if later:
        why = series[later[-1]][1]
        why = why.message if isinstance(why, CodedText) else why
        reason = _joined([reason, _coded("indicators.no_value_yet", years=", ".join(map(str, later)), why=why)])
    chosen = ind.scope_sectors(ind.INDICATORS[indicator], None, sectors or None)
    return Evaluation(
        plan.id,
        target,
        indicator,
        sectors,
        latest.status,
        reason,
        history,
        rule,
        note,
        coverage=prepared.coverage_of(latest.year, chosen) if latest.value is not None else None,
        period=prepared.period(latest.year) if latest.value is not None else None,
    )


def _status(
    target: Target, year: int, value: float, start_year: int, start: float, band: float, previous: float | None
) -> YearStatus:
    if target.comparator == "increase":
        if previous is None:
            return YearStatus(year, value, None, "no_data", None)
        status = "met" if value > previous else ("missed" if year >= target.target_year else "off_track")
        return YearStatus(year, value, previous, status, value - previous)
    assert target.value is not None
    goal = float(target.value)
    direction = _better(target.comparator)
    margin = (value - goal) * direction
    span = target.target_year - start_year
    expected = goal if span <= 0 else start + (goal - start) * (year - start_year) / span
    # A figure summed from months lands on a boundary only up to float noise (23.599999999999998 for 23.6):
    # differences within TOLERANCE of the largest figure compared count as none, so each boundary is kept
    # exactly as the rule states it (docs/methods/targets.md).
    slack = TOLERANCE * max(abs(start), abs(goal), abs(value), abs(expected))
    if _reached(target.comparator, value, goal, slack):
        return YearStatus(year, value, goal, "met", margin)
    if year >= target.target_year:
        return YearStatus(year, value, goal, "missed", margin)
    shortfall = (expected - value) * direction
    distance = abs(goal - start)
    if shortfall <= slack:
        status = "on_track"
    elif shortfall <= band / 100.0 * distance + slack:  # exactly band % of the distance short: at risk
        status = "at_risk"
    else:
        status = "off_track"
    return YearStatus(year, value, expected, status, margin)


def _reached(comparator: str, value: float, goal: float, slack: float) -> bool:
    """Whether ``value`` meets ``goal``; a value within ``slack`` of the goal equals it."""
    if abs(value - goal) <= slack:
        return comparator in (">=", "<=", "=")
    return COMPARATORS[comparator](value, goal)


def _coded(code: str, **params: Any) -> CodedText:
    return CodedText(Message(code, **params))


class _Reasons(str):
    """Reasons joined with ``; `` (English) that keep their parts, for :func:`reason_in`."""

    parts: tuple[str, ...]

    def __new__(cls, parts: list[str]) -> _Reasons:
        made = super().__new__(cls, "; ".join(parts))
        made.parts = tuple(parts)
        return made


def _joined(parts: list[str]) -> str:
    parts = [q for p in parts if p for q in (p.parts if isinstance(p, _Reasons) else (p,))]
    return parts[0] if len(parts) == 1 else _Reasons(parts) if parts else ""


def reason_in(reason: str, lang: str) -> str | None:
    """The reason in ``lang`` when every part of it is coded; None when a part is a text without a code."""
    parts = reason.parts if isinstance(reason, _Reasons) else (reason,)
    shown = [text_in(p, lang) for p in parts]
    if not reason or any(s is None for s in shown):
        return None
    return ("；" if lang == "zh" else "; ").join(s for s in shown if s)


def _reason(target: Target, latest: YearStatus, indicator: str, sectors: list[str]) -> str:
    """The figure behind a status, coded so that a page and a warning show it in the reader's language."""
    if latest.value is None:
        return _coded("targets.no_data")
    definition = ind.INDICATORS[indicator]
    known = {s.value: zh for s, (zh, _en) in SECTOR_LABELS.items()}
    named = [Bilingual(known.get(s, s), s) for s in sectors]  # the sector's Chinese name; its code in English
    scope = Message("targets.sectors", sectors=named) if sectors else ""
    figure = _coded(
        "targets.figure",
        indicator=Bilingual(definition.name_zh, indicator),
        scope=scope,
        value=_figure(latest.value),
        unit=_unit(definition.unit),
        year=latest.year,
    )
    if target.comparator == "increase":
        previous = f"{latest.expected}" if latest.expected is not None else "—"
        return _joined([figure, _coded("targets.previous_year", previous=previous)])
    goal = {"comparator": _comparator(target.comparator), "value": f"{target.value:g}", "unit": _unit(target.unit)}
    parts = [figure, _coded("targets.goal", year=target.target_year, **goal)]
    if latest.expected is not None and latest.status in ("on_track", "at_risk", "off_track"):
        parts.append(_coded("targets.path_value", year=latest.year, value=f"{latest.expected:,.4g}"))
    return _joined(parts)


_COMPARATOR_CODES = {">=": "ge", ">": "gt", "<=": "le", "<": "lt", "=": "eq"}


def _comparator(comparator: str) -> Message | str:
    """A comparator as a reason reads it: ≥ in Chinese, >= in English."""
    code = _COMPARATOR_CODES.get(comparator)
    return Message(f"targets.comparator.{code}") if code else comparator


def _unit(unit: str) -> Message | str:
    """A unit inside a reason: its Chinese word (家, 个) where it has one, else its symbol."""
    code = f"targets.unit.{unit}"
    return Message(code) if known(code) else unit


def _figure(value: float) -> str:
    """A figure without an exponent: 169,038 rather than 1.69e+05; four significant digits below 1,000."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def evaluate_plan(
    plan_id: str,
    facts: pd.DataFrame,
    *,
    region: str | None,
    year: int,
    params: ParameterSet | None = None,
    benchmark_edition: str | None = None,
    options: ind.Options | None = None,
    prepared: ind.Prepared | None = None,
) -> list[Evaluation]:
    params = params or load()
    if plan_id not in params.plans:
        raise InputError("unknown plan", field="plan", value=plan_id, expected="one of " + ", ".join(params.plans))
    plan = params.plans[plan_id]
    options = options or ind.Options(params=params, benchmark_edition=benchmark_edition)
    prepared = prepared or ind.prepare(facts, region=region, options=options)
    evaluations = []
    for t in plan.targets:
        evaluations.append(
            evaluate(plan, t, facts, region=region, year=year, params=params, prepared=prepared, options=options)
        )
    return evaluations
