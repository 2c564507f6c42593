"""The pollutant ledger's file: one row per facility-month (CSV in UTF-8, with or without BOM, or GBK; or the
first sheet of an Excel workbook, read with python-calamine), and its template.

Row 1 holds the headings: a field name or its label in either language
(:data:`carbonpeak.synergy.ledger.HEADINGS`). Rows are numbered as the spreadsheet numbers them (the heading
is row 1). Every heading problem is listed and no row is read when the heading fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any

from carbonpeak.errors import InputError
from carbonpeak.synergy.ledger import FIELDS, POLLUTANTS, heading_field

MAX_ROWS = 20_000  # a province's facilities × a few years of months
MAX_INFLATED_BYTES = 50 * 2**20
TEMPLATE_HEAD = {
    "zh": ["设施编码", "月份", "二氧化硫（t）", "氮氧化物（t）", "颗粒物（t）", "数据来源", "备注", "更正原因"],
    "en": list(FIELDS),
}
REQUIRED = ("facility_id", "period", *POLLUTANTS, "source")


def template(lang: str = "zh") -> bytes:
    """A CSV template (UTF-8 with BOM, so that Excel opens the Chinese headings)."""
    text = io.StringIO()
    csv.writer(text).writerow(TEMPLATE_HEAD.get(lang, TEMPLATE_HEAD["zh"]))
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):  # a month typed into Excel becomes a date
        return f"{value.year:04d}-{value.month:02d}"
    return value


def _table(data: bytes, name: str) -> list[list[Any]]:
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm", ".xls")):
        from python_calamine import CalamineWorkbook

        try:
            if lower.endswith((".xlsx", ".xlsm")):
                archive = zipfile.ZipFile(io.BytesIO(data))
                if sum(info.file_size for info in archive.infolist()) > MAX_INFLATED_BYTES:
                    raise InputError(code="pollutants.file_too_large", file=name)
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            if sheet.height > MAX_ROWS + 1:
                raise InputError(code="pollutants.too_many_rows", file=name, limit=MAX_ROWS)
            return [[_cell(c) for c in r] for r in sheet.iter_rows()]
        except InputError:
            raise
        except Exception as exc:  # calamine raises its own errors for a damaged or disguised file
            raise InputError(code="pollutants.file_unreadable", file=name) from exc
    if lower.endswith((".csv", ".txt")):
        for encoding in ("utf-8-sig", "gbk"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(code="pollutants.file_unreadable", file=name)
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) > MAX_ROWS + 1:
            raise InputError(code="pollutants.too_many_rows", file=name, limit=MAX_ROWS)
        return rows
    raise InputError(code="pollutants.file_type", file=name)


def read(name: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The file's rows as (row number, {field: value}); blank rows skipped. Raises the heading's problems."""
    table = _table(data, name)
    if not table or not any(str(c or "").strip() for c in table[0]):
        raise InputError(code="pollutants.no_rows", file=name)
    columns: list[str | None] = []
    problems: list[InputError] = []
    for number, heading in enumerate(table[0], start=1):
        if not str(heading or "").strip():
            columns.append(None)
            continue
        found = heading_field(heading)
        if found is None:
            problems.append(
                InputError(code="pollutants.unknown_column", file=name, row=1, field=str(heading), column=number)
            )
        elif found in columns:
            problems.append(InputError(code="pollutants.duplicate_column", file=name, row=1, field=found))
        columns.append(found)
    for needed in REQUIRED:
        if needed not in columns:
            problems.append(InputError(code="pollutants.missing_column", file=name, row=1, field=needed))
    if problems:
        from carbonpeak.errors import ValidationFailed

        raise ValidationFailed(problems, file=name)
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(str(c if c is not None else "").strip() for c in cells):
            continue
        rows.append((number, {c: v for c, v in zip(columns, cells, strict=False) if c is not None}))
    if not rows:
        raise InputError(code="pollutants.no_rows", file=name)
    return rows
