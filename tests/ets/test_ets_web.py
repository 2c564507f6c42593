"""The done-when of issue #17 deliverable 3 through the web: on the demo, the aluminium enterprise's account
makes and downloads its annual ETS report and a monthly deposit receipt, uploads evidence, deposits; the city
reviews; the API answers the same; refusals reveal nothing; bad input lists every problem."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from webhelpers import AS_OF, client, copy_db, make_app, post, token_of

from tests.ets.conftest import SMELTER


@pytest.fixture(scope="module")
def web(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = copy_db(demo_template, tmp_path_factory.mktemp("ets-web"), "ets.db")
    app = make_app(url, today=AS_OF.isoformat())
    return {
        "url": url,
        "enterprise": client(app, "enterprise"),
        "city": client(app, "city"),
        "verifier": client(app, "verifier"),
    }


def test_the_enterprise_downloads_its_annual_report_and_a_deposit_receipt(web: dict[str, Any]) -> None:
    ent = web["enterprise"]
    home = ent.get("/ets", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == f"/enterprises/{SMELTER}/ets"
    page = ent.get(f"/enterprises/{SMELTER}/ets?year=2025")
    assert page.status_code == 200 and "审核通过，已锁定" in page.text and "逾期完成" in page.text
    made = post(ent, f"/enterprises/{SMELTER}/ets/reports", {"kind": "ets_annual", "period": "2025", "lang": "zh"})
    assert made.status_code == 303, made.text[:1500]
    listed = ent.get(f"/enterprises/{SMELTER}/ets?year=2025").text
    link = listed.split('data-testid="ets-download-pdf"')[0].rsplit('href="', 1)[1].split('"')[0]
    pdf = ent.get(link)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    first = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace(" ", "")
    assert "温室气体排放报告" in first and "附录C" in first and "临时报告" in first
    receipt = post(ent, f"/enterprises/{SMELTER}/ets/reports", {"kind": "ets_deposit_monthly", "period": "2025-09"})
    assert receipt.status_code == 303
    deposit_page = ent.get(f"/enterprises/{SMELTER}/ets/deposits/2025-09").text
    assert 'data-testid="ets-receipt"' in deposit_page and "示范" in deposit_page
    receipt_link = re.search(r'href="(/reports/\d+/download/docx)"', deposit_page.split('data-testid="ets-receipt"')[1])
    assert receipt_link
    word = ent.get(receipt_link[1])
    assert word.status_code == 200 and word.content[:2] == b"PK"


def test_upload_deposit_and_the_city_review_through_the_web(web: dict[str, Any]) -> None:
    ent, city = web["enterprise"], web["city"]
    month = "2025-12"
    bad = ent.post(
        f"/enterprises/{SMELTER}/ets/deposits/{month}/files",
        data={"csrf_token": token_of(ent), "item": "AL03:output_t"},
        files={"file": ("x.exe", b"", "application/octet-stream")},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and "文件类型不允许" in bad.text and "文件为空" in bad.text
    good = ent.post(
        f"/enterprises/{SMELTER}/ets/deposits/{month}/files",
        data={"csrf_token": token_of(ent), "item": "AL03:output_t"},
        files={"file": ("产量台账.pdf", b"%PDF-1.4 test", "application/pdf")},
        follow_redirects=False,
    )
    assert good.status_code == 303
    values = post(
        ent, f"/enterprises/{SMELTER}/ets/deposits/{month}/values", {"v:AL03:output_t": "abc", "v:AL04:output_t": "-1"}
    )
    assert values.status_code == 422 and "不是数值" in values.text and "不能为负数" in values.text
    assert post(ent, f"/enterprises/{SMELTER}/ets/deposits/{month}/deposit").status_code == 303
    assert "已提交，等待审核" in ent.get(f"/enterprises/{SMELTER}/ets/deposits/{month}").text
    assert post(ent, f"/enterprises/{SMELTER}/ets/deposits/{month}/review", {"decision": "accept"}).status_code == 403
    back = post(city, f"/enterprises/{SMELTER}/ets/deposits/{month}/review", {"decision": "return", "reason": ""})
    assert back.status_code == 422 and "退回须说明理由" in back.text
    assert post(city, f"/enterprises/{SMELTER}/ets/deposits/{month}/review", {"decision": "accept"}).status_code == 303
    shown = city.get(f"/api/v1/enterprises/{SMELTER}/ets/deposits/{month}").json()
    assert shown["status"] == "accepted" and shown["locked"]
    assert any(f["name"] == "产量台账.pdf" and len(f["sha256"]) == 64 for f in shown["files"])
    locked = post(ent, f"/enterprises/{SMELTER}/ets/deposits/{month}/values", {"prefill": "1"})
    assert locked.status_code == 303
    assert "已通过审核并锁定" in ent.get(f"/enterprises/{SMELTER}/ets/deposits/{month}").text
    api = ent.post(
        f"/api/v1/enterprises/{SMELTER}/ets/deposits/{month}/deposit", headers={"X-CSRF-Token": token_of(ent)}
    )
    assert api.status_code == 409 and "锁定" in api.json()["message"]


def test_refusals_reveal_nothing(web: dict[str, Any]) -> None:
    ent, verifier = web["enterprise"], web["verifier"]
    for path in (
        "/ets/E01",
        "/ets/E01/deposits/2025-11",
        "/ets/NOPE/deposits/2025-11",
        "/api/v1/ets/E01/deposits/2025-11",
    ):
        answer = ent.get(path)
        assert answer.status_code == 404, path
        assert "E01" not in answer.text.replace(path, "") or "能源铝业" not in answer.text
    assert verifier.get(f"/enterprises/{SMELTER}/ets/deposits/2025-11").status_code == 200  # assigned: reads
    refused = verifier.post(
        f"/api/v1/enterprises/{SMELTER}/ets/deposits/2025-12/values",
        json={"values": None},
        headers={"X-CSRF-Token": token_of(verifier)},
    )
    assert refused.status_code == 403
    made = ent.post(
        f"/api/v1/enterprises/{SMELTER}/ets/reports",
        json={"kind": "ets_annual", "period": "2025"},
        headers={"X-CSRF-Token": token_of(ent)},
    )
    assert made.status_code == 201 and {f["format"] for f in made.json()["files"]} == {"pdf", "docx", "xlsx"}
    again = ent.post(f"/api/v1/reports/{made.json()['id']}/regenerate", headers={"X-CSRF-Token": token_of(ent)})
    assert again.status_code == 200 and again.json()["reproduced"]


def test_the_demo_pages_are_chinese(web: dict[str, Any]) -> None:
    from chinese_scan import latin_runs

    for role, path in (
        ("enterprise", f"/enterprises/{SMELTER}/ets?year=2025"),
        ("enterprise", f"/enterprises/{SMELTER}/ets/deposits/2025-11"),
        ("city", "/ets"),
        ("city", f"/enterprises/{SMELTER}/ets/deposits/2025-10"),
    ):
        page = web[role].get(path)
        assert page.status_code == 200, path
        assert latin_runs(page.text) == [], (path, sorted(set(latin_runs(page.text))))
