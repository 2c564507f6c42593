"""What the enterprise completes, read and checked for the use cases of
:mod:`carbonpeak.services.energy_report`: a form's or a JSON document's entries, or a CSV file of them;
every problem as a coded error naming the table, the row and the field, all at once."""

from __future__ import annotations

import csv
import io
from typing import Any

from carbonpeak.energy_report import config, entries
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.messages import Bilingual


def problems_as_errors(problems: list[entries.Problem]) -> ValidationFailed:
    """Every problem as a coded error naming the table, the row and the field (zh and en)."""
    errors = []
    for p in problems:
        zh, en = p.params("zh"), p.params("en")
        errors.append(
            InputError(
                code=p.code,
                table=Bilingual(zh["table"], en["table"]),
                line=p.row,
                column=Bilingual(zh["field"], en["field"]),
                given=p.value,
                minimum=zh["minimum"],
            )
        )
    return ValidationFailed(errors)


CSV_COLUMNS = {"表": "table", "行": "row", "字段": "field", "内容": "value"}  # a Chinese header reads the same


def entries_from_csv(content: bytes) -> dict[str, list[dict[str, str]]]:
    """What the enterprise completes, from a CSV file (UTF-8 or GBK) of lines ``table,row,field,value``;
    the header may be in Chinese (表,行,字段,内容); every line that names no table, field or row is refused
    at once (nothing is saved)."""
    text = None
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise InputError(code="energy_report.csv.encoding")
    reader = csv.reader(io.StringIO(text))
    header = [CSV_COLUMNS.get(h.strip(), h.strip()) for h in next(reader, [])]
    missing = [c for c in ("table", "row", "field", "value") if c not in header]
    if missing:
        raise InputError(code="energy_report.csv.columns", missing=", ".join(missing))
    lines = [dict(zip(header, cells, strict=False)) for cells in reader]
    found, bad = entries.from_rows(config.load(), lines)
    if bad:
        raise ValidationFailed(
            [InputError(code=f"energy_report.csv.unknown_{b.what}", line=b.line, given=b.given) for b in bad]
        )
    return found


def checked(forms: config.FormSet, given: Any, *, complete: bool) -> dict[str, list[dict[str, Any]]]:
    clean, problems = entries.check(forms, given)
    if complete:  # a filed report answers every single-row table's required field
        for table in forms.enterprise_tables():
            if not table.many and table.id not in clean and not any(p.table.id == table.id for p in problems):
                for f in table.fields:
                    if f.required:
                        problems.append(entries.Problem(table, 1, f, "energy_report.entry.required"))
    if problems:
        raise problems_as_errors(problems)
    return clean
