"""Results of stored versions: compute them (with each result's parameter snapshot) and recompute.

Each operation runs inside one transaction given by the caller. Importing files is a use case
(:mod:`carbonpeak.services.intake`), which calls these once its versions are written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import null, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from carbonpeak.accounting import AccountingResult, ActivityBatch, account
from carbonpeak.accounting.emissions.records import RESULT_COLUMNS
from carbonpeak.accounting.waiting import waiting_reason
from carbonpeak.errors import ParameterNotFound
from carbonpeak.io.activity import parse_records
from carbonpeak.messages import CodedText, Message
from carbonpeak.parameters import ParameterSet
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Result, SubmissionVersion
from carbonpeak.store.parameters import parameter_set


def compute_results_where_possible(
    session: Session,
    versions: list[SubmissionVersion],
    actor: str,
    *,
    batch: ActivityBatch | None = None,
    params: ParameterSet | None = None,
    prepared: PreparedResults | None = None,
) -> tuple[int, list[str]]:
    """Results for every year whose parameters are in force; the others wait, with the reason.

    A month whose factor is not yet published (e.g. a reporting year whose Y-2 grid factor is out
    later) is stored all the same; ``recompute`` adds its result once the value is entered.
    ``prepared`` (:func:`prepare_results` of these versions' records, in order) stores what was computed
    beforehand, outside the write transaction's lock.
    """
    if prepared is not None:
        return store_results(session, versions, prepared, actor), []
    try:
        return compute_results(session, versions, actor, params, batch=batch), []
    except ParameterNotFound:
        pass
    params = params or parameter_set(session)
    added = 0
    pending: list[str] = []
    years = sorted({v.record["period"][:4] for v in versions})
    for year in years:
        chosen = [v for v in versions if v.record["period"][:4] == year]
        try:
            added += compute_results(session, chosen, actor, params)
            continue
        except ParameterNotFound as exc:
            first = exc
        # A value may be missing for some sectors or provinces only: each group that can be computed is.
        groups: dict[tuple[str, str], list[Any]] = {}
        for version in chosen:
            place = (str(version.record.get("sector")), str(version.record.get("region")))
            groups.setdefault(place, []).append(version)
        waiting: list[Any] = []
        if len(groups) == 1:
            mark_waiting(session, chosen, waiting_reason(params, first, year))
            waiting = chosen
        else:
            for group in groups.values():
                try:
                    added += compute_results(session, group, actor, params)
                except ParameterNotFound as exc:
                    mark_waiting(session, group, waiting_reason(params, exc, year))
                    waiting += group
        if waiting:
            pending.append(_pending(len(waiting), year, first))
    return added, pending


def mark_waiting(session: Session, versions: list[Any], reason: dict[str, Any]) -> None:
    """Keep on each version without a result why it waits (a coded message: what is missing, who
    publishes it, when it is expected); a version that has a result is not waiting."""
    with_result: set[int] = set()
    for start in range(0, len(versions), _CHUNK):
        ids = [v.id for v in versions[start : start + _CHUNK]]
        with_result.update(session.scalars(select(Result.version_id).where(Result.version_id.in_(ids)).distinct()))
    chosen = [v for v in versions if v.id not in with_result]
    for start in range(0, len(chosen), _CHUNK):
        part = [v.id for v in chosen[start : start + _CHUNK]]
        session.execute(_waiting_update(part, reason))
    for version in chosen:
        _sync(version, reason)


def clear_waiting(session: Session, versions: list[Any]) -> None:
    """A version with a result waits no longer."""
    chosen = [v for v in versions if getattr(v, "waiting", None) is not None]
    for start in range(0, len(chosen), _CHUNK):
        part = [v.id for v in chosen[start : start + _CHUNK]]
        session.execute(_waiting_update(part, null()))
    for version in chosen:
        _sync(version, None)


_CHUNK = 4000  # ids in one statement (below every driver's limit of bound parameters)


def _waiting_update(ids: list[int], value: Any) -> Any:
    # the loaded objects are brought in step by _sync, not by the ORM's evaluation of the statement
    statement = update(SubmissionVersion).where(SubmissionVersion.id.in_(ids)).values(waiting=value)
    return statement.execution_options(synchronize_session=False)


def _sync(version: Any, reason: dict[str, Any] | None) -> None:
    """The loaded object shows what the statement wrote (without writing it a second time)."""
    if isinstance(version, SubmissionVersion):
        set_committed_value(version, "waiting", reason)


def _pending(count: int, year: str, exc: ParameterNotFound) -> CodedText:
    """Why months have no result yet, in words a page can show: the parameter's title, not its key."""
    title = exc.params.get("title")
    if title is None:
        return CodedText(Message("intake.results_pending_any", count=count, year=year))
    return CodedText(Message("intake.results_pending", count=count, year=year, parameter=title))


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
    return store_results(session, versions, prepare_results(session, batch, params), actor)


@dataclass
class PreparedResults:
    """The results of a batch's records, computed (pure accounting) but not stored: per record its method,
    the values of the result columns and which set of cited parameters it used."""

    keys: list[str]
    methods: list[str]
    codes: list[int]  # per record: index into sets
    sets: list[list[dict[str, Any]]]  # distinct parameter sets
    arrays: list[np.ndarray]  # per key, the records' values

    def __len__(self) -> int:
        return len(self.methods)

    def subset(self, positions: list[int]) -> PreparedResults:
        """The results of the records at ``positions`` (in that order)."""
        index = np.asarray(positions, dtype=np.int64)
        used: dict[int, int] = {}  # old set number -> new, in order of first use
        codes = [used.setdefault(self.codes[i], len(used)) for i in positions]
        return PreparedResults(
            self.keys,
            [self.methods[i] for i in positions],
            codes,
            [self.sets[old] for old in used],
            [array[index] for array in self.arrays],
        )


def prepare_results(session: Session, batch: ActivityBatch, params: ParameterSet | None = None) -> PreparedResults:
    """Account a batch's records (the parameter values entered in the database are read with ``session``,
    unless ``params`` is given); nothing is written, so an import runs this before it takes the write lock.
    Raises :class:`~carbonpeak.errors.ParameterNotFound` when a value the records need is not in force."""
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
    return PreparedResults(keys, methods, snapshots.codes, snapshots.sets, arrays)


def store_results(session: Session, versions: list[SubmissionVersion], prepared: PreparedResults, actor: str) -> int:
    """Store the prepared results of ``versions`` (same order) with their parameter snapshots; returns how
    many were added (a version already computed with the same parameter values gets none)."""
    if not versions:
        return 0
    if len(versions) != len(prepared):
        raise ValueError(f"{len(versions)} versions but {len(prepared)} prepared results")
    fingerprints = [repo.snapshot_parameters(session, parameters) for parameters in prepared.sets]
    keys, arrays = prepared.keys, prepared.arrays
    added = 0
    for start in range(0, len(versions), _RESULT_CHUNK):  # a chunk's dicts at a time: memory stays bounded
        stop = start + _RESULT_CHUNK
        entries = [
            (version, method, dict(zip(keys, values, strict=True)), fingerprints[code])
            for version, method, code, *values in zip(
                versions[start:stop],
                prepared.methods[start:stop],
                prepared.codes[start:stop],
                *(array[start:stop].tolist() for array in arrays),
                strict=True,
            )
        ]
        added += repo.record_results(session, entries, actor)
    clear_waiting(session, versions)
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
