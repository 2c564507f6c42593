"""The access-control walk: every route of the app, as every role and anonymously, on objects inside
and outside each role's scope. Nobody reads or writes what is not theirs.

Routes are enumerated from the app, so a new route is walked as soon as it exists; it must be given
its expected audience in ``AUDIENCE`` below (the test fails until it is), which is written here by
hand from the issue's rules, independently of :mod:`carbonpeak.services.access`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from test_projects_page import seed_walk_projects
from webhelpers import OTHER_FACILITY, ROLES, client, copy_db, make_app, token_of

from carbonpeak.store import db
from carbonpeak.store.accounts import ApiToken, User
from carbonpeak.store.models import AuditEvent, SubmissionVersion, Warning, WarningEvent
from carbonpeak.web.routes import all_routes

EVERYONE = frozenset(ROLES)
REGULATORS = frozenset({"city", "province", "admin"})
REPORTERS = frozenset({"enterprise", "admin"})
VERIFIERS = frozenset({"verifier", "admin"})
PUBLIC = "public"
CBAM = frozenset({"enterprise", "city", "province", "admin"})

# (method, path) -> who may use it on objects in their scope; PUBLIC needs no login.
AUDIENCE: dict[tuple[str, str], Any] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("POST", "/lang"): PUBLIC,
    ("GET", "/account"): EVERYONE,
    ("POST", "/account/password"): EVERYONE,
    ("POST", "/account/tokens"): EVERYONE,
    ("POST", "/account/tokens/{token_id}/revoke"): EVERYONE,
    ("GET", "/admin/users"): {"admin"},
    ("POST", "/admin/users/{username}/lock"): {"admin"},
    ("POST", "/admin/users/{username}/unlock"): {"admin"},
    ("POST", "/admin/users/{username}/reset"): {"admin"},
    ("POST", "/admin/users"): {"admin"},
    ("POST", "/admin/users/{username}/assign"): {"admin"},
    ("POST", "/admin/users/{username}/unassign"): {"admin"},
    ("GET", "/api/v1/accounts"): {"admin"},
    ("POST", "/api/v1/accounts"): {"admin"},
    ("GET", "/api/v1/accounts/{username}"): {"admin"},
    ("POST", "/api/v1/accounts/{username}/lock"): {"admin"},
    ("POST", "/api/v1/accounts/{username}/unlock"): {"admin"},
    ("POST", "/api/v1/accounts/{username}/password"): {"admin"},
    ("POST", "/api/v1/accounts/{username}/assignments"): {"admin"},
    ("DELETE", "/api/v1/accounts/{username}/assignments/{enterprise}"): {"admin"},
    ("GET", "/overview"): REGULATORS,
    ("GET", "/overview/breakdown"): REGULATORS,
    ("GET", "/overview/city-map.json"): REGULATORS,
    ("GET", "/maps/{name}.geojson"): EVERYONE,  # shapes only, no figures
    ("GET", "/facilities"): EVERYONE,
    ("GET", "/enterprises"): EVERYONE,
    ("GET", "/enterprises/{code}"): EVERYONE,
    ("GET", "/facilities/{code}"): EVERYONE,
    ("GET", "/submissions/{facility}/{period}"): EVERYONE,
    ("GET", "/submissions/{facility}/{period}/provenance"): EVERYONE,
    ("POST", "/submissions/{facility}/{period}/submit"): REPORTERS,
    ("POST", "/submissions/{facility}/{period}/correct"): REPORTERS,
    ("POST", "/submissions/{facility}/{period}/verify"): VERIFIERS,
    ("POST", "/submissions/{facility}/{period}/return"): VERIFIERS,
    ("POST", "/submissions/{facility}/{period}/lock"): VERIFIERS,
    ("GET", "/reporting"): EVERYONE,
    ("GET", "/verification"): VERIFIERS,
    ("POST", "/verification/verify"): VERIFIERS,
    ("POST", "/verification/return"): VERIFIERS,
    ("GET", "/reporting/template"): REPORTERS,
    ("POST", "/reporting/upload"): REPORTERS,
    ("POST", "/reporting/submit"): REPORTERS,
    ("GET", "/reporting/form"): REPORTERS,
    ("POST", "/reporting/form"): REPORTERS,
    ("GET", "/reporting/rejected/{name}"): set(),  # only the uploading session's own copies
    ("GET", "/reporting-status"): EVERYONE,  # who has reported, in each person's scope
    ("GET", "/reporting-status/late"): EVERYONE,
    ("GET", "/reporting-status/late.xlsx"): EVERYONE,
    ("GET", "/reporting-status/notice"): EVERYONE,
    ("GET", "/api/v1/reporting-status"): EVERYONE,
    ("GET", "/api/v1/reporting-status/late"): EVERYONE,
    ("GET", "/warnings"): EVERYONE,
    ("GET", "/warnings/{warning_id}"): EVERYONE,
    ("POST", "/warnings/refresh"): {"province", "admin"},
    ("POST", "/warnings/{warning_id}/{action}"): REGULATORS,
    ("GET", "/benchmark"): EVERYONE,
    ("GET", "/parameters"): EVERYONE,
    ("GET", "/parameters/{family}"): EVERYONE,
    ("POST", "/parameters/{family}/values"): {"admin"},
    ("POST", "/parameters/{family}/recompute"): {"admin"},  # the months its values affect, in the background
    ("GET", "/jobs/{job_id}"): {"admin"},  # a recompute's progress and what it changed
    ("GET", "/exports"): EVERYONE,
    ("GET", "/exports/submissions.xlsx"): EVERYONE,
    ("GET", "/exports/overview.xlsx"): REGULATORS,
    ("GET", "/exports/benchmark.xlsx"): EVERYONE,
    ("GET", "/exports/warnings.xlsx"): EVERYONE,
    ("GET", "/pathways"): REGULATORS,  # the person's own region (an administrator's: the demo province)
    ("GET", "/pathways/edit"): REGULATORS,  # the form of a scenario on the person's region
    ("POST", "/pathways/run"): REGULATORS,  # a run is kept in memory; nothing is written
    ("GET", "/pathways/run"): REGULATORS,  # ?id= of a run; runs of another region are 403
    ("GET", "/pathways/run.xlsx"): REGULATORS,
    ("GET", "/projects"): REGULATORS,  # 两高 projects: their site in the jurisdiction (city: its own city)
    ("GET", "/projects.xlsx"): REGULATORS,
    ("GET", "/projects/new"): {"province", "admin"},
    ("POST", "/projects/new"): {"province", "admin"},
    ("GET", "/projects/{code}"): REGULATORS,  # the walk's projects are named like its facilities
    ("GET", "/projects/{code}/correct"): {"province", "admin"},
    ("POST", "/projects/{code}/correct"): {"province", "admin"},
    ("POST", "/projects/{code}/review"): {"province", "admin"},
    ("POST", "/projects/{code}/link"): {"province", "admin"},
    ("GET", "/footprints"): EVERYONE,  # product footprints of facilities in scope
    ("GET", "/footprints/{facility}"): EVERYONE,
    ("GET", "/footprints/{facility}/declaration.xlsx"): EVERYONE,
    ("GET", "/footprints/{facility}/pact.json"): EVERYONE,
    ("POST", "/footprints/{facility}/compute"): {"enterprise", "city", "province", "admin"},
    ("POST", "/footprints/compute"): {"enterprise", "city", "province", "admin"},  # every one in scope
    ("POST", "/footprints/{facility}/{action}"): REGULATORS,  # review, publish
    ("GET", "/public/footprints"): PUBLIC,  # published footprints, read-only
    ("GET", "/api/v1/footprints"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/docs"): PUBLIC,
    ("GET", "/api/v1/me"): EVERYONE,
    ("GET", "/api/v1/enterprises"): EVERYONE,
    ("GET", "/api/v1/enterprises/{code}"): EVERYONE,
    ("GET", "/api/v1/facilities"): EVERYONE,
    ("GET", "/api/v1/facilities/{code}"): EVERYONE,
    ("GET", "/api/v1/submissions"): EVERYONE,
    ("GET", "/api/v1/submissions/{facility}/{period}"): EVERYONE,
    ("GET", "/api/v1/submissions/{facility}/{period}/provenance"): EVERYONE,
    ("POST", "/api/v1/submissions/{facility}/{period}/submit"): REPORTERS,
    ("POST", "/api/v1/submissions/{facility}/{period}/verify"): VERIFIERS,
    ("POST", "/api/v1/submissions/{facility}/{period}/return"): VERIFIERS,
    ("GET", "/api/v1/verification"): VERIFIERS,
    ("POST", "/api/v1/verification/verify"): VERIFIERS,
    ("POST", "/api/v1/verification/return"): VERIFIERS,
    ("POST", "/api/v1/submissions/{facility}/{period}/lock"): VERIFIERS,
    ("POST", "/api/v1/imports"): REPORTERS,
    ("GET", "/api/v1/indicators"): REGULATORS,
    ("GET", "/api/v1/targets"): REGULATORS,
    ("GET", "/api/v1/benchmark"): EVERYONE,
    ("GET", "/api/v1/warnings"): EVERYONE,
    ("GET", "/api/v1/warnings/{warning_id}"): EVERYONE,
    ("GET", "/monitoring"): EVERYONE,  # the meters of the person's scope
    ("GET", "/monitoring/facilities/{facility}"): EVERYONE,
    ("POST", "/monitoring/facilities/{facility}/meters"): REGULATORS,  # registry.manage, as the CLI
    ("POST", "/monitoring/facilities/{facility}/meters/{meter}"): REGULATORS,
    ("POST", "/api/v1/monitoring/readings"): REPORTERS,  # a gateway with its enterprise's token
    ("POST", "/api/v1/warnings/{warning_id}/{action}"): REGULATORS,
    # green power: everyone reads in scope; an enterprise registers and withdraws its own instruments
    ("GET", "/green-power"): EVERYONE,
    ("POST", "/green-power/instruments"): REPORTERS,
    ("POST", "/green-power/instruments/{code}/withdraw"): REPORTERS,
    ("GET", "/api/v1/green-power/instruments"): EVERYONE,
    ("POST", "/api/v1/green-power/instruments"): REPORTERS,
    ("POST", "/api/v1/green-power/instruments/{code}/withdraw"): REPORTERS,
    ("GET", "/api/v1/green-power/electricity"): EVERYONE,
    ("GET", "/api/v1/green-power/share"): EVERYONE,
    # the pollutant ledger (tests/synergy): everyone reads in scope, an enterprise reports its own
    ("GET", "/pollutants"): EVERYONE,
    ("GET", "/pollutants/template.csv"): EVERYONE,
    ("POST", "/pollutants/upload"): REPORTERS,
    ("GET", "/pollutants/facilities/{code}"): EVERYONE,
    ("POST", "/pollutants/facilities/{code}"): REPORTERS,
    ("POST", "/api/v1/pollutants/months"): REPORTERS,
    ("POST", "/api/v1/pollutants/imports"): REPORTERS,
    ("GET", "/api/v1/pollutants/months"): EVERYONE,
    ("GET", "/api/v1/pollutants/facilities/{code}/versions"): EVERYONE,
    ("GET", "/api/v1/pollutants/synergy"): EVERYONE,
    ("GET", "/api/v1/parameters"): EVERYONE,
    ("GET", "/api/v1/parameters/{family}"): EVERYONE,
    # reports (docs/reports.md): the regulators make a region's report and sign it off; everyone lists and reads
    # the reports in their scope (an enterprise's reports: its people, its verifiers, its region's regulators;
    # one outside the scope is not found); an enterprise files (signs off) its own. Report 1 of the walk is E02's
    # energy-utilisation report, made in the enterprise's turn (POST /enterprises/{code}/energy-report/make): only
    # the enterprise signs it off
    ("GET", "/reports"): EVERYONE,
    ("POST", "/reports"): REGULATORS,
    ("GET", "/reports/latest"): REGULATORS,
    ("GET", "/reports/{report_id}"): EVERYONE,
    ("POST", "/reports/{report_id}/check"): EVERYONE,
    ("POST", "/reports/{report_id}/signoff"): REPORTERS,
    ("GET", "/reports/{report_id}/download/{fmt}"): EVERYONE,
    ("GET", "/api/v1/reports"): EVERYONE,
    ("POST", "/api/v1/reports"): REGULATORS,
    ("GET", "/api/v1/reports/{report_id}"): EVERYONE,
    ("GET", "/api/v1/reports/{report_id}/files/{fmt}"): EVERYONE,
    ("POST", "/api/v1/reports/{report_id}/signoff"): REPORTERS,
    ("POST", "/api/v1/reports/{report_id}/regenerate"): EVERYONE,
    # the energy-utilisation report (docs/energy-report.md): every role reads in scope; the enterprise fills,
    # files and makes it; the regulators of its region review it
    ("GET", "/energy-report"): EVERYONE,
    ("GET", "/enterprises/{code}/energy-report"): EVERYONE,
    ("GET", "/enterprises/{code}/energy-report/nbs205.xlsx"): EVERYONE,
    ("POST", "/enterprises/{code}/energy-report/save"): REPORTERS,
    ("POST", "/enterprises/{code}/energy-report/upload"): REPORTERS,
    ("POST", "/enterprises/{code}/energy-report/make"): REPORTERS,
    ("POST", "/enterprises/{code}/energy-report/review"): REGULATORS,
    ("GET", "/api/v1/energy-reports"): EVERYONE,
    ("GET", "/api/v1/enterprises/{code}/energy-report/{year}"): EVERYONE,
    ("GET", "/api/v1/enterprises/{code}/energy-report/{year}/nbs205.xlsx"): EVERYONE,
    ("POST", "/api/v1/enterprises/{code}/energy-report/{year}/versions"): REPORTERS,
    ("POST", "/api/v1/enterprises/{code}/energy-report/{year}/submit"): REPORTERS,
    ("POST", "/api/v1/enterprises/{code}/energy-report/{year}/review"): REGULATORS,
    ("POST", "/api/v1/enterprises/{code}/energy-report/{year}/report"): REPORTERS,
    # the registry, managed in the platform (regulators in their jurisdiction; enterprises propose)
    ("GET", "/registry"): REGULATORS,
    ("GET", "/registry/template.xlsx"): REGULATORS,
    ("POST", "/registry/import"): REGULATORS,
    ("POST", "/registry/regions"): REGULATORS,
    ("POST", "/registry/parks"): REGULATORS,
    ("POST", "/registry/clusters"): REGULATORS,
    ("POST", "/registry/enterprises"): REGULATORS,
    ("POST", "/registry/facilities"): REGULATORS,
    ("GET", "/enterprises/{code}/edit"): REGULATORS,
    ("POST", "/enterprises/{code}/edit"): REGULATORS,
    ("GET", "/facilities/{code}/edit"): REGULATORS,
    ("POST", "/facilities/{code}/edit"): REGULATORS,
    ("GET", "/facilities/{code}/propose"): {"enterprise"},
    ("POST", "/facilities/{code}/propose"): {"enterprise"},
    ("GET", "/proposals"): EVERYONE,
    ("POST", "/proposals/{proposal_id}/approve"): REGULATORS,
    ("POST", "/proposals/{proposal_id}/reject"): REGULATORS,
    ("GET", "/api/v1/regions"): EVERYONE,
    ("POST", "/api/v1/regions"): REGULATORS,
    ("PATCH", "/api/v1/regions/{code}"): REGULATORS,
    ("GET", "/api/v1/parks"): EVERYONE,
    ("POST", "/api/v1/parks"): REGULATORS,
    ("PATCH", "/api/v1/parks/{code}"): REGULATORS,
    ("POST", "/api/v1/enterprises"): REGULATORS,
    ("PATCH", "/api/v1/enterprises/{code}"): REGULATORS,
    ("GET", "/api/v1/enterprises/{code}/history"): EVERYONE,
    ("POST", "/api/v1/facilities"): REGULATORS,
    ("PATCH", "/api/v1/facilities/{code}"): REGULATORS,
    ("GET", "/api/v1/facilities/{code}/history"): EVERYONE,
    ("GET", "/api/v1/registry/template.xlsx"): REGULATORS,
    ("POST", "/api/v1/registry/imports"): REGULATORS,
    ("GET", "/api/v1/proposals"): EVERYONE,
    # EU CBAM packages: the enterprise itself and the regulators of its region (not verifiers)
    ("GET", "/cbam"): CBAM,
    ("GET", "/cbam/{facility}"): CBAM,
    ("GET", "/cbam/{facility}/package.xlsx"): CBAM,
    ("GET", "/api/v1/cbam/installations"): CBAM,
    ("GET", "/api/v1/cbam/{facility}/{year}"): CBAM,
    ("GET", "/api/v1/cbam/{facility}/{year}/package.xlsx"): CBAM,
    ("POST", "/api/v1/proposals"): {"enterprise"},
    ("POST", "/api/v1/proposals/{proposal_id}/approve"): REGULATORS,
    ("POST", "/api/v1/proposals/{proposal_id}/reject"): REGULATORS,
    # recycled aluminium and copper: the scrap intake ledger (reporters), its steps (reporters submit, verifiers
    # verify), the shares (regulators)
    ("GET", "/recycling"): EVERYONE,
    ("GET", "/recycling/template.xlsx"): REPORTERS,
    ("GET", "/recycling/template.csv"): REPORTERS,
    ("POST", "/recycling/upload"): REPORTERS,
    ("POST", "/recycling/steps"): REPORTERS | VERIFIERS,
    ("GET", "/recycling/form"): REPORTERS,
    ("POST", "/recycling/form"): REPORTERS,
    ("GET", "/api/v1/recycling/template"): REPORTERS,
    ("POST", "/api/v1/recycling/imports"): REPORTERS,
    ("GET", "/api/v1/recycling/ledgers"): EVERYONE,
    ("POST", "/api/v1/recycling/steps"): REPORTERS | VERIFIERS,
    ("GET", "/api/v1/recycling/content"): EVERYONE,
    ("GET", "/api/v1/recycling/shares"): REGULATORS,
    # the green-manufacturing register: everyone reads in scope; regulators designate and decide in their region;
    # an enterprise files its own dynamic-management indicators
    ("GET", "/green"): EVERYONE,
    ("GET", "/enterprises/{code}/green"): EVERYONE,
    ("POST", "/green/designations"): REGULATORS,
    ("POST", "/green/designations/{designation_id}/decide"): REGULATORS,
    ("POST", "/enterprises/{code}/green/filings"): REPORTERS,
    ("GET", "/api/v1/green/designations"): EVERYONE,
    ("POST", "/api/v1/green/designations"): REGULATORS,
    ("POST", "/api/v1/green/designations/{designation_id}/decide"): REGULATORS,
    ("GET", "/api/v1/green/status"): EVERYONE,
    ("POST", "/api/v1/enterprises/{code}/green/filings"): REPORTERS,
    ("GET", "/api/v1/enterprises/{code}/green/gaps"): EVERYONE,
    # disclosure (docs/disclosure.md): the enterprise its own (states, makes, publishes); regulators of its
    # region read it and the deadline list, and flag; verifiers no part; the public pages need no login
    ("GET", "/disclosure"): CBAM,
    ("POST", "/disclosure/make"): REPORTERS,
    ("POST", "/disclosure/publish/{report_id}"): REPORTERS,
    ("POST", "/disclosure/allowance"): REPORTERS,
    ("POST", "/disclosure/flag"): REGULATORS,
    ("GET", "/public/disclosure/{enterprise}"): PUBLIC,
    ("GET", "/public/disclosure/{enterprise}/reports/{report_id}.pdf"): PUBLIC,
    ("GET", "/api/v1/disclosure/deadlines"): REGULATORS,
    ("GET", "/api/v1/enterprises/{code}/disclosure/{year}"): CBAM,
    ("POST", "/api/v1/enterprises/{code}/disclosure/{year}/allowance"): REPORTERS,
    ("POST", "/api/v1/disclosure/reports"): REPORTERS,
    ("POST", "/api/v1/disclosure/reports/{report_id}/publish"): REPORTERS,
    ("POST", "/api/v1/disclosure/flags"): REGULATORS,
    ("GET", "/api/v1/public/disclosure/{enterprise}"): PUBLIC,
    # the national carbon market (docs/ets.md): everyone in scope reads; the enterprise deposits and makes and
    # files its reports; the regulators of its region review
    ("GET", "/ets"): EVERYONE,
    ("GET", "/enterprises/{code}/ets"): EVERYONE,
    ("POST", "/enterprises/{code}/ets/reports"): REPORTERS,
    ("POST", "/enterprises/{code}/ets/reports/{report_id}/file"): REPORTERS,
    ("GET", "/enterprises/{code}/ets/deposits/{period}"): EVERYONE,
    ("POST", "/enterprises/{code}/ets/deposits/{period}/values"): REPORTERS,
    ("POST", "/enterprises/{code}/ets/deposits/{period}/files"): REPORTERS,
    ("POST", "/enterprises/{code}/ets/deposits/{period}/deposit"): REPORTERS,
    ("POST", "/enterprises/{code}/ets/deposits/{period}/review"): REGULATORS,
    ("GET", "/enterprises/{code}/ets/deposits/{period}/evidence/{name}"): EVERYONE,
    ("GET", "/api/v1/ets/config"): EVERYONE,
    ("GET", "/api/v1/ets/deposits"): EVERYONE,
    ("GET", "/api/v1/enterprises/{code}/ets/deposits/{period}"): EVERYONE,
    ("POST", "/api/v1/enterprises/{code}/ets/deposits/{period}/values"): REPORTERS,
    ("POST", "/api/v1/enterprises/{code}/ets/deposits/{period}/files"): REPORTERS,
    ("POST", "/api/v1/enterprises/{code}/ets/deposits/{period}/deposit"): REPORTERS,
    ("POST", "/api/v1/enterprises/{code}/ets/deposits/{period}/review"): REGULATORS,
    ("GET", "/api/v1/enterprises/{code}/ets/deposits/{period}/evidence/{name}"): EVERYONE,
    ("GET", "/api/v1/enterprises/{code}/ets/reports"): EVERYONE,
    ("POST", "/api/v1/enterprises/{code}/ets/reports"): REPORTERS,
}

# Objects inside each role's scope (E02's aluminium line AL03 is within every demo account's scope).
OWN = {
    "facility": "AL03",
    "code": "AL03",
    "period": "2024-03",
    "family": "electricity.grid_factor",
    "action": "acknowledge",
    "username": "walk-target",
    "enterprise": "E02",
    "meter": "AL03-E0",  # none in the walk's database: 404 to those who manage meters, 403 to others
    "name": "nothing.errors.xlsx",
    "proposal_id": "1",  # none exists in the walk's database: 404 to those who may decide, 403 to others
    "job_id": "1",  # a recompute job: 403 to all but the administrator, who may see every one
    "year": "2024",  # a CBAM package's year
    "report_id": "1",  # E02's energy-utilisation report once the enterprise's turn made it; before, none (404)
    "fmt": "pdf",
    "designation_id": "999999",  # none in the walk's database: 404 to regulators, 403 to the others
}
# Objects outside: AO01 (E05, city demo-c) is outside the enterprise user's, the verifier's and the city
# regulator's scope; XF01 (another province) is outside everyone's but the administrator's.
FOREIGN = {
    "enterprise": ["AO01", OTHER_FACILITY],
    "verifier": ["AO01", OTHER_FACILITY],
    "city": ["AO01", OTHER_FACILITY],
    "province": [OTHER_FACILITY],
    "admin": [],
}
QUERY = {"/reporting/template": "?sector=recycled_aluminium"}
ENTERPRISE_OF = {"AL03": "E02", "AO01": "E05", OTHER_FACILITY: "X01"}


def routes(app: Any) -> list[tuple[str, str]]:
    return sorted((method, r.path) for r in all_routes(app) for method in r.methods if method != "HEAD")


@pytest.fixture(scope="module")
def walk(demo_template: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:

    url = copy_db(demo_template, tmp_path_factory.mktemp("walk"), "walk.db")
    seed_walk_projects(url)  # projects AL03, AO01, XF01, sited like the facilities of those codes
    app = make_app(url)
    with db.transaction(url) as session:
        warnings = {
            code: session.scalar(select(Warning.id).where(Warning.facility_code == code).order_by(Warning.id))
            for code in ("AL03", "AO01", OTHER_FACILITY)
        }
        tokens = {
            u.username: session.scalar(select(ApiToken.id).where(ApiToken.user_id == u.id))
            for u in session.scalars(select(User))
        }
    assert all(warnings.values()), warnings
    return {"url": url, "app": app, "warnings": warnings, "tokens": tokens}


def state(url: str) -> tuple[int, ...]:
    """What a write would change: audit events, versions, warning events, tokens revoked, locked users."""
    with db.transaction(url) as session:
        return (
            session.scalar(select(func.count()).select_from(AuditEvent)),
            session.scalar(select(func.count()).select_from(SubmissionVersion)),
            session.scalar(select(func.count()).select_from(WarningEvent)),
            session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_not(None))),
            session.scalar(select(func.count()).select_from(User).where(User.locked_at.is_not(None))),
            session.scalar(select(func.count()).select_from(ApiToken)),
        )


def fill(path: str, role: str, facility: str, walk: dict[str, Any]) -> str:
    values = dict(OWN)
    values["facility"] = facility
    values["code"] = ENTERPRISE_OF[facility] if path.startswith(("/enterprises", "/api/v1/enterprises")) else facility
    values["warning_id"] = str(walk["warnings"][facility])
    own_token = walk["tokens"][role]
    values["token_id"] = str(own_token)
    return re.sub(r"\{(\w+)\}", lambda m: values[m[1]], path) + QUERY.get(path, "")


def request(test_client: TestClient, method: str, path: str) -> Any:
    if method == "GET":
        return test_client.get(path, follow_redirects=False)
    # the session's CSRF token, read for each write from a light page (the parameters page it was read from
    # has grown to list every family: most of the walk's time went to rendering it)
    headers = {"X-CSRF-Token": token_of(test_client, "/account")}
    data = {"note": "walk", "assignee": "province", "reason": "walk", "name": "walk", "days": "5"}
    if path.startswith("/api/"):
        return test_client.request(
            method,
            path,
            headers=headers,
            json={"note": "walk"} if "/warnings/" in path else None,
            follow_redirects=False,
        )
    return test_client.post(path, headers=headers, data=data, follow_redirects=False)


def test_every_route_has_an_audience(shared_app: Any) -> None:
    missing = [r for r in routes(shared_app) if r not in AUDIENCE]
    assert not missing, f"new routes: say who may use them in AUDIENCE of {__file__}: {missing}"
    stale = [r for r in AUDIENCE if r not in routes(shared_app)]
    assert not stale, f"routes gone from the app: {stale}"


def test_anonymous_reaches_only_public_routes(walk: dict[str, Any]) -> None:
    anonymous = TestClient(walk["app"])
    before = state(walk["url"])
    for method, path in routes(walk["app"]):
        if AUDIENCE[(method, path)] == PUBLIC:
            continue
        url = fill(path, "admin", "AL03", walk)
        response = request(anonymous, method, url)
        if path.startswith("/api/"):
            assert response.status_code in (401, 403), (method, url, response.status_code)
        elif method == "GET":
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), (method, url)
        else:
            assert response.status_code in (401, 403), (method, url, response.status_code)
    assert state(walk["url"]) == before


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reads_or_writes_outside_its_scope(walk: dict[str, Any], role: str) -> None:
    test_client = client(walk["app"], role)
    before = state(walk["url"])
    foreign_codes = FOREIGN[role]
    for method, path in routes(walk["app"]):
        audience = AUDIENCE[(method, path)]
        if audience == PUBLIC or "{" not in path or path.endswith("{username}/lock") or "token_id" in path:
            continue
        if "{family}" in path or "{name}" in path:
            continue  # not owned by anyone: parameters are public to all; rejected copies are per session
        for code in foreign_codes:
            url = fill(path, role, code, walk)
            response = request(test_client, method, url)
            assert response.status_code in (403, 404), (role, method, url, response.status_code)
    assert state(walk["url"]) == before, f"{role} changed something outside its scope"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_uses_exactly_its_routes(walk: dict[str, Any], role: str) -> None:
    test_client = client(walk["app"], role)
    for method, path in routes(walk["app"]):
        audience = AUDIENCE[(method, path)]
        if audience == PUBLIC:
            continue
        url = fill(path, role, "AL03", walk)
        response = request(test_client, method, url)
        if role in audience:
            assert response.status_code not in (401, 403), (role, method, url, response.status_code)
            assert response.status_code < 500, (role, method, url, response.text[:500])
        elif not audience:
            assert response.status_code in (403, 404), (role, method, url, response.status_code)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_no_page_or_answer_mentions_a_foreign_facility(clients: dict[str, TestClient], role: str) -> None:
    """Every readable page and API answer of a role, searched for the codes of facilities outside its scope."""
    test_client = clients[role]
    app = test_client.app
    pattern = re.compile(r"\b(" + "|".join(FOREIGN[role]) + r")\b")
    walk_ids = {"warnings": {c: 1 for c in ("AL03", "AO01", OTHER_FACILITY)}, "tokens": {role: 1}}
    for method, path in routes(app):
        audience = AUDIENCE[(method, path)]
        if method != "GET" or audience == PUBLIC or role not in audience or path.endswith(".xlsx"):
            continue
        if "{warning_id}" in path or "{name}" in path or "{report_id}" in path or path.startswith("/projects/{"):
            continue  # single warnings, projects, reports (none in the shared database): the scope walk
        if path == "/footprints/{facility}/pact.json":
            continue  # no footprint in the shared database (404); tests/web/test_footprints_web.py reads one
        url = fill(path, role, "AL03", walk_ids)
        response = test_client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        found = pattern.search(response.text)
        assert found is None, f"{role} sees {found[0] if found else ''} on {url}"


def test_nobody_revokes_another_persons_token(walk: dict[str, Any]) -> None:
    before = state(walk["url"])
    for role in ROLES:
        other = walk["tokens"]["province" if role != "province" else "city"]
        test_client = client(walk["app"], role)
        response = request(test_client, "POST", f"/account/tokens/{other}/revoke")
        assert response.status_code == 403, role
    assert state(walk["url"]) == before


def test_admin_reads_the_other_province(clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    assert admin.get(f"/facilities/{OTHER_FACILITY}").status_code == 200
    assert admin.get(f"/submissions/{OTHER_FACILITY}/2024-03").status_code == 200
    assert OTHER_FACILITY in admin.get("/api/v1/facilities").text
