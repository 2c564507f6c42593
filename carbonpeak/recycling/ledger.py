"""The checks of a scrap intake file: every problem of every row at once, each a coded error naming the file,
sheet, row, column and what was expected (texts in ``carbonpeak/messages/recycling.yaml``).

Pure: it takes the rows read (:mod:`carbonpeak.io.scrap_file`) and the metal of each facility the person may
report for (from the registry, read by the use case), and returns each casthouse-month's lots and outputs in
canonical form, or the errors. Who may report, and the month's state, are the use case's checks.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from carbonpeak.errors import InputError
from carbonpeak.io.scrap_fields import CHOICE_TYPES, fields, gbt38472_grades, words
from carbonpeak.io.scrap_file import Read, Sheet
from carbonpeak.messages import Message

PERIOD = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")
# the metal of a recycled-metal sector (the registry's sector of a casthouse)
SECTOR_METAL = {"recycled_aluminium": "aluminium", "recycled_copper": "copper"}


@dataclass
class Month:
    """One casthouse-month as read: its lots and outputs (canonical dicts), and where each came from."""

    facility: str
    period: str
    lots: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    where: list[tuple[str, str, int]] = field(default_factory=list)  # (file, sheet, row) of its first row


@dataclass
class Checked:
    months: dict[tuple[str, str], Month] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(float(value)) else None
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice_labels(kind: str) -> str:
    return "、".join(w.zh for w in words(kind).values())


def _row(sheet: Sheet, number: int, record: dict[str, Any], errors: list[InputError]) -> dict[str, Any] | None:
    """One row's values in canonical form, or None after adding its problems to ``errors``."""
    out: dict[str, Any] = {}
    problems: list[InputError] = []

    def problem(code: str, name: str, value: Any = None, **params: Any) -> None:
        problems.append(
            InputError(code=code, file=sheet.file, sheet=sheet.name, row=number, field=name, value=value, **params)
        )

    for spec in fields(sheet.kind).values():
        value = record.get(spec.name)
        if _blank(value):
            if spec.required:
                problem("recycling.required", spec.name)
            elif spec.dtype == "float":
                out[spec.name] = 0.0  # an optional figure not given is none
            continue
        if spec.dtype == "float":
            amount = _number(value)
            if amount is None:
                problem("recycling.not_a_number", spec.name, value, unit=spec.unit or "—")
                continue
            low, high = spec.minimum, spec.maximum
            positive = spec.name in ("mass_t", "metal_yield")  # a lot of nothing, or a yield of zero, is no lot
            if (low is not None and (amount < low or (positive and amount <= low))) or (
                high is not None and amount > high
            ):
                expected = Message(
                    "recycling.expected_range_open" if positive else "recycling.expected_range",
                    low=f"{low:g}",
                    high=f"{high:g}",
                    unit=f" {spec.unit}" if spec.unit else "",
                )
                problem("recycling.out_of_range", spec.name, value, range=expected)
                continue
            out[spec.name] = amount
        elif spec.dtype == "period":
            # a date cell gives its month; text is read as written
            text = f"{value.year:04d}-{value.month:02d}" if isinstance(value, dt.date) else _text(value)[:7]
            if not PERIOD.match(text):
                problem("recycling.bad_period", spec.name, value)
                continue
            out[spec.name] = text
        elif spec.dtype in CHOICE_TYPES:
            kind = CHOICE_TYPES[spec.dtype]
            wanted = _text(value).casefold()
            code = next(
                (
                    w.code
                    for w in words(kind).values()
                    if wanted in (w.code.casefold(), w.zh.casefold(), w.en.casefold())
                ),
                None,
            )
            if code is None:
                problem("recycling.not_in_list", spec.name, value, choices=_choice_labels(kind))
                continue
            out[spec.name] = code
        else:
            text = _text(value)
            if spec.maximum is not None and len(text) > spec.maximum:
                problem("recycling.too_long", spec.name, limit=int(spec.maximum))
                continue
            out[spec.name] = text
    if sheet.kind == "lots" and not problems:
        _lot_rules(out, problem)
    errors += problems
    return None if problems else out


def _lot_rules(lot: dict[str, Any], problem: Any) -> None:
    if lot["grade_scheme"] == "gbt38472_2023":
        grades = gbt38472_grades()
        if not grades:
            problem("recycling.grade_not_configured", "grade", lot["grade"])
        else:
            wanted = lot["grade"].casefold()
            code = next((g.code for g in grades.values() if wanted in (g.code.casefold(), g.zh.casefold())), None)
            if code is None:
                problem(
                    "recycling.not_in_list", "grade", lot["grade"], choices="、".join(g.zh for g in grades.values())
                )
            else:
                lot["grade"] = code
    if lot["origin"] == "imported_conforming" and not lot.get("customs_declaration"):
        problem("recycling.customs_required", "customs_declaration")


def check(read: Read, metals: dict[str, str]) -> Checked:
    """The casthouse-months of a file, or every problem in it. ``metals``: facility code → metal (aluminium,
    copper) of the facilities the person may report for; a facility not in it is refused by the use case before
    this runs (its rows are not looked at here)."""
    out = Checked(errors=list(read.errors))
    seen_lots: dict[tuple[str, str, str], int] = {}
    seen_outputs: dict[tuple[str, str, str], int] = {}
    products = words("products")
    for kind in ("lots", "outputs"):
        for sheet, number, record in read.rows(kind):
            row = _row(sheet, number, record, out.errors)
            if row is None:
                continue
            key = (row["facility_id"], row["period"])
            metal = metals.get(row["facility_id"])
            if metal is None:  # not a casthouse: refused by the use case (recycling.not_a_casthouse)
                continue
            if products[row["product"]].metal != metal:
                out.errors.append(
                    InputError(
                        code="recycling.product_metal",
                        file=sheet.file,
                        sheet=sheet.name,
                        row=number,
                        field="product",
                        value=products[row["product"]].zh,
                        metal=Message(f"recycling.metal.{metal}"),
                    )
                )
                continue
            month = out.months.setdefault(key, Month(*key, where=[(sheet.file, sheet.name, number)]))
            if kind == "lots":
                lot_key = (*key, row["lot"])
                if lot_key in seen_lots:
                    out.errors.append(
                        InputError(
                            code="recycling.duplicate_lot",
                            file=sheet.file,
                            sheet=sheet.name,
                            row=number,
                            field="lot",
                            value=row["lot"],
                            first=seen_lots[lot_key],
                        )
                    )
                    continue
                seen_lots[lot_key] = number
                month.lots.append({k: v for k, v in row.items() if k not in ("facility_id", "period")})
            else:
                output_key = (*key, row["product"])
                if output_key in seen_outputs:
                    out.errors.append(
                        InputError(
                            code="recycling.duplicate_output",
                            file=sheet.file,
                            sheet=sheet.name,
                            row=number,
                            field="product",
                            value=products[row["product"]].zh,
                            first=seen_outputs[output_key],
                        )
                    )
                    continue
                seen_outputs[output_key] = number
                month.outputs.append({k: v for k, v in row.items() if k not in ("facility_id", "period")})
    for (facility, period), month in out.months.items():
        made = {o["product"] for o in month.outputs}
        for product in dict.fromkeys(lot["product"] for lot in month.lots):
            if product not in made:
                file = month.where[0][0]
                out.errors.append(
                    InputError(
                        code="recycling.output_missing",
                        file=file,
                        record=f"{facility}@{period}",
                        field="product",
                        value=products[product].zh,
                    )
                )
        if not month.lots:
            file = month.where[0][0]
            out.errors.append(InputError(code="recycling.no_lots_for_month", file=file, record=f"{facility}@{period}"))
    return out
