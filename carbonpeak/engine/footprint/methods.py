"""Each product's footprint method: the standard and clauses it follows, the declared unit, the
stages it sums (the order of the waterfall) and what it covers and does not.

What the standards say here rests on secondary copies (shared/research/anchors-next.md §2.1): GB/T
44905-2024's declared unit (1 t liquid primary aluminium or remelting ingot), cradle-to-gate boundary,
cut-off (a stage < 1 % of the PCF may be left out, all left out ≤ 5 %), calendar-year data and its
coverage of bauxite, metallurgical alumina and prebaked anodes (confidence high for scope and dates,
medium for the cut-off and annex details); GB/T 24067-2024 follows ISO 14067 (climate change the only
impact category). Clause numbers of the standards were not read and are not invented: the clause
column names the requirement as the summaries state it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every stage a footprint may have, upstream first, then the site's own (the waterfall's order).
STAGES: tuple[str, ...] = (
    "bauxite",  # bauxite mining (铝土矿开采)
    "alumina",  # metallurgical alumina bought (冶金级氧化铝)
    "anode",  # prebaked anodes bought or made outside the facility's reported boundary (预焙阳极生产)
    "concentrate",  # copper or zinc concentrate (精矿)
    "ferrosilicon",  # ferrosilicon bought for Pidgeon reduction (外购硅铁)
    "silicon_inputs",  # quartz and electrodes for silicon smelting (硅石、电极)
    "scrap",  # burden of aluminium scrap charged (废铝原料负担)
    "fuel",  # fuel combustion on site (化石燃料燃烧)
    "process",  # process CO2 on site: anode carbon, carbonates, reductants (工艺过程)
    "pfc",  # PFC from anode effects (全氟化碳)
    "electricity",  # electricity consumed (电力)
    "heat",  # heat bought (热力)
)
SITE_STAGES: tuple[str, ...] = ("fuel", "process", "pfc", "electricity", "heat")
STAGE_INDEX = {name: i for i, name in enumerate(STAGES)}


@dataclass(frozen=True)
class ProductMethod:
    product: str
    sector: str  # the registry's sector whose verified months make the site stages
    method: str  # method id kept with every footprint
    standard: str
    clauses: tuple[str, ...]  # the requirements followed, as the sources state them
    declared_unit: str  # t of product
    upstream: tuple[str, ...]  # upstream stages the method requires
    covers: str
    not_covered: str


_GB44905 = "GB/T 44905-2024 温室气体 产品碳足迹量化方法与要求 电解铝"
_GB24067 = "GB/T 24067-2024 温室气体 产品碳足迹 量化要求和指南（ISO 14067）"
_COMMON = (
    "cradle-to-gate boundary",
    "calendar-year data",
    "cut-off: a stage < 1 % of the PCF may be left out, all left out ≤ 5 % (GB/T 44905-2024; applied alike here)",
)

PRODUCTS: dict[str, ProductMethod] = {
    "primary_aluminium": ProductMethod(
        "primary_aluminium",
        "electrolytic_aluminium",
        "gbt44905-2024",
        _GB44905,
        (
            "declared unit 1 t liquid primary aluminium or remelting ingot",
            *_COMMON,
            "site data primary; background data primary or secondary",
        ),
        "t liquid aluminium",
        ("bauxite", "alumina", "anode"),
        "bauxite mining, metallurgical alumina, prebaked anodes, electrolysis (anode carbon, PFC, fuels), "
        "electricity, heat",
        "transport of raw materials and casting into remelting ingot are not separated (casting is inside the "
        "facility's reported months when its casthouse is); the standard's annex tables were not read",
    ),
    "alumina": ProductMethod(
        "alumina",
        "alumina",
        "gbt44905-2024",
        _GB44905,
        ("metallurgical alumina, an upstream sub-product of the standard", *_COMMON),
        "t alumina",
        ("bauxite",),
        "bauxite mining, refining fuels and process, electricity, heat",
        "caustic soda and lime bought are not covered (no cited factor)",
    ),
    "copper_cathode": ProductMethod(
        "copper_cathode",
        "copper",
        "gbt24067-2024",
        _GB24067,
        ("ISO 14067 cradle-to-gate", *_COMMON, "ICA best-practice guidance exists; its values are for members only"),
        "t cathode copper",
        ("concentrate",),
        "concentrate (upstream factor), smelting and refining fuels, process, electricity, heat",
        "mining and beneficiation appear only through the concentrate factor; by-product allocation (sulphuric acid, "
        "precious metals) is not applied",
    ),
    "zinc": ProductMethod(
        "zinc",
        "zinc",
        "gbt24067-2024",
        _GB24067,
        (
            "ISO 14067 cradle-to-gate",
            *_COMMON,
            "IZA technical guidance for SHG zinc exists; its values are for members only",
        ),
        "t zinc",
        ("concentrate",),
        "concentrate (upstream factor), roasting, leaching and electrowinning fuels, process, electricity, heat",
        "by-product allocation (sulphuric acid) is not applied",
    ),
    "primary_magnesium": ProductMethod(
        "primary_magnesium",
        "magnesium",
        "gbt24067-2024",
        _GB24067,
        ("ISO 14067 cradle-to-gate", *_COMMON, "no sector guidance found"),
        "t primary magnesium",
        ("ferrosilicon",),
        "ferrosilicon bought (upstream factor), dolomite calcination, fuels, self-made ferrosilicon, electricity, heat",
        "dolomite quarrying and SF6 cover gas upstream are not covered",
    ),
    "silicon_metal": ProductMethod(
        "silicon_metal",
        "industrial_silicon",
        "gbt24067-2024",
        _GB24067,
        ("ISO 14067 cradle-to-gate", *_COMMON, "no sector guidance found"),
        "t silicon metal",
        ("silicon_inputs",),
        "quartz and electrodes (upstream factor), reductant carbon, fuels, electricity, heat",
        "the upstream of reductants (coal, coke, charcoal, wood) is not covered",
    ),
    "recycled_aluminium": ProductMethod(
        "recycled_aluminium",
        "recycled_aluminium",
        "gbt24067-2024",
        _GB24067,
        (
            "ISO 14067 cradle-to-gate",
            *_COMMON,
            "scrap burden by a selectable approach (IAI reference document: three approaches)",
        ),
        "t recycled aluminium",
        ("scrap",),
        "scrap burden (by the approach chosen), remelting fuels, electricity, heat",
        "scrap collection and sorting outside the facility are covered only through the scrap burden",
    ),
}

_BY_SECTOR = {m.sector: m.product for m in PRODUCTS.values()}


def product_of_sector(sector: str) -> str | None:
    """The footprinted product of a registry sector (None: no footprint method for it)."""
    return _BY_SECTOR.get(sector)
