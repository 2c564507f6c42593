"""The IPCC 2006 Tier 1 alternative (ipcc2006-tier1; IPCC 2006 Guidelines, Vol. 3, Ch. 4), with
``emissions.ipcc2006`` factors keyed by technology.

* aluminium: anode/paste CO2 (Eq. 4.20, Table 4.10) and PFC (Eq. 4.25, Table 4.15);
* magnesium, lead, zinc, industrial silicon: output × EF (Eq. 4.28, 4.32, 4.33, 4.15), SF6 cover gas
  for magnesium (Eq. 4.30) and CH4 for silicon (Eq. 4.18).

The technology check and the keyed look-up here serve Tier 2/3 and CBAM too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from carbonpeak.accounting.emissions.aluminium_cn import _pfc_term
from carbonpeak.accounting.emissions.context import _Context, _term
from carbonpeak.engine._arrays import FloatArray
from carbonpeak.engine.emissions import aluminium as al
from carbonpeak.engine.emissions import process as pr
from carbonpeak.engine.methods import Method
from carbonpeak.engine.provenance import IntArray, Term, Used
from carbonpeak.errors import InputError
from carbonpeak.vocabulary import Sector

_PREBAKE = {"CWPB", "SWPB", "PFPB_L", "PFPB_M", "PFPB_MW"}


_SODERBERG = {"VSS", "HSS"}


_IPCC_PRODUCT = {
    Sector.MAGNESIUM: ("ef_co2_primary_magnesium", ("dolomite", "magnesite"), None),
    Sector.LEAD: ("ef_co2_lead", ("imperial_smelting_furnace", "direct_smelting", "secondary_materials"), "default"),
    Sector.ZINC: ("ef_co2_zinc", ("waelz_kiln", "pyrometallurgical"), "default"),
    Sector.INDUSTRIAL_SILICON: ("ef_co2_ferroalloy", ("silicon_metal",), "silicon_metal"),
}


def _technology(ctx: _Context, idx: IntArray, allowed: Iterable[str], default: str | None, why: str) -> np.ndarray:
    tech = ctx.col("technology", idx).astype(object)
    tech = np.where(tech == "", default if default is not None else "", tech)
    # An empty technology takes the method's default factor where it has one (lead, zinc: IPCC 2006 Eq.
    # 4.32-4.33 "default"); the default's own key is accepted as given too.
    allowed = set(allowed) | ({default} if default is not None else set())
    bad = ~np.isin(tech, list(allowed))
    if bad.any():
        position = int(idx[np.flatnonzero(bad)[0]])
        raise InputError(
            code="accounting.required_by",
            rule=why,
            file=ctx.batch.source,
            record=ctx.record_label(position),
            field="technology",
            value=str(ctx.col("technology", idx)[np.flatnonzero(bad)[0]]) or None,
            expected="one of " + ", ".join(sorted(allowed)),
        )
    return tech


def _ipcc_tier1(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    terms: list[Term] = []
    sectors = ctx.col("sector", idx)
    output_all = ctx.num("output_t", idx)
    reference = "IPCC 2006 Guidelines, Vol. 3, Ch. 4"
    for sector in np.unique(sectors):
        rows = sectors == sector
        sub, output = idx[rows], output_all[rows]
        if sector == Sector.ELECTROLYTIC_ALUMINIUM:
            tech = _technology(ctx, sub, _PREBAKE | _SODERBERG, None, "the IPCC aluminium Tier 1 method")
            terms += _tier1_aluminium_co2(ctx, sub, method, tech)
            terms += _tier1_aluminium_pfc(ctx, sub, method, tech)
            continue
        quantity, allowed, default = _IPCC_PRODUCT[Sector(sector)]
        tech = _technology(ctx, sub, allowed, default, f"the IPCC {sector} Tier 1 method")
        ef, used = _keyed(ctx, sub, quantity, tech)
        terms.append(
            _term(
                "ipcc_process",
                "工业生产过程排放（IPCC第1层级）",
                "process CO2 (IPCC Tier 1)",
                "tCO2",
                sub,
                pr.product_factor_tco2(output, ef),
                method,
                reference,
                "P × EF",
                inputs={"output_t": output, "technology": tech},
                parameters=used,
            )
        )
        if sector == Sector.MAGNESIUM:
            cast = ctx.num("magnesium_cast_t", sub)
            sf6_ef = ctx.at("emissions.ipcc2006", quantity="ef_sf6_cover_gas", technology="casting")
            gwp = ctx.at("emissions.gwp", edition=str(method.gwp_edition), gas="SF6")
            sf6_t = pr.gas_emitted_t(cast, ctx.value(sf6_ef, "kg_gas/t"))
            terms.append(
                _term(
                    "sf6",
                    "六氟化硫保护气排放",
                    "SF6 cover gas",
                    "tCO2e",
                    sub,
                    sf6_t * ctx.value(gwp, "tCO2e/t_gas"),
                    method,
                    reference + ", Eq. 4.30",
                    "MgC × EF_SF6 / 1000 × GWP_SF6",
                    inputs={"magnesium_cast_t": cast},
                    parameters=[Used(sf6_ef, sub), Used(gwp, sub)],
                )
            )
        if sector == Sector.INDUSTRIAL_SILICON:
            ch4_ef = ctx.at("emissions.ipcc2006", quantity="ef_ch4_ferroalloy_tier1", technology="silicon_metal")
            terms.append(
                _term(
                    "ch4",
                    "甲烷排放（未折算CO2e）",
                    "CH4 (not converted to CO2e)",
                    "t CH4",
                    sub,
                    pr.gas_emitted_t(output, ctx.value(ch4_ef, "kg_gas/t")),
                    method,
                    reference + ", Eq. 4.18",
                    "P × EF_CH4 / 1000",
                    inputs={"output_t": output},
                    parameters=[Used(ch4_ef, sub)],
                    notes=["reported in t CH4: the CH4 GWP is not in carbonpeak's parameters yet"],
                )
            )
    return terms


def _tier1_aluminium_co2(
    ctx: _Context, idx: IntArray, method: Method, tech: np.ndarray, note: str | None = None
) -> list[Term]:
    """Anode/paste CO2 by IPCC 2006 Tier 1 (Eq. 4.20, Table 4.10): output × the prebake or Søderberg factor."""
    output = ctx.num("output_t", idx)
    route = np.where(np.isin(tech, list(_SODERBERG)), "soderberg", "prebake")
    ef, used = _keyed(ctx, idx, "ef_co2_tier1", route)
    return [
        _term(
            "ipcc_process",
            "阳极消耗排放（IPCC第1层级）",
            "anode/paste CO2 (IPCC Tier 1)",
            "tCO2",
            idx,
            al.tier1_process_tco2(output, ef),
            method,
            "IPCC 2006 Guidelines, Vol. 3, Ch. 4, Eq. 4.20",
            "MP × EF",
            inputs={"output_t": output, "technology": tech},
            parameters=used,
            notes=[note] if note else [],
        )
    ]


def _tier1_aluminium_pfc(
    ctx: _Context, idx: IntArray, method: Method, tech: np.ndarray, note: str | None = None
) -> list[Term]:
    """PFC by IPCC 2006 Tier 1 (Eq. 4.25, Table 4.15); point-feed prebake cells take the CWPB factors."""
    ipcc_tech = np.where(np.isin(tech, ["PFPB_L", "PFPB_M", "PFPB_MW"]), "CWPB", tech)
    cf4, used_cf4 = _keyed(ctx, idx, "ef_cf4_tier1", ipcc_tech, unit="kg_gas/t")
    c2f6, used_c2f6 = _keyed(ctx, idx, "ef_c2f6_tier1", ipcc_tech, unit="kg_gas/t")
    notes = ["point-feed prebake (PFPB) cells take the CWPB Tier 1 factors", *([note] if note else [])]
    return [
        _pfc_term(
            ctx,
            idx,
            method,
            cf4,
            c2f6,
            str(method.gwp_edition),
            ("全氟化碳排放（IPCC第1层级）", "PFC (IPCC Tier 1)"),
            "IPCC 2006 Guidelines, Vol. 3, Ch. 4, Eq. 4.25, Table 4.15",
            "MP × (EF_CF4 × GWP + EF_C2F6 × GWP)/1000",
            used_cf4 + used_c2f6,
            notes,
        )
    ]


def _keyed(
    ctx: _Context,
    idx: IntArray,
    quantity: str,
    technologies: np.ndarray,
    unit: str = "tCO2e/t",
    family: str = "emissions.ipcc2006",
    period: Any = None,
) -> tuple[FloatArray, list[Used]]:
    values = np.zeros(idx.size)
    used: list[Used] = []
    for tech in np.unique(technologies):
        rows = technologies == tech
        cited = ctx.at(family, period=period, quantity=quantity, technology=str(tech))
        values[rows] = ctx.value(cited, unit)
        used.append(Used(cited, idx[rows]))
    return values, used
