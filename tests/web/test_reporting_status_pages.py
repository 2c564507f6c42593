"""Who has reported, on the demonstration province as the platform shows it on 20 January 2026 (the day
its data describe: December 2025 was due on the 15th): the overview's link to last month's late list,
the matrix, the late list as a page, as Excel (read back) and as a printed 催报 notice, the API, and
who may see what."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook
from webhelpers import client, copy_db, make_app

DEMO_TODAY = "2026-01-20"
LATE_DECEMBER = ["AL05", "AO01", "AP05", "AP07", "CU02", "MG02", "PB02", "RA02", "RA08"]  # drafts never submitted


@pytest.fixture(scope="module")
def app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(copy_db(demo_template, tmp_path_factory.mktemp("status"), "status.db"), today=DEMO_TODAY)


@pytest.fixture(scope="module")
def as_role(app: Any) -> dict[str, TestClient]:
    return {role: client(app, role) for role in ("province", "city", "enterprise", "verifier", "admin")}


def _cell(html: str, row: str, period: str) -> str:
    """The state of the matrix cell of an enterprise (E…) or facility row and a month."""
    kind = "enterprise" if row.startswith("E") else "facility"
    block = html.split(f'data-{kind}="{row}"', 1)[1].split("</tr>", 1)[0]
    found = re.search(rf'data-state="(\w+)" data-period="{period}"', block)
    assert found, (row, period)
    return found[1]


def test_the_overview_answers_who_has_not_reported_last_month_in_one_click(as_role: dict[str, TestClient]) -> None:
    province = as_role["province"]
    overview = province.get("/overview").text
    block = overview.split('data-testid="reporting-status-block"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "上月报送情况（2025年12月，截止 2026年1月15日）" in block
    link = re.search(r'data-testid="late-last-month" href="([^"]+)">上月未报送：(\d+) 家<', block)
    assert link and link[2] == "7"
    counts = dict(re.findall(r'data-state="(\w+)">(\d+)<', block))
    assert counts == {"late": "7", "returned": "0", "not_due": "0", "draft": "0", "submitted": "33"}
    late = province.get(link[1].replace("&amp;", "&"))
    assert late.status_code == 200
    assert "截止日期 2026年1月15日；截至 2026年1月20日，7 家企业的 9 个设施尚未报送。" in late.text
    assert sorted(re.findall(r'data-facility="(\w+)"', late.text)) == LATE_DECEMBER
    assert "示范丙市铝镁合金有限公司" in late.text and "91619300MAE072HG5X" in late.text  # E03: three lines late
    assert late.text.count("逾期未报（草稿未提交）") == 9


def test_the_matrix_by_enterprise_and_facility_with_counts(as_role: dict[str, TestClient]) -> None:
    page = as_role["province"].get("/reporting-status")
    assert page.status_code == 200
    html = page.text
    assert "报送情况 · 示范省（合成数据）" in html and "截至 2026年1月20日" in html and "次月 15 日前" in html
    assert re.findall(r'<input type="month" name="(?:from|to)" value="([\d-]+)"', html) == ["2025-01", "2025-12"]
    assert _cell(html, "E03", "2025-12") == "late" and _cell(html, "AL05", "2025-12") == "late"
    assert _cell(html, "MG01", "2025-12") == "submitted" and _cell(html, "E02", "2025-12") == "submitted"
    assert _cell(html, "E03", "2025-05") == "late" and _cell(html, "AP07", "2025-05") == "late"  # AP07 skipped May
    # a month with a draft opens the month; a month with nothing opens the facility's year
    assert 'href="/submissions/AL05/2025-12"' in html and 'href="/facilities/AP07?year=2025"' in html
    footer = html.split('data-testid="status-counts"', 1)[1]
    late_row = footer.split('data-state="late"', 1)[1].split("</tr>", 1)[0]
    assert re.search(
        r'data-period="2025-12"><a href="/reporting-status/late\?region=demo&amp;month=2025-12">7</a>', late_row
    )
    assert "/ 9</span>" in late_row  # nine facilities
    assert 'data-enterprise="E17"' not in html  # its only line retired in 2023: nothing to report in 2025


def test_filters_by_city_sector_and_months(as_role: dict[str, TestClient]) -> None:
    province = as_role["province"]
    html = province.get("/reporting-status?region=demo&city=demo-c&sector=magnesium&from=2025-11&to=2025-12").text
    enterprises = re.findall(r'data-enterprise="(E\d+)"', html)
    assert enterprises and "E03" in enterprises and "E15" not in enterprises  # E15's magnesium works is in demo-d
    assert re.findall(r'<input type="month" name="(?:from|to)" value="([\d-]+)"', html) == ["2025-11", "2025-12"]
    assert 'data-facility="AL05"' not in html  # aluminium, not magnesium
    wrong = province.get("/reporting-status?from=2025-13")
    assert wrong.status_code == 200 and "月份须写作“年-月”" in wrong.text  # the defaults, with what was wrong
    too_long = province.get("/reporting-status?from=2020-01&to=2025-12")
    assert "一次最多显示 36 个月（所选为 72 个月）" in too_long.text


def test_the_late_list_as_excel_read_back(as_role: dict[str, TestClient]) -> None:
    response = as_role["province"].get("/reporting-status/late.xlsx?region=demo&month=2025-12")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd.openxml")
    book = CalamineWorkbook.from_filelike(BytesIO(response.content))
    assert book.sheet_names == ["催报名单"]
    rows = book.get_sheet_by_name("催报名单").to_python()
    assert rows[0] == [
        "企业名称",
        "统一社会信用代码",
        "设施",
        "月份",
        "状态",
        "截止日期",
        "逾期天数",
        "联系人",
        "联系电话",
    ]
    assert len(rows) == 10
    assert rows[1][:7] == [
        "示范丙市能源铝业有限公司",
        "91619300MA4P0YCT37",
        "示范丙市能源铝业再生铝项目（RA08）",
        "2025-12",
        "逾期未报（草稿未提交）",
        dt.date(2026, 1, 15),
        5,
    ]
    assert sorted(r[2].rsplit("（", 1)[1].rstrip("）") for r in rows[1:]) == LATE_DECEMBER


def test_the_printable_notice_is_addressed_to_each_enterprise(as_role: dict[str, TestClient]) -> None:
    html = as_role["province"].get("/reporting-status/notice?region=demo&month=2025-12").text
    notices = re.findall(r'data-testid="notice" data-enterprise="(E\d+)"', html)
    assert notices == ["E01", "E03", "E05", "E23", "E26", "E31", "E38"]
    assert html.count(">催报通知</h2>") == 7
    assert "示范丙市铝镁合金有限公司（统一社会信用代码：91619300MAE072HG5X）：" in html
    assert "应于 2026年1月15日 前通过平台报送，截至 2026年1月20日 尚未报送" in html
    assert "page-break-after: always" in html  # one page per enterprise when printed
    assert "示范省（合成数据）碳达峰监测平台" in html


def test_a_city_regulator_sees_only_its_city(as_role: dict[str, TestClient]) -> None:
    city = as_role["city"]  # demo-d, the city of E02's potlines
    html = city.get("/reporting-status").text
    assert "示范丁市" in html
    enterprises = set(re.findall(r'data-enterprise="(E\d+)"', html))
    assert "E02" in enterprises and not enterprises & {"E01", "E03", "E05"}  # demo-c's are not shown
    late = city.get("/reporting-status/late?month=2024-08").text
    assert re.findall(r'data-facility="(\w+)"', late) == ["RA05"]  # E02's recycling line missed August 2024
    assert city.get("/reporting-status?region=demo").status_code == 403
    assert city.get("/reporting-status/late.xlsx?region=demo-c").status_code == 403
    assert city.get("/api/v1/reporting-status?region=demo").status_code == 403


def test_an_enterprise_sees_only_its_own(as_role: dict[str, TestClient]) -> None:
    enterprise = as_role["enterprise"]  # E02
    html = enterprise.get("/reporting-status").text
    assert set(re.findall(r'data-enterprise="(E\d+)"', html)) == {"E02"}
    answer = enterprise.get("/api/v1/reporting-status?region=demo&from=2024-08&to=2024-08").json()
    assert [e["code"] for e in answer["enterprises"]] == ["E02"]
    assert answer["counts"]["2024-08"]["late"] == 1
    late = enterprise.get("/api/v1/reporting-status/late?month=2025-12").json()
    assert late["rows"] == []  # others' late facilities are not its to see


def test_the_api_gives_the_matrix_and_the_late_list(as_role: dict[str, TestClient]) -> None:
    admin = as_role["admin"]
    matrix = admin.get("/api/v1/reporting-status?region=demo&from=2025-12&to=2025-12").json()
    assert (
        matrix["today"] == DEMO_TODAY and matrix["periods"] == ["2025-12"] and matrix["due"]["2025-12"] == "2026-01-15"
    )
    assert matrix["counts"]["2025-12"] == {"late": 7, "returned": 0, "not_due": 0, "draft": 0, "submitted": 33}
    e03 = next(e for e in matrix["enterprises"] if e["code"] == "E03")
    assert e03["cells"][0] | {"facility": "AL05"} == e03["cells"][0]
    assert (e03["cells"][0]["state"], e03["cells"][0]["required"], e03["cells"][0]["reported"]) == ("late", 5, 2)
    late = admin.get("/api/v1/reporting-status/late?region=demo&month=2025-12").json()
    assert sorted(r["facility"] for r in late["rows"]) == LATE_DECEMBER
    assert {r["days_late"] for r in late["rows"]} == {5} and late["due"] == "2026-01-15"
    wrong = admin.get("/api/v1/reporting-status?from=2025-13")
    assert wrong.status_code == 422 and wrong.json()["code"] == "reporting_status.bad_month"
    assert admin.get("/api/v1/reporting-status?region=nowhere").status_code == 404


def test_english_pages_name_enterprises_in_english(as_role: dict[str, TestClient]) -> None:
    html = as_role["province"].get("/reporting-status/late?region=demo&month=2025-12&lang=en").text
    assert "Late list · Dec 2025" in html and "Demo C Al-Mg Alloy 300 kA potline (synthetic)" in html
    assert "逾期" not in html and "late, not reported (a draft was not submitted)" in html
