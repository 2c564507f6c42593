"""The energy-utilisation status report on the web (demo province): the enterprise opens its 2025 report
pre-filled, is told every bad entry at once (table, row, field), completes and files it; its city's
regulator accepts it; the locked report refuses changes; the enterprise makes the report and downloads the
PDF, Word and Excel files and the NBS 205 workbook. The API answers the same; people outside the scope are
refused without learning anything."""

from __future__ import annotations

import io
import re
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from webhelpers import TOKENS, client, post, token_of

FORM = {
    "year": "2025",
    "t5.1.factors": "电解槽大修，产量下降",
    "t7.1.evaluation": "完成年度节能目标",
    "t8.1.name": "350kA电解槽",
    "t8.1.quantity": "288",
}


def test_fill_file_accept_download(fresh_app: Any) -> None:
    enterprise, city = client(fresh_app, "enterprise"), client(fresh_app, "city")
    home = enterprise.get("/energy-report", follow_redirects=False)
    assert home.status_code == 303 and "/enterprises/E02/energy-report" in home.headers["location"]
    page = enterprise.get("/enterprises/E02/energy-report?year=2025")
    assert page.status_code == 200
    assert "表2 能源消费结构" in page.text and "柴油" in page.text and "重点用能单位" in page.text
    assert 'data-testid="energy-provisional"' in page.text  # Oct–Dec 2025 are not verified yet

    bad = post(
        enterprise,
        "/enterprises/E02/energy-report/save",
        {**FORM, "t8.1.quantity": "abc", "t8.2.name": "整流机组", "t8.2.quantity": "-2", "t6.1.target_tce": "十"},
    )
    assert bad.status_code == 422
    for text in (
        "表6 节能目标完成情况 第 1 行“节能目标（吨标准煤）”：应为数字",
        "表8 主要耗能设备状况 第 1 行“数量（台/套）”：应为数字，填写的是“abc”",
        "表8 主要耗能设备状况 第 2 行“数量（台/套）”：不能小于 0",
    ):
        assert text in bad.text

    csv = "表,行,字段,内容\n表8,1,设备名称,电解槽\n表8,1,数量（台/套）,288\n".encode()
    uploaded = post(
        enterprise,
        "/enterprises/E02/energy-report/upload",
        {"year": "2025"},
        files={"file": ("e.csv", csv, "text/csv")},
    )
    assert uploaded.status_code == 303
    refused = post(
        enterprise,
        "/enterprises/E02/energy-report/upload",
        {"year": "2025"},
        files={"file": ("e.csv", b"t,r\n", "text/csv")},
    )
    assert refused.status_code == 422 and "CSV" in refused.text
    assert "电解槽" in enterprise.get("/enterprises/E02/energy-report?year=2025").text

    filed = post(enterprise, "/enterprises/E02/energy-report/save", {**FORM, "action": "submit"})
    assert filed.status_code == 303
    assert (
        post(enterprise, "/enterprises/E02/energy-report/review", {"year": "2025", "decision": "accept"}).status_code
        == 403
    )
    review_page = city.get("/enterprises/E02/energy-report?year=2025")
    assert 'data-testid="energy-review"' in review_page.text
    accepted = post(city, "/enterprises/E02/energy-report/review", {"year": "2025", "decision": "accept"})
    assert accepted.status_code == 303
    locked = post(enterprise, "/enterprises/E02/energy-report/save", FORM)
    assert locked.status_code == 409
    assert "锁定" in enterprise.get("/enterprises/E02/energy-report?year=2025").text

    made = post(enterprise, "/enterprises/E02/energy-report/make", {"year": "2025"})
    assert made.status_code == 303, made.text[:500]
    report = made.headers["location"]
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("xlsx", b"PK")):
        got = enterprise.get(f"{report}/download/{fmt}")
        assert got.status_code == 200 and got.content.startswith(magic), fmt
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(enterprise.get(f"{report}/download/pdf").content)).pages[0].extract_text()
    assert "能源利用状况报告" in text and "临时报告" in text
    assert city.get(f"{report}/download/xlsx").status_code == 200  # the region's regulator reads it
    csrf = {"X-CSRF-Token": token_of(enterprise, "/account")}
    by_api = enterprise.post("/api/v1/enterprises/E02/energy-report/2025/report", json={"lang": "en"}, headers=csrf)
    assert by_api.status_code == 201, by_api.text[:500]
    word = enterprise.get(by_api.json()["files"]["docx"]["url"])
    assert word.status_code == 200 and word.content.startswith(b"PK")
    nbs = enterprise.get("/enterprises/E02/energy-report/nbs205.xlsx?year=2025")
    assert nbs.status_code == 200
    book = load_workbook(io.BytesIO(nbs.content))
    assert book.sheetnames == ["205-1", "205-2", "205-3"]
    assert "平台无此数据" in [c.value for c in book["205-1"][3]][2]


def test_the_api_and_the_scope(clients: dict[str, TestClient], shared_app: Any) -> None:
    api = TestClient(shared_app)

    def bearer(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKENS[role]}"}

    city = clients["city"].get("/api/v1/enterprises/E02/energy-report/2025")
    assert city.status_code == 200
    body = city.json()
    assert body["figures"]["key_unit"]["status"] == "key" and body["deadline"]["state"] == "not_configured"
    assert abs(body["figures"]["total_tce"] - body["figures"]["carriers_tce"]) < 0.01
    assert clients["verifier"].get("/api/v1/enterprises/E02/energy-report/2025").status_code == 200
    # another enterprise, one outside the city, one that does not exist: the same 404, nothing of it shown
    outside = [
        clients["enterprise"].get("/api/v1/enterprises/E01/energy-report/2025"),
        clients["city"].get("/api/v1/enterprises/X01/energy-report/2025"),
        clients["city"].get("/api/v1/enterprises/NOPE/energy-report/2025"),
    ]
    assert [r.status_code for r in outside] == [404, 404, 404]
    assert outside[0].json() == outside[2].json()
    assert clients["enterprise"].get("/enterprises/E01/energy-report?year=2025").status_code == 404
    refused = api.post(
        "/api/v1/enterprises/E02/energy-report/2025/versions",
        json={"t5": [{"factors": "x"}]},
        headers=bearer("verifier"),
    )
    assert refused.status_code == 403
    bad = api.post(
        "/api/v1/enterprises/E02/energy-report/2025/versions",
        json={"t8": [{"name": "槽", "quantity": "abc"}, {"quantity": -1}]},
        headers=bearer("enterprise"),
    )
    assert bad.status_code == 422
    assert len(re.findall("表8", bad.text)) >= 3  # three problems, each naming its table
