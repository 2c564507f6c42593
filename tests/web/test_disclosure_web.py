"""Disclosure (docs/disclosure.md) on the web, the API and the command line, on a copy of the web test
database: the enterprise states its surrender, makes and publishes its MEE disclosure; anyone reads the
public page and the PDF without an account; an unpublished report, another enterprise's page and an
unknown code give the same neutral *not found*; the regulator's deadline list; the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webhelpers import TOKENS, client, copy_db, make_app, post

from carbonpeak.cli import app as cli_app

TODAY = "2026-03-10"


@pytest.fixture(scope="module")
def site(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = copy_db(demo_template, tmp_path_factory.mktemp("disclosure"), "disclosure.db")
    app = make_app(url, today=TODAY)
    return {"url": url, "app": app, "enterprise": client(app, "enterprise"), "province": client(app, "province")}


def test_enterprise_states_makes_and_publishes(site: dict[str, Any]) -> None:
    ent = site["enterprise"]
    page = ent.get("/disclosure")
    assert page.status_code == 200 and "2026年3月15日" in page.text and "未填报" in page.text
    bad = post(
        ent, "/disclosure/allowance", {"enterprise": "E02", "year": "2025", "status": "x", "surrendered_tco2e": "-1"}
    )
    assert bad.status_code == 422 and "配额清缴状态" in bad.text and "清缴配额量" in bad.text
    done = post(
        ent,
        "/disclosure/allowance",
        {"enterprise": "E02", "year": "2025", "status": "completed", "surrendered_tco2e": "1000"},
    )
    assert done.status_code == 303
    made = post(ent, "/disclosure/make", {"enterprise": "E02", "year": "2025", "kind": "disclosure_mee"})
    assert made.status_code == 303, made.text[:1000]
    page = ent.get(made.headers["location"])
    assert "已足额清缴" in page.text and 'data-testid="publish"' in page.text
    report_id = int(page.text.split('action="/disclosure/publish/')[1].split('"')[0])
    anonymous = TestClient(site["app"])
    hidden = anonymous.get("/public/disclosure/E02")
    assert hidden.status_code == 404  # made, not yet published
    assert post(site["province"], f"/disclosure/publish/{report_id}").status_code == 403  # the regulator does not file
    published = post(ent, f"/disclosure/publish/{report_id}")
    assert published.status_code == 303
    public = anonymous.get("/public/disclosure/E02")
    assert public.status_code == 200 and "环境信息依法披露：碳排放信息" in public.text and "范围一" in public.text
    pdf = anonymous.get(f"/public/disclosure/E02/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    api = anonymous.get("/api/v1/public/disclosure/E02").json()
    assert [r["id"] for r in api] == [report_id] and api[0]["pdf"].endswith(f"/{report_id}.pdf")


def test_the_public_page_reveals_nothing_unpublished(site: dict[str, Any]) -> None:
    ent = site["enterprise"]
    made = post(ent, "/disclosure/make", {"enterprise": "E02", "year": "2025", "kind": "disclosure_climate"})
    assert made.status_code == 303
    anonymous = TestClient(site["app"])
    page = anonymous.get("/public/disclosure/E02").text
    assert "应对气候变化" not in page  # the climate section was made, never published
    answers = [anonymous.get(f"/public/disclosure/{code}") for code in ("E05", "NOPE")]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].text.replace("E05", "X") == answers[1].text.replace("NOPE", "X")  # the same neutral page
    assert "示范" not in answers[0].text  # no enterprise name
    assert anonymous.get("/public/disclosure/E05/reports/1.pdf").status_code == 404
    assert anonymous.get("/api/v1/public/disclosure/NOPE").status_code == 404


def test_regulator_deadline_list_and_api(site: dict[str, Any]) -> None:
    page = site["province"].get("/disclosure?year=2025")
    assert page.status_code == 200 and "示范丙市能源铝业有限公司" in page.text and "尚未发布" in page.text
    answer = TestClient(site["app"]).get(
        "/api/v1/disclosure/deadlines?year=2025", headers={"Authorization": f"Bearer {TOKENS['province']}"}
    )
    rows = {r["enterprise"]: r for r in answer.json()["rows"]}
    assert answer.status_code == 200 and rows["E01"]["state"] == "not_yet"  # judged on 10 March 2026
    # E02 published above: the day it was signed is the clock's, not the fixed day of the app's setting
    assert rows["E02"]["published_on"] and rows["E02"]["state"] in ("on_time", "late")
    assert site["enterprise"].get("/api/v1/disclosure/deadlines").status_code == 403
    own = site["enterprise"].get("/api/v1/enterprises/E02/disclosure/2025").json()
    assert own["due"] == "2026-03-15" and own["statement"]["status"] == "completed"
    assert site["enterprise"].get("/api/v1/enterprises/E05/disclosure/2025").status_code == 404


def test_cli_deadlines_and_flag(site: dict[str, Any]) -> None:
    runner = CliRunner()
    flagged = runner.invoke(
        cli_app, ["disclosure", "flag", "--enterprise", "E05", "--reason", "重点排污单位", "--db", site["url"]]
    )
    assert flagged.exit_code == 0, flagged.output
    listed = runner.invoke(
        cli_app, ["disclosure", "deadlines", "--year", "2025", "--as-of", "2026-12-01", "--db", site["url"]]
    )
    assert listed.exit_code == 0, listed.output
    assert "E05" in listed.output and "已逾期未发布" in listed.output and "监管部门标记" in listed.output
    wrong = runner.invoke(
        cli_app,
        ["disclosure", "allowance", "--enterprise", "E02", "--year", "2025", "--status", "x", "--db", site["url"]],
    )
    assert wrong.exit_code == 2
