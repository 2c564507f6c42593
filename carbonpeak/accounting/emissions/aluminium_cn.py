"""Aluminium by the national guidelines (cn-al-2013: NDRC 2013; cn-al-2024: MEE 2024,
CETS-AG-04.01-V01-2024 §6-§7), with the edition's ``emissions.aluminium_cn`` parameters.

* ``anode_cn``: carbon anode consumption, P × NC × (100 − S − A)/100 × 44/12 (能源作为原材料用途).
* ``pfc_cn``: PFC from anode effects by the edition's default factors, the slope method where
  anode-effect minutes are reported (cn-2024), or measured factors; GWP by the edition's GWP set.
* ``limestone`` (NDRC 2013, 煅烧石灰石) and ``carbonates`` (MEE 2024 §7; NDRC 2015 碳酸盐分解,
  ``emissions.carbonate``).

Also the shared PFC term and activity × factor term the other methods build on.
"""

from __future__ import annotations

import numpy as np

from carbonpeak.accounting.emissions.context import _Context, _lines_of, _term
from carbonpeak.engine._arrays import FloatArray
from carbonpeak.engine.emissions import aluminium as al
from carbonpeak.engine.emissions import process as pr
from carbonpeak.engine.methods import Method
from carbonpeak.engine.provenance import IntArray, Term, Used
from carbonpeak.parameters import Cited


def _edition_value(ctx: _Context, method: Method, quantity: str, unit: str) -> tuple[float, Cited]:
    cited = ctx.at("emissions.aluminium_cn", edition=method.parameter_edition, quantity=quantity)
    return ctx.value(cited, unit), cited


def _measured_or_default(
    ctx: _Context, idx: IntArray, column: str, default: float, cited: Cited
) -> tuple[FloatArray, list[Used]]:
    measured = ctx.col(column, idx).astype(float)
    uses_default = np.isnan(measured)
    values = np.where(uses_default, default, measured)
    return values, ([Used(cited, idx[uses_default])] if uses_default.any() else [])


def _anode_cn(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    output = ctx.num("output_t", idx)
    used: list[Used] = []
    values = {}
    for column, quantity, unit in [
        ("net_anode_consumption_t_per_t", "net_anode_consumption", "t/t"),
        ("anode_sulfur_pct", "anode_sulfur", "percent"),
        ("anode_ash_pct", "anode_ash", "percent"),
    ]:
        default, cited = _edition_value(ctx, method, quantity, unit)
        values[column], u = _measured_or_default(ctx, idx, column, default, cited)
        used += u
    tco2 = al.anode_consumption_tco2(
        output, values["net_anode_consumption_t_per_t"], values["anode_sulfur_pct"], values["anode_ash_pct"]
    )
    return [
        _term(
            "anode",
            "炭阳极消耗排放",
            "carbon anode consumption",
            "tCO2",
            idx,
            tco2,
            method,
            method.reference + ", 能源作为原材料用途",
            "P × NC × (100 − S − A)/100 × 44/12",
            inputs={"output_t": output, **values},
            input_units={
                "output_t": "t",
                "net_anode_consumption_t_per_t": "t/t",
                "anode_sulfur_pct": "%",
                "anode_ash_pct": "%",
            },
            parameters=used,
        )
    ]


def _gwp(ctx: _Context, edition: str, idx: IntArray) -> tuple[float, float, list[Used]]:
    cf4 = ctx.at("emissions.gwp", edition=edition, gas="CF4")
    c2f6 = ctx.at("emissions.gwp", edition=edition, gas="C2F6")
    return (ctx.value(cf4, "tCO2e/t_gas"), ctx.value(c2f6, "tCO2e/t_gas"), [Used(cf4, idx), Used(c2f6, idx)])


def _pfc_cn(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    ef_cf4, cited_cf4 = _edition_value(ctx, method, "ef_cf4", "kg_gas/t")
    ef_c2f6, cited_c2f6 = _edition_value(ctx, method, "ef_c2f6", "kg_gas/t")
    cf4 = np.full(idx.size, ef_cf4)
    c2f6 = np.full(idx.size, ef_c2f6)
    default_rows = np.ones(idx.size, dtype=bool)
    used: list[Used] = []
    notes: list[str] = []
    aem = ctx.col("anode_effect_minutes_per_cell_day", idx).astype(float)
    if method.parameter_edition == "cn-2024" and (~np.isnan(aem)).any():
        slope_rows = ~np.isnan(aem)
        slope, cited_slope = _edition_value(ctx, method, "slope_cf4", "kg_gas/t")
        ratio, cited_ratio = _edition_value(ctx, method, "c2f6_to_cf4", "dimensionless")
        cf4[slope_rows] = al.pfc_slope_cf4_kg_per_t(aem[slope_rows], slope)
        c2f6[slope_rows] = cf4[slope_rows] * ratio
        default_rows &= ~slope_rows
        used += [Used(cited_slope, idx[slope_rows]), Used(cited_ratio, idx[slope_rows])]
        notes.append("slope method where anode-effect minutes are reported (EF_CF4 = slope × AEM)")
    measured_cf4 = ctx.col("cf4_kg_per_t", idx).astype(float)
    measured_c2f6 = ctx.col("c2f6_kg_per_t", idx).astype(float)
    has_measured = ~np.isnan(measured_cf4)
    cf4[has_measured] = measured_cf4[has_measured]
    c2f6 = np.where(~np.isnan(measured_c2f6), measured_c2f6, c2f6)
    default_rows &= ~has_measured
    if default_rows.any():
        used += [Used(cited_cf4, idx[default_rows]), Used(cited_c2f6, idx[default_rows])]
    edition_cited = ctx.at("emissions.aluminium_cn", edition=method.parameter_edition, quantity="gwp_edition")
    return [
        _pfc_term(
            ctx,
            idx,
            method,
            cf4,
            c2f6,
            str(edition_cited.value),
            ("阳极效应全氟化碳排放", "PFC from anode effects"),
            method.reference + ", 阳极效应 PFCs",
            "P × (EF_CF4 × GWP_CF4 + EF_C2F6 × GWP_C2F6) / 1000",
            [*used, Used(edition_cited, idx)],
            notes,
        )
    ]


def _pfc_term(
    ctx: _Context,
    idx: IntArray,
    method: Method,
    cf4: FloatArray,
    c2f6: FloatArray,
    gwp_edition: str,
    labels: tuple[str, str],
    reference: str,
    formula: str,
    parameters: list[Used],
    notes: list[str],
) -> Term:
    """The PFC term from per-record CF4 and C2F6 factors [kg/t Al], with each gas's mass and CO2e."""
    output = ctx.num("output_t", idx)
    gwp_cf4, gwp_c2f6, used_gwp = _gwp(ctx, gwp_edition, idx)
    cf4_t, c2f6_t = al.gas_mass_t(output, cf4), al.gas_mass_t(output, c2f6)
    breakdown = {
        "record": np.concatenate([idx, idx]),
        "gas": np.array(["CF4"] * idx.size + ["C2F6"] * idx.size, dtype=object),
        "factor_kg_per_t": np.concatenate([cf4, c2f6]),
        "mass_t": np.concatenate([cf4_t, c2f6_t]),
        "gwp": np.concatenate([np.full(idx.size, gwp_cf4), np.full(idx.size, gwp_c2f6)]),
        "tco2e": np.concatenate([cf4_t * gwp_cf4, c2f6_t * gwp_c2f6]),
    }
    return _term(
        "pfc",
        labels[0],
        labels[1],
        "tCO2e",
        idx,
        al.pfc_emissions_tco2e(output, cf4, c2f6, gwp_cf4, gwp_c2f6),
        method,
        reference,
        formula,
        inputs={"output_t": output, "cf4_kg_per_t": cf4, "c2f6_kg_per_t": c2f6},
        input_units={"output_t": "t", "cf4_kg_per_t": "kg/t", "c2f6_kg_per_t": "kg/t"},
        parameters=[*parameters, *used_gwp],
        notes=notes,
        breakdown=breakdown,
        breakdown_units={"factor_kg_per_t": "kg/t", "mass_t": "t", "gwp": "tCO2e/t", "tco2e": "tCO2e"},
    )


def _activity_times_factor(
    ctx: _Context, idx: IntArray, method: Method, column: str, cited: Cited, labels: tuple[str, str, str, str]
) -> list[Term]:
    """A term of the form activity [t] × one cited factor [t CO2/t] (limestone, self-made ferrosilicon)."""
    name, zh, en_label, clause = labels
    activity = ctx.num(column, idx)
    tco2 = pr.product_factor_tco2(activity, ctx.value(cited, "tCO2e/t"))
    return [
        _term(
            name,
            zh,
            en_label,
            "tCO2",
            idx,
            tco2,
            method,
            f"{method.reference}, {clause}",
            "AD × EF",
            inputs={column: activity},
            input_units={column: "t"},
            parameters=[Used(cited, idx)],
        )
    ]


def _limestone(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    cited = ctx.at("emissions.aluminium_cn", edition=method.parameter_edition, quantity="limestone_ef")
    labels = ("limestone", "石灰石煅烧排放", "limestone calcination", "煅烧石灰石")
    return _activity_times_factor(ctx, idx, method, "limestone_t", cited, labels)


def _carbonates(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    lines = _lines_of(ctx, ctx.batch.carbonates, idx)
    if lines.empty:
        return []
    kinds = lines["carbonate"].cat.codes.to_numpy()
    names = lines["carbonate"].cat.categories
    factor = np.zeros(len(lines))
    used: list[Used] = []
    records = lines["record"].to_numpy()
    for number in np.unique(kinds):
        cited = ctx.at("emissions.carbonate", carbonate=str(names[number]))
        factor[kinds == number] = ctx.value(cited, "tCO2e/t")
        used.append(Used(cited, records[kinds == number]))
    purity = np.nan_to_num(lines["purity_pct"].to_numpy(dtype=float), nan=100.0)  # unstated purity: pure
    tco2 = pr.carbonate_decomposition_tco2(lines["amount_t"].to_numpy(dtype=float), purity, factor)
    per_record = np.bincount(records, weights=tco2, minlength=len(ctx.batch))[idx]
    return [
        _term(
            "carbonates",
            "碳酸盐分解排放",
            "carbonate decomposition",
            "tCO2",
            idx,
            per_record,
            method,
            "MEE 2024 aluminium-smelting guideline §7; NDRC 2015 guideline 碳酸盐分解",
            "Σ M_i × purity_i/100 × EF_i",
            parameters=used,
            notes=["purity taken as 100 % where not reported"],
        )
    ]
