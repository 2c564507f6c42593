"""The facts table kept in memory for a long-running process is read again whenever the data change."""

from __future__ import annotations

from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import data_state, facility_months, facility_months_cached
from tests.store.test_store_workflow import RECORD, save


def test_the_cache_follows_every_change(registry: str) -> None:
    save(registry, RECORD)
    with db.transaction(registry) as session:
        first = facility_months_cached(session, include_submitted=True)
        state = data_state(session)
        again = facility_months_cached(session, include_submitted=True)
    assert first.empty and again.empty  # a draft does not count
    for step, who in (("submitted", "enterprise:E1"), ("verified", "verifier:V1")):
        with db.transaction(registry) as session:
            repo.transition(session, "AL1", "2024-03", step, who)
        with db.transaction(registry) as session:
            assert data_state(session) != state
            state = data_state(session)
            cached = facility_months_cached(session)
            fresh = facility_months(session)
        assert cached[["period", "status"]].values.tolist() == fresh[["period", "status"]].values.tolist()
    assert cached["status"].tolist() == ["verified"]
    save(registry, {**RECORD, "output_t": 9000.0}, actor="enterprise:E1", reason="meter misread")
    with db.transaction(registry) as session:
        cached = facility_months_cached(session, include_submitted=True)
        cached.loc[:, "output_t"] = -1.0  # a caller's change does not reach the next caller
        again = facility_months_cached(session, include_submitted=True)
    assert again["version"].tolist() == [1] and (again["output_t"] > 0).all()
