"""The verification step through the pages and /api/v1, on the demo province: the verifier's queue (names,
plausibility warnings, explanation, unit consumption and its change, filters), batch verify and return,
the month page's opinion and return forms, the enterprise's 退回修改 notice and returned months first, and
the same refusal for a month outside the verifier's assignment as for one that does not exist."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webhelpers import TOKENS, client, count_rows, post, token_of

from carbonpeak import messages
from carbonpeak.store import db
from carbonpeak.store import repository as repo

OPINION = "电量与供电结算单一致"
REASON = "十一月电解交流电量与结算单不符，请核对"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def status_of(url: str, facility: str, period: str) -> str:
    with db.transaction(url) as session:
        return repo.versions_of(session, facility, period)[-1].status


def test_the_queue_shows_names_unit_consumption_and_filters(clients: dict[str, TestClient]) -> None:
    verifier = clients["verifier"]
    page = verifier.get("/verification")
    assert page.status_code == 200
    html = page.text
    # enterprise and facility names, not codes only (the verifier is assigned E01 and E02)
    assert "示范丁市铝业股份有限公司" in html and "示范丁市铝业350kA电解系列" in html
    assert "示范丙市能源铝业有限公司" in html
    row = html.split('data-month="AL03@2025-10"', 1)[1].split("</tr>", 1)[0]
    assert "已报送" in row and "铝液交流电耗" in row and "kWh/t" in row and 'name="month"' in row
    assert re.search(r"[+-]?\d+(\.\d)?\s?%", text_of(row.split('data-testid="change"', 1)[1])), row
    assert "AO01" not in html and "XF01" not in html  # outside the assignment
    # the other sectors: comprehensive energy per tonne
    assert "单位产品综合能耗" in html.split('data-month="RA05@2025-10"', 1)[1].split("</tr>", 1)[0]
    # filters: enterprise, month, status, flagged only
    e02 = verifier.get("/verification?enterprise=E02&period=2025-11").text
    assert 'data-month="AL03@2025-11"' in e02 and 'data-month="AL01@2025-11"' not in e02
    assert 'data-month="AL03@2025-10"' not in e02
    verified = verifier.get("/verification?status=verified&enterprise=E02").text
    assert 'data-month="AL03@2025-09"' in verified and 'name="month"' not in verified  # nothing to choose
    flagged = verifier.get("/verification?flagged=1").text  # the demo months carry no warnings
    assert "data-month=" not in flagged and "没有待核查的数据。" in flagged
    # only verifiers (and administrators) have the queue
    assert clients["enterprise"].get("/verification").status_code == 403
    assert clients["province"].get("/verification").status_code == 403
    assert clients["verifier"].get("/", follow_redirects=False).headers["location"] == "/verification"


def test_flags_and_explanation_are_shown_from_the_catalog(
    fresh_app: Any, fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        messages.catalog(),
        "plausibility.ac_power_range",
        {"zh": "铝液交流电耗 {value} kWh/t 超出 {low}–{high}", "en": "AC power {value} kWh/t outside {low}–{high}"},
    )
    flag = {
        "rule": "ac_power_range",
        "code": "plausibility.ac_power_range",
        "severity": "warning",
        "field": "electrolysis_ac_mwh",
        "params": {"value": 14100, "low": 12000, "high": 14000},
    }
    with db.transaction(fresh_url) as session:
        version = repo.versions_of(session, "AL03", "2025-11")[-1]
        version.flags = [flag]
        version.record = {**version.record, "explanation": "十一月启动新槽，电耗偏高"}
    verifier = client(fresh_app, "verifier")
    page = verifier.get("/verification?flagged=1").text
    assert re.findall(r'data-month="([^"]+)"', page) == ["AL03@2025-11"]
    row = page.split('data-month="AL03@2025-11"', 1)[1].split("</tr>", 1)[0]
    assert "铝液交流电耗 14100 kWh/t 超出 12000–14000" in row and "十一月启动新槽，电耗偏高" in row
    assert "rule" not in row and "plausibility." not in row  # no codes or keys at the decision
    month = verifier.get("/submissions/AL03/2025-11").text
    assert "铝液交流电耗 14100 kWh/t 超出 12000–14000" in month and "十一月启动新槽，电耗偏高" in month
    english = verifier.get("/verification?flagged=1&lang=en").text
    assert "AC power 14100 kWh/t outside 12000–14000" in english


def test_batch_verify_and_return_all_or_none(fresh_app: Any, fresh_url: str) -> None:
    verifier = client(fresh_app, "verifier")
    csrf = token_of(verifier, "/verification")
    audit = count_rows(fresh_url, "audit_event")
    months = ["AL03@2025-10", "AL04@2025-10", "AL03@2025-09"]  # the last one is verified already
    refused = verifier.post(
        "/verification/verify", data={"csrf_token": csrf, "month": months, "opinion": OPINION}, follow_redirects=False
    )
    assert refused.status_code == 409 and "只有“已报送”的版本才能变为“已核查”" in refused.text
    assert OPINION in refused.text  # the opinion stays in the form
    no_opinion = verifier.post(
        "/verification/verify", data={"csrf_token": csrf, "month": months[:2], "opinion": " "}, follow_redirects=False
    )
    assert no_opinion.status_code == 422 and "核查须填写核查意见" in no_opinion.text
    assert count_rows(fresh_url, "audit_event") == audit
    assert status_of(fresh_url, "AL03", "2025-10") == status_of(fresh_url, "AL04", "2025-10") == "submitted"

    done = verifier.post(
        "/verification/verify",
        data={"csrf_token": csrf, "month": months[:2], "opinion": OPINION, "enterprise": "E02"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/verification?enterprise=E02"
    assert "已核查 2 个月份" in verifier.get("/verification").text
    assert status_of(fresh_url, "AL03", "2025-10") == status_of(fresh_url, "AL04", "2025-10") == "verified"
    returned = verifier.post(
        "/verification/return",
        data={"csrf_token": csrf, "month": ["AL03@2025-11", "RA05@2025-11"], "reason": REASON},
        follow_redirects=False,
    )
    assert returned.status_code == 303
    assert status_of(fresh_url, "AL03", "2025-11") == status_of(fresh_url, "RA05", "2025-11") == "returned"
    assert count_rows(fresh_url, "audit_event") == audit + 4
    # the enterprise sees the returned months first on its reporting page, with the reason
    reporting = client(fresh_app, "enterprise").get("/reporting").text
    assert reporting.index('data-testid="returned-months"') < reporting.index('data-testid="upload-form"')
    card = reporting.split('data-testid="returned-months"', 1)[1].split("</table>", 1)[0]
    assert 'data-month="AL03@2025-11"' in card and 'data-month="RA05@2025-11"' in card and REASON in card


def test_the_month_page_verifies_with_an_opinion_and_returns_with_a_reason(fresh_app: Any, fresh_url: str) -> None:
    verifier, enterprise = client(fresh_app, "verifier"), client(fresh_app, "enterprise")
    page = verifier.get("/submissions/AL03/2025-12").text
    assert 'data-testid="verify-card"' in page and 'data-testid="step-return"' in page
    assert 'data-testid="verify-card"' not in enterprise.get("/submissions/AL03/2025-12").text
    assert post(enterprise, "/submissions/AL03/2025-12/return", {"reason": REASON}).status_code == 403
    no_reason = post(verifier, "/submissions/AL03/2025-12/return", {"reason": ""})
    assert no_reason.status_code == 422 and "退回修改须填写原因" in no_reason.text
    assert post(verifier, "/submissions/AL03/2025-12/return", {"reason": REASON}).status_code == 303
    notice = enterprise.get("/submissions/AL03/2025-12").text
    assert 'data-testid="returned-notice"' in notice and REASON in notice and 'data-testid="answer-form"' in notice
    shown = verifier.get("/submissions/AL03/2025-12").text
    assert 'data-testid="answer-form"' not in shown and "企业以更正答复后重新报送" in shown
    audit = shown.split('data-testid="audit"', 1)[1]
    assert "退回修改" in audit and REASON in audit
    # verifying with an opinion: shown on the version and in the audit trail
    assert post(verifier, "/submissions/AL03/2025-10/verify", {"opinion": ""}).status_code == 422
    assert post(verifier, "/submissions/AL03/2025-10/verify", {"opinion": OPINION}).status_code == 303
    verified = enterprise.get("/submissions/AL03/2025-10").text
    assert 'data-testid="version-opinion"' in verified and OPINION in verified


def test_a_month_outside_the_assignment_is_refused_like_an_unknown_one(fresh_app: Any, fresh_url: str) -> None:
    verifier = client(fresh_app, "verifier")
    audit = count_rows(fresh_url, "audit_event")
    answers = []
    for path in (
        "/submissions/AO01/2025-12/verify",  # E05's line: not assigned to this verifier
        "/submissions/AL03/2031-01/verify",  # nobody reported that month
        "/submissions/NOPE/2025-12/verify",  # no such facility
        "/submissions/XF01/2024-03/return",  # another province's submitted month
    ):
        response = post(verifier, path, {"opinion": OPINION, "reason": REASON})
        assert response.status_code == 404, (path, response.status_code)
        message = text_of(response.text.split("<main", 1)[1]) if "<main" in response.text else response.text
        answers.append(re.sub(r"（[^）]*）", "", message))
    assert len(set(answers)) == 1 and "没有您可以处理的该月份数据" in answers[0]
    assert count_rows(fresh_url, "audit_event") == audit


def test_the_api_verifies_and_returns_with_opinion_or_reason(fresh_app: Any, fresh_url: str) -> None:
    api = TestClient(fresh_app)
    verifier = {"Authorization": f"Bearer {TOKENS['verifier']}"}
    enterprise = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    base = "/api/v1/submissions/AL03/2025-10"
    assert api.post(f"{base}/verify", headers=enterprise, json={"opinion": OPINION}).status_code == 403
    missing = api.post(f"{base}/verify", headers=verifier)
    assert missing.status_code == 422 and missing.json()["details"][0]["code"] == "submission.opinion_required"
    done = api.post(f"{base}/verify", headers=verifier, json={"opinion": OPINION})
    assert done.status_code == 200, done.text
    assert done.json() == {
        "facility": "AL03",
        "period": "2025-10",
        "version": 1,
        "status": "verified",
        "opinion": OPINION,
        "returned_reason": None,
    }
    again = api.post(f"{base}/return", headers=verifier, json={"reason": REASON})
    assert again.status_code == 409 and "只有“已报送”的版本才能变为“退回修改”" in again.json()["message"]
    foreign = api.post("/api/v1/submissions/AO01/2025-12/return", headers=verifier, json={"reason": REASON})
    unknown = api.post("/api/v1/submissions/AL03/2031-01/return", headers=verifier, json={"reason": REASON})
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["error"] == unknown.json()["error"]

    batch = api.post(
        "/api/v1/verification/return",
        headers=verifier,
        json={"months": [{"facility": "AL03", "period": "2025-11"}, {"facility": "AL04", "period": "2025-11"}]},
    )
    assert batch.status_code == 422  # no reason: nothing returned
    batch = api.post(
        "/api/v1/verification/return",
        headers=verifier,
        json={
            "months": [{"facility": "AL03", "period": "2025-11"}, {"facility": "AL04", "period": "2025-11"}],
            "reason": REASON,
        },
    )
    assert batch.status_code == 200 and [m["status"] for m in batch.json()] == ["returned", "returned"]
    detail = api.get("/api/v1/submissions/AL03/2025-11", headers=enterprise).json()
    assert detail["versions"][-1]["returned_reason"] == REASON and detail["versions"][-1]["returned_by"]
    assert detail["audit"][-1]["action"] == "return" and detail["audit"][-1]["note"] == REASON
    assert api.get(f"{base}", headers=enterprise).json()["versions"][-1]["opinion"] == OPINION

    queue = api.get("/api/v1/verification?enterprise=E02&status=returned", headers=verifier)
    assert queue.status_code == 200
    rows = queue.json()["rows"]
    assert {(r["facility"], r["period"]) for r in rows} == {("AL03", "2025-11"), ("AL04", "2025-11")}
    assert rows[0]["enterprise_name"] == "示范丁市铝业股份有限公司" and rows[0]["returned_reason"] == REASON
    assert rows[0]["measure"] == "ac_power_liquid_aluminium" and rows[0]["unit"] == "kWh/t"
    assert rows[0]["unit_consumption"] > 10000  # a demo potline: about 13,000 kWh/t
    assert api.get("/api/v1/verification", headers=enterprise).status_code == 403


def test_the_demo_province_verifies_its_months_with_an_opinion(shared_url: str) -> None:
    with db.transaction(shared_url) as session:
        september = repo.versions_of(session, "AL03", "2025-09")[-1]
        assert september.status == "verified" and september.verified_at is not None
        assert september.opinion == messages.render("verification.demo_opinion", "zh") == "演示数据：自动核查"
        (verify,) = [a for a in repo.audit_trail(session, "AL03@2025-09") if a.action == "verify"]
        assert verify.after == {"version": 1, "status": "verified", "opinion": "演示数据：自动核查"}
