"""Pathways: the plant stock, scenario levers, Monte Carlo over uncertain inputs, peak year and its
probability, plan targets checked on each draw, and lever wedges (docs/methods/pathways.md).

- :mod:`~carbonpeak.pathways.scenario`: scenario files, inheritance, content hash
- :mod:`~carbonpeak.pathways.stock`: the base-year stock, calibrated to accounted emissions
- :mod:`~carbonpeak.pathways.compile`: levers as dated changes to named plants
- :mod:`~carbonpeak.pathways.engine`: the vectorised engine (and the per-draw reference loop)
- :mod:`~carbonpeak.pathways.peak`, :mod:`~carbonpeak.pathways.attribution`: peak definition, variance shares
- :mod:`~carbonpeak.pathways.run`: a run, its summary, targets, wedges, saving and reproducing
- :mod:`~carbonpeak.pathways.report`: the output layer

The store reads the stock (:func:`carbonpeak.store.pathways.read_stock`); everything here is pure.
"""
