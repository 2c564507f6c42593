"""The one unit registry (pint), used at the boundary only.

Inside carbonpeak every quantity is a plain float in its canonical unit, named in the variable
(``_t``, ``_mwh``, ``_gj``, ``_tce``, ``_tco2e``). Data entering from files or forms is converted
here; a unit of the wrong dimension is an error naming the field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import pint

from carbonpeak.errors import UnitError

# Spellings users type that pint cannot parse as they stand (Chinese counting unit 万, ^ for powers).
_ALIASES = {
    "万Nm3": "wan_Nm3",
    "万m3": "wan_Nm3",
    "万立方米": "wan_Nm3",
    "万kWh": "wan_kWh",
    "万千瓦时": "wan_kWh",
    "万吨": "wan_t",
    "万元": "wan_yuan",
    "吨": "t",
    "千瓦时": "kWh",
    "兆瓦时": "MWh",
    "吉焦": "GJ",
    "元": "yuan",
    "%": "percent",
}


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    """The carbonpeak unit registry: pint's defaults plus ``units.txt`` (tce, tCO2e, Nm3 ...)."""
    ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)  # type: ignore[type-arg]
    definitions = resources.files("carbonpeak").joinpath("units.txt").read_text(encoding="utf-8")
    for line in definitions.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            ureg.define(line)
    return ureg


def normalise_unit_text(unit: str) -> str:
    """Turn a unit as people write it ("10^4 Nm3", "万kWh", "t CO2e/t") into pint syntax."""
    text = unit.strip()
    for alias, replacement in sorted(_ALIASES.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(alias, replacement)
    text = re.sub(r"10\^(\d+)", r"1e\1", text)
    text = text.replace("^", "**").replace("·", "*").replace("×", "*")
    text = re.sub(r"\bt\s*CO2e?\b", "tCO2e", text)
    text = re.sub(r"\bkg\s*CO2e?\b", "kgCO2e", text)
    return text


def parse_unit(unit: str) -> pint.Quantity:  # type: ignore[type-arg]
    """Parse a unit string into a pint quantity (magnitude carries a scale such as 1e4)."""
    ureg = registry()
    try:
        quantity = ureg.parse_expression(normalise_unit_text(unit))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, SyntaxError, ValueError) as exc:
        raise UnitError("unknown unit", value=unit, expected="a unit such as t, MWh, GJ, 10^4 Nm3") from exc
    if not isinstance(quantity, ureg.Quantity):  # a bare number such as "1"
        quantity = ureg.Quantity(quantity, "dimensionless")
    return quantity


def conversion_factor(from_unit: str, to_unit: str, *, field: str | None = None) -> float:
    """Multiplier taking a value in ``from_unit`` to ``to_unit``; raises if the dimensions differ."""
    if from_unit == to_unit:
        return 1.0
    try:
        return _cached_factor(from_unit, to_unit)
    except UnitError as exc:
        if field is None:
            raise
        raise UnitError(exc.detail, field=field, value=exc.value, expected=exc.expected) from None


@lru_cache(maxsize=4096)
def _cached_factor(from_unit: str, to_unit: str) -> float:
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    try:
        return float((source / target).to("dimensionless").magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(
            f"unit '{from_unit}' has dimension {source.dimensionality}, which cannot be converted",
            value=from_unit,
            expected=f"a quantity convertible to {to_unit}",
        ) from exc


def to_canonical(value: Any, unit: str, canonical_unit: str, *, field: str | None = None) -> float:
    """Convert one number in ``unit`` to ``canonical_unit``."""
    return float(value) * conversion_factor(unit, canonical_unit, field=field)
