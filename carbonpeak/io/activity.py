"""Read activity records (JSON, YAML, CSV, Excel) into an :class:`~carbonpeak.accounting.ActivityBatch`.

Everything is validated before anything is returned; the first problem found raises an
:class:`~carbonpeak.errors.InputError` naming the file, the record, the field, the value and what was
expected. Quantities are converted to canonical units here, at the boundary, with the one unit
registry: a value may carry its own unit ("120 万kWh", {"value": 120, "unit": "10^4 kWh"}), and a
CSV/Excel column may state its unit in brackets (``grid_electricity_mwh[kWh]``).

File layout (see docs/input-format.md):

* JSON / YAML: a list of records, or ``{"records": [...]}``. A record holds the fields of
  ``io/fields/activity.csv`` plus optional lists ``fuels`` ({fuel, amount, unit, ncv, carbon_content,
  oxidation_rate}), ``carbonates`` ({carbonate, amount_t, purity_pct}) and ``reductants`` ({agent,
  amount_t, carbon_content_pct}).
* CSV / Excel: one row per record; fuel, carbonate and reductant amounts as columns
  ``fuel:<code>``, ``carbonate:<formula>`` and ``reductant:<agent>`` (with an optional ``[unit]``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting import ActivityBatch
from carbonpeak.errors import InputError, UnitError, ValidationFailed
from carbonpeak.io import choices
from carbonpeak.io.columnar import fast_parse_table
from carbonpeak.io.fields import FieldSpec, field_table
from carbonpeak.messages import CodedText, Message
from carbonpeak.parameters import load, period_start
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import FUELS, REGION_BY_ZH, REGIONS, Sector

FIELDS = field_table("activity")
_LINE_KEYS = {
    "fuels": {"fuel", "amount", "unit", "ncv", "carbon_content", "oxidation_rate"},
    "carbonates": {"carbonate", "amount_t", "purity_pct"},
    "reductants": {"agent", "amount_t", "carbon_content_pct"},
}
_HEADER = re.compile(r"^\s*(?P<name>[^\[\]]+?)\s*(\[(?P<unit>[^\]]+)\])?\s*$")


def read_activity(path: str | Path) -> ActivityBatch:
    """Read and validate an activity file; raises a coded InputError naming file, record and field."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml", ".csv", ".xlsx", ".xlsm"):
        raise InputError(code="intake.unsupported_type", file=name, value=suffix or path.name)
    try:
        content = path.read_bytes()
    except OSError:
        raise InputError(code="intake.file_missing", file=name) from None
    if not content:
        raise InputError(code="intake.file_empty", file=name)
    if suffix in (".json", ".yaml", ".yml"):
        records = _read_structured(content, name, suffix)
        return parse_records(records, source=name)
    if suffix == ".csv":
        return parse_table(_csv_frame(content, name), source=name)
    from carbonpeak.io.workbook import read_activity_workbook  # the workbook reader builds on this module

    return read_activity_workbook(path)


def _read_structured(content: bytes, name: str, suffix: str) -> list[Any]:
    """The records of a JSON or YAML file (UTF-8 or GBK; YAML without aliases), or its one coded problem."""
    from carbonpeak.io.reading import Limits, read_structured

    try:
        return read_structured(content, name, suffix, Limits.from_env()).records
    except ValidationFailed as failed:
        raise _one(failed) from None


def _one(failed: ValidationFailed) -> InputError:
    """A refusal of the whole file as its single error (what the reader functions here raise)."""
    return failed.errors[0] if len(failed.errors) == 1 else failed


def read_csv_table(path: Path) -> pd.DataFrame:
    """A CSV file (UTF-8 or GBK/GB18030) as text cells under its header row; coded errors otherwise."""
    name = str(path)
    try:
        content = path.read_bytes()
    except OSError:
        raise InputError(code="intake.file_missing", file=name) from None
    if not content:
        raise InputError(code="intake.file_empty", file=name)
    return _csv_frame(content, name)


def _csv_frame(content: bytes, name: str) -> pd.DataFrame:
    from io import StringIO

    from carbonpeak.io.reading import csv_error_row, decode

    try:
        text = decode(content, name)
    except ValidationFailed as failed:
        raise _one(failed) from None
    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.EmptyDataError:
        raise InputError(code="intake.no_header", file=name, row=1) from None
    except pd.errors.ParserError as exc:
        raise InputError(code="intake.csv_malformed", file=name, row=csv_error_row(exc)) from None
    if frame.empty:
        raise InputError(code="intake.no_rows", file=name)
    return frame


def parse_table(
    frame: pd.DataFrame,
    source: str | None = None,
    *,
    collect: bool = False,
    row_numbers: list[int] | None = None,
    row_label: str = "row",
) -> ActivityBatch:
    """Turn a wide table (CSV/Excel) into records with lines, then validate them.

    ``row_numbers`` are the file's own row numbers of the frame's rows (for Excel, where data may
    start below a label row); by default row 1 is the header and data start at row 2.
    """
    columns: list[tuple[str, str, str | None]] = []  # (original header, field or line key, unit)
    for header in frame.columns:
        match = _HEADER.match(str(header))
        if not match:
            raise InputError(
                "unreadable column header",
                file=source,
                field=str(header),
                expected="a field name, optionally followed by [unit]",
            )
        columns.append((header, match["name"].strip(), match["unit"]))
    fast = fast_parse_table(frame, columns, FIELDS, source)  # column-wise; None unless every cell is plainly valid
    if fast is not None:
        return fast
    records: list[dict[str, Any]] = []
    numbers = row_numbers if row_numbers is not None else list(range(2, len(frame) + 2))  # row 1: header
    rows = frame.to_dict("records")
    for row_number, row in zip(numbers, rows, strict=True):
        record: dict[str, Any] = {"_row": _row_label(row_label, row_number)}
        for header, name, unit in columns:
            cell = row[header]
            if cell is None or (isinstance(cell, str) and cell.strip() == ""):
                continue
            value: Any = {"value": cell, "unit": unit} if unit else cell
            kind, _, code = name.partition(":")
            if code and kind in ("fuel", "carbonate", "reductant"):
                list_name = {"fuel": "fuels", "carbonate": "carbonates", "reductant": "reductants"}[kind]
                key = {"fuel": "fuel", "carbonate": "carbonate", "reductant": "agent"}[kind]
                amount_key = "amount" if kind == "fuel" else "amount_t"
                record.setdefault(list_name, []).append({key: code, amount_key: value})
            else:
                record[name] = value
        records.append(record)
    return parse_records(records, source=source, collect=collect)


def _row_label(row_label: str, number: int) -> str:
    """ "row 7" or "sheet activity, row 7": the English text (what callers match on), carrying its message so
    that an error shows where it is in the reader's language."""
    if row_label.startswith("sheet ") and row_label.endswith(", row"):
        return CodedText(Message("where.sheet_row", sheet=row_label[6:-5], row=number))
    if row_label == "row":
        return CodedText(Message("where.row", row=number))
    return f"{row_label} {number}"


def parse_records(raw_records: Iterable[Any], source: str | None = None, *, collect: bool = False) -> ActivityBatch:
    """Validate records (dicts) and build the batch: all records or none.

    With ``collect=True`` every invalid record is reported (one error per record, its first problem)
    in a :class:`ValidationFailed`; otherwise the first problem is raised alone.
    """
    rows: list[dict[str, Any]] = []
    lines: dict[str, list[dict[str, Any]]] = {"fuels": [], "carbonates": [], "reductants": []}
    known_lists = _known_line_codes()
    seen_ids: dict[str, Any] = {}
    errors: list[InputError] = []
    for position, raw in enumerate(raw_records):
        label = raw.get("_row", f"records[{position}]") if isinstance(raw, dict) else f"records[{position}]"
        if not isinstance(raw, dict):
            raise InputError(code="intake.record_not_object", file=source, record=label)
        label = _label(raw["_row"]) if "_row" in raw else str(raw.get("record_id") or label)  # file rows win
        try:
            row = _parse_fields(raw)
            record_lines = {
                list_name: [
                    {"record": position, **_parse_line(list_name, item, known_lists)}
                    for item in _as_list(raw.get(list_name), list_name)
                ]
                for list_name in lines
            }
            ident = row.get("record_id") or f"{row['facility_id']}@{row['period']}"
            if ident in seen_ids:
                raise InputError(
                    code="intake.duplicate_record_at",
                    value=ident,
                    expected=f"one record per facility and period (first seen at {seen_ids[ident]})",
                    first=seen_ids[ident],
                )
        except InputError as exc:
            located = exc.located(file=source, record=label)
            if not collect:
                raise located from None
            errors.append(located)
            continue
        seen_ids[ident] = label
        for list_name, items in record_lines.items():
            lines[list_name].extend(items)
        rows.append(row)
    if errors:
        raise ValidationFailed(errors, file=source)
    if not rows:
        raise InputError(code="intake.no_records", file=source, expected="at least one record")
    frames = {name: pd.DataFrame(items) if items else None for name, items in lines.items()}
    batch = ActivityBatch(
        records=pd.DataFrame(rows), source=source, **{k: v for k, v in frames.items() if v is not None}
    )
    return batch


def _label(row: Any) -> Any:
    """Where a record is: a coded row label as it is; a record number (JSON/YAML) as an int; else as text."""
    if isinstance(row, CodedText | int):
        return row
    return str(row)


def _as_written(value: Any) -> Any:
    """A value as the person wrote it, for a message: a quantity (``{"value": "-1", "unit": "t"}``, also what
    :func:`parse_table` makes of a cell under a header with a unit) as its number, what the cell holds; other
    objects and lists as JSON, never as a Python repr."""
    if isinstance(value, dict) and set(value) <= {"value", "unit"} and "value" in value:
        inner = value["value"]
        return _as_written(inner) if isinstance(inner, dict | list) else inner
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _as_list(value: Any, list_name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(
            code="intake.not_a_list", field=list_name, value=_as_written(value), expected=f"a list of {list_name} lines"
        )
    return value


def _known_line_codes() -> dict[str, set[str]]:
    params = load()
    return {
        "fuels": set(FUELS),
        "carbonates": {str(e.key["carbonate"]) for e in params.entries("emissions.carbonate")},
        "reductants": {
            str(e.key["technology"])
            for e in params.entries("emissions.ipcc2006")
            if e.key["quantity"] == "ef_reducing_agent"
        },
    }


def _parse_fields(raw: dict[str, Any]) -> dict[str, Any]:
    unknown = set(raw) - set(FIELDS) - set(_LINE_KEYS) - {"_row"}
    if unknown:
        name = sorted(unknown)[0]
        raise InputError(code="intake.unknown_field", field=name, expected="one of the fields in docs/input-format.md")
    row: dict[str, Any] = {}
    for spec in FIELDS.values():
        value = raw.get(spec.name)
        if _blank(value):
            if spec.required:
                raise InputError(code="intake.required", field=spec.name, expected=_expected(spec))
            continue
        row[spec.name] = _parse_value(spec, value)
    _check_codes(row)
    return row


def _check_codes(row: dict[str, Any]) -> None:
    """The coded fields (technology, product, method ...) against their sector's codes."""
    sector = row.get("sector")
    for name in choices.CODED_FIELDS:
        value = row.get(name)
        if value is not None and value not in choices.allowed(name, sector):
            code, params = choices.problem_params(name, sector)
            raise InputError(code=code, field=name, value=value, **params)


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _expected(spec: FieldSpec) -> str:
    if spec.dtype == "float":
        bound = f" ≥ {spec.minimum:g}" if spec.minimum is not None else ""
        bound += f" and ≤ {spec.maximum:g}" if spec.maximum is not None else ""
        return f"a number{bound}" + (f" in {spec.unit}" if spec.unit else "")
    return {
        "sector": "one of " + ", ".join(s.value for s in Sector),
        "region": "a province code such as guizhou, or its Chinese name such as 贵州",
        "period": "a year (2024) or a month (2024-03)",
    }.get(spec.dtype, "text")


def _parse_value(spec: FieldSpec, value: Any) -> Any:
    if spec.dtype == "float":
        try:
            number = quantity(value, spec.unit or "dimensionless", field=spec.name)
        except InputError as exc:
            raise type(exc)(
                None if exc.code else exc.detail,
                code=exc.code,
                field=spec.name,
                value=_as_written(exc.value),
                expected=exc.expected or _expected(spec),
                **exc.params,
            ) from None
        if spec.minimum is not None and number < spec.minimum:
            raise InputError(
                code="intake.below_minimum",
                field=spec.name,
                value=_as_written(value),
                expected=_expected(spec),
                minimum=spec.minimum,
            )
        if spec.maximum is not None and number > spec.maximum:
            raise InputError(
                code="intake.above_maximum",
                field=spec.name,
                value=_as_written(value),
                expected=_expected(spec),
                maximum=spec.maximum,
            )
        return number
    text = str(value).strip()
    if spec.dtype == "sector":
        if text not in {s.value for s in Sector}:
            raise InputError(code="intake.unknown_sector", field=spec.name, value=text, expected=_expected(spec))
    elif spec.dtype == "region":
        text = REGION_BY_ZH.get(text, text)
        if text not in REGIONS or REGIONS[text].level != "provincial":
            raise InputError(code="intake.unknown_province", field=spec.name, value=value, expected=_expected(spec))
    elif spec.dtype == "period":
        text = _normalise_period(text, spec)
    return text


def _normalise_period(text: str, spec: FieldSpec) -> str:
    if re.fullmatch(r"\d{4}\.0", text):  # a year typed into a spreadsheet number cell
        text = text[:4]
    try:
        day = period_start(text)
    except ValueError:
        raise InputError(code="intake.bad_period", field=spec.name, value=text, expected=_expected(spec)) from None
    assert day is not None
    return f"{day.year:04d}-{day.month:02d}" if re.fullmatch(r"\d{4}-\d{1,2}", text) else f"{day.year:04d}"


def quantity(value: Any, canonical_unit: str, *, field: str, expected: str | None = None) -> float:
    """A number in ``canonical_unit`` from 12.5, "12.5", "12.5 kWh" or {"value": 12.5, "unit": "kWh"}."""
    unit: str | None = None
    shown_unit = _UNIT_TEXT.get(canonical_unit, canonical_unit)
    if isinstance(value, dict):
        if set(value) - {"value", "unit"} or "value" not in value:
            raise InputError(code="intake.quantity_object", field=field, value=_as_written(value))
        unit, value = value.get("unit"), value["value"]
    if isinstance(value, bool):
        raise InputError(code="intake.not_a_number", field=field, value=value, expected=expected, unit=shown_unit)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        match = re.fullmatch(r"([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*(.*)", text)
        if not match:
            raise InputError(code="intake.not_a_number", field=field, value=value, expected=expected, unit=shown_unit)
        number = float(match[1])
        if match[4]:
            if unit:
                raise InputError(code="intake.unit_twice", field=field, value=value)
            unit = match[4]
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise InputError(code="intake.not_a_number", field=field, value=value, expected=expected, unit=shown_unit)
    if math.isnan(number) or math.isinf(number):
        raise InputError(code="intake.not_a_number", field=field, value=value, expected=expected, unit=shown_unit)
    if unit:
        try:
            number *= conversion_factor(unit, canonical_unit, field=field)
        except UnitError as exc:
            raise UnitError(
                code="intake.cell_unit", field=field, value=unit, expected=exc.expected, unit=shown_unit
            ) from None
    return number


def _parse_line(list_name: str, item: Any, known: dict[str, set[str]]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError(code="intake.line_not_object", field=list_name, value=_as_written(item))
    unknown = set(item) - _LINE_KEYS[list_name]
    if unknown:
        raise InputError(
            code="intake.unknown_line_key",
            field=f"{list_name}.{sorted(unknown)[0]}",
            expected=", ".join(sorted(_LINE_KEYS[list_name])),
            choices=", ".join(sorted(_LINE_KEYS[list_name])),
        )
    code_key = {"fuels": "fuel", "carbonates": "carbonate", "reductants": "agent"}[list_name]
    code = str(item.get(code_key, "")).strip()
    if code not in known[list_name]:
        raise InputError(
            code="intake.unknown_line_code",
            field=f"{list_name}.{code_key}",
            value=code,
            expected="one of " + ", ".join(sorted(known[list_name])),
            choices=", ".join(sorted(known[list_name])),
        )
    out: dict[str, Any] = {code_key: code}
    if list_name == "fuels":
        unit = FUELS[code].unit
        amount = item.get("amount")
        if item.get("unit"):
            amount = {"value": amount, "unit": item["unit"]} if not isinstance(amount, dict) else amount
        out["amount"] = _non_negative(
            quantity(amount, unit, field=f"fuels.{code}", expected=f"a number ≥ 0 in {_UNIT_TEXT.get(unit, unit)}"),
            f"fuels.{code}",
            amount,
        )
        for key, key_unit in (("ncv", f"GJ/{unit}"), ("carbon_content", "t/TJ"), ("oxidation_rate", "percent")):
            if not _blank(item.get(key)):
                out[key] = _non_negative(
                    quantity(item[key], key_unit, field=f"fuels.{code}.{key}"), f"fuels.{code}.{key}", item[key]
                )
        return out
    out["amount_t"] = _non_negative(
        quantity(item.get("amount_t"), "t", field=f"{list_name}.{code}", expected="a number ≥ 0 in t"),
        f"{list_name}.{code}",
        item.get("amount_t"),
    )
    for key in ("purity_pct", "carbon_content_pct"):
        if key in _LINE_KEYS[list_name] and not _blank(item.get(key)):
            number = quantity(item[key], "percent", field=f"{list_name}.{code}.{key}")
            if not 0 <= number <= 100:
                raise InputError(
                    code="intake.percentage", field=f"{list_name}.{code}.{key}", value=item[key], expected="0 to 100"
                )
            out[key] = number
    return out


_UNIT_TEXT = {"t": "t", "wan_Nm3": "10^4 Nm3", "percent": "%", "dimensionless": "—"}


def _non_negative(number: float, field: str, raw: Any) -> float:
    if number < 0:
        raise InputError(code="intake.negative", field=field, value=_as_written(raw), expected="a number ≥ 0")
    return number


def batch_to_records(batch: ActivityBatch) -> list[dict[str, Any]]:
    """Each record of a batch as a plain dict in canonical units (what the store keeps).

    Empty fields are left out; fuel, carbonate and reductant lines are nested lists. Parsing the
    result with :func:`parse_records` gives the same batch back.
    """
    codes = {"fuel", "carbonate", "agent"}
    lines: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for kind in ("fuels", "carbonates", "reductants"):
        table = getattr(batch, kind)
        # Column by column (a list and a blank mask each): no per-cell function call on a big import.
        columns = [(c, table[c].tolist(), _blank_mask(table[c]), c in codes) for c in table.columns if c != "record"]
        grouped: dict[int, list[dict[str, Any]]] = {}
        for i, owner in enumerate(table["record"].tolist()):
            item = {
                c: (str(values[i]) if code else float(values[i])) for c, values, blank, code in columns if not blank[i]
            }
            grouped.setdefault(int(owner), []).append(item)
        lines[kind] = grouped
    out: list[dict[str, Any]] = [{} for _ in range(len(batch.records))]
    for name, spec in FIELDS.items():  # field order, so every record's keys come in that order
        if name not in batch.records:
            continue
        column = batch.records[name]
        values = column.tolist()
        if spec.dtype == "float":
            for i in np.flatnonzero(~np.asarray(_blank_mask(column))).tolist():
                out[i][name] = float(values[i])
        else:
            for i, value in enumerate(values):
                if value not in ("", None):
                    out[i][name] = str(value)
    for kind, grouped in lines.items():
        for position, items in grouped.items():
            out[position][kind] = items
    return out


def _blank_mask(column: pd.Series) -> list[bool]:
    """Which cells of a column :func:`_blank` calls blank, without a call per cell for a float column."""
    if pd.api.types.is_float_dtype(column.dtype):
        return np.isnan(column.to_numpy(dtype=float)).tolist()
    return [_blank(value) for value in column.tolist()]
