"""The one place that joins cited parameters to engine calls for a period and records provenance.

* :mod:`.emissions` — energy (tce) and emissions of facility-period records by the method in force.
* :mod:`.benchmark` — facility-year indicators, benchmark classes, capacity shares and the
  electrolytic-aluminium electricity surcharge.
"""

from carbonpeak.accounting.benchmark import classify_facilities, facility_years, surcharge_facilities
from carbonpeak.accounting.emissions import (
    RESULT_COLUMNS,
    AccountingOptions,
    AccountingResult,
    ActivityBatch,
    account,
    resolve_methods,
)

__all__ = [
    "RESULT_COLUMNS",
    "AccountingOptions",
    "AccountingResult",
    "ActivityBatch",
    "account",
    "classify_facilities",
    "facility_years",
    "resolve_methods",
    "surcharge_facilities",
]
