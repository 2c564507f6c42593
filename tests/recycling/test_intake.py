"""The scrap intake ledger: a good file is saved as versions, a bad one is refused with every problem at once
and nothing written; a correction is a new version; access is checked first and reveals nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import AccessDenied, ValidationFailed
from carbonpeak.io import scrap_file
from carbonpeak.services import recycling as intake
from carbonpeak.services import recycling_reads as reads
from carbonpeak.store import db
from carbonpeak.store.models import AuditEvent, Upload
from carbonpeak.store.recycling.models import ScrapLedgerVersion
from tests.recycling.conftest import LOTS, OUTPUTS, enterprise_user, person, workbook


def _count(url: str) -> tuple[int, int]:
    with db.transaction(url, mode="read") as session:
        versions = session.scalar(select(func.count()).select_from(ScrapLedgerVersion)) or 0
        uploads = session.scalar(select(func.count()).select_from(Upload)) or 0
    return versions, uploads


def test_good_workbook_is_saved_with_its_balance(url: str) -> None:
    with db.transaction(url) as session:
        done = intake.import_file(session, enterprise_user(session), workbook(), "台账.xlsx", submit=True)
    assert done.versions == [("RA1", "2025-01", 1)] and done.submitted and done.lots == 3
    assert done.sha256 is not None and not done.open_balances
    with db.transaction(url, mode="read") as session:
        (month,) = reads.months(session, enterprise_user(session))
    assert month.version.status == "submitted"
    # hand-checked in conftest: 139.5 t from scrap + 10.5 t other metal = 150 t in; 148.5 t accounted
    assert month.balance.metal_from_scrap_t == pytest.approx(139.5)
    assert month.balance.metal_in_t == pytest.approx(150.0)
    assert month.balance.residual_pct == pytest.approx(1.0)
    assert month.balance.closes and month.balance.tolerance_pct == 2.0
    assert month.scrap_t == 160 and month.output_t == 147


def test_same_file_twice_adds_nothing(url: str) -> None:
    with db.transaction(url) as session:
        intake.import_file(session, enterprise_user(session), workbook(), "a.xlsx")
    with db.transaction(url) as session:
        again = intake.import_file(session, enterprise_user(session), workbook(), "a.xlsx")
    assert again.versions == [] and again.unchanged == [("RA1", "2025-01", 1)]
    assert _count(url) == (1, 1)


def test_bad_file_lists_every_problem_and_writes_nothing(url: str) -> None:
    bad = [row[:] for row in LOTS]
    bad[0][11] = "很多"  # mass not a number
    bad[1][12] = 1.4  # yield above 1
    bad[1][9] = ""  # imported without its customs declaration
    bad[2][4] = "垃圾场"  # not a source category
    bad.append(list(bad[0]))  # the same lot twice
    bad[3][11] = 5
    bad.append(
        [
            "RA1",
            "2025-13",
            "L9",
            "",
            "scrap_dealer",
            "gbt38472_2023",
            "一级",
            "post_consumer",
            "domestic",
            "",
            "recycled_aluminium_alloy_ingot",
            1,
            0.9,
            "",
        ]
    )
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as caught:
        intake.import_file(session, enterprise_user(session), workbook(bad), "坏.xlsx")
    found = {(e.code, e.sheet, e.row, e.field) for e in caught.value.errors}
    assert ("recycling.not_a_number", "废料进料", 2, "mass_t") in found
    assert ("recycling.out_of_range", "废料进料", 3, "metal_yield") in found
    assert (
        "recycling.customs_required",
        "废料进料",
        3,
        "customs_declaration",
    ) not in found  # row 3 fails its yield first
    assert ("recycling.not_in_list", "废料进料", 4, "source_category") in found
    assert ("recycling.bad_period", "废料进料", 6, "period") in found
    assert ("recycling.required", "废料进料", 6, "supplier") in found
    assert all(e.file == "坏.xlsx" for e in caught.value.errors)
    assert _count(url) == (0, 0)


def test_customs_grade_duplicates_and_missing_output(url: str) -> None:
    lots = [row[:] for row in LOTS]
    lots[1][9] = ""  # imported, no declaration
    lots[0][5], lots[0][6] = "gbt38472_2023", "一级"  # the standard's grades are not configured
    lots.append(list(LOTS[2]))  # L3 again
    lots.append(
        [
            "RA1",
            "2025-01",
            "L4",
            "丙",
            "scrap_dealer",
            "trade",
            "铜线",
            "post_consumer",
            "domestic",
            "",
            "recycled_copper_rod",
            5,
            0.9,
            "",
        ]
    )
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as caught:
        intake.import_file(session, enterprise_user(session), workbook(lots, OUTPUTS), "b.xlsx")
    codes = {(e.code, e.row) for e in caught.value.errors}
    assert ("recycling.customs_required", 3) in codes
    assert ("recycling.grade_not_configured", 2) in codes
    assert ("recycling.duplicate_lot", 5) in codes
    assert ("recycling.product_metal", 6) in codes
    texts = [e.text("zh") for e in caught.value.errors]
    assert any("报关单号" in t and "第 3 行" in t for t in texts)


def test_lots_without_their_product_output(url: str) -> None:
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as caught:
        intake.import_file(session, enterprise_user(session), workbook(LOTS, []), "c.xlsx")
    assert [e.code for e in caught.value.errors] == ["recycling.output_missing"]


def test_json_and_csv_read_the_same(url: str) -> None:
    from tests.recycling.conftest import LOT_HEAD, OUT_HEAD

    data = {
        "lots": [dict(zip(LOT_HEAD, row, strict=True)) for row in LOTS],
        "outputs": [dict(zip(OUT_HEAD, row, strict=True)) for row in OUTPUTS],
    }
    with db.transaction(url) as session:
        done = intake.import_file(session, enterprise_user(session), json.dumps(data).encode(), "api.json")
    assert done.versions == [("RA1", "2025-01", 1)]
    read = scrap_file.read("lots.csv", "\n".join(",".join(LOT_HEAD) for _ in range(1)).encode())
    assert read.errors and read.errors[0].code == "recycling.no_lots"


def test_someone_elses_facility_is_refused_alone(url: str) -> None:
    lots = [row[:] for row in LOTS]
    lots[0][0] = "RA2"  # E2's casthouse
    lots.append(["NOPE", "2025-01", "X", "", "", "", "", "", "", "", "", "", "", ""])
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as caught:
        intake.import_file(session, enterprise_user(session), workbook(lots), "d.xlsx")
    refused = [e for e in caught.value.errors if e.code == "intake.facility_not_yours"]
    assert sorted(e.value for e in refused) == ["NOPE", "RA2"]
    # nothing about RA2's or NOPE's rows is said beyond the refusal (no required-field errors for them)
    assert not any(e.code == "recycling.required" for e in caught.value.errors)
    assert _count(url) == (0, 0)


def test_roles_that_may_not_report(url: str) -> None:
    with db.transaction(url) as session:
        regulator = person(session, "reg", "province_regulator", region="SX")
        with pytest.raises(AccessDenied):
            intake.import_file(session, regulator, workbook(), "e.xlsx")
    assert _count(url) == (0, 0)


def test_a_submitted_month_takes_only_a_correction(url: str) -> None:
    with db.transaction(url) as session:
        intake.import_file(session, enterprise_user(session), workbook(), "f.xlsx", submit=True)
    changed = [row[:] for row in LOTS]
    changed[0][11] = 101
    changed_out = [[*OUTPUTS[0][:3], 147.9, *OUTPUTS[0][4:]]]
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as caught:
        intake.import_file(session, enterprise_user(session), workbook(changed, changed_out), "g.xlsx")
    assert caught.value.errors[0].code == "submission.period_already"
    with db.transaction(url) as session:
        done = intake.import_file(
            session, enterprise_user(session), workbook(changed, changed_out), "g.xlsx", reason="地磅复核"
        )
    assert done.versions == [("RA1", "2025-01", 2)]
    with db.transaction(url, mode="read") as session:
        versions = reads.history(session, enterprise_user(session), "RA1", "2025-01")
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "scrap_ledger")))
    assert [(v.version, v.status, v.reason) for v in versions] == [(1, "submitted", None), (2, "draft", "地磅复核")]
    assert versions[0].lots[0]["mass_t"] == 100 and versions[1].lots[0]["mass_t"] == 101
    assert actions == ["create", "submit", "correct"]


def test_an_open_balance_is_a_named_gap_and_never_submitted(url: str) -> None:
    # output 120 t against 150 t in: residual 148.5 → 121.5 accounted, 28.5 t = 19 % of 150 t > 2 %
    open_out = [[*OUTPUTS[0][:3], 120, *OUTPUTS[0][4:]]]
    with db.transaction(url) as session, pytest.raises(ValidationFailed) as caught:
        intake.import_file(session, enterprise_user(session), workbook(LOTS, open_out), "h.xlsx", submit=True)
    (error,) = caught.value.errors
    assert error.code == "recycling.balance_open" and error.params["residual"] == "+19.00"
    assert _count(url) == (0, 0)
    with db.transaction(url) as session:
        done = intake.import_file(session, enterprise_user(session), workbook(LOTS, open_out), "h.xlsx")
    assert [e.code for e in done.open_balances] == ["recycling.balance_open"]
    from carbonpeak.services import recycling_steps as steps

    with db.transaction(url) as session, pytest.raises(ValidationFailed) as refused:
        steps.step(session, enterprise_user(session), [("RA1", "2025-01")], "submitted")
    assert refused.value.errors[0].code == "recycling.balance_open"


def test_templates_in_both_languages_read_back_empty() -> None:
    for lang in ("zh", "en"):
        content = scrap_file.write_template(lang)
        read = scrap_file.read("t.xlsx", content)
        assert {s.kind for s in read.sheets} == {"lots", "outputs"}
        assert [e.code for e in read.errors] == ["recycling.no_lots"]
    head = scrap_file.write_csv_template("lots", "zh").decode("utf-8-sig").splitlines()
    assert head[0].startswith("facility_id,period,lot") and "* 设施编号" in head[1]
