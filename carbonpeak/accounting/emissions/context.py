"""What every component shares: :class:`_Context` (the batch's columns as arrays, the parameter
resolver and per-record periods), the :data:`Component` signature, :class:`_Missing` and the error
that names the record a missing parameter stopped on, and :func:`_term`, which builds a
:class:`~carbonpeak.engine.provenance.Term` with its method, clause and formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.emissions.records import AccountingOptions, ActivityBatch
from carbonpeak.engine._arrays import FloatArray
from carbonpeak.engine.methods import Method
from carbonpeak.engine.provenance import IntArray, Term
from carbonpeak.errors import InputError, ParameterNotFound, ParameterValueMissing
from carbonpeak.parameters import Cited, ParameterSet, period_start
from carbonpeak.units import conversion_factor


class _Context:
    """Columns of the batch as arrays, the parameter resolver and per-record periods."""

    def __init__(self, batch: ActivityBatch, params: ParameterSet, options: AccountingOptions) -> None:
        self.batch = batch
        self.params = params
        self.options = options
        self._columns = {name: batch.records[name].to_numpy() for name in batch.records.columns}
        periods = batch.records["period"]
        codes, uniques = pd.factorize(periods)  # hash-based: no sort of a million strings
        starts: list[dt.date] = []
        for position, text in enumerate(uniques):
            try:
                day = period_start(text)
            except ValueError as exc:
                first = int(np.flatnonzero(codes == position)[0])
                raise InputError(
                    str(exc),
                    file=batch.source,
                    record=self.record_label(first),
                    field="period",
                    value=text,
                    expected="a year (2024) or a month (2024-03)",
                ) from None
            assert day is not None
            starts.append(day)
        # Periods as small integer codes into ``days``: comparisons stay vectorised.
        self.days = starts
        self.pcode = codes.astype(np.intp)
        self.year = np.array([d.year for d in starts], dtype=np.int64)[codes]
        self._cache: dict[tuple[Any, ...], Cited] = {}
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def periods_of(self, records: IntArray) -> list[tuple[dt.date, IntArray]]:
        """(first day, positions within ``records``) for each distinct period among the records."""
        return [(self.days[code], rows) for code, rows in _groups(self.pcode[records])]

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(integer code per record, distinct values) of a text column, computed once."""
        if name not in self._codes:
            codes, uniques = pd.factorize(self._columns[name])
            self._codes[name] = (codes.astype(np.intp), np.asarray(uniques, dtype=object))
        return self._codes[name]

    def col(self, name: str, idx: IntArray) -> np.ndarray:
        return self._columns[name][idx]

    def num(self, name: str, idx: IntArray) -> FloatArray:
        """A numeric column, NaN (not reported) taken as zero: an unreported flow is no flow."""
        return np.nan_to_num(self._columns[name][idx], nan=0.0)

    def record_label(self, position: int) -> str:
        return str(self._columns["record_id"][position])

    def at(self, parameter: str, *, period: Any = None, edition: str | None = None, **key: Any) -> Cited:
        ident = (parameter, period, edition, tuple(sorted(key.items())))
        if ident not in self._cache:
            try:
                self._cache[ident] = self.params.at(parameter, period=period, edition=edition, **key)
            except ParameterNotFound as exc:
                raise _Missing(exc, parameter, period, key) from None
        return self._cache[ident]

    def value(self, cited: Cited, unit: str) -> float:
        """A cited numeric value converted to the unit the engine function states."""
        return float(cited.value) * conversion_factor(cited.unit, unit)

    def require(self, name: str, idx: IntArray, why: str) -> FloatArray:
        values = self._columns[name][idx].astype(float)
        missing = np.isnan(values)
        if missing.any():
            position = int(idx[np.flatnonzero(missing)[0]])
            raise InputError(
                code="accounting.required_by",
                rule=why,
                file=self.batch.source,
                record=self.record_label(position),
                field=name,
                expected="a number",
            )
        return values


Component = Callable[[_Context, IntArray, Method], list[Term]]


class _Missing(Exception):
    """A parameter lookup that failed, with what was asked, so that :func:`account` can name the record."""

    def __init__(self, error: ParameterNotFound, parameter: str, period: Any, key: dict[str, Any]) -> None:
        super().__init__(str(error))
        self.error, self.parameter, self.period, self.key = error, parameter, period, key


def _stopped_on(ctx: _Context, idx: IntArray, missing: _Missing) -> int:
    """The first record among ``idx`` that needed the missing value: same period, then same key."""
    rows = idx
    if isinstance(missing.period, int | np.integer):  # the grid-factor rule is asked by calendar year
        rows = rows[ctx.year[rows] == int(missing.period)]
    elif missing.period is not None:
        day = period_start(missing.period)
        same = np.array([d == day for d in ctx.days], dtype=bool)
        rows = rows[same[ctx.pcode[rows]]]
    for name, value in missing.key.items():
        if name in ("region", "technology", "sector"):
            narrower = rows[ctx.col(name, rows) == str(value)]
        elif name == "fuel" and not ctx.batch.fuels.empty:
            fuels = ctx.batch.fuels
            narrower = rows[np.isin(rows, fuels["record"].to_numpy()[(fuels["fuel"] == str(value)).to_numpy()])]
        else:
            continue
        rows = narrower if narrower.size else rows
    return int(rows[0]) if rows.size else int(idx[0])


def _named(ctx: _Context, idx: IntArray, missing: _Missing) -> ParameterNotFound:
    """The missing-parameter error again, naming the record (facility and period) it stopped on."""
    position = _stopped_on(ctx, idx, missing)
    error = missing.error
    code = (
        "accounting.parameter_value_missing"
        if isinstance(error, ParameterValueMissing)
        else "accounting.parameter_not_found"
    )
    keys = ", ".join(f"{k}={v}" for k, v in missing.key.items())
    return type(error)(
        code=code,
        **{
            "title": missing.parameter,  # the loader gives the family's zh/en title; a family it does not know has none
            **error.params,
            "parameter": f"{missing.parameter}[{keys}]" if keys else missing.parameter,
            "record": ctx.record_label(position),
            "facility": str(ctx.col("facility_id", np.array([position]))[0]),
            "period": str(ctx.col("period", np.array([position]))[0]),
            "detail": str(error),
            "file": ctx.batch.source or "",
        },
    )


def _term(
    name: str,
    zh: str,
    en_label: str,
    unit: str,
    idx: IntArray,
    values: FloatArray,
    method: Method,
    reference: str,
    formula: str,
    **extra: Any,
) -> Term:
    return Term(
        name=name,
        label_zh=zh,
        label_en=en_label,
        unit=unit,
        index=idx,
        values=values,
        method=method.id,
        reference=reference,
        formula=formula,
        **extra,
    )


def _groups(key: np.ndarray) -> list[tuple[int, IntArray]]:
    """(key value, positions) for each distinct value of an integer key: one sort, no repeated masks."""
    if key.size == 0:
        return []
    if key.min() >= 0 and key.max() < 2**15:
        key = key.astype(np.int16)  # NumPy sorts 16-bit integers with a linear-time radix sort
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    bounds = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    return [(int(ordered[start]), group) for start, group in zip(starts, np.split(order, bounds), strict=True)]


def _lines_of(ctx: _Context, lines: pd.DataFrame, idx: IntArray) -> pd.DataFrame:
    if lines.empty:
        return lines
    mask = np.zeros(len(ctx.batch), dtype=bool)
    mask[idx] = True
    return lines[mask[lines["record"].to_numpy()]]
