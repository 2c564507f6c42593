"""The green low-carbon development report (绿色低碳发展报告) of an enterprise for a year: its designations, the
year's dynamic-management indicators (measured and filed), its values beside GB/T 36132-2025's baseline and
leading values with the gaps (基准值未发布 where unpublished), and its energy and emissions by year.

The report is encouraged, not mandatory, and no official content template was found: the first page says so.
Access first (through :func:`carbonpeak.services.access.get_enterprise`: an enterprise its own, regulators their
region's, verifiers their assigned); nothing is computed here that the register and the facts do not hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import InputError
from carbonpeak.green import config, scoring
from carbonpeak.reports import state as report_state
from carbonpeak.reports.document import Cell, Chart, Document, Paragraph, Section, Table
from carbonpeak.services import access, reports_state
from carbonpeak.services import green_register_filing as filing
from carbonpeak.services.access import Principal
from carbonpeak.services.reports_monitoring import Asked, Made
from carbonpeak.store.facts import facility_months
from carbonpeak.store.green import repository as repo
from carbonpeak.store.parameters import parameter_set

KIND = "green_lowcarbon"
_LABELS = (
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
KIND_ZH = {"factory": "绿色工厂", "park": "绿色工业园区", "supply_chain": "绿色供应链管理企业"}
LEVEL_ZH = {"national": "国家级", "provincial": "省级", "city": "市级", None: "级别未注明"}
STATUS_ZH = {"listed": "在册", "warned": "预警", "removed": "已移出"}
INDICATOR_ZH = {
    "energy_tce": ("综合能耗", "tce"),
    "total_tco2": ("二氧化碳排放量", "tCO2"),
    "output_t": ("主要产品产量", "t"),
    "energy_per_product": ("单位产品综合能耗", "kgce/t"),
    "carbon_per_product": ("单位产品碳排放", "tCO2/t"),
    "electricity_mwh": ("用电量", "MWh"),
    "renewable_share": ("可再生能源电力比例", "%"),
    "solid_waste_utilisation": ("工业固体废物综合利用率", "%"),
    "pollutants_per_product": ("单位产品主要污染物产生量", "kg/t"),
    "recycled_input_share": ("再生金属投入比例", "%"),
}


def t(code: str, lang: str, **params: Any) -> str:
    return messages.render(f"green.report.{code}", lang, params)


def _num(value: float | None, digits: int = 2) -> Cell:
    return Cell("—", None) if value is None else Cell(f"{value:,.{digits}f}", float(value))


def gather(session: Session, who: Principal, asked: Asked) -> Made:
    company = access.get_enterprise(session, who, asked.enterprise)
    year = int(asked.period)
    lang = asked.lang if asked.lang in messages.LANGS else messages.DEFAULT_LANG
    as_of = asked.as_of or dt.date.today()
    own = [d for d in repo.designations(session) if d.enterprise_id == company.id]
    facts = facility_months(session)
    mine = facts[(facts["enterprise_code"] == company.code) & facts["energy_tce"].notna()]
    if not own and mine[mine["year"] == year].empty:
        raise InputError(code="green.report.no_data", field="period")
    rows = [
        [
            Cell(KIND_ZH.get(d.kind, d.kind)),
            Cell(LEVEL_ZH.get(d.level, d.level or "")),
            Cell(str(d.year_designated or "—")),
            Cell(d.batch or "—"),
            Cell(d.document or "—"),
            Cell(STATUS_ZH.get(d.status, d.status) + (f"（{d.removed_on}：{d.reason}）" if d.removed_on else "")),
        ]
        for d in own
    ]
    designation_table = Table("G1", t("designations", lang), ["类别", "级别", "认定年份", "批次", "文号", "状态"], rows)
    measured = filing.measured(session, company.code, year, facts)
    found = repo.latest_filings(session, year).get((company.id, year))
    dyn_rows = []
    for name, (label, unit) in INDICATOR_ZH.items():
        filed = found.indicators.get(name) if found else None
        dyn_rows.append([Cell(label), Cell(unit), _num(measured["values"][name]), _num(filed)])
    dynamic = Table(
        "G2",
        t("dynamic", lang),
        ["指标", "单位", "平台计量值", "填报值"],
        dyn_rows,
        note="" if found else t("filing_none", lang),
    )
    gaps = scoring.gaps(config.standard(), measured["values"])
    std_rows = [
        [
            Cell(g.group_zh),
            Cell(g.indicator_zh),
            Cell(g.unit),
            _num(g.measured),
            Cell(t("unpublished", lang)) if g.baseline is None else _num(g.baseline),
            Cell("—") if g.leading is None else _num(g.leading),
            Cell(t("unpublished", lang) if g.status == "baseline_unpublished" else g.status),
        ]
        for g in gaps
    ]
    standard = Table(
        "G3",
        t("standard", lang),
        ["一级指标", "指标", "单位", "实测值", "基准值", "引领值", "差距"],
        std_rows,
        note=t("standard_note", lang),
    )
    years = sorted(int(y) for y in mine["year"].unique() if int(y) <= year)
    energy = [float(mine[mine["year"] == y]["energy_tce"].sum()) / 1e4 for y in years]
    carbon = [float(mine[mine["year"] == y]["total_location_tco2e"].sum()) / 1e4 for y in years]
    trend = Chart(
        "G4",
        t("trend", lang),
        "bars",
        [str(y) for y in years],
        [("综合能耗（万吨标准煤）", energy), ("二氧化碳排放（万吨CO2）", carbon)],
        "万",
    )
    sections = [
        Section(t("sec.designations", lang), [designation_table if rows else Paragraph(t("none", lang))]),
        Section(t("sec.dynamic", lang), [dynamic]),
        Section(t("sec.standard", lang), [standard]),
        Section(t("sec.trend", lang), [trend]),
    ]
    params = parameter_set(session)
    state = reports_state.made_state(
        kind=KIND,
        region=company.region.code,
        period=asked.period,
        lang=lang,
        as_of=as_of,
        edition=None,
        months=reports_state.months_part(
            mine,
            pd.DataFrame(columns=["facility_code", "period", "state"]),
            f"{years[0] if years else year}-01",
            f"{year}-12",
        ),
        parameters=reports_state.parameters_part(params),
        digests={
            "designations": report_state.sha256([repo.as_record(d) | {"version": d.version} for d in own]),
            "filing": report_state.sha256(None if found is None else [found.version, found.indicators]),
            "standard": report_state.sha256(config.standard()),
        },
    )
    fingerprint = report_state.fingerprint(state)
    document = Document(
        kind=KIND,
        lang=lang,
        title=t("title", lang),
        subtitle=t("subtitle", lang, enterprise=company.name_zh, year=year),
        made_on=as_of,
        labels={k: messages.render(f"reports.label.{k}", lang) for k in _LABELS},
        facts=[
            ("企业", company.name_zh),
            ("年度", f"{year}年"),
            ("说明", t("no_template", lang)),
            ("数据状态", fingerprint),
        ],
        sections=[Section("", [Paragraph(t("no_template", lang), emphasis=True)]), *sections],
        provenance=[],
        data_state=[("数据状态", fingerprint)],
        fingerprint=fingerprint,
        base_url=asked.base_url,
    )
    return Made(document, state)
