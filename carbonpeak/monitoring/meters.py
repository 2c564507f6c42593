"""What a meter record may say, and the checks of a plain meter record (from the CLI, a form or a file).

A meter belongs to a facility and measures one energy type (electricity, heat, water, or one fuel of the
national fuel table, :data:`carbonpeak.vocabulary.FUELS`) at one measuring point: the whole plant, a
process, a line, or, for a potline, the electrolysis AC supply. It sends either a cumulative register or
interval values, every 15 minutes by default (30 min or 1 h allowed: anchors-next §1.2). Its unit is one
of those its energy type is counted in; the multiplier (a transformer ratio, say) turns what it sends into
that unit.

:func:`parse` returns typed values and EVERY problem as a coded :class:`~carbonpeak.errors.InputError`
(texts in ``messages/monitoring.yaml``); checks against the store (the facility, its sector, a duplicate
code, scope) are the use case's (:mod:`carbonpeak.services.monitoring`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carbonpeak import messages
from carbonpeak.errors import InputError
from carbonpeak.monitoring.readings import DEFAULT_INTERVAL_MIN, INTERVALS_MIN
from carbonpeak.vocabulary import FUELS

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
MEASURING_POINTS = ("plant", "process", "line", "electrolysis_ac")
READING_KINDS = ("register", "interval")
STATUSES = ("active", "inactive", "retired")
POTLINE_SECTOR = "electrolytic_aluminium"

# The units each energy type may be metered in (the fuels: by the unit of the national fuel table).
UNITS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "electricity": ("kWh", "MWh"),
    "heat": ("GJ", "MJ"),
    "water": ("t", "m3"),
}
for _fuel in FUELS.values():
    UNITS_BY_TYPE[_fuel.code] = ("t", "kg") if _fuel.unit == "t" else ("Nm3", "wan_Nm3")
ENERGY_TYPES = tuple(UNITS_BY_TYPE)

FIELDS = (
    "meter_code",
    "facility_code",
    "name_zh",
    "energy_type",
    "measuring_point",
    "unit",
    "multiplier",
    "reading_kind",
    "interval_min",
    "rollover_at",
    "calibration_due",
    "status",
)
REQUIRED = ("meter_code", "facility_code", "name_zh", "energy_type", "measuring_point", "unit", "reading_kind")
DEFAULTS: dict[str, Any] = {"multiplier": 1.0, "interval_min": DEFAULT_INTERVAL_MIN, "status": "active"}


# Field labels are looked up by name across the platform: the meters name only their own fields, so that
# "unit" or "status" in another form's error keeps its own label (单位, not 计量单位).
_OWN_FIELDS = frozenset(FIELDS) - {"facility_code", "name_zh", "unit", "status"}


def _label(name: str, lang: str) -> str | None:
    code = f"monitoring.field.{name}"
    return messages.render(code, lang) if name in _OWN_FIELDS and messages.known(code) else None


messages.register_labels(_label)


@dataclass
class Parsed:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse(record: Mapping[str, Any], *, record_name: str | None = None, partial: bool = False) -> Parsed:
    """Typed values of a meter record and every problem in it. ``partial``: a change, where fields not
    given keep their values (so nothing is required and no default is filled in)."""
    out = Parsed()

    def error(code: str, name: str, value: Any = None, **params: Any) -> None:
        shown = None if value is None else str(value)
        out.errors.append(InputError(code=code, field=name, value=shown, record=record_name, **params))

    for name in record:
        if name not in FIELDS:
            error("monitoring.unknown_field", name, fields=", ".join(FIELDS))
    given = {k: (v.strip() if isinstance(v, str) else v) for k, v in record.items() if k in FIELDS}
    if not partial:
        for name in REQUIRED:
            if _blank(given.get(name)):
                error("monitoring.required", name)
        for name, default in DEFAULTS.items():
            if _blank(given.get(name)):
                given[name] = default
    values = out.values
    for name, raw in given.items():
        if _blank(raw):
            if name in ("rollover_at", "calibration_due"):
                values[name] = None
            continue
        if name in ("meter_code", "facility_code"):
            text = str(raw)
            if not CODE.fullmatch(text) or len(text) > 60:
                error("monitoring.code_invalid", name, text)
            else:
                values[name] = text
        elif name == "name_zh":
            values[name] = str(raw)[:200]
        elif name == "energy_type":
            _choice(values, error, name, raw, ENERGY_TYPES)
        elif name == "measuring_point":
            _choice(values, error, name, raw, MEASURING_POINTS)
        elif name == "reading_kind":
            _choice(values, error, name, raw, READING_KINDS)
        elif name == "status":
            _choice(values, error, name, raw, STATUSES)
        elif name == "unit":
            values[name] = str(raw)
        elif name in ("multiplier", "rollover_at"):
            number = _number(raw)
            if number is None:
                error("monitoring.not_a_number", name, raw)
            elif number <= 0:
                error("monitoring.not_positive", name, raw)
            else:
                values[name] = number
        elif name == "interval_min":
            number = _number(raw)
            if number is None or number not in INTERVALS_MIN:
                error("monitoring.interval_invalid", name, raw, allowed=", ".join(map(str, INTERVALS_MIN)))
            else:
                values[name] = int(number)
        elif name == "calibration_due":
            day = _date(raw)
            if day is None:
                error("monitoring.not_a_date", name, raw)
            else:
                values[name] = day
    return out


# The fields whose values are codes with a name in each language (a form or a file may give either).
_WORDS = {
    "energy_type": ("energy", ENERGY_TYPES),
    "measuring_point": ("point", MEASURING_POINTS),
    "reading_kind": ("kind", READING_KINDS),
    "status": ("status", STATUSES),
}


def choice_labels(name: str, lang: str) -> dict[str, str]:
    """code -> its name in ``lang`` for a field with a fixed list of codes (``energy_type``,
    ``measuring_point``, ``reading_kind``, ``status``): a fuel's from the national fuel table, else the
    catalog's (``monitoring.energy.*``, ...); a code without a name stands for itself."""
    kind, codes = _WORDS[name]
    out: dict[str, str] = {}
    for code in codes:
        if name == "energy_type" and code in FUELS:
            out[code] = FUELS[code].zh if lang == "zh" else FUELS[code].en
            continue
        key = f"monitoring.{kind}.{code}"
        out[code] = messages.render(key, lang) if messages.known(key) else code
    return out


def coded(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record with a name of a code (电力, 厂区总表, 在用 ... or the English names) replaced by the code,
    so that a person may fill in either; anything else is left for :func:`parse` to judge."""
    out = dict(record)
    for name in _WORDS:
        raw = out.get(name)
        if not isinstance(raw, str):
            continue
        text = raw.strip().casefold()
        for lang in ("zh", "en"):
            for code, label in choice_labels(name, lang).items():
                if text == label.casefold() and text != code:
                    out[name] = code
    return out


def combined(values: Mapping[str, Any], record_name: str | None = None) -> list[InputError]:
    """Checks across fields of the complete record: the unit fits the energy type, a rollover only on a
    register, electrolysis AC only for electricity."""
    errors: list[InputError] = []
    energy, unit = values.get("energy_type"), values.get("unit")
    if energy in UNITS_BY_TYPE and unit is not None and unit not in UNITS_BY_TYPE[energy]:
        allowed = ", ".join(UNITS_BY_TYPE[energy])
        errors.append(
            InputError(code="monitoring.unit_invalid", field="unit", value=unit, record=record_name, allowed=allowed)
        )
    if values.get("rollover_at") is not None and values.get("reading_kind") == "interval":
        errors.append(InputError(code="monitoring.rollover_needs_register", field="rollover_at", record=record_name))
    if values.get("measuring_point") == "electrolysis_ac" and energy not in (None, "electricity"):
        errors.append(
            InputError(
                code="monitoring.electrolysis_ac_electricity", field="measuring_point", value=energy, record=record_name
            )
        )
    return errors


def _choice(values: dict[str, Any], error: Any, name: str, raw: Any, allowed: tuple[str, ...]) -> None:
    text = str(raw)
    if text in allowed:
        values[name] = text
    else:
        error("monitoring.not_allowed", name, text, allowed=", ".join(allowed))


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        number = float(str(raw).replace(",", "")) if not isinstance(raw, int | float) else float(raw)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None
