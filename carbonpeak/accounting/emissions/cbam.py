"""EU CBAM direct emissions of unwrought aluminium (cbam-2025; Commission Implementing Regulation
(EU) 2025/2547, Annex I §3.17, Annex II B.3, B.7).

* ``anode_cbam``: prebake anode consumption by the IPCC Eq. 4.21-4.23 terms (IR Eq. 12).
* ``pfc_cbam``: PFC by the slope or overvoltage method with the ``cbam.method`` tables (IR Table 2).
"""

from __future__ import annotations

from carbonpeak.accounting.emissions.context import _Context
from carbonpeak.accounting.emissions.ipcc_tier1 import _PREBAKE, _technology
from carbonpeak.accounting.emissions.ipcc_tier2 import _ipcc_prebake, _pfc_tier2
from carbonpeak.engine.methods import Method
from carbonpeak.engine.provenance import IntArray, Term


def _anode_cbam(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    _technology(
        ctx, idx, _PREBAKE, None, "the CBAM anode term (prebake anode consumption; Søderberg cells: use ipcc2006-tier2)"
    )
    terms = _ipcc_prebake(ctx, idx, method)
    for term in terms:
        term.notes.append("CO2/C taken as 44/12 = 3.6667; IR 2025/2547 Eq. 12 uses f = 3.664 (0.07 % lower)")
    return terms


def _pfc_cbam(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    tech = _technology(
        ctx,
        idx,
        {"PFPB_L", "PFPB_M", "CWPB", "SWPB", "VSS", "HSS"},
        None,
        "the CBAM PFC methods (IR 2025/2547 Table 2)",
    )
    # A CBAM package of a year before 2026 applies the definitive period's coefficients on a named day
    # (AccountingOptions.cbam_rules_on); the package says so. Otherwise the record's own period.
    day = ctx.options.cbam_rules_on or ctx.days[int(ctx.pcode[idx][0])]
    return _pfc_tier2(ctx, idx, method, tech, "cbam.method", day)
