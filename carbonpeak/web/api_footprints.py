"""Published product carbon footprints in the REST API (/api/v1/footprints): public and read-only, as
the public page shows them. Values in t CO2e per t of product; ``complete`` false means a stage has no
cited factor (its value is a lower bound, the missing stage is not zero)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from carbonpeak.services import footprint_reads as reads
from carbonpeak.web.deps import DbSession

router = APIRouter(prefix="/api/v1", tags=["footprints"])


class FootprintOut(BaseModel):
    facility: str
    product: str
    year: int
    version: int
    value_tco2e_per_t: float | None = Field(description="cradle-to-gate footprint, t CO2e per t of product")
    value_market_tco2e_per_t: float | None = Field(description="the same with market-based electricity")
    complete: bool = Field(description="every stage of the method quantified")
    cutoff: str = Field(description="pass, fail or unknown (GB/T 44905-2024 cut-off rule)")
    primary_share: float | None
    power_source: str = Field(description="grid, captive or renewable: the year's largest supply")
    province: str


@router.get("/footprints", response_model=list[FootprintOut])
def published_footprints(session: DbSession, year: int | None = None, product: str | None = None) -> list[FootprintOut]:
    """Every published footprint (its latest published version); no account needed."""
    rows = reads.published(session)
    if year is not None:
        rows = rows[rows["year"] == year]
    if product:
        rows = rows[rows["product"] == product]
    return [
        FootprintOut(
            facility=r.facility_code,
            product=r.product,
            year=int(r.year),
            version=int(r.version),
            value_tco2e_per_t=None if r.value_tco2e_per_t != r.value_tco2e_per_t else r.value_tco2e_per_t,
            value_market_tco2e_per_t=None
            if r.value_market_tco2e_per_t != r.value_market_tco2e_per_t
            else r.value_market_tco2e_per_t,
            complete=bool(r.complete),
            cutoff=str(r.cutoff),
            primary_share=None if r.primary_share != r.primary_share else r.primary_share,
            power_source=str(r.power_source),
            province=str(r.province_code),
        )
        for r in rows.itertuples(index=False)
    ]
