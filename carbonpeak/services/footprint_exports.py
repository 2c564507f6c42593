"""A footprint's declaration (PCF 声明) as Excel in Chinese or English, and the PACT / Pathfinder JSON.

The PACT fields written are those confirmed in public copies of the data model (v2: ``id``,
``specVersion``, ``version``, ``created``, ``status``, ``companyName``, ``companyIds``,
``productDescription``, ``productIds``, ``productNameCompany``, ``comment``, and in ``pcf``:
``declaredUnit``, ``unitaryProductAmount``, ``pCfExcludingBiogenic``, ``fossilGhgEmissions``,
``boundaryProcessesDescription``, ``referencePeriodStart``/``End``,
``exemptedEmissionsPercent``, ``exemptedEmissionsDescription``, ``packagingEmissionsIncluded``).
PACT v2 writes decimals as strings, the declared unit ``kilogram`` and the footprint per declared unit in
kg CO2e/kg: 1 t CO2e/t = 1 kg CO2e/kg. ``characterizationFactors`` is left out: the GWP set follows
each month's national method. Fields not confirmed (data-quality ratings, primary-data share,
cross-sectoral standards' enumerated names) are left out; the standards are named in ``comment``.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import openpyxl

from carbonpeak.accounting.waiting import message_of
from carbonpeak.engine.footprint import PRODUCTS
from carbonpeak.messages import Message
from carbonpeak.store.footprints.models import Footprint, FootprintVersion

STAGE_NAMES = {
    "bauxite": ("铝土矿开采", "bauxite mining"),
    "alumina": ("冶金级氧化铝", "metallurgical alumina"),
    "anode": ("预焙阳极生产", "prebaked anode production"),
    "concentrate": ("精矿", "concentrate"),
    "ferrosilicon": ("外购硅铁", "ferrosilicon bought"),
    "silicon_inputs": ("硅石和电极", "quartz and electrodes"),
    "scrap": ("废铝原料负担", "scrap burden"),
    "fuel": ("化石燃料燃烧", "fuel combustion"),
    "process": ("工艺过程排放", "process emissions"),
    "pfc": ("全氟化碳", "PFC"),
    "electricity": ("电力", "electricity"),
    "heat": ("热力", "heat"),
}
PRODUCT_NAMES = {
    "primary_aluminium": ("电解铝（铝液）", "primary aluminium (liquid)"),
    "alumina": ("冶金级氧化铝", "metallurgical alumina"),
    "copper_cathode": ("阴极铜", "copper cathode"),
    "zinc": ("锌", "zinc"),
    "primary_magnesium": ("原镁", "primary magnesium"),
    "silicon_metal": ("工业硅", "silicon metal"),
    "recycled_aluminium": ("再生铝", "recycled aluminium"),
}
CUTOFF_NAMES = {
    "pass": ("符合取舍规则", "cut-off rule met"),
    "fail": ("不符合取舍规则", "cut-off rule not met"),
    "unknown": ("无法判断取舍（有缺失阶段）", "cut-off cannot be shown (stages missing)"),
}
STATUS_NAMES = {"draft": ("草稿", "draft"), "reviewed": ("已审核", "reviewed"), "published": ("已发布", "published")}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def declaration_rows(footprint: Footprint, version: FootprintVersion, lang: str) -> list[tuple[str, Any]]:
    """The declaration's items as (label, value) in ``lang``."""
    zh = lang == "zh"
    method = PRODUCTS[footprint.product]
    missing = [pick(STAGE_NAMES[s], lang) for s, v in version.stages.items() if v is None]
    reason = message_of(version.reason)
    rows: list[tuple[str, Any]] = [
        ("产品" if zh else "product", pick(PRODUCT_NAMES[footprint.product], lang)),
        ("设施" if zh else "facility", footprint.facility.code),
        ("年度" if zh else "year", footprint.year),
        ("版本" if zh else "version", version.version),
        ("状态" if zh else "status", pick(STATUS_NAMES[version.status], lang)),
        ("方法标准" if zh else "standard", method.standard),
        ("声明单位" if zh else "declared unit", "1 吨产品" if zh else "1 " + method.declared_unit),
        ("系统边界" if zh else "boundary", "从摇篮到大门" if zh else "cradle to gate"),
        ("碳足迹（吨CO2e/吨）" if zh else "footprint (t CO2e/t)", version.value_tco2e_per_t),
        (
            "电力口径" if zh else "electricity basis",
            ("基于位置" if version.electricity_basis == "location" else "基于市场")
            if zh
            else version.electricity_basis,
        ),
        (
            "碳足迹，基于市场的电力（吨CO2e/吨）" if zh else "footprint, market-based electricity (t CO2e/t)",
            version.value_market_tco2e_per_t,
        ),
        ("产量（吨）" if zh else "output (t)", version.output_t),
        ("初级数据占比" if zh else "primary-data share", version.primary_share),
        ("覆盖完整" if zh else "coverage complete", ("是" if version.complete else "否") if zh else version.complete),
        ("缺失阶段" if zh else "missing stages", "、".join(missing) if zh else ", ".join(missing)),
        ("取舍检查" if zh else "cut-off check", pick(CUTOFF_NAMES[version.cutoff], lang)),
        ("版本原因" if zh else "reason", reason.text(lang) if isinstance(reason, Message) else str(reason)),
        ("核算月份" if zh else "months", len(version.provenance.get("months", []))),
    ]
    for stage, value in version.stages.items():
        label = pick(STAGE_NAMES[stage], lang) + ("（吨CO2e/吨）" if zh else " (t CO2e/t)")
        rows.append((label, value if value is not None else ("缺失" if zh else "missing")))
    return rows


def declaration_xlsx(footprint: Footprint, version: FootprintVersion, lang: str) -> bytes:
    """The declaration as an Excel workbook: the items, then the parameters cited."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "碳足迹声明" if lang == "zh" else "PCF declaration"
    for label, value in declaration_rows(footprint, version, lang):
        sheet.append([label, value])
    cited = book.create_sheet("引用参数" if lang == "zh" else "parameters")
    cited.append(["参数", "数值", "单位", "出处"] if lang == "zh" else ["parameter", "value", "unit", "source"])
    for p in version.provenance.get("parameters", []):
        key = " · ".join(str(v) for v in (p.get("key") or {}).values())
        cited.append(
            [f"{p.get('parameter')} {key}", p.get("value"), p.get("unit"), p.get("citation") or p.get("status")]
        )
    months = book.create_sheet("核算月份" if lang == "zh" else "months")
    months.append(["月份", "版本编号", "结果编号"] if lang == "zh" else ["period", "version id", "result id"])
    for m in version.provenance.get("months", []):
        months.append([m["period"], m["version_id"], m["result_id"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pact(footprint: Footprint, version: FootprintVersion, company_name: str) -> dict[str, Any]:
    """The footprint in the PACT (Pathfinder) v2 data model, with confirmed fields only."""
    method = PRODUCTS[footprint.product]
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"carbonpeak:footprint:{footprint.id}")
    missing = [s for s, v in version.stages.items() if v is None]
    exempted = version.provenance.get("exempted_pct")
    return {
        "id": str(ident),
        "specVersion": "2.0.0",
        "version": version.version,
        "created": version.computed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "Active",
        "companyName": company_name,
        "companyIds": [f"urn:carbonpeak:facility:{footprint.facility.code}"],
        "productDescription": PRODUCT_NAMES[footprint.product][1],
        "productIds": [f"urn:carbonpeak:product:{footprint.product}"],
        "productNameCompany": PRODUCT_NAMES[footprint.product][0],
        "comment": (
            f"{method.standard}; method {method.method}; electricity {version.electricity_basis}-based; "
            f"review status {version.status}; "
            + (f"stages missing (incomplete coverage): {', '.join(missing)}" if missing else "all stages quantified")
        ),
        "pcf": {
            "declaredUnit": "kilogram",
            "unitaryProductAmount": "1000",
            "pCfExcludingBiogenic": _decimal(version.value_tco2e_per_t),
            "fossilGhgEmissions": _decimal(version.value_tco2e_per_t),
            "boundaryProcessesDescription": method.covers,
            "referencePeriodStart": f"{footprint.year}-01-01T00:00:00Z",
            "referencePeriodEnd": f"{footprint.year + 1}-01-01T00:00:00Z",
            "exemptedEmissionsPercent": float(exempted) if exempted is not None else 0.0,
            "exemptedEmissionsDescription": "" if not missing else "stages not quantified: " + ", ".join(missing),
            "packagingEmissionsIncluded": False,
        },
    }


def _decimal(value: float | None) -> str | None:
    # t CO2e per t equals kg CO2e per kg (the declared unit kilogram)
    return None if value is None else f"{value:.4f}"


def declaration_pdf(footprint: Footprint, version: FootprintVersion, lang: str) -> bytes:
    """The declaration as PDF (WeasyPrint), the same items as the Excel; Chinese in Noto CJK."""
    from html import escape

    from weasyprint import HTML  # imported here: only the PDF needs it

    title = "产品碳足迹声明" if lang == "zh" else "Product carbon footprint declaration"
    rows = "".join(
        f"<tr><th>{escape(str(label))}</th><td>{escape(_shown(value))}</td></tr>"
        for label, value in declaration_rows(footprint, version, lang)
    )
    cited = "".join(
        f"<li>{escape(str(p.get('parameter')))} {escape(' · '.join(str(v) for v in (p.get('key') or {}).values()))}: "
        f"{escape(_shown(p.get('value')))} {escape(str(p.get('unit') or ''))}"
        f" — {escape(str(p.get('citation') or p.get('status') or ''))}</li>"
        for p in version.provenance.get("parameters", [])
    )
    html = (
        "<html><head><meta charset='utf-8'><style>"
        "body{font-family:'Noto Sans CJK SC','Noto Serif CJK SC',sans-serif;font-size:10pt}"
        "th{text-align:left;padding-right:1em;font-weight:normal;color:#444}td{font-weight:bold}"
        f"</style></head><body><h1>{escape(title)}</h1><table>{rows}</table>"
        f"<h2>{'引用参数' if lang == 'zh' else 'Parameters cited'}</h2><ul>{cited}</ul></body></html>"
    )
    return bytes(HTML(string=html).write_pdf())


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
