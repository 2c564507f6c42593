"""The NBS energy statistics forms 205-1, 205-2 and 205-3 as one Excel workbook, from the same figures as
the energy-utilisation report (:class:`~carbonpeak.energy_report.prefill.Prefill`).

The cited source (NBS 能源统计报表制度, ``form_set.yaml`` ``nbs_source``) gave the forms' titles, not their
column lists. A column here is either a quantity the title names (购进、消费、库存; 加工转换、回收利用;
单位产品能源消耗) or one of the platform's figures; each sheet says which, and a quantity the title names
that the platform does not hold is a column marked so, left empty (never estimated).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from carbonpeak.energy_report.prefill import ELECTRICITY, HEAT, Prefill
from carbonpeak.vocabulary import FUELS, Sector

NO_DATA = "平台无此数据"
UNIT_ZH = {"t": "吨", "wan_Nm3": "万立方米", "MWh": "兆瓦时", "GJ": "吉焦"}


def carrier_label(carrier: str, lang: str = "zh") -> str:
    if carrier == ELECTRICITY:
        return "电力（净购入）" if lang == "zh" else "electricity (net purchased)"
    if carrier == HEAT:
        return "热力（净购入）" if lang == "zh" else "heat (net purchased)"
    fuel = FUELS.get(carrier)
    if fuel is None:
        return carrier
    return fuel.zh if lang == "zh" else fuel.en


def product_label(product: str, lang: str = "zh") -> str:
    """A product by its sector's name (the platform keeps output per facility of a sector)."""
    try:
        sector = Sector(product)
    except ValueError:
        return product
    return sector.label_zh if lang == "zh" else sector.label_en


def _sheet(wb: Workbook, title: str, heading: str, note: str, columns: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([note])
    ws["A2"].alignment = Alignment(wrap_text=True)
    ws.append(columns)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for i, _ in enumerate(columns):
        ws.column_dimensions[chr(ord("A") + i)].width = 22


def workbook(prefill: Prefill, *, enterprise: str, enterprise_name: str, source: dict[str, Any]) -> bytes:
    """The three forms of ``prefill.year`` as an xlsx file (zh-CN, as the forms are)."""
    wb = Workbook()
    wb.remove(wb.active)
    cited = f"来源：{source.get('document', '')}（{source.get('found_in', '')}，可信度 {source.get('confidence', '')}）"
    head = f"{enterprise_name}（{enterprise}）{prefill.year}年"
    provisional = "；临时数据：部分月份未核查或等待计算" if prefill.provisional else ""
    _sheet(
        wb,
        "205-1",
        f"205-1 能源购进、消费与库存 — {head}",
        f"{cited}。表名列出购进、消费、库存三项，所引来源未给出列清单；消费量（实物量、折标准煤）为平台已计入月份的数据"
        f"（折标系数：GB/T 2589-2020 附录A 等，见能源利用状况报告表2），购进量与库存量平台无数据{provisional}。",
        [
            "能源名称",
            "计量单位",
            "购进量（表名所列；平台无此数据）",
            "消费量（实物量）",
            "消费量（折标准煤，吨）",
            "库存量（表名所列；平台无此数据）",
        ],
        [
            [
                carrier_label(r.carrier),
                UNIT_ZH.get(r.unit, r.unit),
                NO_DATA,
                round(r.amount, 3),
                round(r.tce, 3),
                NO_DATA,
            ]
            for r in prefill.carriers
        ]
        + [["合计（各品种折标准煤之和）", "吨标准煤", "", "", round(prefill.carriers_tce, 3), ""]],
    )
    conv = prefill.conversion
    _sheet(
        wb,
        "205-2",
        f"205-2 能源加工转换与回收利用 — {head}",
        f"{cited}。所引来源未给出列清单；下列为平台月报中与加工转换、外供有关的量（平台数据列），"
        "加工转换投入产出与余热余能回收量平台无数据。",
        ["项目（平台数据）", "计量单位", "数量"],
        [
            ["自备电厂发电量", "兆瓦时", round(conv.get("captive_electricity_mwh", 0.0), 3)],
            ["外供电量", "兆瓦时", round(conv.get("exported_electricity_mwh", 0.0), 3)],
            ["外供热量", "吉焦", round(conv.get("exported_heat_gj", 0.0), 3)],
            ["加工转换投入、产出（表名所列）", "", NO_DATA],
            ["回收利用（表名所列）", "", NO_DATA],
        ],
    )
    _sheet(
        wb,
        "205-3",
        f"205-3 主要耗能工业企业单位产品能源消耗情况 — {head}",
        f"{cited}。所引来源未给出列清单；产量、综合能耗与单位产品综合能耗为平台核算结果"
        "（综合能耗按 GB/T 2589-2020，单位产品综合能耗 = 综合能耗 ÷ 产量）。",
        [
            "产品",
            "产量（吨）",
            "综合能耗（吨标准煤）",
            "单位产品综合能耗（千克标准煤/吨）",
            "上年单位产品综合能耗（千克标准煤/吨）",
            "变化（%）",
        ],
        [
            [
                product_label(p.product),
                round(p.output_t, 3),
                round(p.energy_tce, 3),
                _r(p.kgce_per_t),
                _r(p.previous_kgce_per_t),
                _r(p.change_pct, 2),
            ]
            for p in prefill.products
        ],
    )
    day = dt.datetime(prefill.year + 1, 1, 1)
    wb.properties.created = day
    wb.properties.modified = day
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _r(value: float | None, digits: int = 1) -> Any:
    return "—" if value is None else round(value, digits)
