"""The plausibility gate as a step of the intake (:mod:`carbonpeak.services.intake`).

Reads what the pure gate (:mod:`carbonpeak.plausibility`) compares with: the facility's stored months
(the month before and the same month a year before, from the facts table) and the registered
capacities, before any write lock is taken; then turns the findings into what the intake does with
them: errors refuse the file (every one, located at its row and field), warnings become the records'
``flags``. Without results (a parameter not yet in force) the rules on a month's energy are left out;
the others still run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak import plausibility
from carbonpeak.accounting import ActivityBatch
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.parameters import ParameterSet
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility
from carbonpeak.store.parameters import parameter_set
from carbonpeak.store.service import PreparedResults

ENERGY_KEYS = ("energy_tce", "fuel_tce")
Flags = list[dict[str, Any]]


def gate(
    session: Session,
    batch: ActivityBatch,
    records: list[dict[str, Any]],
    facilities: dict[str, Facility],
    prepared: PreparedResults | None,
    params: ParameterSet | None,
    *,
    locate: Callable[..., InputError],
    file: str | None,
    max_errors: int,
) -> list[Flags | None]:
    """Each record's warnings (None: none); raises :class:`ValidationFailed` listing every error.

    ``locate(index, code, field, **params)`` makes the located error of the record at ``index``."""
    codes = {f.id: code for code, f in facilities.items()}
    previous = repo.latest_figures(session, _months_before(batch, facilities))
    previous = previous.assign(facility_id=previous["facility"].map(codes))
    findings = plausibility.check(
        batch,
        params or parameter_set(session),
        previous=previous,
        capacity={code: f.capacity_t_per_a for code, f in facilities.items()},
        results=energy_results(prepared),
    )
    refused: list[InputError] = []
    flags: dict[int, Flags] = {}
    for finding in findings:
        if finding.severity == plausibility.WARNING:
            flags.setdefault(finding.index, []).append(finding.flag())
        else:
            refused.append(
                locate(finding.index, finding.code, finding.field, **plausibility.shown_params(finding.params))
            )
    if refused:
        if len(refused) > max_errors + 1:
            more = len(refused) - max_errors
            refused = [*refused[:max_errors], InputError(code="error.more_problems", file=file, count=more)]
        raise ValidationFailed(refused, file=file)
    return [flags.get(index) for index in range(len(records))]


def _months_before(batch: ActivityBatch, facilities: dict[str, Facility]) -> list[tuple[int, str]]:
    """(facility id, period) of the month before and the same month a year before each record's month
    (column-wise: an import of 100,000 months makes no Python loop here)."""
    records = batch.records
    periods = records["period"].astype(str)
    monthly = periods.str.len() == 7
    if not monthly.any():
        return []
    ids = records["facility_id"].astype(str)[monthly].map({code: f.id for code, f in facilities.items()})
    index = periods[monthly].str[:4].astype(int) * 12 + periods[monthly].str[5:7].astype(int) - 1
    wanted = []
    for lag in (1, 12):
        before = index - lag
        text = (before // 12).astype(str).str.zfill(4) + "-" + (before % 12 + 1).astype(str).str.zfill(2)
        wanted.append(pd.DataFrame({"facility": ids.to_numpy(), "period": text.to_numpy()}))
    pairs = pd.concat(wanted, ignore_index=True).drop_duplicates()
    return list(zip(pairs["facility"].astype(int).tolist(), pairs["period"].tolist(), strict=True))


def energy_results(prepared: PreparedResults | None) -> dict[str, np.ndarray]:
    """The month's energy and its fuels' part per record [tce], as the accounting computed them."""
    if prepared is None:
        return {}
    return {key: array for key, array in zip(prepared.keys, prepared.arrays, strict=True) if key in ENERGY_KEYS}
