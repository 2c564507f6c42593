"""The coded fields of an activity record and the codes each may take, with their zh/en labels.

``technology``, ``product``, ``metering``, ``bake_furnace``, ``paste_type`` and ``method`` are codes,
not free text: every reader (the column-wise intake, the record-by-record path, the fast path) refuses
another value with the allowed ones listed, and the month form offers them as choices. Where the codes
depend on the sector (a method covers some sectors; cell technologies are aluminium's, routes are
magnesium's, lead's, zinc's, silicon's), the choices are the sector's.

The codes are those the accounting reads: technologies of the IPCC 2006 tables and IR 2025/2547 Table 2
(:mod:`carbonpeak.accounting.emissions`), the products of ``benchmarks.ndrc_indicator``, the method
registry (:mod:`carbonpeak.engine.methods`). The Chinese names are those of docs/glossary.md §6.4-6.5.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import numpy as np

from carbonpeak.engine.methods import METHODS
from carbonpeak.messages import Bilingual
from carbonpeak.vocabulary import Sector

Labels = dict[str, tuple[str, str]]  # code -> (zh, en)
_SECTORS = {s.value for s in Sector}

_CELLS: Labels = {
    "PFPB_M": ("点式下料预焙槽（现代）", "point-feed prebake, modern"),
    "PFPB_L": ("点式下料预焙槽（老式）", "point-feed prebake, legacy"),
    "PFPB_MW": ("点式下料预焙槽（现代，阳极效应非全自动熄灭）", "point-feed prebake, modern, AE not fully automated"),
    "CWPB": ("中间下料预焙槽", "centre-worked prebake"),
    "SWPB": ("边部下料预焙槽", "side-worked prebake"),
    "VSS": ("上插自焙槽", "vertical stud Søderberg"),
    "HSS": ("侧插自焙槽", "horizontal stud Søderberg"),
}
_DEFAULT: Labels = {"default": ("缺省（工艺不明）", "default (route not known)")}

# The technologies a sector's records may name: the codes the accounting's IPCC and CBAM terms read.
SECTOR_TECHNOLOGIES: dict[str, Labels] = {
    Sector.ELECTROLYTIC_ALUMINIUM.value: _CELLS,
    Sector.MAGNESIUM.value: {
        "dolomite": ("白云石（皮江法）", "dolomite (Pidgeon)"),
        "magnesite": ("菱镁矿", "magnesite"),
    },
    Sector.LEAD.value: {
        "imperial_smelting_furnace": ("密闭鼓风炉", "imperial smelting furnace"),
        "direct_smelting": ("直接熔炼", "direct smelting"),
        "secondary_materials": ("再生原料", "secondary materials"),
        **_DEFAULT,
    },
    Sector.ZINC.value: {
        "waelz_kiln": ("回转窑（威尔兹法）", "Waelz kiln"),
        "pyrometallurgical": ("火法炼锌", "pyrometallurgical"),
        **_DEFAULT,
    },
    Sector.INDUSTRIAL_SILICON.value: {"silicon_metal": ("工业硅", "silicon metal")},
}

PRODUCTS: Labels = {
    "electrolytic_aluminium": ("电解铝（铝液）", "electrolytic aluminium (liquid)"),
    "copper_smelting": ("铜冶炼（铜精矿—阴极铜）", "copper smelting (concentrate to cathode)"),
    "lead_smelting_crude": ("铅冶炼粗铅工艺", "lead smelting, crude lead"),
    "zinc_smelting_hydro": ("湿法炼锌", "hydrometallurgical zinc"),
    "industrial_silicon": ("工业硅", "industrial silicon"),
    "ferrosilicon": ("硅铁", "ferrosilicon"),
    "silicomanganese": ("锰硅合金", "silicomanganese"),
}

FIXED: dict[str, Labels] = {
    "product": PRODUCTS,
    "metering": {"meter": ("计量表计", "meter readings"), "estimate": ("估算", "estimate")},
    "bake_furnace": {
        "riedhammer": ("里德哈默焙烧炉", "Riedhammer furnace"),
        "other_furnace": ("其他炉型", "other furnace"),
    },
    "paste_type": {"dry_paste": ("干阳极糊", "dry paste"), "wet_paste": ("湿阳极糊", "wet paste")},
}

CODED_FIELDS = ("method", "technology", "product", "metering", "bake_furnace", "paste_type")


@cache
def choices(field: str, sector: str | None = None) -> Labels:
    """The codes ``field`` may take for a record of ``sector`` (every sector's, without one or for a sector
    that is not one of carbonpeak's: that record's sector is refused on its own), with labels."""
    if sector not in _SECTORS:
        sector = None
    if field == "method":
        return {
            m.id: (m.name_zh, m.name_en)
            for m in METHODS.values()
            if sector is None or sector in {s.value for s in m.sectors}
        }
    if field == "technology":
        if sector is not None:
            return dict(SECTOR_TECHNOLOGIES.get(sector, {}))
        return {code: label for labels in SECTOR_TECHNOLOGIES.values() for code, label in labels.items()}
    return dict(FIXED[field])


def allowed(field: str, sector: str | None = None) -> frozenset[str]:
    return frozenset(choices(field, sector))


def shown(field: str, sector: str | None = None) -> list[Bilingual]:
    """The allowed codes as a message parameter: each code with its label, in the reader's language."""
    return [Bilingual(f"{code}（{zh}）", f"{code} ({en})") for code, (zh, en) in choices(field, sector).items()]


def wrong(field: str, values: np.ndarray, sectors: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Column-wise: which filled cells of ``field`` are not among their sector's codes."""
    bad = np.zeros(len(values), dtype=bool)
    filled = ~blank
    if not filled.any():
        return bad
    if field not in ("method", "technology"):
        return filled & ~np.isin(values, list(allowed(field)))
    for sector in np.unique(sectors[filled]).tolist():
        rows = filled & (sectors == sector)
        bad[rows] = ~np.isin(values[rows], list(allowed(field, str(sector))))
    return bad


def problem_params(field: str, sector: str | None) -> tuple[str, dict[str, object]]:
    """(message code, parameters) of a value not among the codes of ``field`` for ``sector``."""
    if not choices(field, sector):
        return "intake.no_codes_for_sector", {"sector": Bilingual(*_sector_names(sector))}
    return "intake.not_a_choice", {"choices": shown(field, sector)}


def _sector_names(sector: str | None) -> tuple[str, str]:
    try:
        found = Sector(str(sector))
    except ValueError:
        return str(sector), str(sector)
    return found.label_zh, found.label_en


def every_code(fields: Iterable[str] = CODED_FIELDS) -> dict[str, frozenset[str]]:
    """Every code of each field, whatever the sector (for documents and tests)."""
    return {field: allowed(field) for field in fields}
