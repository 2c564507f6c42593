"""The deposit as people do it, on the demo (SQLite and PostgreSQL): save, upload (a correction is a new
version), deposit (every gap at once), the city's review (return with a reason, accept = locked), and who
may do what (403 for a role, 404 outside the scope, nothing revealed)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import AccessDenied, Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import ets_deposit as use
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.store import db
from carbonpeak.store.ets.models import EtsDepositFile
from carbonpeak.store.models import AuditEvent
from tests.ets.conftest import OTHER, SMELTER, person

DAY = dt.date(2026, 1, 20)


def test_the_demo_months_and_their_deadlines(demo_db_url: str) -> None:
    with db.transaction(demo_db_url, mode="read") as s:
        who = person(s, access.ENTERPRISE, enterprise=SMELTER)
        states = {m.month: (m.status, m.deadline.status) for m in reads.year_of(s, who, SMELTER, 2025, DAY)}
        assert states["2025-09"] == ("accepted", "on_time")
        assert states["2025-10"] == ("accepted", "late")
        assert states["2025-11"] == ("deposited", "on_time")
        assert states["2025-12"] == ("draft", "open")
        assert states["2025-08"] == ("none", "overdue")
        shown = reads.view(s, who, SMELTER, "2025-11", DAY)
        assert shown.review is not None and shown.review.status == "overdue"  # the city's 40 days have passed
        assert [c.key for c in shown.report_checks if c.state == "beyond"] == ["AL04:output_t"]
        assert all(f.demo and "示范" in f.name for f in shown.files)


def test_save_upload_deposit_review_lock(demo_db_url: str) -> None:
    month = "2025-12"
    with db.transaction(demo_db_url) as s:
        ent = person(s, access.ENTERPRISE, enterprise=SMELTER)
        city = person(s, access.CITY, region="city")
        first = use.upload(s, ent, SMELTER, month, "AL03:grid_electricity_mwh", "电费结算单.pdf", b"%PDF-1 one")
        again = use.upload(s, ent, SMELTER, month, "AL03:grid_electricity_mwh", "电费结算单.pdf", b"%PDF-1 two")
        assert (first.version, again.version) == (1, 2) and first.sha256 != again.sha256
        files = reads.view(s, ent, SMELTER, month, DAY).files
        assert [(f.version, f.current) for f in files if f.name == "电费结算单.pdf"] == [(2, True), (1, False)]
        with pytest.raises(ValidationFailed) as bad:
            use.save(s, ent, SMELTER, month, {"AL03:output_t": "x", "AL03:grid_electricity_mwh": -5})
        assert {e.field for e in bad.value.errors} == {"AL03:output_t", "AL03:grid_electricity_mwh"}
        with pytest.raises(AccessDenied):
            use.review(s, ent, SMELTER, month, "accept")  # the enterprise does not review
        use.deposit(s, ent, SMELTER, month)
        with pytest.raises(Conflict) as waiting:
            use.save(s, ent, SMELTER, month, None)
        assert waiting.value.code == "ets.under_review"
        with pytest.raises(InputError) as no_reason:
            use.review(s, city, SMELTER, month, "return", " ")
        assert no_reason.value.code == "ets.reason_required"
        back = use.review(s, city, SMELTER, month, "return", "外购电力与结算单不符")
        assert back.status == "returned" and back.deposit is not None and back.deposit.review_reason
        corrected = use.save(s, ent, SMELTER, month, {"AL03:output_t": 20000}, reason="更正产量")
        assert corrected.version == 3 and [h[0] for h in corrected.history] == [1, 2, 3]
        use.deposit(s, ent, SMELTER, month)
        done = use.review(s, city, SMELTER, month, "accept")
        assert done.locked
        for change in (
            lambda: use.save(s, ent, SMELTER, month, None),
            lambda: use.upload(s, ent, SMELTER, month, "AL03:output_t", "b.pdf", b"x"),
            lambda: use.deposit(s, ent, SMELTER, month),
        ):
            with pytest.raises(Conflict) as locked:
                change()
            assert locked.value.code == "ets.locked"
        with pytest.raises(Conflict):
            use.review(s, city, SMELTER, month, "return", "again")
        events = s.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.entity == "ets_deposit", AuditEvent.entity_key == f"{SMELTER}:{month}"
            )
        )
        assert events >= 9  # two demo saves and uploads before, and every step here


def test_a_deposit_lists_every_gap_and_writes_nothing(demo_db_url: str) -> None:
    with db.transaction(demo_db_url) as s:
        ent = person(s, access.ENTERPRISE, enterprise=SMELTER)
        use.save(s, ent, SMELTER, "2025-08", None)
        with pytest.raises(ValidationFailed) as gaps:
            use.deposit(s, ent, SMELTER, "2025-08")
        codes = {e.code for e in gaps.value.errors}
        assert codes == {"ets.value_missing", "ets.evidence_missing"}  # NCV and carbon content; files
        assert reads.view(s, ent, SMELTER, "2025-08", DAY).status == "draft"


def test_who_may_read_and_do_what(demo_db_url: str) -> None:
    with db.transaction(demo_db_url) as s:
        other = person(s, access.ENTERPRISE, enterprise=OTHER)
        verifier = person(s, access.VERIFIER, enterprise=SMELTER)
        province = person(s, access.PROVINCE, region="province")
        with pytest.raises(NotFound):
            reads.view(s, other, SMELTER, "2025-11", DAY)  # another enterprise's deposit: as if absent
        with pytest.raises(NotFound):
            reads.view(s, other, "NOPE", "2025-11", DAY)  # the same answer for one that does not exist
        assert reads.view(s, verifier, SMELTER, "2025-11", DAY).status == "deposited"  # the verifier reads
        with pytest.raises(AccessDenied):
            use.save(s, verifier, SMELTER, "2025-12", None)  # ... and does not deposit
        with pytest.raises(AccessDenied):
            use.review(s, verifier, SMELTER, "2025-11", "accept")
        assert reads.view(s, province, SMELTER, "2025-11", DAY).deposit is not None
        name = s.scalar(select(EtsDepositFile.name).limit(1))
        with pytest.raises(NotFound):
            reads.file_named(s, other, SMELTER, "2025-11", name)
        with pytest.raises(InputError) as bad:
            reads.view(s, province, SMELTER, "2025-13", DAY)
        assert bad.value.code == "ets.bad_month"
        with pytest.raises(InputError) as no_smelter:
            reads.view(s, access.operator("t"), "E05", "2025-11", DAY)
        assert no_smelter.value.code in ("ets.not_in_ets",) or no_smelter.value.field == "enterprise"
