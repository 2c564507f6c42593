"""The targets board speaks the page's language: each target's indicator, the reasons it cannot be
measured or has no data, and the status rule, in Chinese by default and English on request."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient

from carbonpeak.indicators.targets import target_map
from carbonpeak.web import i18n

PLANS = ("guizhou_nonferrous", "shaanxi_nonferrous", "xinjiang_industry", "china_synergy", "shaanxi_clusters")


def board(html: str) -> str:
    return html.split('data-testid="targets-board"', 1)[1].split('<div class="grid grid-2">', 1)[0]


def texts(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m[2]).strip() for m in re.finditer(r'<div class="(what|reason)">(.*?)</div>', html, re.S)
    ]


@pytest.mark.parametrize("plan", PLANS)
def test_every_target_and_reason_in_chinese(clients: dict[str, TestClient], plan: str) -> None:
    page = board(clients["province"].get(f"/overview?plan={plan}").text)
    shown = texts(page)
    assert shown, plan
    # No English word, no command (carbonpeak pathways run), no indicator or parameter key.
    english = [t for t in shown if re.search(r"[a-z]{3,}|[a-z]+_[a-z]+", t)]
    assert not english, english
    assert "路径：从有数据的第一年" in page  # the status rule


def test_english_on_request(clients: dict[str, TestClient]) -> None:
    page = board(clients["province"].get("/overview?plan=xinjiang_industry&lang=en").text)
    assert "steel is outside the non-ferrous industry this platform covers" in page
    assert "share of short-process (electric furnace) steelmaking" in page
    assert "path: straight line from the first year with data" in page


def test_xinjiang_statistic_targets_use_the_entered_statistics(clients: dict[str, TestClient]) -> None:
    """XJ-01 and XJ-04..06 read the regulator's statistics on the web as in the CLI (not 'no data')."""
    page = board(clients["province"].get("/overview?plan=xinjiang_industry&lang=en").text)
    for target in ("XJ-01", "XJ-04", "XJ-05", "XJ-06"):
        card = page.split(f'<div class="tid">{target} ', 1)[1].split('<div class="target ', 1)[0]
        status = re.search(r'class="chip chip-(\w+)"', card)
        assert status and status[1] in ("met", "on_track", "at_risk", "off_track", "missed"), (target, card[:600])


def test_every_target_has_its_chinese_text_and_reason() -> None:
    for target_id, entry in target_map().items():
        assert re.search(r"[\u4e00-\u9fff]", entry["zh"]), target_id
        if "why" in entry:
            assert re.search(r"[\u4e00-\u9fff]", entry["why_zh"]), target_id


def test_reasons_are_rendered_from_their_codes() -> None:
    """A reason keeps its English text (API, logs) and is shown from the message catalog, part by part."""
    from types import SimpleNamespace

    from carbonpeak.indicators import definitions as ind
    from carbonpeak.indicators.targets import _coded, _joined

    missing = ind._no_statistic(SimpleNamespace(region="demo"), "green_parks", "industry", 2021)  # type: ignore[arg-type]
    none_yet = ind._coded("indicators.no_counted_months_in", year=2026).message
    text = _joined([missing, _coded("indicators.no_value_yet", years="2026", why=none_yet)])
    assert text == (
        "no green_parks entered for demo, industry, 2021; no value yet for 2026: no counted facility-months in 2026"
    )
    i18n.set_lang("zh")
    assert (
        i18n.reason(text)
        == "demo 2021 年未录入绿色低碳工业园区（累计）（工业）；2026 年尚无数值：2026 年没有计入的设施月度数据"
    )
    assert i18n.reason("something new") == "something new"  # a text without a code: shown as written
    i18n.set_lang("en")
    assert i18n.reason(text) == text
    i18n.set_lang("zh")


def test_the_api_reads_the_same_inputs_as_the_overview(clients: dict[str, TestClient]) -> None:
    """The API's targets and indicators use the regulator's statistics too (as the overview and the CLI)."""
    answer = clients["province"].get("/api/v1/targets?plan=xinjiang_industry&year=2025").json()
    statuses = {t["id"]: t["status"] for t in answer["targets"]}
    assert all(statuses[t] not in ("no_data", "not_measurable") for t in ("XJ-01", "XJ-04", "XJ-05", "XJ-06"))
    overview = board(clients["province"].get("/overview?plan=xinjiang_industry&year=2025&lang=en").text)
    for target in ("XJ-01", "XJ-04"):
        card = overview.split(f'<div class="tid">{target} ', 1)[1].split('<div class="target ', 1)[0]
        assert f"chip-{statuses[target]}" in card, (target, statuses[target])
    indicators = clients["province"].get("/api/v1/indicators?year=2024").json()["indicators"]
    green = [r for r in indicators if r["indicator"] == "green_factories" and r.get("value") is not None]
    assert green, "the green-factory count (entered statistics or registry) is in the API's indicators"


def test_plans_have_their_official_or_marked_chinese_titles(clients: dict[str, TestClient]) -> None:
    """The Guizhou plan's official title (its Chinese original is a seed); the English-only seeds' titles are
    ours, marked 译名 on the page and in the data."""
    from carbonpeak.parameters import load

    plans = load().plans
    assert plans["guizhou_nonferrous"].title["zh"] == "贵州省有色金属行业碳达峰实施方案"
    assert plans["guizhou_nonferrous"].title_zh_status == "official"
    assert plans["guizhou_nonferrous"].quote_zh_status == "original"
    for plan in ("shaanxi_nonferrous", "xinjiang_industry", "china_synergy", "shaanxi_clusters"):
        assert plans[plan].title_zh_status == "translated" and plans[plan].quote_zh_status == "translated"
    page = clients["province"].get("/overview").text
    chooser = page.split('<select name="plan">', 1)[1].split("</select>", 1)[0]
    assert ">贵州省有色金属行业碳达峰实施方案</option>" in chooser  # official: no mark
    assert "陕西省有色金属行业碳达峰实施方案（译名）" in chooser
    assert "新疆维吾尔自治区工业领域碳达峰实施方案（译名）" in chooser
    assert not re.search(r">[^<]*[A-Za-z][^<]*</option>", chooser)  # neither an English title nor a plan id
    english = clients["province"].get("/overview?lang=en").text
    assert "Implementation Plan for Carbon Peaking in the Nonferrous Metals Industry of Shaanxi Province<" in english


def card(page: str, target: str) -> str:
    return page.split(f'<div class="tid">{target} ', 1)[1].split('<div class="target ', 1)[0]


def test_targets_read_as_their_plans_word_them(clients: dict[str, TestClient]) -> None:
    """Each card: the plan's Chinese wording (quoted from the Chinese original, or ours marked 译文), the target
    as the plans write it (≥24%, 2030年前达峰), and a link to the page that follows it instead of a command."""
    guizhou = board(clients["province"].get("/overview?plan=guizhou_nonferrous").text)
    assert "到2025年，铝水直接合金化比例提高到90%以上<" in card(guizhou, "GZ-03")  # quoted: no 译文
    assert "目标 ≥90%" in card(guizhou, "GZ-03")
    assert "目标 2030年前达峰" in card(guizhou, "GZ-04") and 'href="/pathways"' in card(guizhou, "GZ-04")
    shaanxi = board(clients["province"].get("/overview?plan=shaanxi_nonferrous").text)
    assert "再生金属供应占比达24%以上（译文）" in card(shaanxi, "SN-01") and "目标 ≥24%" in card(shaanxi, "SN-01")
    assert "个百分点" in card(shaanxi, "SN-01")  # the distance to a share's target
    assert "目标 达到国际先进水平" in card(shaanxi, "SN-04")
    synergy = board(clients["province"].get("/overview?plan=china_synergy").text)
    assert 'href="/projects"' in card(synergy, "CN-01") and "carbonpeak" not in synergy
    xinjiang = board(clients["province"].get("/overview?plan=xinjiang_industry").text)
    assert "目标 较2020年下降≥17%" in card(xinjiang, "XJ-01") and "目标 ≥200家" in card(xinjiang, "XJ-04")


def test_indicator_notes_and_target_warnings_in_chinese(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/overview?plan=xinjiang_industry").text
    assert "登记库：仅统计在本平台报送的企业" in page and "监管部门录入：" in page
    assert "较 2020 年；" in page and "工业增加值：" in page
    assert "registry:" in clients["province"].get("/overview?plan=xinjiang_industry&lang=en").text
    inbox = clients["province"].get("/warnings?kind=target_off_track").text
    assert "规划目标 《陕西省有色金属行业碳达峰实施方案》（译名）SN-01（再生金属供应占比）" in inbox
    assert "目标：2025 年≥24%" in inbox
    refresh = inbox.split('<select name="plan">', 1)[1].split("</select>", 1)[0]
    assert "shaanxi_nonferrous<" not in refresh and "陕西省有色金属行业碳达峰实施方案（译名）<" in refresh


def test_overview_workbook_names_sheets_and_columns_in_the_readers_language(clients: dict[str, TestClient]) -> None:
    from python_calamine import CalamineWorkbook

    zh = CalamineWorkbook.from_filelike(io.BytesIO(clients["province"].get("/exports/overview.xlsx?year=2024").content))
    assert zh.sheet_names[:2] == ["指标", "规划目标"]
    header = zh.get_sheet_by_name("规划目标").to_python()[0]
    assert header[:3] == ["规划名称", "规划", "编号"] and "目标表述" in header
    first = dict(zip(header, zh.get_sheet_by_name("规划目标").to_python()[1], strict=True))
    assert first["规划名称"] == "陕西省有色金属行业碳达峰实施方案（译名）"
    en = clients["province"].get("/exports/overview.xlsx?year=2024&lang=en").content
    english = CalamineWorkbook.from_filelike(io.BytesIO(en))
    assert english.sheet_names[:2] == ["Indicators", "Plan targets"]
    assert english.get_sheet_by_name("Plan targets").to_python()[0][:3] == ["Plan title", "Plan", "Id"]


def test_warnings_workbook_reads_like_the_inbox(clients: dict[str, TestClient]) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(clients["province"].get("/exports/warnings.xlsx").content))
    assert book.sheet_names == ["预警"]
    rows = book.get_sheet_by_name("预警").to_python()
    assert rows[0][:3] == ["编号", "类型", "等级"]
    kinds = {dict(zip(rows[0], r, strict=True))["类型"] for r in rows[1:]}
    assert "规划目标进度滞后" in kinds and "target_off_track" not in kinds
