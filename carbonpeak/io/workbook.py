"""Reading uploaded .xlsx workbooks with cell-level errors, and annotating a copy with them.

``read_workbook(path)`` returns the data sheet (``activity``, or the first sheet) as strings under the
row-1 headers, skipping the template's label row. Before anything is parsed it refuses what would make
the numbers unreliable, naming sheet, row and column of each problem in one
:class:`~carbonpeak.errors.ValidationFailed`:

* a file over the size limit (checked before it is opened), a file that is not a readable .xlsx;
* formulas in data cells (a cached result may be stale or absent), Excel error values (``#DIV/0!``);
* merged cells in the header or data rows (only the top-left cell holds the value);
* empty or duplicate column names, values in a column without a name.

Fully empty rows are skipped. The sheet's XML is streamed through expat (:class:`_SheetReader`),
which also collects the ``<mergeCell>`` ranges that openpyxl's read-only mode does not expose; on
this machine it reads 100 000 rows x 30 columns in about 15 s, where openpyxl's read-only reader
takes several times as long. openpyxl (full load) is used only to write the annotated copy.

``read_activity_workbook(path)`` goes on to check header units and every record (through
:func:`carbonpeak.io.activity.parse_table`), so one pass lists every problem of the file.
``write_annotated_copy`` returns the workbook to its author with each offending cell filled red and
commented, and an ``errors`` sheet listing every problem.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree
from xml.parsers import expat

import openpyxl
import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from carbonpeak.accounting import ActivityBatch
from carbonpeak.errors import CarbonpeakError, InputError, UnitError, ValidationFailed
from carbonpeak.io.activity import _known_line_codes, parse_table
from carbonpeak.io.export import neutralise
from carbonpeak.io.fields import field_table
from carbonpeak.io.template import DATA_SHEET, column_for, display_width, strip_unit_suffix
from carbonpeak.messages import CodedText, Message
from carbonpeak.units import conversion_factor

MAX_BYTES = 50 * 1024 * 1024
MAX_ERRORS = 1000  # beyond this, one closing error says how many more were found
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"})
_HEADER = re.compile(r"^\s*(?P<name>[^\[\]]+?)\s*(\[(?P<unit>[^\]]+)\])?\s*$")
_LINE_KINDS = {  # column prefix → (list name, code key, amount key) of parse_records
    "fuel": ("fuels", "fuel", "amount"),
    "carbonate": ("carbonates", "carbonate", "amount_t"),
    "reductant": ("reductants", "agent", "amount_t"),
}
_UNIT_TEXT = {"percent": "%", "wan_Nm3": "10^4 Nm3", "dimensionless": "—"}


@dataclass
class _Scan:
    """What one pass over the sheet found."""

    sheet: str
    headers: list[str]
    first_data_row: int
    rows: list[list[str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)  # Excel rows with a formula, error value or merge
    header_ok: bool = True
    more_errors: int = 0

    def add(self, error: InputError, row: int | None = None) -> None:
        if row is not None:
            self.bad_rows.add(row)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)
        else:
            self.more_errors += 1

    def all_errors(self, file: str) -> list[InputError]:
        if not self.more_errors:
            return list(self.errors)
        return [*self.errors, InputError(code="error.more_problems", file=file, count=self.more_errors)]


def read_workbook(path: str | Path, *, max_bytes: int = MAX_BYTES) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The data sheet as strings under its row-1 headers, and where each row came from.

    Returns ``(frame, meta)`` with ``meta = {"sheet", "first_data_row" (3 after the template's label
    row, else 2), "row_numbers" (the Excel row of each returned row), "label_row" (bool)}``. Raises
    :class:`ValidationFailed` listing every structural problem, each naming file, "sheet S, row N" and
    the column header.
    """
    name = str(path)
    scan = _scan(Path(path), max_bytes)
    if scan.errors:
        raise ValidationFailed(scan.all_errors(name), file=name)
    return _frame(scan), _meta(scan)


def read_activity_workbook(path: str | Path, *, max_bytes: int = MAX_BYTES) -> ActivityBatch:
    """Read and validate activity records from an .xlsx, listing every problem of the file at once.

    Structural problems (:func:`read_workbook`), header problems (unknown column, a unit of the wrong
    dimension) and record problems (one per record: its first) are raised together as one
    :class:`ValidationFailed`; each error's ``record`` is "sheet S, row N" and its ``field`` the
    column header as written in row 1. Rows with a structural problem are not parsed further.
    """
    name = str(path)
    scan = _scan(Path(path), max_bytes)
    errors = scan.all_errors(name)
    if not scan.header_ok:
        raise ValidationFailed(errors, file=name)
    columns, header_errors = _check_headers(scan, name)
    errors = header_errors + errors
    keep = [i for i, row in enumerate(scan.row_numbers) if row not in scan.bad_rows]
    errors += _duplicate_ids(scan, keep, columns, name)
    if not keep and not errors:
        raise ValidationFailed(
            [InputError(code="intake.no_rows", file=name, sheet=scan.sheet)],
            file=name,
        )
    batch: ActivityBatch | None = None
    if keep:
        usable = [j for j, c in enumerate(columns) if not c.skip]
        frame = pd.DataFrame(
            [[scan.rows[i][j] for j in usable] for i in keep],
            columns=[columns[j].name + (f"[{columns[j].unit}]" if columns[j].unit else "") for j in usable],
            dtype=object,
        )
        label = f"sheet {scan.sheet}, row"
        rows = [scan.row_numbers[i] for i in keep]
        try:
            batch = parse_table(frame, source=name, collect=True, row_numbers=rows, row_label=label)
        except ValidationFailed as failed:
            errors += _relocate(failed.errors, scan, keep, columns, label)
        except InputError as error:
            errors += _relocate([error], scan, keep, columns, label)
    if errors:
        errors.sort(key=_error_order)
        raise ValidationFailed(errors, file=name)
    assert batch is not None
    return batch


# ---------------------------------------------------------------------------------------------- scan


def _fatal(file: str, *, code: str, **where: Any) -> ValidationFailed:
    return ValidationFailed([InputError(code=code, file=file, **where)], file=file)


def _place(sheet: str, row: int) -> str:
    """ "sheet S, row N" (what the annotated copy and the callers read), carrying its words in zh and en."""
    return CodedText(Message("where.sheet_row", sheet=sheet, row=row))


def _scan(path: Path, max_bytes: int) -> _Scan:
    name = str(path)
    if not path.exists():
        raise _fatal(name, code="intake.file_missing")
    size = path.stat().st_size
    if size > max_bytes:
        raise _fatal(name, code="intake.file_too_large", value=_size_text(size), limit=_size_text(max_bytes))
    if size == 0:
        raise _fatal(name, code="intake.file_empty")
    with path.open("rb") as handle:
        if handle.read(8) == _OLE_SIGNATURE:
            raise _fatal(name, code="intake.old_xls")
    try:
        with zipfile.ZipFile(path) as archive:
            book = _Book.open(archive)
            sheet_name, member = book.data_sheet()
            reader = _SheetReader(book)
            with archive.open(member) as stream:
                return _scan_rows(reader.rows(stream), reader, sheet_name, name)
    except CarbonpeakError:
        raise
    except Exception:  # zip, deflate, XML and missing-part errors all mean the same to the user
        raise _fatal(name, code="intake.unreadable_workbook") from None


def _scan_rows(rows: Iterator[tuple[int, list[Any]]], reader: _SheetReader, sheet: str, file: str) -> _Scan:
    first = next(rows, None)
    if first is None or first[0] != 1:
        raise _fatal(file, code="intake.no_header", record=_place(sheet, 1))
    raw_headers = [_header_text(v) for v in first[1]]
    while raw_headers and not raw_headers[-1]:
        raw_headers.pop()
    if not raw_headers:
        raise _fatal(file, code="intake.no_header", record=_place(sheet, 1))
    width = len(raw_headers)
    second = next(rows, None)
    label_row = second is not None and second[0] == 2 and _is_label_row(raw_headers, second[1])
    scan = _Scan(sheet=sheet, headers=raw_headers, first_data_row=3 if label_row else 2)
    unnamed_with_data: dict[int, int] = {}  # column index (0-based) → first row with a value there

    def where(row: int, column: int) -> dict[str, Any]:
        header = raw_headers[column] if column < width and raw_headers[column] else f"column {_letter(column)}"
        return {"file": file, "record": _place(sheet, row), "field": header}

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        if second is not None and not label_row:
            yield second
        yield from rows

    for row_number, values in data_rows():
        cells: list[str] = [""] * width
        empty = True
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                if not value.strip():
                    continue
                if value.startswith("=") and len(value) > 1:  # text a formula would have been
                    value = _Formula(value)
            if isinstance(value, _Formula):
                scan.add(
                    InputError(code="intake.formula_cell", value=value.text, **where(row_number, column)),
                    row_number,
                )
                value = value.text
            elif isinstance(value, _ExcelError):
                scan.add(
                    InputError(code="intake.excel_error", value=value.text, **where(row_number, column)),
                    row_number,
                )
                value = value.text
            empty = False
            if column >= width or not raw_headers[column]:
                unnamed_with_data.setdefault(column, row_number)
                if column >= width:
                    continue
            cells[column] = _text(value, raw_headers[column])
        if empty:
            continue
        scan.rows.append(cells)
        scan.row_numbers.append(row_number)

    _check_header_names(scan, unnamed_with_data, file)
    last_row = scan.row_numbers[-1] if scan.row_numbers else scan.first_data_row
    for ref in reader.merges:
        min_col, min_row, _max_col, max_row = range_boundaries(ref)
        if max_row < scan.first_data_row and min_row > 1:
            continue  # a merge confined to the label row
        if min_row > last_row:
            continue  # formatting below the data
        scan.add(InputError(code="intake.merged_cells", value=ref, **where(min_row, min_col - 1)))
        scan.bad_rows.update(range(min_row, max_row + 1))
        if min_row == 1:
            scan.header_ok = False
    return scan


def _check_header_names(scan: _Scan, unnamed_with_data: dict[int, int], file: str) -> None:
    record = _place(scan.sheet, 1)
    seen: dict[str, str] = {}
    for column, header in enumerate(scan.headers):
        letter = _letter(column)
        if not header:
            if column in unnamed_with_data:
                scan.header_ok = False
                scan.add(
                    InputError(
                        code="intake.unnamed_column", file=file, record=record, field=f"column {letter}", value=letter
                    )
                )
            continue
        match = _HEADER.match(header)
        key = match["name"].strip() if match else header
        if key in seen:
            scan.header_ok = False
            scan.add(
                InputError(
                    code="intake.duplicate_column",
                    file=file,
                    record=record,
                    field=header,
                    value=f"{seen[key]}, {letter}",
                )
            )
        else:
            seen[key] = letter
    for column in sorted(unnamed_with_data):
        if column >= len(scan.headers):
            scan.header_ok = False
            scan.add(
                InputError(
                    code="intake.unnamed_column",
                    file=file,
                    record=record,
                    field=f"column {_letter(column)}",
                    value=_letter(column),
                )
            )


def _is_label_row(headers: list[str], values: Sequence[Any]) -> bool:
    """Row 2 of a template: each non-empty cell is its column's label (zh or en, with or without unit)."""
    matches = filled = 0
    for header, value in zip(headers, values, strict=False):
        if value is None or not str(value).strip():
            continue
        filled += 1
        match = _HEADER.match(header) if header else None
        column = column_for(match["name"].strip()) if match else None
        if column is None:
            continue
        text = str(value).strip()
        labels = {column.label_zh, column.label_en, column.label("zh"), column.label("en")}
        if text in labels or strip_unit_suffix(text) in labels:
            matches += 1
    return matches >= 1 and 2 * matches >= filled


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _Formula | _ExcelError):
        return value.text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _text(value: Any, header: str) -> str:
    """A cell value as the text a CSV would hold."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if header.split("[")[0].strip() == "period" and value.day == 1 and value.time() == dt.time(0):
            return f"{value.year:04d}-{value.month:02d}"  # Excel turns a typed "2024-03" into 2024-03-01
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return str(value)
    return str(value)


# ------------------------------------------------------------------------- streaming SpreadsheetML


@dataclass(frozen=True)
class _Formula:
    text: str


@dataclass(frozen=True)
class _ExcelError:
    text: str


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(45, 48)})


@dataclass
class _Book:
    """The parts of a workbook the reader needs: sheets, shared strings, date styles, the date epoch."""

    archive: zipfile.ZipFile
    sheets: list[tuple[str, str]]  # (name, zip member) in workbook order
    shared: list[str]
    date_styles: frozenset[str]  # cell style indexes (the s attribute, as written) of date formats
    epoch: dt.datetime

    @classmethod
    def open(cls, archive: zipfile.ZipFile) -> _Book:
        names = set(archive.namelist())
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PACKAGE_RELS}Relationship")}
        sheets = []
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_RELS}id"), "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if member in names:
                sheets.append((sheet.get("name", ""), member))
        properties = workbook.find(f"{_MAIN}workbookPr")
        date1904 = properties is not None and properties.get("date1904", "0").lower() in ("1", "true")
        shared = _shared_strings(archive) if "xl/sharedStrings.xml" in names else []
        date_styles = _date_styles(archive.read("xl/styles.xml")) if "xl/styles.xml" in names else frozenset()
        return cls(archive, sheets, shared, date_styles, MAC_EPOCH if date1904 else WINDOWS_EPOCH)

    def data_sheet(self) -> tuple[str, str]:
        if not self.sheets:
            raise InputError(code="intake.no_sheet")
        return next((s for s in self.sheets if s[0] == DATA_SHEET), self.sheets[0])


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _, element in ElementTree.iterparse(stream):
            if element.tag == f"{_MAIN}si":
                strings.append(_rich_text(element))
                element.clear()
    return strings


def _rich_text(element: ElementTree.Element) -> str:
    """The text of an <si> or <is>: its <t>, or the <t> of its runs; phonetic runs (<rPh>) left out."""
    parts = []
    for child in element:
        if child.tag == f"{_MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{_MAIN}r":
            parts.extend(t.text or "" for t in child.iter(f"{_MAIN}t"))
    return "".join(parts)


def _date_styles(xml: bytes) -> frozenset[str]:
    styles = ElementTree.fromstring(xml)
    custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in styles.iter(f"{_MAIN}numFmt")}
    cell_xfs = styles.find(f"{_MAIN}cellXfs")
    dates = set()
    for index, xf in enumerate(cell_xfs if cell_xfs is not None else ()):
        number_format = int(xf.get("numFmtId", "0"))
        code = custom.get(number_format) or BUILTIN_FORMATS.get(number_format, "")
        if number_format in _DATE_FORMAT_IDS or (code and is_date_format(code)):
            dates.add(str(index))
    return frozenset(dates)


class _SheetReader:
    """Rows of one worksheet as (row number, values), streamed through expat; merged ranges on the way.

    Values: None, str, float, bool, datetime (numbers in a date style), :class:`_Formula`, or
    :class:`_ExcelError`. openpyxl's read-only reader gives the same values but is several times slower
    and, for sheets without a <dimension>, parses the whole sheet once more before the first row.
    """

    def __init__(self, book: _Book) -> None:
        self.book = book
        self.merges: list[str] = []
        self._done: list[tuple[int, list[Any]]] = []
        self._row = 0
        self._cells: dict[int, Any] = {}
        self._column = -1
        self._type: str | None = None
        self._style: str | None = None
        self._formula: list[str] | None = None
        self._value: list[str] | None = None
        self._inline: list[str] | None = None
        self._text: list[str] | None = None  # the buffer characters go to, if any
        self._in_run_phonetic = False

    def rows(self, stream: Any) -> Iterator[tuple[int, list[Any]]]:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        while chunk := stream.read(1 << 20):
            parser.Parse(chunk, False)
            if self._done:
                yield from self._done
                self._done = []
        parser.Parse(b"", True)
        yield from self._done
        self._done = []

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name[name.find(":") + 1 :]
        if tag == "c":
            ref = attrs.get("r")
            self._column = _column_index(ref) if ref else self._column + 1
            self._type = attrs.get("t")
            self._style = attrs.get("s")
            self._formula = self._value = self._inline = None
        elif tag == "v":
            self._value = self._text = []
        elif tag == "f":
            self._formula = self._text = []
        elif tag == "row":
            ref = attrs.get("r")
            self._row = int(ref) if ref else self._row + 1
            self._cells = {}
            self._column = -1
        elif tag == "is":
            self._inline = []
        elif tag == "t" and self._inline is not None and not self._in_run_phonetic:
            self._text = self._inline
        elif tag == "rPh":
            self._in_run_phonetic = True
        elif tag == "mergeCell" and "ref" in attrs:
            self.merges.append(attrs["ref"].upper())

    def _end(self, name: str) -> None:
        tag = name[name.find(":") + 1 :]
        if tag == "c":
            self._cells[self._column] = self._cell_value()
        elif tag in ("v", "f", "t"):
            self._text = None
        elif tag == "row":
            if self._cells:
                values: list[Any] = [None] * (max(self._cells) + 1)
                for column, value in self._cells.items():
                    values[column] = value
                self._done.append((self._row, values))
        elif tag == "rPh":
            self._in_run_phonetic = False

    def _characters(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _cell_value(self) -> Any:
        if self._formula is not None:
            return _Formula("=" + ("".join(self._formula) or "(shared formula)"))
        kind = self._type
        if kind == "inlineStr":
            return "".join(self._inline or ())
        if self._value is None:
            return None
        text = "".join(self._value)
        if kind == "s":
            return self.book.shared[int(text)]
        if kind in ("str", "d"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "e":
            return _ExcelError(text)
        if not text:
            return None
        number = float(text)
        if self._style is not None and self._style in self.book.date_styles:
            return from_excel(number, self.book.epoch)
        return number


_COLUMNS: dict[str, int] = {}


def _column_index(ref: str) -> int:
    """0-based column of a cell reference ('B7' → 1)."""
    letters = ref.rstrip("0123456789")
    column = _COLUMNS.get(letters)
    if column is None:
        column = _COLUMNS[letters] = int(column_index_from_string(letters.lstrip("$"))) - 1
    return column


def _frame(scan: _Scan) -> pd.DataFrame:
    return pd.DataFrame(scan.rows, columns=scan.headers, dtype=object)


def _meta(scan: _Scan) -> dict[str, Any]:
    return {
        "sheet": scan.sheet,
        "first_data_row": scan.first_data_row,
        "row_numbers": list(scan.row_numbers),
        "label_row": scan.first_data_row == 3,
    }


def _letter(column: int) -> str:
    return str(get_column_letter(column + 1))


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


# ------------------------------------------------------------------------------------ headers, records


@dataclass(frozen=True)
class _Col:
    header: str
    name: str  # field name or line key
    unit: str | None  # unit to convert from, None for canonical or none
    skip: bool = False


def _check_headers(scan: _Scan, file: str) -> tuple[list[_Col], list[InputError]]:
    """Each header's field and unit; unknown names and units of the wrong dimension are errors."""
    fields = field_table("activity")
    known_lines = _known_line_codes()
    record = _place(scan.sheet, 1)
    columns: list[_Col] = []
    errors: list[InputError] = []
    for header in scan.headers:
        if not header:
            columns.append(_Col(header, "", None, skip=True))
            continue
        match = _HEADER.match(header)
        if not match:
            errors.append(
                InputError(code="intake.unreadable_header", file=file, record=record, field=header, value=header)
            )
            columns.append(_Col(header, header, None, skip=True))
            continue
        name, unit = match["name"].strip(), match["unit"]
        kind, _, code = name.partition(":")
        canonical: str | None
        if kind in _LINE_KINDS and code:
            list_name = _LINE_KINDS[kind][0]
            if code not in known_lines[list_name]:
                errors.append(
                    InputError(
                        code="intake.unknown_line_code",
                        file=file,
                        record=record,
                        field=header,
                        value=code,
                        choices=", ".join(sorted(known_lines[list_name])),
                    )
                )
                columns.append(_Col(header, name, None, skip=True))
                continue
            column = column_for(name)
            canonical = column.unit if column else "t"
        elif name in fields:
            spec = fields[name]
            if spec.dtype != "float":
                if unit:
                    errors.append(
                        InputError(code="intake.unit_not_allowed", file=file, record=record, field=header, value=unit)
                    )
                columns.append(_Col(header, name, None))
                continue
            canonical = spec.unit or "dimensionless"
        else:
            errors.append(
                InputError(code="intake.unknown_column", file=file, record=record, field=header, value=header)
            )
            columns.append(_Col(header, name, None, skip=True))
            continue
        if unit:
            try:
                conversion_factor(unit, canonical, field=name)
            except UnitError:
                errors.append(
                    UnitError(
                        code="intake.header_unit",
                        file=file,
                        record=record,
                        field=header,
                        value=unit,
                        unit=_UNIT_TEXT.get(canonical, canonical),
                    )
                )
                unit = None  # the header is reported once; the values are still checked as they stand
        columns.append(_Col(header, name, unit))
    return columns, errors


def _relocate(
    errors: list[InputError], scan: _Scan, keep: list[int], columns: list[_Col], label: str
) -> list[InputError]:
    """Give record errors the row label ("sheet S, row N") and the column header of their cell.

    :func:`parse_records` names a record by its record_id when it has one; record_ids are unique here
    (:func:`_duplicate_ids` took out repeats), so each name leads back to one row.
    """
    by_name = {c.name: c.header for c in columns if not c.skip}
    rows: dict[str, str] = {}
    position = next((j for j, c in enumerate(columns) if c.name == "record_id" and not c.skip), None)
    if position is not None:
        for i in keep:
            if scan.rows[i][position].strip():
                rows[scan.rows[i][position]] = f"{label} {scan.row_numbers[i]}"
    located: list[InputError] = []
    for error in errors:
        value = error.value
        located.append(
            type(error)(
                None if error.code else error.detail,
                code=error.code,
                file=error.file,
                record=rows.get(str(error.record), error.record),
                field=_header_of(error.field, by_name),
                value=value["value"] if isinstance(value, dict) and "value" in value else value,
                expected=error.expected,
                **error.params,
            )
        )
    return located


def _duplicate_ids(scan: _Scan, keep: list[int], columns: list[_Col], file: str) -> list[InputError]:
    """Rows repeating an earlier row's record_id: reported here and left out of record parsing."""
    position = next((i for i, c in enumerate(columns) if c.name == "record_id" and not c.skip), None)
    if position is None:
        return []
    first: dict[str, int] = {}
    errors: list[InputError] = []
    dropped: set[int] = set()
    for index in keep:
        ident = scan.rows[index][position].strip()
        row = scan.row_numbers[index]
        if not ident:
            continue
        if ident in first:
            errors.append(
                InputError(
                    code="intake.duplicate_record",
                    file=file,
                    record=_place(scan.sheet, row),
                    field=columns[position].header,
                    value=ident,
                    expected=f"each record_id once (first used in row {first[ident]})",
                    first_row=first[ident],
                )
            )
            dropped.add(index)
        else:
            first[ident] = row
    keep[:] = [i for i in keep if i not in dropped]
    return errors


def _header_of(field_name: str | None, by_name: dict[str, str]) -> str | None:
    if field_name is None:
        return None
    if field_name in by_name:
        return by_name[field_name]
    list_name, _, rest = field_name.partition(".")
    for kind, (lines, _, _) in _LINE_KINDS.items():
        if list_name == lines:
            code = rest.split(".")[0]
            return by_name.get(f"{kind}:{code}", field_name)
    return field_name


_ROW = re.compile(r"^(?:sheet (?P<sheet>.+?), )?row (?P<row>\d+)\b")
_RECORDS = re.compile(r"^records\[(?P<index>\d+)\]$")


def _error_order(error: InputError) -> int:
    match = _ROW.match(str(error.record or ""))
    return int(match["row"]) if match else 0


# ----------------------------------------------------------------------------------- annotated copy

_ERROR_FILL = PatternFill("solid", fgColor="FFFFC7CE")
_ERROR_FONT = Font(color="FF9C0006")
_ERROR_HEADERS = {
    "zh": ["文件", "工作表", "行", "单元格", "字段", "值", "期望", "问题"],
    "en": ["file", "sheet", "row", "cell", "field", "value", "expected", "problem"],
}


def write_annotated_copy(
    source_path: str | Path | BinaryIO,
    errors: Iterable[InputError],
    target_path: str | Path,
    row_numbers: Sequence[int] | None = None,
    *,
    lang: str = "zh",
) -> Path:
    """A copy of the workbook with each offending cell filled red and commented, and an ``errors`` sheet.

    An error's row comes from its record ("sheet S, row N" or "row N"; with ``row_numbers``, a bare
    "row N" or "records[i]" of :func:`~carbonpeak.io.activity.parse_table` is mapped to the Excel row
    of that frame row), its column from its field matched against row 1. Errors that cannot be placed
    on a cell are listed only in the ``errors`` sheet. A :class:`ValidationFailed` in ``errors`` is
    expanded into its errors.
    """
    target_path = Path(target_path)
    source_name = source_path.name if isinstance(source_path, str | Path) else "upload.xlsx"
    if isinstance(source_path, str):
        source_path = Path(source_path)
    flat: list[InputError] = []
    for error in errors:
        flat.extend(error.errors if isinstance(error, ValidationFailed) else [error])
    workbook = openpyxl.load_workbook(source_path, keep_vba=False)  # the copy needs no macros
    default_sheet = DATA_SHEET if DATA_SHEET in workbook.sheetnames else workbook.sheetnames[0]
    headers: dict[str, dict[str, int]] = {}
    notes: dict[tuple[str, int, int], list[str]] = {}
    listing: list[list[Any]] = []
    for error in flat:
        sheet_name, row = _error_row(error, default_sheet, row_numbers)
        if sheet_name not in workbook.sheetnames:
            sheet_name, row = default_sheet, None
        if sheet_name not in headers:
            headers[sheet_name] = _header_columns(workbook[sheet_name])
        named = error.params.get("column") or error.field
        column = _error_column(named, headers[sheet_name]) if row is not None else None
        cell = f"{get_column_letter(column)}{row}" if row is not None and column is not None else ""
        if cell:
            notes.setdefault((sheet_name, row, column), []).append(_message(error, lang))  # type: ignore[arg-type]
        listing.append(
            [
                error.file or str(Path(source_name).name),
                sheet_name if row is not None else None,
                row,
                cell or None,
                error.field or None,
                None if error.value is None else str(error.value),
                None if error.code else (error.expected or None),
                error.message_text(lang),
            ]
        )
    for (sheet_name, row, column), messages in notes.items():
        target = workbook[sheet_name].cell(row=row, column=column)
        target.fill = _ERROR_FILL
        target.font = _ERROR_FONT
        text = "\n".join(messages)
        if target.comment is not None:
            text = f"{target.comment.text}\n{text}"
        comment = Comment(text, "carbonpeak")
        comment.width, comment.height = 320, min(60 + 40 * len(messages), 400)
        target.comment = comment
    _errors_sheet(workbook, listing, lang)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target_path)
    return target_path


def _error_row(error: InputError, default_sheet: str, row_numbers: Sequence[int] | None) -> tuple[str, int | None]:
    if error.row is not None:
        return error.sheet or default_sheet, error.row
    record = str(error.record or "")
    match = _ROW.match(record)
    if match:
        row = int(match["row"])
        if match["sheet"]:
            return match["sheet"], row
        if row_numbers is not None:  # parse_table numbers frame rows from 2
            return default_sheet, row_numbers[row - 2] if 0 <= row - 2 < len(row_numbers) else None
        return default_sheet, row
    match = _RECORDS.match(record)
    if match and row_numbers is not None:
        index = int(match["index"])
        return default_sheet, row_numbers[index] if index < len(row_numbers) else None
    return default_sheet, None


def _header_columns(sheet: Any) -> dict[str, int]:
    """Row-1 headers → column number, by full header and by field name without its unit."""
    columns: dict[str, int] = {}
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        text = _header_text(cell.value)
        if not text:
            continue
        columns.setdefault(text, cell.column)
        match = _HEADER.match(text)
        if match:
            columns.setdefault(match["name"].strip(), cell.column)
    return columns


def _error_column(field_name: str | None, columns: dict[str, int]) -> int | None:
    if not field_name:
        return 1  # an error of the whole row (a duplicate record) is marked on its first cell
    if field_name in columns:
        return columns[field_name]
    if field_name.startswith("column "):
        try:
            return int(column_index_from_string(field_name.removeprefix("column ").strip()))
        except ValueError:
            return None
    match = _HEADER.match(field_name)
    if match and match["name"].strip() in columns:
        return columns[match["name"].strip()]
    list_name, _, rest = field_name.partition(".")
    for kind, (lines, _, _) in _LINE_KINDS.items():
        if list_name == lines:
            return columns.get(f"{kind}:{rest.split('.')[0]}")
    return None


def _message(error: InputError, lang: str = "zh") -> str:
    if error.code:
        return error.text(lang).split("：" if lang == "zh" else ": ", 1)[-1]
    text = error.detail
    if error.value is not None:
        text += f" (got {error.value!r})"
    if error.expected:
        text += f"; expected {error.expected}"
    return text


def _errors_sheet(workbook: Any, listing: list[list[Any]], lang: str) -> None:
    title = "errors"
    number = 2
    while title in workbook.sheetnames:
        title, number = f"errors ({number})", number + 1
    sheet = workbook.create_sheet(title, 0)
    sheet.append(_ERROR_HEADERS.get(lang, _ERROR_HEADERS["en"]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in listing:
        sheet.append(line)
        for cell in sheet[sheet.max_row]:
            neutralise(cell)  # values from the file: text beginning with = stays text
    sheet.freeze_panes = "A2"
    for index, header in enumerate(_ERROR_HEADERS.get(lang, _ERROR_HEADERS["en"]), start=1):
        values = [header, *(str(line[index - 1] or "") for line in listing[:500])]
        sheet.column_dimensions[get_column_letter(index)].width = min(max(display_width(v) for v in values) + 2, 80)
    workbook.active = 0
