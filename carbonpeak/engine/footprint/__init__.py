"""Product carbon footprints (cradle to gate): GB/T 44905-2024 for electrolytic aluminium and its
upstream sub-products, GB/T 24067-2024 / ISO 14067 for the other non-ferrous products.

:mod:`.methods` names each product's method, clauses, declared unit and stages; :mod:`.compute` is the
vectorised calculation over many product-facility-years; :mod:`.cutoff` the cut-off check.
"""

from carbonpeak.engine.footprint.compute import (
    INCLUDED,
    SECONDARY,
    SITE,
    SUPPLIER,
    FootprintResult,
    SiteMonths,
    Upstream,
    footprints,
)
from carbonpeak.engine.footprint.methods import PRODUCTS, SITE_STAGES, STAGES, ProductMethod, product_of_sector

__all__ = [
    "INCLUDED",
    "PRODUCTS",
    "SECONDARY",
    "SITE",
    "SITE_STAGES",
    "STAGES",
    "SUPPLIER",
    "FootprintResult",
    "ProductMethod",
    "SiteMonths",
    "Upstream",
    "footprints",
    "product_of_sector",
]
