"""The data state of a regulator's report: everything its figures are made of, read from the store.

* ``months``: every facility-month of the region in the report's window (the year before the period to
  the period's end) as ``[facility, month, version, state]``: the version counted (0 for a month with
  none) and its state (counted, waiting, unverified, held_out, missing); the months before the window
  (the base years targets compare with) as a count and a digest.
* ``parameters``: each parameter family in force (the shipped files plus the values an administrator
  entered) with the SHA-256 of its content: a new value is a new fingerprint.
* ``statistics``, ``registry``, ``warnings``, ``projects``, ``reporting``, ``scenario``: digests of the
  other inputs of the report's sections.
* ``as_of``: the day the report judges the period on (due dates, lateness); ``edition``: the benchmark
  edition.

Two reports with the same state have the same figures; :func:`carbonpeak.reports.state.difference`
names what moved between two states.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.parameters import ParameterSet
from carbonpeak.reports.state import sha256


def window_start(year: int) -> str:
    return f"{year - 1:04d}-01"


def months_part(rows: pd.DataFrame, states: pd.DataFrame, first: str, last: str) -> dict[str, Any]:
    """The months of the window with their version and state, and a digest of the months before it.

    ``rows``: the region's facts (counted versions, with ``has_result``); ``states``: the region's month
    states (:func:`carbonpeak.store.coverage.month_states`)."""
    counted = rows[rows["period"] <= last]
    has_result = counted["has_result"] if "has_result" in counted else counted["energy_tce"].notna()
    listed = pd.DataFrame(
        {
            "facility": counted["facility_code"].astype(str).to_numpy(),
            "period": counted["period"].astype(str).to_numpy(),
            "version": counted["version"].astype(int).to_numpy(),
            "state": np.where(has_result.to_numpy(dtype=bool), "counted", "waiting"),
        }
    )
    other = states[(states["period"] <= last) & (states["state"] != "counted")]
    listed = pd.concat(
        [
            listed,
            pd.DataFrame(
                {
                    "facility": other["facility_code"].astype(str).to_numpy(),
                    "period": other["period"].astype(str).to_numpy(),
                    "version": np.zeros(len(other), dtype=int),
                    "state": other["state"].astype(str).to_numpy(),
                }
            ),
        ],
        ignore_index=True,
    )
    listed = listed.drop_duplicates(["facility", "period"]).sort_values(["facility", "period"], kind="stable")
    inside = listed[listed["period"] >= first]
    before = listed[listed["period"] < first]
    return {
        "months": _plain(inside),
        "earlier_months": {"count": len(before), "sha256": sha256(_plain(before))},
    }


def _plain(frame: pd.DataFrame) -> list[list[Any]]:
    """[facility, month, version, state] rows as plain Python values (JSON and the fingerprint take them)."""
    columns = [frame[c].tolist() for c in ("facility", "period", "version", "state")]
    return [[f, p, int(v), s] for f, p, v, s in zip(*columns, strict=True)]


def parameters_part(params: ParameterSet) -> dict[str, str]:
    """Each family in force with the SHA-256 of its content (entries, sources, texts)."""
    return {name: sha256(params.files[name].model_dump(mode="json")) for name in params.families()}


def frame_digest(frame: pd.DataFrame | None, columns: list[str] | None = None) -> str:
    """The SHA-256 of a table's values, whatever the order of its rows (rows sorted first)."""
    if frame is None or frame.empty:
        return sha256([])
    chosen = (frame[columns] if columns else frame).astype(str)
    names = list(chosen.columns)
    # the rows sorted as tuples in Python: the order (and so the digest: JSON writes a tuple as a list) of
    # sorting the frame by every column, a missing value after every text as pandas puts it, at a fraction
    # of the frame's sort on a large province's registry
    rows = list(zip(*(chosen[name].tolist() for name in names), strict=True))
    if chosen.isna().to_numpy().any():
        rows.sort(key=lambda row: tuple((1, "") if _missing(x) else (0, x) for x in row))
    else:
        rows.sort()
    return sha256([names, rows])


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def made_state(
    *,
    kind: str,
    region: str,
    period: str,
    lang: str,
    as_of: dt.date,
    edition: str | None,
    months: dict[str, Any],
    parameters: dict[str, str],
    digests: dict[str, Any],
) -> dict[str, Any]:
    return {
        "kind": kind,
        "region": region,
        "period": period,
        "lang": lang,
        "as_of": as_of.isoformat(),
        "edition": edition,
        **months,
        "parameters": parameters,
        **digests,
    }
