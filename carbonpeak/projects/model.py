"""A proposed high-energy, high-emission project (两高项目) as submitted for review: the record, strictly validated.

A project file is YAML or JSON: one project, a list of them, or ``{projects: [...]}``. Unknown fields,
numbers given as text, and impossible numbers are refused with a coded :class:`~carbonpeak.errors.InputError`
(``projects.*`` in ``carbonpeak/messages/projects.yaml``) naming the file, the project and the field; its
text in zh-CN or en comes from the message catalog.

The bounds below are **plausibility checks, not official values**: they catch a number typed in the wrong
unit or with a digit too many, and are set well outside the levels of the standards in
``shared/reference/china-benchmarks.csv`` (quoted next to each bound). Whether a project *meets* a level is
for :mod:`carbonpeak.projects.review` to say, from cited parameters.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from carbonpeak.errors import InputError, UnitError, ValidationFailed
from carbonpeak.messages import Bilingual, Message
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import PROVINCES, REGIONS, Sector

__all__ = [
    "APPROVED_ENERGY_MAX_FACTOR",
    "CAPACITY_MAX_T_PER_A",
    "INDICATOR_UNIT",
    "PLAUSIBLE_UNIT_CONSUMPTION",
    "ApprovalStatus",
    "Bound",
    "EnergySource",
    "Indicator",
    "Measured",
    "Project",
    "ProjectKind",
    "ReplacementSource",
    "Site",
    "UnitConsumption",
    "collect_projects",
    "collect_projects_from",
    "parse_project",
    "province_words",
    "read_projects",
    "sector_words",
]


class ProjectKind(StrEnum):
    """新建 (new), 扩建 (expansion: adds capacity at an existing site), 技术改造 (retrofit: adds none)."""

    NEW = "new"
    EXPANSION = "expansion"
    RETROFIT = "retrofit"

    @property
    def label_zh(self) -> str:
        return {"new": "新建", "expansion": "扩建", "retrofit": "技术改造"}[self.value]


class EnergySource(StrEnum):
    GRID = "grid"
    CAPTIVE_COAL = "captive_coal"
    CAPTIVE_GAS = "captive_gas"
    RENEWABLE_CONTRACT = "renewable_contract"
    ONSITE_RENEWABLE = "onsite_renewable"


class ApprovalStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    NONE = "none"

    @property
    def label_zh(self) -> str:
        return {"approved": "已批复", "pending": "审查中", "none": "未申报"}[self.value]


class Indicator(StrEnum):
    """Unit-consumption indicators a rule can ask for (codes as in benchmarks.ndrc_indicator)."""

    AC_POWER_LIQUID_ALUMINIUM = "ac_power_liquid_aluminium"  # 铝液交流电耗
    COMPREHENSIVE_ENERGY = "comprehensive_energy"  # 单位产品综合能耗

    @property
    def unit(self) -> str:
        return INDICATOR_UNIT[self]

    @property
    def label_zh(self) -> str:
        return {"ac_power_liquid_aluminium": "铝液交流电耗", "comprehensive_energy": "单位产品综合能耗"}[self.value]

    @property
    def label_en(self) -> str:
        return {
            "ac_power_liquid_aluminium": "AC power per t of liquid aluminium",
            "comprehensive_energy": "comprehensive energy per t of product",
        }[self.value]


#: Canonical unit of each indicator; a project may give another unit of the same dimension (MWh/t, tce/t).
INDICATOR_UNIT: dict[Indicator, str] = {
    Indicator.AC_POWER_LIQUID_ALUMINIUM: "kWh/t",
    Indicator.COMPREHENSIVE_ENERGY: "kgce/t",
}


@dataclass(frozen=True)
class Bound:
    """A plausibility range (inclusive) in the indicator's canonical unit, and why it is set there."""

    low: float
    high: float
    why: str


# Plausibility bounds, NOT official values. Each is set far outside the official levels quoted in `why`.
PLAUSIBLE_UNIT_CONSUMPTION: dict[tuple[Sector, Indicator], Bound] = {
    (Sector.ELECTROLYTIC_ALUMINIUM, Indicator.AC_POWER_LIQUID_ALUMINIUM): Bound(
        11_000,
        16_000,
        "plausibility check: GB 21346-2022 levels 12 950/13 000/13 350 kWh/t; Chinese averages 12 875-13 844 "
        "(real-data.md §2); below 11 000 or above 16 000 is a wrong unit or a typing error",
    ),
    (Sector.ELECTROLYTIC_ALUMINIUM, Indicator.COMPREHENSIVE_ENERGY): Bound(
        1_000, 2_500, "plausibility check: GB 21346-2022 ingot comprehensive levels 1 670-1 720 kgce/t"
    ),
    (Sector.ALUMINA, Indicator.COMPREHENSIVE_ENERGY): Bound(
        150, 1_200, "plausibility check: GB 21346-2022 alumina levels 340-700 kgce/t; China 2012 average 583.2"
    ),
    (Sector.MAGNESIUM, Indicator.COMPREHENSIVE_ENERGY): Bound(
        2_000, 15_000, "plausibility check: GB 21347-2023 primary magnesium levels 3 500-5 000 kgce/t"
    ),
    (Sector.INDUSTRIAL_SILICON, Indicator.COMPREHENSIVE_ENERGY): Bound(
        1_500, 8_000, "plausibility check: GB 21347-2023 industrial silicon levels 2 500-3 600 kgce/t"
    ),
    (Sector.COPPER, Indicator.COMPREHENSIVE_ENERGY): Bound(
        30, 2_000, "plausibility check: GB 25323-2023 copper rows 70-290 kgce/t (level 1); NDRC 2021 baseline 380"
    ),
    (Sector.LEAD, Indicator.COMPREHENSIVE_ENERGY): Bound(
        30, 2_000, "plausibility check: GB 25323-2023 lead rows 80-300 kgce/t (level 1); NDRC 2021 baseline 300"
    ),
    (Sector.ZINC, Indicator.COMPREHENSIVE_ENERGY): Bound(
        100, 3_000, "plausibility check: GB 25323-2023 zinc rows 290-1 540 kgce/t (level 1); NDRC 2021 baseline 1 280"
    ),
    (Sector.TITANIUM, Indicator.COMPREHENSIVE_ENERGY): Bound(
        200, 15_000, "plausibility check: GB 29448-2022 titanium rows 420-5 080 kgce/t"
    ),
}
#: Any other sector: comprehensive energy must be positive and at most this (plausibility check).
GENERIC_COMPREHENSIVE_MAX_KGCE_PER_T = 20_000.0
#: One project larger than this is a typing error (plausibility check: 20 Mt/a is 44 % of the 45 Mt/a
#: national electrolytic-aluminium ceiling, and more than any single plant in the references).
CAPACITY_MAX_T_PER_A = 20_000_000.0
#: replacement_sources must sum to replacement_capacity_t_per_a within this (rounding only).
REPLACEMENT_SUM_TOLERANCE_T_PER_A = 0.5
#: Approved annual energy above this multiple of designed comprehensive energy × capacity is a unit error, e.g.
#: kgce for tce (plausibility check: a plant cannot use much more than its design at full output).
APPROVED_ENERGY_MAX_FACTOR = 3.0
#: Measured energy_tce implies an output (energy / comprehensive unit consumption); more than this multiple of
#: the capacity is a unit error, e.g. kgce for tce (plausibility check).
MEASURED_OUTPUT_MAX_FACTOR = 1.5


class FieldProblem(ValueError):
    """A check that failed, with its message code and parameters, naming the field it concerns (None: the field
    pydantic was validating); turned into a coded InputError."""

    def __init__(
        self,
        code: str,
        *,
        field: str | None = None,
        value: Any = None,
        expected: Message | None = None,
        **params: Any,
    ) -> None:
        super().__init__(Message(code, **params).text("en"))
        self.code, self.params, self.field, self.value, self.expected = code, params, field, value, expected


def sector_words(sector: str) -> Bilingual:
    """A sector as a message parameter: its Chinese name in zh, its code in en."""
    try:
        return Bilingual(Sector(sector).label_zh, sector)
    except ValueError:
        return Bilingual(sector, sector)


def province_words(province: str) -> Bilingual:
    """A province as a message parameter: its Chinese name in zh, its code in en."""
    region = REGIONS.get(province)
    return Bilingual(region.zh if region else province, province)


def _indicators(indicators: Any) -> list[Bilingual]:
    return [Bilingual(i.label_zh, i.value) for i in indicators]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
Capacity = Annotated[float, Field(strict=True, gt=0, le=CAPACITY_MAX_T_PER_A, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def _province(value: str) -> str:
    if value not in PROVINCES:
        raise FieldProblem("projects.unknown_province")
    return value


class Site(_Strict):
    province: str
    city: Text
    county: Text | None = None

    _check_province = field_validator("province")(_province)


class UnitConsumption(_Strict):
    """A unit consumption as declared: value and unit (converted to the indicator's canonical unit on use)."""

    value: Number
    unit: Text

    def canonical(self, indicator: Indicator) -> float:
        return self.value * conversion_factor(self.unit, indicator.unit)


class ReplacementSource(_Strict):
    """Capacity retired elsewhere and offered for replacement (产能置换指标)."""

    facility: Text
    province: str
    capacity_t_per_a: Capacity

    _check_province = field_validator("province")(_province)


class Measured(_Strict):
    """What the plant achieved after commissioning, for one year."""

    year: Annotated[int, Field(strict=True, ge=1990, le=2100)]
    indicator: Indicator | None = None
    unit_consumption: UnitConsumption
    energy_tce: NonNegative | None = None
    emissions_tco2e: NonNegative | None = None


class Project(_Strict):
    """A project record. Capacities in t/a; unit consumptions in any unit of the indicator's dimension."""

    id: Text
    name_zh: Text
    name_en: Text
    enterprise: Text
    kind: ProjectKind
    sector: Sector
    product: Code
    capacity_t_per_a: Capacity
    net_new_capacity_t_per_a: NonNegative
    site: Site
    in_key_air_pollution_area: StrictBool
    designed_unit_consumption: dict[Indicator, UnitConsumption]
    energy_sources: Annotated[list[EnergySource], Field(min_length=1)]
    new_captive_coal_plant: StrictBool
    captive_coal_permission: Text | None = None
    replacement_capacity_t_per_a: NonNegative = 0.0
    replacement_sources: list[ReplacementSource] = Field(default_factory=list)
    energy_review_status: ApprovalStatus
    eia_status: ApprovalStatus
    planned_start: dt.date
    #: Annual comprehensive energy consumption approved by the energy-saving review (年综合能源消费量) [tce/a].
    approved_energy_tce_per_a: NonNegative | None = None
    #: Annual emissions stated in the approved assessment (EIA carbon assessment) [tCO2e/a].
    approved_emissions_tco2e_per_a: NonNegative | None = None
    measured: Measured | None = None

    @field_validator("planned_start", mode="before")
    @classmethod
    def _date_only(cls, value: Any) -> Any:
        # Lax pydantic would read a bare number as seconds since 1970; a start date is a date or ISO text.
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
            raise FieldProblem("projects.not_a_date")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Project:
        self._check_capacity()
        self._check_designed()
        self._check_approved_energy()
        self._check_energy_sources()
        self._check_replacement()
        self._check_measured()
        return self

    def _check_capacity(self) -> None:
        net, cap = self.net_new_capacity_t_per_a, self.capacity_t_per_a
        if self.kind is ProjectKind.RETROFIT and net != 0:
            raise FieldProblem(
                "projects.retrofit_adds_capacity",
                field="net_new_capacity_t_per_a",
                value=net,
                expected=Message("projects.expected.zero_for_retrofit"),
            )
        if self.kind is ProjectKind.NEW and abs(net - cap) > REPLACEMENT_SUM_TOLERANCE_T_PER_A:
            raise FieldProblem(
                "projects.new_net_is_capacity",
                field="net_new_capacity_t_per_a",
                value=net,
                expected=Message("projects.expected.the_capacity", capacity=f"{cap:g}"),
            )
        if self.kind is ProjectKind.EXPANSION and not 0 < net <= cap:
            raise FieldProblem(
                "projects.expansion_net",
                field="net_new_capacity_t_per_a",
                value=net,
                expected=Message("projects.expected.up_to_capacity", capacity=f"{cap:g}"),
            )

    def _check_designed(self) -> None:
        if not self.designed_unit_consumption:
            raise FieldProblem(
                "projects.no_designed",
                field="designed_unit_consumption",
                expected=Message("projects.expected.designed"),
            )
        for indicator, quantity in self.designed_unit_consumption.items():
            _check_unit_consumption(self.sector, indicator, quantity, f"designed_unit_consumption.{indicator.value}")

    def _check_approved_energy(self) -> None:
        """Approved annual energy against designed comprehensive energy at full capacity (plausibility)."""
        approved = self.approved_energy_tce_per_a
        designed = self.designed(Indicator.COMPREHENSIVE_ENERGY)
        if approved is None or designed is None:
            return
        at_capacity_tce = designed * self.capacity_t_per_a / 1000.0
        if approved > APPROVED_ENERGY_MAX_FACTOR * at_capacity_tce:
            raise FieldProblem(
                "projects.approved_energy_implausible",
                field="approved_energy_tce_per_a",
                value=approved,
                expected=Message(
                    "projects.expected.at_most",
                    value=f"{APPROVED_ENERGY_MAX_FACTOR * at_capacity_tce:,.0f}",
                    unit="tce/a",
                ),
                factor=f"{APPROVED_ENERGY_MAX_FACTOR:g}",
                designed=f"{designed:g}",
                capacity=f"{self.capacity_t_per_a:,.0f}",
                at_capacity=f"{at_capacity_tce:,.0f}",
            )

    def _check_energy_sources(self) -> None:
        if len(set(self.energy_sources)) != len(self.energy_sources):
            raise FieldProblem(
                "projects.source_twice", field="energy_sources", value=[s.value for s in self.energy_sources]
            )
        if self.new_captive_coal_plant and EnergySource.CAPTIVE_COAL not in self.energy_sources:
            raise FieldProblem(
                "projects.captive_coal_not_listed",
                field="energy_sources",
                value=[s.value for s in self.energy_sources],
                expected=Message("projects.expected.captive_coal_listed"),
            )
        if self.captive_coal_permission and not self.new_captive_coal_plant:
            raise FieldProblem(
                "projects.permission_without_plant",
                field="captive_coal_permission",
                expected=Message("projects.expected.only_with_plant"),
            )

    def _check_replacement(self) -> None:
        total = sum(s.capacity_t_per_a for s in self.replacement_sources)
        if abs(total - self.replacement_capacity_t_per_a) > REPLACEMENT_SUM_TOLERANCE_T_PER_A:
            raise FieldProblem(
                "projects.replacement_sum",
                field="replacement_sources",
                value=total,
                expected=Message("projects.expected.sources_summing", total=f"{self.replacement_capacity_t_per_a:g}"),
                total=f"{total:g}",
            )

    def _check_measured(self) -> None:
        measured = self.measured
        if measured is None:
            return
        if measured.year < self.planned_start.year:
            raise FieldProblem(
                "projects.measured_before_start",
                field="measured.year",
                value=measured.year,
                expected=Message(
                    "projects.expected.year_or_later",
                    year=self.planned_start.year,
                    start=self.planned_start.isoformat(),
                ),
            )
        indicator = self.measured_indicator
        if indicator is None:
            raise FieldProblem(
                "projects.which_measured",
                field="measured.indicator",
                expected=Message("projects.expected.one_of", allowed=_indicators(self.designed_unit_consumption)),
            )
        if indicator not in self.designed_unit_consumption:
            raise FieldProblem(
                "projects.measured_not_designed",
                field="measured.indicator",
                value=indicator.value,
                expected=Message("projects.expected.one_of", allowed=_indicators(self.designed_unit_consumption)),
            )
        value = _check_unit_consumption(self.sector, indicator, measured.unit_consumption, "measured.unit_consumption")
        if indicator is Indicator.COMPREHENSIVE_ENERGY and measured.energy_tce is not None:
            implied_output_t = measured.energy_tce * 1000.0 / value
            if implied_output_t > MEASURED_OUTPUT_MAX_FACTOR * self.capacity_t_per_a:
                raise FieldProblem(
                    "projects.implied_output",
                    field="measured.energy_tce",
                    value=measured.energy_tce,
                    expected=Message(
                        "projects.expected.at_most",
                        value=f"{MEASURED_OUTPUT_MAX_FACTOR * self.capacity_t_per_a * value / 1000:,.0f}",
                        unit="tce",
                    ),
                    output=f"{implied_output_t:,.0f}",
                    per_t=f"{value:g}",
                    factor=f"{MEASURED_OUTPUT_MAX_FACTOR:g}",
                )

    @property
    def measured_indicator(self) -> Indicator | None:
        """The indicator of ``measured``: as named, or the only designed one."""
        if self.measured is None:
            return None
        if self.measured.indicator is not None:
            return self.measured.indicator
        if len(self.designed_unit_consumption) == 1:
            return next(iter(self.designed_unit_consumption))
        return None

    def designed(self, indicator: Indicator) -> float | None:
        """The designed unit consumption for ``indicator`` in its canonical unit, or None if not declared."""
        quantity = self.designed_unit_consumption.get(indicator)
        return None if quantity is None else quantity.canonical(indicator)

    def measured_value(self) -> float | None:
        indicator = self.measured_indicator
        if self.measured is None or indicator is None:
            return None
        return self.measured.unit_consumption.canonical(indicator)


def _check_unit_consumption(sector: Sector, indicator: Indicator, quantity: UnitConsumption, field: str) -> float:
    """Convert to the canonical unit and apply the plausibility bound; returns the canonical value."""
    if indicator is Indicator.AC_POWER_LIQUID_ALUMINIUM and sector is not Sector.ELECTROLYTIC_ALUMINIUM:
        raise FieldProblem(
            "projects.ac_power_aluminium_only",
            field=field,
            expected=Message("projects.expected.one_of", allowed=_indicators([Indicator.COMPREHENSIVE_ENERGY])),
        )
    wrong_unit = FieldProblem(
        "projects.unit_kind", field=f"{field}.unit", value=quantity.unit, expected=Message(_UNIT_KIND[indicator])
    )
    if not _unit_of_kind(indicator, quantity.unit):
        raise wrong_unit
    try:
        value = quantity.canonical(indicator)
    except UnitError:
        raise wrong_unit from None
    bound = PLAUSIBLE_UNIT_CONSUMPTION.get((sector, indicator))
    if bound is None:
        if not 0 < value <= GENERIC_COMPREHENSIVE_MAX_KGCE_PER_T:
            raise FieldProblem(
                "projects.implausible",
                field=f"{field}.value",
                value=quantity.value,
                expected=Message(
                    "projects.expected.positive_at_most",
                    value=f"{GENERIC_COMPREHENSIVE_MAX_KGCE_PER_T:,.0f}",
                    unit=indicator.unit,
                ),
            )
        return value
    if not bound.low <= value <= bound.high:
        shown = (
            ""
            if quantity.unit == indicator.unit
            else Message("projects.converted", value=f"{value:,.1f}", unit=indicator.unit)
        )
        raise FieldProblem(
            "projects.implausible_for_sector",
            field=f"{field}.value",
            value=quantity.value,
            expected=Message(
                "projects.expected.range", low=f"{bound.low:,.0f}", high=f"{bound.high:,.0f}", unit=indicator.unit
            ),
            sector=sector_words(sector.value),
            converted=shown,
            why=bound.why,  # kept with the error (the bound's reasons); the texts say it is a plausibility check
        )
    return value


_UNIT_KIND = {
    Indicator.AC_POWER_LIQUID_ALUMINIUM: "projects.expected.electricity_per_tonne",
    Indicator.COMPREHENSIVE_ENERGY: "projects.expected.energy_per_tonne",
}


def _unit_of_kind(indicator: Indicator, unit: str) -> bool:
    """kgce and kWh are both energy, but an electricity indicator is never given in coal equivalent (the
    conversion would silently pick one of the two conventions), nor a comprehensive one in kWh."""
    text = unit.replace(" ", "")
    if indicator is Indicator.AC_POWER_LIQUID_ALUMINIUM:
        return "Wh" in text and "ce" not in text
    return ("ce" in text or "J" in text) and "Wh" not in text


# --- reading ----------------------------------------------------------------------------------------


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "[key]") or "(project)"


# pydantic's error types, by the message code they are shown with (the limit of a bound comes from ``ctx``).
_PYDANTIC_CODES: dict[str, str] = {
    "missing": "projects.required",
    "float_type": "projects.not_a_number",
    "float_parsing": "projects.not_a_number",
    "finite_number": "projects.not_finite",
    "int_type": "projects.not_an_integer",
    "int_parsing": "projects.not_an_integer",
    "int_from_float": "projects.not_an_integer",
    "bool_type": "projects.not_yes_no",
    "bool_parsing": "projects.not_yes_no",
    "date_type": "projects.not_a_date",
    "date_parsing": "projects.not_a_date",
    "date_from_datetime_parsing": "projects.not_a_date",
    "date_from_datetime_inexact": "projects.not_a_date",
    "string_type": "projects.not_text",
    "string_too_short": "projects.empty",
    "string_pattern_mismatch": "projects.code_pattern",
    "too_short": "projects.choose_one",
    "list_type": "projects.not_a_list",
    "dict_type": "projects.not_a_mapping",
    "model_type": "projects.not_a_mapping",
    "model_attributes_type": "projects.not_a_mapping",
    "greater_than": "projects.greater_than",
    "greater_than_equal": "projects.at_least",
    "less_than": "projects.less_than",
    "less_than_equal": "projects.at_most",
}
_LIMIT = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}


def _input_errors(exc: ValidationError, *, file: str | None, record: str) -> list[InputError]:
    errors: list[InputError] = []
    for error in exc.errors():
        field = _field_name(error["loc"])
        ctx = error.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, FieldProblem):
            errors.append(
                InputError(
                    code=cause.code,
                    file=file,
                    record=record,
                    field=cause.field or field,
                    value=cause.value,
                    expected=cause.expected,
                    **cause.params,
                )
            )
            continue
        given = error.get("input")
        shown = None if isinstance(given, dict | list) else given
        kind = error["type"]
        where: dict[str, Any] = {"file": file, "record": record, "field": field}
        if kind == "extra_forbidden":
            code = "projects.unknown_field"
            if error["loc"][-1:] == ("replacement_ratio",):
                code = "projects.replacement_ratio_not_declared"  # a cited parameter of rule R6a
            errors.append(InputError(code=code, **where))
        elif kind in ("enum", "literal_error"):
            allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
            errors.append(InputError(code="projects.not_a_choice", value=shown, allowed=allowed, **where))
        elif kind in _LIMIT:
            limit = ctx.get(_LIMIT[kind])
            shown_limit = f"{limit:g}" if isinstance(limit, float) else str(limit)
            errors.append(InputError(code=_PYDANTIC_CODES[kind], value=shown, limit=shown_limit, **where))
        elif kind in _PYDANTIC_CODES:
            value = None if kind == "missing" else shown
            errors.append(InputError(code=_PYDANTIC_CODES[kind], value=value, **where))
        else:  # a type of error this record cannot produce today: its own words, in both languages
            detail = str(error["msg"]).removeprefix("Value error, ")
            errors.append(InputError(code="projects.invalid", value=shown, detail=detail, **where))
    return errors


def _record_name(data: Any, position: int | None) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"].strip():
        return str(data["id"]).strip()
    return f"project {position}" if position is not None else "project"


def _validate(data: Any, *, file: str | None, position: int | None) -> tuple[Project | None, list[InputError]]:
    record = _record_name(data, position)
    if not isinstance(data, dict):
        return None, [InputError(code="projects.not_a_record", file=file, record=record)]
    try:
        return Project.model_validate(data), []
    except ValidationError as exc:
        return None, _input_errors(exc, file=file, record=record)


def _raise(errors: list[InputError], file: str | None) -> None:
    if len(errors) == 1:
        raise errors[0]
    raise ValidationFailed(errors, file=file)


def parse_project(data: Any, *, file: str | None = None) -> Project:
    """Validate one project given as a mapping; raises InputError (or ValidationFailed) naming each field."""
    project, errors = _validate(data, file=file, position=None)
    if errors or project is None:
        _raise(errors, file)
    assert project is not None
    return project


def read_projects(path: str | Path) -> list[Project]:
    """Read projects from YAML or JSON: one project, a list, or ``{projects: [...]}``.

    Every project is checked; all problems are reported together (ValidationFailed), each naming the
    file, the project (its id, or its position) and the field.
    """
    projects, errors = collect_projects(path)
    if errors:
        _raise(errors, str(path))
    return projects


def collect_projects(path: str | Path) -> tuple[list[Project], list[InputError]]:
    """The valid projects of a file and the problems of the others (a caller that checks more, such as the
    registration, reports every problem together). A file that cannot be read at all raises InputError."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError(code="projects.file_not_found", file=name)
    return collect_projects_from(path.read_bytes(), name)


def collect_projects_from(content: bytes, name: str) -> tuple[list[Project], list[InputError]]:
    """:func:`collect_projects` of a file's bytes; ``name`` (its file name, with the suffix that says YAML or
    JSON) names it in the errors."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise InputError(code="projects.file_type", file=name, value=suffix or None)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(code="projects.encoding", file=name) from None
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InputError(code="projects.invalid_json", file=name, line=exc.lineno, column=exc.colno) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:
            raise InputError(code="projects.invalid_yaml", file=name) from None
        raise InputError(code="projects.invalid_yaml_at", file=name, line=mark.line + 1) from None
    if isinstance(data, dict) and set(data) == {"projects"}:
        data = data["projects"]
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise InputError(code="projects.no_projects", file=name)
    projects: list[Project] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        project, problems = _validate(item, file=name, position=position)
        errors.extend(problems)
        if project is None:
            continue
        if project.id in seen:
            errors.append(
                InputError(code="projects.id_twice", file=name, record=project.id, field="id", value=project.id)
            )
        seen.add(project.id)
        projects.append(project)
    return projects, errors
