"""The ETS annual report and the deposit receipt as stored reports of the enterprise: made from the demo,
provisional while months are unverified (or the deposit not accepted), the same files again from the same
data (SHA-256 identical), filed (locked) by the enterprise, read by its regulators, refused to others."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from docx import Document as Word

from carbonpeak.errors import AccessDenied, Conflict, InputError, NotFound
from carbonpeak.services import access, ets_reports, reports
from carbonpeak.store import db
from tests.ets.conftest import OTHER, SMELTER, person

DAY = dt.date(2026, 1, 20)


@pytest.mark.parametrize("demo_db_url", ["sqlite"], indirect=True)
def test_annual_report_made_regenerated_filed(demo_db_url: str) -> None:
    with db.transaction(demo_db_url) as s:
        ent = person(s, access.ENTERPRISE, enterprise=SMELTER)
        made = ets_reports.make(s, ent, SMELTER, "ets_annual", "2025", as_of=DAY)
        assert made.provisional  # October to December are submitted, not verified
        assert {f.format for f in made.files} == {"pdf", "docx", "xlsx"} and made.enterprise == SMELTER
        again = reports.regenerate(s, ent, made.id)
        assert again.reproduced and not again.data_changed
        assert all(again.from_document.values()) and all(again.from_store.values())
        name, _media, pdf = reports.file_of(s, ent, made.id, "pdf")
        assert pdf.startswith(b"%PDF") and name.startswith("ets_annual_")
        word = Word(io.BytesIO(reports.file_of(s, ent, made.id, "docx")[2]))
        words = "\n".join(c.text for t in word.tables for r in t.rows for c in r.cells)
        assert "附录C" in words and "第5—11章" in words  # the first page says the official format was not available
        sheets = openpyxl.load_workbook(io.BytesIO(reports.file_of(s, ent, made.id, "xlsx")[2])).sheetnames
        assert len(sheets) >= 8
        city = person(s, access.CITY, region="city")
        assert reports.get(s, city, made.id).id == made.id  # the regulators of its region read it
        with pytest.raises(AccessDenied):
            reports.sign_off(s, city, made.id)  # ... and do not file it
        other = person(s, access.ENTERPRISE, enterprise=OTHER)
        with pytest.raises(NotFound):
            reports.get(s, other, made.id)
        with pytest.raises(NotFound):
            ets_reports.make(s, other, SMELTER, "ets_annual", "2025", as_of=DAY)
        filed = ets_reports.file(s, ent, made.id)
        assert filed.locked
        with pytest.raises(Conflict):
            ets_reports.file(s, ent, made.id)
        with pytest.raises(InputError) as not_due:
            ets_reports.make(s, ent, SMELTER, "ets_annual", "2026", as_of=DAY)
        assert not_due.value.code == "reports.period_not_due"
        with pytest.raises(InputError):
            ets_reports.make(s, ent, SMELTER, "carbon_peak_yearly", "2025", as_of=DAY)


@pytest.mark.parametrize("demo_db_url", ["sqlite"], indirect=True)
def test_deposit_receipt_lists_files_with_their_hash(demo_db_url: str) -> None:
    with db.transaction(demo_db_url) as s:
        ent = person(s, access.ENTERPRISE, enterprise=SMELTER)
        accepted = ets_reports.make(s, ent, SMELTER, "ets_deposit_monthly", "2025-09", as_of=DAY)
        waiting = ets_reports.make(s, ent, SMELTER, "ets_deposit_monthly", "2025-11", as_of=DAY)
        assert not accepted.provisional and waiting.provisional
        check = reports.regenerate(s, ent, waiting.id)
        assert check.reproduced
        from carbonpeak.services import ets_deposit_reads as reads

        shown = reads.view(s, ent, SMELTER, "2025-11", DAY)
        book = openpyxl.load_workbook(io.BytesIO(reports.file_of(s, ent, waiting.id, "xlsx")[2]))
        cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
        assert {f.sha256 for f in shown.files} <= cells  # every evidence file's SHA-256 is in the receipt
