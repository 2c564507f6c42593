"""The demonstration province's pollutant ledger: DEMONSTRATION DATA, NOT MEASUREMENTS.

The demo's monthly activity records already carry synthetic SO2, NOx and particulate tonnages (the optional
``so2_t``, ``nox_t``, ``particulate_t`` fields, made by :mod:`carbonpeak.demo.generate` from output and
captive power with the demo's own calibrated ratios, see its ``_EA_POLLUTION``). This loader copies those
figures into the ledger, so that the ledger and the monthly records of the demo agree; it invents no ratio and
no factor of its own. A month whose record lacks one of the three is left out (the ledger then shows a
coverage gap, as a real province would). One month is corrected (a second version with its reason) to show
versions. Every version carries ``source`` "demo" and a note saying it is demonstration data.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import facility_months
from carbonpeak.store.pollutants import repository as ledger
from carbonpeak.synergy.ledger import DEMO_SOURCE

_RECORD = {"so2_t": "so2_t", "nox_t": "nox_t", "pm_t": "particulate_t"}  # ledger field: record field


def load_pollutants(session: Session, actor: str, seed: int = 2026) -> int:
    """Write the demo's pollutant months (in the caller's transaction); returns how many were written."""
    frame = facility_months(session, include_submitted=True)
    present = np.logical_and.reduce([frame[c].notna().to_numpy() for c in _RECORD.values()])
    frame = frame[present & (frame["output_t"].fillna(0) > 0).to_numpy()].sort_values(["facility_code", "period"])
    if frame.empty:
        return 0
    note = messages.render("pollutants.demo_note", "zh")
    facilities = repo.facilities_by_code(session, sorted(set(frame["facility_code"])))
    pairs = [(facilities[c].id, p) for c, p in zip(frame["facility_code"], frame["period"], strict=True)]
    months = ledger.lock_months(session, pairs)
    first = []
    for row in frame.itertuples(index=False):
        values: dict[str, object] = {k: round(float(getattr(row, c)), 3) for k, c in _RECORD.items()}
        values.update(source=DEMO_SOURCE, note=note)
        first.append(
            (months[(facilities[row.facility_code].id, row.period)], values, f"{row.facility_code}@{row.period}")
        )
    written = ledger.add_first_versions(session, first, actor)
    # one correction, to show a month's versions: AL01's (or the first facility's) June 2024
    chosen = next((f for f in first if f[2] == "AL01@2024-06"), None) or next(
        (f for f in first if f[2].endswith("@2024-06")), None
    )
    if chosen is not None:
        month, values, key = chosen
        previous = ledger.latest_versions(session, [month.id])[month.id]
        fixed = {**values, "so2_t": round(float(values["so2_t"]) * 0.9, 3)}  # type: ignore[arg-type]
        ledger.add_version(session, month, previous, fixed, actor, key=key, reason="演示：更正二氧化硫月度数据（虚构）")
    return written
