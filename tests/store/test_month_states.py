"""The facts reader and the month states on a real store (SQLite and PostgreSQL): a month saved with
unresolved plausibility warnings is held out, a month without a result waits (its figures missing, not
zero), expected months not reported are missing, and the indicators say so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import update

from carbonpeak.indicators import coverage as cov
from carbonpeak.indicators import definitions as ind
from carbonpeak.parameters import load
from carbonpeak.services import access, intake
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.coverage import month_states
from carbonpeak.store.facts import facility_months, indicator_inputs
from carbonpeak.store.models import Fact
from tests.store.test_store_workflow import RECORD

AS_OF = dt.date(2025, 4, 20)  # March 2025 is the last month due (15 April has passed)
COPPER = {
    "facility_id": "CU1",
    "sector": "copper",
    "region": "shaanxi",
    "output_t": 5000.0,
    "grid_electricity_mwh": 8000.0,  # about 200 kgce/t: inside the plausibility gate's copper range
}


def _import(url: str, records: list[dict], tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    pd.DataFrame(records).to_csv(path, index=False)
    with db.transaction(url) as session:
        intake.import_file(session, access.operator("enterprise:E1"), path.read_bytes(), path.name, submit=True)


def _province(url: str, tmp_path: Path) -> None:
    """AL1: January-October 2024 verified; November submitted without a result; December submitted with
    plausibility warnings (held); January 2025 submitted; February 2025 a draft; March 2025 nothing.
    CU1 (retired 30 June 2024): January-March 2024 verified, April-June not reported."""
    al1 = [{**RECORD, "period": f"2024-{m:02d}", "output_t": 10000.0 + m} for m in (*range(1, 11), 12)]
    _import(url, [*al1, {**RECORD, "period": "2025-01"}], tmp_path, "al1.csv")
    _import(url, [{**COPPER, "period": f"2024-{m:02d}"} for m in (1, 2, 3)], tmp_path, "cu1.csv")
    with db.transaction(url) as session:
        for code, periods in (
            ("AL1", [f"2024-{m:02d}" for m in range(1, 11)]),
            ("CU1", ["2024-01", "2024-02", "2024-03"]),
        ):
            for period in periods:
                repo.transition(session, code, period, "verified", "verifier:V1")
        facility = repo.facilities_by_code(session, ["AL1"])["AL1"]
        waiting = repo.save_version(session, facility, "2024-11", {**RECORD, "period": "2024-11"}, "enterprise:E1")
        repo.transition_many(session, [waiting], "submitted", "enterprise:E1")  # no result computed: it waits
        repo.save_version(session, facility, "2025-02", {**RECORD, "period": "2025-02"}, "enterprise:E1")
        held = repo.versions_of(session, "AL1", "2024-12")[-1]
        session.execute(update(Fact).where(Fact.version_id == held.id).values(held=True))


def _counts(states: pd.DataFrame) -> dict[tuple[str, int], dict[str, int]]:
    table = cov.coverage_by(states, ["facility_code", "year"])
    return {key: {k: v for k, v in row.items() if v} for key, row in table.to_dict("index").items()}


def test_the_reader_holds_out_flagged_months_and_the_states_count_every_month(registry: str, tmp_path: Path) -> None:
    _province(registry, tmp_path)
    with db.transaction(registry) as session:
        verified = facility_months(session)
        submitted = facility_months(session, include_submitted=True)
        states = month_states(session, as_of=AS_OF)
        with_submitted = month_states(session, include_submitted=True, as_of=AS_OF)
    assert sorted(verified.loc[verified["facility_code"] == "AL1", "period"]) == [f"2024-{m:02d}" for m in range(1, 11)]
    mine = submitted.set_index(["facility_code", "period"])
    assert ("AL1", "2024-12") not in mine.index  # held out: unresolved plausibility warnings
    assert not mine.loc[("AL1", "2024-11"), "has_result"] and pd.isna(mine.loc[("AL1", "2024-11"), "energy_tce"])
    assert mine.loc[("AL1", "2025-01"), "has_result"]
    assert _counts(states) == {
        ("AL1", 2024): {"counted": 10, "held_out": 1, "unverified": 1},
        ("AL1", 2025): {"unverified": 1, "missing": 2},  # February a draft, March nothing
        ("CU1", 2024): {"counted": 3, "missing": 3},  # April-June; nothing after its retirement
    }
    assert _counts(with_submitted) == {
        ("AL1", 2024): {"counted": 10, "held_out": 1, "waiting": 1},
        ("AL1", 2025): {"counted": 1, "missing": 2},
        ("CU1", 2024): {"counted": 3, "missing": 3},
    }
    row = states.set_index(["facility_code", "period"]).loc[("CU1", "2024-05")]
    assert (row["state"], row["sector"], row["city_code"], row["month"]) == ("missing", "copper", "C1", 5)


def test_indicators_from_the_store_leave_waiting_and_held_months_out_and_say_so(registry: str, tmp_path: Path) -> None:
    _province(registry, tmp_path)
    with db.transaction(registry) as session:
        facts, options = indicator_inputs(session, include_submitted=True, params=load(), as_of=AS_OF)
    aluminium = ind.compute(
        "energy_tce", facts, region="P", year=2024, sector="electrolytic_aluminium", options=options
    )
    counted = facts[(facts["facility_code"] == "AL1") & (facts["year"] == 2024) & facts["has_result"]]
    assert len(counted) == 10 and aluminium.value == counted["energy_tce"].sum() > 0
    assert aluminium.coverage == cov.Coverage(counted=10, held_out=1, waiting=1)
    intensity = ind.compute(
        "energy_intensity_kgce_per_t", facts, region="P", year=2024, sector="electrolytic_aluminium", options=options
    )
    # over the ten months with a result only: the waiting November's output does not dilute it
    assert intensity.value == counted["energy_tce"].sum() * 1000 / counted["output_t"].sum()
    table = ind.table(facts, region="C1", year=2024, options=options).set_index(["indicator", "sector"])
    assert table.loc[("energy_tce", "all"), ["months", "held_out", "waiting", "missing"]].tolist() == [13, 1, 1, 3]
    period = ind.prepare(facts, region="P", options=options).period(2024)
    # November waits and December is held out: the figures are those of January-October, and 2024 is open
    assert period.partial and not period.complete and period.label().text("zh") == "2024年1–10月累计"
