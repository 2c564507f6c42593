"""Reporting through the pages: template, an upload with errors (nothing written, every error next to its
row), a good upload, submit, verify, lock, a correction showing both versions and its reason."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from webhelpers import client, count_rows, filled_template, post, ra05_month, token_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(test_client: TestClient, path: Path, submit: bool = False) -> Any:
    data = {"csrf_token": token_of(test_client, "/reporting")}
    if submit:
        data["submit"] = "1"
    with path.open("rb") as handle:
        return test_client.post(
            "/reporting/upload", data=data, files={"file": (path.name, handle, XLSX)}, follow_redirects=False
        )


def test_template_download_offers_the_enterprises_facilities(clients: dict[str, TestClient]) -> None:
    response = clients["enterprise"].get("/reporting/template?sector=recycled_aluminium&lang=en")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    lists = " ".join(str(c.value) for row in book["lists"].iter_rows() for c in row if c.value)
    assert "RA05" in lists
    assert clients["enterprise"].get("/reporting/template?sector=steel").status_code == 404


def test_upload_with_errors_writes_nothing_and_shows_each_error_beside_its_row(
    fresh_app: Any, fresh_url: str, tmp_path: Path
) -> None:
    enterprise = client(fresh_app, "enterprise")
    rows = [
        ra05_month("2024-08"),
        ra05_month("2024-09", output_t="lots"),  # not a number
        ra05_month("2024-10", output_t=-5),  # below the allowed minimum
    ]
    path = filled_template(tmp_path, rows)
    versions, uploads = count_rows(fresh_url, "submission_version"), count_rows(fresh_url, "upload")
    response = upload(enterprise, path)
    assert response.status_code == 422
    page = response.text
    assert 'data-testid="upload-errors"' in page and "未保存任何数据" in page
    assert 'data-row="4"' in page and 'data-row="5"' in page
    row4 = page.split('data-row="4"', 1)[1].split("</tr>", 1)[0]
    assert "不是数字" in row4 and "lots" in row4
    row5 = page.split('data-row="5"', 1)[1].split("</tr>", 1)[0]
    assert "数值低于下限" in row5 and "-5" in row5
    row3 = page.split('data-row="3"', 1)[1].split("</tr>", 1)[0]
    assert "row-ok" in page.split('data-row="3"', 1)[0].rsplit("<tr", 1)[1] and "✓" in row3
    assert count_rows(fresh_url, "submission_version") == versions and count_rows(fresh_url, "upload") == uploads
    # the annotated copy of the workbook can be downloaded by this session only
    assert 'data-testid="annotated"' in page
    link = page.split('href="/reporting/rejected/', 1)[1].split('"', 1)[0]
    copy = enterprise.get(f"/reporting/rejected/{link}")
    assert copy.status_code == 200 and copy.content[:2] == b"PK"
    assert client(fresh_app, "admin").get(f"/reporting/rejected/{link}").status_code == 403
    # a facility code the person may not report for (here: none registered) gets that answer only
    unknown = upload(enterprise, filled_template(tmp_path, [ra05_month("2024-08", facility_id="NOPE")]))
    assert unknown.status_code == 422
    row3 = unknown.text.split('data-row="3"', 1)[1].split("</tr>", 1)[0]
    assert "不是您可以填报的设施" in row3 and "NOPE" in row3
    assert count_rows(fresh_url, "submission_version") == versions


def test_upload_naming_another_enterprises_facility_is_refused(fresh_app: Any, fresh_url: str, tmp_path: Path) -> None:
    enterprise = client(fresh_app, "enterprise")
    foreign = ra05_month("2026-01", facility_id="RA01")  # RA01 belongs to another enterprise
    response = upload(enterprise, filled_template(tmp_path, [ra05_month("2024-09"), foreign]))
    assert response.status_code == 422, response.text[:500]
    assert "不是您可以填报的设施" in response.text
    assert count_rows(fresh_url, "upload") == 0 or "RA01" not in enterprise.get("/reporting").text


def test_upload_submit_verify_lock_and_correct(fresh_app: Any, fresh_url: str, tmp_path: Path) -> None:
    enterprise = client(fresh_app, "enterprise")
    response = upload(enterprise, filled_template(tmp_path, [ra05_month("2024-09"), ra05_month("2024-10")]))
    assert response.status_code == 201, response.text[:1000]
    assert 'data-testid="upload-ok"' in response.text and "已保存 2 个月份" in response.text
    # the same file again adds nothing: both months are reported unchanged
    again = upload(enterprise, filled_template(tmp_path, [ra05_month("2024-09"), ra05_month("2024-10")]))
    assert again.status_code == 201 and "已保存 0 个月份" in again.text and "2 个月份未变" in again.text
    # both months wait as drafts; submit them together
    drafts = enterprise.get("/reporting").text
    assert "RA05@2024-09" in drafts and "RA05@2024-10" in drafts
    token = token_of(enterprise, "/reporting")
    submitted = enterprise.post(
        "/reporting/submit",
        data={"csrf_token": token, "month": ["RA05@2024-09", "RA05@2024-10"]},
        follow_redirects=False,
    )
    assert submitted.status_code == 303
    assert "已报送 2 个月份" in enterprise.get("/reporting").text
    # the enterprise cannot verify its own month; the verifier can, then lock it
    assert post(enterprise, "/submissions/RA05/2024-09/verify").status_code == 403
    verifier = client(fresh_app, "verifier")
    queue = verifier.get("/verification").text
    assert "/submissions/RA05/2024-09" in queue
    assert post(verifier, "/submissions/RA05/2024-09/verify", {"opinion": "产量与过磅记录一致"}).status_code == 303
    assert post(verifier, "/submissions/RA05/2024-09/lock").status_code == 303
    again = post(verifier, "/submissions/RA05/2024-09/lock")
    assert again.status_code == 409 and "只有“已核查”的版本才能变为“已锁定”" in again.text
    month = enterprise.get("/submissions/RA05/2024-09").text
    assert "已锁定" in month and 'data-testid="step-submit"' not in month
    # a correction with a reason: a new version, both shown with the reason and the changed field
    corrected = filled_template(tmp_path, [ra05_month("2024-09", output_t=2100)])
    with corrected.open("rb") as handle:
        no_reason = enterprise.post(
            "/submissions/RA05/2024-09/correct",
            data={"csrf_token": token_of(enterprise, "/reporting"), "reason": " "},
            files={"file": ("c.xlsx", handle, XLSX)},
            follow_redirects=False,
        )
    assert no_reason.status_code == 422 and "更正必须填写原因" in no_reason.text
    with corrected.open("rb") as handle:
        done = enterprise.post(
            "/submissions/RA05/2024-09/correct",
            data={"csrf_token": token_of(enterprise, "/reporting"), "reason": "产量按过磅单更正"},
            files={"file": ("c.xlsx", handle, XLSX)},
            follow_redirects=False,
        )
    assert done.status_code == 303, done.text[:1000]
    page = enterprise.get("/submissions/RA05/2024-09").text
    assert 'data-testid="version-2"' in page and 'data-testid="version-1"' in page
    assert "产量按过磅单更正" in page
    assert "2,000" in page and "2,100" in page  # before and after
    provenance = enterprise.get("/submissions/RA05/2024-09/provenance?version=2&figure=total_location_tco2e")
    assert provenance.status_code == 200 and 'data-testid="highlighted-figure"' in provenance.text


def test_a_verifier_cannot_report_and_a_regulator_cannot_verify(fresh_app: Any, tmp_path: Path) -> None:
    verifier = client(fresh_app, "verifier")
    assert upload(verifier, filled_template(tmp_path, [ra05_month("2024-09")])).status_code == 403
    province = client(fresh_app, "province")
    assert post(province, "/submissions/AL03/2025-12/verify").status_code == 403


def test_api_import_and_workflow_with_a_token(fresh_app: Any, fresh_url: str, tmp_path: Path) -> None:
    from webhelpers import TOKENS

    api = TestClient(fresh_app)
    enterprise = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    verifier = {"Authorization": f"Bearer {TOKENS['verifier']}"}
    bad = filled_template(tmp_path, [ra05_month("2024-09", output_t="x")])
    with bad.open("rb") as handle:
        refused = api.post("/api/v1/imports", headers=enterprise, files={"file": ("bad.xlsx", handle, XLSX)})
    assert refused.status_code == 422
    details = refused.json()["details"]
    assert details[0]["row"] == 3 and details[0]["field"] == "output_t"
    good = filled_template(tmp_path, [ra05_month("2024-09")])
    with good.open("rb") as handle:
        imported = api.post(
            "/api/v1/imports", headers=enterprise, data={"submit": "true"}, files={"file": ("good.xlsx", handle, XLSX)}
        )
    assert imported.status_code == 201, imported.text
    assert imported.json()["versions"] == [["RA05", "2024-09", 1]]
    assert api.post("/api/v1/submissions/RA05/2024-09/verify", headers=enterprise).status_code == 403
    verified = api.post("/api/v1/submissions/RA05/2024-09/verify", headers=verifier, json={"opinion": "一致"})
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    conflict = api.post("/api/v1/submissions/RA05/2024-09/verify", headers=verifier, json={"opinion": "一致"})
    assert conflict.status_code == 409 and conflict.json()["error"] == "conflict"
    detail = api.get("/api/v1/submissions/RA05/2024-09", headers=verifier).json()
    assert [a["action"] for a in detail["audit"]][-3:] == ["save", "submit", "verify"]


def test_a_month_in_a_form_with_errors_beside_fields_then_saved(fresh_app: Any, fresh_url: str) -> None:
    enterprise = client(fresh_app, "enterprise")
    page = enterprise.get("/reporting/form?facility=RA05&period=2024-09")
    assert page.status_code == 200 and 'name="output_t"' in page.text and 'name="fuel:natural_gas"' in page.text
    versions = count_rows(fresh_url, "submission_version")
    month = {"facility_id": "RA05", "period": "2024-09", "output_t": "-3", "scrap_input_t": "2150"}
    bad = post(enterprise, "/reporting/form", month)
    assert bad.status_code == 422 and 'data-field-error="output_t"' in bad.text
    assert "数值低于下限" in bad.text and count_rows(fresh_url, "submission_version") == versions
    month.update(output_t="2000", grid_electricity_mwh="260", **{"fuel:natural_gas": "15"})
    good = post(enterprise, "/reporting/form", month)
    assert good.status_code == 303 and good.headers["location"] == "/submissions/RA05/2024-09"
    shown = enterprise.get("/submissions/RA05/2024-09").text
    assert "草稿" in shown and "2,000" in shown
    refilled = enterprise.get("/reporting/form?facility=RA05&period=2024-09").text
    assert 'name="output_t" value="2000' in refilled.replace("2000.0", "2000")
    assert enterprise.get("/reporting/form?facility=AO01&period=2024-09").status_code == 403


def test_a_workbook_with_macros_is_refused_and_never_kept(fresh_app: Any, fresh_url: str, tmp_path: Path) -> None:
    """D17: a good month in a workbook that carries a VBA project is refused with its reason; no version, no
    evidence file (nothing keeps the macros to hand back)."""
    import zipfile

    enterprise = client(fresh_app, "enterprise")
    path = filled_template(tmp_path, [ra05_month("2024-09")])
    with zipfile.ZipFile(path, "a") as book:
        book.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 VBA project")
    macro = path.rename(path.with_suffix(".xlsm"))
    versions, uploads = count_rows(fresh_url, "submission_version"), count_rows(fresh_url, "upload")
    response = upload(enterprise, macro)
    assert response.status_code == 422
    assert "带宏的工作簿" in response.text
    assert count_rows(fresh_url, "submission_version") == versions and count_rows(fresh_url, "upload") == uploads
    clean = filled_template(tmp_path / "clean", [ra05_month("2024-09")])
    assert upload(enterprise, clean).status_code == 201  # the same month without macros is taken
