"""Reading an uploaded file (Excel, CSV, JSON, YAML) into cells, safely.

A file is refused, with one coded error, as soon as it breaks a limit (:class:`Limits`), and the limits
are checked while the file is streamed, before anything expensive is built from it:

* the upload's size; for a workbook, the size of its parts once decompressed (the zip directory's
  figures first, then the bytes actually inflated while the sheet is scanned);
* the rows and columns a sheet spans (a single cell in column ZZZ is refused at once: a reader would
  otherwise allocate every cell up to it on every row) and the cells it holds;
* the length of a cell (a 20 MiB string is refused, not stored);
* YAML aliases (``*a``): refused outright, so a few hundred bytes cannot expand to gigabytes.

Workbooks are read with python-calamine (Rust) after a streaming scan of the sheet's XML that finds,
cheaply, what calamine does not tell: formulas and Excel error values (both refused: a cached result
may be stale or absent), and the sheet's extent. CSV is UTF-8 (with or without BOM) or GBK/GB18030;
JSON and YAML UTF-8 or GBK. Bytes in no such encoding get a coded error, never a traceback.

The result is a :class:`Table` (header + rows as text or numbers, each row with its number in the
file) or, for JSON/YAML, :class:`Records` (the raw list); :mod:`carbonpeak.io.validate` checks them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import yaml

from carbonpeak.errors import InputError, ValidationFailed

DATA_SHEET = "activity"  # the template's data sheet (carbonpeak.io.template.DATA_SHEET)


@dataclass(frozen=True)
class Limits:
    """What an upload may be. The defaults suit the template (about 60 columns) and a province's year
    of months many times over; a deployment may change them (web settings, CLI environment)."""

    max_bytes: int = 50 * 2**20  # the upload as sent
    max_uncompressed_bytes: int = 512 * 2**20  # a workbook's parts once inflated, together
    max_rows: int = 200_000  # data rows (a sheet's last row number, for a workbook)
    max_columns: int = 200  # the template has about 60
    max_cells: int = 10_000_000  # rows x columns a workbook spans (what its reader allocates)
    max_cell_chars: int = 2_000  # any one cell; free-text fields have their own, lower, limit
    max_text_chars: int = 200  # a free-text field (facility_name, technology, metering ...)
    max_errors: int = 1_000  # problems listed; beyond this one closing line says how many more

    @classmethod
    def from_env(cls, **overrides: int) -> Limits:
        """The defaults, each overridable by ``CARBONPEAK_INTAKE_<NAME>`` (e.g. CARBONPEAK_INTAKE_MAX_ROWS)."""
        import dataclasses
        import os

        values: dict[str, int] = {}
        for item in dataclasses.fields(cls):
            text = os.environ.get(f"CARBONPEAK_INTAKE_{item.name.upper()}")
            if text and text.strip().isdigit():
                values[item.name] = int(text)
        values.update(overrides)
        return cls(**values)


@dataclass
class Table:
    """A sheet or CSV: the header row as written and the data rows (object cells: str, float, int,
    bool, date ...), each with its row number in the file."""

    file: str
    sheet: str | None
    headers: list[str]
    frame: pd.DataFrame  # columns by position 0..n-1 (headers may repeat or be empty)
    row_numbers: np.ndarray
    errors: list[InputError] = field(default_factory=list)  # structural problems (formula cells ...)
    bad_rows: set[int] = field(default_factory=set)  # rows those problems make unreliable
    by_record: bool = False  # JSON/YAML: row N is record N (errors name the record, not a row)


@dataclass
class Records:
    """JSON or YAML: the list of records as given."""

    file: str
    records: list[Any]


def refuse(code: str, file: str, **where: Any) -> ValidationFailed:
    return ValidationFailed([InputError(code=code, file=file, **where)], file=file)


def read_upload(content: bytes, filename: str, limits: Limits | None = None) -> Table | Records:
    """The file's cells (or records); raises :class:`ValidationFailed` with coded errors."""
    limits = limits or Limits()
    if len(content) > limits.max_bytes:
        raise refuse("intake.file_too_large", filename, value=_size(len(content)), limit=_size(limits.max_bytes))
    if not content:
        raise refuse("intake.file_empty", filename)
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook_cells(content, filename, limits)
    if suffix == ".csv":
        return read_csv_cells(content, filename, limits)
    if suffix in (".json", ".yaml", ".yml"):
        return read_structured(content, filename, suffix, limits)
    raise refuse("intake.unsupported_type", filename, value=suffix or filename)


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} B"


# ---------------------------------------------------------------------------------------- text


def decode(content: bytes, filename: str) -> str:
    """UTF-8 (a BOM allowed), else GBK/GB18030; anything else is a coded error."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise refuse("intake.encoding", filename)


def read_csv_cells(content: bytes, filename: str, limits: Limits) -> Table:
    text = decode(content, filename)
    first_line = text.split("\n", 1)[0]
    if first_line.count(",") + 1 > limits.max_columns:
        raise refuse(
            "intake.too_many_columns", filename, row=1, value=first_line.count(",") + 1, limit=limits.max_columns
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True, header=None, engine="c"
        )
    except pd.errors.EmptyDataError:
        raise refuse("intake.no_header", filename, row=1) from None
    except pd.errors.ParserError as exc:
        raise refuse("intake.csv_malformed", filename, row=csv_error_row(exc)) from None
    if frame.empty:
        raise refuse("intake.no_header", filename, row=1)
    headers = [str(h).strip() for h in frame.iloc[0].tolist()]
    data = frame.iloc[1:].reset_index(drop=True)
    data.columns = range(len(headers))
    if len(data) > limits.max_rows:
        raise refuse("intake.too_many_rows", filename, value=len(data), limit=limits.max_rows)
    _check_cell_lengths(data, headers, filename, None, np.arange(2, len(data) + 2), limits)
    # blank lines are skipped by the reader, so row numbers follow the data lines; a line of only commas stays
    blank = (data == "").all(axis=1).to_numpy() if len(data.columns) else np.ones(len(data), bool)
    numbers = _csv_line_numbers(text, len(frame))[1:]
    data, numbers = data[~blank].reset_index(drop=True), numbers[~blank]
    if data.empty:
        raise refuse("intake.no_rows", filename)
    return Table(file=filename, sheet=None, headers=headers, frame=data, row_numbers=numbers)


def csv_error_row(exc: Exception) -> int | None:
    """The line a CSV parser's error names (its own text is not shown: it is the parser's, in English)."""
    match = re.search(r"line (\d+)", str(exc))
    return int(match[1]) if match else None


def _csv_line_numbers(text: str, count: int) -> np.ndarray:
    """The file line of each parsed row (blank lines skipped); quoted line breaks are rare, so a row
    count that does not match falls back to consecutive numbers."""
    lines = text.splitlines()
    numbers = np.array([i + 1 for i, line in enumerate(lines) if line.strip()], dtype=np.int64)
    if len(numbers) != count:
        return np.arange(1, count + 1)
    return numbers


def _check_cell_lengths(
    data: pd.DataFrame, headers: list[str], filename: str, sheet: str | None, numbers: np.ndarray, limits: Limits
) -> None:
    for position in data.columns:
        column = data[position]
        if column.dtype != object:
            continue
        try:
            lengths = column.str.len().fillna(0).to_numpy()
        except AttributeError:  # no text in the column (numbers, dates only)
            continue
        too_long = np.flatnonzero(lengths > limits.max_cell_chars)
        if len(too_long):
            first = too_long[0]
            header = headers[position] if position < len(headers) else None
            raise refuse(
                "intake.cell_too_long",
                filename,
                sheet=sheet,
                row=int(numbers[first]),
                field=header,
                value=f"{int(lengths[first])}",
                limit=limits.max_cell_chars,
            )


# ---------------------------------------------------------------------------------------- JSON / YAML


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases: ``*a`` is refused, so a small file cannot expand into a huge one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(event.start_mark.line + 1)
        return super().compose_node(parent, index)


class _AliasRefused(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def read_structured(content: bytes, filename: str, suffix: str, limits: Limits) -> Records:
    text = decode(content, filename)
    try:
        # YAML: a SafeLoader that refuses aliases
        data = json.loads(text) if suffix == ".json" else yaml.load(text, Loader=_NoAliasLoader)
    except json.JSONDecodeError as exc:
        raise refuse("intake.invalid_json", filename, row=exc.lineno, line=exc.lineno, column=exc.colno) from None
    except _AliasRefused as exc:
        raise refuse("intake.yaml_alias", filename, row=exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise refuse("intake.invalid_yaml", filename, row=line) from None
    except RecursionError:
        raise refuse("intake.invalid_json", filename) from None
    if isinstance(data, dict) and "records" in data:
        data = data["records"]
    if not isinstance(data, list) or not data:
        raise refuse("intake.no_records", filename)
    if len(data) > limits.max_rows:
        raise refuse("intake.too_many_rows", filename, value=len(data), limit=limits.max_rows)
    return Records(file=filename, records=data)


# ---------------------------------------------------------------------------------------- workbooks

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CELL = re.compile(rb"<(?:\w+:)?c[\s>]")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"\$?([A-Z]{1,3})\$?(\d+)\"")
_ROW_START = re.compile(rb"<(?:\w+:)?row[\s>]")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br=\"(\d+)\"")
_CELL_COL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"\$?([A-Z]{1,3})")
_CELL_ROW = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"\$?[A-Z]{1,3}\$?(\d{1,9})\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3}\d+)\"[^>]*>\s*<(?:\w+:)?f[\s>/]")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\s(?=[^>]*?\bt=\"e\")[^>]*?\br=\"([A-Z]{1,3}\d+)\"[^>]*>")
_CHUNK = 1 << 20
_REF_SPLIT = re.compile(r"([A-Z]+)(\d+)")


def _column_number(letters: str) -> int:
    """1-based column of 'A', 'ZZ' ..."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _letters(column: int) -> str:
    """'A' for 1, 'AA' for 27."""
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass
class _SheetScan:
    max_row: int = 0
    max_column: int = 0
    rows: int = 0
    formulas: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _sheet_member(archive: zipfile.ZipFile, sheet_index: int) -> str | None:
    """The zip member of the sheet at ``sheet_index`` (workbook order), from the workbook's relationships."""
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rels_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    package = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{package}Relationship")}
    sheets = list(workbook.iter(f"{main}sheet"))
    if sheet_index >= len(sheets):
        return None
    target = targets.get(sheets[sheet_index].get(f"{rels_ns}id"), "")
    import posixpath

    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _scan_sheet(
    archive: zipfile.ZipFile, member: str, filename: str, sheet: str, limits: Limits, budget: int
) -> _SheetScan:
    """Stream the sheet's XML once: its extent, formula and error cells; stop at the first broken limit."""
    scan = _SheetScan()
    inflated = 0
    carry = b""
    cells = 0
    running = 0  # cells of the row still open at the end of the last chunk
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk and not carry:
                break
            inflated += len(chunk)
            if inflated > budget:
                raise refuse(
                    "intake.too_large_uncompressed", filename, sheet=sheet, limit=_size(limits.max_uncompressed_bytes)
                )
            data = carry + chunk
            if chunk:  # keep an incomplete tag for the next chunk
                cut = data.rfind(b"<")
                if cut <= 0 or len(data) - cut > limits.max_cell_chars * 8 + 4096:
                    cut = len(data)
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            letters = set(_CELL_COL.findall(data))  # few distinct column letters per chunk
            if letters:
                scan.max_column = max(scan.max_column, max(_column_number(c.decode()) for c in letters))
            cell_rows = _CELL_ROW.findall(data)
            if cell_rows:
                scan.max_row = max(scan.max_row, int(np.array(cell_rows, dtype="S10").astype(np.int64).max()))
            # counted with bytes.count where the writer is the usual one (<c r="A1" ...>), by pattern otherwise
            found = data.count(b"<c ") + data.count(b"<c>")
            with_ref = data.count(b'<c r="')
            if not found and (b":c " in data or b":c>" in data):  # a namespace prefix (<x:c ...>)
                found = len(_CELL.findall(data))
            if found > with_ref:
                with_ref = len(_CELL_REF.findall(data))
            cells += found
            if found > with_ref:
                # cells placed by position (no r attribute): count the cells of each row, which bound the width
                segments = _ROW_START.split(data)
                running += len(_CELL.findall(segments[0]))
                widest_row = running
                for segment in segments[1:]:
                    running = len(_CELL.findall(segment))
                    widest_row = max(widest_row, running)
                scan.max_column = max(scan.max_column, widest_row)
            else:
                running = 0
            row_refs = _ROW_REF.findall(data)
            if row_refs:
                scan.max_row = max(scan.max_row, max(int(r) for r in row_refs))
            scan.rows += data.count(b"<row") + data.count(b":row ")
            if scan.max_column > limits.max_columns:
                raise refuse(
                    "intake.too_many_columns",
                    filename,
                    sheet=sheet,
                    value=_letters(scan.max_column),
                    limit=limits.max_columns,
                )
            if max(scan.max_row, scan.rows) - 1 > limits.max_rows:
                raise refuse(
                    "intake.too_many_rows",
                    filename,
                    sheet=sheet,
                    value=max(scan.max_row, scan.rows) - 1,
                    limit=limits.max_rows,
                )
            if cells > limits.max_cells or scan.max_row * scan.max_column > limits.max_cells:
                raise refuse("intake.too_many_cells", filename, sheet=sheet, limit=limits.max_cells)
            if (b"<f" in data or b":f" in data) and _FORMULA.search(data):
                scan.formulas.extend(ref.decode() for ref in _FORMULA_CELL.findall(data))
            if b't="e"' in data:
                scan.errors.extend(ref.decode() for ref in _ERROR_CELL.findall(data))
            if not chunk:
                break
    return scan


# Parts that make a workbook carry macros: a VBA project, or Excel 4.0 macro sheets.
_MACRO_PARTS = ("vbaproject.bin", "xl/macrosheets/")


def has_macros(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook carries macros. Such a file is refused, never kept as evidence nor handed
    back to anyone: nothing the platform reads needs a macro."""
    return any(part in info.filename.lower() for info in archive.infolist() for part in _MACRO_PARTS)


def read_workbook_cells(content: bytes, filename: str, limits: Limits) -> Table:
    from python_calamine import CalamineWorkbook

    if content[:8] == _OLE_SIGNATURE:
        raise refuse("intake.old_xls", filename)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse("intake.unreadable_workbook", filename) from None
    if declared > limits.max_uncompressed_bytes:
        raise refuse("intake.too_large_uncompressed", filename, limit=_size(limits.max_uncompressed_bytes))
    if has_macros(archive):
        raise refuse("intake.macro_workbook", filename)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = [m.name for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")]
    except Exception:  # calamine's errors (zip, XML, missing parts) all mean the same to the user
        raise refuse("intake.unreadable_workbook", filename) from None
    if not names:
        raise refuse("intake.no_sheet", filename)
    sheet = DATA_SHEET if DATA_SHEET in names else names[0]
    try:
        index = [m.name for m in book.sheets_metadata].index(sheet)
        member = _sheet_member(archive, index)
        if member is None or member not in archive.namelist():
            raise refuse("intake.unreadable_workbook", filename)
        others = sum(i.file_size for i in archive.infolist() if i.filename != member)
        scan = _scan_sheet(archive, member, filename, sheet, limits, limits.max_uncompressed_bytes - others)
        if "xl/sharedStrings.xml" in archive.namelist():
            _inflate_within(archive, "xl/sharedStrings.xml", filename, limits)
        cells = book.get_sheet_by_name(sheet)
        merges = cells.merged_cell_ranges or []
        rows = cells.to_python(skip_empty_area=False)
    except ValidationFailed:
        raise
    except Exception:
        raise refuse("intake.unreadable_workbook", filename) from None
    return _table_from_rows(rows, merges, scan, filename, sheet, limits)


def _inflate_within(archive: zipfile.ZipFile, member: str, filename: str, limits: Limits) -> None:
    """Inflate a part in chunks and stop at the limit (a zip directory may understate a part's size)."""
    total = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > limits.max_uncompressed_bytes:
                raise refuse("intake.too_large_uncompressed", filename, limit=_size(limits.max_uncompressed_bytes))


def _table_from_rows(
    rows: list[list[Any]], merges: list[Any], scan: _SheetScan, filename: str, sheet: str, limits: Limits
) -> Table:
    if not rows or not any(_filled(v) for v in rows[0]):
        raise refuse("intake.no_header", filename, sheet=sheet, row=1)
    headers = [_header_text(v) for v in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = max((len(r) for r in rows), default=0)
    body = rows[1:]
    frame = pd.DataFrame(body, columns=range(width), dtype=object) if body else pd.DataFrame(columns=range(width))
    numbers = np.arange(2, len(body) + 2)
    # empty cells come back as "" from calamine: treat as blank
    # calamine gives "" for an empty cell; a cell of spaces is blank too (checked as text later)
    filled = (frame.notna() & (frame != "")).to_numpy() if len(frame) else np.zeros((0, width), bool)
    keep = filled.any(axis=1)
    frame, numbers = frame[keep].reset_index(drop=True), numbers[keep]
    table = Table(file=filename, sheet=sheet, headers=headers, frame=frame, row_numbers=numbers)
    _check_cell_lengths(frame, headers, filename, sheet, numbers, limits)
    for ref in scan.formulas:
        letters, row = _REF_SPLIT.fullmatch(ref).groups()  # type: ignore[union-attr]
        table.errors.append(
            InputError(
                code="intake.formula_cell",
                file=filename,
                sheet=sheet,
                row=int(row),
                field=_header_at(headers, letters),
                value=ref,
            )
        )
        table.bad_rows.add(int(row))
    for ref in scan.errors:
        letters, row = _REF_SPLIT.fullmatch(ref).groups()  # type: ignore[union-attr]
        table.errors.append(
            InputError(
                code="intake.excel_error",
                file=filename,
                sheet=sheet,
                row=int(row),
                field=_header_at(headers, letters),
                value=ref,
            )
        )
        table.bad_rows.add(int(row))
    last = int(numbers[-1]) if len(numbers) else 1
    for (top, left), (bottom, _right) in merges:
        if top + 1 > last:
            continue  # formatting below the data
        ref = f"{_letters(left + 1)}{top + 1}:{_letters(_right + 1)}{bottom + 1}"
        table.errors.append(
            InputError(
                code="intake.merged_cells",
                file=filename,
                sheet=sheet,
                row=top + 1,
                field=_header_at(headers, _letters(left + 1)),
                value=ref,
            )
        )
        table.bad_rows.update(range(top + 1, bottom + 2))
    return table


def _header_at(headers: list[str], letters: str) -> str:
    position = _column_number(letters) - 1
    return headers[position] if position < len(headers) and headers[position] else f"column {letters}"


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_text(value: Any, *, period: bool = False) -> str:
    """A cell as the text a CSV would hold (numbers without a spurious '.0', a month typed as a date)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if period and value.day == 1 and value.time() == dt.time(0):
            return f"{value.year:04d}-{value.month:02d}"  # Excel turns a typed "2024-03" into 2024-03-01
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}" if period and value.day == 1 else value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------- records as a table

_LINE_LISTS = {
    "fuels": ("fuel", "fuel", "amount"),
    "carbonates": ("carbonate", "carbonate", "amount_t"),
    "reductants": ("reductant", "agent", "amount_t"),
}


def records_table(records: Records) -> Table | None:
    """JSON/YAML records as a wide table (row N = record N), so they are checked exactly as a sheet is.

    A quantity ``{"value": 12, "unit": "万kWh"}`` becomes the cell ``12 万kWh``; a fuel, carbonate or
    reductant line becomes its ``fuel:<code>`` column. Returns None when a record holds what a table
    cannot (a line with a measured NCV or purity, a record that is not an object): those files are
    checked record by record instead.
    """
    rows: list[dict[str, Any]] = []
    for raw in records.records:
        if not isinstance(raw, dict):
            return None
        row: dict[str, Any] = {}
        for key, value in raw.items():
            key = str(key)
            if key in _LINE_LISTS:
                prefix, code_key, amount_key = _LINE_LISTS[key]
                if value is None:
                    continue
                if not isinstance(value, list):
                    return None
                for item in value:
                    if not isinstance(item, dict) or set(item) - {code_key, amount_key, "unit"}:
                        return None
                    amount = item.get(amount_key)
                    if isinstance(amount, dict | list):
                        return None
                    column = f"{prefix}:{item.get(code_key)}"
                    if column in row:
                        return None
                    row[column] = f"{amount} {item['unit']}" if item.get("unit") and amount is not None else amount
            elif isinstance(value, dict):
                if set(value) - {"value", "unit"} or "value" not in value or isinstance(value["value"], dict | list):
                    return None
                row[key] = f"{value['value']} {value['unit']}" if value.get("unit") else value["value"]
            elif isinstance(value, list):
                return None
            else:
                row[key] = value
        rows.append(row)
    headers: list[str] = []
    seen: set[str] = set()
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                headers.append(key)
    frame = pd.DataFrame([[row.get(h) for h in headers] for row in rows], columns=range(len(headers)), dtype=object)
    numbers = np.arange(1, len(rows) + 1)
    return Table(file=records.file, sheet=None, headers=headers, frame=frame, row_numbers=numbers, by_record=True)
