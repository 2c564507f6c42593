"""A month's page and its "how was this made" page read in Chinese for a facility of every sector (the
Chinese-only scan visits one facility, AL03): methods, technologies, products, fuels, carbonates and
reducing agents by name, each term's clause and formula in words, the audit's actors in words."""

from __future__ import annotations

import pytest
from chinese_scan import latin_runs
from fastapi.testclient import TestClient

FACILITIES = ["AL01", "AL03", "AO01", "MG05", "TI01", "CU01", "PB01", "ZN01", "SI01", "RA01", "RC01", "AP01", "OT01"]


@pytest.mark.parametrize("facility", FACILITIES)
def test_a_month_and_how_it_was_made_read_in_chinese(clients: dict[str, TestClient], facility: str) -> None:
    found = {}
    for period in ("2023-07", "2024-03"):
        for path in (f"/submissions/{facility}/{period}", f"/submissions/{facility}/{period}/provenance"):
            response = clients["admin"].get(path)
            assert response.status_code == 200, path
            if runs := latin_runs(response.text):
                found[path] = sorted(set(runs))[:10]
    assert found == {}


def test_the_words_behind_the_chinese_page(clients: dict[str, TestClient]) -> None:
    page = clients["admin"].get("/submissions/AL03/2024-03/provenance").text
    assert "《企业温室气体排放核算与报告指南 铝冶炼行业》" in page  # the method's reference
    assert "消耗量 × 低位发热量 × 单位热值含碳量" in page  # a formula in words
    assert "电网区域：按排放因子规则" in page  # the options by name
    month = clients["admin"].get("/submissions/MG05/2023-07").text
    assert "烟煤" in month and "bituminous_coal" not in month  # a correction's fuel lines by name
    english = clients["admin"].get("/submissions/AL03/2024-03/provenance?lang=en").text
    assert "Σ FC_i × NCV_i × CC_i" in english and "grid_region = rule" in english
