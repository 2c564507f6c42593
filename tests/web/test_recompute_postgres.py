"""Recompute in the web platform on PostgreSQL (the demo in a database of its own, as in test_postgres.py):
a month saved before its grid factor is published waits with its reason; the administrator's entry
recomputes it with no other action. Skipped, saying what to install, where no server answers."""

from __future__ import annotations

from typing import Any

from test_postgres import pg_app, pg_url  # noqa: F401  (the fixtures: a PostgreSQL demo and its app)
from test_recompute_page import FACTOR_2024, FAMILY, UNCOMPUTED, changed, jobs, save_waiting_month
from webhelpers import client, post


def test_a_waiting_month_is_recomputed_on_entry_on_postgres(pg_app: Any, pg_url: str) -> None:  # noqa: F811
    enterprise = save_waiting_month(pg_app)
    page = enterprise.get("/submissions/RA05/2026-01").text
    assert "发布机构：生态环境部、国家统计局" in page and 'data-testid="provisional"' in page
    assert post(client(pg_app, "admin"), f"/parameters/{FAMILY}/values", FACTOR_2024).status_code == 303
    ((status, total, done, detail),) = jobs(pg_url)
    assert (status, total, done) == ("done", 2, 2) and changed(detail) == {("RA05", "2026-01"), UNCOMPUTED}
    after = enterprise.get("/submissions/RA05/2026-01").text
    assert 'data-testid="results"' in after and 'data-testid="waiting"' not in after
