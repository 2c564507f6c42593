"""The benchmark board answers "who is below the baseline level and when must they exit": enterprise names,
the exit deadline only where it applies, marked 已逾期N天 / 剩余N天 against the platform's set day, the
below-the-baseline, city, sector and class filters, sources in Chinese, and the Excel with its headers in the
reader's language."""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from webhelpers import client, copy_db, make_app

from carbonpeak.parameters import load
from carbonpeak.vocabulary import BenchmarkClass

YEAR = 2024
BELOW = BenchmarkClass.BELOW_BASELINE.value


def _deadline(product: str = "electrolytic_aluminium") -> dt.date:
    return dt.date.fromisoformat(str(load().at("benchmarks.baseline_deadline", product=product).value))


@pytest.fixture(scope="module")
def database(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_db(demo_template, tmp_path_factory.mktemp("board"), "board.db")


def _province_on(database: str, day: dt.date) -> TestClient:
    return client(make_app(database, today=day.isoformat()), "province")


def _rows(html: str) -> list[dict[str, str]]:
    """The rows of the facilities table: facility, class, the deadline cell's text and whether it is overdue."""
    table = html.split('data-testid="classes"', 1)[1].split("</table>", 1)[0]
    out = []
    for match in re.finditer(r'<tr data-facility="([^"]+)" data-class="([^"]+)">(.*?)</tr>', table, re.S):
        cell = re.search(r'data-testid="deadline">(.*?)</td>', match[3], re.S)
        assert cell is not None
        state = re.search(r'data-overdue="(\w+)">([^<]*)<', cell[1])
        enterprise = re.search(r'data-testid="enterprise-name">([^<]*)<', match[3])
        out.append(
            {
                "facility": match[1],
                "class": match[2],
                "deadline": re.sub(r"<[^>]+>|\s+", " ", cell[1]).strip(),
                "overdue": state[1] if state else "",
                "state": state[2] if state else "",
                "enterprise": enterprise[1] if enterprise else "",
            }
        )
    return out


def _registry(database: str) -> dict[str, dict[str, str]]:
    """Each facility's enterprise name, city code and sector, read from the store itself."""
    path = database.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        found = connection.execute(
            "SELECT f.code, e.name_zh, r.code, r.level, p.code, f.sector FROM facility f "
            "JOIN enterprise e ON e.id = f.enterprise_id JOIN region r ON r.id = f.region_id "
            "LEFT JOIN region p ON p.id = r.parent_id"
        ).fetchall()
    return {
        code: {"enterprise": name, "city": region if level == "city" else (parent or ""), "sector": sector}
        for code, name, region, level, parent, sector in found
    }


def test_a_passed_deadline_is_overdue_and_a_future_one_counts_down_from_the_set_day(database: str) -> None:
    deadline = _deadline()
    after, before = deadline + dt.timedelta(days=20), deadline - dt.timedelta(days=30)
    late = _rows(_province_on(database, after).get(f"/benchmark?year={YEAR}").text)
    below = [r for r in late if r["class"] == BELOW]
    assert below, "the demo province has a facility below the baseline level"
    for row in below:
        assert row["overdue"] == "true" and row["state"] == f"已逾期{(after - deadline).days}天"
    early = _rows(_province_on(database, before).get(f"/benchmark?year={YEAR}").text)
    for row in (r for r in early if r["class"] == BELOW):
        assert row["overdue"] == "false" and row["state"] == f"剩余{(deadline - before).days}天"


def test_deadlines_only_where_they_apply_and_enterprise_names_shown(database: str) -> None:
    rows = _rows(_province_on(database, _deadline()).get(f"/benchmark?year={YEAR}").text)
    registry = _registry(database)
    assert {r["class"] for r in rows} >= {BELOW, BenchmarkClass.AT_OR_ABOVE_BENCHMARK.value}
    for row in rows:
        assert row["enterprise"] == registry[row["facility"]]["enterprise"]
        if row["class"] == BELOW:
            assert row["deadline"] and row["state"] == "今日到期"
        else:
            assert row["deadline"] == "", row  # above the baseline level no exit deadline applies


def test_the_below_baseline_filter_keeps_only_those_rows_and_other_filters_narrow(database: str) -> None:
    province = _province_on(database, _deadline())
    every = _rows(province.get(f"/benchmark?year={YEAR}").text)
    below = _rows(province.get(f"/benchmark?year={YEAR}&below_baseline=1").text)
    assert below and {r["class"] for r in below} == {BELOW}
    assert sorted(r["facility"] for r in below) == sorted(r["facility"] for r in every if r["class"] == BELOW)
    registry = _registry(database)
    city = registry[every[0]["facility"]]["city"]
    in_city = _rows(province.get(f"/benchmark?year={YEAR}&city={city}").text)
    assert in_city and {registry[r["facility"]]["city"] for r in in_city} == {city}
    assert len(in_city) == sum(1 for r in every if registry[r["facility"]]["city"] == city)
    in_sector = _rows(province.get(f"/benchmark?year={YEAR}&sector=zinc").text)
    assert in_sector and {registry[r["facility"]]["sector"] for r in in_sector} == {"zinc"}
    between = BenchmarkClass.BETWEEN.value
    assert {r["class"] for r in _rows(province.get(f"/benchmark?year={YEAR}&class={between}").text)} == {between}
    nothing = province.get(f"/benchmark?year={YEAR}&below_baseline=1&sector=zinc").text
    assert _rows(nothing) == [] and "没有符合筛选条件的设施" in nothing


def test_sources_and_products_in_chinese(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get(f"/benchmark?year={YEAR}").text
    sources = page.split('data-testid="sources"', 1)[1]
    assert "benchmarks." not in sources and "as quoted in" not in sources
    assert "能效标杆水平和基准水平（电解铝（铝液），标杆水平）" in sources and "转引自" in sources
    assert "copper_smelting" not in page and "铜冶炼（铜精矿—阴极铜）" in page


def _sheets(response: Any) -> dict[str, list[tuple[Any, ...]]]:
    assert response.status_code == 200, response.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_the_excel_is_filtered_like_the_page_with_headers_in_the_readers_language(database: str) -> None:
    province = _province_on(database, _deadline() + dt.timedelta(days=5))
    zh = _sheets(province.get(f"/exports/benchmark.xlsx?year={YEAR}&below_baseline=1"))
    classes = zh["设施能效等级"]
    header = classes[0]
    for name in ("企业名称", "设施编号", "城市", "标杆水平", "基准水平", "改造或退出期限", "期限状态", "逾期天数"):
        assert name in header
    body = [dict(zip(header, row, strict=True)) for row in classes[1:]]
    below = [r for r in _rows(province.get(f"/benchmark?year={YEAR}&below_baseline=1").text)]
    assert sorted(r["设施编号"] for r in body) == sorted(r["facility"] for r in below)
    assert {r["期限状态"] for r in body} == {"已逾期5天"} and {r["逾期天数"] for r in body} == {5}
    assert "参数" in zh["依据来源"][0] and all("benchmarks." not in str(row[0]) for row in zh["依据来源"][1:])
    en = _sheets(province.get(f"/exports/benchmark.xlsx?year={YEAR}&lang=en"))
    assert "Enterprise" in en["facilities by class"][0] and "Baseline level" in en["facilities by class"][0]
