"""Backfill of past meter readings from a CSV or Excel file (``carbonpeak monitor backfill``): all or nothing.

The file goes through the one ingest pipeline (:func:`carbonpeak.services.monitoring_ingest.ingest`, here with
``atomic=True``, as the HTTP endpoint does). Access is checked first: the person must be able to report for
the enterprise (its own user, or the administrator). Then the file's size (:func:`max_bytes`, before anything
is decoded), then every row: if any problem is found (a row that cannot be read, an unknown meter, a time off
the meter's grid, a file that is not UTF-8 ...), :class:`~carbonpeak.errors.ValidationFailed` lists every one
with the file, row and field, and nothing at all is written. The file is one message whose id comes from its
content, so importing it again changes nothing.
"""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.monitoring import backfill as decoders
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.monitoring import meter_table
from carbonpeak.services.monitoring_ingest import IngestResult, Message, MeterIndex, ingest

DEFAULT_MAX_MB = 200  # a month of 15-minute readings of 1,000 meters is about 130 MB of CSV


def max_bytes() -> int:
    """The largest file taken: ``CARBONPEAK_MONITORING_BACKFILL_MAX_MB`` (default 200) MiB."""
    text = os.environ.get("CARBONPEAK_MONITORING_BACKFILL_MAX_MB", "").strip()
    return int(float(text) * 2**20) if text else DEFAULT_MAX_MB * 2**20


def format_of(file_name: str) -> str:
    """The decoder of a file by its name: a workbook (.xlsx, .xlsm) or CSV."""
    return decoders.XLSX_FORMAT if file_name.lower().endswith((".xlsx", ".xlsm")) else decoders.FORMAT


def backfill_file(
    session: Session,
    principal: Principal,
    store: ReadingStore,
    file_name: str,
    data: bytes,
    enterprise_code: str,
) -> IngestResult:
    """Store every reading of the file, or none (every problem raised at once, each with its place)."""
    access.require(principal, "submission.report")
    access.get_enterprise(session, principal, enterprise_code)
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationFailed(
            [InputError(code="monitoring.file_too_large", file=file_name, limit=limit // 2**20)], file=file_name
        )
    meters = MeterIndex.of(meter_table(session))
    result = ingest(store, meters, [Message(data, enterprise_code, format_of(file_name))], atomic=True)
    if result.rejected:
        raise ValidationFailed([_placed(error, file_name) for _, error in result.rejected], file=file_name)
    return result


def _placed(error: InputError, file_name: str) -> InputError:
    """The error at its file and row (the pipeline numbers a file's readings by their row)."""
    row = error.row if error.row is not None else error.record if isinstance(error.record, int) else None
    return InputError(
        code=error.code,
        file=file_name,
        row=row,
        field=error.field,
        value=error.value,
        expected=error.expected,
        **error.params,
    )
