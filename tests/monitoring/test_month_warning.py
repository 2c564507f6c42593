"""Days secure the month on the demonstration province: a potline gets the demo meters (registers), their readings
make its metered month exactly its reported month; every figure is then within the tolerance and no warning is
raised. A correction of the reported electrolysis AC power (−10 %), submitted, raises ``metered_month_differs``
to the enterprise and its verifier (the submission's service call); the daily check finds it again; submitting
the month corrected back clears it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select

from carbonpeak.indicators import warnings as rules
from carbonpeak.monitoring.readings import Reading
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import access
from carbonpeak.services import demo as demo_service
from carbonpeak.services import monitoring as svc
from carbonpeak.services import submissions as workflow
from carbonpeak.services.monitoring_demo import demo_meter_records
from carbonpeak.services.monitoring_month import months_to_check
from carbonpeak.services.monitoring_reports import reconcile_month
from carbonpeak.services.warnings_daily import run_daily
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility, Submission, SubmissionVersion, Warning

ADMIN = access.operator("cli:test")
ZONE = ZoneInfo("Asia/Shanghai")
KIND = "metered_month_differs"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('month-warning') / 'demo.db'}"
    db.upgrade(url)
    with db.transaction(url) as session:
        demo_service.load_demo(session)
    return url


def _a_verified_potline_month(url: str) -> tuple[str, int, str, dict[str, object]]:
    """An aluminium facility's latest verified month with its AC power and output: (code, enterprise, month,
    record)."""
    with db.transaction(url) as session:
        rows = session.execute(
            select(Facility.code, Facility.enterprise_id, Submission.period, SubmissionVersion)
            .join(Submission, Submission.facility_id == Facility.id)
            .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
            .where(Facility.sector == "electrolytic_aluminium", Facility.status == "operating")
            .order_by(Submission.period.desc(), Facility.code, SubmissionVersion.version)
        ).all()
        latest: dict[tuple[str, str], tuple[int, SubmissionVersion]] = {}
        for code, enterprise, period, version in rows:
            if len(period) == 7:
                latest[(code, period)] = (enterprise, version)
        for (code, period), (enterprise, version) in latest.items():
            record = dict(version.record)
            if (
                version.status in ("verified", "locked")
                and record.get("electrolysis_ac_mwh")
                and record.get("output_t")
            ):
                return code, enterprise, period, record
    raise AssertionError("the demo has no verified potline month")


def _registers(
    meter: str, first: dt.datetime, after: dt.datetime, total_kwh: float, multiplier: float
) -> list[Reading]:
    """15-minute register readings from ``first`` to ``after`` (inclusive) whose steps add up to ``total_kwh``."""
    steps = int((after - first).total_seconds() // 900)
    per_step = total_kwh / multiplier / steps
    return [Reading(meter, first + dt.timedelta(minutes=15 * k), 1000.0 + k * per_step) for k in range(steps + 1)]


def _warning(url: str, key: str) -> Warning | None:
    with db.transaction(url) as session:
        found = session.scalar(select(Warning).where(Warning.key == key))
        if found is not None:
            session.expunge(found)
        return found


def _correct_and_submit(url: str, code: str, period: str, record: dict[str, object], reason: str) -> None:
    with db.transaction(url) as session:
        facility = repo.facilities_by_code(session, [code])[code]
        repo.save_version(session, facility, period, record, "cli:test", reason=reason)
        workflow.step(session, ADMIN, [(code, period)], "submitted")  # calls the warnings with the month


def test_a_reported_month_made_to_differ_raises_the_warning(
    demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, enterprise_id, period, record = _a_verified_potline_month(demo)
    with db.transaction(demo) as session:
        for meter in demo_meter_records([(code, "electrolytic_aluminium")], dt.date(2026, 12, 6)):
            svc.add_meter(session, ADMIN, meter)
    year, month = int(period[:4]), int(period[5:7])
    first = dt.datetime(year, month, 1, tzinfo=ZONE).astimezone(dt.UTC)
    after = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=ZONE).astimezone(dt.UTC)
    site_mwh = sum(float(record.get(k) or 0.0) for k in ("grid_electricity_mwh", "captive_electricity_mwh"))
    site_mwh += float(record.get("onsite_renewable_mwh") or 0.0) - float(record.get("exported_electricity_mwh") or 0)
    ac_mwh = float(record["electrolysis_ac_mwh"])  # type: ignore[arg-type]
    path = tmp_path / "readings.duckdb"
    store = DuckDBStore(path)
    store.write(_registers(f"{code}-E0", first, after, site_mwh * 1000, 100))  # the demo meters' multipliers
    store.write(_registers(f"{code}-AC", first, after, ac_mwh * 1000, 1000))
    with db.transaction(demo) as session:
        rows = reconcile_month(session, ADMIN, store, period, code)
    store.close()
    by = {r["figure"]: r for r in rows}
    assert set(by) == {
        "site_electricity_mwh",
        "electrolysis_ac_mwh",
        "energy_tce",
        "ac_power_liquid_aluminium_kwh_per_t",
    }
    assert all(r["state"] == "within" and abs(r["difference_pct"]) < 1e-6 for r in rows), rows
    assert by["site_electricity_mwh"]["metered"] == pytest.approx(site_mwh)
    assert by["electrolysis_ac_mwh"]["tolerance_pct"] == 5.0  # the default province's setting

    monkeypatch.setenv("CARBONPEAK_READINGS_URL", str(path))
    key = f"{KIND}:{code}:{period}"
    day = (after.astimezone(ZONE) + dt.timedelta(days=10)).date()  # the daily check's lookback covers the month
    assert period in months_to_check(day)
    run_daily(demo, "system:test", day=day, force=True)
    assert _warning(demo, key) is None  # metered = reported: nothing to say

    # the enterprise corrects its AC power to 90 % of what was metered, and submits: +11.1 %, beyond 5 %
    _correct_and_submit(demo, code, period, {**record, "electrolysis_ac_mwh": ac_mwh * 0.9}, "AC power re-read")
    raised = _warning(demo, key)
    assert raised is not None and raised.status == "open" and raised.kind == KIND
    figures = {f["figure"]: f for f in raised.details["figures"]}
    assert set(figures) == {"electrolysis_ac_mwh", "ac_power_liquid_aluminium_kwh_per_t"}  # the site and energy agree
    assert figures["electrolysis_ac_mwh"]["difference_pct"] == pytest.approx(100 * (1 / 0.9 - 1))
    assert "电解交流电耗" in raised.message_zh and "metered" in raised.message_en
    assert raised.details["addressed_to"] == ["enterprise", "verifier"]
    with db.transaction(demo) as session:  # the enterprise and its verifier see it; another enterprise does not
        for role, ids in (("enterprise", {enterprise_id}), ("verifier", {enterprise_id}), ("enterprise", {-1})):
            who = dataclasses.replace(ADMIN, role=role, enterprise_ids=frozenset(ids), user_id=1)
            seen = session.scalar(select(Warning.id).where(Warning.key == key, access.warning_filter(who)))
            assert (seen is not None) == (ids != {-1})

    # the daily check (judged on a past day: it raises, it does not clear) finds the same situation again
    done = run_daily(demo, "system:test", day=day, force=True)
    assert done.refreshed is not None and done.refreshed.found >= 1
    again = _warning(demo, key)
    assert again is not None and again.id == raised.id and again.status == "open"  # the same warning, once

    # corrected back to the metered value and submitted: the warning is cleared (closed)
    _correct_and_submit(demo, code, period, record, "AC power as metered")
    cleared = _warning(demo, key)
    assert cleared is not None and cleared.status == "closed"


def test_the_rule_judges_only_the_months_compared() -> None:
    """Without a reading store (metered None) the rule is not run, so a stored warning of its kind is not
    cleared; with one, only the months compared are (a submission compares its own month)."""
    rows = [
        {
            "facility_code": "AL1",
            "month": "2025-03",
            "figure": "electrolysis_ac_mwh",
            "metered": 111.0,
            "reported": 100.0,
            "difference_pct": 11.0,
            "tolerance_pct": 5.0,
            "state": "beyond",
        },
        {
            "facility_code": "AL1",
            "month": "2025-03",
            "figure": "site_electricity_mwh",
            "metered": 100.0,
            "reported": 100.0,
            "difference_pct": 0.0,
            "tolerance_pct": 5.0,
            "state": "within",
        },
        {
            "facility_code": "AL2",
            "month": "2025-03",
            "figure": "site_electricity_mwh",
            "metered": 100.0,
            "reported": None,
            "difference_pct": None,
            "state": "not_reported",
        },
    ]
    frames = _empty_frames()
    none = rules.evaluate(*frames, as_of=dt.date(2026, 12, 6), kinds=[KIND], metered=None)
    assert none.raised == [] and not none.covers(KIND, "AL1", f"{KIND}:AL1:2025-02", {})
    some = rules.evaluate(*frames, as_of=dt.date(2026, 12, 6), kinds=[KIND], metered=rows)
    assert [r.key for r in some.raised] == [f"{KIND}:AL1:2025-03"]
    assert [f["figure"] for f in some.raised[0].details["figures"]] == ["electrolysis_ac_mwh"]
    assert some.covers(KIND, "AL1", f"{KIND}:AL1:2025-03", {})
    assert not some.covers(KIND, "AL1", f"{KIND}:AL1:2025-02", {})  # not compared in this run: kept
    assert not some.covers(KIND, "AL2", f"{KIND}:AL2:2025-03", {})  # not reported: nothing known


def _empty_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    facts = pd.DataFrame({c: pd.Series(dtype="object") for c in ("facility_code", "period", "output_t")})
    submissions = pd.DataFrame(
        {c: pd.Series(dtype="object") for c in ("facility_code", "period", "status", "submitted_at")}
    )
    facilities = pd.DataFrame(
        {c: pd.Series(dtype="object") for c in ("facility_code", "status", "commissioning_year", "retired_on")}
    )
    return facts, submissions, facilities
