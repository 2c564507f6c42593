"""The energy-utilisation status report (能源利用状况报告) of key energy-using units, and the NBS 205-1/2/3
forms from the same figures: pure functions over plain inputs (no database).

* :mod:`.config` — the configured form set (tables, who fills each, the enterprise's fields) and the
  filing deadlines per province (``form_set.yaml``: the Hebei 2008 manual's tables; no deadline found).
* :mod:`.prefill` — the platform's figures of a year: energy by carrier in physical units and tce, the
  net electricity, output and comprehensive energy per product against the previous year, and whether the
  unit is a key energy-using unit against the cited thresholds.
* :mod:`.entries` — what the enterprise completes, validated: every problem at once, each naming the
  table, row and field.
* :mod:`.nbs205` — the NBS 205-1/205-2/205-3 workbook.
"""
