"""The REST API: tokens, the OpenAPI document, reads within scope, actions, JSON errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from webhelpers import OTHER_FACILITY, TOKENS, client, post

from carbonpeak.web.routes import all_routes


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


def test_openapi_document_lists_every_api_route(shared_app: Any) -> None:
    anonymous = TestClient(shared_app)
    schema = anonymous.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "carbonpeak"
    api_paths = {r.path for r in all_routes(shared_app) if r.path.startswith("/api/v1/")}
    api_paths -= {"/api/v1/openapi.json", "/api/v1/docs"}
    assert api_paths == set(schema["paths"])
    assert all(not path.startswith("/api") for path in ("/overview",) if path in schema["paths"])
    docs = anonymous.get("/api/v1/docs")
    assert docs.status_code == 200 and "/api/v1/submissions/{facility}/{period}/provenance" in docs.text


def test_tokens_identify_their_account(shared_app: Any) -> None:
    api = TestClient(shared_app)
    me = api.get("/api/v1/me", headers=bearer("verifier")).json()
    assert me["role"] == "verifier" and me["enterprises"] == ["E01", "E02"]
    assert api.get("/api/v1/me").status_code == 401
    wrong = api.get("/api/v1/me", headers={"Authorization": "Bearer cp_not-a-token"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"


def test_reads_are_within_scope(shared_app: Any) -> None:
    api = TestClient(shared_app)
    facilities = {f["code"] for f in api.get("/api/v1/facilities", headers=bearer("enterprise")).json()}
    assert facilities == {"AL03", "AL04", "AP02", "RA05"}
    city = {f["code"] for f in api.get("/api/v1/facilities", headers=bearer("city")).json()}
    assert "AL03" in city and "AO01" not in city and OTHER_FACILITY not in city
    admin = {f["code"] for f in api.get("/api/v1/facilities", headers=bearer("admin")).json()}
    assert OTHER_FACILITY in admin
    months = api.get("/api/v1/submissions?facility=AL03&year=2024", headers=bearer("verifier")).json()
    assert len(months) == 12 and months[2]["period"] == "2024-03" and months[2]["total_location_tco2e"] > 0
    assert api.get("/api/v1/submissions?facility=AO01", headers=bearer("verifier")).status_code == 403


def test_month_detail_and_provenance(shared_app: Any) -> None:
    api = TestClient(shared_app)
    detail = api.get("/api/v1/submissions/AL03/2024-03", headers=bearer("enterprise")).json()
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert detail["versions"][1]["reason"]
    made = api.get("/api/v1/submissions/AL03/2024-03/provenance?version=1", headers=bearer("enterprise")).json()
    assert made["version"] == 1 and made["explanation"]["method"]
    cited = [p for term in made["explanation"]["terms"] for p in term["parameters"]]
    assert cited and all("source" in p and "confidence" in p for p in cited)
    assert made["parameter_snapshot"] and made["recomputed_differs"] is False


def test_indicators_targets_benchmark_and_parameters(shared_app: Any) -> None:
    api = TestClient(shared_app)
    indicators = api.get("/api/v1/indicators?year=2024", headers=bearer("province")).json()
    names = {row["indicator"] for row in indicators["indicators"]}
    assert {"energy_tce", "emissions_location_tco2e"} <= names
    targets = api.get("/api/v1/targets?plan=shaanxi_nonferrous&year=2024", headers=bearer("province")).json()
    assert {t["id"] for t in targets["targets"]} >= {"SN-01", "SN-02"}
    assert api.get("/api/v1/targets?plan=nope", headers=bearer("province")).status_code == 404
    assert api.get("/api/v1/indicators", headers=bearer("enterprise")).status_code == 403
    board = api.get("/api/v1/benchmark?year=2024", headers=bearer("enterprise")).json()
    assert {row["facility_id"] for row in board["classes"]} <= {"AL03", "AL04"}
    family = api.get("/api/v1/parameters/electricity.grid_factor", headers=bearer("enterprise")).json()
    assert family["entries"] and "source_document" in family["entries"][0]


def test_warning_actions_through_the_api(fresh_app: Any) -> None:
    api = TestClient(fresh_app)
    listed = api.get("/api/v1/warnings?kind=late_submission", headers=bearer("province")).json()
    wid = listed[0]["id"]
    done = api.post(f"/api/v1/warnings/{wid}/assign", headers=bearer("province"), json={"assignee": "city"})
    assert done.status_code == 200 and done.json()["status"] == "assigned"
    assert [e["action"] for e in done.json()["history"]] == ["raise", "assign"]
    refused = api.post(f"/api/v1/warnings/{wid}/assign", headers=bearer("province"), json={})
    assert refused.status_code == 409 and refused.json()["details"][0]["field"] == "assignee"
    assert api.post(f"/api/v1/warnings/{wid}/close", headers=bearer("enterprise")).status_code == 403
    assert api.post(f"/api/v1/warnings/{wid}/explode", headers=bearer("province")).status_code == 422


def test_a_browser_session_uses_the_api_with_its_csrf_header(fresh_app: Any) -> None:
    browser = client(fresh_app, "province")
    assert browser.get("/api/v1/me").json()["username"] == "province"
    listed = browser.get("/api/v1/warnings").json()
    wid = listed[0]["id"]
    assert browser.post(f"/api/v1/warnings/{wid}/acknowledge", json={}).status_code == 403
    token = browser.get("/account").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    ok = browser.post(f"/api/v1/warnings/{wid}/acknowledge", json={}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200


def test_tokens_made_and_revoked_on_the_account_page(fresh_app: Any) -> None:
    browser = client(fresh_app, "city")
    made = post(browser, "/account/tokens", {"name": "script", "days": "30"})
    assert made.status_code == 201
    token = made.text.split('data-testid="new-token">', 1)[1].split("<", 1)[0]
    api = TestClient(fresh_app)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert post(browser, "/account/tokens", {"name": "", "days": "999"}).status_code == 422
    token_id = browser.get("/account").text.split("/account/tokens/")[-1].split("/revoke", 1)[0]
    assert post(browser, f"/account/tokens/{token_id}/revoke").status_code == 303
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
