"""The plausibility gate: rules as dated, cited parameters (``carbonpeak/parameters/plausibility/``) and
the pure check of a batch of months against them (no database: the use case passes the previous
months and the registered capacities as plain data). See docs/methods/plausibility.md."""

from carbonpeak.plausibility.gate import (
    PREVIOUS_COLUMNS,
    RULES,
    Finding,
    check,
    flag_messages,
    shown_params,
    unexplained,
)
from carbonpeak.plausibility.rules import ERROR, WARNING, Rules, Threshold

__all__ = [
    "ERROR",
    "PREVIOUS_COLUMNS",
    "RULES",
    "WARNING",
    "Finding",
    "Rules",
    "Threshold",
    "check",
    "flag_messages",
    "shown_params",
    "unexplained",
]
