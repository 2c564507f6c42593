"""The indicators read the capacity in force in the capacity ledger: an expansion recorded with
``capacity add`` changes the capacity shares by benchmark class from its month on."""

from __future__ import annotations

import datetime as dt

from carbonpeak.indicators.definitions import Options, compute
from carbonpeak.services import access
from carbonpeak.services import registry as reg
from carbonpeak.services.capacity import record_event, seed_from_registry
from carbonpeak.store import db, service
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import facility_months
from tests.store.conftest import _drop_session_database, db_url, registry  # noqa: F401

MONTH = {"sector": "electrolytic_aluminium", "region": "shaanxi", "output_t": 10000.0}
GOOD = {**MONTH, "grid_electricity_mwh": 130000.0, "electrolysis_ac_mwh": 128000.0}  # 12 800 kWh/t AC
POOR = {**MONTH, "grid_electricity_mwh": 145000.0, "electrolysis_ac_mwh": 140000.0}  # 14 000 kWh/t AC


def _verified_months(url: str, items: list[tuple[str, str, dict]]) -> None:
    with db.transaction(url) as session:
        facilities = repo.facilities_by_code(session)
        versions = [
            repo.save_version(session, facilities[code], period, {**record, "facility_id": code, "period": period}, "e")
            for code, period, record in items
        ]
        service.compute_results(session, versions, "e")
        for step in ("submitted", "verified"):
            repo.transition_many(session, versions, step, "v")


def test_an_expansion_in_the_ledger_changes_the_capacity_shares(registry: str, params) -> None:  # noqa: F811
    admin = access.operator("cli:test")
    with db.transaction(registry) as session:
        reg.change_facility(session, admin, "AL1", {"commissioning_year": 2010, "product": "electrolytic_aluminium"})
        reg.add_facility(
            session,
            admin,
            {
                "facility_code": "AL2",
                "enterprise_code": "E1",
                "name_zh": "电解二厂",
                "sector": "electrolytic_aluminium",
                "product": "electrolytic_aluminium",
                "capacity_t_per_a": 100000,
                "commissioning_year": 2012,
            },
        )
        seed_from_registry(session, access.operator("test"))
    months = [("AL1", f"2024-{m:02d}", GOOD) for m in (3, 9)] + [("AL2", f"2024-{m:02d}", POOR) for m in (3, 9)]
    _verified_months(registry, months)

    def share() -> tuple[float | None, dict[tuple[str, str], float]]:
        with db.transaction(registry) as session:
            facts = facility_months(session)
            value = compute(
                "capacity_share_at_or_above_benchmark",
                facts,
                region=None,
                year=2024,
                sector="electrolytic_aluminium",
                options=Options(params=params, benchmark_edition="2021"),  # the 2024 levels are not in carbonpeak
            ).value
        return value, {(r.facility_code, r.period): r.capacity_t_per_a for r in facts.itertuples()}

    before, capacities = share()
    assert capacities[("AL1", "2024-09")] == 200000.0 and capacities[("AL2", "2024-09")] == 100000.0
    assert before is not None and abs(before - 100 * 200000 / 300000) < 1e-9
    with db.transaction(registry) as session:  # what `carbonpeak capacity add --kind expansion` records
        record_event(
            session,
            access.operator("test"),
            facility_code="AL1",
            kind="expansion",
            effective_on=dt.date(2024, 7, 1),
            capacity_t_per_a=100000,
        )
    after, capacities = share()
    assert capacities[("AL1", "2024-03")] == 200000.0  # before the expansion's month
    assert capacities[("AL1", "2024-09")] == 300000.0  # from it on
    assert after is not None and abs(after - 100 * 300000 / 400000) < 1e-9
