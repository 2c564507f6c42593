"""Raising warnings and acting on one as use cases: who may, on which warnings, with the step kept in the
warning's history; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.indicators.warnings import Raised
from carbonpeak.services import warnings as cases
from carbonpeak.store import db, service
from carbonpeak.store import repository as repo
from carbonpeak.store import warnings as stored
from tests.services.conftest import ADMIN, person

MONTH = {
    "facility_id": "AL1",
    "sector": "electrolytic_aluminium",
    "region": "shaanxi",
    "period": "2025-01",
    "output_t": 10000.0,
    "grid_electricity_mwh": 130000.0,
    "electrolysis_ac_mwh": 128000.0,
}


def _late_month(url: str) -> None:
    """AL1's January 2025, submitted on 1 March (late: due in February)."""
    with db.transaction(url) as session:
        facility = repo.facilities_by_code(session, ["AL1"])["AL1"]
        version = repo.save_version(session, facility, "2025-01", MONTH, "enterprise:E1")
        service.compute_results(session, [version], "enterprise:E1")
        at = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
        repo.transition_many(session, [version], "submitted", "enterprise:E1", at=[at])


def test_a_provincial_regulator_raises_warnings_once_and_a_city_regulator_may_not(province: str) -> None:
    _late_month(province)
    with db.transaction(province) as session:
        city = person(session, "xa", "city_regulator", "XA")
        with pytest.raises(AccessDenied):
            cases.refresh(session, city, as_of=dt.date(2025, 3, 20))
        regulator = person(session, "sx", "province_regulator", "SX")
        first = cases.refresh(session, regulator, as_of=dt.date(2025, 3, 20), region="SX")
        assert first.new == first.found >= 1
        again = cases.refresh(session, regulator, as_of=dt.date(2025, 3, 20), region="SX")
        assert (again.new, again.found) == (0, first.found)
        (late,) = stored.listing(session, kind="late_submission")
        assert (late.key, late.facility_code, late.status) == ("late_submission:AL1:2025-01", "AL1", "open")
        history = stored.get(session, late.id)
        assert history is not None and [(e.action, e.actor) for e in history.events] == [("raise", "web:sx")]


def test_acting_on_a_warning_needs_the_permission_and_the_scope(province: str) -> None:
    raised = Raised(
        key="late_submission:AL1:2025-01",
        kind="late_submission",
        severity="medium",
        message_zh="迟报",
        message_en="late",
        facility_code="AL1",
        period="2025-01",
    )
    with db.transaction(province) as session:
        stored.add_new(session, [raised], "system:test")
        (warning,) = stored.listing(session)
        enterprise = person(session, "e1", "enterprise", enterprise="E1")  # sees the warning, may not act on it
        with pytest.raises(AccessDenied):
            cases.act(session, enterprise, warning.id, "acknowledge")
        other_city = person(session, "bj", "city_regulator", "BJ")  # AL1 lies in XA
        with pytest.raises(AccessDenied):
            cases.act(session, other_city, warning.id, "acknowledge")
        city = person(session, "xa", "city_regulator", "XA")
        with pytest.raises(NotFound):
            cases.act(session, city, warning.id + 100, "acknowledge")
        with pytest.raises(InputError) as unknown:
            cases.act(session, city, warning.id, "escalate")
        assert (unknown.value.code, unknown.value.field) == ("warning.unknown_action", "action")
        with pytest.raises(ValidationFailed) as long_note:  # D7: a note has a length limit, checked before writing
            cases.act(session, city, warning.id, "close", note="说" * 2001)
        assert [p.field for p in long_note.value.errors] == ["note"]
        done = cases.act(session, city, warning.id, "close", note="补报已收到")
        assert (done.status, [(e.action, e.actor, e.note) for e in done.events]) == (
            "closed",
            [("raise", "system:test", None), ("close", "web:xa", "补报已收到")],
        )
        with pytest.raises(InputError) as closed:
            cases.act(session, ADMIN, warning.id, "acknowledge")
        assert closed.value.text("zh") == "字段“操作”：预警已关闭；请先重新打开（填写的是 acknowledge）"
        assert cases.act(session, ADMIN, warning.id, "reopen").status == "open"
