"""A region's recycled-metal share, on two bases, never a figure without its numerator, denominator and basis.

* **plan_ten_metals** (the plans' 再生金属供应占比, e.g. Shaanxi's "over 24 %", State Council 2024–2025 action
  plan "≥ 24 %"): recycled metal output / output of the ten non-ferrous metals × 100. Numerator: the verified
  monthly output of the region's recycled aluminium and recycled copper facilities (recycled lead and zinc are not
  reported on this platform: a named gap). Denominator: the statistic ``nonferrous_ten_metals_output`` the
  regulator enters for the region and year (never estimated here: when it is missing the share is not computed
  and the gap is named).
* **industry_primary_aluminium** (CNIA's "recycled aluminium ≈ 24 % of electrolytic aluminium output"):
  recycled aluminium output / primary (electrolytic) aluminium output × 100, both from the region's verified
  monthly data. It is a ratio to primary output, not a share of supply (anchors-next §4.1).

The plans' target for the share (``parameters/targets``: SN-01) is shown against the plan basis only.
:func:`record` stores the figures with their sources (table ``recycled_share``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.engine.recycling import share_pct
from carbonpeak.messages import Message
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store import facts as fact_store
from carbonpeak.store import statistics as stat_store
from carbonpeak.store.models import Region
from carbonpeak.store.recycling.models import RecycledShare

TEN_METALS = "nonferrous_ten_metals_output"
SCOPE = "nonferrous"
RECYCLED = ("recycled_aluminium", "recycled_copper")
BASES = ("plan_ten_metals", "industry_primary_aluminium")
# the plan targets measured by the plan basis (parameters/targets/*.yaml, target_indicators.yaml SN-01)
PLAN_SHARE_TARGETS = ("SN-01",)


@dataclass
class ShareFigure:
    region: str
    year: int
    basis: str
    numerator_t: float | None
    denominator_t: float | None
    share_pct: float | None
    numerator_source: dict[str, Any]
    denominator_source: dict[str, Any]
    gaps: list[Message] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)  # {id, plan, comparator, value, year, met}

    @property
    def label(self) -> Message:
        return Message(f"recycling.basis.{self.basis}")


def _frame(session: Session, principal: Principal, region: Region) -> pd.DataFrame:
    frame = fact_store.facility_months(session)
    frame = access.restrict_facts(session, principal, frame)
    return frame[(frame["province_code"] == region.code) | (frame["city_code"] == region.code)]


def _sum(frame: pd.DataFrame, sectors: tuple[str, ...]) -> tuple[float, dict[str, Any]]:
    chosen = frame[frame["sector"].isin(sectors)]
    return float(chosen["output_t"].fillna(0.0).sum()), {
        "kind": "verified_months",
        "sectors": list(sectors),
        "facilities": int(chosen["facility_code"].nunique()),
        "months": len(chosen),
        "versions": [int(v) for v in chosen["version_id"]],
    }


def _partial(frame: pd.DataFrame, sectors: tuple[str, ...]) -> Message | None:
    """A named gap when some facility has fewer than 12 verified months in the year (a partial numerator set
    against an annual statistic understates the share)."""
    chosen = frame[frame["sector"].isin(sectors)]
    per_facility = chosen.groupby("facility_code")["period"].nunique()
    short = int((per_facility < 12).sum())
    if short == 0:
        return None
    return Message("recycling.gap.partial_year", facilities=short, months=len(chosen))


def _province_of(session: Session, region: Region) -> str | None:
    current: Region | None = region
    while current is not None:
        if current.grid_province:
            return current.grid_province
        current = session.get(Region, current.parent_id) if current.parent_id else None
    return None


def _targets(params: ParameterSet, province: str | None, value: float | None) -> list[dict[str, Any]]:
    out = []
    for plan, target in params.targets():
        if target.id not in PLAN_SHARE_TARGETS or target.value is None:
            continue
        if province is None or plan.region.casefold() != province.casefold():
            continue
        met = None
        if value is not None:
            met = value >= target.value if target.comparator.startswith(">") else value <= target.value
        out.append(
            {
                "id": target.id,
                "plan": plan.title.get("zh", plan.id),
                "comparator": target.comparator,
                "value": target.value,
                "year": target.target_year,
                "met": met,
            }
        )
    return out


def shares(
    session: Session, principal: Principal, region_code: str, year: int, params: ParameterSet | None = None
) -> list[ShareFigure]:
    """Both bases for a region and year (a regulator's jurisdiction; the figures count verified months only)."""
    region = access.get_region(session, principal, region_code)
    params = params or load()
    frame = _frame(session, principal, region)
    frame = frame[frame["year"] == year]
    recycled, recycled_source = _sum(frame, RECYCLED)
    statistic = stat_store.latest(session, region.code, TEN_METALS, SCOPE, year)
    plan_gaps = [Message("recycling.gap.lead_zinc_not_reported")]
    if statistic is None:
        plan_gaps.insert(0, Message("recycling.gap.ten_metals_missing", region=region.name_zh, year=year))
        denominator, denominator_source = None, {"kind": "statistic", "name": TEN_METALS, "found": False}
    else:
        denominator = statistic.value
        denominator_source = {
            "kind": "statistic",
            "name": TEN_METALS,
            "found": True,
            "version": statistic.version,
            "source": statistic.source,
            "published_on": statistic.published_on.isoformat(),
        }
    if recycled_source["months"] == 0:
        plan_gaps.insert(0, Message("recycling.gap.no_verified_months", year=year))
    elif (partial_plan := _partial(frame, RECYCLED)) is not None:
        plan_gaps.insert(0, partial_plan)
    plan_value = share_pct(recycled if recycled_source["months"] else None, denominator)
    plan = ShareFigure(
        region.code,
        year,
        BASES[0],
        recycled,
        denominator,
        plan_value,
        recycled_source,
        denominator_source,
        plan_gaps,
        _targets(params, _province_of(session, region), plan_value),
    )
    aluminium, aluminium_source = _sum(frame, ("recycled_aluminium",))
    primary, primary_source = _sum(frame, ("electrolytic_aluminium",))
    industry_gaps = []
    if primary_source["months"] == 0:
        industry_gaps.append(Message("recycling.gap.no_primary_aluminium", year=year))
    partial = _partial(frame, ("recycled_aluminium", "electrolytic_aluminium"))
    if partial is not None and primary_source["months"]:
        industry_gaps.append(partial)
    industry = ShareFigure(
        region.code,
        year,
        BASES[1],
        aluminium,
        primary if primary_source["months"] else None,
        share_pct(aluminium, primary if primary_source["months"] else None),
        aluminium_source,
        primary_source,
        industry_gaps,
    )
    return [plan, industry]


def record(
    session: Session, principal: Principal, region_code: str, year: int, params: ParameterSet | None = None
) -> list[RecycledShare]:
    """Compute both bases and keep them (``statistics.enter``: a regulator of the region), each row with its
    numerator, denominator, basis, sources and gaps."""
    access.require(principal, "statistics.enter")
    figures = shares(session, principal, region_code, year, params)
    region = access.get_region(session, principal, region_code)
    rows = []
    for figure in figures:
        row = RecycledShare(
            region_id=region.id,
            year=year,
            basis=figure.basis,
            numerator_t=figure.numerator_t,
            denominator_t=figure.denominator_t,
            share_pct=figure.share_pct,
            numerator_source=figure.numerator_source,
            denominator_source=figure.denominator_source,
            gaps=[{"code": g.code, "params": {k: str(v) for k, v in g.params.items()}} for g in figure.gaps],
            recorded_by=principal.actor,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows
