"""Stable codes with zh and en labels: sectors, fuels, regions, benchmark classes.

Codes are what files, the API and the database store; labels are what people read. The numbers
attached to these things (calorific values, factors, levels) live in ``carbonpeak/parameters``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Sector(StrEnum):
    """Sectors with a national accounting method (NDRC 2013/2015 guidelines, MEE 2024 guideline)."""

    ELECTROLYTIC_ALUMINIUM = "electrolytic_aluminium"
    ALUMINA = "alumina"
    MAGNESIUM = "magnesium"
    COPPER = "copper"
    LEAD = "lead"
    ZINC = "zinc"
    INDUSTRIAL_SILICON = "industrial_silicon"
    TITANIUM = "titanium"
    RECYCLED_ALUMINIUM = "recycled_aluminium"
    RECYCLED_COPPER = "recycled_copper"
    ALUMINIUM_PROCESSING = "aluminium_processing"
    OTHER = "other"

    @property
    def label_zh(self) -> str:
        return SECTOR_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return SECTOR_LABELS[self][1]


SECTOR_LABELS: dict[Sector, tuple[str, str]] = {
    Sector.ELECTROLYTIC_ALUMINIUM: ("电解铝", "electrolytic aluminium"),
    Sector.ALUMINA: ("氧化铝", "alumina"),
    Sector.MAGNESIUM: ("镁冶炼", "magnesium"),
    Sector.COPPER: ("铜冶炼", "copper smelting"),
    Sector.LEAD: ("铅冶炼", "lead smelting"),
    Sector.ZINC: ("锌冶炼", "zinc smelting"),
    Sector.INDUSTRIAL_SILICON: ("工业硅", "industrial silicon"),
    Sector.TITANIUM: ("钛冶炼", "titanium"),
    Sector.RECYCLED_ALUMINIUM: ("再生铝", "recycled aluminium"),
    Sector.RECYCLED_COPPER: ("再生铜", "recycled copper"),
    Sector.ALUMINIUM_PROCESSING: ("铝加工", "aluminium processing"),
    Sector.OTHER: ("其他行业", "other sector"),
}


class BenchmarkClass(StrEnum):
    """Energy-efficiency class of a facility against the NDRC benchmark and baseline levels."""

    AT_OR_ABOVE_BENCHMARK = "at_or_above_benchmark"
    BETWEEN = "between_benchmark_and_baseline"
    BELOW_BASELINE = "below_baseline"

    @property
    def label_zh(self) -> str:
        return {
            "at_or_above_benchmark": "达到标杆水平",
            "between_benchmark_and_baseline": "标杆与基准之间",
            "below_baseline": "低于基准水平",
        }[self.value]

    @property
    def label_en(self) -> str:
        return {
            "at_or_above_benchmark": "at or above benchmark",
            "between_benchmark_and_baseline": "between benchmark and baseline",
            "below_baseline": "below baseline",
        }[self.value]


@dataclass(frozen=True)
class Fuel:
    """A fossil fuel of the national guideline fuel table, in the unit that table uses."""

    code: str
    zh: str
    en: str
    unit: str  # canonical physical unit of the amount: t or wan_Nm3 (10^4 Nm3)
    gbt2589_carrier: str | None  # GB/T 2589-2020 Annex A carrier for tce when no LHV is measured


# Order and names follow the fuel table of the NDRC 2013 guidelines (附录 常用化石燃料相关参数缺省值).
# gbt2589_carrier: the Annex A row that applies; None where Annex A (as read) lists no coefficient,
# in which case energy is converted from the guideline's default NCV (1 kgce = 29 307.6 kJ).
FUELS: dict[str, Fuel] = {
    f.code: f
    for f in [
        Fuel("anthracite", "无烟煤", "anthracite", "t", "raw_coal"),
        Fuel("bituminous_coal", "烟煤", "bituminous coal", "t", "raw_coal"),
        Fuel("lignite", "褐煤", "lignite", "t", "raw_coal"),
        Fuel("cleaned_coal", "洗精煤", "cleaned coal", "t", "cleaned_coal"),
        Fuel("other_washed_coal", "其他洗煤", "other washed coal", "t", "washed_middlings"),
        Fuel("briquette", "型煤", "briquette", "t", "briquette"),
        Fuel("coke", "焦炭", "coke", "t", "coke"),
        Fuel("crude_oil", "原油", "crude oil", "t", "crude_oil"),
        Fuel("fuel_oil", "燃料油", "fuel oil", "t", "fuel_oil"),
        Fuel("gasoline", "汽油", "gasoline", "t", "gasoline"),
        Fuel("diesel", "柴油", "diesel", "t", "diesel"),
        Fuel("kerosene", "一般煤油", "kerosene", "t", "kerosene"),
        Fuel("lng", "液化天然气", "liquefied natural gas", "t", None),
        Fuel("lpg", "液化石油气", "liquefied petroleum gas", "t", "lpg"),
        Fuel("tar", "焦油", "tar", "t", None),
        Fuel("crude_benzene", "粗苯", "crude benzene", "t", None),
        Fuel("coke_oven_gas", "焦炉煤气", "coke-oven gas", "wan_Nm3", "coke_oven_gas"),
        Fuel("blast_furnace_gas", "高炉煤气", "blast-furnace gas", "wan_Nm3", "blast_furnace_gas"),
        Fuel("converter_gas", "转炉煤气", "converter gas", "wan_Nm3", None),
        Fuel("other_coal_gas", "其他煤气", "other coal gas", "wan_Nm3", None),
        # The guideline's NCV for natural gas (389.31 GJ/10^4 Nm3) is Annex A's oil-field gas (38 931 kJ/m3).
        Fuel("natural_gas", "天然气", "natural gas", "wan_Nm3", "natural_gas_oilfield"),
        Fuel("refinery_dry_gas", "炼厂干气", "refinery dry gas", "t", "refinery_dry_gas"),
        Fuel("semi_coke", "兰炭", "semi-coke", "t", None),
        Fuel("semi_coke_gas", "半焦气", "semi-coke gas", "wan_Nm3", None),
    ]
}


@dataclass(frozen=True)
class Region:
    code: str
    zh: str
    en: str
    level: str  # national, regional (grid region), provincial


REGIONS: dict[str, Region] = {
    r.code: r
    for r in [
        Region("china", "全国", "China", "national"),
        Region("north_grid", "华北", "North China grid", "regional"),
        Region("northeast_grid", "东北", "Northeast China grid", "regional"),
        Region("east_grid", "华东", "East China grid", "regional"),
        Region("central_grid", "华中", "Central China grid", "regional"),
        Region("northwest_grid", "西北", "Northwest China grid", "regional"),
        Region("south_grid", "南方", "China Southern grid", "regional"),
        Region("southwest_grid", "西南", "Southwest China grid", "regional"),
        Region("beijing", "北京", "Beijing", "provincial"),
        Region("tianjin", "天津", "Tianjin", "provincial"),
        Region("hebei", "河北", "Hebei", "provincial"),
        Region("shanxi", "山西", "Shanxi", "provincial"),
        Region("inner_mongolia", "内蒙古", "Inner Mongolia", "provincial"),
        Region("liaoning", "辽宁", "Liaoning", "provincial"),
        Region("jilin", "吉林", "Jilin", "provincial"),
        Region("heilongjiang", "黑龙江", "Heilongjiang", "provincial"),
        Region("shanghai", "上海", "Shanghai", "provincial"),
        Region("jiangsu", "江苏", "Jiangsu", "provincial"),
        Region("zhejiang", "浙江", "Zhejiang", "provincial"),
        Region("anhui", "安徽", "Anhui", "provincial"),
        Region("fujian", "福建", "Fujian", "provincial"),
        Region("jiangxi", "江西", "Jiangxi", "provincial"),
        Region("shandong", "山东", "Shandong", "provincial"),
        Region("henan", "河南", "Henan", "provincial"),
        Region("hubei", "湖北", "Hubei", "provincial"),
        Region("hunan", "湖南", "Hunan", "provincial"),
        Region("guangdong", "广东", "Guangdong", "provincial"),
        Region("guangxi", "广西", "Guangxi", "provincial"),
        Region("hainan", "海南", "Hainan", "provincial"),
        Region("chongqing", "重庆", "Chongqing", "provincial"),
        Region("sichuan", "四川", "Sichuan", "provincial"),
        Region("guizhou", "贵州", "Guizhou", "provincial"),
        Region("yunnan", "云南", "Yunnan", "provincial"),
        Region("shaanxi", "陕西", "Shaanxi", "provincial"),
        Region("gansu", "甘肃", "Gansu", "provincial"),
        Region("qinghai", "青海", "Qinghai", "provincial"),
        Region("ningxia", "宁夏", "Ningxia", "provincial"),
        Region("xinjiang", "新疆", "Xinjiang", "provincial"),
    ]
}

REGION_BY_ZH: dict[str, str] = {r.zh: r.code for r in REGIONS.values()}
PROVINCES: list[str] = [r.code for r in REGIONS.values() if r.level == "provincial"]


# The benchmark product a sector's facilities are classified as, unless a record names another.
# Alumina and magnesium are not among the 36 benchmark fields (china-reference-data.md §1.2).
SECTOR_BENCHMARK_PRODUCT: dict[Sector, str] = {
    Sector.ELECTROLYTIC_ALUMINIUM: "electrolytic_aluminium",
    Sector.COPPER: "copper_smelting",
    Sector.LEAD: "lead_smelting_crude",
    Sector.ZINC: "zinc_smelting_hydro",
    Sector.INDUSTRIAL_SILICON: "industrial_silicon",
}
