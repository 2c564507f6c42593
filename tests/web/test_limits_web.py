"""Probe D7 through the web: a free text over its limit is refused with the field and the limit named, from
a page and from the API, and nothing is stored (a 5,000,000-character warning note was stored before)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from webhelpers import TOKENS, client, count_rows, filled_template, ra05_month, token_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_huge_warning_note_from_the_api_is_refused_and_not_stored(fresh_app: Any, fresh_url: str) -> None:
    api = TestClient(fresh_app, headers={"Authorization": f"Bearer {TOKENS['province']}"})
    wid = api.get("/api/v1/warnings?kind=late_submission").json()[0]["id"]
    events = count_rows(fresh_url, "warning_event")
    refused = api.post(f"/api/v1/warnings/{wid}/close", json={"note": "n" * 5_000_000})
    assert refused.status_code == 422 and refused.json()["details"][0]["field"].endswith("note")
    assert count_rows(fresh_url, "warning_event") == events
    assert api.post(f"/api/v1/warnings/{wid}/close", json={"note": "n" * 2000}).status_code == 200


def test_a_correction_reason_over_its_limit_is_refused_beside_the_field(fresh_app: Any, tmp_path: Path) -> None:
    enterprise = client(fresh_app, "enterprise")
    workbook = filled_template(tmp_path, [ra05_month("2024-09", output_t=2100)])  # its content is never read
    with workbook.open("rb") as handle:
        refused = enterprise.post(
            "/submissions/AL03/2024-03/correct",  # the reason is checked before the file is read
            data={"csrf_token": token_of(enterprise, "/reporting"), "reason": "因" * 2001},
            files={"file": ("c.xlsx", handle, XLSX)},
            follow_redirects=False,
        )
    assert refused.status_code == 422 and "最多 2000 个字符（现为 2001 个）" in refused.text


def test_a_proposal_note_over_its_limit_is_refused_by_the_api(fresh_app: Any, fresh_url: str) -> None:
    api = TestClient(fresh_app, headers={"Authorization": f"Bearer {TOKENS['enterprise']}"})
    before = count_rows(fresh_url, "facility_change_proposal")
    refused = api.post(
        "/api/v1/proposals", json={"facility": "RA05", "changes": {"technology": "X"}, "note": "n" * 2001}
    )
    assert refused.status_code == 422, refused.text[:500]
    body = refused.json()
    assert any(d["code"] == "limits.too_long" and d["field"] == "note" for d in body["details"]), body
    assert count_rows(fresh_url, "facility_change_proposal") == before
