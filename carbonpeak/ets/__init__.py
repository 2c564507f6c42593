"""The national carbon market (ETS) for electrolytic aluminium: the enterprise's annual GHG emission report
and its monthly evidence deposit (月度信息化存证). Pure rules over plain data, no database:

* :mod:`.config` — the deposit's items, deadlines and limits (``deposit.yaml``: dated, cited, and saying
  what was not found);
* :mod:`.deposit` — prefilled values, value and evidence checks, deadline and review status, the
  cross-checks against the month's report and the metered month;
* :mod:`.annual` — the annual report's figures by emission source from the accounting's terms.
"""
