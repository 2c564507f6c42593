"""A proposed high-energy, high-emission project (两高项目) as submitted for review: the record, strictly validated.

A project file is YAML or JSON: one project, a list of them, or ``{projects: [...]}``. Unknown fields,
numbers given as text, and impossible numbers are refused with an :class:`~carbonpeak.errors.InputError`
naming the file, the project and the field.

The bounds below are **plausibility checks, not official values**: they catch a number typed in the wrong
unit or with a digit too many, and are set well outside the levels of the standards in
``shared/reference/china-benchmarks.csv`` (quoted next to each bound). Whether a project *meets* a level is
for :mod:`carbonpeak.projects.review` to say, from cited parameters.
"""

from __future__ import annotations

import datetime as dt
import json
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
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import PROVINCES, Sector

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
    "parse_project",
    "read_projects",
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
    """A cross-field check that failed, naming the field it concerns (turned into an InputError)."""

    def __init__(self, message: str, *, field: str, value: Any = None, expected: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field, self.value, self.expected = message, field, value, expected


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
Capacity = Annotated[float, Field(strict=True, gt=0, le=CAPACITY_MAX_T_PER_A, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def _province(value: str) -> str:
    if value not in PROVINCES:
        raise ValueError(f"not a carbonpeak province code; expected one of {', '.join(PROVINCES)}")
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
            raise ValueError("expected a date such as 2024-06-01")
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
                "a retrofit adds no capacity", field="net_new_capacity_t_per_a", value=net, expected="0 for a retrofit"
            )
        if self.kind is ProjectKind.NEW and abs(net - cap) > REPLACEMENT_SUM_TOLERANCE_T_PER_A:
            raise FieldProblem(
                "a new project's net new capacity is its capacity",
                field="net_new_capacity_t_per_a",
                value=net,
                expected=f"{cap:g} (capacity_t_per_a)",
            )
        if self.kind is ProjectKind.EXPANSION and not 0 < net <= cap:
            raise FieldProblem(
                "an expansion adds capacity, at most the capacity of what it builds",
                field="net_new_capacity_t_per_a",
                value=net,
                expected=f"more than 0 and at most {cap:g} (capacity_t_per_a)",
            )

    def _check_designed(self) -> None:
        if not self.designed_unit_consumption:
            raise FieldProblem(
                "no designed unit consumption",
                field="designed_unit_consumption",
                expected="at least one indicator, e.g. comprehensive_energy: {value: 340, unit: kgce/t}",
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
                f"more than {APPROVED_ENERGY_MAX_FACTOR:g} × the designed energy at full capacity "
                f"({designed:g} kgce/t × {self.capacity_t_per_a:,.0f} t/a = {at_capacity_tce:,.0f} tce/a); "
                "plausibility check: tce, not kgce?",
                field="approved_energy_tce_per_a",
                value=approved,
                expected=f"at most {APPROVED_ENERGY_MAX_FACTOR * at_capacity_tce:,.0f} tce/a",
            )

    def _check_energy_sources(self) -> None:
        if len(set(self.energy_sources)) != len(self.energy_sources):
            raise FieldProblem("a source is listed twice", field="energy_sources", value=list(self.energy_sources))
        if self.new_captive_coal_plant and EnergySource.CAPTIVE_COAL not in self.energy_sources:
            raise FieldProblem(
                "a new coal-fired captive plant is declared but captive_coal is not among the energy sources",
                field="energy_sources",
                value=[s.value for s in self.energy_sources],
                expected="captive_coal listed, or new_captive_coal_plant: false",
            )
        if self.captive_coal_permission and not self.new_captive_coal_plant:
            raise FieldProblem(
                "a permission for a coal-fired captive plant is cited, but no new plant is declared",
                field="captive_coal_permission",
                expected="only with new_captive_coal_plant: true",
            )

    def _check_replacement(self) -> None:
        total = sum(s.capacity_t_per_a for s in self.replacement_sources)
        if abs(total - self.replacement_capacity_t_per_a) > REPLACEMENT_SUM_TOLERANCE_T_PER_A:
            raise FieldProblem(
                f"the replacement sources sum to {total:g} t/a, not to replacement_capacity_t_per_a",
                field="replacement_sources",
                value=total,
                expected=f"sources summing to {self.replacement_capacity_t_per_a:g} t/a",
            )

    def _check_measured(self) -> None:
        measured = self.measured
        if measured is None:
            return
        if measured.year < self.planned_start.year:
            raise FieldProblem(
                "measured before construction was planned to start",
                field="measured.year",
                value=measured.year,
                expected=f"{self.planned_start.year} or later (planned_start {self.planned_start})",
            )
        indicator = self.measured_indicator
        if indicator is None:
            raise FieldProblem(
                "several designed indicators: say which one was measured",
                field="measured.indicator",
                expected=", ".join(i.value for i in self.designed_unit_consumption),
            )
        if indicator not in self.designed_unit_consumption:
            raise FieldProblem(
                "no designed value to compare the measured one with",
                field="measured.indicator",
                value=indicator.value,
                expected=", ".join(i.value for i in self.designed_unit_consumption),
            )
        value = _check_unit_consumption(self.sector, indicator, measured.unit_consumption, "measured.unit_consumption")
        if indicator is Indicator.COMPREHENSIVE_ENERGY and measured.energy_tce is not None:
            implied_output_t = measured.energy_tce * 1000.0 / value
            if implied_output_t > MEASURED_OUTPUT_MAX_FACTOR * self.capacity_t_per_a:
                raise FieldProblem(
                    f"implies an output of {implied_output_t:,.0f} t at {value:g} kgce/t, more than "
                    f"{MEASURED_OUTPUT_MAX_FACTOR:g} × the capacity (plausibility check: tce, not kgce?)",
                    field="measured.energy_tce",
                    value=measured.energy_tce,
                    expected=f"at most {MEASURED_OUTPUT_MAX_FACTOR * self.capacity_t_per_a * value / 1000:,.0f} tce",
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
            "AC power per t of liquid aluminium applies to electrolytic aluminium only",
            field=field,
            expected="comprehensive_energy",
        )
    try:
        if not _unit_of_kind(indicator, quantity.unit):
            raise UnitError("wrong kind of unit", value=quantity.unit)
        value = quantity.canonical(indicator)
    except UnitError:
        raise FieldProblem(
            "unit of the wrong dimension or unknown",
            field=f"{field}.unit",
            value=quantity.unit,
            expected=_UNIT_KIND[indicator],
        ) from None
    bound = PLAUSIBLE_UNIT_CONSUMPTION.get((sector, indicator))
    if bound is None:
        if not 0 < value <= GENERIC_COMPREHENSIVE_MAX_KGCE_PER_T:
            raise FieldProblem(
                "outside the plausible range (plausibility check, not an official value)",
                field=f"{field}.value",
                value=quantity.value,
                expected=f"more than 0 and at most {GENERIC_COMPREHENSIVE_MAX_KGCE_PER_T:,.0f} {indicator.unit}",
            )
        return value
    if not bound.low <= value <= bound.high:
        shown = "" if quantity.unit == indicator.unit else f" (= {value:,.1f} {indicator.unit})"
        raise FieldProblem(
            f"outside the plausible range for {sector.value}{shown}; {bound.why}",
            field=f"{field}.value",
            value=quantity.value,
            expected=f"{bound.low:,.0f}-{bound.high:,.0f} {indicator.unit}",
        )
    return value


_UNIT_KIND = {
    Indicator.AC_POWER_LIQUID_ALUMINIUM: "electricity per tonne: kWh/t, MWh/t or 万kWh/t",
    Indicator.COMPREHENSIVE_ENERGY: "coal equivalent (or joules) per tonne: kgce/t, tce/t, GJ/t",
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


def _input_errors(exc: ValidationError, *, file: str | None, record: str) -> list[InputError]:
    errors: list[InputError] = []
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldProblem):
            errors.append(
                InputError(
                    cause.message,
                    file=file,
                    record=record,
                    field=cause.field,
                    value=cause.value,
                    expected=cause.expected,
                )
            )
            continue
        field = _field_name(error["loc"])
        given = error.get("input")
        shown = None if isinstance(given, dict | list) else given
        kind = error["type"]
        if kind == "extra_forbidden":
            expected = "a field of the project record (see carbonpeak/projects/model.py)"
            if error["loc"][-1:] == ("replacement_ratio",):
                expected = (
                    "no replacement_ratio: the ratio is a cited parameter "
                    "(projects.review[rule=R6a, item=replacement_ratio]), not something a project declares"
                )
            errors.append(InputError("unknown field", file=file, record=record, field=field, expected=expected))
        elif kind == "missing":
            errors.append(InputError("required field is missing", file=file, record=record, field=field))
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            errors.append(InputError(message, file=file, record=record, field=field, value=shown))
    return errors


def _record_name(data: Any, position: int | None) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"].strip():
        return str(data["id"]).strip()
    return f"project {position}" if position is not None else "project"


def _validate(data: Any, *, file: str | None, position: int | None) -> tuple[Project | None, list[InputError]]:
    record = _record_name(data, position)
    if not isinstance(data, dict):
        return None, [InputError("not a mapping of fields", file=file, record=record, value=type(data).__name__)]
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
    store, reports every problem together). A file that cannot be read at all raises InputError."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError("file not found", file=name)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise InputError("unsupported file type", file=name, value=suffix, expected=".yaml, .yml or .json")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("cannot decode the file", file=name, expected="UTF-8 text") from None
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", file=name) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=name) from None
    if isinstance(data, dict) and set(data) == {"projects"}:
        data = data["projects"]
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise InputError("no projects found", file=name, expected="a project, a list of projects, or {projects: [...]}")
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
                InputError("project id used twice", file=name, record=project.id, field="id", value=project.id)
            )
        seen.add(project.id)
        projects.append(project)
    return projects, errors
