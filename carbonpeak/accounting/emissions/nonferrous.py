"""Magnesium (cn-mg-2013, NDRC 2013) and other non-ferrous smelting (cn-nonferrous-2015, NDRC 2015).

* ``ferrosilicon``: self-made ferrosilicon, activity × ``emissions.magnesium_cn`` factor (能源作为原材料用途).
* ``dolomite``: dolomite × k × EF (工业生产过程，煅烧白云石).
* ``reductants``: reducing agents (energy as raw material), Σ M × C/100 × 44/12 with measured carbon,
  else the IPCC 2006 Tier 2 reducing-agent factor (Eq. 4.16-4.17).
"""

from __future__ import annotations

import numpy as np

from carbonpeak.accounting.emissions.aluminium_cn import _activity_times_factor
from carbonpeak.accounting.emissions.context import _Context, _lines_of, _term
from carbonpeak.engine.emissions import process as pr
from carbonpeak.engine.methods import Method
from carbonpeak.engine.provenance import IntArray, Term, Used


def _ferrosilicon(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    cited = ctx.at("emissions.magnesium_cn", edition=method.parameter_edition, quantity="ferrosilicon_ef")
    labels = (
        "ferrosilicon",
        "硅铁生产能源作为原材料排放",
        "ferrosilicon production (energy as raw material)",
        "能源作为原材料用途",
    )
    return _activity_times_factor(ctx, idx, method, "ferrosilicon_t", cited, labels)


def _dolomite(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    dolomite = ctx.num("dolomite_t", idx)
    ef = ctx.at("emissions.magnesium_cn", edition=method.parameter_edition, quantity="dolomite_ef")
    k = ctx.at("emissions.magnesium_cn", edition=method.parameter_edition, quantity="dolomite_coefficient")
    tco2 = pr.dolomite_calcination_tco2(dolomite, ctx.value(k, "dimensionless"), ctx.value(ef, "tCO2e/t"))
    return [
        _term(
            "dolomite",
            "白云石煅烧排放",
            "dolomite calcination",
            "tCO2",
            idx,
            tco2,
            method,
            method.reference + ", 工业生产过程（煅烧白云石）",
            "dolomite × k × EF",
            inputs={"dolomite_t": dolomite},
            input_units={"dolomite_t": "t"},
            parameters=[Used(ef, idx), Used(k, idx)],
        )
    ]


def _reductants(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    lines = _lines_of(ctx, ctx.batch.reductants, idx)
    if lines.empty:
        return []
    amount = lines["amount_t"].to_numpy(dtype=float)
    carbon = lines["carbon_content_pct"].to_numpy(dtype=float)
    records = lines["record"].to_numpy()
    agents = lines["agent"].cat.codes.to_numpy()
    agent_names = lines["agent"].cat.categories
    tco2 = np.zeros(len(lines))
    measured = ~np.isnan(carbon)
    tco2[measured] = pr.reductant_carbon_tco2(amount[measured], carbon[measured])
    used: list[Used] = []
    for number in np.unique(agents[~measured]):
        rows = (agents == number) & ~measured
        cited = ctx.at("emissions.ipcc2006", quantity="ef_reducing_agent", technology=str(agent_names[number]))
        tco2[rows] = pr.product_factor_tco2(amount[rows], ctx.value(cited, "tCO2e/t"))
        used.append(Used(cited, records[rows]))
    per_record = np.bincount(records, weights=tco2, minlength=len(ctx.batch))[idx]
    notes = ["measured carbon content where reported; otherwise the IPCC 2006 Tier 2 reducing-agent factor"]
    return [
        _term(
            "reductants",
            "还原剂（能源作为原材料）排放",
            "reducing agents (energy as raw material)",
            "tCO2",
            idx,
            per_record,
            method,
            method.reference + "; IPCC 2006 Eq. 4.16-4.17",
            "Σ M_i × C_i/100 × 44/12 (measured C) or Σ M_i × EF_agent",
            parameters=used,
            notes=notes,
        )
    ]
