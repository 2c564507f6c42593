"""The web platform's caches: computed tables kept per data state (``queries.Cache``: made once, remade
after a data change, the previous table served while another request remakes it) and people's scopes
kept per session (``deps.Scopes``), which never hand one person's table or scope to another."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select, update
from webhelpers import client, make_app, post

from carbonpeak.services import access
from carbonpeak.store import db
from carbonpeak.store.accounts import User
from carbonpeak.store.models import Fact, Region
from carbonpeak.store.repository import audit
from carbonpeak.web import queries
from carbonpeak.web.queries import Cache


def _counter() -> tuple[list[int], Any]:
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        return len(calls)

    return calls, make


def test_a_table_is_made_once_per_data_state_and_again_after_a_change() -> None:
    cache = Cache()
    calls, make = _counter()
    assert cache.get(("t",), make, 1) == 1
    assert cache.get(("t",), make, 1) == 1  # kept
    assert len(calls) == 1 and cache.counts["hit"] == 1
    assert cache.get(("t",), make, 2) == 2  # the data changed: made again
    assert cache.get(("t",), make, 2) == 2
    assert len(calls) == 2
    assert cache.get(("other",), make, 2) == 3  # another key is another table


def test_the_previous_table_is_served_while_another_request_remakes_it() -> None:
    cache = Cache()
    cache.get(("t",), lambda: "old", 1)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "new"

    got: dict[str, Any] = {}
    maker = threading.Thread(target=lambda: got.update(maker=cache.get(("t",), slow, 2)))
    maker.start()
    assert started.wait(10)
    # another request for the new data state does not queue behind the remake: it gets the old table now
    began = time.perf_counter()
    assert cache.get(("t",), lambda: "never", 2) == "old"
    assert time.perf_counter() - began < 1.0
    assert cache.counts["stale"] == 1
    release.set()
    maker.join(10)
    assert got["maker"] == "new"
    assert cache.get(("t",), lambda: "never", 2) == "new"  # and once made, the new one


def test_a_table_being_made_never_receives_a_stale_part() -> None:
    """Made of parts: while another request remakes a part, the table waits for the fresh part."""
    cache = Cache()
    cache.get(("part",), lambda: "old part", 1)
    started, release = threading.Event(), threading.Event()

    def slow_part() -> str:
        started.set()
        release.wait(10)
        return "new part"

    part_maker = threading.Thread(target=lambda: cache.get(("part",), slow_part, 2))
    part_maker.start()
    assert started.wait(10)
    got: dict[str, Any] = {}
    whole = threading.Thread(
        target=lambda: got.update(whole=cache.get(("whole",), lambda: "of " + cache.get(("part",), str, 2), 2))
    )
    whole.start()
    whole.join(0.3)
    assert whole.is_alive()  # waiting for the fresh part, not built from the stale one
    release.set()
    whole.join(10)
    part_maker.join(10)
    assert got["whole"] == "of new part"


def test_a_request_with_nothing_older_waits_for_the_table_instead_of_making_it_again() -> None:
    cache = Cache()
    calls: list[int] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(10)
        return "made"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(cache.get(("t",), slow, 1)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: results.append(cache.get(("t",), slow, 1)))
    second.start()
    second.join(0.2)
    assert second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert results == ["made", "made"] and len(calls) == 1


def _principal(session: Any, username: str) -> access.Principal:
    user = session.scalar(select(User).where(User.username == username))
    return access.principal_for(session, user)


def test_tables_follow_the_data_and_a_city_regulator_never_gets_another_scopes_table(fresh_url: str) -> None:
    cache = Cache()
    with db.transaction(fresh_url) as session:
        province, city = _principal(session, "province"), _principal(session, "city")
        whole = queries.facts(session, cache, province)
        own = queries.facts(session, cache, city)
        city_code = session.get(Region, city.region_id).code
        board_province = queries.benchmark(session, cache, province, 2024, "2021")
        board_city = queries.benchmark(session, cache, city, 2024, "2021")
    # the province's tables were made first; the city regulator gets tables of its own city only
    assert own is not whole and 0 < len(own) < len(whole)
    assert set(own["city_code"]) == {city_code}
    assert board_city is not board_province
    classed = {r["facility_id"] for r in board_city["classes"]}
    assert classed and classed <= set(own["facility_code"])
    assert {r["facility_id"] for r in board_province["classes"]} - classed  # the province sees more

    # a data change (a counted month's emissions corrected; every change is audited) is seen at once
    with db.transaction(fresh_url) as session:
        fact = session.scalar(select(Fact).where(Fact.status.in_(("verified", "locked"))).limit(1))
        version_id, before = fact.version_id, fact.total_location_tco2e
        session.execute(update(Fact).where(Fact.version_id == version_id).values(total_location_tco2e=before + 1000.0))
        audit(session, "test", "correct", "submission", "cache-test")
    with db.transaction(fresh_url) as session:
        again = queries.facts(session, cache, province)
        assert again is not whole
        row = again[again["version_id"] == version_id]
        assert float(row["total_location_tco2e"].iloc[0]) == before + 1000.0
        assert queries.facts(session, cache, province) is again  # and kept for the new data state


def test_a_scope_is_resolved_once_per_session_and_kept_apart_per_person(fresh_url: str) -> None:
    app = make_app(fresh_url)
    city, province = client(app, "city"), client(app, "province")
    scopes = app.state.scopes
    assert city.get("/warnings").status_code == 200
    made = scopes.counts["made"]
    for _ in range(3):
        assert city.get("/warnings").status_code == 200
    assert scopes.counts["made"] == made and scopes.counts["hit"] >= 3  # resolved once for the session
    assert province.get("/warnings").status_code == 200
    kept = {(p.username, p.region_id, p.region_ids) for p in scopes._items.values()}
    city_scope = next(k for k in kept if k[0] == "city")
    province_scope = next(k for k in kept if k[0] == "province")
    assert city_scope[2] < province_scope[2]  # the city's regions only: never the province's scope

    # a kept scope opens nothing once the session ended: logging out is checked on every request
    cookies = dict(city.cookies)
    assert post(city, "/logout").status_code in (302, 303)
    stolen = client(app)
    stolen.cookies.update(cookies)
    assert stolen.get("/warnings", follow_redirects=False).status_code in (302, 303, 401)
