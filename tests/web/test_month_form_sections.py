"""The month form is grouped in the field table's sections (产量 / 电力 / 燃料 / 阳极与过程 / 固废与污染物), shows
each field's value of last month as reported with the change from it, and the unit consumption of the
month computed with the accounting's own definition (the live figure's starting point)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from fastapi.testclient import TestClient

from carbonpeak.io.fields import field_table
from carbonpeak.io.template import template_columns
from carbonpeak.services import month_form
from carbonpeak.web import i18n

FACILITY, PERIOD, BEFORE = "AL03", "2024-04", "2024-03"


def _latest(database: str, facility: str, period: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record of the month's latest version and the values of its newest result, from the store itself."""
    with sqlite3.connect(database.removeprefix("sqlite:///")) as connection:
        record, version_id = connection.execute(
            "SELECT v.record, v.id FROM submission_version v JOIN submission s ON s.id = v.submission_id "
            "JOIN facility f ON f.id = s.facility_id WHERE f.code = ? AND s.period = ? "
            "ORDER BY v.version DESC LIMIT 1",
            (facility, period),
        ).fetchone()
        values = connection.execute(
            'SELECT r."values" FROM result r WHERE r.version_id = ? ORDER BY r.id DESC LIMIT 1', (version_id,)
        ).fetchone()[0]
    return json.loads(record), json.loads(values)


def test_fields_are_grouped_in_the_field_tables_sections(clients: dict[str, TestClient]) -> None:
    page = clients["enterprise"].get(f"/reporting/form?facility={FACILITY}&period={PERIOD}").text
    shown = re.findall(r'data-section="(\w+)"', page)
    assert shown == [s for s in month_form.SECTIONS if s in shown]  # in the form's order
    for code in ("production", "electricity", "fuel", "process", "environment"):
        assert code in shown
    legends = re.findall(r"<legend>([^<]+)</legend>", page)
    assert legends[:6] == ["基本信息", "产量", "电力", "燃料", "阳极与过程", "固废与污染物"]
    sector = "electrolytic_aluminium"
    table = field_table("activity")
    for column in template_columns(sector):
        if column.name in ("facility_id", "sector", "region", "period"):
            continue
        block = page.split(f'name="{column.name}"', 1)[0].rsplit("data-section=", 1)[1]
        expected = table[column.name].section if column.name in table else column.section
        assert block.startswith(f'"{expected}"'), column.name
    assert all(c.section for c in template_columns(sector))  # every field and line has its section


def test_each_field_shows_last_months_value_and_the_change(clients: dict[str, TestClient], shared_url: str) -> None:
    page = clients["enterprise"].get(f"/reporting/form?facility={FACILITY}&period={PERIOD}").text
    last, _ = _latest(shared_url, FACILITY, BEFORE)
    now, _ = _latest(shared_url, FACILITY, PERIOD)
    i18n.set_lang("zh")
    for name in ("output_t", "electrolysis_ac_mwh", "so2_t"):
        shown = re.search(rf'data-testid="last-{name}">(.*?)</span></span>', page, re.S)
        assert shown, name
        text = re.sub(r"<[^>]+>", "", shown[1])
        assert f"上月 {i18n.num(last[name])}" in text
        change = (now[name] - last[name]) / abs(last[name]) * 100
        assert text.endswith(f"{change:+.1f}%"), text
    assert "2024年3月最新报送的数值" in page
    live = json.loads(page.split('id="month-form-live">', 1)[1].split("</script>", 1)[0])
    assert live["last"]["output_t"] == last["output_t"]
    assert {f["indicator"] for f in live["formulas"]} >= {"ac_power_liquid_aluminium_kwh_per_t"}


def test_a_month_after_an_unreported_one_says_so(clients: dict[str, TestClient]) -> None:
    page = clients["enterprise"].get(f"/reporting/form?facility={FACILITY}&period=2019-01").text
    assert "2018年12月未报送" in page and 'data-testid="last-output_t"' not in page


def test_the_unit_consumption_shown_is_the_accountings_figure(clients: dict[str, TestClient], shared_url: str) -> None:
    page = clients["enterprise"].get(f"/reporting/form?facility={FACILITY}&period={PERIOD}").text
    _, result = _latest(shared_url, FACILITY, PERIOD)
    i18n.set_lang("zh")
    for indicator in ("ac_power_liquid_aluminium_kwh_per_t", "comprehensive_ac_power_kwh_per_t"):
        shown = re.search(rf'data-testid="ratio-{indicator}">([^<]*)<', page)
        assert shown and shown[1] == i18n.num(result[indicator], 0)


def test_other_sectors_have_no_live_ratio_but_keep_their_sections(clients: dict[str, TestClient]) -> None:
    page = clients["enterprise"].get("/reporting/form?facility=RA05&period=2024-04").text
    assert 'data-testid="unit-consumption"' not in page and 'data-section="production"' in page


def test_the_month_form_reads_in_chinese(clients: dict[str, TestClient]) -> None:
    from chinese_scan import latin_runs

    for facility in (FACILITY, "RA05"):
        path = f"/reporting/form?facility={facility}&period={PERIOD}"
        assert latin_runs(clients["enterprise"].get(path).text) == [], path
