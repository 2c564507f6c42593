"""The sector's units and number style on pages: 2,060.37 万吨CO2e where the store holds 20,603,737 tCO2e.

Canonical units stay inside; a page asks :func:`quantity` for a value in its canonical unit and a scale
(``total`` for a region, a year, a ranking; ``detail`` for a facility's month) and gets the number and the
unit to show in the current language, from ``display_units.yaml`` (a deployment may give its own file,
setting ``display_units``). A unit the table does not know is shown as it is, in its international symbol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup, escape

from carbonpeak.web import i18n

SCALES = ("total", "detail")
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
        else (resources.files("carbonpeak.web") / "display_units.yaml").read_text(encoding="utf-8")
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


def shown(unit: str | None, scale: str = "detail") -> Shown | None:
    """How a canonical unit is shown in the current language at a scale; None: as it is."""
    if not unit:
        return None
    return table().get(i18n.current_lang(), {}).get(unit, {}).get(scale)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, (str, bool)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def quantity(value: Any, unit: str | None, scale: str = "detail", digits: int | None = None) -> tuple[str, str]:
    """(number, unit) as the current language shows ``value`` given in canonical ``unit``."""
    number = _number(value)
    how = shown(unit, scale)
    if number is None:
        return i18n.num(value, digits), (how.unit if how else unit or "")
    if how is None:
        return i18n.num(number, digits), labels_unit(unit)
    return i18n.num(number * how.factor, how.digits if digits is None else digits), how.unit


def labels_unit(unit: str | None) -> str:
    from carbonpeak.web.labels import unit as label

    return label(unit)


def qty(value: Any, unit: str | None, scale: str = "detail", digits: int | None = None) -> Markup:
    """A quantity for a page: the number and its unit in a ``<span class="u">``."""
    number, shown_unit = quantity(value, unit, scale, digits)
    if value is None or not shown_unit:
        return Markup(escape(number))
    return Markup(f'{escape(number)}<span class="u">{escape(shown_unit)}</span>')


def qty_text(value: Any, unit: str | None, scale: str = "detail", digits: int | None = None) -> str:
    """A quantity as plain text ("2,060.37 万吨CO2e"), for charts' labels and the one-line answers."""
    number, shown_unit = quantity(value, unit, scale, digits)
    if value is None or not shown_unit:
        return number
    return f"{number}{shown_unit}" if i18n.current_lang() == "zh" else f"{number} {shown_unit}"


def unit_of(unit: str | None, scale: str = "detail") -> str:
    """The unit a column of ``unit`` values is shown in (a table's header, a chart's axis)."""
    how = shown(unit, scale)
    return how.unit if how else labels_unit(unit)


def factor_of(unit: str | None, scale: str = "detail") -> float:
    """What to multiply canonical values by for a chart's series in the shown unit."""
    how = shown(unit, scale)
    return how.factor if how else 1.0


def points(value: Any, digits: int = 1) -> str:
    """A difference of two shares in percentage points: +1.2个百分点 / +1.2 percentage points."""
    number = _number(value)
    if number is None:
        return "—"
    how = shown("pp")
    word = how.unit if how else "pp"
    sign = "+" if number > 0 else ""
    text = f"{sign}{i18n.num(number, digits)}"
    return f"{text}{word}" if i18n.current_lang() == "zh" else f"{text} {word}"


_COMPARATORS = {
    ">=": ("≥", "不低于"),
    ">": (">", "高于"),
    "<=": ("≤", "不高于"),
    "<": ("<", "低于"),
    "==": ("=", "等于"),
}


def target(comparator: str, value: Any, unit: str = "%", words: bool = False) -> str:
    """A target as the plans write it: ≥24% (or 不低于24% with ``words``); ``unit`` as written after it."""
    number = _number(value)
    shown_value = i18n.num(number) if number is not None else str(value)
    sign, word = _COMPARATORS.get(comparator, (comparator, comparator))
    lead = word if words and i18n.current_lang() == "zh" else sign
    return f"{lead}{shown_value}{unit}"


def year(value: Any) -> str:
    """A year without a thousands separator (2030, not 2,030)."""
    number = _number(value)
    return str(int(number)) if number is not None else ("—" if value in (None, "") else str(value))
