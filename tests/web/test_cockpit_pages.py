"""The overview as a cockpit: KPI cards in the sector's units that open their breakdown, the breakdown
by city, enterprise, facility and month with how it was made, 同比/环比, rankings, the three one-click
answers, and the city regulator's breakdown holding its city only."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from carbonpeak.indicators import definitions as ind
from carbonpeak.parameters import load
from carbonpeak.store import db
from carbonpeak.store.facts import facility_months


def _between(html: str, testid: str) -> str:
    """The element with this data-testid, up to its closing tag (roughly: enough for its text)."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</", start)]


def _number(text: str) -> float:
    return float(re.search(r"[\d,]+(?:\.\d+)?", text)[0].replace(",", ""))  # type: ignore[index]


def _links(html: str, testid: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'<a href="([^"]+)" data-testid="{testid}"', html)]


def test_kpi_cards_show_the_sectors_units_and_open_their_breakdown(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/overview?year=2024").text
    cards = _between(page, "kpi-cards")
    for unit in ("万吨CO2e", "万吨标准煤", "亿kWh", "万吨/年"):
        assert f'<span class="u">{unit}</span>' in page, unit
    assert "tCO2e" not in cards and "tce" not in cards
    card = re.search(
        r'<a class="card kpi kpi-link" href="([^"]+)" data-testid="kpi-card-emissions_location_tco2e">', page
    )
    assert card and unescape(card[1]) == "/overview/breakdown?figure=emissions_location_tco2e&region=demo&year=2024"
    capacity = re.search(r'href="([^"]+)" data-testid="kpi-card-capacity_t_per_a"', page)
    assert capacity and "sector=electrolytic_aluminium" in unescape(capacity[1])
    # the indicators table's sums open their breakdown too
    table = [unescape(h) for h in re.findall(r'<a href="([^"]+)" data-testid="indicator-breakdown">', page)]
    assert "/overview/breakdown?figure=energy_tce&region=demo&year=2024" in table


def test_the_breakdown_by_enterprise_adds_up_to_the_overviews_figure(
    clients: dict[str, TestClient], shared_url: str
) -> None:
    overview = clients["province"].get("/overview?year=2024").text
    shown = _between(overview, "kpi-emissions")
    page = clients["province"].get("/overview/breakdown?figure=emissions_location_tco2e&region=demo&year=2024")
    assert page.status_code == 200
    html = page.text
    total = _between(html, "breakdown-total")
    assert _number(total) == _number(shown) and "万吨CO2e" in total  # the card's figure, to the digit shown
    with db.transaction(shared_url) as session:
        facts = facility_months(session)
    exact = ind.compute("emissions_location_tco2e", facts, region="demo", year=2024, options=ind.Options(load()))
    rows = re.findall(r'<tr data-key="(E\d+)">.*?<td class="num">([\d,.]+)</td>', html, re.S)
    assert len(rows) == len(set(facts[(facts.year == 2024) & (facts.province_code == "demo")].enterprise_code))
    parts = sum(float(v.replace(",", "")) for _, v in rows)  # each rounded to 0.01 万吨
    assert abs(parts - exact.value / 1e4) <= 0.005 * len(rows)
    assert _number(_between(html, "breakdown-sum")) == _number(total)
    # how it was made: the facility-months behind it and the methods by name
    how = html.split('data-testid="how-made"', 1)[1]
    months = re.search(r"基于 (\d+) 个设施的 (\d+) 个计入设施月，其中 (\d+) 个", how)
    assert months and int(months[2]) == exact.months == int(months[3]) == 705
    assert "铝冶炼行业企业温室气体排放核算（MEE 2024）" in how and "电力二氧化碳排放因子" in how
    assert "生态环境部" in how  # a publisher, in Chinese


def test_drill_down_links_go_city_enterprise_facility_month(clients: dict[str, TestClient]) -> None:
    province = clients["province"]
    by_city = province.get("/overview/breakdown?figure=energy_tce&region=demo&year=2024&by=city").text
    cities = _links(by_city, "breakdown-part")
    assert (
        cities[0].startswith("/overview/breakdown?") and "region=demo-c" in cities[0] and "by=enterprise" in cities[0]
    )
    city = province.get(cities[0]).text
    enterprises = _links(city, "breakdown-part")
    assert all("by=facility" in e and "enterprise=E" in e for e in enterprises)
    enterprise = province.get(enterprises[0]).text
    facilities = _links(enterprise, "breakdown-part")
    assert facilities and all("by=month" in f and "facility=" in f for f in facilities)
    facility = province.get(facilities[0]).text
    months = _links(facility, "breakdown-part")
    assert len(months) == 12 and all(re.fullmatch(r"/submissions/\w+/2024-\d\d", m) for m in months)
    assert province.get(months[2]).status_code == 200
    assert "吨标准煤" in _between(facility, "breakdown-total")  # a facility's figures in the detail scale


def test_a_city_regulators_breakdown_holds_its_city_only(clients: dict[str, TestClient]) -> None:
    city = clients["city"]
    page = city.get("/overview/breakdown?year=2024&by=city").text
    assert re.findall(r'<tr data-key="([\w-]+)">', page) == ["demo-d"]
    enterprises = city.get("/overview/breakdown?year=2024").text
    shown = set(re.findall(r'<tr data-key="(E\d+)">', enterprises))
    assert shown and shown <= {"E02", "E04", "E15", "E16", "E17", "E33", "E37"}  # demo-d's enterprises
    assert city.get("/overview/breakdown?region=demo").status_code == 403
    other = city.get("/overview/breakdown?year=2024&enterprise=E01").text  # E01 is in demo-c
    assert "所选范围内没有计入的设施月" in other and 'data-key="AL01"' not in other


def test_month_changes_and_rankings_on_the_overview(clients: dict[str, TestClient], shared_url: str) -> None:
    page = clients["province"].get("/overview?year=2025").text
    table = page.split('data-testid="month-changes"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr data-period="([\d-]+)">', table) == [f"2025-{m:02d}" for m in range(1, 10)]
    with db.transaction(shared_url) as session:
        facts = facility_months(session)
    demo = facts[(facts.province_code == "demo") & facts.has_result]
    month = demo.groupby("period")["total_location_tco2e"].sum()
    march = table.split('data-period="2025-03"', 1)[1].split("</tr>", 1)[0]
    yoy = (month["2025-03"] / month["2024-03"] - 1) * 100
    mom = (month["2025-03"] / month["2025-02"] - 1) * 100
    assert f"{yoy:+.1f}%" in march and f"{mom:+.1f}%" in march
    top = page.split('data-testid="ranking-top-emitters"', 1)[1].split("</table>", 1)[0]
    order = re.findall(r'<tr data-key="(E\d+)">', top)
    by_enterprise = demo[demo.year == 2025].groupby("enterprise_code")["total_location_tco2e"].sum()
    assert order == list(by_enterprise.sort_values(ascending=False).index[:10])
    assert "排放量最大" in page and "单位产品能耗最高" in page and "增幅最大" in page


def test_the_three_answers_are_one_click_from_the_overview_in_chinese(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/overview?year=2024").text
    answers = page.split('data-testid="answers"', 1)[1].split('data-testid="kpi-cards"', 1)[0]
    below = re.search(r'<a class="card answer" href="([^"]+)" data-testid="answer-below-baseline">', answers)
    peak = re.search(r'<a class="card answer" href="([^"]+)" data-testid="answer-peak">', answers)
    late = re.search(r'<a class="card answer" href="([^"]+)" data-testid="answer-late">', answers)
    assert below and unescape(below[1]) == "/benchmark?below_baseline=1&year=2024"
    assert peak and unescape(peak[1]).startswith("/pathways")
    assert late and re.fullmatch(r"/reporting-status/late\?region=demo&month=\d{4}-\d\d", unescape(late[1]))
    assert "谁低于基准水平、何时必须退出？" in answers
    assert "2030年前能否达峰、主要驱动因素？" in answers
    assert "上月谁未报送？" in answers
    assert re.search(r"2024年 \d+ 个设施低于基准水平", answers)


def test_english_pages_keep_international_units(clients: dict[str, TestClient]) -> None:
    clients["province"].get("/overview?year=2024")  # the templates are compiled in Chinese first
    page = clients["province"].get("/overview/breakdown?year=2024&lang=en").text
    assert re.search(r'data-testid="breakdown-total">27,027,071<span class="u">tCO2e</span>', page)
    assert '<option value="">all sectors</option>' in page and "万吨" not in page
    overview = clients["province"].get("/overview?year=2024&lang=en").text
    assert "Top emitters" in overview and "Emissions (tCO2e)" in overview and "万吨" not in overview
