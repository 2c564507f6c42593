"""Load the synthetic demonstration province: registry, every version of every month, results,
capacity ledger and regional statistics, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.demo import generate
from carbonpeak.io.activity import batch_to_records, parse_records
from carbonpeak.services import access
from carbonpeak.services.capacity import seed_from_registry
from carbonpeak.services.ets_demo import load_deposits
from carbonpeak.services.green_register_demo import load_green_register
from carbonpeak.services.pollutants_demo import load_pollutants
from carbonpeak.services.recycling_demo import load_scrap_ledgers
from carbonpeak.services.statistics import import_table
from carbonpeak.store import repository as repo
from carbonpeak.store.models import SubmissionVersion
from carbonpeak.store.service import compute_results

DEMO_LOADER = "system:demo"  # the actor of every row the demonstration loader writes


def load_demo(session: Session, actor: str = DEMO_LOADER, seed: int = 2026) -> dict[str, int]:
    """Load the synthetic demonstration province: registry, every version of every month, results."""
    province = generate(seed=seed)
    repo.add_region(
        session,
        {
            **{k: province.province[k] for k in ("code", "name_zh", "name_en")},
            "level": "province",
            "grid_province": province.province["grid_province"],
        },
        actor,
    )
    for region in province.regions:
        if region["code"] != province.province["code"]:
            repo.add_region(session, region, actor)
    for park in province.parks:
        repo.add_park(session, park, actor)
    for cluster in province.clusters:
        repo.add_cluster(session, cluster, actor)
    for enterprise in province.enterprises:
        repo.add_enterprise(session, enterprise, actor)
    for facility in province.facilities:
        repo.add_facility(session, facility, actor)
    facilities = repo.facilities_by_code(session)
    all_versions: list[SubmissionVersion] = []
    depth = max(len(sub["versions"]) for sub in province.submissions)
    for layer in range(depth):  # all first versions, then all corrections of them, ...
        subs = [sub for sub in province.submissions if len(sub["versions"]) > layer]
        specs = [sub["versions"][layer] for sub in subs]
        records = batch_to_records(parse_records([spec["record"] for spec in specs], source="demo", collect=True))
        items = [
            (facilities[sub["facility_code"]], sub["period"], record) for sub, record in zip(subs, records, strict=True)
        ]
        actors = [spec.get("actor") or actor for spec in specs]
        reasons = [spec.get("reason") if layer else None for spec in specs]
        versions = repo.save_versions(session, items, actor, actors=actors, reasons=reasons)
        for step, target in enumerate(("submitted", "verified", "locked"), start=1):
            chosen = [
                (v, spec, who)
                for v, spec, who in zip(versions, specs, actors, strict=True)
                if _STEPS[spec["status"]] >= step
            ]
            for who in sorted({c[2] for c in chosen}):
                mine = [(v, spec) for v, spec, w in chosen if w == who]
                repo.transition_many(
                    session,
                    [v for v, _ in mine],
                    target,
                    who,
                    at=[_datetime(spec.get("submitted_at")) for _, spec in mine],
                    note=_DEMO_OPINION if target == "verified" else None,
                )
        all_versions.extend(versions)
    results = compute_results(session, all_versions, actor)
    seed_from_registry(session, access.operator(actor))
    with resources.as_file(resources.files("carbonpeak.demo") / "statistics.csv") as path:
        statistics = len(import_table(session, access.operator(actor), path))
    scrap_months = load_scrap_ledgers(session, province, actor)  # the recycled-metal casthouses' ledgers
    load_pollutants(session, actor, seed)  # demonstration pollutant tonnages (made up; services/pollutants_demo.py)
    load_green_register(session, actor)  # the green register: dated designations, dynamic-management filings
    ets_months = load_deposits(session, actor)  # the aluminium smelter's monthly evidence deposits (docs/ets.md)
    return {
        "enterprises": len(province.enterprises),
        "facilities": len(province.facilities),
        "versions": len(all_versions),
        "results": results,
        "statistics": statistics,
        "scrap_ledger_months": scrap_months,
        "ets_deposit_months": ets_months,
    }


_STEPS = {"draft": 0, "submitted": 1, "verified": 2, "locked": 3}
# A verified month carries its verifier's opinion (核查意见); the demonstration's says it was made up.
_DEMO_OPINION = messages.render("verification.demo_opinion", "zh")


def _datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
