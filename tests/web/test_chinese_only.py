"""Every page, as every role, in zh-CN: nothing a person reads is in Latin letters except the short
allow-list of chinese_scan.py (units, codes, product names). Pages are enumerated from the app, so a
new page is scanned as soon as it exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from chinese_scan import latin_runs
from fastapi.testclient import TestClient
from webhelpers import ROLES

from carbonpeak.web.routes import all_routes

# Objects inside every demo role's scope.
OWN = {
    "facility": "AL03",
    "code": "AL03",
    "period": "2024-03",
    "family": "electricity.grid_factor",
    "username": "admin",
    "enterprise": "E02",
    "warning_id": "1",
    "job_id": "1",
    "proposal_id": "1",
    "name": "none.xlsx",
    "report_id": "1",
    "fmt": "pdf",
}
QUERY = {"/reporting/template": "?sector=recycled_aluminium"}
# Variants a person reaches by a click: each plan's targets, the English-only seeds included.
VARIANTS = [
    "/overview?plan=guizhou_nonferrous",
    "/overview?plan=shaanxi_nonferrous",
    "/overview?plan=xinjiang_industry",
    "/overview?plan=china_synergy",
    "/overview?plan=shaanxi_clusters",
    "/parameters/emissions.aluminium_cn",
    "/parameters/benchmarks.ndrc_level",
    "/submissions/AL03/2024-03/provenance",
]


def page_paths(app: Any) -> list[str]:
    out = []
    for route in all_routes(app):
        path = route.path
        if "GET" not in route.methods or path.startswith("/api") or path.endswith((".xlsx", ".json", ".csv")):
            continue
        filled = re.sub(r"\{(\w+)\}", lambda m: OWN[m[1]], path)
        if path.startswith("/enterprises/{code}"):
            filled = filled.replace("AL03", "E02")
        out.append(filled + QUERY.get(path, ""))
    return sorted(set(out) | set(VARIANTS))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_chinese(clients: dict[str, TestClient], shared_app: Any, role: str) -> None:
    found: dict[str, list[str]] = {}
    scanned = 0
    for path in page_paths(shared_app):
        response = clients[role].get(path, follow_redirects=False)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        scanned += 1
        runs = latin_runs(response.text)
        if runs:
            found[path] = sorted(set(runs))[:30]
    # every role reads at least its home, the lists and the parameter pages: a scan that reached nothing fails
    assert scanned >= 10, f"{role} read only {scanned} pages"
    assert not found, "\n".join(f"{role} {path}: {' '.join(runs)}" for path, runs in found.items())
