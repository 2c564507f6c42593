"""Column-wise validation of a wide activity table: the fast path of :func:`carbonpeak.io.activity.parse_table`.

A file of 100,000 months validated cell by cell spends most of an import in Python calls. Here each
column is checked at once (regular expressions, vocabulary look-ups, bounds over arrays) and the
batch built from arrays. The fast path is deliberately conservative: it accepts only cells whose
reading is unambiguous (plain decimal numbers, months written ``YYYY-MM``, codes of the
vocabulary...) and gives exactly the batch the record-by-record path gives for them. Whenever any
cell is anything else (a number with a unit or a thousands separator, a blank required field, a
value out of bounds, an unknown field or code, a duplicate month...), it returns None and the
record-by-record path runs, which finds and words every problem.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting import ActivityBatch
from carbonpeak.errors import CarbonpeakError
from carbonpeak.io import choices
from carbonpeak.io.fields import FieldSpec
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import FUELS, REGION_BY_ZH, REGIONS, Sector

_NUMBER = r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"
_MONTH = r"(?!0000)\d{4}-(0[1-9]|1[0-2])"
_SECTORS = {s.value for s in Sector}
_PROVINCES = {code for code, region in REGIONS.items() if region.level == "provincial"}


def _texts(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(stripped text of every cell, mask of blank cells) as the record path reads them."""
    cells = values.tolist()
    texts = np.empty(len(cells), dtype=object)
    blank = np.zeros(len(cells), dtype=bool)
    for i, cell in enumerate(cells):
        if cell is None or (isinstance(cell, float) and cell != cell):
            blank[i] = True
            continue
        text = str(cell).strip()
        if not text:
            blank[i] = True
        texts[i] = text
    return texts, blank


def _numbers(values: pd.Series, factor: float, *, nan_blank: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
    """(floats in the canonical unit, blank mask), or None when a cell is not a plain number.

    ``nan_blank=False``: a NaN cell is not blank but a problem (the record path refuses it in a line)."""
    if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        if pd.api.types.is_bool_dtype(values.dtype):
            return None
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(numbers)
        if np.isinf(numbers).any() or (blank.any() and not nan_blank):
            return None
    elif pd.api.types.infer_dtype(values, skipna=False) == "string":  # every cell a text (CSV)
        blank = values.str.fullmatch(r"\s*").to_numpy(dtype=bool)
        if not (blank | values.str.fullmatch(rf"\s*{_NUMBER}\s*").to_numpy(dtype=bool)).all():
            return None
        numbers = np.full(len(values), np.nan)
        # float() of each text, as the record path reads it (float ignores the surrounding blanks it strips)
        numbers[~blank] = values.to_numpy(dtype=object)[~blank].astype(float)
        if np.isinf(numbers).any():
            return None
    else:
        cells = values.tolist()
        if any(isinstance(c, bool) or not isinstance(c, str | float | int | type(None)) for c in cells):
            return None
        if not nan_blank and any(isinstance(c, float) and c != c for c in cells):
            return None
        texts, blank = _texts(values)
        filled = texts[~blank]
        if filled.size and not pd.Series(filled, dtype=object).str.fullmatch(_NUMBER).all():
            return None
        numbers = np.full(len(cells), np.nan)
        # float() of each text, as the record path reads it (numpy calls float on objects)
        numbers[~blank] = filled.astype(float)
        if np.isinf(numbers).any():
            return None
    if factor != 1.0:
        numbers = numbers * factor
    return numbers, blank


def fast_parse_table(
    frame: pd.DataFrame,
    columns: list[tuple[Any, str, str | None]],
    fields: dict[str, FieldSpec],
    source: str | None,
) -> ActivityBatch | None:
    """The batch of a table whose every cell is plainly valid, or None (then the record path decides)."""
    if frame.empty:
        return None
    n = len(frame)
    values: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # field -> (values, blank mask)
    fuels: list[tuple[str, np.ndarray, np.ndarray]] = []  # (code, amounts, blank mask) in column order
    try:
        for header, name, unit in columns:
            kind, _, code = name.partition(":")
            if code and kind in ("carbonate", "reductant"):
                return None  # rare in bulk files: their codes come from the parameter files
            if code and kind == "fuel":
                if code not in FUELS:
                    return None
                factor = conversion_factor(unit, FUELS[code].unit, field=f"fuels.{code}") if unit else 1.0
                parsed = _numbers(frame[header], factor, nan_blank=False)
                if parsed is None or (parsed[0][~parsed[1]] < 0).any():
                    return None
                fuels.append((code, *parsed))
                continue
            spec = fields.get(name)
            if spec is None or name in values:
                return None  # an unknown or repeated field: the record path words it
            if spec.dtype == "float":
                factor = conversion_factor(unit, spec.unit or "dimensionless", field=name) if unit else 1.0
                parsed = _numbers(frame[header], factor)
                if parsed is None:
                    return None
                numbers, blank = parsed
                filled = numbers[~blank]
                if spec.minimum is not None and (filled < spec.minimum).any():
                    return None
                if spec.maximum is not None and (filled > spec.maximum).any():
                    return None
                values[name] = (numbers, blank)
                continue
            if unit:
                return None
            texts, blank = _texts(frame[header])
            filled = pd.Series(texts[~blank], dtype=object)
            if spec.dtype == "sector" and not filled.isin(_SECTORS).all():
                return None
            if spec.dtype == "region":
                mapped = filled.map(lambda t: REGION_BY_ZH.get(t, t))
                if not mapped.isin(_PROVINCES).all():
                    return None
                texts = texts.copy()
                texts[~blank] = mapped.to_numpy(dtype=object)
            if spec.dtype == "period" and not filled.str.fullmatch(_MONTH).all():
                return None
            values[name] = (texts, blank)
    except CarbonpeakError:  # a header unit that does not convert: the record path words it
        return None
    for spec in fields.values():
        if spec.required and (spec.name not in values or values[spec.name][1].any()):
            return None
    sectors = values["sector"][0]
    for name in choices.CODED_FIELDS:  # a code outside its sector's list: the record path words it
        if name in values and choices.wrong(name, values[name][0], sectors, values[name][1]).any():
            return None
    facility, period = values["facility_id"][0], values["period"][0]
    idents = facility.astype(str) + "@" + period.astype(str)
    if "record_id" in values:
        given, blank = values["record_id"]
        idents = np.where(blank, idents, given)
    if len(set(idents.tolist())) != n:
        return None
    # Columns in the order a frame built from the records' dicts has: first appearance, then field order.
    order = {name: position for position, name in enumerate(fields)}
    present = [(int(np.argmin(blank)), order[name], name) for name, (_v, blank) in values.items() if not blank.all()]
    records = {}
    for _first, _position, name in sorted(present):
        column, blank = values[name]
        if fields[name].dtype == "float":
            records[name] = column
        else:
            column = column.copy()
            column[blank] = np.nan
            records[name] = column
    lines = None
    if fuels:
        positions = np.concatenate([np.flatnonzero(~blank) for _c, _a, blank in fuels])
        codes = np.concatenate([np.full(int((~blank).sum()), code, dtype=object) for code, _a, blank in fuels])
        amounts = np.concatenate([amounts[~blank] for _c, amounts, blank in fuels])
        if positions.size:
            ranked = np.argsort(positions, kind="stable")  # by record, then by column, as the record path
            lines = pd.DataFrame({"record": positions[ranked], "fuel": codes[ranked], "amount": amounts[ranked]})
    extra = {"fuels": lines} if lines is not None else {}
    return ActivityBatch(records=pd.DataFrame(records), source=source, **extra)
