"""The verification step as use cases, on SQLite and PostgreSQL: verifying needs an opinion and a result,
a verifier returns a month with a reason, the enterprise answers with a correction and submits again, batches
move all months or none, access is asked first (a month outside a verifier's assignment is refused exactly
like one that does not exist), and every step is in the audit log with its opinion or reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.services import access, intake, verification
from carbonpeak.services import registry as reg
from carbonpeak.services import submissions as workflow
from carbonpeak.services.access import Principal
from carbonpeak.store import db, service
from carbonpeak.store import repository as repo
from carbonpeak.store.accounts import User, VerifierAssignment
from carbonpeak.store.models import AuditEvent, Enterprise, SubmissionVersion
from tests.services.conftest import ADMIN, person
from tests.store.conftest import uscc

MONTH = {
    "facility_id": "AL1",
    "sector": "electrolytic_aluminium",
    "region": "shaanxi",
    "output_t": 10000.0,
    "grid_electricity_mwh": 130000.0,
    "electrolysis_ac_mwh": 128000.0,
}
OPINION = "电量与供电结算单一致，产量与过磅记录一致"
REASON = "二月电解交流电量与结算单不符，请核对后更正"


@pytest.fixture
def two(province: str) -> Iterator[str]:
    """The province of tests/services/conftest.py with a second enterprise E2 (copper line CU2 in BJ)."""
    with db.transaction(province) as session:
        reg.add_enterprise(
            session, ADMIN, {"enterprise_code": "E2", "name_zh": "乙铜业", "uscc": uscc("E2"), "region_code": "BJ"}
        )
        reg.add_facility(
            session,
            ADMIN,
            {
                "facility_code": "CU2",
                "enterprise_code": "E2",
                "name_zh": "乙铜冶炼",
                "region_code": "BJ",
                "sector": "copper",
                "capacity_t_per_a": 100000,
            },
        )
    yield province


def verifier(session: Session, username: str, *enterprises: str) -> Principal:
    """A verifier assigned ``enterprises`` (resolved as the web resolves a signed-in verifier)."""
    user = User(username=username, display_name=username, role="verifier", password_hash="x")
    session.add(user)
    session.flush()
    for code in enterprises:
        enterprise_id = session.scalar(select(Enterprise.id).where(Enterprise.code == code))
        session.add(VerifierAssignment(user_id=user.id, enterprise_id=enterprise_id, assigned_by="test"))
    session.flush()
    return access.principal_for(session, user)


def month(
    url: str, period: str, *, status: str = "submitted", result: bool = True, facility: str = "AL1", **changes: Any
) -> None:
    """A month saved (with its result, unless ``result`` is False) and moved to ``status``."""
    record = {k: v for k, v in {**MONTH, "period": period, **changes}.items() if v is not None}
    if facility != "AL1":
        record.update(facility_id=facility)
    with db.transaction(url) as session:
        row = repo.facilities_by_code(session, [facility])[facility]
        version = repo.save_version(session, row, period, record, "enterprise:test")
        if result:
            service.compute_results(session, [version], "enterprise:test")
        if status != "draft":
            repo.transition_many(session, [version], "submitted", "enterprise:test")


def latest(url: str, period: str, facility: str = "AL1") -> SubmissionVersion:
    with db.transaction(url) as session:
        version = repo.versions_of(session, facility, period)[-1]
        session.expunge(version)
        return version


def trail(url: str, key: str) -> list[tuple[str, dict[str, Any] | None]]:
    with db.transaction(url) as session:
        return [(a.action, a.after) for a in repo.audit_trail(session, key)]


def audit_count(url: str) -> int:
    with db.transaction(url) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_verifying_needs_an_opinion_and_records_it(two: str) -> None:
    month(two, "2025-01")
    for missing in ("", "   ", None):
        with pytest.raises(ValidationFailed) as refused, db.transaction(two) as session:
            workflow.verify(session, verifier(session, f"v{len(str(missing))}", "E1"), [("AL1", "2025-01")], missing)
        assert [e.code for e in refused.value.errors] == ["submission.opinion_required"]
        assert refused.value.errors[0].text("zh") == "字段“核查意见”：核查须填写核查意见"
    with pytest.raises(ValidationFailed) as long, db.transaction(two) as session:
        workflow.verify(session, verifier(session, "vlong", "E1"), [("AL1", "2025-01")], "很" * 2001)
    assert [(e.code, e.params) for e in long.value.errors] == [("limits.too_long", {"limit": 2000, "length": 2001})]
    assert latest(two, "2025-01").status == "submitted"

    with db.transaction(two) as session:
        (done,) = workflow.verify(session, verifier(session, "v1", "E1"), [("AL1", "2025-01")], f"  {OPINION} ")
        assert done.status == "verified"
    stored = latest(two, "2025-01")
    assert (stored.status, stored.opinion, stored.verified_by) == ("verified", OPINION, "web:v1")
    assert stored.verified_at is not None
    action, after = trail(two, "AL1@2025-01")[-1]
    assert action == "verify" and after == {"version": 1, "status": "verified", "opinion": OPINION}


def test_a_month_without_a_result_cannot_be_verified(two: str) -> None:
    month(two, "2025-01", result=False)
    before = audit_count(two)
    with pytest.raises(InputError) as refused, db.transaction(two) as session:
        workflow.verify(session, verifier(session, "v1", "E1"), [("AL1", "2025-01")], OPINION)
    assert refused.value.code == "submission.no_result" and refused.value.record == "AL1@2025-01"
    assert refused.value.message_text("zh") == "第 1 版尚无核算结果，不能核查；待结果算出后再核查"
    # when the month says why it waits (the parameter missing), the refusal says it too
    with db.transaction(two) as session:
        version = repo.versions_of(session, "AL1", "2025-01")[-1]
        version.waiting = {
            "code": "intake.results_pending",
            "params": {"year": 2025, "count": 1, "parameter": "electricity.grid_factor"},
        }
    with pytest.raises(InputError) as waiting, db.transaction(two) as session:
        workflow.verify(session, verifier(session, "v2", "E1"), [("AL1", "2025-01")], OPINION)
    assert waiting.value.code == "submission.no_result_waiting"
    assert "electricity.grid_factor" in waiting.value.message_text("zh")
    assert latest(two, "2025-01").status == "submitted" and audit_count(two) == before
    # once its result is computed, the same month can be verified
    with db.transaction(two) as session:
        service.compute_results(session, repo.versions_of(session, "AL1", "2025-01"), "test")
    with db.transaction(two) as session:
        workflow.verify(session, verifier(session, "v3", "E1"), [("AL1", "2025-01")], OPINION)
    assert latest(two, "2025-01").status == "verified"


def test_return_answer_with_a_correction_submit_again_and_verify(two: str) -> None:
    month(two, "2025-02")
    with db.transaction(two) as session:
        with pytest.raises(ValidationFailed) as no_reason:
            workflow.return_months(session, verifier(session, "v0", "E1"), [("AL1", "2025-02")], " ")
        assert [e.code for e in no_reason.value.errors] == ["submission.return_reason_required"]
    with db.transaction(two) as session:
        (returned,) = workflow.return_months(session, verifier(session, "v1", "E1"), [("AL1", "2025-02")], REASON)
        assert returned.status == "returned"
    first = latest(two, "2025-02")
    assert (first.status, first.returned_by, first.returned_reason) == ("returned", "web:v1", REASON)
    assert first.returned_at is not None and first.opinion is None
    # a returned month is neither verified nor returned again
    for act in (workflow.verify, workflow.return_months):
        with pytest.raises(InputError) as refused, db.transaction(two) as session:
            act(session, verifier(session, f"v-{act.__name__}", "E1"), [("AL1", "2025-02")], OPINION)
        assert refused.value.code == "submission.step_refused"
        assert "退回修改" in refused.value.message_text("zh")

    values = {**MONTH, "period": "2025-02", "electrolysis_ac_mwh": 127500.0}
    with db.transaction(two) as session:
        enterprise = person(session, "e1", "enterprise", enterprise="E1")
        # the enterprise answers with a correction, not with a plain new version
        with pytest.raises(ValidationFailed) as plain:
            intake.save_month(session, enterprise, "AL1", "2025-02", values)
        assert [e.code for e in plain.value.errors] == ["intake.month_returned"]
    answer = "已按供电结算单更正电解交流电量"
    with db.transaction(two) as session:
        enterprise = person(session, "e1b", "enterprise", enterprise="E1")
        corrected = intake.correct(session, enterprise, "AL1", "2025-02", answer, values=values)
        assert corrected.versions == [("AL1", "2025-02", 2)] and corrected.results == 1
        workflow.step(session, enterprise, [("AL1", "2025-02")], "submitted")
    second = latest(two, "2025-02")
    assert (second.version, second.status, second.reason) == (2, "submitted", answer)
    assert second.record["electrolysis_ac_mwh"] == 127500.0
    with db.transaction(two) as session:
        workflow.verify(session, verifier(session, "v2", "E1"), [("AL1", "2025-02")], OPINION)
    with db.transaction(two) as session:
        versions = repo.versions_of(session, "AL1", "2025-02")
        assert [(v.version, v.status) for v in versions] == [(1, "returned"), (2, "verified")]
        assert versions[0].returned_reason == REASON and versions[1].opinion == OPINION
    steps = trail(two, "AL1@2025-02")
    assert [a for a, _ in steps] == ["save", "submit", "return", "correct", "submit", "verify"]
    assert steps[2][1] == {"version": 1, "status": "returned", "reason": REASON}
    assert steps[3][1] is not None and steps[3][1]["reason"] == answer
    assert steps[5][1] == {"version": 2, "status": "verified", "opinion": OPINION}


def test_a_batch_moves_every_month_or_none(two: str) -> None:
    for period in ("2025-01", "2025-02", "2025-03"):
        month(two, period)
    month(two, "2025-04", status="draft")
    before = audit_count(two)
    chosen = [("AL1", "2025-01"), ("AL1", "2025-02"), ("AL1", "2025-04")]
    with pytest.raises(InputError) as refused, db.transaction(two) as session:
        workflow.verify(session, verifier(session, "v0", "E1"), chosen, OPINION)
    assert refused.value.code == "submission.step_refused" and refused.value.record == "AL1@2025-04"
    with pytest.raises(NotFound), db.transaction(two) as session:  # one month nobody reported: none move
        workflow.return_months(session, verifier(session, "v1", "E1"), [("AL1", "2025-01"), ("AL1", "2031-01")], REASON)
    assert [latest(two, p).status for p in ("2025-01", "2025-02", "2025-03")] == ["submitted"] * 3
    assert audit_count(two) == before

    with db.transaction(two) as session:
        who = verifier(session, "v2", "E1")
        done = workflow.verify(session, who, [("AL1", "2025-01"), ("AL1", "2025-02"), ("AL1", "2025-01")], OPINION)
        assert [v.status for v in done] == ["verified", "verified"]  # a month chosen twice moves once
        workflow.return_months(session, who, [("AL1", "2025-03")], REASON)
    assert [(v.status, v.opinion) for v in (latest(two, "2025-01"), latest(two, "2025-02"))] == [
        ("verified", OPINION),
        ("verified", OPINION),
    ]
    assert latest(two, "2025-03").returned_reason == REASON
    assert audit_count(two) == before + 3


def test_access_first_and_an_unassigned_month_is_refused_like_an_unknown_one(two: str) -> None:
    month(two, "2025-01")
    before = audit_count(two)
    with db.transaction(two) as session:
        for role, region in (("enterprise", None), ("city_regulator", "XA"), ("province_regulator", "SX")):
            someone = person(session, f"p-{role}", role, region, "E1" if role == "enterprise" else None)
            for act in (workflow.verify, workflow.return_months):
                with pytest.raises(AccessDenied):
                    act(session, someone, [("AL1", "2025-01")], OPINION)
        elsewhere = verifier(session, "v-e2", "E2")  # assigned E2, not E1
        assigned = verifier(session, "v-e1", "E1")
        answers = []
        for who, code, period in (
            (elsewhere, "AL1", "2025-01"),  # a real month outside the verifier's assignment
            (assigned, "AL1", "2031-01"),  # a month nobody reported
            (assigned, "NOPE", "2025-01"),  # a facility that does not exist
            (assigned, "CU2", "2025-01"),  # another enterprise's facility
        ):
            for act in (workflow.verify, workflow.return_months):
                with pytest.raises(NotFound) as refused:
                    act(session, who, [(code, period)], "")  # refused before the missing text is noticed
                error = refused.value
                answers.append((type(error), error.code, error.text("zh").replace(code, "F").replace(period, "P")))
        assert len(set(answers)) == 1, answers
        assert answers[0][1] == "submission.no_such_month"
        assert answers[0][2] == "没有您可以处理的该月份数据（F，P）"
    assert latest(two, "2025-01").status == "submitted" and audit_count(two) == before


def test_the_queue_shows_names_flags_explanation_and_unit_consumption(
    two: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        messages.catalog(),
        "plausibility.ac_power_range",
        {"zh": "铝液交流电耗 {value} kWh/t 超出 {low}–{high}", "en": "AC power {value} kWh/t outside {low}–{high}"},
    )
    month(two, "2025-01", status="draft")  # the month before: a draft still gives the comparison
    month(two, "2025-02", electrolysis_ac_mwh=130000.0)
    month(two, "2025-03", output_t=0.0, electrolysis_ac_mwh=0.0)  # idle: no unit consumption, no error
    copper = {"sector": "copper", "output_t": 5000.0, "grid_electricity_mwh": 3000.0}
    copper.update(fuels=[{"fuel": "natural_gas", "amount": 50.0}], electrolysis_ac_mwh=None)
    month(two, "2025-02", facility="CU2", **copper)
    flags = [
        {
            "rule": "ac_power_range",
            "code": "plausibility.ac_power_range",
            "severity": "warning",
            "field": "electrolysis_ac_mwh",
            "params": {"value": 13000, "low": 12000, "high": 12900},
        },
        {"rule": "retired_rule", "code": "plausibility.retired_rule", "severity": "warning", "field": "output_t"},
    ]
    with db.transaction(two) as session:  # as the plausibility gate saves them: its warnings, the explanation
        february = repo.versions_of(session, "AL1", "2025-02")[-1]
        february.flags = flags
        february.record = {**february.record, "explanation": "二月电解槽大修后启槽，电耗偏高"}

    with db.transaction(two) as session:
        with pytest.raises(AccessDenied):
            verification.queue(session, person(session, "e1", "enterprise", enterprise="E1"))
        mine = verifier(session, "v1", "E1")
        found = verification.queue(session, mine)
        assert [(r.facility.code, r.period, r.version.status) for r in found.rows] == [
            ("AL1", "2025-02", "submitted"),
            ("AL1", "2025-03", "submitted"),
        ]
        assert (found.total, found.flagged, [e.code for e in found.enterprises]) == (2, 1, ["E1"])
        february, march = found.rows
        assert (february.enterprise.name_zh, february.facility.name_zh) == ("甲铝业", "电解一厂")
        assert [m.text("zh") for m in february.flags] == [
            "铝液交流电耗 13000 kWh/t 超出 12000–12900",
            "“产品产量”有一项合理性提示",
        ]
        assert february.explanation == "二月电解槽大修后启槽，电耗偏高"
        assert (february.measure.code, february.measure.unit) == ("ac_power_liquid_aluminium", "kWh/t")
        assert february.value == pytest.approx(13000.0) and february.previous == pytest.approx(12800.0)
        assert february.change_pct == pytest.approx(1.5625) and february.actionable and february.has_result
        assert (march.value, march.change_pct, march.flags, march.explanation) == (None, None, [], None)

        assert [r.period for r in verification.queue(session, mine, flagged_only=True).rows] == ["2025-02"]
        assert [r.period for r in verification.queue(session, mine, period="2025-03").rows] == ["2025-03"]
        assert verification.queue(session, mine, status="draft").rows[0].period == "2025-01"
        assert verification.queue(session, mine, enterprise="E2").rows == []  # not assigned: nothing
        with pytest.raises(InputError) as unknown:
            verification.queue(session, mine, status="approved")
        assert unknown.value.code == "verification.unknown_status"

        both = verifier(session, "v2", "E1", "E2")
        (cu,) = verification.queue(session, both, enterprise="E2").rows
        assert (cu.enterprise.name_zh, cu.measure.code, cu.measure.unit) == ("乙铜业", "comprehensive_energy", "kgce/t")
        (result,) = repo.results_of(session, cu.version)
        assert result.energy_tce > 0 and cu.value == pytest.approx(result.energy_tce * 1000 / 5000.0)
        assert cu.previous is None and cu.change_pct is None
