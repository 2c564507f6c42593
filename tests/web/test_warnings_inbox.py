"""The warnings inbox grouped by enterprise (names in the page's language), with Chinese field names and a link
to the figure that raised each warning; `warnings --refresh --json` and `warnings refresh --json` print only
JSON on stdout."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner
from webhelpers import client

from carbonpeak.cli import app as cli_app
from carbonpeak.services import warnings as cases
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Enterprise, Facility, Job, SubmissionVersion

runner = CliRunner()


def _owners(url: str) -> dict[str, tuple[str, str, str]]:
    """Facility code -> (enterprise code, its Chinese name, its English name)."""
    with db.transaction(url) as session:
        rows = session.execute(
            select(Facility.code, Enterprise.code, Enterprise.name_zh, Enterprise.name_en).join(
                Enterprise, Enterprise.id == Facility.enterprise_id
            )
        ).all()
    return {f: (e, zh, en) for f, e, zh, en in rows}


def _groups(html: str) -> list[tuple[str, str, list[str]]]:
    """(enterprise code, heading, facility codes of its rows) of each group of the inbox."""
    table = html.split('data-testid="warnings"', 1)[1].split("</table>", 1)[0]
    out = []
    for code, body in re.findall(r'data-testid="warning-group" data-enterprise="([^"]*)">(.*?)</tbody>', table, re.S):
        heading = re.search(r'scope="rowgroup">([^<]*)<', body)
        facilities = re.findall(r'href="/facilities/([^"?#]+)" title=', body)
        out.append((code, heading[1].strip() if heading else "", facilities))
    return out


def test_the_inbox_groups_by_enterprise_with_names_and_links_to_the_figure(fresh_app: Any, fresh_url: str) -> None:
    owners = _owners(fresh_url)
    with db.transaction(fresh_url) as session:  # a month held with a plausibility warning on a coded field
        version = repo.versions_of(session, "AL03", "2024-03")[-1]
        row = session.get(SubmissionVersion, version.id)
        row.status = "submitted"
        flag = {"rule": "ac_per_tonne", "code": "plausibility.ac_per_tonne", "severity": "warning"}
        row.flags = [{**flag, "field": "electrolysis_ac_mwh", "params": {}}]
        cases.after_change(session, "system:test", facilities=["AL03"])
    province = client(fresh_app, "province")
    html = province.get("/warnings").text
    groups = _groups(html)
    assert len(groups) >= 3
    seen = set()
    for code, heading, facilities in groups:
        assert code not in seen  # one group per enterprise
        seen.add(code)
        for facility in facilities:  # every row of a group belongs to its enterprise
            assert owners[facility][0] == code
        if code:
            assert heading.startswith(next(o[1] for o in owners.values() if o[0] == code))  # its Chinese name
    links = re.findall(r'href="([^"]+)" data-testid="warning-figure"', html)
    assert any(link.startswith("/benchmark?year=") for link in links)  # the high ones first: below the baseline
    html = province.get("/warnings?facility=AL03").text  # the held month among AL03's warnings
    held = re.search(r'data-testid="warning-text">([^<]*合理性提示[^<]*)<', html)
    assert held and "电解交流电耗" in held[1] and "electrolysis_ac_mwh" not in html.split("<table", 1)[1]
    links += re.findall(r'href="([^"]+)" data-testid="warning-figure"', html)
    assert "/submissions/AL03/2024-03" in links and "/facilities/AL03?year=2026" in links  # a missing month's year
    for link in set(links):
        assert province.get(link).status_code == 200
    english = province.get("/warnings?facility=AL03&lang=en").text
    enterprise = owners["AL03"]
    assert enterprise[2] in english and "AC power to electrolysis" in english
    detail_id = re.search(r'href="/warnings/(\d+)" data-testid="warning-text">[^<]*合理性提示', html)
    assert detail_id
    detail = province.get(f"/warnings/{detail_id[1]}").text
    assert enterprise[1] in detail and 'href="/submissions/AL03/2024-03" data-testid="warning-figure"' in detail


def test_a_warning_without_a_code_shows_its_stored_text(clients: dict[str, Any]) -> None:
    html = clients["admin"].get("/warnings?facility=AO01").text
    assert "AO01 测试预警" in html  # raised before warnings had codes: the stored text


def _cli(*args: str) -> Any:
    return runner.invoke(cli_app, list(args), env={"COLUMNS": "200", "CARBONPEAK_LANG": "zh"})


def test_refresh_with_json_prints_only_json_on_stdout(fresh_url: str) -> None:
    listed = _cli("warnings", "--refresh", "--json", "--db", fresh_url)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)  # the whole of stdout is the JSON
    assert rows and {"id", "kind", "message"} <= set(rows[0])
    assert "新增预警" in listed.stderr  # the note went to stderr
    daily = _cli("warnings", "refresh", "--json", "--db", fresh_url)
    assert daily.exit_code == 0, daily.output
    payload = json.loads(daily.stdout)
    assert payload["ran"] is True and payload["job"] and payload["skipped"] is None
    assert "新增预警" in daily.stderr
    again = _cli("warnings", "refresh", "--json", "--db", fresh_url)
    assert json.loads(again.stdout) == {
        **payload,
        "ran": False,
        "job": None,
        "found": 0,
        "new": 0,
        "cleared": 0,
        "skipped": "done",
        "held_by_job": payload["job"],
    }
    assert "已完成或正在进行" in again.stderr
    with db.transaction(fresh_url) as session:
        (job,) = session.scalars(select(Job).where(Job.kind == "warnings_refresh"))
        assert (job.status, job.detail["trigger"], job.detail["found"]) == ("done", "cli", payload["found"])


def test_the_served_app_runs_the_days_check_in_the_background(fresh_url: str) -> None:
    import time

    from fastapi.testclient import TestClient
    from webhelpers import make_app

    app = make_app(fresh_url, warnings_daily_hour=0, warnings_daily_check_s=1)  # due from midnight: due now
    with TestClient(app):  # the lifespan starts the thread; it looks after a second
        deadline = time.monotonic() + 60
        while True:
            with db.transaction(fresh_url) as session:
                jobs = list(session.scalars(select(Job).where(Job.kind == "warnings_refresh")))
            if (jobs and jobs[0].status != "running") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        thread = app.state.daily_warnings._thread
        assert thread is not None and thread.is_alive()
    assert app.state.daily_warnings._thread is None  # stopped with the app
    (job,) = jobs
    assert (job.status, job.started_by, job.detail["trigger"], job.detail["benchmark_edition"]) == (
        "done",
        "system:daily",
        "daily",
        "2021",
    )


def test_each_kind_links_to_the_figure_that_raised_it(clients: dict[str, Any]) -> None:
    from carbonpeak.store.models import Warning
    from carbonpeak.web import warning_views as views

    def link(kind: str, period: str | None, facility: str | None = "AL03", **details: Any) -> str | None:
        warning = Warning(kind=kind, facility_code=facility, period=period, details=details, region="demo")
        return views.figure(warning)[0]

    assert link("late_submission", "2025-03") == "/submissions/AL03/2025-03"
    assert link("held_month", "2025-03") == "/submissions/AL03/2025-03"
    assert link("missing_submission", "2026-02") == "/facilities/AL03?year=2026"
    assert link("over_capacity", "2025") == "/facilities/AL03?year=2025#capacity"
    assert link("baseline_deadline_passed", "2025") == "/benchmark?year=2025"
    assert (
        link("target_off_track", None, None, plan="shaanxi_nonferrous")
        == "/overview?plan=shaanxi_nonferrous&region=demo"
    )
    page = clients["province"].get("/facilities/AL03?year=2025").text
    assert 'id="capacity" data-testid="capacity-ledger"' in page and "产能台账" in page
