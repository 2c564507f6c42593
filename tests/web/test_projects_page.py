"""The projects pages: the list in each language, entering a project in a form (stored, reviewed rule by rule
exactly as :func:`carbonpeak.projects.review.review_project` says), refusals beside their fields with nothing
written, a correction as a new version, a file upload, the Excel list, and who may see what."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from webhelpers import client, post

from carbonpeak.parameters import load
from carbonpeak.projects.model import parse_project, read_projects
from carbonpeak.projects.review import review_project
from carbonpeak.services import projects as use
from carbonpeak.services.access import operator
from carbonpeak.store import db
from carbonpeak.store.models import AuditEvent, Project, ProjectReviewRun, ProjectVersion

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"
SETUP = operator("test:setup")


def seed_projects(url: str) -> None:
    """Three projects: one in the city regulator's city (demo-d), one elsewhere in the demo province (Shaanxi),
    one in another province (Gansu)."""
    base = read_projects(EXAMPLES / "al_line_demo_built_2021.yaml")[0]  # Shaanxi, 示范丙市
    in_city = base.model_copy(
        update={
            "id": "PJ-D-01",
            "name_zh": "示范丁市电解铝项目",
            "name_en": "Demo City D smelter project",
            "site": base.site.model_copy(update={"city": "示范丁市", "county": None}),
        }
    )
    elsewhere = base.model_copy(update={"id": "PJ-C-01"})
    gansu = base.model_copy(update={"id": "PJ-GS-01", "site": base.site.model_copy(update={"province": "gansu"})})
    with db.transaction(url) as session:
        use.register_projects(session, SETUP, [in_city, elsewhere, gansu])
        use.review(session, SETUP, "PJ-C-01")


def seed_walk_projects(url: str) -> None:
    """Projects named like the access walk's facilities (its ``{code}``): AL03 in the city regulator's city,
    AO01 elsewhere in the demo province, XF01 in another province (Gansu)."""
    base = read_projects(EXAMPLES / "al_line_demo_built_2021.yaml")[0]
    sites = {"AL03": ("shaanxi", "示范丁市"), "AO01": ("shaanxi", "示范丙市"), "XF01": ("gansu", "他市")}
    projects = [
        base.model_copy(update={"id": code, "site": base.site.model_copy(update={"province": p, "city": c})})
        for code, (p, c) in sites.items()
    ]
    with db.transaction(url) as session:
        use.register_projects(session, SETUP, projects, review=True)


@pytest.fixture
def projects_app(fresh_url: str, fresh_app: Any) -> tuple[str, Any]:
    seed_projects(fresh_url)
    return fresh_url, fresh_app


def good_form(**changes: Any) -> dict[str, Any]:
    """A new electrolytic-aluminium line in Shaanxi, as typed into the form."""
    form: dict[str, Any] = {
        "id": "SX-AL-2025-01",
        "name_zh": "示范丁市绿色电解铝项目",
        "name_en": "Demo City D green smelter",
        "enterprise": "示范丁市铝业股份有限公司",
        "kind": "new",
        "sector": "electrolytic_aluminium",
        "product": "electrolytic_aluminium",
        "capacity_t_per_a": "150,000",
        "net_new_capacity_t_per_a": "150000",
        "planned_start": "2025-06-01",
        "site.province": "shaanxi",
        "site.city": "示范丁市",
        "site.county": "示范丁市新区",
        "in_key_air_pollution_area": "false",
        "designed_unit_consumption.ac_power_liquid_aluminium.value": "12900",
        "designed_unit_consumption.ac_power_liquid_aluminium.unit": "kWh/t",
        "energy_sources": ["grid", "renewable_contract"],
        "new_captive_coal_plant": "false",
        "energy_review_status": "approved",
        "eia_status": "pending",
        "replacement_capacity_t_per_a": "150000",
        "replacement_sources.0.facility": "示例退出产能",
        "replacement_sources.0.province": "gansu",
        "replacement_sources.0.capacity_t_per_a": "150000",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def count(url: str, table: Any) -> int:
    with db.transaction(url) as session:
        return int(session.scalar(select(func.count()).select_from(table)))


def rules_shown(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-rule="([^"]+)" data-outcome="([^"]+)"', html))


def field_errors(html: str) -> dict[str, str]:
    return {
        name: re.sub(r"<[^>]+>", "", text)
        for name, text in re.findall(r'data-field-error="([^"]+)">([^<]*)<', html, flags=re.S)
    }


def test_list_in_chinese_and_english(projects_app: tuple[str, Any]) -> None:
    _url, app = projects_app
    province = client(app, "province")
    zh = province.get("/projects")
    assert zh.status_code == 200
    assert "示范丁市电解铝项目" in zh.text and "陕西" in zh.text and "电解铝" in zh.text
    assert 'data-project="PJ-C-01"' in zh.text and 'data-classification="rectify"' in zh.text
    assert "整改" in zh.text and "新建" in zh.text
    assert "PJ-GS-01" not in zh.text  # Gansu is outside the demo province
    en = province.get("/projects?lang=en")
    assert "Demo City D smelter project" in en.text and "Shaanxi" in en.text and "rectify" in en.text
    assert "not reviewed" in en.text and "new build" in en.text
    admin = client(app, "admin").get("/projects")
    assert all(code in admin.text for code in ("PJ-D-01", "PJ-C-01", "PJ-GS-01"))


def test_enter_a_project_in_the_form_and_see_its_review_rule_by_rule(projects_app: tuple[str, Any]) -> None:
    url, app = projects_app
    province = client(app, "province")
    assert province.get("/projects/new").status_code == 200
    response = post(province, "/projects/new", good_form())
    assert response.status_code == 303, response.text[:3000]
    assert response.headers["location"] == "/projects/SX-AL-2025-01"
    page = province.get("/projects/SX-AL-2025-01")
    assert page.status_code == 200
    assert 'data-version="1"' in page.text and "首次登记" in page.text
    with db.transaction(url) as session:
        record = use.history(session, SETUP, "SX-AL-2025-01")["versions"][0]["record"]
    project = parse_project(record)
    assert project.capacity_t_per_a == 150000 and project.site.city == "示范丁市"
    expected = review_project(project, load(), period=None)
    shown = rules_shown(page.text)
    assert shown == {r.rule: r.outcome.value for r in expected.rules}
    assert f'data-classification="{expected.classification.value}"' in page.text
    r3 = expected.rule("R3")
    text = unescape(page.text)
    assert r3.reason_zh in text and r3.title_zh in text  # the rule and its reason, in Chinese
    assert r3.source in text  # the rule's source
    cited = [c for r in expected.rules if r.outcome.value != "not_applicable" for c in r.parameters[1:]]
    assert cited and all(c.citation() in text for c in cited)  # each parameter used, with its source
    english = province.get("/projects/SX-AL-2025-01?lang=en").text
    assert r3.reason_en in unescape(english) and r3.title_en in unescape(english)
    assert rules_shown(english) == shown


def test_the_page_translates_nothing_back_from_english() -> None:
    """The projects code raises coded errors; the page renders them from the message catalog."""
    from carbonpeak.web.pages import projects as page

    assert not hasattr(page, "PATTERNS") and not hasattr(page, "translate")
    source = Path(page.__file__).read_text(encoding="utf-8")
    assert "re.match" not in source and "Input should be" not in source


def test_bad_input_is_refused_beside_each_field_and_nothing_is_written(projects_app: tuple[str, Any]) -> None:
    url, app = projects_app
    province = client(app, "province")
    before = (count(url, Project), count(url, ProjectVersion), count(url, AuditEvent))
    form = good_form(name_zh="", capacity_t_per_a="lots", **{"site.province": "atlantis"})
    response = post(province, "/projects/new", form)
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert errors["name_zh"] == "缺少必填项"
    assert errors["capacity_t_per_a"] == "不是有效的数字"
    assert errors["site.province"] == "不是列表中的省份代码"
    assert 'value="lots"' in response.text  # what was typed is kept
    assert (count(url, Project), count(url, ProjectVersion), count(url, AuditEvent)) == before
    english = post(province, "/projects/new?lang=en", form)
    assert field_errors(english.text)["capacity_t_per_a"] == "not a valid number"
    # a cross-field check of the model, beside its field
    retrofit = post(province, "/projects/new", good_form(kind="retrofit"))
    assert retrofit.status_code == 422
    assert field_errors(retrofit.text)["net_new_capacity_t_per_a"].startswith("技术改造项目不新增产能")
    # a site outside the person's jurisdiction
    gansu = post(province, "/projects/new", good_form(**{"site.province": "gansu"}))
    assert gansu.status_code == 422 and field_errors(gansu.text)["site.province"] == "不在您的辖区内"
    assert (count(url, Project), count(url, ProjectVersion), count(url, AuditEvent)) == before


def test_a_correction_is_a_new_version_with_its_reason(projects_app: tuple[str, Any]) -> None:
    url, app = projects_app
    province = client(app, "province")
    form_page = province.get("/projects/PJ-C-01/correct")
    assert form_page.status_code == 200 and 'value="200000"' in form_page.text  # the current version filled in
    values = {
        name: value
        for name, value in re.findall(r'<input type="text"[^>]*name="([^"]+)" value="([^"]*)"', form_page.text)
    }
    assert values["capacity_t_per_a"] == "200000"
    no_reason = post(province, "/projects/PJ-C-01/correct", good_form(**{"site.city": "示范丙市"}))
    assert no_reason.status_code == 422 and field_errors(no_reason.text)["reason"] == "更正必须填写原因"
    assert count(url, ProjectVersion) == 3
    corrected = good_form(
        id="ignored",  # a project's code does not change
        **{"site.city": "示范丙市", "eia_status": "approved", "reason": "环评已批复，产能按批复文件更正"},
    )
    response = post(province, "/projects/PJ-C-01/correct", corrected)
    assert response.status_code == 303, response.text[:3000]
    with db.transaction(url) as session:
        history = use.history(session, SETUP, "PJ-C-01")
        reviews = session.scalars(select(ProjectReviewRun.version).order_by(ProjectReviewRun.id)).all()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["reason"] == "环评已批复，产能按批复文件更正"
    assert history["versions"][0]["record"]["capacity_t_per_a"] == 200000  # version 1 kept as it was
    assert history["versions"][1]["record"]["capacity_t_per_a"] == 150000
    assert list(reviews)[-1] == 2  # the corrected version was reviewed
    page = province.get("/projects/PJ-C-01").text
    assert 'data-version="2"' in page and 'data-version="1"' in page
    assert "环评已批复，产能按批复文件更正" in page and "capacity_t_per_a" in page


def test_upload_a_project_file_and_the_excel_list(projects_app: tuple[str, Any], tmp_path: Path) -> None:
    _url, app = projects_app
    province = client(app, "province")
    content = (EXAMPLES / "al_line_demo_built_2021.yaml").read_bytes()
    token = re.search(r'name="csrf_token" value="([^"]+)"', province.get("/projects/new").text)
    assert token
    response = province.post(
        "/projects/new",
        data={"csrf_token": token[1]},
        files={"file": ("al_line.yaml", content, "application/x-yaml")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/projects/EX-AL-DEMO-05"
    outside = content.replace(b"province: shaanxi", b"province: gansu")
    refused = province.post(
        "/projects/new",
        data={"csrf_token": token[1]},
        files={"file": ("other.yaml", outside.replace(b"EX-AL-DEMO-05", b"EX-OTHER"), "application/x-yaml")},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "不在您的辖区内" in refused.text
    workbook = province.get("/projects.xlsx")
    assert workbook.status_code == 200
    path = tmp_path / "projects.xlsx"
    path.write_bytes(workbook.content)
    book = openpyxl.load_workbook(path)
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert {"EX-AL-DEMO-05", "PJ-D-01", "PJ-C-01"} <= cells and "PJ-GS-01" not in cells
    assert "EX-OTHER" not in cells


def test_enterprise_users_and_verifiers_are_refused(projects_app: tuple[str, Any]) -> None:
    url, app = projects_app
    before = count(url, AuditEvent)
    for role in ("enterprise", "verifier"):
        test_client = client(app, role)
        for path in ("/projects", "/projects/new", "/projects/PJ-D-01", "/projects/PJ-D-01/correct", "/projects.xlsx"):
            assert test_client.get(path).status_code == 403, (role, path)
        for path in ("/projects/new", "/projects/PJ-D-01/review", "/projects/PJ-D-01/correct"):
            assert post(test_client, path, good_form(reason="x")).status_code == 403, (role, path)
    assert count(url, AuditEvent) == before


def test_a_city_regulator_reads_the_projects_of_its_city_only(projects_app: tuple[str, Any]) -> None:
    url, app = projects_app
    city = client(app, "city")
    listing = city.get("/projects").text
    assert "PJ-D-01" in listing and "PJ-C-01" not in listing and "PJ-GS-01" not in listing
    assert city.get("/projects/PJ-D-01").status_code == 200
    assert "/projects/PJ-D-01/correct" not in city.get("/projects/PJ-D-01").text  # reads only
    assert city.get("/projects/PJ-C-01").status_code == 403  # another city of the province
    assert city.get("/projects/PJ-GS-01").status_code == 403  # another province
    assert city.get("/projects/NO-SUCH").status_code == 404
    before = count(url, AuditEvent)
    assert post(city, "/projects/new", good_form()).status_code == 403
    assert post(city, "/projects/PJ-D-01/review").status_code == 403
    assert count(url, AuditEvent) == before
    province = client(app, "province")
    assert province.get("/projects/PJ-C-01").status_code == 200
    assert province.get("/projects/PJ-GS-01").status_code == 403


def test_review_again_and_link_the_built_project(projects_app: tuple[str, Any]) -> None:
    url, app = projects_app
    province = client(app, "province")
    bad = post(province, "/projects/PJ-C-01/review", {"period": "2023", "national_capacity": "a lot"})
    assert bad.status_code == 422 and "national_capacity" in field_errors(bad.text)
    response = post(province, "/projects/PJ-C-01/review", {"period": "2023", "national_capacity": "44,000,000"})
    assert response.status_code == 303
    with db.transaction(url) as session:
        run = session.scalars(select(ProjectReviewRun).order_by(ProjectReviewRun.id.desc())).first()
        assert run is not None and run.national_approved_capacity_t_per_a == 44_000_000
        assert run.period.isoformat() == "2023-01-01"
    alumina = post(province, "/projects/PJ-C-01/link", {"facility": "AO01"})  # a facility of another sector
    assert alumina.status_code == 422
    assert (
        field_errors(alumina.text)["facility"] == "设施 AO01 属于氧化铝行业；项目属于电解铝行业；应为 电解铝行业的设施"
    )
    english = post(province, "/projects/PJ-C-01/link?lang=en", {"facility": "AO01"})
    assert field_errors(english.text)["facility"] == (
        "facility AO01 is of sector alumina; the project is electrolytic_aluminium; expected a facility of sector "
        "electrolytic_aluminium"
    )
    linked = post(province, "/projects/PJ-C-01/link", {"facility": "AL02"})
    assert linked.status_code == 303, linked.text[:2000]
    page = province.get("/projects/PJ-C-01").text
    assert 'href="/facilities/AL02"' in page and 'data-testid="measured-message"' in page
    assert "已建成" in page
