"""The sector's units and number style on pages: 2,060.37 万吨CO2e where the store holds 20,603,737 tCO2e.

Canonical units stay inside; a page asks :func:`quantity` for a value in its canonical unit and a scale
(``total`` for a region, a year, a ranking; ``detail`` for a facility's month) and gets the number and the
unit to show in the current language, from ``carbonpeak/io/display_units.yaml`` (a deployment may give its
own file, setting ``display_units``). A unit the table does not know is shown as it is, in its
international symbol. The table and the arithmetic are :mod:`carbonpeak.io.display_units` (shared with
the reports); this module adds the page's language and HTML.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from carbonpeak.io import display_units
from carbonpeak.io.display_units import SCALES, Shown, configure, table
from carbonpeak.web import i18n

__all__ = ["SCALES", "Shown", "configure", "table"]


def shown(unit: str | None, scale: str = "detail") -> Shown | None:
    """How a canonical unit is shown in the current language at a scale; None: as it is."""
    return display_units.shown(unit, scale, i18n.current_lang())


_number = display_units.as_number


def quantity(value: Any, unit: str | None, scale: str = "detail", digits: int | None = None) -> tuple[str, str]:
    """(number, unit) as the current language shows ``value`` given in canonical ``unit``."""
    number, shown_unit = display_units.quantity(value, unit, scale, i18n.current_lang(), digits)
    if shown_unit is None:
        return number, labels_unit(unit) if _number(value) is not None else (unit or "")
    return number, shown_unit


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
