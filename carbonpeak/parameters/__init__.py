"""Dated, cited reference parameters and the loader that answers "value of X for period P (edition E)".

Usage (inside ``carbonpeak.accounting`` and tests only)::

    params = load()
    ncv = params.at("emissions.fuel_cn2013", fuel="coke", quantity="ncv")          # Cited
    gwp = params.at("emissions.gwp", edition="AR5", gas="CF4").value              # 6630.0
    threshold = params.at("benchmarks.tiered_price_al", period="2024-06", item="threshold")

Nothing is ever defaulted silently: no entry in force raises :class:`ParameterNotFound`, an entry
without an official value raises :class:`ParameterValueMissing`, both naming parameter and period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from carbonpeak.errors import ParameterFileError, ParameterNotFound, ParameterValueMissing
from carbonpeak.messages import Bilingual
from carbonpeak.parameters.schema import Confidence, Entry, ParameterFile, Plan, Source, Target

__all__ = ["Cited", "ParameterSet", "load", "period_start"]

PeriodLike = dt.date | str | int | None


def period_start(period: PeriodLike) -> dt.date | None:
    """First day of a period given as a date, a year (2024, "2024") or a month ("2024-03")."""
    if period is None or isinstance(period, dt.date):
        return period
    text = str(period).strip()
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if match:
        return dt.date(int(match[1]), int(match[2]), 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"period {period!r} is not a year (2024), a month (2024-03) or a date") from exc


@dataclass(frozen=True)
class Cited:
    """A parameter value together with everything needed to cite it."""

    parameter: str
    key: dict[str, Any]
    value: Any
    unit: str
    confidence: Confidence
    source: Source
    edition: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None
    title: dict[str, str] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        """False when the value rests below medium-high confidence (shown as 'unverified factor')."""
        return self.confidence.verified

    @property
    def label(self) -> str:
        keys = ", ".join(f"{k}={v}" for k, v in self.key.items())
        return f"{self.parameter}[{keys}]" + (f" ({self.edition})" if self.edition else "")

    def citation(self) -> str:
        src = self.source
        parts = [src.document]
        if src.number and src.number not in src.document:
            parts.append(src.number)
        if src.clause:
            parts.append(src.clause)
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "parameter": self.parameter,
            "key": self.key,
            "value": self.value,
            "unit": self.unit,
            "edition": self.edition,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "confidence": self.confidence.value,
            "verified": self.verified,
            "source": self.source.model_dump(mode="json", exclude_none=True, exclude={"zh"}),
            "note": self.note,
        }


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML loader that refuses duplicate keys (a silently overwritten factor is a wrong factor).

    Built on libyaml's C loader where PyYAML has it (ten times faster), else the Python one.
    """


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise ParameterFileError(f"{path}: not valid YAML: {exc}") from exc


def _validation_message(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: does not match the parameter schema:"]
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        lines.append(f"  - {where}: {error['msg']}")
    return "\n".join(lines)


class ParameterSet:
    """All parameter families and plans, validated, indexed for lookup."""

    def __init__(self, files: Iterable[ParameterFile], plans: Iterable[Plan] = ()) -> None:
        self.files: dict[str, ParameterFile] = {}
        self._index: dict[tuple[str, tuple[tuple[str, Any], ...]], list[Entry]] = {}
        for file in files:
            if file.id in self.files:
                raise ParameterFileError(f"parameter family '{file.id}' is defined twice")
            self.files[file.id] = file
            for entry in file.entries:
                ident = (file.id, _key_tuple(entry.key))
                self._index.setdefault(ident, []).append(entry)
        self.plans: dict[str, Plan] = {plan.id: plan for plan in plans}

    def with_entries(self, additions: Iterable[tuple[str, Entry, str, Source]]) -> ParameterSet:
        """A new set with entries added to their families: ``(family, entry, source_id, source)``.

        An added entry with the same key, edition and validity period as a shipped one supersedes it
        (the shipped entry is no longer in force for lookups; it stays in the files); any other overlap
        with an entry in force is refused by the family's schema. The shipped set is unchanged.
        """
        by_family: dict[str, list[tuple[Entry, str, Source]]] = {}
        for family, entry, source_id, source in additions:
            self._file(family)
            by_family.setdefault(family, []).append((entry, source_id, source))
        files = dict(self.files)
        for family, added in by_family.items():
            file = files[family]
            replaced = {_entry_slot(entry) for entry, _, _ in added}
            kept = [e for e in file.entries if _entry_slot(e) not in replaced]
            sources = {**file.sources, **{source_id: source for _, source_id, source in added}}
            entries = kept + [entry.model_copy(update={"source": source_id}) for entry, source_id, _ in added]
            try:
                files[family] = ParameterFile.model_validate(
                    {**file.model_dump(), "sources": sources, "entries": [e.model_dump() for e in entries]}
                )
            except ValidationError as exc:
                raise ParameterFileError(_validation_message(Path(f"{family} (with entered values)"), exc)) from exc
        return ParameterSet(files.values(), self.plans.values())

    def __contains__(self, parameter: str) -> bool:
        return parameter in self.files

    def families(self) -> list[str]:
        return sorted(self.files)

    def entries(self, parameter: str) -> list[Entry]:
        return list(self._file(parameter).entries)

    def _file(self, parameter: str) -> ParameterFile:
        try:
            return self.files[parameter]
        except KeyError:
            raise ParameterNotFound(
                f"unknown parameter '{parameter}'; known families: {', '.join(self.families())}"
            ) from None

    def at(self, parameter: str, *, period: PeriodLike = None, edition: str | None = None, **key: Any) -> Cited:
        """The value of ``parameter[key]`` in force at ``period`` (its first day) and ``edition``."""
        file = self._file(parameter)
        if set(key) != set(file.keys):
            raise ParameterNotFound(f"parameter '{parameter}' is keyed by {file.keys}; asked with {sorted(key)}")
        day = period_start(period)
        candidates = self._index.get((parameter, _key_tuple(key)), [])
        described = _describe(parameter, key, day, edition)
        # What is missing, for a month that waits for it: the family, the key and the day asked for.
        named: dict[str, Any] = {
            "title": Bilingual(file.title.get("zh", parameter), file.title.get("en", parameter)),
            "family": parameter,
            "key": dict(key),
            "day": day.isoformat() if day else None,
            "edition": edition,
        }
        if not candidates:
            raise ParameterNotFound(f"no entry for {described}", **named)
        if edition is not None:
            candidates = [e for e in candidates if e.edition == edition]
            if not candidates:
                known = sorted({str(e.edition) for e in self._index[(parameter, _key_tuple(key))]})
                raise ParameterNotFound(f"no entry for {described}; editions held: {', '.join(known)}", **named)
        if day is not None:
            candidates = [e for e in candidates if _in_force(e, day)]
            if not candidates:
                raise ParameterNotFound(f"nothing in force for {described}", **named)
        if len(candidates) > 1:
            options = "; ".join(f"edition {e.edition}, {e.valid_from} to {e.valid_to or 'open'}" for e in candidates)
            raise ParameterNotFound(f"{described} is ambiguous ({options}): name a period or an edition")
        entry = candidates[0]
        if entry.value is None:
            raise ParameterValueMissing(
                f"{described} has no official value in carbonpeak ({entry.status}). "
                f"{entry.note or ''} An administrator can enter the official value with its citation.".strip(),
                **named,
            )
        assert entry.confidence is not None  # guaranteed by the schema for entries with a value
        return Cited(
            parameter=parameter,
            key=dict(key),
            value=entry.value,
            unit=entry.unit,
            confidence=entry.confidence,
            source=file.sources[entry.source],
            edition=entry.edition,
            valid_from=entry.valid_from,
            valid_to=entry.valid_to,
            note=entry.note,
            title=file.title,
        )

    def value(self, parameter: str, *, period: PeriodLike = None, edition: str | None = None, **key: Any) -> Any:
        return self.at(parameter, period=period, edition=edition, **key).value

    def targets(self) -> Iterator[tuple[Plan, Target]]:
        for plan in self.plans.values():
            for target in plan.targets:
                yield plan, target


def _key_tuple(key: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, str(v)) for k, v in key.items()))


def _entry_slot(entry: Entry) -> tuple[Any, ...]:
    """What one entry occupies: its key, edition and validity period."""
    return (_key_tuple(entry.key), entry.edition, entry.valid_from, entry.valid_to)


def _in_force(entry: Entry, day: dt.date) -> bool:
    return (entry.valid_from is None or entry.valid_from <= day) and (entry.valid_to is None or day <= entry.valid_to)


def _describe(parameter: str, key: dict[str, Any], day: dt.date | None, edition: str | None) -> str:
    keys = ", ".join(f"{k}={v}" for k, v in key.items())
    text = f"parameter '{parameter}'" + (f" [{keys}]" if keys else "")
    if edition:
        text += f", edition {edition}"
    if day:
        text += f", period starting {day.isoformat()}"
    return text


def _load_file(path: Path) -> ParameterFile | Plan:
    raw = read_yaml(path)
    model: type[ParameterFile] | type[Plan] = Plan if path.parent.name == "targets" else ParameterFile
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        raise ParameterFileError(_validation_message(path, exc)) from exc
    if isinstance(parsed, ParameterFile):
        _check_units(path, parsed)
    return parsed


def _check_units(path: Path, file: ParameterFile) -> None:
    from carbonpeak.errors import UnitError
    from carbonpeak.units import parse_unit

    for index, entry in enumerate(file.entries):
        if entry.unit in ("rule", "text", "date", "code"):
            continue
        try:
            parse_unit(entry.unit)
        except UnitError as exc:
            raise ParameterFileError(f"{path}: entry {index} ({entry.key}): unknown unit '{entry.unit}'") from exc


def parameter_dir() -> Path:
    return Path(str(resources.files("carbonpeak.parameters")))


def load(extra_dirs: Iterable[Path] = ()) -> ParameterSet:
    """Load and validate every parameter file shipped with carbonpeak (plus ``extra_dirs``)."""
    if not extra_dirs:
        return _load_default()
    return _load_dirs([parameter_dir(), *extra_dirs])


@lru_cache(maxsize=1)
def _load_default() -> ParameterSet:
    return _load_dirs([parameter_dir()])


def _load_dirs(dirs: Iterable[Path]) -> ParameterSet:
    files: list[ParameterFile] = []
    plans: list[Plan] = []
    for directory in dirs:
        for path in sorted(Path(directory).rglob("*.yaml")):
            parsed = _load_file(path)
            (plans if isinstance(parsed, Plan) else files).append(parsed)  # type: ignore[arg-type]
    return ParameterSet(files, plans)
