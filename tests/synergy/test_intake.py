"""The pollutant ledger's intake: a good file or form is saved as versions with its source and who entered it;
bad input is refused with every problem at once, named by file, row and field, and nothing written; a
correction is a new version with its reason, the history kept and audited; access is checked first and says
nothing of what it protects; the plausibility gate against the facility's own history."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import pollutants as use
from carbonpeak.store import db
from carbonpeak.store.models import AuditEvent, Upload
from carbonpeak.store.pollutants.models import PollutantVersion
from tests.recycling.conftest import ADMIN, enterprise_user, person, verifier

TODAY = dt.date(2026, 1, 20)
HEAD = "设施编码,月份,二氧化硫（t）,氮氧化物（t）,颗粒物（t）,数据来源,备注,更正原因\n"


def _csv(*rows: str) -> bytes:
    return (HEAD + "".join(r + "\n" for r in rows)).encode("utf-8")


def _versions(url: str) -> int:
    with db.transaction(url, mode="read") as session:
        return session.scalar(select(func.count()).select_from(PollutantVersion)) or 0


def _row(**values: object) -> tuple[None, dict[str, object]]:
    base: dict[str, object] = {
        "facility_id": "RA1",
        "period": "2025-01",
        "so2_t": 1.5,
        "nox_t": 0.8,
        "pm_t": 0.2,
        "source": "permit_report",
    }
    return (None, {**base, **values})


def test_a_good_file_is_saved_with_source_who_and_the_evidence(url: str) -> None:
    content = _csv("RA1,2025-01,1.5,0.8,0.2,排污许可执行报告,,", "AL1,2025-01,12,8.5,1.1,自动监测,,")
    with db.transaction(url) as session:
        done = use.import_file(session, enterprise_user(session), content, "排放.csv", today=TODAY)
    assert done.versions == [("RA1", "2025-01", 1), ("AL1", "2025-01", 1)] and done.sha256
    with db.transaction(url, mode="read") as session:
        table = use.latest(session, ADMIN)
        stored = session.scalar(select(Upload).where(Upload.sha256 == done.sha256))
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.entity == "pollutant_month")))
    assert stored is not None and stored.content == content
    row = table.set_index("facility_code").loc["AL1"]
    assert (row["so2_t"], row["nox_t"], row["pm_t"], row["source"]) == (12.0, 8.5, 1.1, "cems")
    assert {e.entity_key for e in events} == {"pollutants:RA1@2025-01", "pollutants:AL1@2025-01"}
    assert {e.actor for e in events} == {"web:ent-E1"}


def test_excel_is_read_with_calamine_and_the_same_file_twice_adds_nothing(url: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["facility_id", "period", "so2_t", "nox_t", "pm_t", "source"])
    sheet.append(["RA1", "2025-02", 2, 1, 0.5, "manual_estimate"])
    data = io.BytesIO()
    book.save(data)
    with db.transaction(url) as session:
        first = use.import_file(session, enterprise_user(session), data.getvalue(), "a.xlsx", today=TODAY)
    with db.transaction(url) as session:
        again = use.import_file(session, enterprise_user(session), data.getvalue(), "a.xlsx", today=TODAY)
    assert first.versions == [("RA1", "2025-02", 1)]
    assert again.versions == [] and again.unchanged == [("RA1", "2025-02", 1)]
    assert _versions(url) == 1


def test_every_problem_at_once_named_by_file_row_and_field_and_nothing_written(url: str) -> None:
    content = _csv(
        "RA1,2025-01,很多,0.8,0.2,排污许可执行报告,,",  # row 2: SO2 not a number
        "RA1,2025-02,1,-0.5,0.2,猜的,,",  # row 3: NOx negative, source not of the vocabulary
        "RA1,2026-05,1,1,,自动监测,,",  # row 4: a future month, particulates empty
        "AL1,2025-13,1,1,1,自动监测,,",  # row 5: not a month
        "RA1,2025-06,1,1,1,自动监测,,",  # row 6: good
        "RA1,2025-06,1,1,1,自动监测,,",  # row 7: the same month twice
    )
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as failed:
        use.import_file(session, enterprise_user(session), content, "bad.csv", today=TODAY)
    found = {(e.row, e.field, e.code) for e in failed.value.errors}
    assert found == {
        (2, "so2_t", "pollutants.not_a_number"),
        (3, "nox_t", "pollutants.negative"),
        (3, "source", "pollutants.bad_source"),
        (4, "period", "pollutants.future_month"),
        (4, "pm_t", "pollutants.required"),
        (5, "period", "pollutants.bad_period"),
        (7, "period", "pollutants.duplicate_month"),
    }
    assert all(e.file == "bad.csv" for e in failed.value.errors)
    text = failed.value.errors[0].text("zh")
    assert "bad.csv" in text and "第 2 行" in text and "二氧化硫" in text
    assert _versions(url) == 0


def test_a_bad_heading_is_named_and_no_row_is_read(url: str) -> None:
    content = b"facility_id,period,so2_t,nox,colour\nRA1,2025-01,1,1,red\n"
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as failed:
        use.import_file(session, enterprise_user(session), content, "h.csv", today=TODAY)
    codes = {(e.code, e.field) for e in failed.value.errors}
    assert ("pollutants.unknown_column", "colour") in codes
    assert ("pollutants.missing_column", "pm_t") in codes and ("pollutants.missing_column", "source") in codes


def test_a_correction_is_a_new_version_with_its_reason_and_the_history_is_kept(url: str) -> None:
    with db.transaction(url) as session:
        use.record(session, enterprise_user(session), [_row()], today=TODAY)
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as failed:
        use.record(session, enterprise_user(session), [_row(so2_t=1.7)], today=TODAY)
    assert [e.code for e in failed.value.errors] == ["pollutants.reason_required"]
    with db.transaction(url) as session:
        done = use.record(session, enterprise_user(session), [_row(so2_t=1.7, reason="执行报告更正")], today=TODAY)
    assert done.versions == [("RA1", "2025-01", 2)]
    with db.transaction(url, mode="read") as session:
        _facility, history = use.history(session, enterprise_user(session), "RA1")
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.entity_key == "pollutants:RA1@2025-01")))
    assert [(v.version, v.so2_t, v.latest, v.reason) for v in history] == [
        (1, 1.5, False, None),
        (2, 1.7, True, "执行报告更正"),
    ]
    assert [e.action for e in events] == ["create", "correct"]
    assert events[1].before is not None and events[1].before["so2_t"] == 1.5
    assert events[1].after is not None and events[1].after["reason"] == "执行报告更正"
    with db.transaction(url, mode="read") as session:
        assert use.latest(session, ADMIN)["so2_t"].tolist() == [1.7]


def test_access_first_and_a_refusal_reveals_nothing(url: str) -> None:
    with db.transaction(url) as session:
        # another enterprise's facility and one that does not exist: the same answer, nothing else said
        with pytest.raises(ValidationFailed) as failed:
            use.record(
                session,
                enterprise_user(session),
                [_row(facility_id="RA2", so2_t="x"), _row(facility_id="NOPE")],
                today=TODAY,
            )
        assert {(e.code, e.value) for e in failed.value.errors} == {
            ("intake.facility_not_yours", "RA2"),
            ("intake.facility_not_yours", "NOPE"),
        }
        # a verifier and a regulator read but do not report: refused before the rows are looked at
        checker = verifier(session, "v1", "E1")
        with pytest.raises(AccessDenied):
            use.record(session, checker, [_row()], today=TODAY)
        regulator = person(session, "city", "city_regulator", region="XA")
        with pytest.raises(AccessDenied):
            use.import_file(session, regulator, b"not even a file", "x.csv", today=TODAY)
        # reading: another enterprise's facility is forbidden, an unknown one not found
        with pytest.raises(AccessDenied):
            use.history(session, enterprise_user(session, "E2"), "RA1")
        with pytest.raises(NotFound):
            use.history(session, enterprise_user(session), "NOPE")
        # the administrator reports for any facility
        assert use.record(session, ADMIN, [_row(facility_id="RA2")], today=TODAY).versions == [("RA2", "2025-01", 1)]
        assert access.allowed(regulator, use.VIEW) and not access.allowed(regulator, use.ENTER)
    assert _versions(url) == 1


def test_the_plausibility_gate_refuses_an_unexplained_outlier_and_keeps_an_explained_one(url: str) -> None:
    history = [_row(period=f"2025-0{m}", so2_t=s) for m, s in ((1, 1.0), (2, 1.2), (3, 0.9), (4, 1.1))]
    with db.transaction(url) as session:
        use.record(session, enterprise_user(session), history, today=TODAY)
    # median of 1.0, 1.2, 0.9, 1.1 is 1.05 t; 12 t is above 10 × 1.05
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as failed:
        use.record(session, enterprise_user(session), [_row(period="2025-05", so2_t=12)], today=TODAY)
    (problem,) = failed.value.errors
    assert (problem.code, problem.field, problem.params["median"]) == ("pollutants.implausible", "so2_t", "1.05")
    with db.transaction(url) as session:
        done = use.record(
            session, enterprise_user(session), [_row(period="2025-05", so2_t=12, note="脱硫设施检修停运")], today=TODAY
        )
    assert done.versions == [("RA1", "2025-05", 1)]
    with db.transaction(url) as session:  # 10 t is not above 10 × 1.05: no note needed
        assert use.record(session, enterprise_user(session), [_row(period="2025-06", so2_t=10)], today=TODAY).versions


def test_the_demo_source_is_not_for_people(url: str) -> None:
    with db.transaction(url) as session, pytest.raises(InputError) as failed:
        use.record(session, enterprise_user(session), [_row(source="demo")], today=TODAY)
    assert isinstance(failed.value, ValidationFailed)
    assert failed.value.errors[0].code == "pollutants.bad_source"
