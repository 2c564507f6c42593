"""The recycled-metal pages and API on the demonstration province: every role reads /recycling in Chinese within
its scope; an enterprise downloads the template and uploads (a bad file: every problem, nothing written; a good
one: saved); a verifier verifies; a regulator reads both share bases against the plan's target; refusals say
nothing about other enterprises."""

from __future__ import annotations

import io
from typing import Any

import pytest
from chinese_scan import latin_runs
from fastapi.testclient import TestClient
from webhelpers import client, count_rows, make_app, post, token_of

from tests.recycling.conftest import LOT_HEAD, OUT_HEAD


def _workbook(lots: list[list[Any]], outputs: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "废料进料"
    sheet.append(LOT_HEAD)
    for row in lots:
        sheet.append(row)
    out = book.create_sheet("产品产出")
    out.append(OUT_HEAD)
    for row in outputs:
        out.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


GOOD = (
    [
        [
            "RA05",
            "2024-06",
            "A1",
            "示范回收公司甲",
            "废料经销商",
            "贸易等级",
            "废铝型材",
            "消费后",
            "国内回收",
            "",
            "再生铝合金锭",
            1000,
            0.9,
            "",
        ],
        [
            "RA05",
            "2024-06",
            "A2",
            "示范制造企业丁",
            "产生消费前废料的制造企业",
            "trade",
            "边角料",
            "pre_consumer",
            "domestic",
            "",
            "再生铝合金锭",
            500,
            0.95,
            "",
        ],
    ],
    [["RA05", "2024-06", "再生铝合金锭", 1370, 10, 5, 2.5]],
)  # 900 + 475 + 10 = 1385 t in; 1370 + 5 + 2.5 = 1377.5 accounted: residual 0.54 %


def _upload(test_client: TestClient, content: bytes, name: str = "台账.xlsx", **form: str) -> Any:
    data = {"csrf_token": token_of(test_client, "/recycling"), **form}
    return test_client.post("/recycling/upload", data=data, files={"file": (name, content)}, follow_redirects=False)


@pytest.mark.parametrize("role", ["enterprise", "city", "province", "verifier", "admin"])
def test_every_role_reads_the_page_in_chinese(clients: dict[str, TestClient], role: str) -> None:
    page = clients[role].get("/recycling?year=2025")
    assert page.status_code == 200
    assert latin_runs(page.text) == []
    assert "再生铝与再生铜" in page.text
    if role == "enterprise":  # E02's casthouse RA05 only
        assert 'data-month="RA05@2025-01"' in page.text and "RA01@" not in page.text
        assert 'data-testid="recycling-shares"' not in page.text
    if role in ("province", "city", "admin"):
        assert 'data-testid="recycling-shares"' in page.text and "规划口径" in page.text and "行业口径" in page.text
    if role in ("enterprise", "province", "admin"):
        assert 'data-testid="chart-flows"' in page.text


def test_the_regulator_sees_the_plan_target_and_the_basis(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/recycling?year=2025").text
    assert "陕西省有色金属行业碳达峰实施方案" in page and "十种有色金属产量" in page
    api = clients["province"].get("/api/v1/recycling/shares?region=demo&year=2025")
    assert api.status_code == 200
    plan, industry = api.json()
    assert plan["basis"] == "plan_ten_metals" and plan["denominator_t"] == 2_750_000.0
    assert plan["share_pct"] == pytest.approx(plan["numerator_t"] / plan["denominator_t"] * 100)
    assert industry["share_pct"] == pytest.approx(industry["numerator_t"] / industry["denominator_t"] * 100)
    assert [t["id"] for t in plan["targets"]] == ["SN-01"]


def test_template_downloads(clients: dict[str, TestClient]) -> None:
    for lang in ("zh", "en"):
        got = clients["enterprise"].get(f"/recycling/template.xlsx?lang={lang}")
        assert got.status_code == 200 and got.content[:2] == b"PK"
    assert (
        clients["enterprise"]
        .get("/recycling/template.csv?table=outputs")
        .text.lstrip("\ufeff")
        .startswith("facility_id,period,product,output_t")
    )
    assert clients["province"].get("/recycling/template.xlsx").status_code == 403


def test_upload_bad_then_good_then_verify(fresh_url: str) -> None:
    app = make_app(fresh_url)
    enterprise = client(app, "enterprise")
    before = count_rows(fresh_url, "scrap_ledger_version")
    bad_lots = [row[:] for row in GOOD[0]]
    bad_lots[0][12] = 0  # a yield of zero
    bad_lots[1][4] = "垃圾场"
    bad_lots.append(["RA01", "2024-06", "X", "", "", "", "", "", "", "", "", "", "", ""])  # not E02's
    refused = _upload(enterprise, _workbook(bad_lots, GOOD[1]), "坏.xlsx")
    assert refused.status_code == 422
    assert (
        "数值超出允许范围" in refused.text and "不在可选值中" in refused.text and "不是您可以填报的设施" in refused.text
    )
    assert "RA01@" not in refused.text  # nothing about another enterprise's rows beyond the refusal
    assert count_rows(fresh_url, "scrap_ledger_version") == before
    saved = _upload(enterprise, _workbook(*GOOD), "好.xlsx", submit="1")
    assert saved.status_code == 201 and 'data-testid="recycling-upload-ok"' in saved.text
    assert count_rows(fresh_url, "scrap_ledger_version") == before + 1
    verifier = client(app, "verifier")
    denied = post(enterprise, "/recycling/steps", {"target": "verified", "month": "RA05@2024-06", "note": "好"})
    assert denied.status_code == 403
    no_opinion = post(verifier, "/recycling/steps", {"target": "verified", "month": "RA05@2024-06", "note": ""})
    assert no_opinion.status_code == 422 and "核查须填写核查意见" in no_opinion.text
    done = post(verifier, "/recycling/steps", {"target": "verified", "month": "RA05@2024-06", "note": "与过磅单一致"})
    assert done.status_code == 303
    listed = verifier.get("/api/v1/recycling/ledgers?year=2024&facility=RA05").json()
    assert [(m["period"], m["status"], m["balance"]["closes"]) for m in listed] == [("2024-06", "verified", True)]


def test_refusals_reveal_nothing(clients: dict[str, TestClient]) -> None:
    enterprise = clients["enterprise"]
    assert enterprise.get("/api/v1/recycling/shares?region=demo&year=2025").status_code in (403, 404)
    other = enterprise.get("/api/v1/recycling/ledgers?facility=RA01").json()
    unknown = enterprise.get("/api/v1/recycling/ledgers?facility=NOPE").json()
    assert other == unknown == []
    verifier = clients["verifier"]
    for month in ("RA01@2025-10", "NOPE@2025-10"):  # RA01 is not assigned to the verifier; NOPE does not exist
        got = post(verifier, "/recycling/steps", {"target": "verified", "month": month, "note": "意见"})
        assert got.status_code == 404
    form = enterprise.get("/recycling/form")
    assert form.status_code == 200 and "RA05" in form.text and "RA01" not in form.text
