"""Loader for the published-value cases in this folder (DESIGN.md, "Tests against published values").

Each YAML holds a list of cases, or a mapping of group name → list. A case has ``name``, ``inputs``,
``parameters`` (inline ``{value}`` or cited ``{family, key, edition|period, value}``), ``expected``
(``{output: {value, unit}}``), ``tolerance`` (``relative`` or ``absolute``, with ``why``) and ``source``
(``kind``, ``from``; ``arithmetic`` when hand-calculated). Test modules call the engine explicitly.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

KINDS = {"published-example", "published-output", "reference-program", "hand-calculated"}


@dataclass(frozen=True)
class Case:
    name: str
    inputs: dict[str, Any]
    expected: dict[str, dict[str, Any]]
    tolerance: dict[str, Any]
    source: dict[str, Any]
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)

    def parameter_values(self, params: Any) -> dict[str, Any]:
        """Values by name; a cited one is read through load() and must equal what the case assumes."""
        for name, spec in self.parameters.items():
            if "family" in spec:
                held = params.at(
                    spec["family"], period=spec.get("period"), edition=spec.get("edition"), **spec.get("key", {})
                ).value
                assert held == spec["value"], (
                    f"{spec['family']} holds {held!r}; case '{self.name}' assumes {name}={spec['value']!r}"
                )
        return {name: spec["value"] for name, spec in self.parameters.items()}

    def approx(self, output: str) -> Any:
        """The expected value of ``output`` with the case's (or that output's own) tolerance."""
        expected = self.expected[output]
        tolerance = expected.get("tolerance", self.tolerance)
        return pytest.approx(
            expected["value"], rel=tolerance.get("relative"), abs=tolerance.get("absolute"), nan_ok=True
        )


def _check(case: Case, where: str) -> None:
    """Refuse a case without a known source kind, a reasoned tolerance, units, or shown arithmetic."""
    problems = []
    if case.source.get("kind") not in KINDS:
        problems.append(f"source.kind {case.source.get('kind')!r} is not one of {sorted(KINDS)}")
    if case.source.get("kind") == "hand-calculated" and not case.source.get("arithmetic"):
        problems.append("a hand-calculated case must show its arithmetic in source.arithmetic")
    for tolerance in [case.tolerance, *(e["tolerance"] for e in case.expected.values() if "tolerance" in e)]:
        if len({"relative", "absolute"} & set(tolerance)) != 1 or not tolerance.get("why"):
            problems.append(f"tolerance {tolerance} needs exactly one of relative/absolute and a 'why'")
    problems += [
        f"expected '{key}' lacks a value or a unit"
        for key, expected in case.expected.items()
        if {"value", "unit"} - set(expected)
    ]
    if problems:
        raise ValueError(f"{where}, case '{case.name}': " + "; ".join(problems))


def load_cases(filename: str, group: str | None = None) -> list[Any]:
    """The cases of one YAML file (or one group of it) as pytest params with the case name as id."""
    data = yaml.safe_load((Path(__file__).parent / filename).read_text(encoding="utf-8"))
    cases = [Case(**raw) for raw in (data if group is None else data[group])]
    for case in cases:
        _check(case, filename)
    return [pytest.param(case, id=case.name) for case in cases]
