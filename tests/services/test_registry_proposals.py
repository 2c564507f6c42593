"""An enterprise proposes a change to its own facility; a regulator of its region approves (applied as a
registry change through the ledger) or rejects it with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carbonpeak.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from carbonpeak.services import registry as reg
from carbonpeak.services import registry_proposals as proposals
from carbonpeak.store import db
from carbonpeak.store.models import CapacityEvent, Facility
from tests.services.conftest import ADMIN, person
from tests.store.conftest import uscc


def _second_enterprise(session) -> None:  # type: ignore[no-untyped-def]
    reg.add_enterprise(
        session, ADMIN, {"enterprise_code": "E2", "name_zh": "乙铝业", "uscc": uscc("E2"), "region_code": "BJ"}
    )
    reg.add_facility(
        session,
        ADMIN,
        {"facility_code": "AL9", "enterprise_code": "E2", "name_zh": "乙厂", "sector": "electrolytic_aluminium"},
    )


def test_a_proposal_approved_by_the_city_is_applied_through_the_ledger(province: str) -> None:
    with db.transaction(province) as session:
        user = person(session, "e1", "enterprise", enterprise="E1")
        xa = person(session, "xa", "city_regulator", region="XA")
        bj = person(session, "bj", "city_regulator", region="BJ")
        made = proposals.propose(
            session,
            user,
            "AL1",
            {"capacity_t_per_a": "260000", "capacity_effective_on": "2025-01-01", "technology": "CWPB"},
            note="扩建批复",
        )
        assert made.status == "pending" and made.before == {"capacity_t_per_a": 200000.0, "technology": "PFPB_M"}
        assert [p.id for p in proposals.list_proposals(session, user)] == [made.id]
        assert proposals.list_proposals(session, bj) == []
        with pytest.raises(AccessDenied):  # another city's regulator
            proposals.approve(session, bj, made.id)
        with pytest.raises(AccessDenied):  # the enterprise cannot decide its own
            proposals.approve(session, user, made.id)
        done = proposals.approve(session, xa, made.id)
        assert done.status == "approved" and done.decided_by == "web:xa"
        facility = session.scalar(select(Facility).where(Facility.code == "AL1"))
        assert facility is not None and facility.capacity_t_per_a == 260000.0 and facility.technology == "CWPB"
        kinds = session.scalars(
            select(CapacityEvent.kind).where(CapacityEvent.facility_id == facility.id).order_by(CapacityEvent.id)
        ).all()
        assert kinds == ["approval", "expansion"]
        version = reg.history(session, ADMIN, "facilities", "AL1")[-1]
        assert version.actor == "web:xa" and version.after["_via"] == {"proposal": made.id, "proposed_by": "web:e1"}
        with pytest.raises(Conflict) as caught:
            proposals.reject(session, xa, made.id, "too late")
        assert caught.value.code == "registry.proposal_not_pending"


def test_a_rejection_needs_a_reason_and_changes_nothing(province: str) -> None:
    with db.transaction(province) as session:
        user = person(session, "e1", "enterprise", enterprise="E1")
        sx = person(session, "sx", "province_regulator", region="SX")
        made = proposals.propose(session, user, "AL1", {"status": "idle", "status_since": "2025-02-01"})
        with pytest.raises(ValidationFailed) as caught:
            proposals.reject(session, sx, made.id, "  ")
        assert [e.code for e in caught.value.errors] == ["registry.reason_required"]
        done = proposals.reject(session, sx, made.id, "未附停产说明")
        assert (done.status, done.reason) == ("rejected", "未附停产说明")
        facility = session.scalar(select(Facility).where(Facility.code == "AL1"))
        assert facility is not None and facility.status == "operating"


def test_an_enterprise_proposes_only_for_its_own_facilities_and_fields(province: str) -> None:
    with db.transaction(province) as session:
        _second_enterprise(session)
        user = person(session, "e1", "enterprise", enterprise="E1")
        xa = person(session, "xa", "city_regulator", region="XA")
        with pytest.raises(NotFound):  # another enterprise's facility ...
            proposals.propose(session, user, "AL9", {"technology": "CWPB"})
        with pytest.raises(NotFound):  # ... answers as one that does not exist
            proposals.propose(session, user, "NOPE", {"technology": "CWPB"})
        with pytest.raises(AccessDenied):  # a regulator changes directly, it does not propose
            proposals.propose(session, xa, "AL1", {"technology": "CWPB"})
        with pytest.raises(ValidationFailed) as caught:
            proposals.propose(
                session, user, "AL1", {"region_code": "BJ", "capacity_t_per_a": -1, "retired_on": "2001-01-01"}
            )
        assert sorted((e.field, e.code) for e in caught.value.errors) == [
            ("capacity_t_per_a", "registry.capacity_negative"),
            ("region_code", "registry.not_proposable"),
        ]
        with pytest.raises(ValidationFailed) as caught:
            proposals.propose(session, user, "AL1", {"status": "retired", "retired_on": "2001-01-01"})
        assert [e.code for e in caught.value.errors] == ["registry.retired_before_commissioning"]
        with pytest.raises(ValidationFailed) as caught:
            proposals.propose(session, user, "AL1", {"technology": "PFPB_M"})
        assert [e.code for e in caught.value.errors] == ["registry.nothing_proposed"]


def test_d7_a_note_or_reason_over_its_limit_is_refused_and_nothing_is_kept(province: str) -> None:
    """Probe D7: a proposal's note and a decision's reason are limited (services.limits), with the field named."""
    with db.transaction(province) as session:
        user = person(session, "e1", "enterprise", enterprise="E1")
        sx = person(session, "sx", "province_regulator", region="SX")
        with pytest.raises(ValidationFailed) as caught:
            proposals.propose(session, user, "AL1", {"technology": "CWPB"}, note="扩" * 2001)
        assert [(e.code, e.field, e.params["limit"]) for e in caught.value.errors] == [
            ("limits.too_long", "note", 2000)
        ]
        assert proposals.list_proposals(session, user) == []
        made = proposals.propose(session, user, "AL1", {"technology": "CWPB"}, note="扩" * 2000)
        with pytest.raises(ValidationFailed) as caught:
            proposals.reject(session, sx, made.id, "r" * 2001)
        assert [(e.code, e.field) for e in caught.value.errors] == [("limits.too_long", "reason")]
        with pytest.raises(ValidationFailed) as caught:
            proposals.approve(session, sx, made.id, "n" * 2001)
        assert caught.value.errors[0].text("en") == "field 'note': at most 2000 characters (this has 2001)"
        assert proposals.get_proposal(session, sx, made.id).status == "pending"
