"""The plausibility gate through the pages and the API: the absurd month of issue 13 (999,999,999 MWh of
electrolysis power for 8,000 t of aluminium) is refused by the month form, an upload and POST /api/v1/imports;
a month with warnings is saved as a draft that cannot be submitted until explained; coded fields are choices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from webhelpers import TOKENS, client, count_rows, filled_template, post, token_of

from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Fact

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ABSURD = {"output_t": "8000", "grid_electricity_mwh": "110000", "electrolysis_ac_mwh": "999999999"}
# 14,500 kWh/t (above the warning band 12,500-14,000) on AL03, a line of the demo enterprise E02
HIGH = {"output_t": "18000", "grid_electricity_mwh": "280000", "electrolysis_ac_mwh": "261000"}


def month_row(period: str, values: dict[str, str]) -> dict[str, object]:
    row: dict[str, object] = {
        "facility_id": "AL03",
        "sector": "electrolytic_aluminium",
        "region": "shaanxi",
        "period": period,
    }
    row.update({k: float(v) for k, v in values.items()})
    return row


def state(url: str, period: str) -> tuple[str, list[Any] | None, bool, str | None]:
    with db.transaction(url) as session:
        version = repo.versions_of(session, "AL03", period)[-1]
        held = session.scalar(select(Fact.held).where(Fact.version_id == version.id))
        return version.status, version.flags, bool(held), version.record.get("explanation")


def test_the_absurd_month_is_refused_by_the_form(fresh_app: Any, fresh_url: str) -> None:
    enterprise = client(fresh_app, "enterprise")
    versions = count_rows(fresh_url, "submission_version")
    refused = post(enterprise, "/reporting/form", {"facility_id": "AL03", "period": "2026-03", **ABSURD})
    assert refused.status_code == 422
    page = refused.text
    assert 'data-field-error="electrolysis_ac_mwh"' in page
    beside = page.split('data-field-error="electrolysis_ac_mwh">', 1)[1].split("</span>", 1)[0]
    assert "125,000,000 kWh/t" in beside and "11,000–16,000 kWh/t" in beside
    assert "超过本月可用电量 110,000 MWh" in page
    assert count_rows(fresh_url, "submission_version") == versions


def test_the_absurd_month_is_refused_by_an_upload_and_the_api(fresh_app: Any, fresh_url: str, tmp_path: Path) -> None:
    enterprise = client(fresh_app, "enterprise")
    path = filled_template(tmp_path, [month_row("2026-03", ABSURD)], sector="electrolytic_aluminium")
    versions = count_rows(fresh_url, "submission_version")
    with path.open("rb") as handle:
        response = enterprise.post(
            "/reporting/upload",
            data={"csrf_token": token_of(enterprise, "/reporting")},
            files={"file": (path.name, handle, XLSX)},
        )
    assert response.status_code == 422
    row = response.text.split('data-row="3"', 1)[1].split("</tr>", 1)[0]
    assert "125,000,000 kWh/t" in row and "11,000–16,000" in row

    api = TestClient(fresh_app)
    with path.open("rb") as handle:
        refused = api.post(
            "/api/v1/imports",
            headers={"Authorization": f"Bearer {TOKENS['enterprise']}", "Accept-Language": "en"},
            files={"file": (path.name, handle, XLSX)},
        )
    assert refused.status_code == 422
    details = refused.json()["details"]
    assert [(d["row"], d["field"]) for d in details] == [(3, "electrolysis_ac_mwh"), (3, "electrolysis_ac_mwh")]
    assert "125,000,000 kWh/t" in details[0]["message"]
    assert count_rows(fresh_url, "submission_version") == versions


def test_a_warning_month_is_a_draft_until_explained(fresh_app: Any, fresh_url: str) -> None:
    enterprise = client(fresh_app, "enterprise")
    month = {"facility_id": "AL03", "period": "2026-02", **HIGH}
    saved = post(enterprise, "/reporting/form", {**month, "submit": "1"})
    assert saved.status_code == 200  # the form again, saying what happened
    page = saved.text
    assert 'data-testid="plausibility-notice"' in page and "未报送" in page
    assert 'data-flag="ac_power_per_t"' in page and "14,500 kWh/t" in page
    status, flags, held, _ = state(fresh_url, "2026-02")
    assert status == "draft" and held is True
    assert {f["rule"] for f in flags or []} >= {"ac_power_per_t"}

    reopened = enterprise.get("/reporting/form?facility=AL03&period=2026-02").text
    assert 'data-testid="plausibility-flags"' in reopened and '<textarea name="explanation"' in reopened

    refused = post(enterprise, "/reporting/submit", {"month": "AL03@2026-02"}, headers={"Referer": "/reporting"})
    assert refused.status_code == 409 and "须填写情况说明后才能报送" in refused.text
    assert state(fresh_url, "2026-02")[0] == "draft"

    explained = post(enterprise, "/reporting/form", {**month, "explanation": "新系列槽启动，电耗偏高", "submit": "1"})
    assert explained.status_code == 303 and explained.headers["location"] == "/submissions/AL03/2026-02"
    status, flags, held, explanation = state(fresh_url, "2026-02")
    assert (status, explanation, held) == ("submitted", "新系列槽启动，电耗偏高", True)


def test_the_api_import_names_the_warnings_and_the_months_not_submitted(fresh_app: Any, tmp_path: Path) -> None:
    path = filled_template(tmp_path, [month_row("2026-02", HIGH)], sector="electrolytic_aluminium")
    api = TestClient(fresh_app)
    with path.open("rb") as handle:
        imported = api.post(
            "/api/v1/imports",
            headers={"Authorization": f"Bearer {TOKENS['enterprise']}"},
            data={"submit": "true"},
            files={"file": (path.name, handle, XLSX)},
        )
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["not_submitted"] == [["AL03", "2026-02", 1]]
    (flagged,) = body["flagged"]
    assert (flagged["facility"], flagged["period"], flagged["version"]) == ("AL03", "2026-02", 1)
    ac = next(f for f in flagged["flags"] if f["rule"] == "ac_power_per_t")
    assert ac["severity"] == "warning" and ac["params"]["figure"] == 14500 and "14,500 kWh/t" in ac["message"]


def test_coded_fields_are_choices_on_the_form_and_refused_otherwise(fresh_app: Any) -> None:
    enterprise = client(fresh_app, "enterprise")
    form = enterprise.get("/reporting/form?facility=AL03&period=2026-02").text
    technology = form.split('<select name="technology"', 1)[1].split("</select>", 1)[0]
    assert '<option value="PFPB_M"' in technology and "点式下料预焙槽（现代）" in technology
    method = form.split('<select name="method"', 1)[1].split("</select>", 1)[0]
    assert '<option value="cn-al-2024"' in method and "cn-nonferrous-2015" not in method
    assert '<select name="metering"' in form and '<select name="product"' in form
    refused = post(
        enterprise, "/reporting/form", {"facility_id": "AL03", "period": "2026-02", **HIGH, "technology": "X"}
    )
    assert refused.status_code == 422
    beside = refused.text.split('data-field-error="technology">', 1)[1].split("</span>", 1)[0]
    assert "可选" in beside and "PFPB_M" in beside and "HSS" in beside
