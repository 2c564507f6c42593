"""Intake: import a file, save a month from the form, correct a month. One path for all three.

Every way in (web upload, month form, corrections, ``POST /api/v1/imports``, ``carbonpeak import``,
``carbonpeak submissions correct``) calls these functions, so each is checked the same way and in the
same order:

1. **who may report** for each row's facility (the person's scope, :mod:`carbonpeak.services.access`):
   a facility the person may not report for, whether it exists or not, gets only
   ``intake.facility_not_yours`` and no other check runs on its row, so an answer never reveals
   another enterprise's registry values, month status, or which codes exist;
2. **the fields**, column-wise (:mod:`carbonpeak.io.validate`): every problem of every row;
3. **the registry**: sector and province as registered, retirement, the month's state (a submitted,
   verified or locked month takes only a correction, unless the record is the one it holds);
4. **plausibility** (:mod:`carbonpeak.plausibility`, once the fields and the registry pass): unit
   consumption, balances, output against capacity, jumps against the facility's stored months. An
   *error* refuses the file like any problem above; *warnings* are stored on the version
   (``flags``), its facts row is ``held``, and the month stays a draft until its record gives an
   explanation (情况说明): it is never submitted without one (``not_submitted``).

Nothing is written unless all rows pass. A month whose latest version already holds the identical
record gets no new version (importing the same file twice adds nothing; ``unchanged`` counts them);
this is decided again under the month's lock, so two imports of one record at once write it once.
The file is read, checked and accounted before the first write (on SQLite in a read transaction of
its own, :func:`carbonpeak.store.db.reading`), so the database's write lock is held only for the
writes; a database that stays busy gives :class:`~carbonpeak.errors.Busy` (``db.busy``) instead of a
server error.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from carbonpeak import errors, plausibility
from carbonpeak.accounting import ActivityBatch
from carbonpeak.errors import InputError, ParameterNotFound, ValidationFailed
from carbonpeak.io.activity import batch_to_records, parse_records
from carbonpeak.io.reading import Limits, Records, Table, read_upload, records_table
from carbonpeak.io.validate import Checked, check_table, drop_label_row, text_column
from carbonpeak.parameters import ParameterSet
from carbonpeak.services import access
from carbonpeak.services import warnings as warning_cases
from carbonpeak.services.access import Principal
from carbonpeak.services.limits import check_lengths, too_long
from carbonpeak.services.plausibility import gate
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store import service as store_service
from carbonpeak.store.models import Facility, SubmissionVersion
from carbonpeak.store.service import PreparedResults

REPORT = "submission.report"


Busy = errors.Busy  # the database stayed locked by another writer; nothing was written


@dataclass
class ImportResult:
    """What an import, a saved form or a correction did."""

    file: str
    rows: int
    sha256: str | None = None  # of the evidence file kept (None when nothing new was written)
    versions: list[tuple[str, str, int]] = field(default_factory=list)  # (facility, period, version) added
    unchanged: list[tuple[str, str, int]] = field(default_factory=list)  # months already holding the record
    results: int = 0
    results_pending: list[str] = field(default_factory=list)
    submitted: bool = False
    # (facility, period, version, flags) of the versions saved with plausibility warnings
    flagged: list[tuple[str, str, int, list[dict[str, Any]]]] = field(default_factory=list)
    # (facility, period, version) left as drafts although submitting was asked: warnings without an explanation
    not_submitted: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class _Checked:
    """Rows that passed every check, in file order."""

    records: list[dict[str, Any]]
    batch: ActivityBatch
    facilities: dict[str, Facility]
    latest: dict[tuple[int, str], SubmissionVersion]
    table: Table  # where the records came from: errors found at the write name their rows
    numbers: np.ndarray  # each record's row (or record number) in the file
    flags: list[list[dict[str, Any]] | None] = field(default_factory=list)  # per record: its warnings


# ---------------------------------------------------------------------------------------------- use cases


def import_file(
    session: Session,
    principal: Principal,
    content: bytes,
    filename: str,
    *,
    submit: bool = False,
    limits: Limits | None = None,
    params: ParameterSet | None = None,
    actor: str | None = None,
    rejected_dir: Path | None = None,
) -> ImportResult:
    """Import an activity file (.xlsx, .csv, .json, .yaml): all rows, or none.

    Raises :class:`ValidationFailed` listing every problem (for a workbook with ``rejected_dir``, an
    annotated copy is written there and named by the error's ``annotated`` attribute).
    """
    access.require(principal, REPORT)
    actor = actor or principal.actor
    try:
        table = _read(content, filename, limits)
        # reading, checking and accounting hold no write lock (on SQLite, db.reading); only _write does
        with db.reading(session) as reader:
            checked = _check(reader, principal, table, limits or Limits(), correction=False)
            prepared = _prepare(reader, checked, params)
            _gate(reader, checked, prepared, params, limits or Limits())
    except ValidationFailed as failure:
        _annotate(content, filename, failure, rejected_dir)
        raise
    except OperationalError as exc:
        raise _busy(exc) from None
    return _write(
        session,
        checked,
        actor,
        content=content,
        filename=filename,
        submit=submit,
        params=params,
        prepared=prepared,
    )


def save_month(
    session: Session,
    principal: Principal,
    facility_code: str,
    period: str,
    values: dict[str, Any],
    *,
    submit: bool = False,
    params: ParameterSet | None = None,
    actor: str | None = None,
) -> ImportResult:
    """Save one month entered in the form (values by field name, lines as ``fuel:<code>`` ...).

    The facility's identity (sector, province) comes from the registry; the values go through exactly
    the checks of a file. Errors name the field (``row`` is None).
    """
    access.require(principal, REPORT)
    facility = _facility_in_scope(session, principal, facility_code)
    row = {k: v for k, v in values.items() if k not in ("facility_id", "sector", "region", "period", "submit")}
    row.update(
        {
            "facility_id": facility.code,
            "sector": facility.sector,
            "region": repo.facility_province(session, facility) or "",
            "period": period,
        }
    )
    table = _form_table(row)
    checked = _check(session, principal, table, Limits(), correction=False)
    prepared = _prepare(session, checked, params)
    _gate(session, checked, prepared, params, Limits())
    return _write(
        session,
        checked,
        actor or principal.actor,
        content=None,
        filename="form",
        submit=submit,
        params=params,
        prepared=prepared,
    )


def correct(
    session: Session,
    principal: Principal,
    facility_code: str,
    period: str,
    reason: str,
    *,
    content: bytes | None = None,
    filename: str | None = None,
    values: dict[str, Any] | None = None,
    limits: Limits | None = None,
    params: ParameterSet | None = None,
    actor: str | None = None,
) -> ImportResult:
    """Add a corrected version of a month, with its reason, from a file (kept as evidence) or values.

    The same checks as an import (scope first, then fields, then the registry); only the month's
    state is exempt, since a correction is how a submitted or locked month changes.
    """
    access.require(principal, REPORT)
    actor = actor or principal.actor
    facility = _facility_in_scope(session, principal, facility_code)
    if not reason or not reason.strip():
        raise ValidationFailed([InputError(code="intake.reason_required", field="reason")])
    check_lengths({"reason": reason.strip()})
    if content is not None:
        name = filename or "correction"
        table = _read(content, name, limits)
    else:
        row = dict(values or {})
        row.update({"facility_id": facility.code, "period": period})
        row.setdefault("sector", facility.sector)
        row.setdefault("region", repo.facility_province(session, facility) or "")
        name, table = "form", _form_table(row)
    checked = _check(session, principal, table, limits or Limits(), correction=True)
    matching = [i for i, r in enumerate(checked.records) if r["facility_id"] == facility.code and r["period"] == period]
    if len(matching) != 1 or len(checked.records) != 1:
        raise ValidationFailed(
            [
                InputError(
                    code="intake.correction_one_record",
                    file=name,
                    value=len(checked.records),
                    count=len(checked.records),
                    facility=facility.code,
                    period=period,
                )
            ],
            file=name,
        )
    record = checked.records[0]
    prepared = _prepare(session, checked, params, unchanged_too=True)
    _gate(session, checked, prepared, params, limits or Limits())
    flags = checked.flags[0]
    try:
        upload = repo.store_upload(session, name, content, actor, rows=1) if content is not None else None
        version = repo.save_version(
            session,
            facility,
            period,
            record,
            actor,
            reason=reason.strip(),
            upload_id=upload.id if upload else None,
            flags=flags,
        )
        added, pending = store_service.compute_results_where_possible(
            session, [version], actor, params=params, batch=checked.batch, prepared=prepared
        )
    except OperationalError as exc:
        raise _busy(exc) from None
    return ImportResult(
        file=name,
        rows=1,
        sha256=upload.sha256 if upload else None,
        versions=[(facility.code, period, version.version)],
        results=added,
        results_pending=pending,
        flagged=[(facility.code, period, version.version, flags)] if flags else [],
    )


# ---------------------------------------------------------------------------------------------- steps


def _read(content: bytes, filename: str, limits: Limits | None) -> Table | Records:
    return read_upload(content, filename, limits)


def _form_table(row: dict[str, Any]) -> Table:
    headers = list(row)
    frame = pd.DataFrame([[row[h] for h in headers]], columns=range(len(headers)), dtype=object)
    return Table(file="form", sheet=None, headers=headers, frame=frame, row_numbers=np.array([1]), by_record=True)


def _facility_in_scope(session: Session, principal: Principal, code: str) -> Facility:
    """The facility when the person may report for it; else the one answer that reveals nothing."""
    facility = session.scalar(select(Facility).where(Facility.code == str(code)))
    if facility is None or not _mine(session, principal, [facility.code]):
        # the administrator may report for every facility: for them an unknown code is just unknown
        answer = "intake.facility_unknown" if principal.is_admin else "intake.facility_not_yours"
        raise ValidationFailed([InputError(code=answer, field="facility_id", value=str(code))])
    return facility


def _mine(session: Session, principal: Principal, codes: list[str]) -> set[str]:
    query = select(Facility.code).where(Facility.code.in_(sorted(set(codes))), access.facility_filter(principal))
    return set(session.scalars(query))


def _facility_column(table: Table) -> int | None:
    for position, header in enumerate(table.headers):
        if header.split("[")[0].strip() == "facility_id":
            return position
    return None


def _check(
    session: Session, principal: Principal, source: Table | Records, limits: Limits, *, correction: bool
) -> _Checked:
    """Scope, then fields, then registry; every problem of every row, or the rows that passed."""
    if isinstance(source, Records):
        table = records_table(source)
        if table is None:
            return _check_records(session, principal, source, correction=correction)
    else:
        table = source
    drop_label_row(table)  # the template's row 2 (labels) is not data
    # every row's fields first: this needs no database, so no lock is held while it runs
    validated = check_table(table, limits)
    # 1. who may report: rows naming a facility outside the person's scope get that answer only
    scope_errors, foreign = _scope(session, principal, table)
    # 2. the fields, for every other row (their problems are dropped for refused rows)
    checked: Checked = validated.result(foreign, partial=True)
    errors = scope_errors + checked.errors
    # 3. the registry, for the rows whose fields passed (in the same pass: every problem at once)
    records: list[dict[str, Any]] = []
    facilities: dict[str, Facility] = {}
    latest: dict[tuple[int, str], SubmissionVersion] = {}
    if checked.batch is not None:
        records = batch_to_records(checked.batch)
        numbers = table.row_numbers[checked.valid]
        facilities, latest, registry_errors = _check_registry(session, records, numbers, table, correction=correction)
        errors += registry_errors + _explanations(records, numbers, table)
    if errors:
        errors = _ordered(errors)
        cap = limits.max_errors
        if len(errors) > cap + 1:
            more = len(errors) - cap
            errors = [*errors[:cap], InputError(code="error.more_problems", file=table.file, count=more)]
        raise ValidationFailed(errors, file=table.file)
    assert checked.batch is not None
    return _Checked(
        records=records,
        batch=checked.batch,
        facilities=facilities,
        latest=latest,
        table=table,
        numbers=table.row_numbers[checked.valid],
    )


def _scope(session: Session, principal: Principal, table: Table) -> tuple[list[InputError], np.ndarray]:
    """The rows naming a facility the person may not report for, each with the one answer it gets."""
    errors: list[InputError] = []
    foreign = np.zeros(len(table.frame), dtype=bool)
    position = _facility_column(table)
    if position is None or not len(table.frame):
        return errors, foreign
    codes = text_column(table.frame[position]).to_numpy(dtype=object)
    named = codes != ""
    distinct = sorted(set(codes[named].tolist()))
    mine = _mine(session, principal, distinct)
    outside = set(distinct) - mine
    if not outside:
        return errors, foreign
    # the administrator may report for every facility: for them an unknown code is just unknown
    unknown = outside if principal.is_admin else set()
    foreign = named & pd.Series(codes).isin(outside).to_numpy()
    for index in np.flatnonzero(foreign):
        code = codes[index]
        number = int(table.row_numbers[index])
        errors.append(
            InputError(
                code="intake.facility_unknown" if code in unknown else "intake.facility_not_yours",
                file=table.file,
                sheet=table.sheet,
                row=None if table.by_record else number,
                record=number if table.by_record else None,
                field="facility_id",
                value=code,
            )
        )
    return errors, foreign


def _ordered(errors: list[InputError]) -> list[InputError]:
    def key(error: InputError) -> tuple[int, int]:
        where = error.row if error.row is not None else error.record
        try:
            return (int(where) if where is not None else 0, 0)
        except (TypeError, ValueError):
            return (0, 0)

    return sorted(errors, key=key)


def _check_registry(
    session: Session, records: list[dict[str, Any]], numbers: np.ndarray, table: Table, *, correction: bool
) -> tuple[dict[str, Facility], dict[tuple[int, str], SubmissionVersion], list[InputError]]:
    facilities = repo.facilities_by_code(session, {r["facility_id"] for r in records})
    provinces = {f.id: repo.facility_province(session, f) for f in facilities.values()}
    pairs = [(facilities[r["facility_id"]].id, r["period"]) for r in records if r["facility_id"] in facilities]
    latest = repo.latest_of_months(session, pairs)
    errors: list[InputError] = []

    def error(index: int, code: str, field_name: str, value: Any, **params: Any) -> None:
        number = int(numbers[index])
        errors.append(
            InputError(
                code=code,
                file=table.file,
                sheet=table.sheet,
                row=None if table.by_record else number,
                record=number if table.by_record else None,
                field=field_name,
                value=value,
                **params,
            )
        )

    for index, record in enumerate(records):
        facility = facilities[record["facility_id"]]  # in scope, so registered
        period = record["period"]
        if len(period) != 7:
            error(index, "intake.not_a_month", "period", period)
            continue
        if record["sector"] != facility.sector:
            error(index, "intake.sector_mismatch", "sector", record["sector"], registered=facility.sector)
        province = provinces[facility.id]
        if province and record["region"] != province:
            error(index, "intake.province_mismatch", "region", record["region"], registered=province)
        if facility.retired_on and f"{period}-01" > facility.retired_on.isoformat():
            error(index, "intake.retired", "period", period, date=facility.retired_on.isoformat())
        previous = latest.get((facility.id, period))
        if not correction and previous is not None and previous.status != "draft" and previous.record != record:
            error(index, f"intake.month_{previous.status}", "period", period)  # the same record: unchanged
    return facilities, latest, errors


def _explanations(records: list[dict[str, Any]], numbers: np.ndarray, table: Table) -> list[InputError]:
    """An explanation (情况说明) longer than its limit (services.limits), located at its row."""
    errors = []
    for index, record in enumerate(records):
        problem = too_long("explanation", record.get("explanation"))
        if problem is not None:
            number = int(numbers[index])
            errors.append(
                InputError(
                    code=problem.code,
                    file=table.file,
                    sheet=table.sheet,
                    row=None if table.by_record else number,
                    record=number if table.by_record else None,
                    field="explanation",
                    **problem.params,
                )
            )
    return errors


def _check_records(session: Session, principal: Principal, records: Records, *, correction: bool) -> _Checked:
    """JSON/YAML whose lines carry measured values (NCV, purity ...): checked record by record."""
    scope_errors: list[InputError] = []
    codes = [str(r.get("facility_id", "")).strip() if isinstance(r, dict) else "" for r in records.records]
    mine = _mine(session, principal, [c for c in codes if c])
    keep: list[Any] = []
    numbers: list[int] = []
    for index, (raw, code) in enumerate(zip(records.records, codes, strict=True)):
        if code and code not in mine:
            scope_errors.append(
                InputError(
                    code="intake.facility_not_yours",
                    file=records.file,
                    record=index + 1,
                    field="facility_id",
                    value=code,
                )
            )
            continue
        keep.append({**raw, "_row": index + 1} if isinstance(raw, dict) else raw)
        numbers.append(index + 1)
    errors = list(scope_errors)
    batch = None
    if keep:
        try:
            batch = parse_records(keep, source=records.file, collect=True)
        except ValidationFailed as failed:
            errors += failed.errors
        except InputError as failed:
            errors.append(failed)
    table = Table(records.file, None, [], pd.DataFrame(), np.array(numbers), by_record=True)
    plain: list[dict[str, Any]] = []
    facilities: dict[str, Facility] = {}
    latest: dict[tuple[int, str], SubmissionVersion] = {}
    if batch is not None and not errors:
        plain = batch_to_records(batch)
        facilities, latest, registry = _check_registry(session, plain, np.array(numbers), table, correction=correction)
        errors += registry + _explanations(plain, np.array(numbers), table)
    if errors:
        raise ValidationFailed(_ordered(errors), file=records.file)
    assert batch is not None
    return _Checked(
        records=plain, batch=batch, facilities=facilities, latest=latest, table=table, numbers=table.row_numbers
    )


def _prepare(
    session: Session, checked: _Checked, params: ParameterSet | None, *, unchanged_too: bool = False
) -> PreparedResults | None:
    """The rows' results, computed before the write lock is taken; None when a parameter they need is not in
    force (the write then computes what it can, year by year, and says what waits)."""
    if not unchanged_too and _all_unchanged(checked):  # the same file again: nothing will be written
        return None
    try:
        return store_service.prepare_results(session, checked.batch, params)
    except ParameterNotFound:
        return None


def _gate(
    session: Session, checked: _Checked, prepared: PreparedResults | None, params: ParameterSet | None, limits: Limits
) -> None:
    """The plausibility gate (services.plausibility) over rows that passed every other check: its errors refuse
    the file, located like a field's; its warnings become each record's ``flags``."""
    checked.flags = [None] * len(checked.records)
    if not checked.records or (prepared is None and _all_unchanged(checked)):  # nothing will be written
        return

    def locate(index: int, code: str, field_name: str, **params: Any) -> InputError:
        written = checked.records[index].get(field_name)
        if isinstance(written, float):  # as written in canonical units: 999999999, not 1e+09
            written = f"{written:.6f}".rstrip("0").rstrip(".")
        return _located(checked, index, code, written, field_name=field_name, **params)

    checked.flags = gate(
        session,
        checked.batch,
        checked.records,
        checked.facilities,
        prepared,
        params,
        locate=locate,
        file=checked.table.file,
        max_errors=limits.max_errors,
    )


def _all_unchanged(checked: _Checked) -> bool:
    for record in checked.records:
        previous = checked.latest.get((checked.facilities[record["facility_id"]].id, record["period"]))
        if previous is None or previous.record != record:
            return False
    return True


def _write(
    session: Session,
    checked: _Checked,
    actor: str,
    *,
    content: bytes | None,
    filename: str,
    submit: bool,
    params: ParameterSet | None,
    prepared: PreparedResults | None = None,
) -> ImportResult:
    """Versions for the months whose record changed, the evidence file, submission, results.

    The months are locked first and their latest versions read under the lock, so that two imports of
    the same month decide one after the other: a month whose latest version already holds the record adds
    nothing (``unchanged``), even when another import wrote it a moment ago."""
    result = ImportResult(file=filename, rows=len(checked.records), submitted=submit)
    try:
        pairs = [(checked.facilities[r["facility_id"]].id, r["period"]) for r in checked.records]
        locked = repo.lock_months(session, pairs)
        items: list[tuple[Facility, str, dict[str, Any]]] = []
        fresh: list[int] = []
        drafts_to_submit: list[tuple[str, str, Any]] = []  # (facility, period, version)
        refused: list[InputError] = []
        for index, record in enumerate(checked.records):
            facility = checked.facilities[record["facility_id"]]
            previous = locked.latest_of(facility.id, record["period"])
            if previous is not None and previous.record == record:
                result.unchanged.append((facility.code, record["period"], previous.version))
                if submit and previous.status == "draft":
                    drafts_to_submit.append((facility.code, record["period"], previous))
                continue
            if previous is not None and previous.status != "draft":  # submitted by someone else meanwhile
                refused.append(_located(checked, index, f"intake.month_{previous.status}", record["period"]))
                continue
            items.append((facility, record["period"], record))
            fresh.append(index)
        if refused:
            raise ValidationFailed(refused, file=checked.table.file)
        versions: list[Any] = []
        if items:
            upload_id = None
            if content is not None:
                upload = repo.store_upload(session, filename, content, actor, rows=len(checked.records))
                result.sha256, upload_id = upload.sha256, upload.id
            flags = [checked.flags[i] if checked.flags else None for i in fresh]
            versions = repo.save_versions(session, items, actor, upload_id=upload_id, locked=locked, flags=flags)
            result.versions = [(f.code, p, v.version) for (f, p, _r), v in zip(items, versions, strict=True)]
            result.flagged = [
                (f.code, p, v.version, v.flags) for (f, p, _r), v in zip(items, versions, strict=True) if v.flags
            ]
        if submit:
            candidates = [(f.code, p, v) for (f, p, _r), v in zip(items, versions, strict=True)] + drafts_to_submit
            # a month with warnings and no explanation stays a draft: saved, not submitted (the result says so)
            ready = [v for _c, _p, v in candidates if not plausibility.unexplained(v.flags, v.record)]
            result.not_submitted = [
                (code, period, v.version)
                for code, period, v in candidates
                if plausibility.unexplained(v.flags, v.record)
            ]
            if ready:
                repo.transition_many(session, ready, "submitted", actor)
        if versions:
            everything = len(fresh) == len(checked.records)
            if prepared is not None:
                prepared = prepared if everything else prepared.subset(fresh)
            result.results, result.results_pending = store_service.compute_results_where_possible(
                session,
                versions,
                actor,
                params=params,
                batch=checked.batch if everything else None,
                prepared=prepared,
            )
    except OperationalError as exc:
        raise _busy(exc) from None
    if submit:  # a report changes what the warnings see (late, missing, held); a draft changes nothing
        warning_cases.after_change(
            session,
            actor,
            facilities={r["facility_id"] for r in checked.records},
            months={(r["facility_id"], r["period"]) for r in checked.records},  # compared with their meters
        )
    return result


def _located(
    checked: _Checked, index: int, code: str, value: Any, *, field_name: str = "period", **params: Any
) -> InputError:
    number = int(checked.numbers[index])
    table = checked.table
    return InputError(
        code=code,
        file=table.file,
        sheet=table.sheet,
        row=None if table.by_record else number,
        record=number if table.by_record else None,
        field=field_name,
        value=value,
        **params,
    )


def _busy(exc: OperationalError) -> Exception:
    return Busy() if db.is_busy(exc) else exc


def _annotate(content: bytes, filename: str, failure: ValidationFailed, rejected_dir: Path | None) -> None:
    """A workbook's copy with each problem marked on its cell (for the person to correct and send again)."""
    if rejected_dir is None or not filename.lower().endswith((".xlsx", ".xlsm")):
        return
    from carbonpeak.io.workbook import write_annotated_copy

    rejected_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(filename).stem or "upload"
    target = rejected_dir / f"{stem}.errors.xlsx"
    try:
        write_annotated_copy(io.BytesIO(content), failure.errors, target)
    except Exception:  # a workbook too damaged to copy still gets its error list
        return
    failure.annotated = target  # type: ignore[attr-defined]
