"""The pages: what each shows, in Chinese and English, and the failure pages."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from webhelpers import client, make_app, post

from carbonpeak.io.export import sheet_name


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def in_english(test_client: TestClient, path: str) -> str:
    return test_client.get(path + ("&" if "?" in path else "?") + "lang=en").text


def test_overview_figures_charts_targets_and_warnings(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/overview?year=2024")
    assert page.status_code == 200
    html = page.text
    assert "示范省（合成数据） · 2024" in text_of(html)
    kpi = re.search(r'data-testid="kpi-emissions">([\d,]+)', html)
    assert kpi and int(kpi[1].replace(",", "")) > 1_000_000
    for chart in ("chart-by-year", "chart-by-sector", "chart-by-city"):
        assert f'id="{chart}"' in html  # the chart's data, drawn by ECharts
    board = html.split('data-testid="targets-board"', 1)[1]
    assert "SN-01" in board and "再生金属供应占比" in board
    assert re.search(r"chip-(met|on_track|at_risk|off_track|missed)", board)
    assert "未关闭预警" in html
    english = in_english(clients["province"], "/overview?year=2024")
    assert "Plan targets" in english and "recycled metal share" in english.lower()


def test_city_regulator_sees_its_city_only(clients: dict[str, TestClient]) -> None:
    page = clients["city"].get("/overview")
    assert page.status_code == 200 and "示范丁市" in page.text
    assert 'value="demo"' not in page.text  # the province is not a choice
    assert clients["city"].get("/overview?region=demo").status_code == 403
    assert clients["city"].get("/overview?region=nowhere").status_code == 404


def test_enterprise_page_grid_and_facility_months(clients: dict[str, TestClient]) -> None:
    page = clients["enterprise"].get("/enterprises/E02?year=2024").text
    assert 'data-testid="month-grid"' in page and "/submissions/AL03/2024-03" in page
    months = clients["enterprise"].get("/facilities/AL03?year=2024").text
    assert "2024年3月" in months and "数据来源" in months
    assert re.search(r'<td class="num">[\d,]+<span class="u">吨CO2e</span>', months)  # numbers right-aligned with units


def test_month_page_shows_versions_reason_results_and_audit(clients: dict[str, TestClient]) -> None:
    page = clients["verifier"].get("/submissions/AL03/2024-03").text
    assert 'data-testid="version-2"' in page and 'data-testid="reason"' in page
    assert "电解交流电耗" in page and 'class="diff-before"' in page and 'class="diff-after"' in page
    assert 'data-testid="audit"' in page and "新增更正" in page


def test_provenance_names_method_formula_parameters_and_sources(clients: dict[str, TestClient]) -> None:
    page = clients["enterprise"].get("/submissions/AL03/2024-03/provenance?figure=total_location_tco2e").text
    assert 'data-testid="provenance"' in page and 'data-testid="highlighted-figure"' in page
    assert page.count('data-testid="term"') >= 3
    assert "electricity.grid_factor" in page and "GB/T 2589" in page
    assert "参数指纹" in page
    english = in_english(clients["enterprise"], "/submissions/AL03/2024-03/provenance")
    assert "How was this made" in english and "Formula" in english


def test_benchmark_board_classes_deadlines_shares_and_surcharge(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/benchmark?year=2024").text
    assert 'data-testid="classes"' in page and "低于基准水平" in page
    assert 'id="chart-shares"' in page
    surcharge = page.split('data-testid="surcharge"', 1)[1]
    assert "AL03" in surcharge and "元/kWh" in surcharge
    assert "国家发展改革委关于完善电解铝行业阶梯电价政策的通知" in page  # the cited source


def test_warnings_inbox_act_and_history(fresh_app: Any) -> None:
    province = client(fresh_app, "province")
    inbox = province.get("/warnings?kind=late_submission").text
    first = re.search(r'href="/warnings/(\d+)"', inbox)
    assert first
    wid = first[1]
    assert post(province, f"/warnings/{wid}/acknowledge", {"note": "已电话联系企业"}).status_code == 303
    bad = post(province, f"/warnings/{wid}/assign", {"assignee": "enterprise"})
    assert bad.status_code == 422 and 'data-field-error="assignee"' in bad.text
    assert post(province, f"/warnings/{wid}/assign", {"assignee": "city"}).status_code == 303
    assert post(province, f"/warnings/{wid}/close", {"note": "企业已补报"}).status_code == 303
    closed_twice = post(province, f"/warnings/{wid}/close")
    assert closed_twice.status_code == 409 and "预警已关闭；请先重新打开" in closed_twice.text
    history = province.get(f"/warnings/{wid}").text.split('data-testid="history"', 1)[1]
    for word in ("产生", "已确认", "已指派", "已关闭", "已电话联系企业", "企业已补报"):
        assert word in history


def test_warning_refresh_by_the_provincial_regulator(fresh_app: Any) -> None:
    province = client(fresh_app, "province")
    response = post(province, "/warnings/refresh", {"plan": "shaanxi_nonferrous"})
    assert response.status_code == 303
    assert "新增" in province.get("/warnings").text


def test_parameters_in_force_with_source_and_confidence(clients: dict[str, TestClient]) -> None:
    listing = clients["enterprise"].get("/parameters").text
    assert "electricity.grid_factor" in listing
    family = clients["enterprise"].get("/parameters/benchmarks.ndrc_level?on=2024-06-30").text
    assert "现行" in family and "无官方数值" in family  # the 2023 edition's missing values say so
    assert clients["enterprise"].get("/parameters/nothing.here").status_code == 404
    assert clients["enterprise"].get("/parameters/benchmarks.ndrc_level?on=June").status_code == 400


@pytest.mark.parametrize(
    "path, sheets",
    [
        ("/exports/submissions.xlsx?year=2024", {"submissions", "results"}),
        (
            "/exports/benchmark.xlsx?year=2024",
            {"设施能效等级", "各等级产能占比", "阶梯电价加价", "依据来源", "数据覆盖"},
        ),
        ("/exports/warnings.xlsx", {"warnings"}),
        # a city has no cities below it; every aggregate says what it rests on (coverage)
        ("/exports/overview.xlsx?year=2024", {"indicators", "targets", "coverage"}),
    ],
)
def test_exports_are_workbooks_of_what_the_person_may_read(
    clients: dict[str, TestClient], path: str, sheets: set[str]
) -> None:
    response = clients["city"].get(path)
    assert response.status_code == 200, response.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert set(book.sheetnames) == {sheet_name(s, "zh") for s in sheets}  # named in the reader's language
    if "submissions" in sheets:
        facilities = {row[0] for row in book[sheet_name("submissions", "zh")].iter_rows(min_row=2, values_only=True)}
        assert "AL03" in facilities and "AO01" not in facilities and "XF01" not in facilities


def test_language_switch_is_kept_for_the_session_and_the_account(fresh_app: Any) -> None:
    browser = client(fresh_app, "enterprise")
    assert "数据报送" in browser.get("/reporting").text
    assert post(browser, "/lang", {"lang": "en", "next": "/reporting"}).headers["location"] == "/reporting"
    page = browser.get("/reporting").text
    assert "Reporting" in page and 'lang="en"' in page
    again = client(fresh_app, "enterprise")  # a new session starts in the account's language
    assert 'lang="en"' in again.get("/reporting").text


def test_numbers_and_dates_in_the_locale(clients: dict[str, TestClient]) -> None:
    zh = clients["admin"].get("/warnings/1").text
    en = in_english(clients["admin"], "/warnings/1")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", zh)
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", en)


def test_failure_pages_have_their_status_and_language(shared_app: Any, clients: dict[str, TestClient]) -> None:
    missing = clients["province"].get("/facilities/NOPE")
    assert missing.status_code == 404 and "该页面或对象不存在" in missing.text
    assert clients["province"].get("/no/such/page?lang=en").status_code == 404
    assert "does not exist" in clients["province"].get("/no/such/page?lang=en").text
    forbidden = clients["enterprise"].get("/facilities/AO01")
    assert forbidden.status_code == 403 and "您无权访问此内容" in forbidden.text
    bad_period = clients["province"].get("/submissions/AL03/2024-13")
    assert bad_period.status_code == 422
    bad_year = clients["province"].get("/overview?year=latest")
    assert bad_year.status_code == 400 and "年份应为数字" in bad_year.text
    api = clients["province"].get("/api/v1/facilities/NOPE")
    assert api.status_code == 404 and api.json() == {
        "error": "not_found",
        "message": "该页面或对象不存在。",
        "details": [],
    }


def test_a_server_error_is_a_page_and_nothing_is_written(fresh_url: str, monkeypatch: Any) -> None:
    from webhelpers import count_rows

    from carbonpeak.web import queries

    app = make_app(fresh_url)
    browser = client(app, "enterprise", raise_server_exceptions=False)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "facilities", broken)
    before = count_rows(fresh_url, "audit_event")
    response = browser.get("/enterprises")
    assert response.status_code == 500 and "系统出错，未做任何更改" in response.text
    english = browser.get("/enterprises?lang=en")
    assert english.status_code == 500 and "Something went wrong" in english.text
    assert count_rows(fresh_url, "audit_event") == before


def test_security_headers_and_static_assets(shared_app: Any) -> None:
    anonymous = TestClient(shared_app)
    page = anonymous.get("/login")
    assert page.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/vendor/htmx.min.js", "/static/vendor/echarts.min.js", "/static/app.js", "/static/app.css"):
        assert anonymous.get(asset).status_code == 200, asset
    assert "cdn" not in page.text.lower()


def test_no_copy_kept_of_pages_api_answers_and_exports_and_hsts_behind_tls(
    shared_app: Any, shared_url: str, clients: dict[str, TestClient]
) -> None:
    """D13: pages, API answers and exports say no-store (a new token or password is shown once); static files
    may be cached; HSTS is sent only where the platform runs behind HTTPS."""
    province = clients["province"]
    for path in ("/overview", "/account", "/exports/overview.xlsx", "/api/v1/me", "/login"):
        response = province.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
        assert "strict-transport-security" not in response.headers, path
        assert "camera=()" in response.headers["permissions-policy"], path
    assert "no-store" not in province.get("/static/app.css").headers.get("cache-control", "")
    behind_tls = TestClient(make_app(shared_url, https_only=True), base_url="https://testserver")
    assert behind_tls.get("/login").headers["strict-transport-security"].startswith("max-age=31536000")
