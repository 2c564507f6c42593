"""The city map's values and the long tables' paging, sorting, filtering and search, through the pages
(TestClient on the shared demo database) and the services."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carbonpeak.indicators import definitions as ind
from carbonpeak.services import access, lists
from carbonpeak.services.lists import ListQuery
from carbonpeak.store import db
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import Facility, Region, Warning
from carbonpeak.web import city_maps


def _principal(session: Any, username: str) -> access.Principal:
    from carbonpeak.store.accounts import User

    user = session.scalar(select(User).where(User.username == username))
    return access.principal_for(session, user)


# ---------------------------------------------------------------- the map


def test_map_values_are_the_indicators_of_each_city(clients: dict[str, TestClient], shared_url: str) -> None:
    found = clients["province"].get("/overview/city-map.json?region=demo&indicator=emissions_location_tco2e")
    assert found.status_code == 200
    data = found.json()
    assert data["unit"] == "万吨CO2e" and data["stand_in"] is True and "示意" in data["note"]
    year = data["year"]
    by_code = {c["code"]: c for c in data["cities"]}
    with db.session_factory(shared_url)() as session:
        facts = facility_months(session)
        codes = list(session.scalars(select(Region.code).where(Region.level == "city", Region.code.like("demo-%"))))
    assert sorted(by_code) == sorted(codes)
    checked = 0
    for code in codes:
        expected = ind.compute("emissions_location_tco2e", facts, region=code, year=year).value
        shown = by_code[code]["value"]
        if expected is None:
            assert shown is None
            continue
        assert shown == pytest.approx(expected * 1e-4, rel=1e-9)  # tCO2e shown in 万吨CO2e
        checked += 1
    assert checked >= 3
    # each city is drawn on the shape the configuration names, and links to its overview
    shapes = city_maps.for_province("demo")
    assert shapes is not None
    assert all(by_code[c]["feature"] == shapes.cities[c] for c in codes)
    assert by_code["demo-c"]["url"] == f"/overview?region=demo-c&year={year}"


def test_unit_consumption_is_asked_within_one_sector(clients: dict[str, TestClient], shared_url: str) -> None:
    data = (
        clients["province"]
        .get("/overview/city-map.json?region=demo&indicator=energy_intensity_kgce_per_t&sector=magnesium")
        .json()
    )
    assert data["sector"] == "magnesium" and data["unit"] == "kgce/t"
    with db.session_factory(shared_url)() as session:
        facts = facility_months(session)
    for city in data["cities"]:
        expected = ind.compute(
            "energy_intensity_kgce_per_t", facts, region=city["code"], year=data["year"], sector="magnesium"
        ).value
        assert city["value"] == (None if expected is None else pytest.approx(expected))


def test_a_city_regulator_sees_only_their_city(clients: dict[str, TestClient], shared_url: str) -> None:
    with db.session_factory(shared_url)() as session:
        own = session.get(Region, _principal(session, "city").region_id).code
    data = clients["city"].get("/overview/city-map.json").json()
    assert [c["code"] for c in data["cities"]] == [own]
    assert clients["city"].get(f"/overview/city-map.json?region={own}").json()["cities"][0]["chosen"] is True
    assert clients["city"].get("/overview/city-map.json?region=demo").status_code == 403
    assert clients["enterprise"].get("/overview/city-map.json").status_code == 403
    assert clients["verifier"].get("/overview/city-map.json").status_code == 403


def test_the_overview_carries_the_map_and_the_shapes_are_served(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/overview").text
    assert 'data-testid="city-map"' in page and "示意图" in page and "/static/city_map.js" in page
    shapes = clients["province"].get("/maps/shaanxi.geojson")
    assert shapes.status_code == 200 and len(shapes.json()["features"]) == 10
    assert clients["province"].get("/maps/nowhere.geojson").status_code == 404


# ---------------------------------------------------------------- the lists (services)


def test_page_two_total_and_a_stable_order(shared_url: str) -> None:
    with db.session_factory(shared_url)() as session:
        who = _principal(session, "province")
        every = lists.facilities(session, who, ListQuery(size=200))
        assert every.total == len(every.rows) > 10
        second = lists.facilities(session, who, ListQuery(size=5, page=2))
        assert second.total == every.total and second.pages == -(-every.total // 5)
        assert [r.facility.code for r in second.rows] == [r.facility.code for r in every.rows[5:10]]
        # sorted by capacity, largest first; ties keep one order, so pages neither repeat nor skip a row
        pages = [
            lists.facilities(session, who, ListQuery(size=7, page=p, sort="capacity", descending=True))
            for p in range(1, 20)
        ]
        seen = [r.facility.code for p in pages[: pages[0].pages] for r in p.rows]
        assert sorted(seen) == sorted(r.facility.code for r in every.rows) and len(seen) == len(set(seen))
        capacities = [r.facility.capacity_t_per_a or 0 for p in pages[: pages[0].pages] for r in p.rows]
        assert capacities[0] == max(capacities)
        assert lists.facilities(session, who, ListQuery(size=5, page=999)).page == second.pages  # past the end


def test_filters_combine_and_search_looks_in_names(shared_url: str) -> None:
    with db.session_factory(shared_url)() as session:
        who = _principal(session, "province")
        city = session.scalar(select(Region).where(Region.code == "demo-c"))
        below = access.subtree(session, city.id)
        rows = session.scalars(
            select(Facility).where(Facility.sector == "magnesium", Facility.region_id.in_(below))
        ).all()
        found = lists.facilities(session, who, ListQuery(city="demo-c", sector="magnesium", size=200))
        assert sorted(r.facility.code for r in found.rows) == sorted(f.code for f in rows) and found.total == len(rows)
        one = rows[0]
        searched = lists.facilities(session, who, ListQuery(search=one.name_zh[2:8], size=200))
        assert one.code in {r.facility.code for r in searched.rows}
        classes = {one.code: "below_baseline"}
        by_class = lists.facilities(session, who, ListQuery(benchmark_class="below_baseline"), classes)
        assert [r.facility.code for r in by_class.rows] == [one.code]
        enterprises = lists.enterprises(session, who, ListQuery(sector="magnesium", city="demo-c", size=200))
        assert {e.enterprise.id for e in enterprises.rows} == {f.enterprise_id for f in rows}
        assert lists.facilities(session, who, ListQuery(search="100%_不存在")).total == 0  # % and _ are literal


def test_warnings_page_by_filters(shared_url: str) -> None:
    with db.session_factory(shared_url)() as session:
        who = _principal(session, "province")
        open_ = session.scalars(select(Warning).where(Warning.status != "closed", access.warning_filter(who))).all()
        page = lists.warnings(session, who, ListQuery(size=20))
        assert page.total == len(open_) and len(page.rows) == min(20, len(open_))
        kind = open_[0].kind
        of_kind = lists.warnings(session, who, ListQuery(kind=kind, size=200))
        assert of_kind.total == sum(w.kind == kind for w in open_)
        pages = [lists.warnings(session, who, ListQuery(size=20, page=p)) for p in range(1, page.pages + 1)]
        seen = [w.id for p in pages for w in p.rows]
        assert sorted(seen) == sorted(w.id for w in open_)


def test_a_city_regulator_lists_only_their_city(shared_url: str) -> None:
    with db.session_factory(shared_url)() as session:
        who = _principal(session, "city")
        own = session.scalars(select(Facility.code).where(access.facility_filter(who))).all()
        found = lists.facilities(session, who, ListQuery(size=200))
        assert sorted(r.facility.code for r in found.rows) == sorted(own)
        other = "demo-a" if session.get(Region, who.region_id).code != "demo-a" else "demo-b"
        assert lists.facilities(session, who, ListQuery(city=other, size=200)).total == 0


# ---------------------------------------------------------------- the lists (pages)


def _codes(html: str) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)"', html)


def test_the_facilities_page_sorts_filters_and_pages(clients: dict[str, TestClient], shared_url: str) -> None:
    with db.session_factory(shared_url)() as session:
        total = len(
            session.scalars(select(Facility.code).where(access.facility_filter(_principal(session, "province")))).all()
        )
    assert 50 < total <= 100  # two pages of 50
    province = clients["province"]
    first = province.get("/facilities?sort=code").text
    second = province.get("/facilities?sort=code&page=2").text
    assert f"共{total}条" in first and "第1/2页" in first and "第2/2页" in second
    codes = _codes(first) + _codes(second)
    assert codes == sorted(codes) and len(codes) == total
    down = _codes(province.get("/facilities?sort=code&desc=1").text)
    assert down == sorted(codes, reverse=True)[:50]
    filtered = province.get("/facilities?sector=magnesium&city=demo-c&status=operating").text
    assert _codes(filtered) and all(c.startswith("MG") for c in _codes(filtered))
    # the pager keeps the question
    assert 'href="/facilities?sort=code&amp;page=2"' in first
    assert province.get("/facilities?page=abc&sort=nonsense").status_code == 200


def test_the_enterprises_page_searches(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/enterprises?q=镁").text
    codes = re.findall(r'<tr data-code="([^"]+)"', page)
    assert codes and "共" in page
    every = clients["province"].get("/enterprises").text
    assert len(codes) < len(re.findall(r'<tr data-code="', every))


def test_the_warnings_page_pages_on_the_server(clients: dict[str, TestClient]) -> None:
    province = clients["province"]
    first = province.get("/warnings").text
    assert "第1/" in first and 'data-testid="next-page"' in first
    ids_1 = re.findall(r'<td class="num"><a href="/warnings/(\d+)"', first)
    ids_2 = re.findall(r'<td class="num"><a href="/warnings/(\d+)"', province.get("/warnings?page=2").text)
    assert len(ids_1) == 50 and ids_2 and not set(ids_1) & set(ids_2)
    sorted_page = province.get("/warnings?sort=deadline&desc=1").text
    assert 'aria-sort="descending"' in sorted_page


def test_the_reporting_matrix_searches_filters_and_pages(clients: dict[str, TestClient], shared_url: str) -> None:
    province = clients["province"]
    whole = province.get("/reporting-status").text
    rows_all = re.findall(r'<tr class="rs-ent" data-enterprise="([^"]+)"', whole)

    def row_of(html: str, code: str) -> str:
        return html.split(f'<tr class="rs-ent" data-enterprise="{code}"', 1)[1].split("</tr>", 1)[0]

    for state in ("late", "returned", "draft", "submitted"):
        shown = re.findall(
            r'<tr class="rs-ent" data-enterprise="([^"]+)"', province.get(f"/reporting-status?status={state}").text
        )
        having = [c for c in rows_all if f'data-state="{state}"' in row_of(whole, c)]
        assert shown == having, state  # exactly the enterprises with a month in that state, in the same order
    late = province.get("/reporting-status?status=late").text

    def counts(html: str) -> list[str]:  # the numbers under the matrix, month by month
        foot = re.search(r'<tfoot data-testid="status-counts">(.*?)</tfoot>', html, re.S)
        assert foot
        return re.findall(r'data-period="[^"]+">(?:<a [^>]*>)?(\d+)', foot[1])

    assert counts(late) == counts(whole) and counts(whole)  # the counts stay the whole selection's
    first = rows_all[0]
    searched = province.get(f"/reporting-status?q={first}").text
    assert re.findall(r'<tr class="rs-ent" data-enterprise="([^"]+)"', searched) == [first]
    by_name = re.findall(
        r'<tr class="rs-ent" data-enterprise="([^"]+)"', province.get("/reporting-status?sort=name&desc=1").text
    )
    assert sorted(by_name) == sorted(rows_all) and by_name != rows_all
    # pages of five: the same rows in the same order, none twice
    import datetime as dt

    from carbonpeak.services import reporting_status as status_use

    with db.session_factory(shared_url)() as session:
        found = status_use.matrix(session, _principal(session, "province"), today=dt.date(2026, 1, 20))
    pages = [lists.status_rows(found, ListQuery(size=5, page=p)) for p in range(1, 20)]
    assert pages[0].total == len(found.enterprises) and pages[0].pages == -(-len(found.enterprises) // 5)
    assert [r.code for p in pages[: pages[0].pages] for r in p.rows] == [e.code for e in found.enterprises]


@pytest.mark.parametrize("role", ["province", "city", "admin"])
def test_the_map_and_the_lists_read_in_chinese(clients: dict[str, TestClient], role: str) -> None:
    from chinese_scan import latin_runs

    overview = clients[role].get("/overview").text
    card = re.search(r'<div class="card city-map".*?</details>\s*</div>', overview, re.S)
    assert card and not latin_runs(card[0])
    data = clients[role].get("/overview/city-map.json?indicator=energy_intensity_kgce_per_t").json()
    words = [data["label"], data["note"], data["unit"]]
    words += [c["name"] for c in data["cities"]] + [c["text"] for c in data["cities"]]
    words += [i["label"] for i in data["indicators"]] + [s["label"] for s in data["sectors"]]
    assert not latin_runs("<p>" + "</p><p>".join(words) + "</p>")
    for path in ("/facilities?sort=capacity&desc=1", "/enterprises?q=镁", "/reporting-status?status=late&sort=name"):
        assert not latin_runs(clients[role].get(path).text), path


def test_a_deployment_points_the_map_elsewhere(shared_url: str, tmp_path: Any) -> None:
    import shutil

    from webhelpers import client, make_app

    shutil.copyfile(city_maps.SHIPPED.parent / "shaanxi.geojson", tmp_path / "shapes.geojson")
    (tmp_path / "maps.yaml").write_text(
        "indicators:\n  - {id: energy_tce}\nprovinces:\n  demo:\n    geojson: shapes.geojson\n"
        "    feature: name\n    cities: {demo-c: 延安市}\n    note_zh: 本地地图\n    note_en: our map\n",
        encoding="utf-8",
    )
    try:
        app = make_app(shared_url, city_maps=str(tmp_path / "maps.yaml"))
        data = client(app, "province").get("/overview/city-map.json").json()
        assert data["indicator"] == "energy_tce" and [i["id"] for i in data["indicators"]] == ["energy_tce"]
        assert data["note"] == "本地地图" and data["stand_in"] is False and data["map"] == "/maps/shapes.geojson"
        features = {c["code"]: c["feature"] for c in data["cities"]}
        assert features["demo-c"] == "延安市" and features["demo-a"] is None  # a city without a shape is listed only
        (tmp_path / "broken.yaml").write_text("provinces:\n  demo: {geojson: nowhere.geojson}\n", encoding="utf-8")
        with pytest.raises(ValueError, match=r"nowhere\.geojson"):
            make_app(shared_url, city_maps=str(tmp_path / "broken.yaml"))
    finally:
        city_maps.configure("")  # the shipped file again for the other tests' apps


def test_the_matrix_puts_the_most_late_enterprises_first(clients: dict[str, TestClient]) -> None:
    html = clients["province"].get("/reporting-status?sort=late&desc=1").text
    rows = re.findall(r'<tr class="rs-ent" data-enterprise="[^"]+">(.*?)</tr>', html, re.S)
    late = [row.count('data-state="late"') for row in rows]
    assert late == sorted(late, reverse=True) and late[0] > late[-1]
