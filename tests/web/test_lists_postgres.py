"""The long lists and the city map on PostgreSQL give what they give on SQLite (the same rows in the same
order on each page, the same map values). Skipped where no PostgreSQL server answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_postgres import pg_app, pg_url  # noqa: F401  (the fixtures: a PostgreSQL copy of the test demo)
from webhelpers import client

PAGES = [
    "/facilities?sort=capacity&desc=1&page=2",
    "/facilities?sector=magnesium&q=%E9%95%81",
    "/enterprises?sort=facilities&desc=1",
    "/enterprises?city=demo-c&sector=magnesium",
    "/reporting-status?status=late&sort=name",
]


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr (?:class="rs-ent" )?data-(?:code|enterprise)="([^"]+)"', html)


@pytest.mark.parametrize("path", PAGES)
def test_a_page_of_a_list_is_the_same_on_postgres(pg_app: Any, clients: dict[str, TestClient], path: str) -> None:  # noqa: F811
    on_pg = client(pg_app, "province").get(path)
    on_sqlite = clients["province"].get(path)
    assert on_pg.status_code == on_sqlite.status_code == 200
    assert _rows(on_pg.text) == _rows(on_sqlite.text) and _rows(on_sqlite.text)


def test_the_inbox_and_the_map_are_the_same_on_postgres(pg_app: Any, clients: dict[str, TestClient]) -> None:  # noqa: F811
    province = client(pg_app, "province")
    for path in ("/warnings?page=2", "/warnings?sort=deadline&desc=1&q=AL"):
        facilities = [
            re.findall(r'href="/facilities/([^"]+)" title=', c.get(path).text) for c in (province, clients["province"])
        ]
        assert facilities[0] == facilities[1] and facilities[0]
    path = "/overview/city-map.json?region=demo&indicator=capacity_share_below_baseline"
    mine, theirs = province.get(path).json(), clients["province"].get(path).json()
    assert [(c["code"], c["value"]) for c in mine["cities"]] == [(c["code"], c["value"]) for c in theirs["cities"]]
