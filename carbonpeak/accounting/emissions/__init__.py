"""Energy and emissions accounting: cited parameters joined to engine calls, with provenance.

``account(batch)`` computes, for every facility-period record of an :class:`ActivityBatch` at once,
energy in tce and emissions by the method in force (or the one the record names), location- and
market-based. Each addend is a :class:`~carbonpeak.engine.provenance.Term` that knows its formula,
clause, inputs and the cited parameters used for each record, so ``explain(result, i)`` can say how
any figure was made. Records are grouped by method; within a group every step is a NumPy vector
operation, so one facility and a whole country run through the same code.

The modules, by concern:

* :mod:`.records` — the batch, options and result records and the result columns;
* :mod:`.context` — the shared context, missing-parameter errors and term building;
* :mod:`.fuel_energy` — fuel combustion and energy in tce (GB/T 2589-2020);
* :mod:`.electricity` — net purchased electricity and heat, and a record's own factors;
* :mod:`.aluminium_cn` — aluminium by the national guidelines (anode, PFC, limestone, carbonates);
* :mod:`.nonferrous` — magnesium and other non-ferrous (ferrosilicon, dolomite, reductants);
* :mod:`.ipcc_tier1`, :mod:`.ipcc_tier2` — the IPCC 2006 alternatives;
* :mod:`.cbam` — EU CBAM direct emissions of unwrought aluminium;
* :mod:`.run` — method resolution, :func:`account` and the assembly of the result table.
"""

from carbonpeak.accounting.emissions.context import Component
from carbonpeak.accounting.emissions.electricity import OWN_FACTORS, OwnFactor
from carbonpeak.accounting.emissions.records import (
    RECORD_NUMERIC,
    RECORD_TEXT,
    RESULT_COLUMNS,
    AccountingOptions,
    AccountingResult,
    ActivityBatch,
)
from carbonpeak.accounting.emissions.run import COMPONENTS, account, resolve_methods

__all__ = [
    "COMPONENTS",
    "OWN_FACTORS",
    "RECORD_NUMERIC",
    "RECORD_TEXT",
    "RESULT_COLUMNS",
    "AccountingOptions",
    "AccountingResult",
    "ActivityBatch",
    "Component",
    "OwnFactor",
    "account",
    "resolve_methods",
]
