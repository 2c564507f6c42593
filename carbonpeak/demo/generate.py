"""The demonstration province (示范省): a SYNTHETIC registry and monthly activity submissions.

Nothing here describes a real enterprise, plant or place. The province, its cities, parks,
enterprises and facilities are invented and say so in their names (示范…, "Demo …"); their
unified social credit codes carry administrative-division codes that do not exist (see below).
The *shape* follows Shaanxi as the plan seeds describe it (``shared/seeds/000_*``): a titanium
cluster of two cities (like Xi'an-Baoji), an aluminium-magnesium alloy cluster of two cities
(like Yulin-Tongchuan, with many small Pidgeon magnesium plants and coal-fired captive power), a
molybdenum-vanadium-zinc cluster (like Weinan-Shangluo). The *totals* are calibrated to the real
figures in ``shared/reference/real-*.csv``; every target and its source row is in
:data:`carbonpeak.demo.calibration.CALIBRATION` and tested.

Why the records say ``region: "shaanxi"``
    carbonpeak needs an existing province code on every activity record: it selects the
    provincial grid factor (``AccountingOptions(grid_region="provincial")``) and the provincial
    parameters of the 1239 electricity price rule. The demo province is modelled on Shaanxi, so
    its records use Shaanxi's code (``province["grid_province"]``). The registry itself (regions,
    parks, enterprises) uses the synthetic code ``demo``; nothing claims these facilities are in
    Shaanxi.

Only activity data are generated
    Outputs, electricity, fuels, carbonates, reductants, dolomite, pollutants and so on. No
    emission factor, calorific value or grid factor is set here: emissions come from
    ``carbonpeak.accounting.account`` and its cited parameters. Where an activity quantity is
    derived from a published figure (the coal a captive plant burns per MWh, for instance) the
    figure and its source are named next to it.

Determinism
    :func:`generate` draws every random number from ``numpy.random.default_rng(seed)``; the same
    seed gives identical output. The registry (names, codes, capacities, events) does not depend
    on the seed at all; the activity data, submission times and corrections do.

Module name
    ``carbonpeak.demo.generate`` names both this module and, after ``import carbonpeak.demo``,
    the function :func:`generate` re-exported by the package. Import helpers from the module with
    ``from carbonpeak.demo.generate import uscc_check_character``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from carbonpeak.vocabulary import SECTOR_BENCHMARK_PRODUCT, Sector

# ----------------------------------------------------------------------------- identifiers

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100-2015 character set: digits and capital letters without I, O, Z, S, V (31 characters)."""

_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, ...
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code (统一社会信用代码), GB 32100-2015 §5.

    Each of the first 17 characters takes its position value in :data:`USCC_ALPHABET` (0-30);
    the weight of position *i* (from 0) is 3^i mod 31; the check value is 31 − (Σ value × weight
    mod 31), with 31 written as 0.

    Raises ValueError if ``first17`` is not 17 characters of the GB 32100 alphabet.
    """
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError(f"not the first 17 characters of a unified social credit code: {first17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True for 18 characters of the GB 32100 alphabet whose last one is the right check character."""
    return (
        isinstance(code, str)
        and len(code) == 18
        and all(c in USCC_ALPHABET for c in code)
        and uscc_check_character(code[:17]) == code[17]
    )


def organization_code_check_character(first8: str) -> str:
    """Check character of a 9-character organization code (组织机构代码), GB 11714-1997.

    Digits count as themselves and letters A-Z as 10-35; weights 3, 7, 9, 10, 5, 8, 4, 2;
    C9 = 11 − (Σ mod 11), written X for 10 and 0 for 11. Positions 9-17 of a unified social
    credit code are such a code.
    """
    if len(first8) != 8 or not all(c.isdigit() or "A" <= c <= "Z" for c in first8):
        raise ValueError(f"not the first 8 characters of an organization code: {first8!r}")
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


# ----------------------------------------------------------------------------- the result


@dataclass
class DemoProvince:
    """The synthetic demonstration province: registry, submissions and green-power contracts.

    Plain Python data only (str, int, float, bool, None, list, dict): JSON-serialisable as it is.
    ``submissions`` holds one entry per reported facility-month with its versions, oldest first;
    ``as_of`` is the day the data set describes ("today" for statuses and deadlines).
    """

    province: dict[str, Any]
    regions: list[dict[str, Any]]
    parks: list[dict[str, Any]]
    clusters: list[dict[str, Any]]
    enterprises: list[dict[str, Any]]
    facilities: list[dict[str, Any]]
    submissions: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    as_of: str
    seed: int
    first_year: int
    last_year: int

    def latest_records(self) -> list[dict[str, Any]]:
        """The record of the latest version of every submission (what accounting uses)."""
        return [s["versions"][-1]["record"] for s in self.submissions]

    def records_of_version(self, index: int) -> list[dict[str, Any]]:
        """The records of the ``index``-th version (0 = first) of the submissions that have one."""
        return [s["versions"][index]["record"] for s in self.submissions if len(s["versions"]) > index]


# ----------------------------------------------------------------------------- registry (fixed)

PROVINCE = {
    "code": "demo",
    "name_zh": "示范省（合成数据）",
    "name_en": "Demo Province (synthetic data)",
    "grid_province": "shaanxi",
}
RECORD_REGION = PROVINCE["grid_province"]

# (code, name_zh, name_en, division digit used in the synthetic USCCs, modelled on)
_CITIES = [
    ("demo-a", "示范甲市", "Demo City A", "1", "provincial capital; titanium alloys and R&D (like Xi'an)"),
    ("demo-b", "示范乙市", "Demo City B", "2", "titanium sponge, ingot and mill products (like Baoji)"),
    (
        "demo-c",
        "示范丙市",
        "Demo City C",
        "3",
        "coal, captive power, aluminium, Pidgeon magnesium, silicon (like Yulin)",
    ),
    ("demo-d", "示范丁市", "Demo City D", "4", "aluminium smelting and aluminium alloys (like Tongchuan)"),
    ("demo-e", "示范戊市", "Demo City E", "5", "molybdenum, zinc and lead smelting (like Weinan)"),
    ("demo-f", "示范己市", "Demo City F", "6", "vanadium and zinc (like Shangluo)"),
    ("demo-g", "示范庚市", "Demo City G", "7", "secondary metals and processing"),
    ("demo-h", "示范辛市", "Demo City H", "8", "lead-zinc, copper and silicon"),
]
_COUNTIES = [
    ("demo-a-1", "示范甲市高新区", "Demo City A High-tech District", "demo-a"),
    ("demo-b-1", "示范乙市钛谷区", "Demo City B Titanium Valley District", "demo-b"),
    ("demo-b-2", "示范乙市北县", "Demo City B North County", "demo-b"),
    ("demo-c-1", "示范丙市北县", "Demo City C North County", "demo-c"),
    ("demo-c-2", "示范丙市东县", "Demo City C East County", "demo-c"),
    ("demo-c-3", "示范丙市西县", "Demo City C West County", "demo-c"),
    ("demo-d-1", "示范丁市新区", "Demo City D New District", "demo-d"),
    ("demo-e-1", "示范戊市东县", "Demo City E East County", "demo-e"),
    ("demo-f-1", "示范己市南县", "Demo City F South County", "demo-f"),
    ("demo-g-1", "示范庚市高新区", "Demo City G High-tech District", "demo-g"),
    ("demo-h-1", "示范辛市西县", "Demo City H West County", "demo-h"),
]
_PARKS = [
    ("PK01", "示范丙市北县镁产业园", "Demo City C North County Magnesium Industrial Park", "demo-c-1"),
    ("PK02", "示范丙市东县煤电铝循环产业园", "Demo City C East County Coal-Power-Aluminium Circular Park", "demo-c-2"),
    ("PK03", "示范丁市铝基新材料产业园", "Demo City D Aluminium New Materials Park", "demo-d-1"),
    ("PK04", "示范乙市钛材产业园", "Demo City B Titanium Materials Park", "demo-b-1"),
    ("PK05", "示范甲市钛合金产业园", "Demo City A Titanium Alloy Park", "demo-a-1"),
    ("PK06", "示范戊市有色金属冶炼园区", "Demo City E Non-ferrous Smelting Park", "demo-e-1"),
    ("PK07", "示范庚市再生资源产业园", "Demo City G Renewable Resources Park", "demo-g-1"),
]
# Modelled on the clusters the Shaanxi plan names (seeds/000): Xi'an-Baoji titanium, Yulin-Tongchuan
# aluminium-magnesium alloys, Weinan-Shangluo molybdenum-vanadium-zinc.
_CLUSTERS = [
    ("CL-TI", "示范钛及钛合金产业集群", "Demo titanium and titanium alloy cluster", ["demo-a", "demo-b"]),
    ("CL-ALMG", "示范铝镁合金产业集群", "Demo aluminium-magnesium alloy cluster", ["demo-c", "demo-d"]),
    ("CL-MOVZN", "示范钼钒锌产业集群", "Demo molybdenum-vanadium-zinc cluster", ["demo-e", "demo-f"]),
]

# Enterprises: code | region | flags | green factory (level year) | name_zh | name_en.
# Flags: soe = state-owned, key = key energy-using unit (重点用能单位), ets = national carbon market
# (the smelters: electrolytic aluminium entered the national ETS with the 2024 reporting year),
# gsc = green supply chain. Every name is invented.
_ENTERPRISE_TABLE = """
E01|demo-c-2|soe key ets gsc|national 2019|示范丙市能源铝业有限公司|Demo C Energy Aluminium Co., Ltd.
E02|demo-d-1|soe key ets|national 2021|示范丁市铝业股份有限公司|Demo D Aluminium Co., Ltd.
E03|demo-c-2|key ets|provincial 2022|示范丙市铝镁合金有限公司|Demo C Aluminium-Magnesium Alloy Co., Ltd.
E04|demo-d-1|key ets|national 2022|示范丁市新材料铝业有限公司|Demo D New Materials Aluminium Co., Ltd.
E05|demo-c-3|soe key|provincial 2021|示范丙市氧化铝有限公司|Demo C Alumina Co., Ltd.
E06|demo-c-1|key|provincial 2023|示范丙市北县金镁有限公司|Demo C North County Golden Magnesium Co., Ltd.
E07|demo-c-1|key||示范丙市恒镁冶炼有限公司|Demo C Hengmei Magnesium Smelting Co., Ltd.
E08|demo-c-1|key||示范丙市东岭镁业有限公司|Demo C Dongling Magnesium Co., Ltd.
E09|demo-c-1|key|provincial 2024|示范丙市兴镁科技有限公司|Demo C Xingmei Magnesium Technology Co., Ltd.
E10|demo-c-1|key||示范丙市宏达镁业有限公司|Demo C Hongda Magnesium Co., Ltd.
E11|demo-c-1|key||示范丙市泰镁有限公司|Demo C Taimei Magnesium Co., Ltd.
E12|demo-c-1|key||示范丙市北源镁合金有限公司|Demo C Beiyuan Magnesium Alloy Co., Ltd.
E13|demo-c-1|key||示范丙市新峰镁业有限公司|Demo C Xinfeng Magnesium Co., Ltd.
E14|demo-c-3|key||示范丙市昌盛镁业有限公司|Demo C Changsheng Magnesium Co., Ltd.
E15|demo-d|key|provincial 2023|示范丁市镁业有限公司|Demo D Magnesium Co., Ltd.
E16|demo-d|key||示范丁市华镁有限公司|Demo D Huamei Magnesium Co., Ltd.
E17|demo-d|key||示范丁市旧城镁厂|Demo D Old Town Magnesium Works
E18|demo-b-1|soe key gsc|national 2020|示范乙市钛业股份有限公司|Demo B Titanium Co., Ltd.
E19|demo-b-1|key|provincial 2021|示范乙市钛材有限公司|Demo B Titanium Materials Co., Ltd.
E20|demo-a-1|key|national 2022|示范甲市钛合金科技有限公司|Demo A Titanium Alloy Technology Co., Ltd.
E21|demo-b-2|||示范乙市精钛有限公司|Demo B Precision Titanium Co., Ltd.
E22|demo-e-1|soe key|provincial 2022|示范戊市铜业有限公司|Demo E Copper Co., Ltd.
E23|demo-h-1|key||示范辛市铜冶炼有限公司|Demo H Copper Smelting Co., Ltd.
E24|demo-h-1|soe key||示范辛市铅锌有限公司|Demo H Lead-Zinc Co., Ltd.
E25|demo-f-1|key|provincial 2023|示范己市锌业有限公司|Demo F Zinc Co., Ltd.
E26|demo-e-1|soe key|national 2023|示范戊市锌铅冶炼有限公司|Demo E Zinc-Lead Smelting Co., Ltd.
E27|demo-c-3|key||示范丙市硅业有限公司|Demo C Silicon Co., Ltd.
E28|demo-c-3|key||示范丙市西县工业硅有限公司|Demo C West County Industrial Silicon Co., Ltd.
E29|demo-h-1|key||示范辛市硅材料有限公司|Demo H Silicon Materials Co., Ltd.
E30|demo-g-1||provincial 2022|示范庚市再生铝业有限公司|Demo G Recycled Aluminium Co., Ltd.
E31|demo-g-1|||示范庚市绿源铝业有限公司|Demo G Lvyuan Aluminium Co., Ltd.
E32|demo-g-1|||示范庚市循环金属有限公司|Demo G Circular Metals Co., Ltd.
E33|demo-d-1|||示范丁市再生资源有限公司|Demo D Renewable Resources Co., Ltd.
E34|demo-a|||示范甲市再生铝有限公司|Demo A Recycled Aluminium Co., Ltd.
E35|demo-g-1|key|provincial 2024|示范庚市再生铜业有限公司|Demo G Recycled Copper Co., Ltd.
E36|demo-g-1|||示范庚市铜材有限公司|Demo G Copper Materials Co., Ltd.
E37|demo-d-1|||示范丁市铝型材有限公司|Demo D Aluminium Extrusions Co., Ltd.
E38|demo-g-1|key|provincial 2023|示范庚市铝箔有限公司|Demo G Aluminium Foil Co., Ltd.
E39|demo-a-1|||示范甲市轻合金有限公司|Demo A Light Alloys Co., Ltd.
E40|demo-e-1|soe key gsc|national 2021|示范戊市钼业有限公司|Demo E Molybdenum Co., Ltd.
E41|demo-f-1|key||示范己市钒业有限公司|Demo F Vanadium Co., Ltd.
"""

# Facilities: code | enterprise | city | park | process route | capacity [kt/a] | commissioned |
# cell technology | cell amperage [kA]. The sector follows from the code's prefix (_SECTOR_OF).
_PLANT_TABLE = """
AL01|E01|demo-c|PK02|prebake_400kA|300|2016-05-01|PFPB_M|400
AL02|E01|demo-c|PK02|prebake_500kA|200|2023-07-01|PFPB_M|500
AL03|E02|demo-d|PK03|prebake_350kA|250|2010-09-01|PFPB_L|350
AL04|E02|demo-d|PK03|prebake_240kA|100|2004-03-01|CWPB|240
AL05|E03|demo-c|PK02|prebake_300kA|160|2008-06-01|PFPB_L|300
AL06|E03|demo-c|PK02|prebake_160kA|60|1998-10-01|CWPB|160
AL07|E04|demo-d|PK03|prebake_400kA|220|2014-04-01|PFPB_M|400
AL08|E04|demo-d|PK03|prebake_200kA|80|2002-08-01|CWPB|200
AO01|E05|demo-c||bayer|800|2012-05-01||
MG01|E03|demo-c|PK01|pidgeon|100|2011-03-01||
MG02|E03|demo-c|PK01|pidgeon|60|2015-07-01||
MG03|E06|demo-c|PK01|pidgeon|60|2009-05-01||
MG04|E06|demo-c|PK01|pidgeon|40|2013-09-01||
MG05|E07|demo-c|PK01|pidgeon|50|2010-04-01||
MG06|E08|demo-c|PK01|pidgeon|50|2008-11-01||
MG07|E09|demo-c|PK01|pidgeon|80|2016-06-01||
MG08|E10|demo-c||pidgeon|50|2007-08-01||
MG09|E11|demo-c||pidgeon|40|2012-02-01||
MG10|E12|demo-c|PK01|pidgeon|60|2014-10-01||
MG11|E13|demo-c||pidgeon|50|2011-12-01||
MG12|E14|demo-c||pidgeon|40|2006-05-01||
MG13|E15|demo-d||pidgeon|60|2013-03-01||
MG14|E16|demo-d||pidgeon|50|2010-07-01||
MG15|E17|demo-d||pidgeon|20|2003-04-01||
TI01|E18|demo-b|PK04|kroll_sponge|15|2009-06-01||
TI02|E18|demo-b|PK04|var_ingot|35|2006-04-01||
TI03|E19|demo-b|PK04|titanium_rolling|45|2012-08-01||
TI04|E20|demo-a|PK05|titanium_forging|40|2015-05-01||
TI05|E20|demo-a|PK05|var_ingot|25|2017-03-01||
TI06|E21|demo-b||titanium_rolling|40|2016-09-01||
CU01|E22|demo-e|PK06|flash_smelting|100|2011-10-01||
CU02|E23|demo-h||bottom_blowing_smelting|60|2015-01-01||
PB01|E24|demo-h||bottom_blowing_smelting|80|2010-06-01||
PB02|E26|demo-e|PK06|bottom_blowing_smelting|50|2008-09-01||
ZN01|E26|demo-e|PK06|hydrometallurgical_zinc|150|2009-04-01||
ZN02|E25|demo-f||hydrometallurgical_zinc|100|2012-11-01||
ZN03|E24|demo-h||hydrometallurgical_zinc|60|2005-07-01||
SI01|E27|demo-c||submerged_arc_furnace|60|2017-05-01||
SI02|E28|demo-c||submerged_arc_furnace|40|2013-08-01||
SI03|E29|demo-h||submerged_arc_furnace|30|2011-04-01||
SI04|E27|demo-c||submerged_arc_furnace|50|2019-09-01||
RA01|E30|demo-g|PK07|scrap_remelting|60|2014-06-01||
RA02|E31|demo-g|PK07|scrap_remelting|40|2016-03-01||
RA03|E32|demo-g|PK07|scrap_remelting|30|2018-10-01||
RA04|E33|demo-d|PK03|scrap_remelting|50|2015-09-01||
RA05|E02|demo-d|PK03|scrap_remelting|30|2019-04-01||
RA06|E03|demo-c|PK02|scrap_remelting|40|2017-11-01||
RA07|E34|demo-a||scrap_remelting|20|2012-05-01||
RA08|E01|demo-c|PK02|scrap_remelting|60|2023-01-01||
RC01|E35|demo-g|PK07|scrap_refining|50|2013-06-01||
RC02|E36|demo-g|PK07|scrap_refining|30|2017-02-01||
AP01|E01|demo-c|PK02|alloy_casting|250|2017-06-01||
AP02|E02|demo-d|PK03|hot_cold_rolling|150|2013-04-01||
AP03|E04|demo-d|PK03|extrusion|80|2016-08-01||
AP04|E37|demo-d|PK03|extrusion|60|2011-05-01||
AP05|E38|demo-g|PK07|foil_rolling|50|2014-12-01||
AP06|E39|demo-a|PK05|extrusion|30|2018-07-01||
AP07|E03|demo-c|PK02|extrusion|60|2019-05-01||
AP08|E32|demo-g|PK07|alloy_casting|40|2020-01-01||
OT01|E40|demo-e|PK06|molybdenum_roasting|30|2010-03-01||
OT02|E41|demo-f||vanadium_extraction|10|2014-09-01||
"""

_PLANT_NAMES = """
AL01|示范丙市能源铝业400kA电解系列|Demo C Energy Aluminium 400 kA potline
AL02|示范丙市能源铝业500kA电解系列（产能置换）|Demo C Energy Aluminium 500 kA potline (capacity swap)
AL03|示范丁市铝业350kA电解系列|Demo D Aluminium 350 kA potline
AL04|示范丁市铝业240kA电解系列|Demo D Aluminium 240 kA potline
AL05|示范丙市铝镁合金300kA电解系列|Demo C Al-Mg Alloy 300 kA potline
AL06|示范丙市铝镁合金160kA电解系列（已关停）|Demo C Al-Mg Alloy 160 kA potline (closed)
AL07|示范丁市新材料400kA电解系列|Demo D New Materials 400 kA potline
AL08|示范丁市新材料200kA电解系列|Demo D New Materials 200 kA potline
AO01|示范丙市氧化铝拜耳法生产线|Demo C Alumina Bayer line
MG01|示范丙市铝镁合金金属镁厂|Demo C Al-Mg Alloy magnesium plant
MG02|示范丙市铝镁合金二期镁厂|Demo C Al-Mg Alloy magnesium plant 2
MG03|示范丙市金镁一厂|Demo C Golden Magnesium plant 1
MG04|示范丙市金镁二厂|Demo C Golden Magnesium plant 2
MG05|示范丙市恒镁冶炼厂|Demo C Hengmei magnesium smelter
MG06|示范丙市东岭镁厂|Demo C Dongling magnesium plant
MG07|示范丙市兴镁冶炼厂|Demo C Xingmei magnesium smelter
MG08|示范丙市宏达镁厂|Demo C Hongda magnesium plant
MG09|示范丙市泰镁冶炼厂|Demo C Taimei magnesium smelter
MG10|示范丙市北源镁厂|Demo C Beiyuan magnesium plant
MG11|示范丙市新峰镁厂|Demo C Xinfeng magnesium plant
MG12|示范丙市昌盛镁厂|Demo C Changsheng magnesium plant
MG13|示范丁市镁厂|Demo D magnesium plant
MG14|示范丁市华镁冶炼厂|Demo D Huamei magnesium smelter
MG15|示范丁市旧城镁厂（已关停）|Demo D Old Town magnesium works (closed)
TI01|示范乙市钛业海绵钛厂|Demo B Titanium sponge plant
TI02|示范乙市钛业熔铸厂|Demo B Titanium ingot melting shop
TI03|示范乙市钛材板带厂|Demo B Titanium Materials plate and strip mill
TI04|示范甲市钛合金锻造厂|Demo A Titanium Alloy forging plant
TI05|示范甲市钛合金熔铸厂|Demo A Titanium Alloy ingot melting shop
TI06|示范乙市精钛管棒厂|Demo B Precision Titanium tube and bar mill
CU01|示范戊市铜业闪速熔炼厂|Demo E Copper flash smelter
CU02|示范辛市铜冶炼底吹熔炼厂|Demo H Copper bottom-blowing smelter
PB01|示范辛市铅锌铅冶炼厂|Demo H Lead-Zinc lead smelter
PB02|示范戊市锌铅铅冶炼厂|Demo E Zinc-Lead lead smelter
ZN01|示范戊市锌铅湿法炼锌厂|Demo E Zinc-Lead hydrometallurgical zinc plant
ZN02|示范己市锌业湿法炼锌厂|Demo F Zinc hydrometallurgical zinc plant
ZN03|示范辛市铅锌湿法炼锌厂|Demo H Lead-Zinc hydrometallurgical zinc plant
SI01|示范丙市硅业一厂|Demo C Silicon plant 1
SI02|示范丙市西县工业硅厂|Demo C West County industrial silicon plant
SI03|示范辛市硅材料厂|Demo H Silicon Materials plant
SI04|示范丙市硅业二厂|Demo C Silicon plant 2
RA01|示范庚市再生铝厂|Demo G Recycled Aluminium remelt plant
RA02|示范庚市绿源再生铝厂|Demo G Lvyuan recycled aluminium plant
RA03|示范庚市循环金属再生铝厂|Demo G Circular Metals recycled aluminium plant
RA04|示范丁市再生资源再生铝厂|Demo D Renewable Resources recycled aluminium plant
RA05|示范丁市铝业再生铝分厂|Demo D Aluminium recycled aluminium shop
RA06|示范丙市铝镁合金再生铝厂|Demo C Al-Mg Alloy recycled aluminium shop
RA07|示范甲市再生铝厂|Demo A Recycled Aluminium remelt plant
RA08|示范丙市能源铝业再生铝项目|Demo C Energy Aluminium recycling project
RC01|示范庚市再生铜厂|Demo G Recycled Copper refinery
RC02|示范庚市铜材再生铜车间|Demo G Copper Materials recycled copper shop
AP01|示范丙市能源铝业合金铸造厂|Demo C Energy Aluminium alloy casthouse
AP02|示范丁市铝业板带厂|Demo D Aluminium sheet and strip mill
AP03|示范丁市新材料型材厂|Demo D New Materials extrusion plant
AP04|示范丁市铝型材厂|Demo D Aluminium Extrusions plant
AP05|示范庚市铝箔厂|Demo G Aluminium Foil mill
AP06|示范甲市轻合金型材厂|Demo A Light Alloys extrusion plant
AP07|示范丙市铝镁合金型材厂|Demo C Al-Mg Alloy extrusion plant
AP08|示范庚市循环金属铝棒厂|Demo G Circular Metals billet casthouse
OT01|示范戊市钼业焙烧厂|Demo E Molybdenum roasting plant
OT02|示范己市钒业五氧化二钒厂|Demo F Vanadium pentoxide plant
"""

_SECTOR_OF = {
    "AL": Sector.ELECTROLYTIC_ALUMINIUM,
    "AO": Sector.ALUMINA,
    "MG": Sector.MAGNESIUM,
    "TI": Sector.TITANIUM,
    "CU": Sector.COPPER,
    "PB": Sector.LEAD,
    "ZN": Sector.ZINC,
    "SI": Sector.INDUSTRIAL_SILICON,
    "RA": Sector.RECYCLED_ALUMINIUM,
    "RC": Sector.RECYCLED_COPPER,
    "AP": Sector.ALUMINIUM_PROCESSING,
    "OT": Sector.OTHER,
}

# What sets some facilities apart: events (retired, idle, missing months, late reporting) and the
# figures their activity data are made from ("p").
#
# Electrolytic aluminium: ``ac`` is the electrolysis AC power per t of liquid aluminium in 2020
# [kWh/t] (then −8 kWh/t a year; AL04 is retrofitted in 2024). The levels sit around the NDRC 2021
# benchmark 13 000 and baseline 13 350 kWh/t (carbonpeak/parameters/benchmarks/ndrc_levels.yaml)
# at least 60 kWh/t away from either, so the classes are stable for any seed. ``aux``: auxiliary AC
# power [kWh/t]. ``captive``: share of the line's electricity from the enterprise's coal-fired
# captive plant, by year (calibrated to the IAI China self-generated share, see calibration.py).
# ``da``: share of liquid aluminium sent to direct alloying in the first and last year. ``nc``:
# measured net anode consumption [t/t] (otherwise the guideline default applies). ``aem``: anode-
# effect minutes per cell-day, reported from 2024 (MEE 2024 slope method). ``pv_mwh``: on-site PV.
_PLANT_EXTRA: dict[str, dict[str, Any]] = {
    "AL01": {
        "p": {
            "ac": 12_930,
            "aux": 280,
            "captive": {2020: 0.95, 2025: 0.90},
            "da": (0.70, 0.95),
            "nc": 0.405,
            "aem": 0.04,
        }
    },
    "AL02": {
        "p": {
            "ac": 12_860,
            "aux": 260,
            "captive": {2023: 0.55},
            "da": (0.90, 0.92),
            "nc": 0.400,
            "aem": 0.03,
            "ramp": (0.6, 0.8, 0.9),
        }
    },
    "AL03": {"p": {"ac": 13_170, "aux": 300, "captive": {2020: 0.0}, "da": (0.55, 0.90), "nc": 0.412}},
    "AL04": {
        "p": {"ac": 13_470, "ac_retrofit": (2024, 13_230), "aux": 320, "captive": {2020: 0.0}, "da": (0.40, 0.75)}
    },
    "AL05": {"p": {"ac": 13_240, "aux": 300, "captive": {2020: 0.95}, "da": (0.60, 0.92)}},
    "AL06": {"retired": "2022-06-30", "p": {"ac": 13_640, "aux": 330, "captive": {2020: 0.95}, "da": (0.30, 0.30)}},
    "AL07": {
        "p": {
            "ac": 12_950,
            "aux": 280,
            "captive": {2020: 0.90, 2025: 0.80},
            "da": (0.65, 0.92),
            "nc": 0.402,
            "aem": 0.05,
            "pv_mwh": 80_000,
            "pv_from": "2023-07",
        }
    },
    "AL08": {"p": {"ac": 13_450, "aux": 320, "captive": {2020: 0.90}, "da": (0.35, 0.70)}},
    # Pidgeon plants that make their own ferrosilicon; one idle half a year; one closed at the end of 2023.
    "MG01": {"p": {"own_fesi": True}},
    "MG02": {"p": {"own_fesi": True}},
    "MG03": {"p": {"own_fesi": True}},
    "MG06": {"p": {"own_fesi": True}},
    "MG10": {"p": {"own_fesi": True}},
    "MG09": {"idle": ("2021-09", "2022-02")},
    "MG11": {"missing": ("2022-03", "2022-04")},
    "MG12": {"late_share": 0.4},
    "MG15": {"retired": "2023-12-31"},
    "CU02": {"late_share": 0.4},
    "PB02": {"p": {"scale": 1.2}},
    # Zinc: ZN01 at the NDRC benchmark (1 100 kgce/t), ZN02 between, ZN03 below the baseline (1 280).
    "ZN02": {"p": {"scale": 1.08, "heat_gj": 1.0}},
    "ZN03": {"p": {"scale": 1.21}},
    "SI03": {"idle": ("2025-06", None)},
    "RA03": {"late_share": 0.4},
    "RA05": {"missing": ("2024-08", "2024-09", "2024-10")},
    "RA08": {"p": {"ramp": (0.5, 0.7, 0.85)}},
    "RC02": {"p": {"scale": 1.12}},
    # Aluminium processing: electricity per t by kind of plant [MWh/t].
    "AP01": {"p": {"elec": 0.08}},
    "AP02": {"p": {"elec": 0.70}},
    "AP03": {"p": {"elec": 0.35}},
    "AP04": {"p": {"elec": 0.38}},
    "AP05": {"p": {"elec": 1.10}},
    "AP06": {"p": {"elec": 0.40}},
    "AP07": {"p": {"elec": 0.36}, "missing": ("2025-05",)},
    "AP08": {"p": {"elec": 0.10}},
}


@dataclass(frozen=True)
class _Plant:
    """One facility of the registry with the figures its activity data are made from (private)."""

    code: str
    enterprise: str
    name_zh: str
    name_en: str
    city: str
    park: str | None
    sector: Sector
    route: str
    capacity: float  # t/a
    commissioned: str  # ISO date
    technology: str = ""
    amperage: float | None = None
    retired: str | None = None
    idle: tuple[str, str | None] | None = None  # (first idle month, last idle month or None = still idle)
    missing: tuple[str, ...] = ()  # months never reported
    late_share: float = 0.015  # probability that a month is submitted after the deadline
    p: Mapping[str, Any] = field(default_factory=dict)  # activity figures, see _PLANT_EXTRA


def _table(text: str) -> list[list[str]]:
    return [line.split("|") for line in text.strip().splitlines()]


def _plants() -> list[_Plant]:
    names = {code: (zh, en) for code, zh, en in _table(_PLANT_NAMES)}
    plants = []
    for code, enterprise, city, park, route, capacity_kt, commissioned, technology, amperage in _table(_PLANT_TABLE):
        plants.append(
            _Plant(
                code=code,
                enterprise=enterprise,
                name_zh=names[code][0],
                name_en=names[code][1],
                city=city,
                park=park or None,
                sector=_SECTOR_OF[code[:2]],
                route=route,
                capacity=float(capacity_kt) * 1000.0,
                commissioned=commissioned,
                technology=technology,
                amperage=float(amperage) if amperage else None,
                **_PLANT_EXTRA.get(code, {}),
            )
        )
    return plants


_EA = Sector.ELECTROLYTIC_ALUMINIUM
_MG = Sector.MAGNESIUM
_PLANTS = _plants()

# Utilisation (output / capacity) by sector and year; years outside the table use the nearest.
# Electrolytic aluminium ≈ national 2023: 41.59 Mt / 44.43 Mt = 93.6 % (real-national-stats.csv).
# Magnesium follows the Shaanxi series (seed 470 kt in 2023; 637 kt 2024 derived; 685.2 kt 2025).
# Titanium processing reaches ≈100 kt of titanium materials in 2023 (+13.6 % on 2022) and the
# 110 kt planned for 2025 (seeds/000).
_UTILISATION: dict[Sector | str, dict[int, float]] = {
    _EA: {2020: 0.93, 2021: 0.935, 2022: 0.93, 2023: 0.935, 2024: 0.94, 2025: 0.945},
    Sector.ALUMINA: {2020: 0.85, 2021: 0.88, 2022: 0.86, 2023: 0.84, 2024: 0.87, 2025: 0.88},
    _MG: {2020: 0.56, 2021: 0.60, 2022: 0.60, 2023: 0.58, 2024: 0.805, 2025: 0.865},
    "titanium_materials": {2020: 0.66, 2021: 0.70, 2022: 0.705, 2023: 0.80, 2024: 0.84, 2025: 0.88},
    Sector.TITANIUM: {2020: 0.70, 2021: 0.74, 2022: 0.76, 2023: 0.82, 2024: 0.85, 2025: 0.88},
    Sector.COPPER: {2020: 0.86, 2021: 0.88, 2022: 0.90, 2023: 0.90, 2024: 0.91, 2025: 0.91},
    Sector.LEAD: {2020: 0.82, 2021: 0.84, 2022: 0.85, 2023: 0.85, 2024: 0.84, 2025: 0.85},
    Sector.ZINC: {2020: 0.85, 2021: 0.87, 2022: 0.86, 2023: 0.88, 2024: 0.88, 2025: 0.89},
    Sector.INDUSTRIAL_SILICON: {2020: 0.62, 2021: 0.78, 2022: 0.75, 2023: 0.70, 2024: 0.72, 2025: 0.70},
    Sector.RECYCLED_ALUMINIUM: {2020: 0.80, 2021: 0.83, 2022: 0.84, 2023: 0.86, 2024: 0.88, 2025: 0.90},
    Sector.RECYCLED_COPPER: {2020: 0.78, 2021: 0.80, 2022: 0.82, 2023: 0.83, 2024: 0.84, 2025: 0.85},
    Sector.ALUMINIUM_PROCESSING: {2020: 0.74, 2021: 0.78, 2022: 0.78, 2023: 0.80, 2024: 0.82, 2025: 0.84},
    Sector.OTHER: {2020: 0.80, 2021: 0.82, 2022: 0.83, 2023: 0.84, 2024: 0.85, 2025: 0.85},
}

# Activity per t of output (plausible values; the energy they give is checked against the GB
# energy-consumption-limit levels in calibration.py). Keys: elec [MWh/t]; fuels {code: amount per
# t in the fuel's table unit (t, or 10^4 Nm3 for gases)}; carbonates {formula: (t/t, purity %)};
# reductants {agent: t/t}; scrap, dolomite, ferrosilicon [t/t]; so2, nox, pm [kg/t]; waste [t/t]
# with its utilised share waste_use.
_INTENSITY: dict[str, dict[str, Any]] = {
    "bayer": {
        "elec": 0.23,
        "fuels": {"bituminous_coal": 0.40, "natural_gas": 0.0075, "diesel": 0.0005},
        "carbonates": {"CaCO3": (0.08, 92.0), "Na2CO3": (0.01, 98.0)},
        "so2": 0.30,
        "nox": 0.40,
        "pm": 0.10,
        "waste": 1.10,
        "waste_use": 0.10,
    },
    "pidgeon": {
        "elec": 1.6,
        "fuels": {"semi_coke_gas": 1.0, "bituminous_coal": 1.3},
        "dolomite": 10.8,
        "so2": 2.0,
        "nox": 3.0,
        "pm": 0.5,
        "waste": 6.5,
        "waste_use": 0.5,
    },
    # Self-produced ferrosilicon adds its smelting power (GB 21341-2022 硅铁冶炼电耗 ≈ 8 300 kWh/t).
    "pidgeon_own_fesi": {
        "elec": 10.6,
        "fuels": {"semi_coke_gas": 0.85, "bituminous_coal": 1.0},
        "dolomite": 10.8,
        "ferrosilicon": 1.08,
        "so2": 2.2,
        "nox": 3.0,
        "pm": 0.6,
        "waste": 6.5,
        "waste_use": 0.5,
    },
    "kroll_sponge": {
        "elec": 31.0,
        "fuels": {"natural_gas": 0.065, "diesel": 0.002},
        "reductants": {"petroleum_coke": 0.35},
        "so2": 0.2,
        "nox": 0.5,
        "pm": 0.2,
        "waste": 1.5,
        "waste_use": 0.2,
    },
    "var_ingot": {
        "elec": 3.6,
        "fuels": {"natural_gas": 0.003},
        "nox": 0.05,
        "pm": 0.02,
        "waste": 0.02,
        "waste_use": 0.9,
    },
    "titanium_rolling": {
        "elec": 6.0,
        "fuels": {"natural_gas": 0.04},
        "nox": 0.3,
        "pm": 0.05,
        "waste": 0.05,
        "waste_use": 0.9,
    },
    "titanium_forging": {
        "elec": 5.2,
        "fuels": {"natural_gas": 0.05},
        "nox": 0.35,
        "pm": 0.05,
        "waste": 0.06,
        "waste_use": 0.9,
    },
    "flash_smelting": {
        "elec": 1.25,
        "fuels": {"natural_gas": 0.004, "diesel": 0.002, "bituminous_coal": 0.05},
        "carbonates": {"CaCO3": (0.05, 90.0)},
        "so2": 3.0,
        "nox": 0.3,
        "pm": 0.2,
        "waste": 2.2,
        "waste_use": 0.8,
    },
    "bottom_blowing_smelting:copper": {
        "elec": 1.4,
        "fuels": {"bituminous_coal": 0.12, "natural_gas": 0.003},
        "reductants": {"coke": 0.02},
        "carbonates": {"CaCO3": (0.05, 90.0)},
        "so2": 3.5,
        "nox": 0.4,
        "pm": 0.25,
        "waste": 2.3,
        "waste_use": 0.75,
    },
    "bottom_blowing_smelting:lead": {
        "elec": 0.45,
        "fuels": {"bituminous_coal": 0.22, "natural_gas": 0.002},
        "reductants": {"coke": 0.09},
        "carbonates": {"CaCO3": (0.06, 90.0)},
        "so2": 2.0,
        "nox": 0.8,
        "pm": 0.3,
        "waste": 0.7,
        "waste_use": 0.6,
    },
    "hydrometallurgical_zinc": {
        "elec": 3.55,
        "fuels": {"bituminous_coal": 0.85, "natural_gas": 0.002},
        "so2": 1.5,
        "nox": 0.6,
        "pm": 0.3,
        "waste": 1.0,
        "waste_use": 0.5,
    },
    "submerged_arc_furnace": {
        "elec": 12.0,
        "fuels": {"diesel": 0.003},
        "reductants": {"coal": 1.5, "petroleum_coke": 0.25, "electrode_paste": 0.1},
        "so2": 6.0,
        "nox": 4.0,
        "pm": 1.0,
        "waste": 0.1,
        "waste_use": 0.8,
    },
    "scrap_remelting": {
        "elec": 0.12,
        "fuels": {"natural_gas": 0.007},
        "scrap": 1.10,
        "so2": 0.05,
        "nox": 0.15,
        "pm": 0.08,
        "waste": 0.04,
        "waste_use": 0.8,
    },
    "scrap_refining": {
        "elec": 0.42,
        "fuels": {"natural_gas": 0.0128, "bituminous_coal": 0.128},
        "scrap": 1.12,
        "so2": 0.8,
        "nox": 0.3,
        "pm": 0.15,
        "waste": 0.15,
        "waste_use": 0.7,
    },
    "aluminium_processing": {
        "elec": 0.45,
        "fuels": {"natural_gas": 0.005},
        "scrap": 0.06,
        "nox": 0.1,
        "pm": 0.03,
        "waste": 0.02,
        "waste_use": 0.9,
    },
    "molybdenum_roasting": {
        "elec": 0.6,
        "fuels": {"natural_gas": 0.02},
        "so2": 5.0,
        "nox": 0.5,
        "pm": 0.3,
        "waste": 0.3,
        "waste_use": 0.5,
    },
    "vanadium_extraction": {
        "elec": 3.0,
        "fuels": {"bituminous_coal": 1.2},
        "so2": 3.0,
        "nox": 1.0,
        "pm": 0.5,
        "waste": 8.0,
        "waste_use": 0.2,
    },
}

# Electrolytic aluminium: activity other than power, per t of liquid aluminium.
_EA_GAS = 0.0018  # natural gas 18 Nm3/t (anode baking, casthouse) [10^4 Nm3/t]
_EA_DIESEL = 0.0004  # [t/t]
_EA_LIMESTONE = 0.003  # limestone / CaCO3 [t/t]
_EA_OTHER_POWER = 0.015  # power outside electrolysis and auxiliaries (carbon plant, casthouse), share
_EA_DESULPHURISATION = 30.0  # part of the auxiliary AC power used for flue-gas desulphurisation [kWh/t]
# Captive coal plant: coal per MWh generated = 305.5 gce/kWh (net-supply coal consumption 2020,
# NDRC/NEA, carbonpeak/parameters/energy/electricity_equal_value.yaml) × a plant factor 1.00-1.06
# (small captive units are less efficient), as raw coal at 0.7143 kgce/kg (GB/T 2589-2020 Annex A,
# energy/coefficients.yaml). Its emissions come from accounting the coal line.
_CAPTIVE_TCE_PER_MWH = 0.3055
_RAW_COAL_TCE_PER_T = 0.7143
# Smelter air pollutants [kg/t Al] and the captive plant's at ultra-low-emission limits [kg/MWh];
# calibrated against Chalco's EA SO2 intensity and Hongqiao's totals (calibration.py).
_EA_POLLUTION = {"so2": 0.55, "nox": 0.12, "pm": 0.05}
_CAPTIVE_POLLUTION = {"so2": 0.09, "nox": 0.10, "pm": 0.008}
_COAL_ASH = 0.20  # fly ash and slag per t of captive coal [t/t]

# Green-power contracts (facility, first month, last month, MWh a year, kind). Direct purchases keep
# each smelter's non-hydro share under the 15 % at which the 1239 relief starts, because the relief
# needs Shaanxi's official incentive weight, which carbonpeak does not hold yet.
_CONTRACTS = [
    ("AL03", "2022-01", "2023-12", 300_000, "direct_renewable"),
    ("AL03", "2024-01", "2025-12", 420_000, "direct_renewable"),
    ("AL02", "2023-07", "2025-12", 300_000, "direct_renewable"),
    ("AL04", "2023-01", "2025-12", 100_000, "green_certificate"),
    ("AL07", "2024-01", "2025-12", 200_000, "green_certificate"),
    ("AL01", "2025-01", "2025-12", 300_000, "green_certificate"),
    ("TI02", "2024-01", "2025-12", 20_000, "green_certificate"),
]

# Corrections that always occur (facility, month, kind); more are drawn at random.
_FORCED_CORRECTIONS = [("AL03", "2024-03", "electrolysis_meter"), ("MG05", "2023-07", "fuel_omitted")]
# The reasons as the demo province's people write them: in Chinese.
_CORRECTION_REASONS = {
    "electrolysis_meter": "电解交流电耗抄表错误，已按电能表记录更正",
    "output_digit": "产量录入漏一位数字，已按月末盘点更正",
    "fuel_omitted": "首次报送遗漏燃料消耗，已补报",
    "verifier_grid": "核查机构按供电企业结算单核定外购电量",
}
_VERIFIERS = ("V1", "V2", "V3")
_REGISTRY_SEED = 32100  # the registry (USCCs) does not depend on the seed given to generate()


# ----------------------------------------------------------------------------- helpers


def _years_value(table: Mapping[int, float], year: int) -> float:
    if year in table:
        return table[year]
    known = sorted(table)
    if year < known[0]:
        return table[known[0]]
    if year > known[-1]:
        return table[known[-1]]
    below = max(y for y in known if y < year)
    above = min(y for y in known if y > year)
    return table[below] + (table[above] - table[below]) * (year - below) / (above - below)


def _month_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _r(value: float, digits: int) -> float:
    return float(round(float(value), digits))


def _registry(rng: np.random.Generator) -> dict[str, Any]:
    regions: list[dict[str, Any]] = [
        {
            "code": PROVINCE["code"],
            "name_zh": PROVINCE["name_zh"],
            "name_en": PROVINCE["name_en"],
            "level": "province",
            "parent_code": None,
        }
    ]
    regions += [
        {"code": c, "name_zh": zh, "name_en": f"{en} (synthetic)", "level": "city", "parent_code": "demo"}
        for c, zh, en, _, _ in _CITIES
    ]
    regions += [
        {"code": c, "name_zh": zh, "name_en": f"{en} (synthetic)", "level": "county", "parent_code": parent}
        for c, zh, en, parent in _COUNTIES
    ]
    parks = [
        {"code": c, "name_zh": zh, "name_en": f"{en} (synthetic)", "region_code": region}
        for c, zh, en, region in _PARKS
    ]
    clusters = [
        {"code": c, "name_zh": zh, "name_en": f"{en} (synthetic)", "region_codes": list(cities)}
        for c, zh, en, cities in _CLUSTERS
    ]
    city_of = {r["code"]: (r["code"] if r["level"] == "city" else r["parent_code"]) for r in regions[1:]}
    division = {c: d for c, _, _, d, _ in _CITIES}
    enterprises = []
    for code, region, flags, green_factory, zh, en in _table(_ENTERPRISE_TABLE):
        # Division 619x00: "61" as the records' grid province, "9x" a city number Shaanxi does not use
        # (its prefectures are 6101-6110), so no real enterprise can carry these codes.
        body = "MA" + "".join(rng.choice(list(USCC_ALPHABET), size=6))
        org = body + organization_code_check_character(body)
        first17 = f"91619{division[city_of[region]]}00{org}"
        level, _, year = green_factory.partition(" ")
        enterprises.append(
            {
                "code": code,
                "name_zh": zh,
                "name_en": f"{en} (synthetic)",
                "uscc": first17 + uscc_check_character(first17),
                "state_owned": "soe" in flags.split(),
                "key_energy_user": "key" in flags.split(),
                "national_carbon_market": "ets" in flags.split(),
                "green_factory_level": level or None,
                "green_factory_year": int(year) if year else None,
                "green_supply_chain": "gsc" in flags.split(),
                "region_code": region,
            }
        )
    return {"regions": regions, "parks": parks, "clusters": clusters, "enterprises": enterprises}


def _status(plant: _Plant, as_of: dt.date) -> tuple[str, str, str | None]:
    """(status, status_since, retired_on) of a facility on ``as_of``."""
    if plant.retired and dt.date.fromisoformat(plant.retired) <= as_of:
        return "retired", plant.retired, plant.retired
    if plant.idle:
        first, last = plant.idle
        start = dt.date.fromisoformat(first + "-01")
        end = None if last is None else _month_end(last)
        if start <= as_of and (end is None or as_of <= end):
            return "idle", start.isoformat(), None
        if end is not None and end < as_of:
            return "operating", (end + dt.timedelta(days=1)).isoformat(), None
    return "operating", plant.commissioned, None


def _month_end(period: str) -> dt.date:
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _facility_dict(plant: _Plant, as_of: dt.date) -> dict[str, Any]:
    status, since, retired_on = _status(plant, as_of)
    product = SECTOR_BENCHMARK_PRODUCT.get(plant.sector, "")
    return {
        "code": plant.code,
        "enterprise_code": plant.enterprise,
        "name_zh": plant.name_zh,
        "name_en": f"{plant.name_en} (synthetic)",
        "region_code": plant.city,
        "park_code": plant.park,
        "sector": plant.sector.value,
        "process_route": plant.route,
        "technology": plant.technology,
        "product": product,
        "capacity_t_per_a": float(plant.capacity),
        "cell_amperage_ka": plant.amperage,
        "commissioning_year": int(plant.commissioned[:4]),
        "status": status,
        "status_since": since,
        "retired_on": retired_on,
    }


# ----------------------------------------------------------------------------- activity


@dataclass
class _Months:
    periods: list[str]
    year: np.ndarray
    month: np.ndarray
    index: np.ndarray
    days: np.ndarray
    year_days: np.ndarray

    @classmethod
    def span(cls, first_year: int, last_year: int) -> _Months:
        periods = [f"{y:04d}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13)]
        year = np.array([int(p[:4]) for p in periods])
        month = np.array([int(p[5:]) for p in periods])
        days = np.array([calendar.monthrange(int(y), int(m))[1] for y, m in zip(year, month, strict=True)], float)
        year_days = np.array([366.0 if calendar.isleap(int(y)) else 365.0 for y in year])
        return cls(periods, year, month, year * 12 + month - 1, days, year_days)


def _active(plant: _Plant, months: _Months) -> np.ndarray:
    start = dt.date.fromisoformat(plant.commissioned)
    first = start.year * 12 + start.month - 1 + (1 if start.day > 1 else 0)
    active = months.index >= first
    if plant.retired:
        end = dt.date.fromisoformat(plant.retired)
        last = end.year * 12 + end.month - 1 - (0 if end.day == calendar.monthrange(end.year, end.month)[1] else 1)
        active &= months.index <= last
    for period in plant.missing:
        active &= months.index != _month_index(period)
    return active


def _idle(plant: _Plant, months: _Months) -> np.ndarray:
    if not plant.idle:
        return np.zeros(len(months.periods), dtype=bool)
    first, last = plant.idle
    idle = months.index >= _month_index(first)
    if last is not None:
        idle &= months.index <= _month_index(last)
    return idle


def _output(plant: _Plant, months: _Months, rng: np.random.Generator, idle: np.ndarray) -> np.ndarray:
    key: Sector | str = plant.sector
    if plant.route in ("titanium_rolling", "titanium_forging"):
        key = "titanium_materials"
    utilisation = np.array([_years_value(_UTILISATION[key], int(y)) for y in months.year])
    noise = rng.normal(1.0, 0.01 if plant.sector == _EA else 0.03, len(months.periods))
    ramp = np.ones(len(months.periods))
    if "ramp" in plant.p:
        start = dt.date.fromisoformat(plant.commissioned)
        first = start.year * 12 + start.month - 1
        for k, share in enumerate(plant.p["ramp"]):
            ramp[months.index == first + k] = share
    output = plant.capacity * utilisation * months.days / months.year_days * noise * ramp
    return np.where(idle, 0.0, np.maximum(output, 0.0))


def _pollution(out: dict[str, np.ndarray], output: np.ndarray, spec: Mapping[str, Any], jitter: np.ndarray) -> None:
    for name, column in (("so2", "so2_t"), ("nox", "nox_t"), ("pm", "particulate_t")):
        if name in spec:
            out[column] = output * spec[name] / 1000.0 * jitter
    if "waste" in spec:
        out["solid_waste_generated_t"] = output * spec["waste"] * jitter
        out["solid_waste_used_t"] = out["solid_waste_generated_t"] * min(spec["waste_use"], 1.0)


def _activity(
    plant: _Plant, months: _Months, rng: np.random.Generator, contracts: list[dict[str, Any]]
) -> dict[str, Any]:
    """Arrays over the months (fields, fuel/carbonate/reductant lines) of one facility."""
    n = len(months.periods)
    idle = _idle(plant, months)
    output = _output(plant, months, rng, idle)
    running = ~idle
    jitter = rng.normal(1.0, 0.02, n)
    fields: dict[str, np.ndarray] = {"output_t": output}
    fuels: dict[str, np.ndarray] = {}
    carbonates: dict[str, tuple[np.ndarray, float]] = {}
    reductants: dict[str, np.ndarray] = {}
    if plant.sector == _EA:
        _aluminium(plant, months, rng, output, fields, fuels, carbonates, contracts)
        return {"fields": fields, "fuels": fuels, "carbonates": carbonates, "reductants": reductants, "idle": idle}
    route = plant.route
    if plant.sector == _MG and plant.p.get("own_fesi"):
        route = "pidgeon_own_fesi"
    elif route == "bottom_blowing_smelting":
        route = f"{route}:{plant.sector.value}"
    elif plant.sector == Sector.ALUMINIUM_PROCESSING:
        route = "aluminium_processing"
    spec = dict(_INTENSITY[route])
    scale = float(plant.p.get("scale", 1.0))
    efficiency = scale * rng.uniform(0.97, 1.03)  # a facility's own level, constant over the months
    elec = float(plant.p.get("elec", spec["elec"]))
    standby = plant.capacity / 12.0 * 0.01  # MWh a month kept on while idle
    fields["grid_electricity_mwh"] = np.where(idle, standby, output * elec * efficiency * jitter)
    for fuel, per_t in spec.get("fuels", {}).items():
        fuels[fuel] = output * per_t * efficiency * rng.normal(1.0, 0.03, n)
    for formula, (per_t, purity) in spec.get("carbonates", {}).items():
        carbonates[formula] = (output * per_t * rng.normal(1.0, 0.03, n), purity)
    for agent, per_t in spec.get("reductants", {}).items():
        reductants[agent] = output * per_t * efficiency * rng.normal(1.0, 0.02, n)
    if "dolomite" in spec:
        fields["dolomite_t"] = output * spec["dolomite"] * rng.normal(1.0, 0.02, n)
    if "ferrosilicon" in spec:
        fields["ferrosilicon_t"] = output * spec["ferrosilicon"] * rng.normal(1.0, 0.02, n)
    if "scrap" in spec:
        fields["scrap_input_t"] = output * spec["scrap"] * rng.normal(1.0, 0.015, n)
    if "heat_gj" in plant.p:
        fields["purchased_heat_gj"] = output * float(plant.p["heat_gj"]) * jitter
    for contract in contracts:
        if contract["facility_code"] == plant.code and contract["kind"] == "green_certificate":
            fields["green_certificate_mwh"] = fields.get("green_certificate_mwh", np.zeros(n)) + _contract_months(
                contract, months
            )
    _pollution(fields, output, spec, np.where(running, jitter, 0.0))
    return {"fields": fields, "fuels": fuels, "carbonates": carbonates, "reductants": reductants, "idle": idle}


def _contract_months(contract: Mapping[str, Any], months: _Months) -> np.ndarray:
    inside = (months.index >= _month_index(contract["start_period"])) & (
        months.index <= _month_index(contract["end_period"])
    )
    return np.where(inside, contract["annual_mwh"] / 12.0, 0.0)


def _aluminium(
    plant: _Plant,
    months: _Months,
    rng: np.random.Generator,
    output: np.ndarray,
    fields: dict[str, np.ndarray],
    fuels: dict[str, np.ndarray],
    carbonates: dict[str, tuple[np.ndarray, float]],
    contracts: list[dict[str, Any]],
) -> None:
    n = len(months.periods)
    p = plant.p
    first_year = int(months.year[0])
    ac = p["ac"] - 8.0 * (months.year - 2020)
    if "ac_retrofit" in p:
        year, level = p["ac_retrofit"]
        ac = np.where(months.year >= year, level - 8.0 * (months.year - year), ac)
    ac = ac * rng.normal(1.0, 0.003, n)
    aux = p["aux"] * rng.normal(1.0, 0.02, n)
    electrolysis = output * ac / 1000.0
    auxiliary = output * aux / 1000.0
    total = (electrolysis + auxiliary) * (1.0 + _EA_OTHER_POWER)
    onsite = np.zeros(n)
    if "pv_mwh" in p:
        # Distributed PV: a summer-peaking monthly profile summing to the annual yield.
        profile = np.array([0.055, 0.065, 0.085, 0.095, 0.105, 0.105, 0.100, 0.095, 0.085, 0.080, 0.065, 0.065])
        onsite = np.where(months.index >= _month_index(p["pv_from"]), p["pv_mwh"] * profile[months.month - 1], 0.0)
    captive_share = np.array([_years_value(p["captive"], int(y)) for y in months.year])
    captive = (total - onsite) * captive_share
    grid = total - onsite - captive
    direct = np.zeros(n)
    certificates = np.zeros(n)
    for contract in contracts:
        if contract["facility_code"] != plant.code:
            continue
        monthly = _contract_months(contract, months)
        if contract["kind"] == "direct_renewable":
            direct += monthly
        else:
            certificates += monthly
    direct = np.minimum(direct, grid)  # a contract cannot deliver more than the grid supplied
    fields.update(
        {
            "grid_electricity_mwh": grid,
            "electrolysis_ac_mwh": electrolysis,
            "auxiliary_ac_mwh": auxiliary,
            "desulphurisation_mwh": output * _EA_DESULPHURISATION / 1000.0 * rng.normal(1.0, 0.03, n),
            "current_efficiency_pct": np.clip(rng.normal(93.0 if plant.technology != "CWPB" else 91.5, 0.4, n), 85, 96),
        }
    )
    if captive.any():
        fields["captive_electricity_mwh"] = captive
        plant_factor = 1.0 + (_hash_unit(plant.code) * 0.06)
        fuels["bituminous_coal"] = (
            captive * _CAPTIVE_TCE_PER_MWH * plant_factor / _RAW_COAL_TCE_PER_T * rng.normal(1.0, 0.01, n)
        )
    fuels["natural_gas"] = output * _EA_GAS * rng.normal(1.0, 0.04, n)
    fuels["diesel"] = output * _EA_DIESEL * rng.normal(1.0, 0.05, n)
    if onsite.any():
        fields["onsite_renewable_mwh"] = onsite
    if direct.any():
        fields["direct_renewable_mwh"] = direct
    if direct.any() or onsite.any():
        fields["nonhydro_renewable_mwh"] = direct + onsite
    if certificates.any():
        fields["green_certificate_mwh"] = certificates
    # Limestone under the NDRC 2013 guideline; a CaCO3 carbonate line under the MEE 2024 guideline.
    lime = output * _EA_LIMESTONE * rng.normal(1.0, 0.05, n)
    fields["limestone_t"] = np.where(months.year < 2024, lime, np.nan)
    carbonates["CaCO3"] = (np.where(months.year >= 2024, lime, 0.0), 95.0)
    if "nc" in p:  # measured anode data; without them the guideline defaults apply
        fields["net_anode_consumption_t_per_t"] = p["nc"] * rng.normal(1.0, 0.005, n)
        fields["anode_sulfur_pct"] = np.clip(rng.normal(2.0, 0.1, n), 1.0, 3.0)
        fields["anode_ash_pct"] = np.clip(rng.normal(0.4, 0.03, n), 0.2, 0.8)
    if "aem" in p:  # anode-effect minutes: slope method of the MEE 2024 guideline
        fields["anode_effect_minutes_per_cell_day"] = np.where(
            months.year >= 2024, p["aem"] * rng.uniform(0.7, 1.3, n), np.nan
        )
    da_first, da_last = p["da"]
    span = max(int(months.year[-1]) - first_year, 1)
    share = np.clip(da_first + (da_last - da_first) * (months.year - first_year) / span, 0.0, 1.0)
    fields["direct_alloying_t"] = np.minimum(output * share * rng.normal(1.0, 0.01, n), output)
    jitter = rng.normal(1.0, 0.05, n)
    for name, column in (("so2", "so2_t"), ("nox", "nox_t"), ("pm", "particulate_t")):
        fields[column] = (output * _EA_POLLUTION[name] + captive * _CAPTIVE_POLLUTION[name]) / 1000.0 * jitter
    coal = fuels.get("bituminous_coal", np.zeros(n))
    fields["solid_waste_generated_t"] = output * 0.025 * jitter + coal * _COAL_ASH
    fields["solid_waste_used_t"] = output * 0.025 * jitter * 0.6 + coal * _COAL_ASH * 0.85


def _hash_unit(text: str) -> float:
    """A stable number in [0, 1) from a text (a facility's fixed trait, independent of the seed)."""
    value = 0
    for char in text:
        value = (value * 131 + ord(char)) % 1_000_003
    return value / 1_000_003


# ----------------------------------------------------------------------------- records


_DIGITS = {
    "output_t": 1,
    "grid_electricity_mwh": 1,
    "captive_electricity_mwh": 1,
    "green_certificate_mwh": 1,
    "direct_renewable_mwh": 1,
    "onsite_renewable_mwh": 1,
    "nonhydro_renewable_mwh": 1,
    "electrolysis_ac_mwh": 1,
    "auxiliary_ac_mwh": 1,
    "desulphurisation_mwh": 1,
    "purchased_heat_gj": 1,
    "net_anode_consumption_t_per_t": 4,
    "anode_sulfur_pct": 2,
    "anode_ash_pct": 2,
    "anode_effect_minutes_per_cell_day": 3,
    "current_efficiency_pct": 2,
    "limestone_t": 1,
    "dolomite_t": 1,
    "ferrosilicon_t": 1,
    "scrap_input_t": 1,
    "direct_alloying_t": 1,
    "solid_waste_generated_t": 1,
    "solid_waste_used_t": 1,
    "so2_t": 3,
    "nox_t": 3,
    "particulate_t": 3,
}
_FIELD_ORDER = list(_DIGITS)
# Left out of a month's record when zero: no contract, no PV yet (an unreported flow is no flow).
_ONLY_IF_POSITIVE = {"green_certificate_mwh", "direct_renewable_mwh", "onsite_renewable_mwh", "nonhydro_renewable_mwh"}


def _records(plant: _Plant, months: _Months, activity: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """Record dicts keyed by month position, for the months the facility reports."""
    product = SECTOR_BENCHMARK_PRODUCT.get(plant.sector, "")
    fields = activity["fields"]
    out: dict[int, dict[str, Any]] = {}
    for i in np.flatnonzero(_active(plant, months)):
        record: dict[str, Any] = {
            "facility_id": plant.code,
            "facility_name": plant.name_zh,
            "sector": plant.sector.value,
            "region": RECORD_REGION,
            "period": months.periods[i],
        }
        if plant.technology:
            record["technology"] = plant.technology
        if product:
            record["product"] = product
        record["capacity_t_per_a"] = float(plant.capacity)
        for name in _FIELD_ORDER:
            if name in fields:
                value = float(fields[name][i])
                if not np.isnan(value) and (value > 0 or name not in _ONLY_IF_POSITIVE):
                    record[name] = _r(max(value, 0.0), _DIGITS[name])
        record["output_t"] = _r(fields["output_t"][i], 1)
        fuels = [
            {"fuel": code, "amount": _r(values[i], 3)} for code, values in activity["fuels"].items() if values[i] > 0
        ]
        carbonates = [
            {"carbonate": f, "amount_t": _r(values[i], 2), "purity_pct": purity}
            for f, (values, purity) in activity["carbonates"].items()
            if values[i] > 0
        ]
        reductants = [
            {"agent": a, "amount_t": _r(values[i], 2)} for a, values in activity["reductants"].items() if values[i] > 0
        ]
        if fuels:
            record["fuels"] = fuels
        if carbonates:
            record["carbonates"] = carbonates
        if reductants:
            record["reductants"] = reductants
        out[int(i)] = record
    return out


def _corrupt(record: dict[str, Any], kind: str, rng: np.random.Generator) -> dict[str, Any]:
    """The erroneous first version behind a correction (the record given is the corrected one)."""
    wrong = {k: ([dict(line) for line in v] if isinstance(v, list) else v) for k, v in record.items()}
    if kind == "electrolysis_meter":
        wrong["electrolysis_ac_mwh"] = _r(record["electrolysis_ac_mwh"] * 1.1, 1)
    elif kind == "output_digit":
        wrong["output_t"] = _r(record["output_t"] / 10.0, 1)
    elif kind == "fuel_omitted":
        wrong["fuels"] = wrong["fuels"][:-1]
        if not wrong["fuels"]:
            del wrong["fuels"]
    elif kind == "verifier_grid":
        wrong["grid_electricity_mwh"] = _r(record["grid_electricity_mwh"] * rng.uniform(1.01, 1.03), 1)
    return wrong


def _timestamp(day: dt.date, rng: np.random.Generator) -> str:
    minutes = int(rng.integers(8 * 60, 20 * 60))
    return f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:00+08:00"


def _deadline(period: str) -> dt.date:
    """Reporting deadline of a month: the 15th of the following month."""
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year + month // 12, month % 12 + 1, 15)


# ----------------------------------------------------------------------------- generate


def generate(seed: int = 2026, first_year: int = 2020, last_year: int = 2025) -> DemoProvince:
    """The synthetic demonstration province with monthly submissions from ``first_year`` to ``last_year``.

    Deterministic for a seed. ``as_of`` is 20 January after ``last_year``: months of earlier
    years are locked, January-September of ``last_year`` verified, October-December submitted, and
    a few of the last months still drafts. Every record passes
    ``carbonpeak.io.activity.parse_records`` and the latest versions run through
    ``carbonpeak.accounting.account``.

    The calibration holds for the default span 2020-2025. carbonpeak's parameters cover 2020-2025
    today (GB/T 2589-2020 coefficients from 2020; grid factors to data year 2023), so accounting
    months outside that span stops with an error naming the missing parameter.
    """
    if last_year < first_year:
        raise ValueError(f"last_year {last_year} is before first_year {first_year}")
    rng = np.random.default_rng(seed)
    registry = _registry(np.random.default_rng(_REGISTRY_SEED))
    as_of = dt.date(last_year + 1, 1, 20)
    months = _Months.span(first_year, last_year)
    first, last = _month_index(months.periods[0]), _month_index(months.periods[-1])
    contracts = []
    for facility, start, end, annual, kind in _CONTRACTS:
        if _month_index(end) < first or _month_index(start) > last:
            continue
        start = months.periods[max(_month_index(start), first) - first]
        end = months.periods[min(_month_index(end), last) - first]
        contracts.append(
            {
                "facility_code": facility,
                "start_period": start,
                "end_period": end,
                "annual_mwh": float(annual),
                "kind": kind,
            }
        )
    facilities = [_facility_dict(plant, as_of) for plant in _PLANTS]
    per_plant = []
    for plant in _PLANTS:
        activity = _activity(plant, months, rng, contracts)
        per_plant.append((plant, _records(plant, months, activity)))
    submissions = _submissions(per_plant, months, rng, as_of)
    return DemoProvince(
        province=dict(PROVINCE),
        regions=registry["regions"],
        parks=registry["parks"],
        clusters=registry["clusters"],
        enterprises=registry["enterprises"],
        facilities=facilities,
        submissions=submissions,
        contracts=contracts,
        as_of=as_of.isoformat(),
        seed=seed,
        first_year=first_year,
        last_year=last_year,
    )


def _submissions(
    per_plant: list[tuple[_Plant, dict[int, dict[str, Any]]]],
    months: _Months,
    rng: np.random.Generator,
    as_of: dt.date,
) -> list[dict[str, Any]]:
    last_year = int(months.year[-1])
    n_months = len(months.periods)
    forced = {(f, p): kind for f, p, kind in _FORCED_CORRECTIONS}
    submissions = []
    for plant, records in per_plant:
        late = rng.random(n_months) < plant.late_share
        on_time_day = rng.integers(2, 15, n_months)  # day of the following month (deadline: the 15th)
        late_days = rng.integers(1, 31, n_months)  # days after the deadline
        draft_draw = rng.random(n_months)
        correction_draw = rng.random(n_months)
        kinds = rng.integers(0, 4, n_months)
        fix_days = rng.integers(4, 21, n_months)
        verifier = rng.integers(0, len(_VERIFIERS), n_months)
        for i, record in records.items():
            period = months.periods[i]
            year, month = int(period[:4]), int(period[5:7])
            deadline = _deadline(period)
            submitted = (
                (deadline + dt.timedelta(days=int(late_days[i])))
                if late[i]
                else deadline.replace(day=int(on_time_day[i]))
            )
            is_last = year == last_year and month == 12
            is_second_last = year == last_year and month == 11
            draft = (is_last and draft_draw[i] < 0.25) or (is_second_last and draft_draw[i] < 0.03)
            if submitted > as_of:
                draft = True
            actor = f"enterprise:{plant.enterprise}"
            if draft:
                versions = [{"record": record, "status": "draft", "submitted_at": None, "actor": actor, "reason": None}]
                submissions.append({"facility_code": plant.code, "period": period, "versions": versions})
                continue
            if year < last_year:
                status = "locked"
            elif month <= 9:
                status = "verified"
            else:
                status = "submitted"
            kind = forced.get((plant.code, period))
            if kind is None and correction_draw[i] < 0.01 and status != "submitted":
                kind = _correction_kind(int(kinds[i]), plant, record)
            first_at = _timestamp(submitted, rng)
            if kind is None:
                versions = [
                    {"record": record, "status": status, "submitted_at": first_at, "actor": actor, "reason": None}
                ]
            else:
                fixed_day = min(submitted + dt.timedelta(days=int(fix_days[i])), as_of)
                by = f"verifier:{_VERIFIERS[int(verifier[i])]}" if kind == "verifier_grid" else actor
                versions = [
                    {
                        "record": _corrupt(record, kind, rng),
                        "status": "submitted",
                        "submitted_at": first_at,
                        "actor": actor,
                        "reason": None,
                    },
                    {
                        "record": record,
                        "status": status,
                        "submitted_at": _timestamp(fixed_day, rng),
                        "actor": by,
                        "reason": _CORRECTION_REASONS[kind],
                    },
                ]
            submissions.append({"facility_code": plant.code, "period": period, "versions": versions})
    submissions.sort(key=lambda s: (s["facility_code"], s["period"]))
    return submissions


def _correction_kind(draw: int, plant: _Plant, record: Mapping[str, Any]) -> str:
    kinds = ["output_digit", "verifier_grid", "fuel_omitted", "electrolysis_meter"]
    kind = kinds[draw]
    if kind == "electrolysis_meter" and "electrolysis_ac_mwh" not in record:
        kind = "output_digit"
    if kind == "fuel_omitted" and len(record.get("fuels", [])) < 2:
        kind = "verifier_grid"
    if kind == "verifier_grid" and "grid_electricity_mwh" not in record:
        kind = "output_digit"
    if kind == "output_digit" and record["output_t"] <= 0:
        kind = "verifier_grid"
    return kind
