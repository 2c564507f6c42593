"""Export tables (submissions, results, indicators) to one .xlsx workbook, a sheet per table.

Numbers are written as numbers, dates as Excel dates (``yyyy-mm-dd``, with the time where there is
one), text as text (Chinese intact); the header row is bold and frozen, columns are sized to their
content. Header cells of known fields carry their label in the chosen language as a comment, so the
header row stays the machine names a reader (or ``pandas.read_excel``) gets back unchanged.
With ``named=True`` (the workbooks people download from the pages) it is the other way round: sheet titles
and column names are those of the header catalog ``export_headers.yaml`` in the chosen language (报送数据,
设施, 综合能耗（吨标准煤）), and each header cell's comment keeps the column's machine name.
Rows are streamed (openpyxl write-only mode), so large result tables export in bounded memory.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from carbonpeak.errors import InputError
from carbonpeak.io.template import column_for, display_width

_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
_WIDTH_SAMPLE = 500  # rows looked at to size a column
_MAX_WIDTH = 60


def export_workbook(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    lang: str = "zh",
    titles: Mapping[str, str] | None = None,
    named: bool = False,
) -> Path:
    """Write each frame of ``sheets`` to its own sheet of one .xlsx; returns the path written.

    ``titles`` maps a key of ``sheets`` to the sheet's title (default: the key, or with ``named`` its
    title in the header catalog). Titles are made valid for Excel (at most 31 characters, none of
    ``[]:*?/\\``, unique). ``named``: column names in ``lang`` from the header catalog (the machine name
    in each header's comment). The index is not written; a frame with a meaningful index should be
    ``reset_index()`` first.
    """
    if lang not in ("zh", "en"):
        raise InputError(code="intake.unknown_language", field="lang", value=lang, expected="zh or en")
    if not sheets:
        raise InputError(code="intake.nothing_to_export", expected="at least one table")
    path = Path(path)
    titles = titles or {}
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for key, frame in sheets.items():
        title = _sheet_title(titles.get(key) or (sheet_name(key, lang) if named else key), used)
        used.add(title.lower())
        _write_sheet(workbook, title, frame, lang, named)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _sheet_title(wanted: str, used: set[str]) -> str:
    title = _INVALID_TITLE.sub("_", str(wanted)).strip("' ") or "sheet"
    title = title[:31]
    candidate, number = title, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate, number = title[: 31 - len(suffix)] + suffix, number + 1
    return candidate


def _write_sheet(workbook: Workbook, title: str, frame: pd.DataFrame, lang: str, named: bool = False) -> None:
    sheet = workbook.create_sheet(title)
    machine = [str(c) for c in frame.columns]
    columns = [column_name(c, lang) for c in machine] if named else machine
    converted = [_column_values(frame.iloc[:, i]) for i in range(frame.shape[1])]
    for index, (name, (values, _)) in enumerate(zip(columns, converted, strict=True), start=1):
        sample = [display_width(_shown(v)) for v in values[:_WIDTH_SAMPLE]]
        width = max([display_width(name), *sample, 6]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width, _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    header = []
    for name, code in zip(columns, machine, strict=True):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        label = code if named else _label(name, lang)
        if label:
            cell.comment = Comment(label, "carbonpeak")
        header.append(cell)
    sheet.append(header)
    formats = [number_format for _, number_format in converted]
    value_lists = [values for values, _ in converted]
    risky = [any(_is_formula_like(v) for v in values) for values in value_lists]
    if not any(formats) and not any(risky):
        for row in zip(*value_lists, strict=True):
            sheet.append(row)
        return
    for row in zip(*value_lists, strict=True):
        cells: list[Any] = []
        for value, number_format in zip(row, formats, strict=True):
            if _is_formula_like(value):
                cells.append(text_cell(sheet, value))
            elif number_format and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)


_FORMULA_START = ("=", "+", "-", "@")


def _is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def text_cell(sheet: Any, value: str) -> WriteOnlyCell:
    """Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first), written as text:
    a string cell with Excel's quote prefix, so opening or editing it never evaluates it."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def neutralise(cell: Any) -> None:
    """The same for a cell of a normal (not write-only) workbook, after its value is set."""
    if _is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def _column_values(series: pd.Series) -> tuple[list[Any], str | None]:
    """Python values for one column, and the number format its cells need (dates), if any."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_bool_dtype(series.dtype):
        return [None if pd.isna(v) else bool(v) for v in series.tolist()], None
    if pd.api.types.is_integer_dtype(series.dtype):
        return [None if pd.isna(v) else int(v) for v in series.tolist()], None
    if pd.api.types.is_float_dtype(series.dtype):
        return [None if (v is None or pd.isna(v) or math.isinf(v)) else float(v) for v in series.tolist()], None
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)  # Excel has no time zones: the local wall time is kept
        stamps = series.tolist()
        has_time = any(not pd.isna(s) and s != s.normalize() for s in stamps)
        values = [None if pd.isna(s) else s.to_pydatetime() for s in stamps]
        return values, "yyyy-mm-dd hh:mm:ss" if has_time else "yyyy-mm-dd"
    if isinstance(series.dtype, pd.PeriodDtype):
        return [None if pd.isna(v) else str(v) for v in series.tolist()], None
    return [_plain(v) for v in series.tolist()], None


def _plain(value: Any) -> Any:
    """An object-column value as a cell value: NaN/None empty, NumPy scalars as Python, others as text."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, str | bool | int | dt.datetime | dt.date | dt.time):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time(0) else value.strftime("%Y-%m-%d")
    return str(value)


def _label(name: str, lang: str) -> str | None:
    match = re.match(r"^\s*([^\[\]]+?)\s*(\[[^\]]+\])?\s*$", name)
    column = column_for(match[1]) if match else None
    if column is None:
        return None
    return column.label(lang)


@cache
def headers() -> dict[str, dict[str, dict[str, str]]]:
    """The header catalog (``export_headers.yaml``): sheet titles and column names in zh and en."""
    text = resources.files("carbonpeak.io").joinpath("export_headers.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for part in ("sheets", "columns"):
        for code, names in data[part].items():
            if set(names) != {"zh", "en"} or not all(names.values()):
                raise ValueError(f"export_headers.yaml: {part}.{code} needs a name in zh and in en")
    return {"sheets": data["sheets"], "columns": data["columns"]}


def sheet_name(key: str, lang: str) -> str:
    """A sheet's title in ``lang`` from the header catalog; the key where the catalog does not list it."""
    names = headers()["sheets"].get(key)
    return str(names[lang]) if names else key


def column_name(code: str, lang: str) -> str:
    """A column's name in ``lang``: the header catalog's, else the field table's label, else the code."""
    names = headers()["columns"].get(code)
    if names:
        return str(names[lang])
    name = _label(code, lang) or code
    if lang == "en":
        return name[:1].upper() + name[1:]  # a header, like the catalog's (the field tables' labels run in text)
    return name
