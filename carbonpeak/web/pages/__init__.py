"""Server-rendered pages. Every router here shares the CSRF check; access is asked of
:mod:`carbonpeak.services.access` through :mod:`carbonpeak.web.queries` and the ``get_*`` functions."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from carbonpeak.web.deps import csrf_protect
from carbonpeak.web.pages import (
    account,
    admin,
    auth,
    benchmark,
    breakdown,
    cbam,
    city_map,
    disclosure,
    energy_report,
    ets,
    exports,
    footprints,
    green,
    green_power,
    jobs,
    lists,
    monitoring,
    overview,
    parameters,
    pathways,
    pollutants,
    projects,
    recycling,
    registry,
    reporting,
    reporting_status,
    reports,
    submissions,
    verification,
    warnings,
)

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
for module in (
    auth,
    account,
    overview,
    breakdown,
    city_map,
    lists,
    registry,
    submissions,
    reporting,
    verification,
    reporting_status,
    warnings,
    monitoring,
    recycling,
    green_power,
    pollutants,
    green,
    benchmark,
    footprints,
    projects,
    pathways,
    parameters,
    jobs,
    exports,
    cbam,
    reports,
    disclosure,
    ets,
    admin,
    energy_report,
):
    router.include_router(module.router)
