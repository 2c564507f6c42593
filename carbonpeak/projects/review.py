"""Review of a proposed 两高 project against the rules of the parameter family ``projects.review``.

:func:`review_project` is pure: a validated :class:`~carbonpeak.projects.model.Project`, the parameter set
and a period in; a :class:`ProjectReview` out. Every rule is reported, with one of four outcomes:

``pass`` / ``fail``
    the declared value compared with the required one (both with units), the parameters cited;
``not_evaluated``
    the rule applies but cannot be decided, for lack of an official value (a parameter in force without a
    value, e.g. every non-ferrous benchmark of the 2023 edition, or the capacity-replacement ratio: the
    parameter is named) or of information (a field the project left out, or the national approved capacity
    not given); nothing is guessed;
``not_applicable``
    the rule is not in force at the period, or does not cover the project's sector, kind or province.

Rules (sources and confidence in ``carbonpeak/parameters/projects/review_rules.yaml``): R1 no new capacity in
key air-pollution areas; R2 no new coal-fired captive plant; R3 electrolytic aluminium at the benchmark level
of the edition in force; R4 alumina at GB 21346-2022 level 1; R5 (Xinjiang) smelting at level 1 of the
product's energy-consumption-limit standard; R6a capacity replacement and R6b the national 45 Mt/a ceiling
(electrolytic aluminium, two rule entries); R7 energy-saving review and R8 environmental impact assessment approved.

Classification: **halt** if a rule whose failure halts (R1, R2, R6b: ``on_fail: halt`` in the data) fails;
otherwise **rectify** if any rule fails or is not evaluated; otherwise **proceed**. The result states the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from carbonpeak.accounting.benchmark import LEVEL_PARAMETER, benchmark_level
from carbonpeak.errors import InputError, ParameterNotFound, ParameterValueMissing
from carbonpeak.parameters import Cited, ParameterSet, PeriodLike, period_start
from carbonpeak.parameters.schema import Entry
from carbonpeak.projects.model import ApprovalStatus, Indicator, Project, sector_words
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import REGIONS, SECTOR_BENCHMARK_PRODUCT

__all__ = [
    "FAMILY",
    "Amount",
    "Classification",
    "LevelCheck",
    "MeasuredComparison",
    "Missing",
    "Outcome",
    "ProjectReview",
    "RuleResult",
    "review_project",
]

FAMILY = "projects.review"
_RELATIVE_TOLERANCE = 1e-9  # unit conversion (MWh/t → kWh/t) must not turn 12 950 into 12 950.000000000002


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_EVALUATED = "not_evaluated"
    NOT_APPLICABLE = "not_applicable"

    def label(self, lang: str) -> str:
        zh = {"pass": "通过", "fail": "不通过", "not_evaluated": "未评估", "not_applicable": "不适用"}
        en = {"pass": "pass", "fail": "fail", "not_evaluated": "not evaluated", "not_applicable": "not applicable"}
        return (en if lang == "en" else zh)[self.value]


class Classification(StrEnum):
    HALT = "halt"
    RECTIFY = "rectify"
    PROCEED = "proceed"

    def label(self, lang: str) -> str:
        zh = {"halt": "叫停", "rectify": "整改", "proceed": "可推进"}
        return self.value if lang == "en" else zh[self.value]


class Missing(StrEnum):
    """Why a rule was not evaluated."""

    OFFICIAL_VALUE = "official_value"  # a parameter the rule needs has no value in force
    INFORMATION = "information"  # the project (or the caller) did not give what the rule needs


@dataclass(frozen=True)
class Amount:
    """A declared or required value with its unit; ``comparator`` says how the declared one must relate."""

    value: float | str
    unit: str
    comparator: str | None = None

    def text(self) -> str:
        shown = _num(self.value) if isinstance(self.value, float | int) else str(self.value)
        unit = "" if self.unit in ("", "status") else f" {self.unit}"
        return f"{self.comparator + ' ' if self.comparator else ''}{shown}{unit}"

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "comparator": self.comparator}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    title_zh: str
    title_en: str
    outcome: Outcome
    reason_en: str
    reason_zh: str
    declared: Amount | None = None
    required: Amount | None = None
    indicator: Indicator | None = None
    parameters: tuple[Cited, ...] = ()
    missing: Missing | None = None
    missing_parameter: str | None = None
    on_fail: Classification = Classification.RECTIFY
    source: str = ""
    confidence: str | None = None

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_zh

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "outcome": self.outcome.value,
            "declared": self.declared.as_dict() if self.declared else None,
            "required": self.required.as_dict() if self.required else None,
            "indicator": self.indicator.value if self.indicator else None,
            "reason_en": self.reason_en,
            "reason_zh": self.reason_zh,
            "missing": self.missing.value if self.missing else None,
            "missing_parameter": self.missing_parameter,
            "on_fail": self.on_fail.value,
            "source": self.source,
            "confidence": self.confidence,
            "parameters": [
                {
                    "label": c.label,
                    "value": c.value,
                    "unit": c.unit,
                    "citation": c.citation(),
                    "confidence": c.confidence.value,
                    "verified": c.verified,
                }
                for c in self.parameters
            ],
        }


@dataclass(frozen=True)
class LevelCheck:
    """A level the measured value is set against: a rule's requirement, or a level of the standard."""

    label: str
    required: float
    unit: str
    meets: bool
    cited: Cited | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "required": self.required,
            "unit": self.unit,
            "meets": self.meets,
            "citation": self.cited.citation() if self.cited else None,
            "confidence": self.cited.confidence.value if self.cited else None,
        }


@dataclass(frozen=True)
class MeasuredComparison:
    """Measured (after commissioning) against designed unit consumption; difference = measured − designed."""

    indicator: Indicator
    unit: str
    year: int
    designed: float
    measured: float
    difference: float
    percent: float
    energy_tce: float | None
    emissions_tco2e: float | None
    against_rules: tuple[LevelCheck, ...] = ()
    reference_levels: tuple[LevelCheck, ...] = ()

    @property
    def best_level_met(self) -> str | None:
        """The best level of the standard the measured value meets (lower is better), for information."""
        met = [check.label for check in self.reference_levels if check.meets]
        return met[0] if met else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator.value,
            "unit": self.unit,
            "year": self.year,
            "designed": self.designed,
            "measured": self.measured,
            "difference": self.difference,
            "percent": self.percent,
            "energy_tce": self.energy_tce,
            "emissions_tco2e": self.emissions_tco2e,
            "against_rules": [c.as_dict() for c in self.against_rules],
            "reference_levels": [c.as_dict() for c in self.reference_levels],
            "best_level_met": self.best_level_met,
        }


@dataclass(frozen=True)
class ProjectReview:
    project: Project
    period: dt.date
    rules: tuple[RuleResult, ...]
    classification: Classification
    decisive: tuple[str, ...]
    classification_rule_en: str
    classification_rule_zh: str
    comparison: MeasuredComparison | None = None
    national_approved_capacity_t_per_a: float | None = None

    def rule(self, rule_id: str) -> RuleResult:
        for result in self.rules:
            if result.rule == rule_id:
                return result
        raise KeyError(rule_id)

    def classification_rule(self, lang: str) -> str:
        return self.classification_rule_en if lang == "en" else self.classification_rule_zh

    @property
    def unverified(self) -> tuple[str, ...]:
        """Labels of the parameters the outcome rests on (rules not applicable excluded) below medium-high."""
        labels: dict[str, None] = {}
        for result in self.rules:
            if result.outcome is Outcome.NOT_APPLICABLE:
                continue
            for cited in result.parameters:
                if not cited.verified:
                    labels[cited.label] = None
        return tuple(labels)

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project.model_dump(mode="json", exclude_none=True),
            "period": self.period.isoformat(),
            "national_approved_capacity_t_per_a": self.national_approved_capacity_t_per_a,
            "classification": self.classification.value,
            "decisive": list(self.decisive),
            "classification_rule_en": self.classification_rule_en,
            "classification_rule_zh": self.classification_rule_zh,
            "rules": [r.as_dict() for r in self.rules],
            "comparison": self.comparison.as_dict() if self.comparison else None,
            "unverified": list(self.unverified),
        }


# --- the rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """A rule entry of projects.review: its scope (the entry's value), the entry cited, and whether it is in force."""

    id: str
    scope: dict[str, Any]
    cited: Cited
    entry: Entry
    in_force: bool

    @property
    def titles(self) -> tuple[str, str]:
        return str(self.scope.get("title_zh", self.id)), str(self.scope.get("title_en", self.id))

    def on_fail(self) -> Classification:
        return Classification(self.scope.get("on_fail", "rectify"))


@dataclass
class _Context:
    project: Project
    params: ParameterSet
    day: dt.date
    national_t_per_a: float | None
    results: list[RuleResult] = field(default_factory=list)


def review_project(
    project: Project,
    params: ParameterSet,
    *,
    period: PeriodLike,
    national_approved_capacity_t_per_a: float | None = None,
) -> ProjectReview:
    """Review ``project`` against the rules in force at ``period`` (None: the project's planned start).

    Parameters
    ----------
    project : Project
        a validated project record (:func:`carbonpeak.projects.read_projects`).
    params : ParameterSet
        the parameter set (``carbonpeak.parameters.load()``), holding ``projects.review``,
        ``benchmarks.ndrc_level``, ``benchmarks.ndrc_indicator`` and ``benchmarks.energy_limit``.
    period : date, year, "YYYY-MM" or None
        the day whose rules and levels apply (its first day for a year or a month).
    national_approved_capacity_t_per_a : float, optional
        national approved electrolytic-aluminium capacity [t/a] from the capacity ledger, counting the
        capacity offered for replacement; without it the ceiling check (R6b) is not evaluated.

    Returns
    -------
    ProjectReview
        every rule's outcome, declared and required values [units as stated], reasons and cited parameters;
        the classification and the rule that made it; measured against designed when ``measured`` is given.
    """
    try:
        day = project.planned_start if period is None else period_start(period)
    except ValueError:
        raise InputError(code="projects.bad_period", field="period", value=period) from None
    assert day is not None
    national = national_approved_capacity_t_per_a
    if national is not None and not (national >= 0 and national < float("inf")):
        raise InputError(
            code="projects.bad_national_capacity", field="national_approved_capacity_t_per_a", value=national
        )
    ctx = _Context(project, params, day, None if national is None else float(national))
    _check_product_sector(ctx)
    _r1_key_areas(ctx, _load_rule(ctx, "R1"))
    _r2_captive_coal(ctx, _load_rule(ctx, "R2"))
    _r3_benchmark(ctx, _load_rule(ctx, "R3"))
    _limit_level(ctx, _load_rule(ctx, "R4"))
    _limit_level(ctx, _load_rule(ctx, "R5"))
    _r6a_replacement(ctx, _load_rule(ctx, "R6a"))
    _r6b_ceiling(ctx, _load_rule(ctx, "R6b"))
    _approval(ctx, _load_rule(ctx, "R7"), project.energy_review_status, "节能审查", "energy-saving review")
    _approval(ctx, _load_rule(ctx, "R8"), project.eia_status, "环评", "environmental impact assessment")
    results = tuple(ctx.results)
    classification, decisive = _classify(results)
    rule_en, rule_zh = _classification_rule(results)
    return ProjectReview(
        project=project,
        period=day,
        rules=results,
        classification=classification,
        decisive=decisive,
        classification_rule_en=rule_en,
        classification_rule_zh=rule_zh,
        comparison=_compare_measured(ctx),
        national_approved_capacity_t_per_a=ctx.national_t_per_a,
    )


def _check_product_sector(ctx: _Context) -> None:
    """A product code the rules map to a sector must be used with that sector (bad input otherwise)."""
    project = ctx.project
    sectors = {
        str(e.value["sector"])
        for e in ctx.params.entries(FAMILY)
        if e.key.get("item") == f"product:{project.product}" and isinstance(e.value, dict) and "sector" in e.value
    }
    if sectors and project.sector.value not in sectors:
        raise InputError(
            code="projects.product_of_other_sector",
            record=project.id,
            field="product",
            value=project.product,
            product=project.product,
            sectors=[sector_words(s) for s in sorted(sectors)],
            sector=sector_words(project.sector.value),
        )


def _load_rule(ctx: _Context, rule_id: str) -> _Rule:
    entries = [e for e in ctx.params.entries(FAMILY) if e.key.get("rule") == rule_id and e.key.get("item") == "rule"]
    if not entries:
        raise ParameterNotFound(f"parameter '{FAMILY}' has no entry for rule {rule_id} (item 'rule')")
    in_force = [e for e in entries if _in_force(e, ctx.day)]
    if in_force:
        cited = ctx.params.at(FAMILY, period=ctx.day, rule=rule_id, item="rule")
        return _Rule(rule_id, dict(cited.value), cited, in_force[0], True)
    # Not in force at the day: cite the entry all the same, so that the reader sees when it starts and why.
    entry = min(entries, key=lambda e: e.valid_from or dt.date.min)
    family = ctx.params.files[FAMILY]
    assert entry.confidence is not None  # rule entries carry values, so the schema demands a confidence
    cited = Cited(
        parameter=FAMILY,
        key=dict(entry.key),
        value=entry.value,
        unit=entry.unit,
        confidence=entry.confidence,
        source=family.sources[entry.source],
        edition=entry.edition,
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        note=entry.note,
        title=family.title,
    )
    return _Rule(rule_id, dict(cited.value), cited, entry, False)


def _in_force(entry: Entry, day: dt.date) -> bool:
    return (entry.valid_from is None or entry.valid_from <= day) and (entry.valid_to is None or day <= entry.valid_to)


def _add(
    ctx: _Context,
    rule: _Rule,
    outcome: Outcome,
    en: str,
    zh: str,
    *,
    cited: tuple[Cited, ...] = (),
    **extra: Any,
) -> None:
    title_zh, title_en = rule.titles
    ctx.results.append(
        RuleResult(
            rule=rule.id,
            title_zh=title_zh,
            title_en=title_en,
            outcome=outcome,
            reason_en=en,
            reason_zh=zh,
            parameters=(rule.cited, *cited),
            on_fail=rule.on_fail(),
            source=rule.cited.citation(),
            confidence=rule.cited.confidence.value,
            **extra,
        )
    )


def _not_applicable(ctx: _Context, rule: _Rule) -> tuple[str, str] | None:
    """Why ``rule`` does not apply to the project at the day (en, zh), or None when it applies."""
    project = ctx.project
    if not rule.in_force:
        start = rule.entry.valid_from.isoformat() if rule.entry.valid_from else "—"
        basis = f" ({rule.entry.date_basis})" if rule.entry.date_basis else ""
        return (
            f"not in force on {ctx.day.isoformat()}: in force from {start}{basis}",
            f"{ctx.day.isoformat()} 尚未施行：自 {start} 起施行",
        )
    scope = rule.scope
    if project.product in scope.get("excluded_products", []):
        return (
            f"product '{project.product}' is excluded by the rule",
            f"产品 {project.product} 不在该规则范围内（除外）",
        )
    sectors, products = scope.get("sectors"), scope.get("products")
    if (sectors is not None or products is not None) and not (
        project.sector.value in (sectors or []) or project.product in (products or [])
    ):
        return (
            f"sector {project.sector.value} (product {project.product}) is not covered",
            f"行业 {project.sector.label_zh}（产品 {project.product}）不在该规则范围内",
        )
    kinds = scope.get("kinds")
    if kinds is not None and project.kind.value not in kinds:
        return (
            f"a {project.kind.value} project is not covered (covers {', '.join(kinds)})",
            f"{project.kind.label_zh}项目不在该规则范围内",
        )
    provinces = scope.get("provinces")
    if provinces is not None and project.site.province not in provinces:
        names_en = ", ".join(REGIONS[p].en if p in REGIONS else p for p in provinces)
        names_zh = "、".join(REGIONS[p].zh if p in REGIONS else p for p in provinces)
        here = REGIONS[project.site.province]
        return (
            f"a rule of {names_en} only; the site is in {here.en} (no national source in shared/reference)",
            f"仅适用于{names_zh}；项目位于{here.zh}（参考资料中无全国性依据）",
        )
    return None


def _r1_key_areas(ctx: _Context, rule: _Rule) -> None:
    project = ctx.project
    why = _not_applicable(ctx, rule)
    if why is None and project.net_new_capacity_t_per_a == 0:
        why = ("the project adds no capacity", "项目不新增产能")
    if why:
        _add(ctx, rule, Outcome.NOT_APPLICABLE, *why)
        return
    net = project.net_new_capacity_t_per_a
    required = Amount(0.0, "t/a", "=")
    if project.in_key_air_pollution_area:
        _add(
            ctx,
            rule,
            Outcome.FAIL,
            f"adds {_num(net)} t/a of new capacity in a key area of air-pollution prevention and control",
            f"在大气污染防治重点区域新增产能 {_num(net)} 吨/年",
            declared=Amount(net, "t/a"),
            required=required,
        )
    else:
        _add(
            ctx,
            rule,
            Outcome.PASS,
            f"the site is outside the key areas (as declared); new capacity there: 0 t/a "
            f"(adds {_num(net)} t/a elsewhere)",
            "项目不在大气污染防治重点区域（申报）；重点区域新增产能 0 吨/年",
            declared=Amount(0.0, "t/a"),
            required=required,
        )


def _r2_captive_coal(ctx: _Context, rule: _Rule) -> None:
    project = ctx.project
    why = _not_applicable(ctx, rule)
    if why:
        _add(ctx, rule, Outcome.NOT_APPLICABLE, *why)
        return
    required = Amount(0.0, "plants", "=")
    if not project.new_captive_coal_plant:
        uses = " (it uses existing captive coal power)" if "captive_coal" in project.energy_sources else ""
        _add(
            ctx,
            rule,
            Outcome.PASS,
            f"no new or expanded coal-fired captive power plant{uses}",
            "不新建（扩建）燃煤自备电厂",
            declared=Amount(0.0, "plants"),
            required=required,
        )
    elif project.captive_coal_permission:
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            f"a new coal-fired captive plant, citing '{project.captive_coal_permission}' as national permission; "
            "the areas permitted by national policy are not in shared/reference: check the permission by hand",
            f"新建燃煤自备电厂，引用“{project.captive_coal_permission}”为国家政策允许；参考资料中无允许区域清单，须人工核查",
            declared=Amount(1.0, "plants"),
            required=required,
            missing=Missing.INFORMATION,
        )
    else:
        _add(
            ctx,
            rule,
            Outcome.FAIL,
            "builds a new coal-fired captive power plant and cites no national permission for its area",
            "新建燃煤自备电厂，未提供国家政策允许的依据",
            declared=Amount(1.0, "plants"),
            required=required,
        )


def _r3_benchmark(ctx: _Context, rule: _Rule) -> None:
    project = ctx.project
    why = _not_applicable(ctx, rule)
    if why:
        _add(ctx, rule, Outcome.NOT_APPLICABLE, *why)
        return
    product = SECTOR_BENCHMARK_PRODUCT.get(project.sector, project.product)
    level_family = str(rule.scope.get("level_parameter", LEVEL_PARAMETER))
    level_name = str(rule.scope.get("level", "benchmark"))
    cited_indicator = ctx.params.at("benchmarks.ndrc_indicator", product=product)
    indicator = Indicator(str(cited_indicator.value))
    key = {"product": product, "level": level_name}
    try:
        # The same lookup as the classification of operating facilities (carbonpeak.accounting.benchmark).
        level = benchmark_level(ctx.params, product, level_name, ctx.day, parameter=level_family)
    except ParameterValueMissing:
        entry = _entry_in_force(ctx.params, level_family, ctx.day, key)
        edition = entry.edition if entry else None
        label = _label(level_family, key, edition)
        status = entry.status if entry and entry.status else "no value"
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            f"the {edition} edition, in force on {ctx.day.isoformat()}, has no official benchmark value in carbonpeak "
            f"({label}: {status}); not guessed — an administrator can enter it with its citation",
            f"{ctx.day.isoformat()} 施行的 {edition} 年版标杆水平在 carbonpeak 中无官方数值"
            f"（{label}：{status}），不作推测；管理员可录入官方数值及出处",
            cited=(cited_indicator,),
            declared=_declared(project, indicator),
            indicator=indicator,
            missing=Missing.OFFICIAL_VALUE,
            missing_parameter=label,
        )
        return
    except ParameterNotFound:
        label = _label(level_family, key, None)
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            f"no benchmark edition is in force on {ctx.day.isoformat()} ({label})",
            f"{ctx.day.isoformat()} 无施行中的标杆水平版本（{label}）",
            cited=(cited_indicator,),
            indicator=indicator,
            missing=Missing.OFFICIAL_VALUE,
            missing_parameter=label,
        )
        return
    _compare_level(
        ctx,
        rule,
        indicator,
        level,
        (cited_indicator, level),
        f"the {level.edition} edition benchmark (标杆水平)",
        f"{level.edition} 年版标杆水平",
    )


def _limit_level(ctx: _Context, rule: _Rule) -> None:
    """R4 and R5: the designed value against a level of the product's energy-consumption-limit standard."""
    project = ctx.project
    why = _not_applicable(ctx, rule)
    if why:
        _add(ctx, rule, Outcome.NOT_APPLICABLE, *why)
        return
    item = f"product:{project.product}"
    try:
        mapping = ctx.params.at(FAMILY, period=ctx.day, rule=rule.id, item=item)
    except ParameterNotFound:
        known = sorted(
            str(e.key["item"]).removeprefix("product:")
            for e in ctx.params.entries(FAMILY)
            if e.key.get("rule") == rule.id and str(e.key.get("item")).startswith("product:")
        )
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            f"no {rule.id} product item for product '{project.product}' ({FAMILY}[rule={rule.id}, item={item}]); "
            f"products mapped: {', '.join(known)}",
            f"产品 {project.product} 未对应到能耗限额标准的产品（{FAMILY}[rule={rule.id}, item={item}]）",
            missing=Missing.INFORMATION,
            missing_parameter=f"{FAMILY}[rule={rule.id}, item={item}]",
        )
        return
    target = dict(mapping.value)
    indicator = Indicator(str(target["indicator_code"]))
    level_family = str(rule.scope.get("level_parameter", "benchmarks.energy_limit"))
    key = {
        "standard": target["standard"],
        "product": target["product"],
        "indicator": target["indicator"],
        "level": rule.scope.get("level", 1),
    }
    try:
        level = ctx.params.at(level_family, period=ctx.day, **key)
    except ParameterNotFound as exc:  # also ParameterValueMissing
        label = _label(level_family, key, None)
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            f"no official value in force on {ctx.day.isoformat()} for {label}: {exc}",
            f"{ctx.day.isoformat()} 无施行中的官方数值：{label}",
            cited=(mapping,),
            indicator=indicator,
            declared=_declared(project, indicator),
            missing=Missing.OFFICIAL_VALUE,
            missing_parameter=label,
        )
        return
    what_en = f"level {key['level']} of {target['standard']} ({target['product']}, {target['indicator']})"
    what_zh = f"{target['standard']} {key['level']}级（{target['product']}，{target['indicator']}）"
    _compare_level(ctx, rule, indicator, level, (mapping, level), what_en, what_zh)


def _compare_level(
    ctx: _Context,
    rule: _Rule,
    indicator: Indicator,
    level: Cited,
    cited: tuple[Cited, ...],
    what_en: str,
    what_zh: str,
) -> None:
    designed = ctx.project.designed(indicator)
    required = float(level.value) * conversion_factor(level.unit, indicator.unit)
    required_amount = Amount(required, indicator.unit, "≤")
    if designed is None:
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            f"designed_unit_consumption.{indicator.value} ({indicator.label_en}) is not given; required {what_en}: "
            f"≤ {_num(required)} {indicator.unit}",
            f"未申报设计{indicator.label_zh}（designed_unit_consumption.{indicator.value}）；要求{what_zh}："
            f"≤ {_num(required)} {indicator.unit}",
            cited=cited,
            required=required_amount,
            indicator=indicator,
            missing=Missing.INFORMATION,
        )
        return
    ok = _le(designed, required)
    gap = designed - required
    verb_en = "meets" if ok else f"misses by {_num(gap)} {indicator.unit}"
    verb_zh = "达到" if ok else f"未达到（高出 {_num(gap)} {indicator.unit}）"
    _add(
        ctx,
        rule,
        Outcome.PASS if ok else Outcome.FAIL,
        f"designed {indicator.label_en} {_num(designed)} {indicator.unit} {verb_en} {what_en}, "
        f"{_num(required)} {indicator.unit}",
        f"设计{indicator.label_zh} {_num(designed)} {indicator.unit}，"
        f"{verb_zh}{what_zh} {_num(required)} {indicator.unit}",
        cited=cited,
        declared=Amount(designed, indicator.unit),
        required=required_amount,
        indicator=indicator,
    )


def _r6a_replacement(ctx: _Context, rule: _Rule) -> None:
    project = ctx.project
    why = _not_applicable(ctx, rule)
    if why is None and project.net_new_capacity_t_per_a == 0:
        why = ("the project adds no capacity", "项目不新增产能")
    if why:
        _add(ctx, rule, Outcome.NOT_APPLICABLE, *why)
        return
    net = project.net_new_capacity_t_per_a
    offered = project.replacement_capacity_t_per_a
    key = {"rule": "R6a", "item": "replacement_ratio"}
    label = _label(FAMILY, key, None)
    try:
        ratio = ctx.params.at(FAMILY, period=ctx.day, **key)
    except ParameterNotFound:  # also ParameterValueMissing
        if offered == 0:
            _add(
                ctx,
                rule,
                Outcome.FAIL,
                f"adds {_num(net)} t/a and offers no replacement capacity; replacement is required whatever the "
                f"ratio ({label} has no official value)",
                f"新增产能 {_num(net)} 吨/年，未提供置换产能；无论置换比例为何均须置换（{label} 无官方数值）",
                declared=Amount(0.0, "t/a"),
                required=Amount(f"> 0 ({_num(net)} × ratio)", "t/a"),
                missing_parameter=label,
            )
            return
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            f"offers {_num(offered)} t/a for {_num(net)} t/a of net new capacity; the replacement ratio ({label}) "
            "is not in shared/reference, so the check is not made",
            f"提供置换产能 {_num(offered)} 吨/年，新增 {_num(net)} 吨/年；置换比例（{label}）不在参考资料中，未作核对",
            declared=Amount(offered, "t/a"),
            required=Amount(f"{_num(net)} × ratio", "t/a", "≥"),
            missing=Missing.OFFICIAL_VALUE,
            missing_parameter=label,
        )
        return
    factor = float(ratio.value) * conversion_factor(ratio.unit, "t/t")
    required = net * factor
    ok = offered >= required * (1 - _RELATIVE_TOLERANCE)
    _add(
        ctx,
        rule,
        Outcome.PASS if ok else Outcome.FAIL,
        f"offers {_num(offered)} t/a; required {_num(net)} t/a × {factor:g} = {_num(required)} t/a",
        f"提供置换产能 {_num(offered)} 吨/年；要求 {_num(net)} × {factor:g} = {_num(required)} 吨/年",
        cited=(ratio,),
        declared=Amount(offered, "t/a"),
        required=Amount(required, "t/a", "≥"),
    )


def _r6b_ceiling(ctx: _Context, rule: _Rule) -> None:
    project = ctx.project
    why = _not_applicable(ctx, rule)
    if why is None and project.net_new_capacity_t_per_a == 0:
        why = ("the project adds no capacity", "项目不新增产能")
    if why:
        _add(ctx, rule, Outcome.NOT_APPLICABLE, *why)
        return
    family = str(rule.scope.get("ceiling_parameter", FAMILY))
    key = dict(rule.scope.get("ceiling_key", {"rule": "R6b", "item": "national_ceiling"}))
    try:
        ceiling = ctx.params.at(family, period=ctx.day, **key)
    except ParameterNotFound as exc:
        label = _label(family, key, None)
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            f"no national ceiling in force on {ctx.day.isoformat()}: {exc}",
            f"{ctx.day.isoformat()} 无施行中的全国产能上限（{label}）",
            missing=Missing.OFFICIAL_VALUE,
            missing_parameter=label,
        )
        return
    ceiling_t = float(ceiling.value) * conversion_factor(ceiling.unit, "t/a")
    required = Amount(ceiling_t, "t/a", "≤")
    net, offered = project.net_new_capacity_t_per_a, project.replacement_capacity_t_per_a
    if ctx.national_t_per_a is None:
        _add(
            ctx,
            rule,
            Outcome.NOT_EVALUATED,
            "national approved capacity not given (national_approved_capacity_t_per_a, CLI --national-capacity, from "
            f"the capacity ledger); ceiling {_num(ceiling_t)} t/a",
            f"未提供全国已批复产能（--national-capacity，来自产能台账）；上限 {_num(ceiling_t)} 吨/年",
            cited=(ceiling,),
            required=required,
            missing=Missing.INFORMATION,
        )
        return
    after = ctx.national_t_per_a + net - offered
    ok = _le(after, ceiling_t)
    arithmetic = f"{_num(ctx.national_t_per_a)} + {_num(net)} − {_num(offered)} = {_num(after)} t/a"
    _add(
        ctx,
        rule,
        Outcome.PASS if ok else Outcome.FAIL,
        f"national approved + net new − replacement retired: {arithmetic} "
        f"{'within' if ok else 'above'} the ceiling of {_num(ceiling_t)} t/a",
        f"全国已批复 + 新增 − 置换退出：{arithmetic}，{'未超过' if ok else '超过'}上限 {_num(ceiling_t)} 吨/年",
        cited=(ceiling,),
        declared=Amount(after, "t/a"),
        required=required,
    )


def _approval(ctx: _Context, rule: _Rule, status: ApprovalStatus, name_zh: str, name_en: str) -> None:
    why = _not_applicable(ctx, rule)
    if why:
        _add(ctx, rule, Outcome.NOT_APPLICABLE, *why)
        return
    start = ctx.project.planned_start.isoformat()
    required = Amount("approved", "status", "=")
    if status is ApprovalStatus.APPROVED:
        _add(
            ctx,
            rule,
            Outcome.PASS,
            f"{name_en} approved; construction may start as planned on {start}",
            f"{name_zh}已批复；可按计划于 {start} 开工",
            declared=Amount(status.value, "status"),
            required=required,
        )
        return
    _add(
        ctx,
        rule,
        Outcome.FAIL,
        f"{name_en} status '{status.value}': construction may not start (planned {start}) before approval",
        f"{name_zh}状态：{status.label_zh}；批复前不得开工（计划 {start}）",
        declared=Amount(status.value, "status"),
        required=required,
    )


# --- classification and measured comparison ------------------------------------------------------------


def _classify(results: tuple[RuleResult, ...]) -> tuple[Classification, tuple[str, ...]]:
    halting = tuple(r.rule for r in results if r.outcome is Outcome.FAIL and r.on_fail is Classification.HALT)
    if halting:
        return Classification.HALT, halting
    open_items = tuple(r.rule for r in results if r.outcome in (Outcome.FAIL, Outcome.NOT_EVALUATED))
    if open_items:
        return Classification.RECTIFY, open_items
    return Classification.PROCEED, ()


def _classification_rule(results: tuple[RuleResult, ...]) -> tuple[str, str]:
    halting = [r.rule for r in results if r.on_fail is Classification.HALT]
    listed_en = ", ".join(halting[:-1]) + f" or {halting[-1]}" if len(halting) > 1 else "".join(halting)
    listed_zh = "、".join(halting)
    en = (
        f"halt if {listed_en or 'a halting rule'} fails; rectify if any other rule fails, or any rule is not "
        "evaluated for lack of an official value or of information; proceed when every applicable rule passes "
        "(rules not applicable do not count)"
    )
    zh = (
        f"{listed_zh or '叫停类规则'}任一不通过：叫停；其他规则不通过，或任一规则因缺少官方数值或信息未评估：整改；"
        "所有适用规则均通过：可推进（不适用的规则不计）"
    )
    return en, zh


def _compare_measured(ctx: _Context) -> MeasuredComparison | None:
    project = ctx.project
    measured = project.measured
    indicator = project.measured_indicator
    value = project.measured_value()
    if measured is None or indicator is None or value is None:
        return None
    designed = project.designed(indicator)
    assert designed is not None  # the model requires a designed value for the measured indicator
    difference = value - designed
    against = tuple(
        LevelCheck(
            label=r.rule,
            required=float(r.required.value),
            unit=r.required.unit,
            meets=_le(value, float(r.required.value)),
        )
        for r in ctx.results
        if r.indicator is indicator
        and r.outcome in (Outcome.PASS, Outcome.FAIL)
        and r.required is not None
        and isinstance(r.required.value, float)
    )
    return MeasuredComparison(
        indicator=indicator,
        unit=indicator.unit,
        year=measured.year,
        designed=designed,
        measured=value,
        difference=difference,
        percent=difference / designed * 100.0,
        energy_tce=measured.energy_tce,
        emissions_tco2e=measured.emissions_tco2e,
        against_rules=against,
        reference_levels=_reference_levels(ctx, indicator, value, measured.year),
    )


def _reference_levels(ctx: _Context, indicator: Indicator, value: float, year: int) -> tuple[LevelCheck, ...]:
    """Levels 1-3 of the product's energy-consumption-limit standard in force in ``year`` (for information)."""
    try:
        mapping = ctx.params.at(FAMILY, rule="R5", item=f"product:{ctx.project.product}")
    except ParameterNotFound:
        return ()
    target = dict(mapping.value)
    if target.get("indicator_code") != indicator.value:
        return ()
    checks = []
    for level in (1, 2, 3):
        try:
            cited = ctx.params.at(
                "benchmarks.energy_limit",
                period=year,
                standard=target["standard"],
                product=target["product"],
                indicator=target["indicator"],
                level=level,
            )
        except ParameterNotFound:
            continue
        required = float(cited.value) * conversion_factor(cited.unit, indicator.unit)
        checks.append(LevelCheck(f"level {level}", required, indicator.unit, _le(value, required), cited))
    return tuple(checks)


# --- helpers ---------------------------------------------------------------------------------------------


def _declared(project: Project, indicator: Indicator) -> Amount | None:
    designed = project.designed(indicator)
    return None if designed is None else Amount(designed, indicator.unit)


def _entry_in_force(params: ParameterSet, family: str, day: dt.date, key: dict[str, Any]) -> Entry | None:
    for entry in params.entries(family):
        if {k: str(v) for k, v in entry.key.items()} == {k: str(v) for k, v in key.items()} and _in_force(entry, day):
            return entry
    return None


def _label(family: str, key: dict[str, Any], edition: str | None) -> str:
    keys = ", ".join(f"{k}={v}" for k, v in key.items())
    return f"{family}[{keys}]" + (f" ({edition})" if edition else "")


def _le(value: float, limit: float) -> bool:
    return value <= limit + _RELATIVE_TOLERANCE * max(1.0, abs(limit))


def _num(value: float | int | str) -> str:
    if isinstance(value, str):
        return value
    if abs(value) >= 1000:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{value:g}"
