"""Capacity ledger: approved capacity per facility and its history (approvals, new builds, expansions,
exits, replacements with their ratio and sources, possibly in another province), approved versus
operating capacity per province and sector, what must exit by which date, and the national
electrolytic-aluminium ceiling. See :mod:`carbonpeak.capacity.ledger`.

The per-province table is ``carbonpeak.capacity.ledger.ledger(session, on_date)``; it is not re-exported
here, so that ``carbonpeak.capacity.ledger`` stays the module.
"""

from carbonpeak.capacity.ledger import (
    KINDS,
    RegistryReplacement,
    Replacement,
    approved_capacity,
    ceiling_check,
    ceiling_status,
    events_frame,
    history,
    ledger_table,
    must_exit,
    record_event,
    record_replacement,
    seed_from_registry,
)

__all__ = [
    "KINDS",
    "RegistryReplacement",
    "Replacement",
    "approved_capacity",
    "ceiling_check",
    "ceiling_status",
    "events_frame",
    "history",
    "ledger_table",
    "must_exit",
    "record_event",
    "record_replacement",
    "seed_from_registry",
]
