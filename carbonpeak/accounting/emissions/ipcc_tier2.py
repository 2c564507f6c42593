"""The IPCC 2006 Tier 2/3 alternative (ipcc2006-tier2; IPCC 2006 Guidelines, Vol. 3, Ch. 4).

Each source of an aluminium record takes its tier from what the record reports: PFC by measured
factors (Tier 3), the slope method or the overvoltage method (Eq. 4.26); prebake anode consumption
(Eq. 4.21) with pitch volatiles (Eq. 4.22) and packing coke (Eq. 4.23); Søderberg paste (Eq. 4.24);
a source without such inputs takes its Tier 1 factor. Industrial silicon: reducing agents (Eq. 4.16-4.17).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from carbonpeak.accounting.emissions.aluminium_cn import _measured_or_default, _pfc_term
from carbonpeak.accounting.emissions.context import _Context, _term
from carbonpeak.accounting.emissions.ipcc_tier1 import (
    _PREBAKE,
    _SODERBERG,
    _keyed,
    _technology,
    _tier1_aluminium_co2,
    _tier1_aluminium_pfc,
)
from carbonpeak.accounting.emissions.nonferrous import _reductants
from carbonpeak.engine._arrays import FloatArray
from carbonpeak.engine.emissions import aluminium as al
from carbonpeak.engine.methods import Method
from carbonpeak.engine.provenance import IntArray, Term, Used
from carbonpeak.errors import InputError
from carbonpeak.vocabulary import Sector


def _ipcc_default(
    ctx: _Context, idx: IntArray, column: str, quantity: str, technology: str, unit: str
) -> tuple[FloatArray, list[Used]]:
    cited = ctx.at("emissions.ipcc2006", quantity=quantity, technology=technology)
    return _measured_or_default(ctx, idx, column, ctx.value(cited, unit), cited)


def _pfc_tier2(ctx: _Context, idx: IntArray, method: Method, tech: np.ndarray, family: str, period: Any) -> list[Term]:
    """PFC by the slope method where AEM is reported, else by the overvoltage method."""
    aem = ctx.col("anode_effect_minutes_per_cell_day", idx).astype(float)
    aeo = ctx.col("anode_effect_overvoltage_mv", idx).astype(float)
    ce = ctx.col("current_efficiency_pct", idx).astype(float)
    measured_cf4 = ctx.col("cf4_kg_per_t", idx).astype(float)
    measured_c2f6 = ctx.col("c2f6_kg_per_t", idx).astype(float)
    measured_rows = ~np.isnan(measured_cf4)  # Tier 3: facility-measured factors take precedence
    slope_rows = ~measured_rows & ~np.isnan(aem)
    over_rows = ~measured_rows & ~slope_rows & ~np.isnan(aeo) & ~np.isnan(ce)
    if not (measured_rows | slope_rows | over_rows).all():
        position = int(idx[np.flatnonzero(~(measured_rows | slope_rows | over_rows))[0]])
        raise InputError(
            code="accounting.pfc_tier2_inputs",
            file=ctx.batch.source,
            record=ctx.record_label(position),
            field="anode_effect_minutes_per_cell_day",
        )
    cf4 = np.zeros(idx.size)
    ratio = np.zeros(idx.size)
    used: list[Used] = []
    if slope_rows.any():
        slope, u1 = _keyed(ctx, idx[slope_rows], "slope_cf4", tech[slope_rows], "kg_gas/t", family, period)
        r, u2 = _keyed(ctx, idx[slope_rows], "c2f6_to_cf4", tech[slope_rows], "dimensionless", family, period)
        cf4[slope_rows] = al.pfc_slope_cf4_kg_per_t(aem[slope_rows], slope)
        ratio[slope_rows] = r
        used += u1 + u2
    if over_rows.any():
        ovc, u3 = _keyed(ctx, idx[over_rows], "overvoltage_coefficient", tech[over_rows], "kg_gas/t", family, period)
        ratio_name = "overvoltage_c2f6_to_cf4" if family == "cbam.method" else "c2f6_to_cf4"
        r, u4 = _keyed(ctx, idx[over_rows], ratio_name, tech[over_rows], "dimensionless", family, period)
        try:
            cf4[over_rows] = al.pfc_overvoltage_cf4_kg_per_t(ovc, aeo[over_rows], ce[over_rows])
        except ValueError as exc:
            raise InputError(
                str(exc), file=ctx.batch.source, field="current_efficiency_pct", expected="a percentage such as 94"
            ) from None
        ratio[over_rows] = r
        used += u3 + u4
    c2f6 = cf4 * ratio
    cf4[measured_rows] = measured_cf4[measured_rows]
    c2f6[measured_rows] = np.nan_to_num(measured_c2f6[measured_rows], nan=0.0)
    return [
        _pfc_term(
            ctx,
            idx,
            method,
            cf4,
            c2f6,
            str(method.gwp_edition),
            ("全氟化碳排放（斜率法/过电压法）", "PFC (slope or overvoltage method)"),
            method.reference,
            "CF4 = S × AEM (or OVC × AEO/CE); C2F6 = CF4 × F; E = MP × Σ EF × GWP / 1000",
            used,
            [],
        )
    ]


# The inputs that make a record's source Tier 2/3 under ipcc2006-tier2 (IPCC 2006 Ch. 4 chooses the tier of
# each source, anode/paste CO2 and PFC, separately). A source without any of them takes its Tier 1 factor.
_TIER2_PFC_INPUTS = (
    "cf4_kg_per_t",
    "c2f6_kg_per_t",
    "anode_effect_minutes_per_cell_day",
    "anode_effect_overvoltage_mv",
)


_TIER2_PREBAKE_INPUTS = (
    "net_anode_consumption_t_per_t",
    "anode_sulfur_pct",
    "anode_ash_pct",
    "green_anodes_t",
    "baked_anodes_t",
)


_TIER2_SODERBERG_INPUTS = ("paste_t_per_t",)


def _reports_any(ctx: _Context, idx: IntArray, columns: Iterable[str]) -> np.ndarray:
    return np.logical_or.reduce([~np.isnan(ctx.col(c, idx).astype(float)) for c in columns])


def _ipcc_tier2(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    sectors = ctx.col("sector", idx)
    terms: list[Term] = []
    si = idx[sectors == Sector.INDUSTRIAL_SILICON]
    if si.size:
        terms += _reductants(ctx, si, method)
    sub = idx[sectors == Sector.ELECTROLYTIC_ALUMINIUM]
    if not sub.size:
        return terms
    tech = _technology(ctx, sub, _PREBAKE | _SODERBERG, None, "the IPCC aluminium Tier 2/3 methods")
    ipcc_tech = np.where(np.isin(tech, ["PFPB_L", "PFPB_M", "PFPB_MW"]), "CWPB", tech)
    prebake = np.isin(tech, list(_PREBAKE))
    pfc2 = _reports_any(ctx, sub, _TIER2_PFC_INPUTS)
    co2 = np.where(
        prebake,
        _reports_any(ctx, sub, _TIER2_PREBAKE_INPUTS),
        _reports_any(ctx, sub, _TIER2_SODERBERG_INPUTS) | (ctx.col("paste_type", sub) != ""),
    )
    neither = ~pfc2 & ~co2
    if neither.any():
        raise InputError(
            code="accounting.tier2_no_inputs",
            file=ctx.batch.source,
            record=ctx.record_label(int(sub[np.flatnonzero(neither)[0]])),
            field="net_anode_consumption_t_per_t" if prebake[np.flatnonzero(neither)[0]] else "paste_t_per_t",
        )
    if pfc2.any():
        terms += _pfc_tier2(ctx, sub[pfc2], method, ipcc_tech[pfc2], "emissions.ipcc2006", None)
    if (~pfc2).any():
        note = "Tier 1 for PFC: the record reports no anode-effect data or measured PFC factors"
        terms += _tier1_aluminium_pfc(ctx, sub[~pfc2], method, tech[~pfc2], note)
    if (co2 & prebake).any():
        terms += _ipcc_prebake(ctx, sub[co2 & prebake], method)
    if (co2 & ~prebake).any():
        soderberg = sub[co2 & ~prebake]
        terms += _ipcc_soderberg(ctx, soderberg, method, ctx.col("technology", soderberg))
    if (~co2).any():
        note = "Tier 1 for anode/paste CO2: the record reports no anode or paste consumption"
        terms += _tier1_aluminium_co2(ctx, sub[~co2], method, tech[~co2], note)
    return terms


def _ipcc_prebake(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    output = ctx.num("output_t", idx)
    nac = ctx.require("net_anode_consumption_t_per_t", idx, "IPCC 2006 Eq. 4.21 (no default for NAC)")
    s, used_s = _ipcc_default(ctx, idx, "anode_sulfur_pct", "anode_sulfur", "prebake", "percent")
    a, used_a = _ipcc_default(ctx, idx, "anode_ash_pct", "anode_ash", "prebake", "percent")
    terms = [
        _term(
            "anode",
            "预焙阳极消耗排放",
            "prebake anode consumption",
            "tCO2",
            idx,
            al.anode_consumption_tco2(output, nac, s, a),
            method,
            "IPCC 2006, Vol. 3, Eq. 4.21",
            "NAC × MP × (100 − S_a − Ash_a)/100 × 44/12",
            inputs={
                "output_t": output,
                "net_anode_consumption_t_per_t": nac,
                "anode_sulfur_pct": s,
                "anode_ash_pct": a,
            },
            parameters=used_s + used_a,
        )
    ]
    green = ctx.col("green_anodes_t", idx).astype(float)
    baked = ctx.col("baked_anodes_t", idx).astype(float)
    bake = ~np.isnan(green) & ~np.isnan(baked)
    if bake.any():
        sub, ga, ba = idx[bake], green[bake], baked[bake]
        h_frac = ctx.at("emissions.ipcc2006", quantity="green_anode_hydrogen_fraction", technology="prebake")
        furnace = ctx.col("bake_furnace", sub)
        furnace = np.where(furnace == "riedhammer", "riedhammer", "other_furnace")
        wt_frac, used_wt = _keyed(ctx, sub, "waste_tar_fraction", furnace, "dimensionless")
        h_w = ga * ctx.value(h_frac, "dimensionless")
        terms.append(
            _term(
                "pitch_volatiles",
                "焙烧炉沥青挥发分排放",
                "pitch volatiles (bake furnace)",
                "tCO2",
                sub,
                al.pitch_volatiles_tco2(ga, h_w, ba, ga * wt_frac),
                method,
                "IPCC 2006, Vol. 3, Eq. 4.22",
                "(GA − H_w − BA − WT) × 44/12",
                inputs={"green_anodes_t": ga, "baked_anodes_t": ba},
                parameters=[Used(h_frac, sub), *used_wt],
            )
        )
        pcc = ctx.at("emissions.ipcc2006", quantity="packing_coke_consumption", technology="prebake")
        s_pc = ctx.at("emissions.ipcc2006", quantity="packing_coke_sulfur", technology="prebake")
        a_pc = ctx.at("emissions.ipcc2006", quantity="packing_coke_ash", technology="prebake")
        terms.append(
            _term(
                "packing_coke",
                "填充焦排放",
                "packing coke",
                "tCO2",
                sub,
                al.packing_coke_tco2(ctx.value(pcc, "t/t"), ba, ctx.value(s_pc, "percent"), ctx.value(a_pc, "percent")),
                method,
                "IPCC 2006, Vol. 3, Eq. 4.23",
                "PCC × BA × (100 − S_pc − Ash_pc)/100 × 44/12",
                inputs={"baked_anodes_t": ba},
                parameters=[Used(c, sub) for c in (pcc, s_pc, a_pc)],
            )
        )
    return terms


def _ipcc_soderberg(ctx: _Context, idx: IntArray, method: Method, tech: np.ndarray) -> list[Term]:
    output = ctx.num("output_t", idx)
    paste = ctx.require("paste_t_per_t", idx, "IPCC 2006 Eq. 4.24 (paste consumption)")
    paste_type = ctx.col("paste_type", idx)
    bad = ~np.isin(paste_type, ["dry_paste", "wet_paste"])
    if bad.any():
        raise InputError(
            code="accounting.required_by",
            rule="IPCC 2006 Eq. 4.24 (binder content)",
            file=ctx.batch.source,
            record=ctx.record_label(int(idx[np.flatnonzero(bad)[0]])),
            field="paste_type",
            expected="dry_paste or wet_paste",
        )
    csm, used_csm = _keyed(ctx, idx, "cyclohexane_soluble_matter", tech, "kg/t")
    bc, used_bc = _keyed(ctx, idx, "binder_content", paste_type, "percent")
    fixed = {}
    used = used_csm + used_bc
    for quantity, unit in [
        ("pitch_sulfur", "percent"),
        ("pitch_ash", "percent"),
        ("pitch_hydrogen", "percent"),
        ("calcined_coke_sulfur", "percent"),
        ("calcined_coke_ash", "percent"),
        ("skimmed_dust_carbon", "t/t"),
    ]:
        cited = ctx.at("emissions.ipcc2006", quantity=quantity, technology="soderberg")
        fixed[quantity] = ctx.value(cited, unit)
        used.append(Used(cited, idx))
    tco2 = al.soderberg_paste_tco2(
        paste,
        output,
        csm,
        bc,
        fixed["pitch_sulfur"],
        fixed["pitch_ash"],
        fixed["pitch_hydrogen"],
        fixed["calcined_coke_sulfur"],
        fixed["calcined_coke_ash"],
        fixed["skimmed_dust_carbon"],
    )
    return [
        _term(
            "anode",
            "自焙阳极糊消耗排放",
            "Søderberg paste consumption",
            "tCO2",
            idx,
            tco2,
            method,
            "IPCC 2006, Vol. 3, Eq. 4.24",
            "see Eq. 4.24",
            inputs={"output_t": output, "paste_t_per_t": paste},
            parameters=used,
        )
    ]
