"""A small report document made by hand (no database), for the engine's tests."""

from __future__ import annotations

import datetime as dt

from carbonpeak import messages
from carbonpeak.reports.document import Cell, Chart, Document, Paragraph, Provenance, Section, Table

TITLE = "碳达峰监测报告（月报）"
LABELS = (
    "state_short",
    "provisional_mark",
    "provisional_notice",
    "data_state",
    "provenance",
    "figure",
    "methods",
    "parameters",
    "months",
    "how_made",
    "cover_sheet",
)


def document(*, provisional: bool = False, lang: str = "zh", title: str = TITLE) -> Document:
    table = Table(
        "F1",
        "主要指标及同比、环比",
        ["指标", "单位", "本月", "上年同月", "同比"],
        [
            [
                Cell("碳排放量（基于位置）"),
                Cell("万吨CO2e"),
                Cell("224.98", 224.98),
                Cell("220.26", 220.26),
                Cell("+2.1%"),
            ],
            [Cell("综合能源消费量"), Cell("万吨标准煤"), Cell("65.19", 65.19), Cell("62.99", 62.99), Cell("+3.5%")],
        ],
    )
    chart = Chart(
        "F2",
        "逐月碳排放量（基于位置，万吨CO2e）",
        "lines",
        [f"{m}月" for m in range(1, 13)],
        [("2024", [220.0 + m for m in range(12)]), ("2025", [225.0 + m for m in range(9)] + [None, None, None])],
        "万吨CO2e",
    )
    return Document(
        kind="carbon_peak_monthly",
        lang=lang,
        title=title,
        subtitle="示范省（合成数据） · 2025年9月",
        made_on=dt.date(2026, 1, 20),
        labels={k: messages.render(f"reports.label.{k}", lang) for k in LABELS},
        facts=[("地区", "示范省（合成数据）"), ("报告期", "2025年9月")],
        sections=[Section("一、碳排放与能源消费", [Paragraph("本月排放同比上升。"), table, chart])],
        provenance=[
            Provenance(
                "F1",
                table.caption,
                ["铝冶炼行业指南 (59)"],
                ["电网排放因子 [electricity.grid_factor 1a2b]"],
                "2024-01 — 2025-09",
                "/overview/breakdown?figure=emissions_location_tco2e&region=demo&year=2025",
            ),
            Provenance(
                "F2",
                chart.caption,
                ["铝冶炼行业指南 (59)"],
                [],
                "2024-01 — 2025-09",
                "/overview/breakdown?figure=emissions_location_tco2e&region=demo&year=2025&by=month",
            ),
        ],
        data_state=[("数据状态指纹（SHA-256）", "0" * 64)],
        provisional=provisional,
        provisional_reasons=["2025-09：3 个设施月已报送、尚未核查"] if provisional else [],
        fingerprint="0" * 64,
    )
