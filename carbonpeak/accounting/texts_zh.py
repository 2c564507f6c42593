"""The Chinese texts of the accounting's explanations: each term's method clause, formula and notes, as
the zh-CN provenance page shows them (the English ones are written where the terms are made, in
carbonpeak.accounting.emissions). Formulas are written in words, as a Chinese reader reads them; the
symbols of the English formulas stay on the English page.

Looked up by the English text: a text without a Chinese one here is shown as written (the Chinese-only
scan of the pages finds it)."""

from __future__ import annotations

import re

REFERENCES: dict[str, str] = {
    "NDRC 2013 guidelines, 化石燃料燃烧排放 (E = FC × NCV × CC × OF × 44/12)": (
        "国家发展改革委2013年各行业指南：化石燃料燃烧排放"
        "（排放 = 消耗量 × 低位发热量 × 单位热值含碳量 × 碳氧化率 × 44/12）"
    ),
    "NDRC 2013 guidelines 净购入电力; MEE/NBS 电力二氧化碳排放因子; grid-factor rule in force": (
        "国家发展改革委2013年各行业指南：净购入电力；生态环境部、国家统计局电力二氧化碳排放因子；现行的电网排放因子规则"
    ),
    "NDRC 2013 guidelines, 净购入热力": "国家发展改革委2013年各行业指南：净购入热力",
    "GB/T 2589-2020 Annex A": "GB/T 2589-2020 附录A",
    "GB/T 2589-2020 §3 and Annex A": "GB/T 2589-2020 第3章和附录A",
    "GB/T 2589-2020 Annex A note (等价值)": "GB/T 2589-2020 附录A注（等价值）",
    "MEE 2024 aluminium-smelting guideline §7; NDRC 2015 guideline 碳酸盐分解": (
        "生态环境部2024年《企业温室气体排放核算与报告指南 铝冶炼行业》第7节；国家发展改革委2015年指南：碳酸盐分解"
    ),
    "NDRC, 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）, 2013, 能源作为原材料用途": (
        "国家发展改革委《中国电解铝生产企业温室气体排放核算方法与报告指南（试行）》（2013）：能源作为原材料用途"
    ),
    "NDRC, 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）, 2013, 煅烧石灰石": (
        "国家发展改革委《中国电解铝生产企业温室气体排放核算方法与报告指南（试行）》（2013）：煅烧石灰石"
    ),
    "NDRC, 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）, 2013, 阳极效应 PFCs": (
        "国家发展改革委《中国电解铝生产企业温室气体排放核算方法与报告指南（试行）》（2013）：阳极效应全氟化碳"
    ),
    "NDRC, 中国镁冶炼企业温室气体排放核算方法与报告指南（试行）, 2013, 工业生产过程（煅烧白云石）": (
        "国家发展改革委《中国镁冶炼企业温室气体排放核算方法与报告指南（试行）》（2013）：工业生产过程（煅烧白云石）"
    ),
    "NDRC, 中国镁冶炼企业温室气体排放核算方法与报告指南（试行）, 2013, 能源作为原材料用途": (
        "国家发展改革委《中国镁冶炼企业温室气体排放核算方法与报告指南（试行）》（2013）：能源作为原材料用途"
    ),
    "NDRC, 其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）, 2015; IPCC 2006 Eq. 4.16-4.17": (
        "国家发展改革委《其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）》（2015）；"
        "《2006年IPCC国家温室气体清单指南》（译名）式4.16—4.17"
    ),
}

FORMULAS: dict[str, str] = {
    "Σ FC_i × NCV_i × CC_i × 10⁻³ × OF_i/100 × 44/12": (
        "Σ 各燃料消耗量 × 低位发热量 × 单位热值含碳量 × 10⁻³ × 碳氧化率/100 × 44/12"
    ),
    "(purchased − exported) × EF_location": "（购入电量 − 输出电量）× 电网平均排放因子（基于位置）",
    "(purchased − min(purchased, certificates + direct renewable) − exported) × EF_market": (
        "（购入电量 − 绿证与直购可再生电量（不超过购入电量）− 输出电量）× 基于市场的电网排放因子"
    ),
    "(purchased − exported) heat × EF_heat": "（购入热量 − 输出热量）× 热力排放因子",
    "(purchased − exported) electricity × k": "（购入电量 − 输出电量）× 折标准煤系数",
    "(purchased − exported) heat × k": "（购入热量 − 输出热量）× 折标准煤系数",
    "(purchased − exported) electricity × the year's thermal coal consumption per kWh": (
        "（购入电量 − 输出电量）× 当年火电每千瓦时煤耗"
    ),
    "Σ amount_i × k_i (Annex A), or amount_i × NCV_i / 29.3076 where the NCV is measured "
    "or Annex A lists no coefficient": (
        "Σ 各能源消耗量 × 折标准煤系数（附录A）；实测低位发热量或附录A未列系数的，消耗量 × 低位发热量 / 29.3076"
    ),
    "P × NC × (100 − S − A)/100 × 44/12": "铝液产量 × 吨铝炭阳极净耗 × (100 − 含硫量 − 灰分)/100 × 44/12",
    "P × (EF_CF4 × GWP_CF4 + EF_C2F6 × GWP_C2F6) / 1000": (
        "铝液产量 × (CF4排放因子 × CF4的全球增温潜势 + C2F6排放因子 × C2F6的全球增温潜势) / 1000"
    ),
    "AD × EF": "活动数据 × 排放因子",
    "MP × EF": "原铝产量 × 排放因子",
    "dolomite × k × EF": "白云石用量 × 系数 × 排放因子",
    "Σ M_i × purity_i/100 × EF_i": "Σ 各碳酸盐用量 × 纯度/100 × 排放因子",
    "Σ M_i × C_i/100 × 44/12 (measured C) or Σ M_i × EF_agent": (
        "Σ 各还原剂用量 × 含碳量/100 × 44/12（实测含碳量），或 Σ 各还原剂用量 × 还原剂排放因子"
    ),
}

NOTES: dict[str, str] = {
    "slope method where anode-effect minutes are reported (EF_CF4 = slope × AEM)": (
        "填报了阳极效应持续时间的采用斜率法（CF4排放因子 = 斜率系数 × 每槽日阳极效应分钟数）"
    ),
    "reported in t CH4: the CH4 GWP is not in carbonpeak's parameters yet": (
        "以吨甲烷填报：本平台参数中尚无甲烷的全球增温潜势"
    ),
    "point-feed prebake (PFPB) cells take the CWPB Tier 1 factors": "点式下料预焙槽采用中间下料预焙槽的方法1因子",
    "Tier 1 for PFC: the record reports no anode-effect data or measured PFC factors": (
        "全氟化碳采用方法1：记录未填报阳极效应数据或实测全氟化碳排放因子"
    ),
    "Tier 1 for anode/paste CO2: the record reports no anode or paste consumption": (
        "阳极/阳极糊二氧化碳采用方法1：记录未填报阳极或阳极糊消耗量"
    ),
    "CO2/C taken as 44/12 = 3.6667; IR 2025/2547 Eq. 12 uses f = 3.664 (0.07 % lower)": (
        "二氧化碳与碳之比取44/12 = 3.6667；欧盟实施条例（EU）2025/2547式12取3.664（低0.07%）"
    ),
    "purity taken as 100 % where not reported": "未填报纯度的按100%计",
    "measured carbon content where reported; otherwise the IPCC 2006 Tier 2 reducing-agent factor": (
        "填报了实测含碳量的采用实测值；否则采用《2006年IPCC国家温室气体清单指南》（译名）方法2的还原剂排放因子"
    ),
}
_NOTE_PATTERNS = [
    (
        re.compile(r"^(\d{4}): no residual factor exists; market-based uses the ETS factor$"),
        r"\1年：没有剩余因子；基于市场的排放采用全国碳市场因子",
    ),
]

# The accounting's options (carbonpeak.accounting.Options) and their values, as the page names them.
OPTIONS: dict[str, str] = {
    "grid_region": "电网区域",
    "electricity_convention": "电力折标准煤方法",
    "cbam_rules_on": "CBAM系数适用日期",
    "direct_only": "仅计直接排放",
}
OPTION_VALUES: dict[str, str] = {
    "rule": "按排放因子规则",
    "equivalent": "当量值",
    "equal": "等价值",
    "None": "按记录所属期间",
    "False": "否",
    "True": "是",
}


# The IPCC 2006 Guidelines' clauses, cited clause by clause in many terms: their words in Chinese.
_IPCC_WORDS = [
    ("IPCC 2006 Guidelines", "《2006年IPCC国家温室气体清单指南》（译名）"),
    ("IPCC 2006", "《2006年IPCC国家温室气体清单指南》（译名）"),
    ("Vol. 3", "第3卷"),
    ("Ch. 4", "第4章"),
    ("Tables", "表"),
    ("Table", "表"),
    ("Eq.", "式"),
]


def reference(text: str) -> str:
    if text in REFERENCES:
        return REFERENCES[text]
    if text.startswith("IPCC 2006"):
        for english, chinese in _IPCC_WORDS:
            text = text.replace(english, chinese)
        return text.replace(", 第", "第").replace(", ", "，").replace("式 ", "式").replace("表 ", "表")
    return text


def formula(text: str) -> str:
    return FORMULAS.get(text, text)


def note(text: str) -> str:
    if text in NOTES:
        return NOTES[text]
    for pattern, replacement in _NOTE_PATTERNS:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return text
