"""Recompute on SQLite and PostgreSQL: a month saved before its grid factor is published waits, with who
publishes the factor and when it is expected; entering the value (services.recompute.enter_parameter)
recomputes it with no other action; a superseding value adds a second result whose difference the
history explains; the provisional figure is shown, never stored; only an administrator enters or
recomputes, refused before anything is read or written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import AccessDenied
from carbonpeak.services import access, intake, recompute
from carbonpeak.services.month_results import month_results
from carbonpeak.store import db
from carbonpeak.store.models import Fact, Job, ParameterValue, Result, Submission, SubmissionVersion
from tests.services.conftest import ADMIN, person

MONTH = {"output_t": 10000, "grid_electricity_mwh": 130000, "electrolysis_ac_mwh": 128000}
FACTOR_2024 = {  # the national location-based factor of data year 2024: applies to 2026 (Y-2)
    "key.data_year": "2024",
    "key.region": "china",
    "key.basis": "location",
    "value": "0.5200",
    "unit": "tCO2/MWh",
    "confidence": "high",
    "document": "关于发布2024年电力二氧化碳排放因子的公告（测试引用）",
    "issuer": "生态环境部、国家统计局",
    "number": "测试第1号",
    "published": "2026-12-31",
}


def save(url: str, period: str) -> None:
    with db.transaction(url) as session:
        reporter = person(session, f"e1-{period}", access.ENTERPRISE, enterprise="E1")
        intake.save_month(session, reporter, "AL1", period, dict(MONTH))


def version_of(url: str, period: str) -> tuple[dict[str, Any] | None, int, int | None]:
    """(waiting, number of results, the fact's result id) of the month's latest version."""
    with db.transaction(url, mode="read") as session:
        version = session.scalars(
            select(SubmissionVersion)
            .join(Submission, Submission.id == SubmissionVersion.submission_id)
            .where(Submission.period == period)
            .order_by(SubmissionVersion.id.desc())
        ).first()
        assert version is not None
        results = session.scalar(select(func.count(Result.id)).where(Result.version_id == version.id)) or 0
        fact = session.scalar(select(Fact.result_id).where(Fact.version_id == version.id))
        return version.waiting, int(results), fact


def enter(url: str, data: dict[str, str]) -> int:
    with db.transaction(url) as session:
        entered = recompute.enter_parameter(session, ADMIN, "electricity.grid_factor", data)
        assert entered.job.status == "queued" and entered.job.kind == "recompute"
        return entered.job.id


def test_a_month_waits_with_who_publishes_the_factor_and_when(province: str) -> None:
    save(province, "2026-03")
    waiting, results, fact = version_of(province, "2026-03")
    assert results == 0 and fact is None and waiting is not None
    assert waiting["missing"] == {
        "family": "electricity.grid_factor",
        "key": {"data_year": 2024, "region": "china", "basis": "location"},
        "day": None,
        "edition": None,
    }
    with db.transaction(province, mode="read") as session:
        month = month_results(session, ADMIN, "AL1", "2026-03")
    assert month is not None and month.waiting is not None
    zh, en = month.waiting.text("zh"), month.waiting.text("en")
    assert "电力二氧化碳排放因子" in zh and "2024年度" in zh and "发布机构：生态环境部、国家统计局" in zh
    assert "2023年度 2025-12-31" in zh  # when earlier years came out, from the parameter file
    assert "data year 2024" in en and "Ministry of Ecology and Environment (MEE) and National Bureau" in en
    assert "electricity.grid_factor" not in zh + en and "data_year" not in zh + en


def test_entering_the_value_recomputes_the_waiting_month_and_records_progress(province: str) -> None:
    save(province, "2026-03")
    save(province, "2025-03")  # has its result (2023 factor): not touched by the 2024 value
    job_id = enter(province, FACTOR_2024)
    moves: list[tuple[int, int]] = []
    summary = recompute.run_job(province, job_id, lambda done, total: moves.append((done, total)))
    assert summary is not None and (summary.months, summary.added, summary.resolved, summary.waiting) == (1, 1, 1, 0)
    assert moves[0] == (0, 1) and moves[-1] == (1, 1)
    waiting, results, fact = version_of(province, "2026-03")
    assert waiting is None and results == 1 and fact is not None
    with db.transaction(province, mode="read") as session:
        job = session.get(Job, job_id)
        assert job is not None and (job.status, job.total, job.done) == ("done", 1, 1)
        assert job.started_at is not None and job.finished_at is not None
        assert job.detail["summary"]["changed"][0]["facility"] == "AL1"
        assert job.detail["scope"]["key"] == {"data_year": 2024, "region": "china", "basis": "location"}
        result = session.scalar(select(Result).where(Result.id == fact))
        assert result is not None  # 130,000 MWh at 0.52 (location) is in the total
        assert result.values["electricity_location_tco2"] == pytest.approx(130000 * 0.52)
    assert recompute.run_job(province, job_id) is None  # a job runs once


def test_a_superseding_value_adds_a_result_and_the_history_says_why(province: str) -> None:
    save(province, "2025-03")  # uses the 2023 national factor 0.5306
    corrected = {**FACTOR_2024, "key.data_year": "2023", "value": "0.5400", "reason": "测试：2023年度因子更正"}
    recompute.run_job(province, enter(province, corrected))
    _waiting, results, _fact = version_of(province, "2025-03")
    assert results == 2
    with db.transaction(province, mode="read") as session:
        month = month_results(session, ADMIN, "AL1", "2025-03")
    assert month is not None and month.waiting is None and month.provisional is None
    first, second = month.history
    assert first.changes == [] and second.result.total_location_tco2e > first.result.total_location_tco2e
    (change,) = [c for c in second.changes if "基于位置" in c.label.text("zh")]
    assert change.before == pytest.approx(0.5306) and change.after == pytest.approx(0.54)
    assert "测试第1号" in change.source and "2023" not in change.label.text("zh")  # the year is not a key word
    assert second.result.total_location_tco2e - first.result.total_location_tco2e == pytest.approx(
        130000 * (0.54 - 0.5306)
    )


def test_the_provisional_figure_is_shown_and_never_stored(province: str) -> None:
    save(province, "2026-03")
    with db.transaction(province, mode="read") as session:
        month = month_results(session, ADMIN, "AL1", "2026-03")
    assert month is not None and month.provisional is not None
    shown = month.provisional
    (used,) = shown.used
    assert "2023年度" in used.text("zh") and "0.5306" in used.text("zh") and "2024年度" in used.text("zh")
    assert "data year 2023" in used.text("en")
    assert shown.values["total_location_tco2e"] > 130000 * 0.5306  # electricity at the 2023 factor, and more
    _waiting, results, fact = version_of(province, "2026-03")
    assert results == 0 and fact is None  # read, not kept


@pytest.mark.parametrize("role", [access.ENTERPRISE, access.PROVINCE, access.VERIFIER, access.CITY])
def test_only_an_administrator_enters_or_recomputes(province: str, role: str) -> None:
    save(province, "2026-03")
    with db.transaction(province) as session:
        who = person(session, f"p-{role}", role, region="SX", enterprise="E1" if role == access.ENTERPRISE else None)
    with pytest.raises(AccessDenied), db.transaction(province) as session:
        recompute.enter_parameter(session, who, "no.such_family", FACTOR_2024)  # refused before the family is read
    with pytest.raises(AccessDenied), db.transaction(province) as session:
        recompute.start_recompute(session, who, "electricity.grid_factor")
    with pytest.raises(AccessDenied), db.transaction(province) as session:
        recompute.job_of(session, who, 1)
    with db.transaction(province, mode="read") as session:
        assert session.scalar(select(func.count(ParameterValue.id))) == 0
        assert session.scalar(select(func.count(Job.id))) == 0


def test_the_button_recomputes_a_family_and_a_failed_entry_queues_nothing(province: str) -> None:
    with pytest.raises(Exception, match="value"), db.transaction(province) as session:
        recompute.enter_parameter(session, ADMIN, "electricity.grid_factor", {**FACTOR_2024, "value": "lots"})
    with db.transaction(province, mode="read") as session:
        assert session.scalar(select(func.count(Job.id))) == 0  # the value and its job: both, or neither
    save(province, "2025-03")
    with db.transaction(province) as session:
        job_id = recompute.start_recompute(session, ADMIN, "electricity.grid_factor").id
    summary = recompute.run_job(province, job_id)
    assert summary is not None and (summary.months, summary.added) == (1, 0)  # same values: no new result


def test_a_month_saved_without_a_reason_is_recomputed_too(province: str) -> None:
    """A month stored before reasons were kept (no result, no ``waiting``) is picked up by the value's job."""
    from sqlalchemy import update

    save(province, "2026-03")
    with db.transaction(province) as session:
        session.execute(update(SubmissionVersion).values(waiting=None).execution_options(synchronize_session=False))
    summary = recompute.run_job(province, enter(province, FACTOR_2024))
    assert summary is not None and (summary.months, summary.resolved) == (1, 1)
