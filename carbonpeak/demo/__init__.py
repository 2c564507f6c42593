"""The built-in demonstration province (示范省): SYNTHETIC data, calibrated to real totals.

``generate(seed)`` returns a :class:`DemoProvince`: an invented province (code ``demo``) with
cities, counties, industrial parks, clusters, about 40 enterprises and 60 facilities, their
monthly activity submissions 2020-2025 (with versions, corrections, late and missing months) and
green-power contracts. Nothing in it describes a real enterprise or plant. Its shape follows
Shaanxi as the plan seeds describe it and its totals are calibrated to the real figures in
``shared/reference``; :data:`CALIBRATION` lists every target with its source.
"""

from carbonpeak.demo.calibration import CALIBRATION, Target, measure
from carbonpeak.demo.generate import (
    DemoProvince,
    generate,
    is_valid_uscc,
    organization_code_check_character,
    uscc_check_character,
)

__all__ = [
    "CALIBRATION",
    "DemoProvince",
    "Target",
    "generate",
    "is_valid_uscc",
    "measure",
    "organization_code_check_character",
    "uscc_check_character",
]
