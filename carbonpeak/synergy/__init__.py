"""Pollution and carbon synergy (减污降碳协同): the pollutant ledger's rows checked, and the synergy indicators
(pollutants and CO2 beside each other, per tonne of product, their change on the year before) as pure
functions over plain tables. No database here: :mod:`carbonpeak.services.pollutants` reads and writes."""
