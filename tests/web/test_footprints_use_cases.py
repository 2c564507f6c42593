"""Footprint use cases on the demo database: versions only when inputs change (with the reason), the
review → publish order, who may do what, and supplies refused without evidence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carbonpeak.errors import AccessDenied, Conflict, InputError, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import footprints as use
from carbonpeak.store import db
from carbonpeak.store.accounts import User

ADMIN = access.operator("test")


def _as(session: object, username: str) -> access.Principal:
    user = session.scalar(select(User).where(User.username == username))  # type: ignore[attr-defined]
    return access.principal_for(session, user)  # type: ignore[arg-type]


def test_versions_reasons_and_steps(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        first = use.compute(session, ADMIN, 2024, facility_codes=["AL03"])
        assert [v.version for v in first.written] == [1]
        assert first.written[0].reason["code"] == "footprints.reason_first"
        again = use.compute(session, ADMIN, 2024, facility_codes=["AL03"])
        assert not again.written and [v.version for v in again.unchanged] == [1]  # same inputs: no new version
        market = use.compute(session, ADMIN, 2024, facility_codes=["AL03"], basis="market")
        assert market.written[0].version == 2 and market.written[0].reason["code"] == "footprints.reason_basis"
        assert market.written[0].value_tco2e_per_t == pytest.approx(market.written[0].value_market_tco2e_per_t)
        use.add_supply(
            session, ADMIN, "AL03", "alumina", 2024, supplier_name="示范氧化铝厂", supplier_facility_code="AO01"
        )
        supplied = use.compute(session, ADMIN, 2024, facility_codes=["AL03"], basis="market")
        latest = supplied.written[0]
        assert latest.version == 3 and latest.reason["code"] == "footprints.reason_supplies"
        assert latest.stages["alumina"] is not None and latest.stages["anode"] is None  # the anode: not found
        assert not latest.complete and latest.cutoff == "unknown"
        enterprise, city, province = _as(session, "enterprise"), _as(session, "city"), _as(session, "province")
        with pytest.raises(AccessDenied):
            use.review(session, enterprise, "AL03", "primary_aluminium", 2024)
        with pytest.raises(Conflict):
            use.publish(session, province, "AL03", "primary_aluminium", 2024)  # not reviewed yet
        use.review(session, province, "AL03", "primary_aluminium", 2024)
        assert use.publish(session, province, "AL03", "primary_aluminium", 2024).status == "published"
        with pytest.raises(AccessDenied):  # AO01 is outside the city regulator's city
            use.compute(session, city, 2024, facility_codes=["AO01"])


def test_supply_refused_without_evidence_and_nothing_written(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        with pytest.raises(InputError) as refused:
            use.add_supply(session, ADMIN, "AL03", "anode", 2024, supplier_name="某阳极厂", footprint_tco2e_per_t=1.2)
        assert refused.value.code == "footprints.supply_without_evidence"
        with pytest.raises(ValidationFailed) as both:  # every problem at once
            use.add_supply(session, ADMIN, "AL03", "anode", 2024, supplier_name="某阳极厂")
        assert {e.code for e in both.value.errors} == {
            "footprints.supply_needs_value",
            "footprints.supply_without_evidence",
        }
        with pytest.raises(InputError):
            use.add_supply(
                session, ADMIN, "AL03", "scrap", 2024, supplier_name="x", footprint_tco2e_per_t=1.0, evidence="e"
            )
        from carbonpeak.store.footprints.models import FootprintSupply

        assert session.scalar(select(FootprintSupply.id)) is None
