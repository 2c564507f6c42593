"""The sector's units and number style, for every output a person reads: pages and reports.

2,060.37 万吨CO2e where the store holds 20,603,737 tCO2e. Canonical units stay inside; an output asks
:func:`quantity` for a value in its canonical unit, a scale (``total`` for a region, a year, a ranking;
``detail`` for a facility's month) and a language, and gets the number and the unit to show, from
``display_units.yaml`` beside this module (a deployment may give its own file, setting
``display_units``). A unit the table does not know is shown as it is, in its international symbol.

This is the pure part of :mod:`carbonpeak.web.display` (which adds the page's current language and
HTML); it sits here so that the reports (:mod:`carbonpeak.reports`), which must not import the web,
show the very same units as the cockpit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.numbers import parse_pattern

SCALES = ("total", "detail")
BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en"}
_table_path: str = ""  # empty: the shipped table


@dataclass(frozen=True)
class Shown:
    unit: str
    factor: float
    digits: int


def configure(path: str | None) -> None:
    """Use a deployment's own display table (a YAML file like ``display_units.yaml``); empty: the shipped one."""
    global _table_path
    _table_path = path or ""
    table.cache_clear()


@cache
def table() -> dict[str, dict[str, dict[str, Shown]]]:
    text = (
        Path(_table_path).read_text(encoding="utf-8")
        if _table_path
        else (resources.files("carbonpeak.io") / "display_units.yaml").read_text(encoding="utf-8")
    )
    raw = yaml.safe_load(text) or {}
    out: dict[str, dict[str, dict[str, Shown]]] = {}
    for lang, units in raw.items():
        out[lang] = {}
        for unit, scales in (units or {}).items():
            if set(scales) != set(SCALES):
                raise ValueError(f"display unit {unit!r} ({lang}) needs exactly the scales {SCALES}")
            out[lang][unit] = {scale: Shown(str(v[0]), float(v[1]), int(v[2])) for scale, v in scales.items()}
    return out


def shown(unit: str | None, scale: str, lang: str) -> Shown | None:
    """How a canonical unit is shown in ``lang`` at a scale; None: as it is."""
    if not unit:
        return None
    return table().get(lang, {}).get(unit, {}).get(scale)


def as_number(value: Any) -> float | None:
    """A finite float, or None for anything else (None, text, NaN, infinity)."""
    if value is None or isinstance(value, (str, bool)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(BABEL_LOCALE.get(lang, "zh_Hans_CN"))


@cache
def _pattern(pattern: str) -> Any:
    return parse_pattern(pattern)


def number(value: Any, digits: int | None, lang: str) -> str:
    """A number for reading: grouped, with as many decimals as its size needs (or ``digits``)."""
    if value is None or isinstance(value, str):
        return "—" if value in (None, "") else str(value)
    try:
        found = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(found) or math.isinf(found):
        return "—"
    if digits is None and found.is_integer() and abs(found) < 1e15:
        digits = 0
    if digits is None:
        size = abs(found)
        digits = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 1 else 3 if size >= 0.01 else 4
        if size == 0:
            digits = 0
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(_pattern(pattern).apply(found, _locale(lang)))


def quantity(value: Any, unit: str | None, scale: str, lang: str, digits: int | None = None) -> tuple[str, str | None]:
    """(number, unit shown) for ``value`` given in canonical ``unit``; the unit is None where the table
    does not know it (the caller names it as it is)."""
    found = as_number(value)
    how = shown(unit, scale, lang)
    if found is None:
        return number(value, digits, lang), (how.unit if how else None)
    if how is None:
        return number(found, digits, lang), None
    return number(found * how.factor, how.digits if digits is None else digits, lang), how.unit


def factor_of(unit: str | None, scale: str, lang: str) -> float:
    """What to multiply canonical values by for a chart's series in the shown unit."""
    how = shown(unit, scale, lang)
    return how.factor if how else 1.0
