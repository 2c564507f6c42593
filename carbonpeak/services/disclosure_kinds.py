"""The disclosure report kinds and their gatherers, as :mod:`carbonpeak.services.reports_kinds` registers them
(enterprise reports of a year): the MEE disclosure's carbon section and the exchange report's climate section."""

from __future__ import annotations

from carbonpeak.services import disclosure_climate, disclosure_mee

DISCLOSURE = (
    (disclosure_mee.MEE, disclosure_mee.gather),
    (disclosure_climate.CLIMATE, disclosure_climate.gather),
)
