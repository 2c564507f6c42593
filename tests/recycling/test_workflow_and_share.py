"""The ledger's verification (the monthly workflow: verify with an opinion, return with a reason, lock), the
recycled content with its method, the flows, and the regional share on both bases with hand-checked numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.services import recycling as intake
from carbonpeak.services import recycling_reads as reads
from carbonpeak.services import recycling_share as share
from carbonpeak.services import recycling_steps as steps
from carbonpeak.services import statistics as stats
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent
from carbonpeak.store.recycling.models import RecycledShare
from tests.recycling.conftest import ADMIN, LOTS, enterprise_user, person, verifier, workbook

OPINION = "过磅单与台账一致"
MONTH = ("RA1", "2025-01")


def _submitted(url: str) -> None:
    with db.transaction(url) as session:
        intake.import_file(session, enterprise_user(session), workbook(), "台账.xlsx", submit=True)


def test_verify_lock_and_the_refusals_of_the_monthly_workflow(url: str) -> None:
    _submitted(url)
    with db.transaction(url) as session:
        other = verifier(session, "v2", "E2")
        with pytest.raises(NotFound) as hidden:
            steps.step(session, other, [MONTH], "verified", note=OPINION)
        with pytest.raises(NotFound) as unknown:
            steps.step(session, other, [("RA9", "2025-01")], "verified", note=OPINION)
        assert hidden.value.code == unknown.value.code == "submission.no_such_month"
        with pytest.raises(AccessDenied):
            steps.step(session, enterprise_user(session), [MONTH], "verified", note=OPINION)
        mine = verifier(session, "v1", "E1")
        with pytest.raises(ValidationFailed) as no_opinion:
            steps.step(session, mine, [MONTH], "verified", note="  ")
        assert no_opinion.value.errors[0].code == "submission.opinion_required"
        (done,) = steps.step(session, mine, [MONTH], "verified", note=OPINION)
        assert (done.status, done.opinion, done.verified_by) == ("verified", OPINION, mine.actor)
        with pytest.raises(InputError) as refused:
            steps.step(session, mine, [MONTH], "returned", note="再核对")
        assert refused.value.code == "submission.step_refused"
        (locked,) = steps.step(session, mine, [MONTH], "locked")
        assert locked.status == "locked" and locked.locked_at is not None
    with db.transaction(url, mode="read") as session:
        actions = [a.action for a in session.scalars(select(AuditEvent).where(AuditEvent.entity == "scrap_ledger"))]
    assert actions == ["create", "submit", "verify", "lock"]


def test_returned_then_corrected_and_submitted_again(url: str) -> None:
    _submitted(url)
    with db.transaction(url) as session:
        steps.step(session, verifier(session, "v1", "E1"), [MONTH], "returned", note="L2 报关单号与海关记录不符")
    fixed = [row[:] for row in LOTS]
    fixed[1][9] = "CD-002"
    with db.transaction(url) as session:
        with pytest.raises(ValidationFailed) as caught:  # a returned month takes only a correction
            intake.import_file(session, enterprise_user(session), workbook(fixed), "改.xlsx")
        assert caught.value.errors[0].code == "submission.period_returned"
    with db.transaction(url) as session:
        done = intake.import_file(
            session, enterprise_user(session), workbook(fixed), "改.xlsx", reason="更正报关单号", submit=True
        )
    assert done.versions == [("RA1", "2025-01", 2)] and done.submitted
    with db.transaction(url, mode="read") as session:
        history = reads.history(session, enterprise_user(session), *MONTH)
    assert [(v.version, v.status) for v in history] == [(1, "returned"), (2, "submitted")]
    assert history[0].returned_reason == "L2 报关单号与海关记录不符"


def _verified_ledger(url: str) -> None:
    _submitted(url)
    with db.transaction(url) as session:
        steps.step(session, verifier(session, "v1", "E1"), [MONTH], "verified", note=OPINION)


def test_recycled_content_travels_with_its_method(url: str) -> None:
    _verified_ledger(url)
    with db.transaction(url, mode="read") as session:
        (found,) = reads.contents(session, enterprise_user(session), 2025)
    content = found.content
    # pre-consumer 50 t × 0.80 = 40 t; post-consumer 100 t × 0.90 = 90 t; rework 10 t × 0.95 = 9.5 t left out of
    # both sides; other metal 10.5 t: 130 / (130 + 10.5) × 100 = 92.5267 %
    assert (content.pre_consumer_t, content.post_consumer_t, content.rework_t) == pytest.approx((40.0, 90.0, 9.5))
    assert content.charged_t == pytest.approx(140.5)
    assert content.content_pct == pytest.approx(92.52669, abs=1e-4)
    assert content.method == "iso14021_mass_share" and "ISO 14021" in content.clause
    with db.transaction(url, mode="read") as session:
        flows = reads.flows(session, enterprise_user(session), 2025)
    values = {(link["source"], link["target"]): link["value"] for link in flows["links"]}
    assert values == {
        ("废料经销商", "再生铝合金锭"): 90.0,
        ("产生消费前废料的制造企业", "再生铝合金锭"): 40.0,
        ("铸造车间", "再生铝合金锭"): 9.5,
        ("其他投入金属（原生金属、合金元素）", "再生铝合金锭"): 10.5,
    }


def _verified_month(url: str, facility: str, sector: str, output: float, **more: Any) -> None:
    record = {"facility_id": facility, "sector": sector, "region": "shaanxi", "period": "2025-01", "output_t": output}
    record.update(more)
    with db.transaction(url) as session:
        row = repo.facilities_by_code(session, [facility])[facility]
        version = repo.save_version(session, row, "2025-01", record, "enterprise:test")
        for target in ("submitted", "verified"):
            repo.transition_many(session, [version], target, "v:test", note=OPINION if target == "verified" else None)


def _ten_metals(url: str, value_wan_t: float) -> None:
    with db.transaction(url) as session:
        stats.enter(
            session,
            ADMIN,
            {
                "region": "SX",
                "name": "nonferrous_ten_metals_output",
                "scope": "nonferrous",
                "year": 2025,
                "value": value_wan_t,
                "unit": "wan_t",
                "source": "测试省统计公报（测试数据）",
                "published_on": dt.date(2026, 3, 1),
            },
        )


def test_both_bases_with_hand_checked_numbers(url: str) -> None:
    _verified_month(url, "RA1", "recycled_aluminium", 3000.0)
    _verified_month(url, "RA2", "recycled_aluminium", 1000.0)
    _verified_month(url, "AL1", "electrolytic_aluminium", 10000.0, electrolysis_ac_mwh=130000.0)
    with db.transaction(url) as session:
        regulator = person(session, "reg", "province_regulator", region="SX")
        plan, industry = share.shares(session, regulator, "SX", 2025)
    # no ten-metal statistic yet: no plan figure, the gap named
    assert plan.share_pct is None and plan.numerator_t == 4000.0
    assert "recycling.gap.ten_metals_missing" in [g.code for g in plan.gaps]
    # industry basis: (3000 + 1000) / 10000 × 100 = 40 %
    assert (industry.numerator_t, industry.denominator_t, industry.share_pct) == (4000.0, 10000.0, 40.0)
    assert industry.numerator_source["months"] == 2 and industry.denominator_source["facilities"] == 1
    _ten_metals(url, 5.0)  # 5 万吨 = 50 000 t
    with db.transaction(url) as session:
        regulator = person(session, "reg2", "province_regulator", region="SX")
        plan, _industry = share.shares(session, regulator, "SX", 2025)
        rows = share.record(session, regulator, "SX", 2025)
    # plan basis: 4000 / 50000 × 100 = 8 %, against Shaanxi's ≥ 24 % (SN-01): not met
    assert (plan.denominator_t, plan.share_pct) == (50000.0, 8.0)
    assert plan.denominator_source["found"] and plan.denominator_source["version"] == 1
    assert [(t["id"], t["value"], t["met"]) for t in plan.targets] == [("SN-01", 24.0, False)]
    # one month of the year verified: the partial year is named, and so are the metals not reported here
    assert [g.code for g in plan.gaps] == ["recycling.gap.partial_year", "recycling.gap.lead_zinc_not_reported"]
    assert plan.gaps[0].params == {"facilities": 2, "months": 2}
    assert [(r.basis, r.numerator_t, r.denominator_t, r.share_pct) for r in rows] == [
        ("plan_ten_metals", 4000.0, 50000.0, 8.0),
        ("industry_primary_aluminium", 4000.0, 10000.0, 40.0),
    ]
    with db.transaction(url, mode="read") as session:
        assert session.scalar(select(RecycledShare.numerator_source).limit(1))["sectors"] == [
            "recycled_aluminium",
            "recycled_copper",
        ]


def test_shares_are_for_regulators_only(url: str) -> None:
    with db.transaction(url) as session:
        with pytest.raises((AccessDenied, NotFound)):
            share.shares(session, enterprise_user(session), "SX", 2025)
        with pytest.raises((AccessDenied, NotFound)):
            share.record(session, verifier(session, "v1", "E1"), "SX", 2025)
