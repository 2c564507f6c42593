"""The synergy figures where people see them, on the demo province: the block beside CO2 on the facility and
enterprise pages (zh names and units, no untranslated English), the ledger's pages with the form and the
upload, the API, and the section 减污降碳协同 in the regulator's made 碳达峰监测报告 with the ledger's digest in
its data state."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from chinese_scan import latin_runs
from fastapi.testclient import TestClient
from sqlalchemy import select
from webhelpers import AS_OF, TOKENS, client, copy_db, post

from carbonpeak.services import access
from carbonpeak.services import reports as use
from carbonpeak.services.reports_monitoring import MONTHLY, Asked
from carbonpeak.store import db
from carbonpeak.store.accounts import User
from carbonpeak.store.pollutants.models import PollutantVersion


def _block(html: str) -> str:
    start = html.index('data-testid="synergy-block"')
    return html[start : html.index("</div>\n", html.index("synergy-coverage", start))]


def test_the_facility_and_enterprise_pages_show_pollutants_beside_co2(clients: dict[str, TestClient]) -> None:
    enterprise = clients["enterprise"]
    page = enterprise.get("/facilities/AL03?year=2025")
    assert page.status_code == 200
    block = _block(page.text)
    assert "减污降碳协同（2025年）" in block
    for word in ("二氧化硫（SO2）", "氮氧化物（NOx）", "颗粒物", "二氧化碳", "kg/t", "tCO2e/t", "同比"):
        assert word in block, word
    assert "演示数据" in block  # the demo's figures say what they are
    assert 'data-testid="synergy-months"' in page.text and "2025年1月" in page.text
    assert not latin_runs(page.text), latin_runs(page.text)
    page = enterprise.get("/enterprises/E02?year=2025")
    assert page.status_code == 200 and 'data-testid="synergy-facilities"' in page.text
    assert "AL03" in page.text and "有污染物数据的月份" in page.text
    assert not latin_runs(page.text), latin_runs(page.text)


def test_the_ledger_pages_in_scope_and_out_of_it(clients: dict[str, TestClient]) -> None:
    province = clients["province"].get("/pollutants?year=2025")
    assert province.status_code == 200 and "污染物排放台账" in province.text and "AL01" in province.text
    assert 'data-testid="pollutants-upload"' not in province.text  # a regulator reads, does not report
    assert not latin_runs(province.text), latin_runs(province.text)
    mine = clients["enterprise"].get("/pollutants/facilities/AL03?year=2024")
    assert mine.status_code == 200 and 'data-testid="pollutants-form"' in mine.text
    assert not latin_runs(mine.text), latin_runs(mine.text)
    assert clients["enterprise"].get("/pollutants/facilities/AL01").status_code == 403  # another enterprise's
    assert clients["enterprise"].get("/pollutants/facilities/NOPE").status_code == 404
    versions = clients["province"].get("/pollutants/facilities/AL01?year=2024")
    assert "第 2 版" in versions.text and "演示：更正二氧化硫月度数据（虚构）" in versions.text  # the demo's correction


def test_the_form_lists_every_problem_then_saves_a_correction_as_a_new_version(fresh_app: Any) -> None:
    enterprise = client(fresh_app, "enterprise")
    bad = post(
        enterprise,
        "/pollutants/facilities/AL03",
        {"period": "2025-01", "so2_t": "abc", "nox_t": "-1", "pm_t": "", "source": "permit_report"},
    )
    assert bad.status_code == 422
    for text in ("二氧化硫", "应为以 t 计的数字", "排放量不能为负数", "必填项为空"):
        assert text in bad.text, text
    missing_reason = post(
        enterprise,
        "/pollutants/facilities/AL03",
        {"period": "2025-01", "so2_t": "30", "nox_t": "20", "pm_t": "2", "source": "permit_report"},
    )
    assert missing_reason.status_code == 422 and "更正须填写更正原因" in missing_reason.text
    good = post(
        enterprise,
        "/pollutants/facilities/AL03",
        {
            "period": "2025-01",
            "so2_t": "30",
            "nox_t": "20",
            "pm_t": "2",
            "source": "permit_report",
            "reason": "执行报告",
        },
    )
    assert good.status_code == 303
    shown = enterprise.get("/pollutants/facilities/AL03?year=2025")
    assert "第 2 版" in shown.text and "排污许可执行报告" in shown.text and "执行报告" in shown.text


def test_the_api_records_and_reads_and_refuses_without_revealing(fresh_app: Any) -> None:
    api = client(fresh_app)
    mine = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    rows = [{"facility_id": "RA05", "period": "2025-12", "so2_t": 0.4, "nox_t": 0.3, "pm_t": 0.1, "source": "cems"}]
    answer = api.post("/api/v1/pollutants/months", json={"rows": rows}, headers=mine)
    assert answer.status_code in (201, 422), answer.text
    if answer.status_code == 422:  # the demo already holds 2025-12 for RA05: then it is a correction
        answer = api.post("/api/v1/pollutants/months", json={"rows": rows, "reason": "CEMS 复核"}, headers=mine)
    assert answer.status_code == 201, answer.text
    assert answer.json()["versions"][0][:2] == ["RA05", "2025-12"]
    bad = api.post(
        "/api/v1/pollutants/months", json={"rows": [{**rows[0], "so2_t": -1, "period": "2031-01"}]}, headers=mine
    )
    assert bad.status_code == 422
    assert {(d.get("row"), d.get("field")) for d in bad.json()["details"]} >= {(1, "so2_t"), (1, "period")}
    other = api.post("/api/v1/pollutants/months", json={"rows": [{**rows[0], "facility_id": "AL01"}]}, headers=mine)
    assert other.status_code == 422 and "0.4" not in other.text
    read = api.get("/api/v1/pollutants/months?facility=RA05&year=2025", headers=mine)
    assert read.status_code == 200 and any(r["period"] == "2025-12" for r in read.json())
    assert api.get("/api/v1/pollutants/months?facility=AL01", headers=mine).status_code == 403
    synergy = api.get("/api/v1/pollutants/synergy?facility=AL03&year=2025", headers=mine).json()
    assert synergy["whole"]["current"]["with_pollutants"] > 0
    content = b"facility_id,period,so2_t,nox_t,pm_t,source\nRA05,2025-11,x,1,1,cems\n"
    upload = api.post(
        "/api/v1/pollutants/imports", files={"file": ("p.csv", io.BytesIO(content), "text/csv")}, headers=mine
    )
    assert upload.status_code == 422 and "p.csv" in upload.text


def test_the_monthly_report_has_the_synergy_section_and_the_ledger_in_its_data_state(
    demo_template: Path, tmp_path: Path
) -> None:
    import docx

    url = copy_db(demo_template, tmp_path, "report.db")
    with db.transaction(url) as session:
        user = session.scalar(select(User).where(User.username == "province"))
        assert user is not None
        who = access.principal_for(session, user)
        made = use.make(session, who, Asked(kind=MONTHLY, region="demo", period="2025-09", as_of=AS_OF, draws=50))
    with db.transaction(url, mode="read") as session:
        _name, _type, data = use.file_of(session, who, made.id, "docx")
        state = use.data_state_of(session, who, made.id)
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert any("减污降碳协同" in t for t in texts)
    assert any("减污降碳协同增效实施方案" in t for t in texts)
    cells = {c.text for table in document.tables for row in table.rows for c in row.cells}
    assert "二氧化硫（kg/t）" in cells and "二氧化硫同比" in cells and "有污染物数据的月份 / 计入月份" in cells
    assert "synergy" in state and len(state["synergy"]) == 64
    # a correction of a pollutant month of the window moves the report's data state
    with db.transaction(url) as session:
        version = session.scalar(select(PollutantVersion).order_by(PollutantVersion.id.desc()))
        assert version is not None
        version.so2_t += 1  # (a test's shortcut: the ledger itself never overwrites)
    with db.transaction(url, mode="read") as session:
        check = use.regenerate(session, who, made.id)
    assert check.data_changed and any("synergy" in str(c) for c in check.changes)
