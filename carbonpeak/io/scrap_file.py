"""The scrap intake file: a workbook with the sheets 废料进料 (lots) and 产品产出 (outputs), one CSV file per
table, or JSON (``{"lots": [...], "outputs": [...]}``, what the API takes); its template in zh or en; its reader.

Template (:func:`write_template`, :func:`write_csv_template`), generated from the field tables: row 1 the field
names the reader goes by, row 2 the labels (``*`` marks a required field), data from row 3; drop-down lists of
the configured words; a sheet ``说明``/``fields`` explaining every column and the source of each list.

Reader (:func:`read`): python-calamine for workbooks, CSV in UTF-8 (with or without BOM) or GBK (the table a CSV
holds is told by its header: a ``lot`` column makes it the lots), JSON. A header cell may be a field name or its
label in either language. Every header problem is listed (file, sheet, row, column) and nothing is read from a
sheet whose header fails; the values are checked by :mod:`carbonpeak.recycling.ledger`.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.errors import InputError
from carbonpeak.io.registry_file import _blank, _cell, _header_key
from carbonpeak.io.scrap_fields import CHOICE_TYPES, KINDS, SHEETS, fields, source_of, words

MAX_ROWS = 20_000  # per sheet: a province's month is a few thousand lots
MAX_CELL = 2_000
FIRST_DATA_ROW = 3
EXPLANATION = {"zh": "说明", "en": "fields"}


@dataclass
class Sheet:
    kind: str
    file: str
    name: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Read:
    sheets: list[Sheet] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    def rows(self, kind: str) -> list[tuple[Sheet, int, dict[str, Any]]]:
        return [(s, n, r) for s in self.sheets if s.kind == kind for n, r in s.rows]


def _label(kind: str, name: str, lang: str) -> str:
    spec = fields(kind)[name]
    text = spec.label_zh if lang == "zh" else spec.label_en
    if spec.unit:
        text += f" [{spec.unit}]"
    return ("* " if spec.required else "") + text


def _choices(dtype: str, lang: str) -> list[str] | None:
    kind = CHOICE_TYPES.get(dtype)
    return [w.label(lang) for w in words(kind).values()] if kind else None


def write_template(lang: str = "zh") -> bytes:
    """The scrap intake workbook template as .xlsx bytes, labelled in ``lang`` (zh or en)."""
    lang = "en" if lang == "en" else "zh"
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for kind in KINDS:
        sheet = book.create_sheet(SHEETS[kind][lang])
        for col, spec in enumerate(fields(kind).values(), start=1):
            letter = get_column_letter(col)
            sheet.cell(row=1, column=col, value=spec.name).font = Font(color="808080", size=9)
            cell = sheet.cell(row=2, column=col, value=_label(kind, spec.name, lang))
            cell.font, cell.fill = Font(bold=True), fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[letter].width = max(14, min(36, len(spec.name) + 6))
            choices = _choices(spec.dtype, lang)
            if choices:
                check = DataValidation(
                    type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True, showErrorMessage=False
                )
                check.add(f"{letter}{FIRST_DATA_ROW}:{letter}{MAX_ROWS + FIRST_DATA_ROW}")
                sheet.add_data_validation(check)
            if spec.dtype in ("str", "period"):
                for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 200):  # codes and months stay text
                    sheet.cell(row=row, column=col).number_format = "@"
        sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    notes = book.create_sheet(EXPLANATION[lang])
    heads = (
        ["工作表", "列（字段名）", "名称", "必填", "单位", "说明", "取值来源"]
        if lang == "zh"
        else ["sheet", "column (field)", "label", "required", "unit", "description", "values from"]
    )
    notes.append(heads)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    yes = "是" if lang == "zh" else "yes"
    for kind in KINDS:
        for spec in fields(kind).values():
            listed = CHOICE_TYPES.get(spec.dtype)
            notes.append(
                [
                    SHEETS[kind][lang],
                    spec.name,
                    spec.label_zh if lang == "zh" else spec.label_en,
                    yes if spec.required else "",
                    spec.unit,
                    spec.description if lang == "en" else _zh_description(spec.name),
                    source_of(listed, lang) if listed and listed != "grade_schemes" else "",
                ]
            )
    for letter, width in zip("ABCDEFG", (10, 22, 22, 6, 6, 80, 50), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_ZH = {
    "facility_id": "接收该批废料的铸造车间（登记的设施编号）",
    "period": "投料月份（YYYY-MM）",
    "lot": "批次号或送货单号（同一设施同一月份内不重复）",
    "supplier": "供货单位",
    "source_category": "废料产生的环节（ASI认可的废料来源类别）",
    "grade_scheme": "按 GB/T 38472-2023 定级，或按贸易等级",
    "grade": "该体系下的等级：GB/T 38472-2023 等级须在已配置的列表中；贸易等级按买卖双方的名称填写",
    "consumer_status": "按 ISO 14021 区分消费前、消费后；厂内返回料须登记，但不计入再生含量",
    "origin": "国内回收，或进口的符合标准的再生原料",
    "customs_declaration": "进口批次的报关单号（进口原料必填）",
    "product": "该批废料投入的产品",
    "mass_t": "到厂质量（吨）",
    "metal_yield": "每吨废料回收的金属（0至1）",
    "note": "需要核查机构了解的情况",
    "output_t": "本月产品产量（吨）",
    "other_metal_input_t": "投入该产品的原生金属和合金元素（吨；没有填0）",
    "stock_change_t": "月末在炉、在制金属减去月初（吨；减少为负）",
    "losses_t": "收得率之外的金属损耗（吨）",
}


def _zh_description(name: str) -> str:
    return _ZH.get(name, "")


def write_csv_template(kind: str, lang: str = "zh") -> bytes:
    """One table's CSV template (UTF-8 with BOM, so Excel opens it in Chinese): field names, then labels."""
    lang = "en" if lang == "en" else "zh"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(fields(kind)))
    writer.writerow([_label(kind, name, lang) for name in fields(kind)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------- reading


def _names(kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in fields(kind).values():
        for text in (spec.name, spec.label_zh, spec.label_en):
            out.setdefault(text.casefold(), spec.name)
    return out


def sheet_kind(name: str) -> str | None:
    wanted = name.strip().casefold()
    for kind, names in SHEETS.items():
        if wanted == kind or wanted in {n.casefold() for n in names.values()}:
            return kind
    return None


def _table(kind: str, file: str, name: str, rows: list[list[Any]], out: Read) -> None:
    if not rows:
        return
    names = _names(kind)
    columns: list[str | None] = []
    errors: list[InputError] = []
    for position, text in enumerate(rows[0], start=1):
        if _blank(text):
            columns.append(None)
            continue
        found = names.get(_header_key(str(text)))
        if found is None:
            errors.append(
                InputError(
                    code="recycling.unknown_column",
                    file=file,
                    sheet=name,
                    row=1,
                    field=get_column_letter(position),
                    value=str(text),
                    fields=", ".join(fields(kind)),
                )
            )
        elif found in columns:
            errors.append(
                InputError(
                    code="recycling.duplicate_column", file=file, sheet=name, row=1, field=found, value=str(text)
                )
            )
        columns.append(found)
    missing = [f.name for f in fields(kind).values() if f.required and f.name not in columns]
    for spec_name in missing:
        errors.append(InputError(code="recycling.missing_column", file=file, sheet=name, row=1, field=spec_name))
    if errors:
        out.errors += errors
        return
    sheet = Sheet(kind, file, name)
    start = 1
    if len(rows) > 1 and all(
        _blank(v) or (i < len(columns) and columns[i] and names.get(_header_key(str(v))) == columns[i])
        for i, v in enumerate(rows[1])
    ):
        start = 2  # the template's row of labels
    if len(rows) - start > MAX_ROWS:
        out.errors.append(InputError(code="recycling.too_many_rows", file=file, sheet=name, limit=MAX_ROWS))
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
                value = value[:MAX_CELL]
            record[column] = value
        sheet.rows.append((number, record))
    out.sheets.append(sheet)


def _csv_kind(header: list[str]) -> str | None:
    keys = {_header_key(h) for h in header}
    lot = fields("lots")["lot"]
    if {lot.name, lot.label_zh.casefold(), lot.label_en.casefold()} & keys:
        return "lots"
    output = fields("outputs")["output_t"]
    if {output.name, output.label_zh.casefold(), output.label_en.casefold()} & keys:
        return "outputs"
    return None


def _read_json(file: str, content: bytes, out: Read) -> None:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        out.errors.append(InputError(code="recycling.file_unreadable", file=file))
        return
    if not isinstance(data, dict) or not isinstance(data.get("lots", []), list):
        out.errors.append(InputError(code="recycling.json_shape", file=file))
        return
    for kind in KINDS:
        items = data.get(kind) or []
        if not isinstance(items, list) or len(items) > MAX_ROWS:
            out.errors.append(InputError(code="recycling.json_shape", file=file, sheet=kind))
            continue
        sheet = Sheet(kind, file, kind)
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                out.errors.append(InputError(code="recycling.json_shape", file=file, sheet=kind, row=number))
                continue
            unknown = sorted(set(item) - set(fields(kind)))
            for name in unknown:
                out.errors.append(
                    InputError(code="recycling.unknown_field", file=file, sheet=kind, row=number, field=str(name)[:60])
                )
            sheet.rows.append((number, {k: v for k, v in item.items() if k in fields(kind)}))
        out.sheets.append(sheet)


def read(file: str, content: bytes) -> Read:
    """The lots and outputs of one file (.xlsx/.xlsm/.xls/.ods workbook, .csv, .json), with every header problem."""
    out = Read()
    suffix = file.rsplit(".", 1)[-1].casefold() if "." in file else ""
    if suffix == "json":
        _read_json(file, content, out)
    elif suffix == "csv":
        text = None
        for encoding in ("utf-8-sig", "gbk"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            out.errors.append(InputError(code="recycling.file_unreadable", file=file))
            return out
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
        kind = _csv_kind(rows[0]) if rows else None
        if kind is None:
            out.errors.append(InputError(code="recycling.csv_kind", file=file, row=1))
            return out
        _table(kind, file, SHEETS[kind]["zh"], rows, out)  # a CSV holds one table: named as its sheet would be
    elif suffix in ("xlsx", "xlsm", "xls", "ods"):
        from python_calamine import CalamineWorkbook

        from carbonpeak.io.reading import has_macros

        try:
            if zipfile.is_zipfile(io.BytesIO(content)) and has_macros(zipfile.ZipFile(io.BytesIO(content))):
                out.errors.append(InputError(code="intake.macro_workbook", file=file))
                return out
            book = CalamineWorkbook.from_filelike(io.BytesIO(content))
            for name in book.sheet_names:
                kind = sheet_kind(name)
                if kind is None:
                    continue
                sheet = book.get_sheet_by_name(name)
                if sheet.height > MAX_ROWS + FIRST_DATA_ROW or sheet.width > 4 * len(fields(kind)):
                    out.errors.append(InputError(code="recycling.too_many_rows", file=file, sheet=name, limit=MAX_ROWS))
                    continue
                _table(kind, file, name, [list(r) for r in sheet.iter_rows()], out)
        except Exception:  # calamine raises its own errors for a damaged or disguised file
            out.errors.append(InputError(code="recycling.file_unreadable", file=file))
            return out
    else:
        out.errors.append(InputError(code="recycling.file_type", file=file, value=file))
    if not out.errors and not any(s.rows for s in out.sheets if s.kind == "lots"):
        out.errors.append(InputError(code="recycling.no_lots", file=file))
    return out
