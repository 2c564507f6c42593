"""The monitoring pages on the demonstration's meters and simulated history: every role reads them in Chinese,
sees only its scope, the figures are the service's, and a regulator manages a facility's meters (versions
kept, the CLI's access rules)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from chinese_scan import latin_runs
from monitoringhelpers import TODAY, with_history
from sqlalchemy import select
from webhelpers import ROLES, client, copy_db, make_app, post

from carbonpeak.services import access
from carbonpeak.services import monitoring_board as board_use
from carbonpeak.store import db
from carbonpeak.store.accounts import User
from carbonpeak.store.models import Enterprise, Facility
from carbonpeak.web import i18n
from carbonpeak.web.pages.monitoring import as_of_of


@pytest.fixture(scope="module")
def monitored(demo_template: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    found = with_history(demo_template, tmp_path_factory.mktemp("monitoring-web"))
    app = make_app(found["url"], today=TODAY.isoformat())
    return {**found, "app": app, "clients": {role: client(app, role) for role in ROLES}}


def _facilities(html: str) -> set[str]:
    return set(re.findall(r'data-facility="([^"]+)"', html))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_monitoring_pages_in_chinese(monitored: dict[str, Any], role: str) -> None:
    test_client = monitored["clients"][role]
    board = test_client.get("/monitoring")
    assert board.status_code == 200
    assert not latin_runs(board.text), latin_runs(board.text)
    facilities = _facilities(board.text)
    assert facilities, f"{role} sees no monitored facility"
    for code in sorted(facilities)[:2]:
        page = test_client.get(f"/monitoring/facilities/{code}")
        assert page.status_code == 200
        assert not latin_runs(page.text), (code, latin_runs(page.text))
        assert 'data-testid="meters"' in page.text


def test_each_role_sees_only_its_scope(monitored: dict[str, Any]) -> None:
    everything = _facilities(monitored["clients"]["admin"].get("/monitoring").text)
    own = _facilities(monitored["clients"]["enterprise"].get("/monitoring").text)
    assert own and own < everything
    with db.transaction(monitored["url"], mode="read") as session:
        e02 = set(session.scalars(select(Facility.code).join(Enterprise).where(Enterprise.code == "E02")))
    assert own <= e02
    foreign = sorted(everything - own)[0]
    assert monitored["clients"]["enterprise"].get(f"/monitoring/facilities/{foreign}").status_code in (403, 404)


def test_the_page_shows_the_services_figures(monitored: dict[str, Any]) -> None:
    app = monitored["app"]

    class _Request:  # what as_of_of reads
        def __init__(self, app: Any) -> None:
            self.app = app

    def composite() -> dict[str, Any]:
        with db.transaction(monitored["url"], mode="read") as session:
            user = session.scalar(select(User).where(User.username == "province"))
            who = access.principal_for(session, user)
            return board_use.board(session, who, app.state.readings, as_of_of(_Request(app)))  # type: ignore[arg-type]

    monitored["clients"]["province"].get("/monitoring")  # the store is open
    before = composite()
    html = monitored["clients"]["province"].get("/monitoring").text
    after = composite()  # the page was judged between the two (an interval may have ended meanwhile)
    i18n.set_lang("zh")
    shown = re.search(r'data-testid="kpi-composite">([^<]+)<', html)[1]  # type: ignore[index]
    assert shown in {i18n.pct(round(100 * f["total"]["composite"], 1)) for f in (before, after)}
    assert 0 < after["total"]["composite"] < 1
    assert len(after["trend"]) == 7 and all(t["online"] is not None for t in after["trend"])
    assert after["cities"] and after["enterprises"]


def test_a_facility_shows_its_live_chart_gaps_and_warnings(monitored: dict[str, Any]) -> None:
    html = monitored["clients"]["province"].get("/monitoring").text
    first = sorted(_facilities(html))[0]  # the first facility: its gas meter is past its calibration date
    page = monitored["clients"]["province"].get(f"/monitoring/facilities/{first}").text
    assert 'data-testid="series-electricity"' in page and 'id="chart-today-1"' in page
    assert 'data-code="monitoring.warn.calibration_overdue"' in page
    assert "万kWh" in page
    assert 'data-testid="gaps"' in page  # the simulator drops batches: there are gaps


def test_a_regulator_registers_and_changes_a_meter(demo_template: Any, tmp_path: Any) -> None:
    app = make_app(copy_db(demo_template, tmp_path, "meters.db"), today=TODAY.isoformat())
    province, enterprise = client(app, "province"), client(app, "enterprise")
    facility = "AL03"
    record = {
        "meter_code": "AL03-W9",
        "name_zh": "新水表",
        "energy_type": "water",
        "measuring_point": "plant",
        "unit": "t",
        "reading_kind": "interval",
        "interval_min": "15",
        "calibration_due": "2027-01-01",
    }
    refused = post(enterprise, f"/monitoring/facilities/{facility}/meters", record)
    assert refused.status_code == 403
    bad = post(province, f"/monitoring/facilities/{facility}/meters", {**record, "unit": "kWh"})
    assert bad.status_code == 422 and 'data-testid="meter-errors"' in bad.text
    assert 'data-meter="AL03-W9"' not in bad.text
    made = post(province, f"/monitoring/facilities/{facility}/meters", record)
    assert made.status_code == 303
    changed = post(province, f"/monitoring/facilities/{facility}/meters/AL03-W9", {"name_zh": "新水表（改）"})
    assert changed.status_code in (200, 303)
    page = province.get(f"/monitoring/facilities/{facility}").text
    assert 'data-meter="AL03-W9"' in page and "新水表（改）" in page
    versions = re.search(r'data-testid="versions-AL03-W9"><summary>(\d+)<', page)
    assert versions and versions[1] == "2"
    assert not latin_runs(page), latin_runs(page)
