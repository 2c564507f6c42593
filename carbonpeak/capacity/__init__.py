"""Capacity ledger: approved capacity per facility and its history (approvals, new builds, expansions,
exits, replacements with their ratio and sources, possibly in another province), approved versus
operating capacity per province and sector, what must exit by which date, and the national
electrolytic-aluminium ceiling.

Pure rules over plain data, one module per concern:

- :mod:`~carbonpeak.capacity.events`: kinds, parsing and the checks of one event, a replacement and a
  starting ledger derived from the registry;
- :mod:`~carbonpeak.capacity.ledger`: approved and operating capacity, the ledger per province and
  sector, a facility's history;
- :mod:`~carbonpeak.capacity.exits`: what must exit (below the baseline level) by when;
- :mod:`~carbonpeak.capacity.ceiling`: the national electrolytic-aluminium ceiling.

The store reads the frames (:mod:`carbonpeak.store.capacity`); recording an event, a replacement or a
starting ledger are use cases (:mod:`carbonpeak.services.capacity`).
"""
