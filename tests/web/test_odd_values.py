"""Odd values in every page route and in the API's ids and years get a 4xx with a message, never a 5xx.

What it proves (probe 1b and D10 of ../shared/research/probe-reliability.md, kept as a test): each GET page
route is requested with odd values in each of its path and query parameters (huge and negative numbers,
years like 0 or 99999999999, long strings, markup, a NUL, non-ASCII), as a province regulator and as an
enterprise; none answers 5xx. The cases that did (ids beyond 64 bits, years out of range, a 20,000-char
name of a rejected copy) are listed explicitly for the API and the pages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from webhelpers import TOKENS, client

ODD = ["0", "-1", "99999999999999999999999", "2025-13", "", "x" * 2000, "<script>alert(1)</script>", "铝"]


def _api_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, APIRoute]]:
    """Every route of the app with its full path, through included routers (FastAPI keeps them nested)."""
    found: list[tuple[str, APIRoute]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):
            found += _api_routes(route.original_router.routes, prefix + route.include_context.prefix)
    return found


def _page_routes(app: Any) -> list[tuple[str, list[str], list[str]]]:
    """(path, path parameters, query parameters) of every GET page route (the API is fuzzed by schemathesis)."""
    found = []
    for path, route in _api_routes(app.routes):
        if "GET" not in route.methods or path.startswith("/api/"):
            continue
        path_params = [p.name for p in route.dependant.path_params]
        query_params = [p.alias for p in route.dependant.query_params]
        found.append((path, path_params, query_params))
    return found


def _fill(path: str, names: list[str], value: str, odd: str) -> str:
    url = path
    for name in names:
        url = re.sub(r"\{" + name + r"(:[^}]*)?\}", odd if name == value else "1", url)
    return url


@pytest.mark.parametrize("role", ["province", "enterprise"])
def test_no_page_answers_5xx_to_odd_values(shared_app: Any, role: str) -> None:
    browser = client(shared_app, role, raise_server_exceptions=False)
    routes = _page_routes(shared_app)
    assert len(routes) >= 20  # the walk saw the pages
    failures = []
    for path, path_params, query_params in routes:
        for odd in ODD:
            urls = [_fill(path, path_params, name, odd) for name in path_params]
            base = _fill(path, path_params, "", "")
            urls += [base for _ in query_params]
            params = [{}] * len(path_params) + [{name: odd} for name in query_params]
            for url, query in zip(urls, params, strict=True):
                response = browser.get(url, params=query, follow_redirects=False)
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} GET {url} {query!r:.80}")
    assert failures == [], "\n".join(sorted(set(failures))[:60])


API_CASES = [
    ("GET", "/api/v1/warnings/99999999999999999999999"),
    ("POST", "/api/v1/warnings/99999999999999999999999/acknowledge"),
    ("GET", "/api/v1/indicators?year=0"),
    ("GET", "/api/v1/indicators?year=-1"),
    ("GET", "/api/v1/indicators?year=99999999999"),
    ("GET", "/api/v1/targets?year=0"),
    ("GET", "/api/v1/targets?year=99999999999"),
    ("GET", "/api/v1/benchmark?year=99999999999"),
]


@pytest.mark.parametrize("role", ["enterprise", "province", "admin"])
@pytest.mark.parametrize(("method", "url"), API_CASES)
def test_api_refuses_odd_ids_and_years_with_4xx(shared_app: Any, role: str, method: str, url: str) -> None:
    api = TestClient(shared_app, raise_server_exceptions=False)
    response = api.request(method, url, headers={"Authorization": f"Bearer {TOKENS[role]}"}, json={})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.json()["message"]  # a message, in the person's language


def test_a_long_name_of_a_rejected_copy_is_a_404(shared_app: Any) -> None:
    browser = client(shared_app, "enterprise", raise_server_exceptions=False)
    response = browser.get("/reporting/rejected/" + "a" * 20000)
    assert response.status_code == 404
