"""Scenario files: strict schema, inheritance from a parent, and a content hash.

A scenario is a YAML file. A root scenario (no ``parent``) states everything: region, base year,
horizon, the peak definition, draws and seed, production drivers, the grid-factor path and its
levers. A child names its ``parent`` (a file in the same folder, ``parent: baseline`` →
``baseline.yaml``) and stores only what it changes: top-level blocks replace the parent's, production
entries replace the parent's entry for the same sector and province, a lever replaces the parent's
lever with the same ``id`` (others are appended, in order), and ``remove_levers`` drops levers.

Every number that is an assumption of the analyst (growth, the decline of the grid factor after the
last official year, distribution widths, the effect of a new technology) sits here with a ``basis``
saying so; official factors are never written here, they come from :mod:`carbonpeak.parameters`.

Bad files raise :class:`~carbonpeak.errors.InputError` (one problem) or
:class:`~carbonpeak.errors.ValidationFailed` (several), each naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from carbonpeak import messages
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.pathways.distributions import Distribution

__all__ = [
    "LEVER_TYPES",
    "DistSpec",
    "Lever",
    "ResolvedScenario",
    "ScenarioFile",
    "load_scenario",
    "parse_scenario",
    "uncertain",
]

Text = Annotated[str, StringConstraints(min_length=1)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]+$")]
YearPath = dict[int, float]


def refused(code: str, **params: Any) -> PydanticCustomError:
    """A validator's refusal carrying its message code (``carbonpeak/messages/pathways.yaml``), so that the
    error of the file is rendered from the catalog in the reader's language."""
    return PydanticCustomError(code, messages.render(code, "en", params), params)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DistSpec(Strict):
    """An uncertain input: ``{dist: normal, mean: 1, sd: 0.5}`` and the like (see distributions.py)."""

    dist: Literal["normal", "lognormal", "triangular", "uniform"]
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _check(self) -> DistSpec:
        needs = {
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sigma"),
            "triangular": ("low", "mode", "high"),
            "uniform": ("low", "high"),
        }[self.dist]
        missing = [n for n in needs if getattr(self, n) is None]
        if missing:
            raise refused("pathways.dist_missing", dist=self.dist, needs=", ".join(needs), missing=", ".join(missing))
        extra = [
            n
            for n in ("mean", "sd", "median", "sigma", "low", "mode", "high")
            if n not in needs and getattr(self, n) is not None
        ]
        if extra:
            raise refused("pathways.dist_extra", dist=self.dist, needs=", ".join(needs), extra=extra[0])
        for value in (self.mean, self.sd, self.median, self.sigma, self.low, self.mode, self.high):
            if value is not None and not math.isfinite(value):
                raise refused("pathways.dist_not_finite")
        if self.dist == "normal" and (self.sd or 0) < 0:
            raise refused("pathways.sd_negative")
        if self.dist == "lognormal" and ((self.median or 0) <= 0 or (self.sigma or 0) < 0):
            raise refused("pathways.lognormal")
        if self.dist == "triangular" and not (
            (self.low or 0) <= (self.mode or 0) <= (self.high or 0) and (self.low or 0) < (self.high or 0)
        ):
            raise refused("pathways.triangular")
        if self.dist == "uniform" and not (self.low or 0) < (self.high or 0):
            raise refused("pathways.uniform")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise refused("pathways.min_above_max")
        return self

    def to_distribution(self) -> Distribution:
        return Distribution(
            self.dist,
            mean=self.mean or 0.0,
            sd=self.sd or 0.0,
            median=self.median if self.median is not None else 1.0,
            sigma=self.sigma or 0.0,
            low=self.low or 0.0,
            mode=self.mode or 0.0,
            high=self.high or 0.0,
            min=self.min if self.min is not None else -math.inf,
            max=self.max if self.max is not None else math.inf,
        )


Uncertain = float | DistSpec


def uncertain(value: Uncertain) -> Distribution:
    return value.to_distribution() if isinstance(value, DistSpec) else Distribution.fixed(float(value))


class Peak(Strict):
    """The peak definition (issue #5): tolerance of 'peaked by Y' and the plateau band, in percent."""

    basis: Literal["location", "market"]
    tolerance_pct: float = Field(ge=0)
    plateau_pct: float = Field(ge=0)


class Horizon(Strict):
    start: int = Field(ge=1990, le=2100)
    end: int = Field(ge=1990, le=2100)


class Uncertainty(Strict):
    draws: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0)


class GrowthPeriod(Strict):
    from_year: int = Field(alias="from")
    pct_per_year: Uncertain


class Production(Strict):
    """Output driver of one sector (and province): growth per year, or an output path in t."""

    sector: Text  # a sector, or 'default' for every sector not named
    province: str | None = None
    growth_pct_per_year: Uncertain | list[GrowthPeriod] | None = None
    output_path_t: YearPath | None = None
    basis: Text
    basis_zh: str | None = None  # the basis in Chinese, for the zh-CN pages

    @model_validator(mode="after")
    def _one_driver(self) -> Production:
        if (self.growth_pct_per_year is None) == (self.output_path_t is None):
            raise refused("pathways.one_driver")
        return self


class Trajectory(Strict):
    """Grid factors supplied by a power model, by accounting year [tCO2/MWh]."""

    source: Text
    location: YearPath
    residual: YearPath | None = None


class Grid(Strict):
    """The grid-factor path: official values (electricity.grid_factor under electricity.grid_factor_rule),
    then an assumed decline or a supplied trajectory."""

    region: str = "rule"  # 'rule': the region the accounting rule names; or a province/grid code
    decline_pct_per_year: Uncertain | None = None
    trajectory: Trajectory | None = None
    basis: Text
    basis_zh: str | None = None

    @model_validator(mode="after")
    def _after(self) -> Grid:
        if self.decline_pct_per_year is None and self.trajectory is None:
            raise refused("pathways.grid_after")
        return self


class Scrap(Strict):
    availability_growth_pct_per_year: Uncertain
    basis: Text
    basis_zh: str | None = None


class Selector(Strict):
    """Plants chosen by their attributes in the base year (all given attributes must match)."""

    codes: list[Code] | None = None
    sector: str | None = None
    technology: str | None = None
    product: str | None = None
    province: str | None = None
    benchmark_class: Literal["at_or_above_benchmark", "between_benchmark_and_baseline", "below_baseline"] | None = (
        Field(default=None, alias="class")
    )


Plants = list[Code] | Selector
YearSpec = int | DistSpec


class Cost(Strict):
    """What a lever costs over the horizon [CNY], cited or entered by the user (``basis`` says which)."""

    cny: float = Field(ge=0)
    basis: Text


class LeverBase(Strict):
    id: Code
    title: dict[str, str] | None = None  # {zh: ..., en: ...}: what the pages call the lever
    basis: str | None = None
    basis_zh: str | None = None
    cost: Cost | None = None  # for the least-cost choice of levers (carbonpeak pathways cheapest)


class ExitLever(LeverBase):
    """Capacity leaves: from the first full year after ``year`` (or the benchmark deadline) no output."""

    type: Literal["exit"]
    plants: Plants
    year: YearSpec | Literal["deadline"]
    delay_years: DistSpec | None = None


class OutsideSource(Strict):
    name: Text
    capacity_t_per_a: float = Field(gt=0)


class Destination(Strict):
    code: Code
    like: Code  # a plant of the stock whose base-year figures per tonne the new line starts from
    province: str | None = None
    technology: str | None = None
    utilisation_pct: float | None = Field(default=None, gt=0, le=100)
    electricity_mwh_per_t: float | None = Field(default=None, gt=0)
    captive_share_pct: float | None = Field(default=None, ge=0, le=100)


class ReplacementLever(LeverBase):
    """产能置换: the source capacity exits and ``ratio`` × it (destination ÷ source) starts at the destination."""

    type: Literal["replacement"]
    source: list[Code] = Field(default_factory=list)
    source_outside: list[OutsideSource] = Field(default_factory=list)
    ratio: float = Field(gt=0)
    year: YearSpec
    destination: Destination
    rest_of_country_capacity_t_per_a: float | None = Field(default=None, ge=0)


class RetrofitTo(Strict):
    technology: str | None = None
    electricity_mwh_per_t: float | None = Field(default=None, gt=0)
    energy_change_pct: float | None = Field(default=None, gt=-100, le=100)

    @model_validator(mode="after")
    def _some(self) -> RetrofitTo:
        if self.electricity_mwh_per_t is None and self.energy_change_pct is None:
            raise refused("pathways.retrofit_to")
        return self


class RetrofitLever(LeverBase):
    type: Literal["retrofit"]
    plants: Plants
    year: YearSpec
    to: Literal["benchmark"] | RetrofitTo


class Contract(Strict):
    plant: Code
    mwh_per_year: float = Field(gt=0)
    from_year: int = Field(alias="from")
    to_year: int = Field(alias="to")


class GreenLever(LeverBase):
    """Green electricity: share of the electricity used covered by green power (contracts, certificates),
    as a path by year (straight lines between the years given, held after the last), and fixed contracts."""

    type: Literal["green_electricity"]
    plants: Plants | None = None
    share_pct: YearPath | None = None
    contracts: list[Contract] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> GreenLever:
        if self.share_pct is None and not self.contracts:
            raise refused("pathways.green_some")
        if self.share_pct is not None and self.plants is None:
            raise refused("pathways.share_needs_plants")
        if self.share_pct and any(not 0 <= v <= 100 for v in self.share_pct.values()):
            raise refused("pathways.share_range")
        return self


class CaptiveLever(LeverBase):
    """The plants' captive (self-owned) power units retire: their electricity is bought from the grid."""

    type: Literal["captive_retirement"]
    plants: Plants
    year: YearSpec


class RecycledLever(LeverBase):
    """Recycled aluminium as a share of aluminium supply (recycled ÷ (recycled + electrolytic)), bounded
    by scrap availability and by the capacity of recycled-aluminium plants."""

    type: Literal["recycled_aluminium"]
    share_pct: YearPath

    @model_validator(mode="after")
    def _range(self) -> RecycledLever:
        if any(not 0 <= v < 100 for v in self.share_pct.values()):
            raise refused("pathways.share_below_100")
        return self


class AlloyLever(LeverBase):
    type: Literal["direct_alloying"]
    plants: Plants | None = None
    share_pct: YearPath
    saving_tco2e_per_t_alloyed: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _range(self) -> AlloyLever:
        if any(not 0 <= v <= 100 for v in self.share_pct.values()):
            raise refused("pathways.share_range")
        return self


class FuelSwitchLever(LeverBase):
    type: Literal["fuel_switch"]
    plants: Plants
    year: YearSpec
    share_pct: float = Field(gt=0, le=100)
    to: Literal["natural_gas", "electricity"]
    electricity_mwh_per_tce: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _electricity(self) -> FuelSwitchLever:
        if self.to == "electricity" and self.electricity_mwh_per_tce is None:
            raise refused("pathways.switch_needs_electricity")
        return self


class NewTechLever(LeverBase):
    """A new technology adopted at named plants (inert anodes, CCUS ...): its effects are the analyst's."""

    type: Literal["new_technology"]
    technology: Text
    plants: Plants
    year: YearSpec
    process_change_pct: float = Field(default=0.0, ge=-100)
    fuel_change_pct: float = Field(default=0.0, ge=-100)
    electricity_change_pct: float = Field(default=0.0, ge=-100)
    capture_pct: float = Field(default=0.0, ge=0, le=100)
    capture_electricity_mwh_per_tco2: float = Field(default=0.0, ge=0)


Lever = Annotated[
    ExitLever
    | ReplacementLever
    | RetrofitLever
    | GreenLever
    | CaptiveLever
    | RecycledLever
    | AlloyLever
    | FuelSwitchLever
    | NewTechLever,
    Field(discriminator="type"),
]
LEVER_TYPES = (
    "exit",
    "replacement",
    "retrofit",
    "green_electricity",
    "captive_retirement",
    "recycled_aluminium",
    "direct_alloying",
    "fuel_switch",
    "new_technology",
)


class ScenarioFile(Strict):
    """One file as written (a child leaves out what it inherits)."""

    id: Code
    title: dict[str, str] | None = None
    parent: Code | None = None
    region: Text | None = None
    base_year: int | None = Field(default=None, ge=1990, le=2100)
    horizon: Horizon | None = None
    benchmark_edition: str | None = None
    peak: Peak | None = None
    uncertainty: Uncertainty | None = None
    plans: list[Code] | None = None
    production: list[Production] | None = None
    grid: Grid | None = None
    scrap: Scrap | None = None
    levers: list[Lever] | None = None
    remove_levers: list[Code] = Field(default_factory=list)
    notes: str | None = None


REQUIRED = ("region", "base_year", "horizon", "peak", "uncertainty", "production", "grid")


class ResolvedScenario(Strict):
    """A scenario with its parents merged in: everything a run needs, nothing inherited left out."""

    id: Code
    title: dict[str, str]
    chain: list[str]  # this scenario's id, then its parent's, ... up to the root
    region: Text
    base_year: int
    horizon: Horizon
    benchmark_edition: str | None
    peak: Peak
    uncertainty: Uncertainty
    plans: list[Code]
    production: list[Production]
    grid: Grid
    scrap: Scrap | None
    levers: list[Lever]
    lever_origin: dict[str, str]  # lever id → file it was written in
    notes: str | None = None

    def content_hash(self) -> str:
        """sha256 of the resolved content (what the run depends on; file names and notes excluded)."""
        data = self.model_dump(mode="json", by_alias=True, exclude={"lever_origin", "notes", "chain"})
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------- reading


def _field(loc: tuple[int | str, ...], data: Any) -> str:
    """A pydantic error location in the file's words: levers[2](retrofit_al).year."""
    parts: list[str] = []
    node = data
    skip_tag = False
    for part in loc:
        if skip_tag:
            skip_tag = False
            continue
        if isinstance(part, int):
            label = f"[{part}]"
            if isinstance(node, list) and part < len(node):
                node = node[part]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label += f"({node['id']})"
                if isinstance(node, dict) and parts and parts[-1] == "levers":
                    skip_tag = True  # pydantic adds the discriminator tag after the index
            else:
                node = None
            parts[-1:] = [parts[-1] + label] if parts else [label]
        else:
            if _is_branch(part):
                continue
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return ".".join(parts) or "(scenario)"


_BRANCHES = ("int", "float", "str", "list[int]", "list[str]", "dict[int,float]", "DistSpec", "Selector", "RetrofitTo")


def _is_branch(part: int | str) -> bool:
    """A union member pydantic names in an error location (int, float, literal['deadline'], ...)."""
    text = str(part)
    return text in _BRANCHES or text.startswith(("literal[", "function-", "list[", "dict["))


def _errors(exc: ValidationError, file: str, data: Any) -> list[InputError]:
    # A value that may be a number or a distribution fails both ways: report it once, under its own name.
    items: list[tuple[str, bool, dict[str, Any]]] = []  # field, a union branch?, the error
    for error in exc.errors():
        loc = tuple(error["loc"])
        branch = any(str(part) in ("int", "float", "str") or str(part).startswith("literal[") for part in loc)
        kept = tuple(part for part in loc if not _is_branch(part))
        items.append((_field(kept, data), branch, {str(k): v for k, v in error.items()}))
    direct = {field for field, branch, _ in items if not branch}
    out: list[InputError] = []
    seen: set[str] = set()
    for field, branch, found in items:
        if branch and any(f == field or f.startswith(field + ".") for f in direct):
            continue
        given = found.get("input")
        shown = None if isinstance(given, dict | list) else given
        code, params = _coded(found, branch)
        key = f"{field}:{code}:{params}"
        if key in seen:
            continue
        seen.add(key)
        out.append(InputError(code=code, file=file, field=field, value=shown, **params))
    return out


# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) as message codes, with
# the name of the bound in the error's context.
_PYDANTIC_CODES: dict[str, tuple[str, str | None]] = {
    "extra_forbidden": ("pathways.unknown_field", None),
    "missing": ("pathways.required", None),
    "greater_than_equal": ("pathways.at_least", "ge"),
    "greater_than": ("pathways.more_than", "gt"),
    "less_than_equal": ("pathways.at_most", "le"),
    "less_than": ("pathways.less_than", "lt"),
    "int_parsing": ("pathways.not_whole_number", None),
    "int_type": ("pathways.not_whole_number", None),
    "int_from_float": ("pathways.not_whole_number", None),
    "float_parsing": ("pathways.not_a_number", None),
    "float_type": ("pathways.not_a_number", None),
    "finite_number": ("pathways.not_finite", None),
    "bool_parsing": ("pathways.not_yes_no", None),
    "bool_type": ("pathways.not_yes_no", None),
    "string_type": ("pathways.not_text", None),
    "string_too_short": ("pathways.empty_text", None),
    "string_pattern_mismatch": ("pathways.not_a_code", None),
    "list_type": ("pathways.not_a_list", None),
}


def _coded(found: dict[str, Any], branch: bool) -> tuple[str, dict[str, Any]]:
    """The message code and parameters of one pydantic error."""
    kind = str(found["type"])
    context = found.get("ctx") or {}
    if kind.startswith("pathways."):  # a validator's refusal (refused)
        return kind, dict(context)
    if kind in ("extra_forbidden", "missing"):
        return _PYDANTIC_CODES[kind][0], {}
    if kind == "union_tag_invalid":
        return "pathways.unknown_lever_type", {"allowed": ", ".join(LEVER_TYPES)}
    if branch or kind in ("model_type", "dict_type", "model_attributes_type"):
        return "pathways.not_valid", {}
    if kind == "literal_error":
        return "pathways.not_one_of", {"allowed": str(context.get("expected", ""))}
    if kind in _PYDANTIC_CODES:
        code, bound = _PYDANTIC_CODES[kind]
        return code, ({"n": str(context[bound])} if bound else {})
    return "pathways.schema", {"detail": str(found["msg"])}


def _raise(errors: list[InputError], file: str) -> None:
    if len(errors) == 1:
        raise errors[0]
    raise ValidationFailed(errors, file=file)


def read_scenario_file(path: Path) -> tuple[ScenarioFile, dict[str, Any]]:
    """Read and validate one file (without its parents)."""
    name = str(path)
    if not path.is_file():
        raise InputError(code="pathways.file_not_found", file=name)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(code="pathways.not_utf8", file=name) from None
    except yaml.YAMLError as exc:
        raise InputError(code="pathways.not_yaml", file=name, detail=str(exc)) from None
    if not isinstance(raw, dict):
        raise InputError(code="pathways.not_a_mapping", file=name, value=type(raw).__name__)
    try:
        parsed = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        _raise(_errors(exc, name, raw), name)
        raise AssertionError("unreachable") from exc
    return parsed, raw


def parse_scenario(data: dict[str, Any], *, file: str = "<scenario>") -> ScenarioFile:
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        _raise(_errors(exc, file, data), file)
        raise AssertionError("unreachable") from exc


def load_scenario(path: str | Path, *, search: list[Path] | None = None) -> ResolvedScenario:
    """Read a scenario file and its parents (same folder, or ``search``) and merge them."""
    path = Path(path)
    files: list[tuple[Path, ScenarioFile]] = []
    seen: set[Path] = set()
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            chain = " → ".join(f.id for _, f in files)
            raise InputError(code="pathways.parent_cycle", file=str(path), field="parent", value=chain)
        seen.add(resolved)
        parsed, _raw = read_scenario_file(current)
        files.append((current, parsed))
        if parsed.parent is None:
            current = None
            continue
        candidates = [current.parent / f"{parsed.parent}.yaml", current.parent / f"{parsed.parent}.yml"]
        for folder in search or []:
            candidates += [folder / f"{parsed.parent}.yaml", folder / f"{parsed.parent}.yml"]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise InputError(
                code="pathways.parent_not_found",
                file=str(current),
                field="parent",
                value=parsed.parent,
                parent=parsed.parent,
                beside=current.name,
            )
        current = found
    return resolve([(str(p), f) for p, f in files])


def resolve(files: list[tuple[str, ScenarioFile]]) -> ResolvedScenario:
    """Merge a chain of files, child first (as :func:`load_scenario` reads them)."""
    child_name, child = files[0]
    merged: dict[str, Any] = {}
    production: dict[tuple[str, str | None], Production] = {}
    levers: list[Any] = []
    origin: dict[str, str] = {}
    for name, file in reversed(files):  # root first, each child overriding
        for key in ("region", "base_year", "horizon", "benchmark_edition", "peak", "uncertainty", "plans"):
            value = getattr(file, key)
            if value is not None:
                merged[key] = value
        for key in ("grid", "scrap"):
            value = getattr(file, key)
            if value is not None:
                merged[key] = value
        for entry in file.production or []:
            production[(entry.sector, entry.province)] = entry
        for lever_id in file.remove_levers:
            before = len(levers)
            levers = [lever for lever in levers if lever.id != lever_id]
            if len(levers) == before:
                raise InputError(code="pathways.remove_unknown_lever", file=name, field="remove_levers", value=lever_id)
            origin.pop(lever_id, None)
        ids_in_file: set[str] = set()
        for index, lever in enumerate(file.levers or []):
            if lever.id in ids_in_file:
                raise InputError(
                    code="pathways.duplicate_lever", file=name, field=f"levers[{index}].id", value=lever.id
                )
            ids_in_file.add(lever.id)
            position = next((i for i, old in enumerate(levers) if old.id == lever.id), None)
            if position is None:
                levers.append(lever)
            else:
                levers[position] = lever
            origin[lever.id] = name
        if file.notes:
            merged["notes"] = file.notes
    missing = [key for key in REQUIRED if key not in merged and not (key == "production" and production)]
    problems = [InputError(code="pathways.required_in_chain", file=child_name, field=key) for key in missing]
    if not any(entry.sector == "default" for entry in production.values()):
        problems.append(InputError(code="pathways.no_default_production", file=child_name, field="production"))
    if problems:
        _raise(problems, child_name)
    horizon: Horizon = merged["horizon"]
    base_year: int = merged["base_year"]
    if not horizon.start <= base_year < horizon.end:
        raise InputError(
            code="pathways.base_year_outside",
            file=child_name,
            field="base_year",
            value=base_year,
            first=horizon.start,
            last=horizon.end - 1,
        )
    title = child.title or {"zh": child.id, "en": child.id}
    return ResolvedScenario(
        id=child.id,
        title=title,
        chain=[f.id for _, f in files],
        region=merged["region"],
        base_year=base_year,
        horizon=horizon,
        benchmark_edition=merged.get("benchmark_edition"),
        peak=merged["peak"],
        uncertainty=merged["uncertainty"],
        plans=list(merged.get("plans", [])),
        production=list(production.values()),
        grid=merged["grid"],
        scrap=merged.get("scrap"),
        levers=levers,
        lever_origin=origin,
        notes=merged.get("notes"),
    )
