"""A :class:`~carbonpeak.reports.document.Document` to bytes: HTML, PDF (WeasyPrint), Word (python-docx)
and Excel (openpyxl).

Every format is deterministic, so that a report regenerated from its data state has the same SHA-256:

* PDF: WeasyPrint takes its creation and modification dates from the HTML's ``dcterms`` meta, which the
  frame fills from the report's day (the data state's), and derives its file id from the content.
* Word and Excel are zip files whose entries carry the time of writing, and whose ``docProps/core.xml``
  carries the creation and modification times: :func:`fixed_zip` rewrites both to the report's day.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from carbonpeak.reports import charts, collection
from carbonpeak.reports.document import Chart, Document, Paragraph, Table

FORMATS = ("pdf", "docx", "xlsx")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
CHINA = dt.timezone(dt.timedelta(hours=8))


def stamp_of(doc: Document) -> dt.datetime:
    """The report's fixed time: its day at midnight, China time."""
    return dt.datetime.combine(doc.made_on, dt.time(0, 0), tzinfo=CHINA)


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("carbonpeak.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def chart_images(doc: Document) -> dict[str, bytes]:
    """Every chart of the report drawn once (shared by the PDF and the Word file)."""
    return {b.figure: charts.png(b) for b in doc.figures() if isinstance(b, Chart)}


def html(doc: Document, template: str, images: dict[str, bytes] | None = None) -> str:
    env = environment()
    images = chart_images(doc) if images is None else images
    blocks = env.get_template("blocks.html").module

    def render_block(block: Any) -> Markup:
        if isinstance(block, Table):
            return Markup(blocks.table(block))  # type: ignore[attr-defined]
        if isinstance(block, Chart):
            encoded = base64.b64encode(images[block.figure]).decode("ascii")
            return Markup(blocks.chart(block, encoded))  # type: ignore[attr-defined]
        return Markup(blocks.paragraph(block))  # type: ignore[attr-defined]

    return env.get_template(template).render(
        doc=doc,
        html_lang="zh-CN" if doc.lang == "zh" else "en",
        stamp=stamp_of(doc).isoformat(),
        render_block=render_block,
    )


def pdf(doc: Document, template: str, images: dict[str, bytes] | None = None) -> bytes:
    import weasyprint

    with collection.paused():  # WeasyPrint's boxes: no full garbage collections while it lays them out
        return bytes(weasyprint.HTML(string=html(doc, template, images)).write_pdf())


# ---------------------------------------------------------------- Word


def docx(doc: Document, images: dict[str, bytes] | None = None) -> bytes:
    import docx as python_docx
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    images = chart_images(doc) if images is None else images
    word = python_docx.Document()
    normal = word.styles["Normal"]
    normal.font.name = "Noto Sans CJK SC"
    normal.font.size = Pt(10)
    # East Asian text takes its own font attribute in Word
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Sans CJK SC")
    core = word.core_properties
    core.title, core.subject = doc.title, doc.subtitle
    core.author = core.last_modified_by = "carbonpeak"
    core.created = core.modified = stamp_of(doc).astimezone(dt.UTC).replace(tzinfo=None)
    core.revision = 1
    core.identifier = doc.fingerprint
    word.add_heading(doc.title, level=0)
    word.add_paragraph(doc.subtitle)
    if doc.provisional:
        notice = word.add_paragraph()
        run = notice.add_run(doc.labels["provisional_notice"])
        run.bold = True
        run.font.color.rgb = RGBColor(0xB0, 0, 0)
        for reason in doc.provisional_reasons:
            word.add_paragraph(reason, style="List Bullet")
    _pairs(word, doc.facts)
    for section in doc.sections:
        word.add_heading(section.title, level=1)
        for block in section.blocks:
            if isinstance(block, Table):
                word.add_paragraph().add_run(f"{block.caption} [{block.figure}]").bold = True
                table = word.add_table(rows=1, cols=len(block.columns))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, block.columns, strict=True):
                    cell.text = text
                for row in block.rows:
                    cells = table.add_row().cells
                    for cell, value in zip(cells, row, strict=True):
                        cell.text = value.text
                if block.note:
                    word.add_paragraph(block.note)
            elif isinstance(block, Chart):
                word.add_paragraph().add_run(f"{block.caption} [{block.figure}]").bold = True
                word.add_picture(io.BytesIO(images[block.figure]), width=Mm(165))
                if block.note:
                    word.add_paragraph(block.note)
            elif isinstance(block, Paragraph):
                paragraph = word.add_paragraph()
                run = paragraph.add_run(block.text)
                if block.emphasis:
                    run.font.color.rgb = RGBColor(0xB0, 0, 0)
    word.add_page_break()  # type: ignore[no-untyped-call]
    word.add_heading(doc.labels["data_state"], level=1)
    _pairs(word, doc.data_state)
    word.add_heading(doc.labels["provenance"], level=1)
    heads = [doc.labels[k] for k in ("figure", "methods", "parameters", "months", "how_made")]
    table = word.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    sep = "；" if doc.lang == "zh" else "; "
    for p in doc.provenance:
        cells = table.add_row().cells
        values = (f"{p.figure} {p.caption}", sep.join(p.methods), sep.join(p.parameters), p.months, doc.link(p.url))
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    out = io.BytesIO()
    word.save(out)
    return fixed_zip(out.getvalue(), stamp_of(doc))


def _pairs(word: Any, pairs: list[tuple[str, str]]) -> None:
    table = word.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, text in pairs:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, text


# ---------------------------------------------------------------- Excel


def xlsx(doc: Document) -> bytes:
    """One sheet per table and chart (the chart's series as a table), then the data state and the
    provenance; numbers as numbers, with the shown text's unit in the header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = sheet_title(doc.labels["cover_sheet"])
    first.append([doc.title])
    first["A1"].font = Font(bold=True, size=14)
    first.append([doc.subtitle])
    if doc.provisional:
        first.append([doc.labels["provisional_notice"]])
        for reason in doc.provisional_reasons:
            first.append(["", reason])
    for label, text in doc.facts:
        first.append([label, text])
    for figure in doc.figures():
        sheet = book.create_sheet(figure.figure)
        sheet.append([f"{figure.caption} [{figure.figure}]"])
        sheet["A1"].font = Font(bold=True)
        if isinstance(figure, Table):
            sheet.append(figure.columns)
            for row in figure.rows:
                sheet.append([c.value if c.value is not None else c.text for c in row])
            if figure.note:
                sheet.append([figure.note])
        else:
            sheet.append(["", *[f"{name} ({figure.unit})" for name, _ in figure.series]])
            for i, x in enumerate(figure.x):
                sheet.append([x, *[values[i] for _, values in figure.series]])
    state = book.create_sheet(sheet_title(doc.labels["data_state"]))
    for label, text in doc.data_state:
        state.append([label, text])
    provenance = book.create_sheet(sheet_title(doc.labels["provenance"]))
    provenance.append([doc.labels[k] for k in ("figure", "methods", "parameters", "months", "how_made")])
    sep = "；" if doc.lang == "zh" else "; "
    for p in doc.provenance:
        provenance.append(
            [f"{p.figure} {p.caption}", sep.join(p.methods), sep.join(p.parameters), p.months, doc.link(p.url)]
        )
    when = stamp_of(doc).astimezone(dt.UTC).replace(tzinfo=None)
    book.properties.creator = book.properties.lastModifiedBy = "carbonpeak"
    book.properties.title = doc.title
    book.properties.created = book.properties.modified = when
    out = io.BytesIO()
    book.save(out)
    return fixed_zip(out.getvalue(), stamp_of(doc))


def sheet_title(text: str) -> str:
    """A sheet's name from a label: without the characters Excel refuses in one, at most 31 long."""
    return re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31].strip() or "sheet"


# ---------------------------------------------------------------- the same bytes for the same report

_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """The zip ``data`` with every entry dated ``when`` and the core properties' times set to it, the
    entries in their order, compressed the same way."""
    utc = when.astimezone(dt.UTC)
    stamp = utc.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    date_time = (max(utc.year, 1980), utc.month, utc.day, utc.hour, utc.minute, utc.second)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            info = zipfile.ZipInfo(item.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()
