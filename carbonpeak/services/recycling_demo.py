"""Load the demonstration province's scrap intake ledgers (:mod:`carbonpeak.demo.scrap`) into the store, in the
caller's transaction, with the statuses of the facility's monthly reports (verified months verified with the
demonstration opinion, submitted ones submitted, drafts left as drafts)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.demo.generate import DemoProvince
from carbonpeak.demo.scrap import scrap_ledgers
from carbonpeak.store import repository as repo
from carbonpeak.store.recycling import repository as ledgers

_ORDER = ("submitted", "verified", "locked")


def load_scrap_ledgers(session: Session, province: DemoProvince, actor: str) -> int:
    """Write the demo's ledgers; returns how many casthouse-months were written."""
    months = scrap_ledgers(province, seed=province.seed)
    facilities = repo.facilities_by_code(session, sorted({m["facility_code"] for m in months}))
    pairs = [(facilities[m["facility_code"]].id, m["period"]) for m in months]
    locked = ledgers.lock_ledgers(session, pairs)
    opinion = messages.render("recycling.demo_opinion", "zh")
    for month, pair in zip(months, pairs, strict=True):
        key = f"{month['facility_code']}@{month['period']}"
        version = ledgers.add_version(session, locked[pair], None, month["lots"], month["outputs"], actor, key=key)
        for target in _ORDER:
            if month["status"] == "draft" or _ORDER.index(target) > _ORDER.index(month["status"]):
                break
            ledgers.transition(session, [(key, version)], target, actor, opinion if target == "verified" else None)
    return len(months)
