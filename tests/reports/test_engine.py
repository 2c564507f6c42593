"""The report engine without a database: the PDF shows Chinese (its text layer, its embedded fonts, and
the rendered first page), the Word file opens (in LibreOffice where it is installed), every format is
the same bytes for the same document, a failure writes nothing, and a stored document renders back the
same."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from documents import TITLE, document

from carbonpeak.reports import formats
from carbonpeak.reports.document import from_dict, to_dict
from carbonpeak.reports.render import RenderFailed, render_many, write_whole

CJK_FONT = "Noto-Sans-CJK-SC"  # as the PDF names the embedded face (WeasyPrint, from fonts-noto-cjk)


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {fmt: r.data for fmt, r in render_many(document(provisional=True)).items()}


def _fonts(pdf: bytes) -> set[str]:
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    return {str(fonts[name].get_object()["/BaseFont"]) for name in fonts}


def test_the_pdf_text_layer_has_the_chinese_title_and_the_fonts_are_the_cjk_ones(rendered: dict[str, bytes]) -> None:
    from pypdf import PdfReader

    pdf = rendered["pdf"]
    assert pdf.startswith(b"%PDF-")
    first = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert TITLE in first.replace(" ", "")
    assert "临时报告" in first  # provisional: said on the first page
    fonts = _fonts(pdf)
    assert fonts and all("CJK" in f for f in fonts), fonts  # no fallback face drew any of the first page
    assert any(CJK_FONT in f for f in fonts), fonts


def test_the_first_page_rendered_shows_each_chinese_character_not_a_box(rendered: dict[str, bytes]) -> None:
    """Each character of the title, cut out of the rendered page at its own box, is a different picture
    with ink in it: a missing glyph would be drawn as the same empty box for every character."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(rendered["pdf"])
    page = pdf[0]
    scale = 3.0
    image = page.render(scale=scale).to_pil().convert("L")
    text = page.get_textpage()
    all_text = text.get_text_range()
    start = all_text.index(TITLE[:5])  # 碳达峰监测
    height = page.get_height()
    crops = []
    for i in range(start, start + 5):
        left, bottom, right, top = text.get_charbox(i)
        box = (
            int(left * scale),
            int((height - top) * scale),
            int(right * scale) + 1,
            int((height - bottom) * scale) + 1,
        )
        crop = image.crop(box)
        ink = sum(crop.histogram()[:128])  # dark pixels
        assert ink > 20, f"character {all_text[i]} is blank on the page"
        crops.append(crop.resize((32, 32)).tobytes())
    assert len(set(crops)) == 5, "the title's characters look alike: boxes, not glyphs"
    if shutil.which("pdftoppm"):  # poppler draws the page too (what a PDF reader shows)
        out = subprocess.run(
            ["pdftoppm", "-f", "1", "-l", "1", "-r", "50", "-png", "-"],
            input=rendered["pdf"],
            capture_output=True,
            check=True,
            timeout=120,
        )
        assert out.stdout.startswith(b"\x89PNG")


def test_the_word_file_opens(rendered: dict[str, bytes], tmp_path: Path) -> None:
    import docx

    word = docx.Document(io.BytesIO(rendered["docx"]))
    texts = [p.text for p in word.paragraphs]
    assert TITLE in texts
    assert any("临时报告" in t for t in texts)
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "224.98" in cells and "/overview/breakdown?figure=emissions_location_tco2e&region=demo&year=2025" in cells
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip(
            "LibreOffice is not installed (make reports installs it): the file was reopened by python-docx only"
        )
    source = tmp_path / "report.docx"
    source.write_bytes(rendered["docx"])
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    from pypdf import PdfReader

    converted = PdfReader(str(tmp_path / "report.pdf")).pages[0].extract_text()
    assert TITLE in converted.replace(" ", "")


def test_the_excel_file_has_the_figures_as_numbers(rendered: dict[str, bytes]) -> None:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(rendered["xlsx"]))
    assert {"F1", "F2"} <= set(book.sheetnames)
    values = [c.value for row in book["F1"].iter_rows() for c in row]
    assert 224.98 in values and "碳排放量（基于位置）" in values


def test_the_same_document_gives_the_same_bytes_in_every_format(rendered: dict[str, bytes]) -> None:
    again = render_many(from_dict(to_dict(document(provisional=True))))  # stored as JSON, read back
    for fmt, data in rendered.items():
        assert again[fmt].data == data, fmt
    for fmt in ("docx", "xlsx"):  # the zip entries carry the report's day, not the time of writing
        with zipfile.ZipFile(io.BytesIO(rendered[fmt])) as z:
            assert {i.date_time[:3] for i in z.infolist()} == {(2026, 1, 19)}  # 2026-01-20 00:00 China = 19th UTC
    other = render_many(document(provisional=False), ("pdf",))
    assert other["pdf"].data != rendered["pdf"]


def test_a_failed_rendering_is_coded_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> bytes:
        raise OSError("font file unreadable")

    monkeypatch.setattr(formats, "docx", broken)
    with pytest.raises(RenderFailed) as raised:
        render_many(document(), ("pdf", "docx"))
    assert raised.value.code == "reports.render_failed"
    assert "docx" in raised.value.text("zh") and "未写入任何文件" in raised.value.text("zh")
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    target.write_bytes(b"the old file")

    def no_rename(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", no_rename)
    with pytest.raises(OSError):
        write_whole(target, b"%PDF- new")
    assert target.read_bytes() == b"the old file"  # the old file whole, no half-written one
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]  # no temporary file left


def test_an_unknown_kind_or_format_is_refused() -> None:
    from dataclasses import replace

    with pytest.raises(RenderFailed) as raised:
        render_many(replace(document(), kind="no_such_report"))
    assert raised.value.code == "reports.unknown_kind"
    with pytest.raises(RenderFailed) as raised:
        render_many(document(), ("odt",))
    assert raised.value.code == "reports.unknown_format"


def test_an_english_report_names_its_sheets_as_excel_allows() -> None:
    import openpyxl

    data = render_many(document(lang="en", title="Carbon peaking monitoring report (monthly)"), ("xlsx",))["xlsx"].data
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert "Appendix 2 — Provenance  how ea" in names  # the label's colon is not allowed in a sheet's name
    assert all(len(n) <= 31 for n in names)
