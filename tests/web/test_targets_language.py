"""The targets board speaks the page's language: each target's indicator, the reasons it cannot be
measured or has no data, and the status rule, in Chinese by default and English on request."""

from __future__ import annotations

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
    # Codes of commands and indicators may stay (carbonpeak pathways run); English words may not.
    english = [t for t in shown if re.search(r"\b(?!carbonpeak|pathways|projects|review|run)[a-z]{4,}\b", t)]
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
