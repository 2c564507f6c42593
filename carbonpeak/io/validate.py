"""Column-wise validation of a table of activity records: every problem of every row, in one pass.

Each column is checked as a whole (pandas/numpy over the column, not a Python loop per row): required
values, numbers (``1.200,5`` is refused, not read as 1.2005; ``1,200.5`` is 1200.5), units (a header's
unit is checked once: a unit of the wrong dimension is ONE error on the header, not one per row),
bounds, sectors, provinces, periods, free-text length and text that a spreadsheet would take for a
formula, duplicate records. Every problem is a coded :class:`~carbonpeak.errors.InputError` naming file,
sheet, row, field (the column's field name; ``column`` is the header as written), value and what was
expected; the texts are in ``carbonpeak/messages/intake.yaml``.

The valid rows become an :class:`~carbonpeak.accounting.ActivityBatch` in canonical units, as
:func:`carbonpeak.io.activity.parse_records` would build it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak import messages
from carbonpeak.accounting import ActivityBatch
from carbonpeak.errors import InputError, UnitError
from carbonpeak.io import choices
from carbonpeak.io.activity import FIELDS, _known_line_codes
from carbonpeak.io.reading import Limits, Table, cell_text
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import REGION_BY_ZH, REGIONS, Sector

_HEADER = re.compile(r"^\s*(?P<name>[^\[\]]+?)\s*(\[(?P<unit>[^\]]+)\])?\s*$")
_LINE_KINDS = {  # column prefix → (list name, code key, amount key)
    "fuel": ("fuels", "fuel", "amount"),
    "carbonate": ("carbonates", "carbonate", "amount_t"),
    "reductant": ("reductants", "agent", "amount_t"),
}
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_WITH_UNIT = re.compile(rf"^(?P<number>{_NUMBER})\s*(?P<unit>[^\d\s,.].*)?$")
_NUMBERISH = re.compile(r"^[-+]?[\d.,\s]*\d[\d.,\s]*$")  # digits with separators: a locale's number
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:\.0)?$|^(?P<y>\d{4})-(?P<month>\d{1,2})$")
_PROVINCES = {code for code, region in REGIONS.items() if region.level == "provincial"}
_SECTORS = {s.value for s in Sector}
_FORMULA_START = ("=",)  # text a spreadsheet would run; + - @ are neutralised on export instead
LONG_TEXT = frozenset({"explanation"})  # free texts longer than a code or a name: limited in services.limits


@dataclass(frozen=True)
class Column:
    position: int
    header: str  # as written
    name: str  # field name or line key (fuel:coal)
    unit: str | None  # the header's unit, None for canonical or none


@dataclass
class Checked:
    """What validation found: the valid rows' batch and records, and every problem (capped)."""

    batch: ActivityBatch | None
    valid: np.ndarray  # positions (into the table's rows) of the rows that passed
    errors: list[InputError]
    total_errors: int  # before the cap


@dataclass
class _Problems:
    """Problems as arrays (row position, column order, message), materialised only up to the cap."""

    table: Table
    rows: list[np.ndarray] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    makers: list[Any] = field(default_factory=list)
    header: list[InputError] = field(default_factory=list)

    def add(self, positions: np.ndarray, column: Column | None, code: str, values: Any = None, **params: Any) -> None:
        positions = np.asarray(positions, dtype=np.int64)
        if not len(positions):
            return
        table = self.table
        field_name = column.name if column is not None else None
        header = column.header if column is not None else None

        def make(index: int) -> InputError:
            position = int(positions[index])
            value = None
            if values is not None:
                value = values[index] if not isinstance(values, str) else values
            number = int(table.row_numbers[position])
            return InputError(
                code=code,
                file=table.file,
                sheet=table.sheet,
                row=None if table.by_record else number,
                record=number if table.by_record else None,
                field=field_name,
                value=value,
                column=header,
                **params,
            )

        self.rows.append(positions)
        self.order.append(column.position if column is not None else -1)
        self.makers.append(make)

    def rows_with_problems(self, count: int) -> np.ndarray:
        bad = np.zeros(count, dtype=bool)
        for positions in self.rows:
            bad[positions] = True
        return bad

    def materialise(self, limit: int, keep: np.ndarray | None = None) -> tuple[list[InputError], int]:
        """The first ``limit`` problems in file order (row, then column) and how many there are;
        ``keep`` (by row position) leaves out the problems of rows refused for another reason."""
        if not self.rows:
            return self.header[:limit], len(self.header)
        rows = np.concatenate(self.rows)
        which = np.concatenate([np.full(len(r), i, dtype=np.int64) for i, r in enumerate(self.rows)])
        index = np.concatenate([np.arange(len(r), dtype=np.int64) for r in self.rows])
        if keep is not None:
            kept = keep[rows]
            rows, which, index = rows[kept], which[kept], index[kept]
        total = len(self.header) + len(rows)
        columns = np.asarray(self.order, dtype=np.int64)[which]
        first = np.lexsort((columns, rows))[: max(limit - len(self.header), 0)]
        errors = list(self.header) + [self.makers[int(which[i])](int(index[i])) for i in first]
        return errors, total


def check_headers(table: Table, problems: _Problems) -> list[Column]:
    """Each header's field and unit. Unknown names, repeated names, a unit of the wrong dimension,
    a missing required column: one error each, on row 1."""
    known_lines = _known_line_codes()
    columns: list[Column] = []
    seen: dict[str, int] = {}
    present: set[str] = set()

    def header_error(code: str, header: str | None, name: str | None, **params: Any) -> None:
        problems.header.append(
            InputError(
                code=code,
                file=table.file,
                sheet=table.sheet,
                row=None if table.by_record else 1,
                field=name,
                column=header,
                **params,
            )
        )

    for position, header in enumerate(table.headers):
        if not header:
            if position in table.frame.columns and table.frame[position].map(_filled).any():
                header_error("intake.unnamed_column", None, None, value=_letters(position + 1))
            continue
        match = _HEADER.match(header)
        if not match:
            header_error("intake.unreadable_header", header, None, value=header)
            continue
        name, unit = match["name"].strip(), match["unit"]
        if name in seen:
            header_error("intake.duplicate_column", header, name, value=header)
            continue
        seen[name] = position
        kind, _, code = name.partition(":")
        if kind in _LINE_KINDS and code:
            list_name = _LINE_KINDS[kind][0]
            if code not in known_lines[list_name]:
                header_error(
                    "intake.unknown_line_code",
                    header,
                    name,
                    value=code,
                    choices=", ".join(sorted(known_lines[list_name])),
                )
                continue
            canonical = _line_unit(name)
        elif name in FIELDS:
            spec = FIELDS[name]
            present.add(name)
            if spec.dtype != "float":
                if unit:
                    header_error("intake.unit_not_allowed", header, name, value=unit)
                columns.append(Column(position, header, name, None))
                continue
            canonical = spec.unit or "dimensionless"
        else:
            header_error("intake.unknown_column", header, None, value=header)
            continue
        if unit:
            try:
                conversion_factor(unit, canonical)
            except UnitError:
                header_error("intake.header_unit", header, name, value=unit, unit=_unit_text(canonical))
                unit = None  # reported once; the values are still checked as they stand
        columns.append(Column(position, header, name, unit))
    if len(table.headers) < len(table.frame.columns):
        for position in table.frame.columns[len(table.headers) :]:
            if table.frame[position].map(_filled).any():
                header_error("intake.unnamed_column", None, None, value=_letters(int(position) + 1))
    for spec in FIELDS.values():
        if spec.required and spec.name not in present:
            header_error("intake.missing_column", None, spec.name)
    return columns


def _line_unit(name: str) -> str:
    from carbonpeak.io.template import column_for

    column = column_for(name)
    return column.unit if column is not None and column.unit else "t"


def _unit_text(unit: str) -> str:
    return {"percent": "%", "wan_Nm3": "10^4 Nm3", "dimensionless": "—"}.get(unit, unit)


def _letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, float):
        return not np.isnan(value)
    return True


def drop_label_row(table: Table) -> None:
    """The template's row 2 holds each column's label: not data."""
    if not len(table.frame) or int(table.row_numbers[0]) != 2 or table.sheet is None:
        return
    from carbonpeak.io.template import column_for, strip_unit_suffix

    values = table.frame.iloc[0].tolist()
    matches = filled = 0
    for header, value in zip(table.headers, values, strict=False):
        if not _filled(value):
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
    if matches >= 1 and 2 * matches >= filled:
        table.frame = table.frame.iloc[1:].reset_index(drop=True)
        table.row_numbers = table.row_numbers[1:]


def text_column(series: pd.Series, *, period: bool = False) -> pd.Series:
    """The column as stripped text ("" for blank); numbers and dates written as a CSV would hold them."""
    values = series.to_numpy(dtype=object)
    kinds = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
    if not kinds.all():
        values = values.copy()
        for i in np.flatnonzero(~kinds):
            value = values[i]
            values[i] = (
                ""
                if value is None or (isinstance(value, float) and np.isnan(value))
                else cell_text(value, period=period)
            )
    return pd.Series(values, dtype=object).str.strip()


def parse_numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(number, unit text, blank, not a number, locale-formatted) per cell, column-wise."""
    n = len(series)
    values = series.to_numpy(dtype=object)
    numbers = np.full(n, np.nan)
    units = np.full(n, "", dtype=object)
    is_number = np.fromiter(
        (isinstance(v, int | float) and not isinstance(v, bool) for v in values), dtype=bool, count=n
    )
    if is_number.any():
        numbers[is_number] = values[is_number].astype(float)
    blank = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    locale = np.zeros(n, dtype=bool)
    rest = np.flatnonzero(~is_number)
    if len(rest):
        texts = text_column(pd.Series(values[rest], dtype=object))
        empty = (texts == "").to_numpy()
        blank[rest[empty]] = True
        positions = rest[~empty]
        texts = texts[~empty]
        if len(positions):
            # plain numbers through pandas' C parser; only the rest (units, separators, junk) by pattern
            quick = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float)
            plain = np.isfinite(quick)
            numbers[positions[plain]] = quick[plain]
            positions, texts = positions[~plain], texts[~plain]
        if len(positions):
            parts = texts.str.extract(_NUMBER_WITH_UNIT)
            ok = parts["number"].notna().to_numpy()
            numbers[positions[ok]] = parts["number"][ok].str.replace(",", "", regex=False).astype(float).to_numpy()
            units[positions[ok]] = parts["unit"][ok].fillna("").to_numpy()
            failed = positions[~ok]
            bad[failed] = True
            looks = texts[~ok].str.match(_NUMBERISH).to_numpy() & texts[~ok].str.contains(",", regex=False).to_numpy()
            locale[failed[looks]] = True
    if is_number.any():
        finite = np.isfinite(numbers[is_number])
        bad[np.flatnonzero(is_number)[~finite]] = True
    infinite = ~np.isfinite(numbers) & ~blank & ~bad
    bad |= infinite
    return numbers, units, blank, bad, locale


def _numeric(
    table: Table, column: Column, canonical: str, problems: _Problems, raw: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Canonical numbers of a column and its blank mask; problems added for every bad cell."""
    numbers, units, blank, bad, locale = parse_numbers(raw)
    shown = raw.to_numpy(dtype=object)
    problems.add(np.flatnonzero(locale), column, "intake.number_format", shown[locale])
    not_number = bad & ~locale
    problems.add(
        np.flatnonzero(not_number), column, "intake.not_a_number", shown[not_number], unit=_unit_text(canonical)
    )
    factor = 1.0
    if column.unit:
        factor = conversion_factor(column.unit, canonical)
    numbers = numbers * factor
    has_unit = units != ""
    if has_unit.any():
        if column.unit:
            twice = np.flatnonzero(has_unit & ~bad)
            problems.add(twice, column, "intake.unit_twice", shown[twice])
            bad[twice] = True
        else:
            for unit in pd.unique(units[has_unit]):
                at = np.flatnonzero(units == unit)
                try:
                    numbers[at] = numbers[at] * conversion_factor(str(unit).strip(), canonical)
                except UnitError:
                    problems.add(at, column, "intake.cell_unit", shown[at], unit=_unit_text(canonical))
                    bad[at] = True
    numbers[bad] = np.nan
    return numbers, blank


def validate_table(table: Table, limits: Limits | None = None, *, skip: np.ndarray | None = None) -> Checked:
    """Every problem of every row of ``table`` (rows in ``skip`` are left out: already refused)."""
    return check_table(table, limits).result(skip)


@dataclass
class Validated:
    """Every row checked (no database needed); :meth:`result` then leaves out rows refused for another
    reason (a facility the person may not report for) and builds the batch of the rows that passed."""

    table: Table
    limits: Limits
    problems: _Problems
    header_broken: bool
    active: np.ndarray  # row positions whose fields were checked (not broken by a formula, merge ...)
    bad: np.ndarray  # over active: rows with a problem
    record_columns: dict[str, Any]
    lines: dict[str, list[pd.DataFrame]]

    def result(self, exclude: np.ndarray | None = None, *, partial: bool = False) -> Checked:
        """With ``partial``, the batch holds the rows that passed even when other rows have problems
        (so the registry checks can run on them in the same pass); else only when every row passed."""
        table, active = self.table, self.active
        n = len(table.frame)
        excluded = exclude if exclude is not None else np.zeros(n, dtype=bool)
        errors, total = self.problems.materialise(self.limits.max_errors, keep=~excluded)
        if total > len(errors):
            errors.append(InputError(code="error.more_problems", file=table.file, count=total - len(errors)))
        passed = ~excluded[active] & ~self.bad
        if self.header_broken or (total and not (partial and passed.any())):
            return Checked(batch=None, valid=active[passed], errors=errors, total_errors=total)
        if not passed.any():
            if excluded.any():  # every row was refused before its fields were read
                return Checked(batch=None, valid=active[passed], errors=[], total_errors=0)
            return Checked(
                batch=None, valid=active, errors=[InputError(code="intake.no_rows", file=table.file)], total_errors=1
            )
        everything = bool(passed.all())
        frame = pd.DataFrame({k: (v if everything else v[passed]) for k, v in self.record_columns.items()})
        renumber = np.cumsum(passed) - 1
        line_frames = {}
        for list_name, parts in self.lines.items():
            if not parts:
                continue
            line_frame = pd.concat(parts, ignore_index=True)
            if not everything:
                line_frame = line_frame[passed[line_frame["record"].to_numpy()]].copy()
                line_frame["record"] = renumber[line_frame["record"].to_numpy()]
            line_frame = line_frame.sort_values("record", kind="stable").reset_index(drop=True)
            if len(line_frame):
                line_frames[list_name] = line_frame
        batch = ActivityBatch(records=frame, source=table.file, **line_frames)
        return Checked(batch=batch, valid=active[passed], errors=errors if total else [], total_errors=total)


def check_table(table: Table, limits: Limits | None = None) -> Validated:
    """Check every row and column of ``table``; no database is needed (so no lock is held)."""
    limits = limits or Limits()
    drop_label_row(table)
    problems = _Problems(table)
    problems.header.extend(table.errors)
    columns = check_headers(table, problems)
    n = len(table.frame)
    excluded = np.zeros(n, dtype=bool)
    if table.bad_rows:
        excluded |= np.isin(table.row_numbers, sorted(table.bad_rows))
    active = np.flatnonzero(~excluded)
    sub = table.frame.iloc[active].reset_index(drop=True) if len(active) < n else table.frame
    sub_problems = _Problems(
        Table(table.file, table.sheet, table.headers, sub, table.row_numbers[active], by_record=table.by_record)
    )
    record_columns: dict[str, Any] = {}
    lines: dict[str, list[pd.DataFrame]] = {"fuels": [], "carbonates": [], "reductants": []}
    by_name = {c.name: c for c in columns}
    for spec in FIELDS.values():
        column = by_name.get(spec.name)
        if column is None:
            continue
        raw = sub[column.position] if column.position in sub.columns else pd.Series([None] * len(sub), dtype=object)
        if spec.dtype == "float":
            numbers, blank = _numeric(table, column, spec.unit or "dimensionless", sub_problems, raw)
            if spec.required:
                sub_problems.add(np.flatnonzero(blank), column, "intake.required")
            if spec.minimum is not None:
                low = np.flatnonzero(numbers < spec.minimum)
                sub_problems.add(
                    low, column, "intake.below_minimum", raw.to_numpy(dtype=object)[low], minimum=spec.minimum
                )
            if spec.maximum is not None:
                high = np.flatnonzero(numbers > spec.maximum)
                sub_problems.add(
                    high, column, "intake.above_maximum", raw.to_numpy(dtype=object)[high], maximum=spec.maximum
                )
            record_columns[spec.name] = numbers
            continue
        text = text_column(raw, period=spec.dtype == "period")
        values = text.to_numpy(dtype=object)
        blank = (text == "").to_numpy()
        if spec.required:
            sub_problems.add(np.flatnonzero(blank), column, "intake.required")
        if spec.dtype == "sector":
            wrong = ~blank & ~text.isin(_SECTORS).to_numpy()
            sub_problems.add(np.flatnonzero(wrong), column, "intake.unknown_sector", values[wrong])
        elif spec.dtype == "region":
            text = text.map(lambda v: REGION_BY_ZH.get(v, v))
            wrong = ~blank & ~text.isin(_PROVINCES).to_numpy()
            sub_problems.add(np.flatnonzero(wrong), column, "intake.unknown_province", values[wrong])
        elif spec.dtype == "period":
            parts = text.str.extract(_PERIOD)
            year = parts["year"].fillna(parts["y"])
            month = pd.to_numeric(parts["month"], errors="coerce")
            wrong = ~blank & (year.isna() | ((month < 1) | (month > 12)).fillna(False)).to_numpy()
            sub_problems.add(np.flatnonzero(wrong), column, "intake.bad_period", values[wrong])
            month_text = month.map(lambda m: "" if pd.isna(m) else f"-{int(m):02d}")
            text = (year.fillna("") + month_text).where(~wrong, text)
        elif spec.name in choices.CODED_FIELDS:
            _coded(spec.name, values, blank, record_columns.get("sector"), column, sub_problems)
        else:
            lengths = text.str.len().to_numpy()
            # a long free text (the explanation) has its own limit, checked by the use case (services.limits)
            lengths = lengths if spec.name not in LONG_TEXT else np.zeros(len(lengths), dtype=np.int64)
            long = np.flatnonzero(lengths > limits.max_text_chars)
            sub_problems.add(
                long, column, "intake.text_too_long", [f"{int(lengths[i])}" for i in long], limit=limits.max_text_chars
            )
            formula = np.flatnonzero(text.str.startswith(_FORMULA_START).to_numpy() & (lengths > 1))
            sub_problems.add(formula, column, "intake.formula_text", values[formula])
        record_columns[spec.name] = text.to_numpy(dtype=object)
    for column in columns:
        kind, _, code = column.name.partition(":")
        if kind not in _LINE_KINDS or not code:
            continue
        list_name, code_key, amount_key = _LINE_KINDS[kind]
        raw = sub[column.position]
        numbers, blank = _numeric(table, column, _line_unit(column.name), sub_problems, raw)
        negative = np.flatnonzero(numbers < 0)
        sub_problems.add(negative, column, "intake.negative", raw.to_numpy(dtype=object)[negative])
        present = np.flatnonzero(~np.isnan(numbers))
        lines[list_name].append(pd.DataFrame({"record": present, code_key: code, amount_key: numbers[present]}))
    _duplicates(record_columns, sub_problems, by_name)
    # problems of the active rows, mapped back to the table's row positions
    for positions, order, maker in zip(sub_problems.rows, sub_problems.order, sub_problems.makers, strict=True):
        problems.rows.append(active[positions])
        problems.order.append(order)
        problems.makers.append(maker)
    header_broken = any(e.code != "intake.header_unit" for e in problems.header)
    bad = sub_problems.rows_with_problems(len(sub))
    return Validated(table, limits, problems, header_broken, active, bad, record_columns, lines)


def _coded(name: str, values: np.ndarray, blank: np.ndarray, sectors: Any, column: Column, problems: _Problems) -> None:
    """A coded field's cells that are not among their sector's codes, each refused with the codes allowed."""
    sector_values = np.asarray(sectors, dtype=object) if sectors is not None else np.full(len(values), "", dtype=object)
    bad = choices.wrong(name, values, sector_values, blank)
    if not bad.any():
        return
    for sector in pd.unique(sector_values[bad]).tolist():
        rows = np.flatnonzero(bad & (sector_values == sector))
        code, params = choices.problem_params(name, str(sector) or None)
        problems.add(rows, column, code, values[rows], **params)


def _duplicates(record_columns: dict[str, Any], problems: _Problems, by_name: dict[str, Column]) -> None:
    """A record (record_id, else facility and period) given twice: the repeat is refused."""
    if "facility_id" not in record_columns or "period" not in record_columns:
        return
    keys = (
        pd.Series(record_columns["facility_id"], dtype=object) + "@" + pd.Series(record_columns["period"], dtype=object)
    )
    column = by_name["period"]
    if "record_id" in record_columns:
        ids = pd.Series(record_columns["record_id"], dtype=object)
        keys = ids.where(ids != "", keys)
        column = by_name["record_id"] if (ids != "").any() else column
    repeated = keys.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    table = problems.table
    first_row = pd.Series(np.arange(len(keys))).groupby(keys.to_numpy()).transform("first").to_numpy()
    at = np.flatnonzero(repeated)
    firsts = [int(table.row_numbers[first_row[i]]) for i in at]
    values = keys.to_numpy(dtype=object)[at]
    for position, first, value in zip(at, firsts, values, strict=True):
        problems.add(np.array([position]), column, "intake.duplicate_record", value, first_row=first)


def _line_label(name: str, lang: str) -> str | None:
    """Labels of line columns (fuel:diesel → 柴油) for messages (registered with the catalog)."""
    if ":" not in name:
        return None
    from carbonpeak.io.template import column_for

    column = column_for(name.split("[")[0].strip())
    return column.label(lang) if column is not None else None


messages.register_labels(_line_label)
