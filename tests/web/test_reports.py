"""The regulator's 碳达峰监测报告 on the demo province: made and downloaded from the web by the provincial
regulator (PDF and Word), regenerated from its stored data state to the identical SHA-256, signed off and
locked, its data moving on shown as a difference, provisional when months are not final, refused to
those outside the region without revealing it; the CLI and the monthly schedule."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from chinese_scan import latin_runs
from fastapi.testclient import TestClient
from sqlalchemy import select
from webhelpers import AS_OF, client, copy_db, make_app, post

from carbonpeak.services import access
from carbonpeak.services import reports as use
from carbonpeak.store import db
from carbonpeak.store.accounts import User
from carbonpeak.store.models import Warning
from carbonpeak.store.reports.models import ReportFile

TITLE = "碳达峰监测报告（月报）"


@pytest.fixture(scope="module")
def made(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of the demo with the provincial regulator's monthly report of 2025-09, made from the web."""
    url = copy_db(demo_template, tmp_path_factory.mktemp("reports"), "reports.db")
    app = make_app(url, today=AS_OF.isoformat())
    province = client(app, "province")
    response = post(province, "/reports", {"kind": "carbon_peak_monthly", "region": "demo", "period": "2025-09"})
    assert response.status_code == 303, response.text[:2000]
    report_id = int(response.headers["location"].rsplit("/", 1)[1])
    return {"url": url, "app": app, "province": province, "id": report_id}


def principal(url: str, username: str) -> access.Principal:
    with db.transaction(url, mode="read") as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return access.principal_for(session, user)


def stored_hashes(url: str, report_id: int) -> dict[str, str]:
    with db.transaction(url, mode="read") as session:
        rows = session.scalars(select(ReportFile).where(ReportFile.report_id == report_id))
        return {f.format: f.sha256 for f in rows}


def test_the_provincial_regulator_downloads_the_monthly_report_as_pdf_and_word(made: dict[str, Any]) -> None:
    import docx
    from pypdf import PdfReader

    province: TestClient = made["province"]
    page = province.get(f"/reports/{made['id']}")
    assert page.status_code == 200 and TITLE in page.text
    assert not latin_runs(page.text), latin_runs(page.text)
    listing = province.get("/reports")
    assert f"/reports/{made['id']}/download/pdf" in listing.text and not latin_runs(listing.text)
    pdf = province.get(f"/reports/{made['id']}/download/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    first = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace(" ", "")
    assert TITLE in first and "示范省" in first and "临时报告" not in first  # 2025-09 is verified: final
    word = province.get(f"/reports/{made['id']}/download/docx")
    assert word.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert TITLE in [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    # the overview links to the newest stored monthly report
    overview = province.get("/overview?region=demo")
    assert 'data-testid="overview-report-pdf"' in overview.text
    latest = province.get("/reports/latest?region=demo&kind=carbon_peak_monthly&format=docx", follow_redirects=False)
    assert latest.headers["location"] == f"/reports/{made['id']}/download/docx"
    # the appendix lists every figure's provenance with the platform's "how was this made" page
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "附录二" in text
    links = {a.get_object()["/A"]["/URI"] for p in reader.pages for a in p.get("/Annots", [])}
    assert "http://testserver/overview/breakdown?figure=emissions_location_tco2e&region=demo&year=2025&month=9" in links
    assert any(link.startswith("http://testserver/pathways?region=demo") for link in links)


def test_a_stored_report_regenerates_from_its_data_state_to_the_identical_hash(made: dict[str, Any]) -> None:
    who = principal(made["url"], "province")
    with db.transaction(made["url"], mode="read") as session:
        check = use.regenerate(session, who, made["id"])
    assert not check.data_changed and check.changes == []
    assert check.from_document == {"docx": True, "pdf": True, "xlsx": True}  # from the stored figures
    assert check.from_store == {"docx": True, "pdf": True, "xlsx": True}  # recomputed from the store
    assert check.reproduced


def test_a_report_outside_the_scope_is_refused_and_nothing_of_it_is_revealed(made: dict[str, Any]) -> None:
    app = made["app"]
    city = client(app, "city")  # a city's regulator: the province's report is not theirs
    enterprise = client(app, "enterprise")
    for who, path, status in (
        (city, f"/reports/{made['id']}", 404),
        (city, f"/reports/{made['id']}/download/pdf", 404),
        (city, f"/api/v1/reports/{made['id']}", 404),
        (city, f"/api/v1/reports/{made['id']}/files/pdf", 404),
        (enterprise, f"/reports/{made['id']}", 404),  # a region's report is outside an enterprise's scope
        (enterprise, f"/reports/{made['id']}/download/docx", 404),
        (enterprise, "/reports/latest?region=demo", 403),
    ):
        response = who.get(path)
        assert response.status_code == status, (path, response.status_code)
        assert TITLE not in response.text and "示范省" not in response.text and "2025-09" not in response.text, path
    nowhere = city.get("/reports/999999")  # the same answer as for a report that does not exist
    assert nowhere.status_code == 404
    assert city.get("/api/v1/reports").json() == []  # the list holds only the city's own reports
    assert enterprise.get("/api/v1/reports").json() == []  # and an enterprise's only its own
    listed = enterprise.get("/reports")
    assert listed.status_code == 200 and 'data-testid="report-make"' not in listed.text  # no region's report
    assert (
        post(enterprise, "/reports", {"kind": "carbon_peak_monthly", "region": "demo", "period": "2025-09"}).status_code
        == 403
    )
    mine = made["province"].get("/api/v1/reports").json()
    assert [r["id"] for r in mine] == [made["id"]] and mine[0]["files"][0]["sha256"]
    detail = made["province"].get(f"/api/v1/reports/{made['id']}").json()  # with its data state
    state = detail["data_state"]
    assert state["as_of"] == AS_OF.isoformat() and "electricity.grid_factor" in state["parameters"]
    assert ["AL03", "2025-09", 1, "counted"] in state["months"]
    refused = post(city, f"/reports/{made['id']}/signoff")
    assert refused.status_code == 404


def test_a_signed_report_is_locked_and_a_change_of_data_shows_the_difference(made: dict[str, Any]) -> None:
    url, province = made["url"], made["province"]
    before = stored_hashes(url, made["id"])
    signed = post(province, f"/reports/{made['id']}/signoff")
    assert signed.status_code == 303
    page = province.get(f"/reports/{made['id']}")
    assert "已签发并锁定" in page.text or "锁定" in page.text
    assert 'data-testid="report-signoff"' not in page.text
    again = province.post(f"/api/v1/reports/{made['id']}/signoff", headers={"X-CSRF-Token": _csrf(province)})
    assert again.status_code == 409 and "签发" in again.json()["message"]  # reports.already_signed
    # the data move on: a warning of the region is closed after the report was signed
    with db.transaction(url) as session:
        warning = session.scalar(select(Warning).where(Warning.status != "closed", Warning.facility_code == "AL03"))
        assert warning is not None
        warning.status = "closed"
    checked = province.post(f"/api/v1/reports/{made['id']}/regenerate", headers={"X-CSRF-Token": _csrf(province)})
    body = checked.json()
    assert body["data_changed"] is True and body["reproduced"] is True
    assert {c["part"] for c in body["changes"]} == {"warnings"}
    assert body["from_document"] == {"docx": True, "pdf": True, "xlsx": True}  # the signed files, to the byte
    shown = post(province, f"/reports/{made['id']}/check")
    assert shown.status_code == 200 and 'data-testid="report-changes"' in shown.text and "预警" in shown.text
    assert stored_hashes(url, made["id"]) == before  # locked: never changed
    who = principal(url, "province")
    with db.transaction(url) as session:
        assert use.get(session, who, made["id"]).status == "signed"


def _csrf(test_client: TestClient) -> str:
    from webhelpers import token_of

    return token_of(test_client, "/reports")


def test_a_year_with_unverified_months_is_provisional_on_its_first_page(made: dict[str, Any], tmp_path: Path) -> None:
    """The CLI's yearly report of 2025 (October to December are submitted, not verified), written whole."""
    from pypdf import PdfReader
    from typer.testing import CliRunner

    from carbonpeak.cli import app as cli

    out = tmp_path / "yearly.pdf"
    run = CliRunner().invoke(
        cli,
        [
            "report",
            "yearly",
            "--region",
            "demo",
            "--year",
            "2025",
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(out),
            "--db",
            made["url"],
            "--as",
            "province",
        ],
    )
    assert run.exit_code == 0, run.output
    assert "临时报告" in run.output
    first = PdfReader(str(out)).pages[0].extract_text().replace(" ", "")
    assert "碳达峰监测报告（年报）" in first and "临时报告" in first
    assert re.search(r"2025-1[0-2]：\d+个设施月已报送、尚未核查", first), first
    listed = CliRunner().invoke(cli, ["report", "list", "--db", made["url"], "--region", "demo"])
    assert listed.exit_code == 0 and "carbon_peak_yearly" in listed.output and "临时" in listed.output
    assert "碳达峰监测报告（年报）" in listed.output  # the kind by its name
    regenerated = CliRunner().invoke(cli, ["report", "regenerate", str(made["id"]), "--db", made["url"]])
    assert "逐字节一致" in regenerated.output, regenerated.output


def test_a_period_not_ended_or_without_data_is_refused_with_a_coded_error(made: dict[str, Any]) -> None:
    province = made["province"]
    for period, code in (("2026-01", "尚未结束"), ("2019-05", "没有计入的数据"), ("2025-13", "无法识别")):
        response = province.post(
            "/api/v1/reports",
            json={"kind": "carbon_peak_monthly", "region": "demo", "period": period},
            headers={"X-CSRF-Token": _csrf(province)},
        )
        assert response.status_code == 422, (period, response.text)
        assert code in response.json()["message"], response.json()


def test_the_monthly_schedule_makes_last_months_report_once(made: dict[str, Any]) -> None:
    from carbonpeak.services.reports_daily import run_monthly

    day = dt.date(2025, 10, 5)  # makes 2025-09 of one city, judged on 5 October
    first = run_monthly(made["url"], "system:reports", day=day, regions=["demo-a"])
    assert first.job is not None and len(first.made) == 1 and not first.failed, first
    second = run_monthly(made["url"], "system:reports", day=day.replace(day=20), regions=["demo-a"])
    assert second.job is None and second.skipped == "done"  # the month's run is done
    who = principal(made["url"], "province")
    with db.transaction(made["url"], mode="read") as session:
        report = use.get(session, who, first.made[0])
    assert report.trigger == "schedule" and report.region == "demo-a" and report.period == "2025-09"
