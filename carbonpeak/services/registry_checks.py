"""Field checks of registry records, driven by the field tables (:mod:`carbonpeak.io.registry_fields`).

:func:`parse` turns a plain record (from a form, the API, the CLI or a row of the bulk file) into typed
values and lists EVERY problem as a coded :class:`InputError` naming the field, the value and where it
came from (file, sheet, row or record). Checks against the store (duplicates, references, scope) are
the use cases' (:mod:`carbonpeak.services.registry`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carbonpeak.errors import InputError
from carbonpeak.io.fields import FieldSpec
from carbonpeak.io.registry_fields import GREEN_LEVELS, LEVELS, STATUSES, fields
from carbonpeak.uscc import CHARSET, check_character
from carbonpeak.vocabulary import REGIONS, SECTOR_LABELS

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
PHONE = re.compile(r"[0-9+\-() ]+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NUMBER = re.compile(r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
TRUE = {"1", "true", "yes", "y", "是", "√", "x"}
FALSE = {"0", "false", "no", "n", "否", ""}


@dataclass
class Where:
    """Where a record came from, copied into each of its errors."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    record: str | None = None

    def error(self, code: str, name: str | None, value: Any = None, **params: Any) -> InputError:
        return InputError(
            code=code,
            field=name,
            value=_shown(value),
            file=self.file,
            sheet=self.sheet,
            row=self.row,
            record=None if self.row is not None else self.record,
            **params,
        )


@dataclass
class Parsed:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)


def blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def parse(kind: str, record: Mapping[str, Any], where: Where, *, partial: bool = False) -> Parsed:
    """The record's fields as typed values (absent or empty -> None) with every problem found.

    ``partial``: only the fields present are read and required fields may be absent (a change).
    Unknown field names are refused."""
    specs = fields(kind)
    out = Parsed()
    for name in record:
        if name not in specs:
            out.errors.append(where.error("registry.unknown_field", name, name, fields=list(specs)))
    for name, spec in specs.items():
        if partial and name not in record:
            continue
        value = record.get(name)
        if blank(value):
            if spec.required:
                out.errors.append(where.error("registry.required", name))
            out.values[name] = None
            continue
        try:
            out.values[name] = _value(spec, value, where)
        except InputError as exc:
            out.errors.append(exc)
    return out


def _value(spec: FieldSpec, value: Any, where: Where) -> Any:
    name, kind = spec.name, spec.dtype
    if kind in ("int", "float"):
        number = _number(value)
        if number is None or (kind == "int" and number != int(number)):
            raise where.error("registry.not_a_number" if kind == "float" else "registry.not_an_integer", name, value)
        if spec.minimum is not None and number < spec.minimum:
            if name == "capacity_t_per_a":
                raise where.error("registry.capacity_negative", name, value)
            raise where.error(
                "registry.out_of_range", name, value, minimum=_bound(spec.minimum), maximum=_bound(spec.maximum)
            )
        if spec.maximum is not None and number > spec.maximum:
            raise where.error(
                "registry.out_of_range", name, value, minimum=_bound(spec.minimum), maximum=_bound(spec.maximum)
            )
        return int(number) if kind == "int" else float(number)
    if kind == "date":
        return _date(value, name, where)
    if kind == "bool":
        text = str(value).strip().casefold() if not isinstance(value, bool | int | float) else str(int(value))
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise where.error("registry.not_yes_no", name, value)
    text = _text(value)
    if spec.maximum is not None and kind in ("str", "code", "phone", "email") and len(text) > spec.maximum:
        raise where.error("registry.too_long", name, None, limit=_bound(spec.maximum))  # never echo a huge text
    if kind == "code":
        if not CODE.fullmatch(text):
            raise where.error("registry.code_invalid", name, text)
        return text
    if kind == "uscc":
        return _uscc(text.upper(), name, where)
    if kind == "phone":
        if not PHONE.fullmatch(text) or sum(c.isdigit() for c in text) < 5:
            raise where.error("registry.phone_invalid", name, text)
        return text
    if kind == "email":
        if not EMAIL.fullmatch(text):
            raise where.error("registry.email_invalid", name, text)
        return text
    if kind == "level":
        return _choice(
            text,
            LEVELS,
            name,
            where,
            "registry.unknown_level",
            extra={"省级": "province", "市级": "city", "县级": "county", "区": "county"},
        )
    if kind == "status":
        return _choice(
            text,
            STATUSES,
            name,
            where,
            "registry.unknown_status",
            extra={"停产/闲置": "idle", "闲置": "idle", "在产": "operating", "关停": "retired"},
        )
    if kind == "green_level":
        return _choice(
            text,
            GREEN_LEVELS,
            name,
            where,
            "registry.unknown_green_level",
            extra={"国家": "national", "省": "provincial"},
        )
    if kind == "sector":
        labels = {s.value: pair for s, pair in SECTOR_LABELS.items()}
        return _choice(text, labels, name, where, "registry.unknown_sector")
    if kind == "regions":
        codes = [c.strip() for c in re.split(r"[,，、;；\s]+", text) if c.strip()]
        return list(dict.fromkeys(codes))
    if kind == "province":
        provinces = {r.code: (r.zh, r.en) for r in REGIONS.values() if r.level == "provincial"}
        return _choice(text, provinces, name, where, "registry.unknown_province")
    return text  # str and references (region, park, enterprise), resolved by the use case


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code a spreadsheet stored as a number (610000.0)
    return str(value).strip()


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip().replace(" ", "")
    # Only a dot is a decimal mark (1,200.5 is 1200.5); 1.200,5 is refused, never read as 1.2005.
    if not NUMBER.fullmatch(text):
        return None
    number = float(text.replace(",", ""))
    return number if math.isfinite(number) else None


def _date(value: Any, name: str, where: Where) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise where.error("registry.not_a_date", name, value) from None


def _choice(
    text: str,
    options: Mapping[str, tuple[str, str]],
    name: str,
    where: Where,
    code: str,
    extra: Mapping[str, str] | None = None,
) -> str:
    wanted = text.casefold()
    for key, (zh, en) in options.items():
        if wanted in (key.casefold(), zh.casefold(), en.casefold()):
            return key
    if extra and text in extra:
        return extra[text]
    raise where.error(code, name, text, allowed=[f"{k}（{zh}）" for k, (zh, _) in options.items()])


def _uscc(code: str, name: str, where: Where) -> str:
    if len(code) != 18:
        raise where.error("registry.uscc_length", name, code, length=len(code))
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        raise where.error("registry.uscc_characters", name, code, characters="".join(bad))
    expected = check_character(code[:17])
    if code[17] != expected:
        raise where.error("registry.uscc_check", name, code, given=code[17], expected=expected)
    return code


def _bound(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _shown(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def facility_dates(values: Mapping[str, Any], where: Where) -> list[InputError]:
    """The facility's dates agree: retired not before commissioning, the commissioning day in its year,
    a retired facility dated."""
    problems: list[InputError] = []
    year, day = values.get("commissioning_year"), values.get("commissioned_on")
    if year is not None and day is not None and day.year != year:
        problems.append(where.error("registry.commissioning_mismatch", "commissioned_on", day, year=year))
    start = day or (dt.date(int(year), 1, 1) if year is not None else None)
    retired = values.get("retired_on")
    if retired is not None and start is not None and retired < start:
        problems.append(
            where.error(
                "registry.retired_before_commissioning", "retired_on", retired, commissioned=_shown(day or year)
            )
        )
    if values.get("status") == "retired" and retired is None and values.get("status_since") is None:
        problems.append(where.error("registry.retired_needs_date", "retired_on"))
    since = values.get("status_since")
    if since is not None and start is not None and since < start and values.get("status") in ("idle", "retired"):
        problems.append(
            where.error("registry.status_before_commissioning", "status_since", since, commissioned=day or year)
        )
    return problems
