"""Recompute in the web platform, on the demo province: a month saved in the form before its grid factor is
published says which value it waits for, who publishes it and when it is expected (zh and en), and shows
a provisional figure that is never stored; the administrator enters the factor in the parameters form and
the month gets its result with no other action (the job's progress on the family page and the job's own
page); a corrected factor adds a second result whose difference the month's history explains; only the
administrator starts a recompute or sees a job."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from webhelpers import client, count_rows, post

from carbonpeak.store import db
from carbonpeak.store.models import Job

FAMILY = "electricity.grid_factor"
FACTOR_2024 = {
    "key.data_year": "2024",
    "key.region": "china",
    "key.basis": "location",
    "value": "0.5200",
    "unit": "tCO2/MWh",
    "confidence": "high",
    "document": "关于发布2024年电力二氧化碳排放因子的公告（测试引用）",
    "issuer": "生态环境部、国家统计局",
    "number": "测试第1号",
    "published": "2026-12-31",
}
MONTH = {
    "facility_id": "RA05",
    "period": "2026-01",
    "output_t": "2000",
    "scrap_input_t": "2150",
    "grid_electricity_mwh": "800",
    "fuel:natural_gas": "22.5",
}


def save_waiting_month(app: Any) -> Any:
    enterprise = client(app, "enterprise")
    saved = post(enterprise, "/reporting/form", MONTH)
    assert saved.status_code == 303 and saved.headers["location"] == "/submissions/RA05/2026-01"
    return enterprise


# The test database's month of the other province was stored without a result (webhelpers): a recompute
# of the grid factors takes it too, as any month without a result.
UNCOMPUTED = ("XF01", "2024-03")


def changed(detail: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["facility"], c["period"]) for c in detail["summary"]["changed"]}


def jobs(url: str) -> list[tuple[str, int, int, dict[str, Any]]]:
    with db.transaction(url, mode="read") as session:
        return [(j.status, j.total, j.done, j.detail) for j in session.scalars(select(Job).order_by(Job.id))]


def test_a_waiting_month_says_why_shows_a_provisional_figure_and_is_recomputed_on_entry(
    fresh_app: Any, fresh_url: str
) -> None:
    results = count_rows(fresh_url, "result")
    enterprise = save_waiting_month(fresh_app)
    page = enterprise.get("/submissions/RA05/2026-01").text
    waiting = page.split('data-testid="waiting"', 1)[1].split("</p>", 1)[0]
    assert "待参数" in waiting and "2024年度" in waiting and "电力二氧化碳排放因子" in waiting
    assert "发布机构：生态环境部、国家统计局" in waiting and "2023年度 2025-12-31" in waiting
    english = enterprise.get("/submissions/RA05/2026-01?lang=en").text
    assert "Published by: Ministry of Ecology and Environment (MEE) and National Bureau of Statistics" in english
    assert "data year 2024" in english and "electricity.grid_factor" not in english
    provisional = page.split('data-testid="provisional"', 1)[1].split("</div>", 1)[0]
    assert "暂估" in provisional and "0.5306" in provisional and "2023年度" in provisional
    assert 'data-testid="results"' not in page and count_rows(fresh_url, "result") == results  # shown, not kept
    facility = enterprise.get("/facilities/RA05?year=2026").text
    assert 'data-testid="waiting-chip"' in facility and "待参数" in facility
    grid = enterprise.get("/enterprises/E02?year=2026").text
    assert 'data-testid="waiting-chip"' in grid

    admin = client(fresh_app, "admin")
    entered = post(admin, f"/parameters/{FAMILY}/values", FACTOR_2024)
    assert entered.status_code == 303 and entered.headers["location"] == f"/parameters/{FAMILY}#recompute"
    ((status, total, done, detail),) = jobs(fresh_url)
    assert (status, total, done) == ("done", 2, 2) and detail["summary"]["resolved"] == 2
    assert changed(detail) == {("RA05", "2026-01"), UNCOMPUTED}
    after = enterprise.get("/submissions/RA05/2026-01").text
    assert 'data-testid="results"' in after and 'data-testid="waiting"' not in after
    assert 'data-testid="provisional"' not in after
    family = admin.get(f"/parameters/{FAMILY}").text
    block = family.split('data-testid="job"', 1)[1]
    assert 'data-status="done"' in block[:200] and "已完成 2/2 个月份" in block and "hx-trigger" not in block[:400]
    job_page = admin.get(re.search(r'href="(/jobs/\d+)"', block)[1]).text  # type: ignore[index]
    changes = job_page.split('data-testid="job-changes"', 1)[1]
    assert "RA05" in changes and "原待参数" in changes


def test_a_corrected_factor_adds_a_result_and_the_history_says_why(fresh_app: Any, fresh_url: str) -> None:
    enterprise = save_waiting_month(fresh_app)
    admin = client(fresh_app, "admin")
    assert post(admin, f"/parameters/{FAMILY}/values", FACTOR_2024).status_code == 303
    corrected = {**FACTOR_2024, "value": "0.5250", "reason": "勘误：测试"}
    assert post(admin, f"/parameters/{FAMILY}/values", corrected).status_code == 303
    first, second = jobs(fresh_url)
    assert first[:3] == ("done", 2, 2) and second[:3] == ("done", 1, 1)  # the second: the month that used 0.52
    assert changed(second[3]) == {("RA05", "2026-01")}
    page = enterprise.get("/submissions/RA05/2026-01").text
    history = page.split('data-testid="result-history"', 1)[1].split("</table>", 1)[0]
    assert history.count('data-testid="history-result"') == 2
    why = history.split('data-testid="why-differ"', 1)[1].split("</ul>", 1)[0]
    assert "电力二氧化碳排放因子（全国，基于位置的平均值）" in why
    assert re.search(r"0\.520?</span> → <span class=\"diff-after\">0\.525</span>", why), why
    assert "测试第1号" in why


def test_the_button_recomputes_and_only_the_administrator_may(fresh_app: Any, fresh_url: str) -> None:
    for role in ("enterprise", "province", "city", "verifier"):
        user = client(fresh_app, role)
        assert post(user, f"/parameters/{FAMILY}/recompute").status_code == 403
        assert user.get("/jobs/1").status_code == 403
        assert 'data-testid="recompute-start"' not in user.get(f"/parameters/{FAMILY}").text
    assert jobs(fresh_url) == []
    admin = client(fresh_app, "admin")
    assert 'data-testid="recompute-start"' in admin.get(f"/parameters/{FAMILY}").text
    started = post(admin, "/parameters/electricity.grid_factor_ets/recompute")
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    ((status, total, done, detail),) = jobs(fresh_url)
    # the demo's 2020-2022 months used the ETS factor: the same values give no new result; the month without
    # one gets it
    assert status == "done" and total == done and total > 2000 and detail["summary"]["added"] == 1
    assert changed(detail) == {UNCOMPUTED}
    page = admin.get(started.headers["location"]).text
    assert 'data-status="done"' in page and f"已完成 {total}/{total} 个月份" in page
    assert admin.get("/jobs/999").status_code == 404


def test_served_the_entry_returns_at_once_and_the_job_runs_beside_the_server(fresh_url: str) -> None:
    """With an import process (as served), the request returns before the recompute; the job runs there."""
    import time

    from webhelpers import make_app

    app = make_app(fresh_url, import_processes=1)
    try:
        save_waiting_month(app)
        admin = client(app, "admin")
        assert post(admin, f"/parameters/{FAMILY}/values", FACTOR_2024).status_code == 303
        deadline = time.monotonic() + 120
        while jobs(fresh_url)[0][0] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
        ((status, total, done, detail),) = jobs(fresh_url)
        assert (status, total, done) == ("done", 2, 2) and changed(detail) == {("RA05", "2026-01"), UNCOMPUTED}
        assert 'data-testid="results"' in admin.get("/submissions/RA05/2026-01").text
    finally:
        app.state.imports.close()
