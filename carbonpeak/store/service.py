"""Operations that join intake, accounting and the store: import a file, compute and recompute
results.

Each operation runs inside one transaction given by the caller: an import validates every row
against the field table and the registry first, and writes all of its versions, its evidence file,
its results and its audit events together, or nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.accounting import AccountingResult, ActivityBatch, account
from carbonpeak.accounting.emissions import RESULT_COLUMNS
from carbonpeak.errors import InputError, ParameterNotFound, ValidationFailed
from carbonpeak.io.activity import _read_structured, batch_to_records, parse_records, parse_table, read_csv_table
from carbonpeak.parameters import ParameterSet
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility, SubmissionVersion
from carbonpeak.store.parameters import parameter_set

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # an upload above this is refused before it is read


@dataclass
class ImportReport:
    file: str
    sha256: str
    rows: int
    versions: list[tuple[str, str, int]] = field(default_factory=list)  # (facility, period, version)
    results: int = 0
    results_pending: list[str] = field(default_factory=list)  # why some results wait for a parameter


def read_upload(path: Path, *, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[list[dict[str, Any]], list[str], bytes]:
    records, labels, content, _batch = read_upload_batch(path, max_bytes=max_bytes)
    return records, labels, content


def read_upload_batch(
    path: Path, *, max_bytes: int = MAX_UPLOAD_BYTES
) -> tuple[list[dict[str, Any]], list[str], bytes, ActivityBatch]:
    """Validate a file against the field table; every invalid row is reported, nothing is returned.

    Returns the records in canonical units, a label per record naming its place in the file
    ("sheet activity, row 7", "row 3", or the record_id of a JSON record) and the file's bytes.
    """
    name = str(path)
    if not path.exists():
        raise InputError("file not found", file=name)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"the file is {size / 2**20:.1f} MiB; uploads are limited to {max_bytes / 2**20:g} MiB",
            file=name,
            expected="a smaller file (split it by month or by facility)",
        )
    if size == 0:
        raise InputError("the file is empty", file=name, expected="at least one record")
    content = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from carbonpeak.io.workbook import read_workbook

        frame, meta = read_workbook(path, max_bytes=max_bytes)
        batch = parse_table(
            frame, source=name, collect=True, row_numbers=meta["row_numbers"], row_label=f"sheet {meta['sheet']}, row"
        )
        labels = [f"sheet {meta['sheet']}, row {n}" for n in meta["row_numbers"]]
    elif suffix == ".csv":
        frame = read_csv_table(path)
        batch = parse_table(frame, source=name, collect=True)
        labels = [f"row {n}" for n in range(2, len(frame) + 2)]
    elif suffix in (".json", ".yaml", ".yml"):
        batch = parse_records(_read_structured(path, suffix), source=name, collect=True)
        labels = list(batch.records["record_id"])
    else:
        raise InputError("unsupported file type", file=name, value=suffix, expected=".xlsx, .csv, .json or .yaml")
    return batch_to_records(batch), labels, content, batch


def check_against_registry(
    session: Session, records: list[dict[str, Any]], source: str, labels: list[str]
) -> dict[str, Facility]:
    """Unknown facilities, a sector or province that differs from the registry, a retired facility, a
    month that is already submitted, verified or locked: all reported together."""
    facilities = repo.facilities_by_code(session, (r["facility_id"] for r in records))
    provinces = {f.id: repo.facility_province(session, f) for f in facilities.values()}
    latest = repo.latest_of_months(
        session, [(facilities[r["facility_id"]].id, r["period"]) for r in records if r["facility_id"] in facilities]
    )
    errors: list[InputError] = []
    for record, label in zip(records, labels, strict=True):
        code, period = record["facility_id"], record["period"]
        facility = facilities.get(code)
        if facility is None:
            errors.append(
                InputError(
                    "unknown facility",
                    file=source,
                    record=label,
                    field="facility_id",
                    value=code,
                    expected="a facility registered for your enterprise",
                )
            )
            continue
        if len(period) != 7:
            errors.append(
                InputError(
                    "monthly reporting needs a month",
                    file=source,
                    record=label,
                    field="period",
                    value=period,
                    expected="a month such as 2024-03",
                )
            )
            continue
        if record["sector"] != facility.sector:
            errors.append(
                InputError(
                    "the sector differs from the registry",
                    file=source,
                    record=label,
                    field="sector",
                    value=record["sector"],
                    expected=facility.sector,
                )
            )
        province = provinces[facility.id]
        if province and record["region"] != province:
            errors.append(
                InputError(
                    "the province differs from the registry",
                    file=source,
                    record=label,
                    field="region",
                    value=record["region"],
                    expected=province,
                )
            )
        if facility.retired_on and f"{period}-01" > facility.retired_on.isoformat():
            errors.append(
                InputError(
                    f"the facility was retired on {facility.retired_on}",
                    file=source,
                    record=label,
                    field="period",
                    value=period,
                    expected="a month before retirement",
                )
            )
        refusal = repo.check_can_receive(latest.get((facility.id, period)), correction=False)
        if refusal:
            errors.append(InputError(refusal, file=source, record=label, field="period", value=period))
    if errors:
        raise ValidationFailed(errors, file=source)
    return facilities


def import_file(
    session: Session,
    path: Path,
    actor: str,
    *,
    submit: bool = False,
    rejected_dir: Path | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> ImportReport:
    """Import an activity file: validate everything, then write versions, evidence and results together.

    On any error nothing is written; for a workbook an annotated copy is written to ``rejected_dir``
    (the error's ``annotated`` attribute names it).
    """
    try:
        records, labels, content, batch = read_upload_batch(path, max_bytes=max_bytes)
        facilities = check_against_registry(session, records, str(path), labels)
    except ValidationFailed as exc:
        _annotate(path, exc, rejected_dir)
        raise
    upload = repo.store_upload(session, path.name, content, actor, rows=len(records))
    report = ImportReport(file=str(path), sha256=upload.sha256, rows=len(records))
    items = [(facilities[r["facility_id"]], r["period"], r) for r in records]
    versions = repo.save_versions(session, items, actor, upload_id=upload.id)
    if submit:
        repo.transition_many(session, versions, "submitted", actor)
    report.versions = [(f.code, p, v.version) for (f, p, _), v in zip(items, versions, strict=True)]
    report.results, report.results_pending = compute_results_where_possible(session, versions, actor, batch=batch)
    return report


def compute_results_where_possible(
    session: Session,
    versions: list[SubmissionVersion],
    actor: str,
    *,
    batch: ActivityBatch | None = None,
    params: ParameterSet | None = None,
) -> tuple[int, list[str]]:
    """Results for every year whose parameters are in force; the others wait, with the reason.

    A month whose factor is not yet published (e.g. a reporting year whose Y-2 grid factor is out
    later) is stored all the same; ``recompute`` adds its result once the value is entered.
    """
    try:
        return compute_results(session, versions, actor, params, batch=batch), []
    except ParameterNotFound:
        pass
    added, pending = 0, []
    years = sorted({v.record["period"][:4] for v in versions})
    for year in years:
        chosen = [v for v in versions if v.record["period"][:4] == year]
        try:
            added += compute_results(session, chosen, actor, params)
        except ParameterNotFound as exc:
            pending.append(f"{len(chosen)} month(s) of {year}: {exc}")
    return added, pending


def _annotate(path: Path, failure: ValidationFailed, rejected_dir: Path | None) -> None:
    if rejected_dir is None or path.suffix.lower() not in (".xlsx", ".xlsm") or not path.exists():
        return
    from carbonpeak.io.workbook import write_annotated_copy

    rejected_dir.mkdir(parents=True, exist_ok=True)
    target = rejected_dir / f"{path.stem}.errors.xlsx"
    try:
        write_annotated_copy(path, failure.errors, target)
    except Exception:  # a workbook too damaged to copy still gets its error list
        return
    failure.annotated = target  # type: ignore[attr-defined]


def compute_results(
    session: Session,
    versions: list[SubmissionVersion],
    actor: str,
    params: ParameterSet | None = None,
    *,
    batch: ActivityBatch | None = None,
) -> int:
    """Account the versions' records and store a result per version with its parameter snapshot.

    Returns how many results were added (a version already computed with the same parameter values
    gets none).
    """
    if not versions:
        return 0
    # ``batch`` is the already-validated intake of these versions (same order); else re-read the records.
    if batch is None:  # several versions of one month are distinct records here
        records = [
            {**v.record, "record_id": f"{v.record['facility_id']}@{v.record['period']}#v{v.version}"} for v in versions
        ]
        batch = parse_records(records, source="store")
    result = account(batch, params or parameter_set(session))  # shipped values plus those entered
    snapshots = _per_record_parameters(result)
    table = result.table
    columns = [c for c in RESULT_COLUMNS if c in table]
    # Column by column: a float column's NaN becomes None (JSON null), as a row-wise to_dict would give.
    arrays = []
    for name in columns:
        column = table[name]
        if pd.api.types.is_float_dtype(column.dtype):
            numbers = column.to_numpy(dtype=float)
            arrays.append(np.where(np.isnan(numbers), None, numbers))
        else:
            arrays.append(column.astype(object).where(column.notna(), None).to_numpy(dtype=object))
    arrays.append(np.array([bool(flag) for flag in table["rests_on_unverified_factor"].tolist()], dtype=object))
    keys = [*columns, "rests_on_unverified_factor"]
    methods = table["method"].astype(str).tolist()
    fingerprints = [repo.snapshot_parameters(session, parameters) for parameters in snapshots.sets]
    added = 0
    for start in range(0, len(versions), _RESULT_CHUNK):  # a chunk's dicts at a time: memory stays bounded
        stop = start + _RESULT_CHUNK
        entries = [
            (version, method, dict(zip(keys, values, strict=True)), fingerprints[code])
            for version, method, code, *values in zip(
                versions[start:stop],
                methods[start:stop],
                snapshots.codes[start:stop],
                *(array[start:stop].tolist() for array in arrays),
                strict=True,
            )
        ]
        added += repo.record_results(session, entries, actor)
    return added


_RESULT_CHUNK = 20_000


@dataclass
class _Snapshots:
    codes: list[int]  # per record: index into sets
    sets: list[list[dict[str, Any]]]  # distinct parameter sets


def _per_record_parameters(result: AccountingResult) -> _Snapshots:
    """The distinct sets of cited parameters the records used (many records share one)."""
    cited: dict[str, Any] = {}
    pairs_rec: list[np.ndarray] = []
    pairs_par: list[np.ndarray] = []
    for term in result.terms:
        for use in term.parameters:
            ident = f"{use.cited.label}|{use.cited.valid_from}"
            number = cited.setdefault(ident, (len(cited), use.cited))[0]
            pairs_rec.append(np.asarray(use.records, dtype=np.int64))
            pairs_par.append(np.full(len(use.records), number, dtype=np.int64))
    n = len(result.table)
    if not pairs_rec:
        return _Snapshots(codes=[0] * n, sets=[[]])
    # A record x parameter membership matrix, its rows packed to bytes: records with the same bytes
    # used the same set. One sort of n short keys instead of a unique over every (record, parameter).
    width = len(cited)
    member = np.zeros((n, width), dtype=bool)
    member[np.concatenate(pairs_rec), np.concatenate(pairs_par)] = True
    packed = np.ascontiguousarray(np.packbits(member, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    by_number = {number: c for number, c in cited.values()}
    # Sets numbered in order of first use, as before: the first record's set is set 0.
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    sets = [[by_number[int(m)].as_dict() for m in np.flatnonzero(member[first[d]])] for d in order]
    return _Snapshots(codes=rank[inverse.ravel()].tolist(), sets=sets)


def recompute(
    session: Session, actor: str, *, include_submitted: bool = True, params: ParameterSet | None = None
) -> int:
    """Recompute every counted version; a new result is kept only where parameter values changed.

    Months whose parameters are still missing are left without a result (see
    :func:`compute_results_where_possible`)."""
    versions = repo.counted_versions(session, include_submitted=include_submitted)
    return compute_results_where_possible(session, versions, actor, params=params)[0]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
