"""What the recycled-metal pages, the API and the CLI read: the casthouse-months of the scrap intake ledger with
their metal balance, the recycled content of each product with its method, and the flows from scrap source
categories to products (the Sankey). Access: ``submission.view`` within the person's facilities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.engine.recycling import Balance, Content, metal_from_scrap, recycled_content
from carbonpeak.errors import InputError, NotFound
from carbonpeak.io.scrap_fields import words
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.recycling.ledger import SECTOR_METAL
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.recycling import balance_of
from carbonpeak.store.models import Facility
from carbonpeak.store.recycling import repository as ledgers
from carbonpeak.store.recycling.models import ScrapLedger, ScrapLedgerVersion

VIEW = "submission.view"


@dataclass
class LedgerMonth:
    facility: Facility
    period: str
    version: ScrapLedgerVersion
    balance: Balance
    scrap_t: float
    output_t: float

    @property
    def lots(self) -> int:
        return len(self.version.lots)


def months(
    session: Session,
    principal: Principal,
    *,
    facility: str | None = None,
    year: int | None = None,
    status: str | None = None,
    counted_only: bool = False,
    params: ParameterSet | None = None,
) -> list[LedgerMonth]:
    """The casthouse-months in the person's scope (latest version; only verified/locked with ``counted_only``)."""
    access.require(principal, VIEW)
    params = params or load()
    scope = access.facility_filter(principal)
    if facility:
        scope = scope & (Facility.code == facility)
    if counted_only:
        rows = ledgers.counted(session, scope, year=year)
    else:
        query = ledgers.latest_query().where(scope).order_by(Facility.code, ScrapLedger.period)
        if year is not None:
            query = query.where(ScrapLedger.period.like(f"{year:04d}-%"))
        if status:
            query = query.where(ScrapLedgerVersion.status == status)
        rows = [(a, b, c) for a, b, c in session.execute(query).all()]
    out = []
    for ledger, version, fac in rows:
        metal = SECTOR_METAL.get(fac.sector, "default")
        out.append(
            LedgerMonth(
                facility=fac,
                period=ledger.period,
                version=version,
                balance=balance_of(version.lots, version.outputs, ledger.period, metal, params),
                scrap_t=sum(lot["mass_t"] for lot in version.lots),
                output_t=sum(o["output_t"] for o in version.outputs),
            )
        )
    return out


def history(session: Session, principal: Principal, facility: str, period: str) -> list[ScrapLedgerVersion]:
    """Every version of one casthouse-month, oldest first; one refusal whether it is unknown or not the person's."""
    access.require(principal, VIEW)
    rows = ledgers.latest_query().where(
        access.facility_filter(principal), Facility.code == facility, ScrapLedger.period == period
    )
    found = session.execute(rows).first()
    if found is None:
        raise NotFound(code="submission.no_such_month", facility=facility, period=period)
    ledger: ScrapLedger = found[0]
    return ledgers.versions_of(session, ledger)


@dataclass
class ProductContent:
    facility: Facility
    product: str
    months: int
    output_t: float
    content: Content
    periods: list[str] = field(default_factory=list)


def contents(session: Session, principal: Principal, year: int, *, facility: str | None = None) -> list[ProductContent]:
    """Recycled content of each facility's products over the verified months of ``year`` (ISO 14021)."""
    found = months(session, principal, facility=facility, year=year, counted_only=True)
    groups: dict[tuple[str, str], list[LedgerMonth]] = defaultdict(list)
    for month in found:
        for product in dict.fromkeys(o["product"] for o in month.version.outputs):
            groups[(month.facility.code, product)].append(month)
    out = []
    for (_code, product), chosen in sorted(groups.items()):
        lots = [lot for m in chosen for lot in m.version.lots if lot["product"] == product]
        outputs = [o for m in chosen for o in m.version.outputs if o["product"] == product]
        content = recycled_content(
            [lot["mass_t"] for lot in lots],
            [lot["metal_yield"] for lot in lots],
            [lot["consumer_status"] for lot in lots],
            other_metal_t=sum(o.get("other_metal_input_t") or 0.0 for o in outputs),
        )
        out.append(
            ProductContent(
                facility=chosen[0].facility,
                product=product,
                months=len(chosen),
                output_t=sum(o["output_t"] for o in outputs),
                content=content,
                periods=[m.period for m in chosen],
            )
        )
    return out


def flows(session: Session, principal: Principal, year: int, lang: str = "zh") -> dict[str, Any]:
    """The year's verified metal flows [t]: scrap source category → product, and other metal charged → product.
    Nodes are named in ``lang``; the values are metal (scrap mass × yield), so that what flows in is what the
    products hold."""
    found = months(session, principal, year=year, counted_only=True)
    sources, products = words("source_categories"), words("products")
    links: dict[tuple[str, str], float] = defaultdict(float)
    other = messages.render("recycling.other_metal", lang)
    for month in found:
        metal = metal_from_scrap(
            [lot["mass_t"] for lot in month.version.lots], [lot["metal_yield"] for lot in month.version.lots]
        )
        for lot, value in zip(month.version.lots, metal, strict=True):
            links[(sources[lot["source_category"]].label(lang), products[lot["product"]].label(lang))] += float(value)
        for o in month.version.outputs:
            if o.get("other_metal_input_t"):
                links[(other, products[o["product"]].label(lang))] += float(o["other_metal_input_t"])
    names = list(dict.fromkeys([s for s, _t in links] + [t for _s, t in links]))
    return {
        "nodes": [{"name": n} for n in names],
        "links": [{"source": s, "target": t, "value": round(v, 3)} for (s, t), v in sorted(links.items())],
        "months": len(found),
    }


def check_year(text: str | int | None) -> int:
    try:
        year = int(str(text))
    except ValueError:
        raise InputError(code="recycling.bad_year", field="year", value=text) from None
    if not 2000 <= year <= 2100:
        raise InputError(code="recycling.bad_year", field="year", value=text)
    return year
