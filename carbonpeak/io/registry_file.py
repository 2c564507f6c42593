"""The bulk registry file: an Excel workbook with sheets of regions, parks, enterprises, facilities and
meters (or one CSV file per kind), its template in zh or en, and its reader.

Template (:func:`write_template`), generated from the field tables (``io/fields/registry_*.csv``): one
sheet per kind, named in the chosen language (地区、园区、集群、企业、设施、计量器具 or regions, parks,
clusters, enterprises, facilities, meters); row 1 the field names the reader goes by, row 2 the labels
(``*`` marks a required field), data from row 3; drop-down lists for levels, statuses, sectors, yes/no and
the meters' codes; a sheet ``说明``/``fields`` explaining every column.

Reader (:func:`read`): python-calamine for workbooks; CSV in UTF-8 (with or without BOM) or GBK. A header
cell may be a field name or its label in either language; a second row of labels is skipped. Every
header problem is listed (file, sheet, row, column) and nothing is read from a sheet whose header fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.errors import InputError
from carbonpeak.io.fields import FieldSpec
from carbonpeak.io.registry_fields import GREEN_LEVELS, KINDS, LEVELS, SHEETS, STATUSES, fields, sheet_kind
from carbonpeak.vocabulary import SECTOR_LABELS

MAX_ROWS = 50_000  # per sheet: a province's registry is a few thousand rows
MAX_CELL = 2_000  # characters
FIRST_DATA_ROW = 3
EXPLANATION = {"zh": "说明", "en": "fields"}


@dataclass
class Sheet:
    """The rows of one kind read from one sheet (or CSV file): (row number, {field: value})."""

    kind: str
    file: str
    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Read:
    sheets: list[Sheet] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


# ---------------------------------------------------------------- template


def _choices(spec: FieldSpec, lang: str, extra: dict[str, list[str]]) -> list[str] | None:
    if spec.dtype in extra:  # lists of a higher layer (the meters' energy types ...), given by the caller
        return extra[spec.dtype]
    pick = 0 if lang == "zh" else 1
    if spec.dtype == "level":
        return [v[pick] for v in LEVELS.values()]
    if spec.dtype == "status":
        return [v[pick] for v in STATUSES.values()]
    if spec.dtype == "green_level":
        return [v[pick] for v in GREEN_LEVELS.values()]
    if spec.dtype == "bool":
        return ["是", "否"] if lang == "zh" else ["yes", "no"]
    if spec.dtype == "sector":
        return [labels[pick] for labels in SECTOR_LABELS.values()]
    return None


def label(spec: FieldSpec, lang: str) -> str:
    text = spec.label_zh if lang == "zh" else spec.label_en
    if spec.unit:
        text += f" [{spec.unit}]"
    return ("* " if spec.required else "") + text


def write_template(lang: str = "zh", choices: dict[str, list[str]] | None = None) -> bytes:
    """The bulk registry template as .xlsx bytes, labelled in ``lang`` (zh or en). ``choices``: drop-down
    lists by field type for the types this layer does not know (the meters', from the monitoring rules)."""
    lang = "en" if lang == "en" else "zh"
    extra = choices or {}
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for kind in KINDS:
        sheet = book.create_sheet(SHEETS[kind][lang])
        for col, spec in enumerate(fields(kind).values(), start=1):
            letter = get_column_letter(col)
            sheet.cell(row=1, column=col, value=spec.name).font = Font(color="808080", size=9)
            cell = sheet.cell(row=2, column=col, value=label(spec, lang))
            cell.font, cell.fill = Font(bold=True), head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[letter].width = max(14, min(40, len(spec.name) + 4))
            listed = _choices(spec, lang, extra)
            formula = '"' + ",".join(listed) + '"' if listed else ""
            if listed and len(formula) <= 255:  # Excel's limit for a list typed in; longer lists stay free text
                validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
                validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{MAX_ROWS + FIRST_DATA_ROW}")
                sheet.add_data_validation(validation)
            if spec.dtype in ("str", "code", "uscc", "phone", "region", "park", "enterprise", "facility"):
                for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 200):  # codes stay text (610000, 0291...)
                    sheet.cell(row=row, column=col).number_format = "@"
        sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    notes = book.create_sheet(EXPLANATION[lang])
    heads = (
        ["工作表", "列（字段名）", "名称", "必填", "单位", "说明"]
        if lang == "zh"
        else ["sheet", "column (field)", "label", "required", "unit", "description"]
    )
    notes.append(heads)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    yes = "是" if lang == "zh" else "yes"
    for kind in KINDS:
        for spec in fields(kind).values():
            notes.append(
                [
                    SHEETS[kind][lang],
                    spec.name,
                    spec.label_zh if lang == "zh" else spec.label_en,
                    yes if spec.required else "",
                    spec.unit,
                    spec.description,
                ]
            )
    for letter, width in zip("ABCDEF", (10, 24, 24, 6, 8, 90), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading


def _header_key(text: str) -> str:
    text = re.sub(r"\s*\[[^\]]*\]\s*$", "", str(text)).strip().lstrip("*").strip()
    return text.casefold()


def _names(kind: str) -> dict[str, str]:
    """Header text (field name or label in either language, casefolded) -> field name."""
    out: dict[str, str] = {}
    for spec in fields(kind).values():
        for text in (spec.name, spec.label_zh, spec.label_en):
            out.setdefault(text.casefold(), spec.name)
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _table(kind: str, file: str, name: str, rows: list[list[Any]], out: Read) -> None:
    """One sheet's rows: the header checked, a label row skipped, blank rows dropped."""
    if not rows:
        return
    names = _names(kind)
    header = rows[0]
    columns: list[str | None] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    for position, text in enumerate(header, start=1):
        if _blank(text):
            columns.append(None)
            continue
        found = names.get(_header_key(str(text)))
        if found is None:
            errors.append(
                InputError(
                    code="registry.unknown_column",
                    file=file,
                    sheet=name,
                    row=1,
                    field=get_column_letter(position),
                    value=str(text),
                    fields=list(fields(kind)),
                )
            )
        elif found in seen:
            errors.append(
                InputError(code="registry.duplicate_column", file=file, sheet=name, row=1, field=found, value=str(text))
            )
        else:
            seen.add(found)
        columns.append(found)
    if errors:
        out.errors += errors
        return
    sheet = Sheet(kind, file, name, [c for c in columns if c])
    start = 1
    if len(rows) > 1 and all(
        _blank(v) or (i < len(columns) and columns[i] and names.get(_header_key(str(v))) == columns[i])
        for i, v in enumerate(rows[1])
    ):
        start = 2  # the template's row of labels
    if len(rows) - start > MAX_ROWS:
        out.errors.append(InputError(code="registry.too_many_rows", file=file, sheet=name, limit=MAX_ROWS))
        return
    for number, values in enumerate(rows[start:], start=start + 1):
        if all(_blank(v) for v in values):
            continue
        record: dict[str, Any] = {}
        for position, column in enumerate(columns):
            if column is None:
                continue
            value = _cell(values[position]) if position < len(values) else None
            if isinstance(value, str) and len(value) > MAX_CELL:
                out.errors.append(
                    InputError(
                        code="registry.too_long", file=file, sheet=name, row=number, field=column, limit=MAX_CELL
                    )
                )
                value = value[:MAX_CELL]
            record[column] = value
        sheet.rows.append((number, record))
    out.sheets.append(sheet)


def _csv_kind(header: list[str]) -> str | None:
    """Which kind a CSV file holds, from its header: its own code column decides."""
    keys = [_header_key(h) for h in header]
    for kind in ("meters", "facilities", "enterprises", "clusters", "parks", "regions"):
        own = fields(kind)[KINDS[kind][1]]
        if {own.name.casefold(), own.label_zh.casefold(), own.label_en.casefold()} & set(keys):
            return kind
    return None


def read(file: str, content: bytes) -> Read:
    """The registry rows of one file (.xlsx/.xlsm/.xls/.ods workbook or .csv), with every problem of its
    headers. Sheets not named as a kind (the explanation, other notes) are ignored."""
    out = Read()
    suffix = file.rsplit(".", 1)[-1].casefold() if "." in file else ""
    if suffix == "csv":
        text = None
        for encoding in ("utf-8-sig", "gbk"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            out.errors.append(InputError(code="registry.file_unreadable", file=file))
            return out
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
        kind = _csv_kind(rows[0]) if rows else None
        if kind is None:
            out.errors.append(InputError(code="registry.csv_kind", file=file, row=1))
            return out
        _table(kind, file, file, rows, out)
    elif suffix in ("xlsx", "xlsm", "xls", "ods"):
        from python_calamine import CalamineWorkbook

        from carbonpeak.io.reading import has_macros

        try:
            if zipfile.is_zipfile(io.BytesIO(content)) and has_macros(zipfile.ZipFile(io.BytesIO(content))):
                out.errors.append(InputError(code="intake.macro_workbook", file=file))
                return out
            book = CalamineWorkbook.from_filelike(io.BytesIO(content))
            found = False
            for name in book.sheet_names:
                kind = sheet_kind(name)
                if kind is None:
                    continue
                found = True
                sheet = book.get_sheet_by_name(name)
                if sheet.height > MAX_ROWS + FIRST_DATA_ROW or sheet.width > 4 * len(fields(kind)):
                    # checked before reading the cells: a stray cell far away must not cost minutes
                    out.errors.append(InputError(code="registry.too_many_rows", file=file, sheet=name, limit=MAX_ROWS))
                    continue
                _table(kind, file, name, [list(r) for r in sheet.iter_rows()], out)
        except Exception:  # calamine raises its own errors for a damaged or disguised file
            out.errors.append(InputError(code="registry.file_unreadable", file=file))
            return out
        if not found:
            out.errors.append(InputError(code="registry.no_sheets", file=file))
    else:
        out.errors.append(InputError(code="registry.file_type", file=file, value=file))
    if not out.errors and not any(s.rows for s in out.sheets):
        out.errors.append(InputError(code="registry.empty_file", file=file))
    return out
