"""The method registry: method id → sectors, components, GWP edition, validity and reference.

:mod:`carbonpeak.accounting` reads this table to decide, for a sector and period, which method is in
force (the default) and which components make it up; a record may name another method explicitly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carbonpeak.errors import MethodError
from carbonpeak.vocabulary import Sector


@dataclass(frozen=True)
class Method:
    id: str
    name_zh: str
    name_en: str
    sectors: tuple[Sector, ...]
    components: tuple[str, ...]
    reference: str
    gwp_edition: str | None = None  # a parameter edition id where the method's own parameters say it
    parameter_edition: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    default: bool = True  # candidate default for its sectors within its validity
    # Factors a record may carry itself, with its citation, in place of the cited parameter (the
    # field names of io/fields/activity.csv; carbonpeak.accounting.emissions.OWN_FACTORS says what each
    # replaces). Any other own factor is refused for a record under this method.
    own_factors: tuple[str, ...] = ()


# The market-based figure follows the GHG Protocol Scope 2 hierarchy, which lets a supplier's or a
# contract's factor (or a province's published one) stand for grid power not covered by green power;
# the location-based figure always takes the factor of electricity.grid_factor_rule.
_MARKET_GRID_FACTOR = ("grid_factor_tco2_per_mwh",)


# The 2015 guideline covers "other non-ferrous smelting and rolling": secondary metals and processing too.
_NONFERROUS = (
    Sector.ALUMINA,
    Sector.COPPER,
    Sector.LEAD,
    Sector.ZINC,
    Sector.INDUSTRIAL_SILICON,
    Sector.TITANIUM,
    Sector.RECYCLED_ALUMINIUM,
    Sector.RECYCLED_COPPER,
    Sector.ALUMINIUM_PROCESSING,
)

METHODS: dict[str, Method] = {
    m.id: m
    for m in [
        Method(
            "cn-al-2013",
            "电解铝企业温室气体排放核算（NDRC 2013）",
            "Electrolytic aluminium, NDRC 2013 guideline",
            (Sector.ELECTROLYTIC_ALUMINIUM,),
            ("fuel", "anode_cn", "pfc_cn", "limestone", "electricity", "heat"),
            "NDRC, 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）, 2013",
            parameter_edition="cn-2013",
            valid_from=dt.date(2013, 1, 1),
            valid_to=dt.date(2023, 12, 31),
            own_factors=_MARKET_GRID_FACTOR,
        ),
        Method(
            "cn-al-2024",
            "铝冶炼行业企业温室气体排放核算（MEE 2024）",
            "Aluminium smelting, MEE 2024 guideline",
            (Sector.ELECTROLYTIC_ALUMINIUM,),
            ("fuel", "anode_cn", "pfc_cn", "carbonates", "electricity", "heat"),
            "MEE, 企业温室气体排放核算与报告指南 铝冶炼行业, CETS-AG-04.01-V01-2024, §6-§7",
            parameter_edition="cn-2024",
            valid_from=dt.date(2024, 1, 1),
            own_factors=_MARKET_GRID_FACTOR,
        ),
        Method(
            "cn-mg-2013",
            "镁冶炼企业温室气体排放核算（NDRC 2013）",
            "Magnesium smelting, NDRC 2013 guideline",
            (Sector.MAGNESIUM,),
            ("fuel", "ferrosilicon", "dolomite", "electricity", "heat"),
            "NDRC, 中国镁冶炼企业温室气体排放核算方法与报告指南（试行）, 2013",
            parameter_edition="cn-2013",
            valid_from=dt.date(2013, 1, 1),
            own_factors=_MARKET_GRID_FACTOR,
        ),
        Method(
            "cn-nonferrous-2015",
            "其他有色金属冶炼企业温室气体排放核算（NDRC 2015）",
            "Other non-ferrous smelting, NDRC 2015 guideline",
            _NONFERROUS,
            ("fuel", "reductants", "carbonates", "electricity", "heat"),
            "NDRC, 其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）, 2015",
            valid_from=dt.date(2015, 1, 1),
            own_factors=_MARKET_GRID_FACTOR,
        ),
        Method(
            "cn-energy",
            "化石燃料燃烧与净购入电力热力",
            "Fuel combustion and net purchased electricity and heat",
            (Sector.OTHER,),
            ("fuel", "electricity", "heat"),
            "NDRC 2013-2015 guidelines: 化石燃料燃烧, 净购入电力和热力 (common to every sector guideline)",
            valid_from=dt.date(2013, 1, 1),
            own_factors=_MARKET_GRID_FACTOR,
        ),
        Method(
            "ipcc2006-tier1",
            "IPCC 2006 第1层级",
            "IPCC 2006 Tier 1",
            (Sector.ELECTROLYTIC_ALUMINIUM, Sector.MAGNESIUM, Sector.LEAD, Sector.ZINC, Sector.INDUSTRIAL_SILICON),
            ("fuel", "ipcc_tier1", "electricity", "heat"),
            "IPCC 2006 Guidelines, Vol. 3, Ch. 4 (Eq. 4.15, 4.20, 4.25, 4.28, 4.30, 4.32, 4.33); energy terms by "
            "the national guidelines",
            gwp_edition="AR5",
            default=False,
            own_factors=_MARKET_GRID_FACTOR,
        ),
        Method(
            "ipcc2006-tier2",
            "IPCC 2006 第2/3层级",
            "IPCC 2006 Tier 2/3",
            (Sector.ELECTROLYTIC_ALUMINIUM, Sector.INDUSTRIAL_SILICON),
            ("fuel", "ipcc_tier2", "electricity", "heat"),
            "IPCC 2006 Guidelines, Vol. 3, Ch. 4 (Eq. 4.16, 4.21-4.24, 4.26, overvoltage); energy terms by the "
            "national guidelines",
            gwp_edition="AR5",
            default=False,
            own_factors=_MARKET_GRID_FACTOR,
        ),
        Method(
            "cbam-2025",
            "欧盟CBAM直接排放（欧盟委员会实施条例2025/2547）",
            "EU CBAM direct embedded emissions (IR 2025/2547)",
            (Sector.ELECTROLYTIC_ALUMINIUM,),
            ("fuel", "anode_cbam", "pfc_cbam", "carbonates"),
            "Commission Implementing Regulation (EU) 2025/2547, Annex I §3.17, Annex II B.3, B.7",
            gwp_edition="AR5",
            valid_from=dt.date(2026, 1, 1),
            default=False,
        ),
    ]
}


def default_method(sector: Sector, day: dt.date) -> Method:
    """The national method in force for a sector on a day."""
    for method in METHODS.values():
        if (
            method.default
            and sector in method.sectors
            and (method.valid_from is None or method.valid_from <= day)
            and (method.valid_to is None or day <= method.valid_to)
        ):
            return method
    raise MethodError(f"no national accounting method for sector '{sector}' is in force on {day.isoformat()}")


def get_method(method_id: str, sector: Sector) -> Method:
    try:
        method = METHODS[method_id]
    except KeyError:
        raise MethodError(f"unknown method '{method_id}'; known: {', '.join(METHODS)}") from None
    if sector not in method.sectors:
        raise MethodError(
            f"method '{method_id}' does not cover sector '{sector}'; it covers "
            f"{', '.join(s.value for s in method.sectors)}"
        )
    return method
