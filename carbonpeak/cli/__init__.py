"""carbonpeak command line: ``carbonpeak <noun> <verb>``, one module per noun.

The commands are thin adapters: they parse arguments, call the use-case layer
(:mod:`carbonpeak.services`) or a calculation, and format the answer. Errors a person can act on are
printed as one message in the chosen language and exit with status 2.
"""

from __future__ import annotations

from carbonpeak.cli import (
    accounting,
    capacity,
    cbam,
    disclosure,
    energy_report,
    ets,
    footprint,
    green,
    green_power,
    indicators,
    monitor,
    pathways,
    pollutants,
    projects,
    recompute,
    recycling,
    registry,
    report,
    submissions,
    users,
)
from carbonpeak.cli.app import app

for _module in (
    submissions,
    capacity,
    indicators,
    projects,
    users,
    pathways,
    registry,
    recompute,
    monitor,
    cbam,
    footprint,
    recycling,
    report,
    green_power,
    pollutants,
    green,
    disclosure,
    energy_report,
    ets,
):
    _module.register(app)
del _module
assert accounting  # its commands register on import


def main() -> None:  # pragma: no cover - console entry point
    app()


__all__ = ["app", "main"]
